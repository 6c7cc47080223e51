//! `rulegate todos link --map FILE.json`: replaces TODOs that became
//! issues with `# See: <url>` (seed 002, phase 3), keeping their metadata
//! fields and message, through the fix engine's write path.
//!
//! The map is a JSON array, one object per TODO, as a script that created
//! the issues from `report todos --format csv` would write it:
//!
//! ```json
//! [{"file": "core/tasks.py", "line": 11, "url": "https://github.com/o/r/issues/553",
//!   "message": "move to the new scheduler"}]
//! ```
//!
//! `file` and `line` are the inventory's; `message` is optional and, when
//! given, must be the TODO's message (a guard against a map made from an
//! older inventory). `# TODO[2026-01-15][PRIORITY:HIGH] : migrate` becomes
//! `# See: <url> [2026-01-15][PRIORITY:HIGH] : migrate`.

use std::ops::Range;

use serde::Deserialize;

use crate::analyzers::TaggedComment;
use crate::finding::Edit;
use crate::fix::Candidate;
use crate::fix::engine::Findings;
use crate::fix::workspace::Workspace;

/// One entry of the map.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Project-relative path of the TODO's file.
    pub file: String,
    /// 1-based line of the TODO.
    pub line: usize,
    /// The issue's address.
    pub url: String,
    /// The TODO's message, when the map wants it checked.
    #[serde(default)]
    pub message: Option<String>,
}

/// Reads a map: a JSON array of [`Link`]s with project-relative paths.
pub fn read_map(text: &str) -> Result<Vec<Link>, String> {
    let links: Vec<Link> = serde_json::from_str(text).map_err(|e| {
        format!("{e}; the map is a JSON array of {{\"file\", \"line\", \"url\", \"message\"?}}")
    })?;
    for l in &links {
        let p = std::path::Path::new(&l.file);
        let relative = p.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        if !relative || l.file.is_empty() {
            return Err(format!(
                "`{}` is not a path inside the project: write it relative to the project root, as `report todos` does",
                l.file
            ));
        }
        if l.url.trim().is_empty() || l.url.contains(['\n', '\r']) {
            return Err(format!(
                "the url for {}:{} is empty or spans lines",
                l.file, l.line
            ));
        }
    }
    Ok(links)
}

/// The comment that replaces a TODO: its issue link, its fields as written
/// and its message.
pub fn link_comment(url: &str, fields: &str, message: &str) -> String {
    let mut out = format!("# See: {url}");
    if !fields.is_empty() {
        out.push(' ');
        out.push_str(fields);
    }
    out.push_str(" : ");
    out.push_str(message);
    out
}

/// Whether `line` holds the link that replaced a TODO saying `message`.
pub fn is_link_of(line: &str, message: &str) -> bool {
    line.find("# See: ").is_some_and(|at| {
        line[at..]
            .trim_end()
            .strip_suffix(message)
            .is_some_and(|rest| rest.ends_with(" : "))
    })
}

/// Where the tagged comment `item` is on its line of `text`, and its fields
/// as written (`[...][...]`): the section from its `#` to the line's end.
fn locate(
    text: &str,
    line_range: Range<usize>,
    item: &TaggedComment,
) -> Option<(Range<usize>, String)> {
    let line = text[line_range.clone()].trim_end_matches(['\n', '\r']);
    line.match_indices('#').find_map(|(at, _)| {
        let rest = line[at..].trim_start_matches('#').trim_start();
        let tag = rest.get(..item.kind.len())?;
        if !tag.eq_ignore_ascii_case(&item.kind) {
            return None;
        }
        let after = &rest[item.kind.len()..];
        // The fields as written: `[...]` groups, or a bare comment's
        // `(author)` (when the inventory read it as one).
        let brackets = fields_len(after);
        let author = (brackets == 0 && after.starts_with('('))
            .then(|| after.find(')').map(|close| close + 1))
            .flatten();
        [Some(brackets), author]
            .into_iter()
            .flatten()
            .find_map(|end| {
                let message = after[end..].trim_start_matches([':', ' ', '\t']).trim();
                (message == item.message).then(|| {
                    let start = line_range.start + at;
                    (
                        start..line_range.start + line.len(),
                        after[..end].to_string(),
                    )
                })
            })
    })
}

/// Length of the leading `[...]` groups of `s`.
fn fields_len(s: &str) -> usize {
    let mut pos = 0;
    while s[pos..].starts_with('[') {
        match s[pos..].find(']') {
            Some(close) => pos += close + 1,
            None => break,
        }
    }
    pos
}

/// What linking did, besides the edits.
#[derive(Debug, Default)]
pub struct Linked {
    /// TODOs replaced.
    pub replaced: usize,
    /// Entries not applied, each with why.
    pub skipped: Vec<String>,
}

/// Plans the replacements of `links` over the inventory `items` into `ws`
/// and applies them with the fix engine (nothing is written here).
pub fn link(
    ws: &mut Workspace,
    items: &[&TaggedComment],
    links: &[Link],
    opts: crate::fix::engine::Options,
) -> Linked {
    let mut out = Linked::default();
    let mut plan = Plan::default();
    for l in links {
        let item = items.iter().find(|i| i.file == l.file && i.line == l.line);
        let Some(item) = item else {
            out.skipped.push(format!(
                "{}:{}: no TODO there now; make the map from a fresh `rulegate report todos`",
                l.file, l.line
            ));
            continue;
        };
        if let Some(m) = l.message.as_ref().filter(|m| **m != item.message) {
            out.skipped.push(format!(
                "{}:{}: the TODO says `{}`, the map `{m}`; not replaced",
                l.file, l.line, item.message
            ));
            continue;
        }
        let found = ws
            .load(&l.file)
            .then(|| ws.text(&l.file))
            .flatten()
            .and_then(|text| {
                let lines = crate::source::LineIndex::new(text);
                locate(text, lines.line_range(l.line - 1, text.len()), item)
            });
        let Some((range, fields)) = found else {
            out.skipped.push(format!(
                "{}:{}: cannot find the TODO's comment in the file",
                l.file, l.line
            ));
            continue;
        };
        let edit = Edit::new(
            Some(l.file.clone()),
            range.clone(),
            link_comment(&l.url, &fields, &item.message),
        );
        plan.offered.push(Candidate {
            rule: "todos-link".into(),
            path: l.file.clone(),
            range,
            edits: vec![edit],
        });
    }
    out.replaced = crate::fix::engine::run(ws, &mut plan, opts).applied;
    out
}

/// The replacements, offered once.
#[derive(Default)]
struct Plan {
    offered: Vec<Candidate>,
}

impl Findings for Plan {
    fn candidates(&self) -> Vec<(Candidate, &[Range<usize>])> {
        self.offered.iter().map(|c| (c.clone(), &[][..])).collect()
    }

    fn recheck(&mut self, _paths: &[String], _ws: &Workspace) {
        // Each replacement applies in the first round: none is offered again.
        self.offered.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, message: &str) -> TaggedComment {
        TaggedComment {
            file: "a.py".into(),
            line: 1,
            lane: None,
            kind: kind.into(),
            columns: Vec::new(),
            message: message.into(),
            well_formed: true,
            weight: None,
        }
    }

    #[test]
    fn the_comment_keeps_its_fields_and_message() {
        let text = "x = 1  # TODO[2026-01-15][PRIORITY:HIGH] : migrate\r\ny = 2\n";
        let (range, fields) = locate(
            text,
            0..text.find('\n').unwrap() + 1,
            &item("TODO", "migrate"),
        )
        .unwrap();
        assert_eq!(&text[range], "# TODO[2026-01-15][PRIORITY:HIGH] : migrate");
        assert_eq!(fields, "[2026-01-15][PRIORITY:HIGH]");
        let link = link_comment("https://x/issues/1", &fields, "migrate");
        assert_eq!(
            link,
            "# See: https://x/issues/1 [2026-01-15][PRIORITY:HIGH] : migrate"
        );
        assert!(is_link_of(&link, "migrate"));
        assert!(!is_link_of(&link, "other"));
        // A bare comment's author is kept.
        let text = "# todo(ana): retry\n";
        let (_, fields) = locate(text, 0..text.len(), &item("TODO", "retry")).unwrap();
        assert_eq!(fields, "(ana)");
        // Words in parentheses that are not an author stay in the message.
        let text = "# TODO(see #12): x\n";
        let (_, fields) = locate(text, 0..text.len(), &item("TODO", "(see #12): x")).unwrap();
        assert_eq!(fields, "");
        // A `#` in a string before the comment is not it.
        let text = "s = '#TODO x'  # TODO: y\n";
        let (range, _) = locate(text, 0..text.len(), &item("TODO", "y")).unwrap();
        assert_eq!(&text[range], "# TODO: y");
    }

    #[test]
    fn the_map_is_read_and_checked() {
        let links = read_map(r#"[{"file": "a.py", "line": 3, "url": "https://x/1"}]"#).unwrap();
        assert_eq!((links[0].line, links[0].message.as_deref()), (3, None));
        assert!(
            read_map(r#"[{"file": "../a.py", "line": 3, "url": "u"}]"#)
                .unwrap_err()
                .contains("inside the project")
        );
        assert!(
            read_map(r#"{"file": "a.py"}"#)
                .unwrap_err()
                .contains("JSON array")
        );
        assert!(read_map(r#"[{"file": "a.py", "line": 1, "url": "u", "x": 1}]"#).is_err());
    }
}
