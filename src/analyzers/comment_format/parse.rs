//! Reading one tagged comment against the pack's grammar: its tag, its
//! bracketed fields in order, the separator and the message.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{CommentFormat, FieldType};
use crate::dates;

/// A tagged comment, parsed.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// The tag as the pack spells it (`TODO`).
    pub tag: String,
    /// The tag as the comment writes it (`todo`): tags are found in any
    /// letter case, as ruff finds them, but only the pack's spelling is in
    /// the form.
    pub written: String,
    /// Bytes of the comment in the file.
    pub range: Range<usize>,
    /// Whether the tag has no bracketed fields at all (`# TODO: message`).
    pub bare: bool,
    /// The author a bare comment names, `ana` in `# TODO(ana): message`
    /// (only a GitHub-handle-like word; anything else stays in the message).
    pub author: Option<String>,
    /// What makes it not in the form, if anything.
    pub format_problem: Option<String>,
    /// Field index → (value, range of its `[...]` group in the file).
    pub values: BTreeMap<usize, (String, Range<usize>)>,
    pub message: String,
}

/// `(ana)` or `(@ana)` at the start of `rest`: the handle without `@` and
/// the length of the parenthesis.
fn author(rest: &str) -> Option<(String, usize)> {
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    let name = inner[..close].trim();
    let name = name.strip_prefix('@').unwrap_or(name);
    let handle = name.len() <= 39
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    handle.then(|| (name.to_string(), close + 2))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl CommentFormat {
    /// Parses a comment node's text, or `None` when it carries no tag.
    pub(super) fn parse(&self, comment: &str, comment_start: usize) -> Option<Parsed> {
        // Like ruff, look at every `#`-section, so `## TODO` and
        // `x()  # noqa: E402  # TODO: ...` count; the tag's section is the item.
        let (section, tag_at, tag) = comment.match_indices('#').find_map(|(at, _)| {
            let rest = comment[at..].trim_start_matches('#').trim_start();
            let tag = self.opts.tags.iter().find(|t| {
                rest.get(..t.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(t))
                    && !rest[t.len()..].starts_with(is_word_char)
            })?;
            Some((at, comment.len() - rest.len() - at, tag))
        })?;
        let text = &comment[section..];
        let start = comment_start + section;
        let mut p = Parsed {
            tag: tag.clone(),
            written: text[tag_at..tag_at + tag.len()].to_string(),
            range: start..start + text.len(),
            ..Default::default()
        };
        let mut pos = tag_at + tag.len();
        if !text[pos..].starts_with('[') {
            p.bare = true;
            if let Some((author, len)) = author(&text[pos..]) {
                p.author = Some(author);
                pos += len;
            }
            p.message = text[pos..]
                .trim_start_matches([':', ' ', '\t'])
                .trim()
                .to_string();
            p.format_problem = Some("it has no `[...]` fields".to_string());
            return Some(p);
        }
        let mut groups = Vec::new();
        while text[pos..].starts_with('[') {
            let Some(close) = text[pos..].find(']') else {
                p.format_problem = Some("a `[` is never closed".into());
                return Some(p);
            };
            groups.push((text[pos + 1..pos + close].to_string(), pos..pos + close + 1));
            pos += close + 1;
        }
        let after = &text[pos..];
        match after.strip_prefix(self.opts.separator.as_str()) {
            Some(m) if !m.trim().is_empty() => p.message = m.trim().to_string(),
            Some(_) => p.format_problem = Some("the message after the fields is empty".into()),
            None => {
                p.message = after.trim_start_matches([':', ' ']).trim().to_string();
                p.format_problem = Some(format!(
                    "expected `{}` and a message after the fields",
                    self.opts.separator
                ));
            }
        }
        let problem = self.assign(&groups, start, &mut p.values);
        if p.format_problem.is_none() {
            p.format_problem = problem;
        }
        if p.format_problem.is_none() && p.written != p.tag {
            p.format_problem = Some(format!("the tag is written `{}`", p.written));
        }
        Some(p)
    }

    /// Assigns bracket groups to fields in order; a problem if the layout is wrong.
    fn assign(
        &self,
        groups: &[(String, Range<usize>)],
        offset: usize,
        values: &mut BTreeMap<usize, (String, Range<usize>)>,
    ) -> Option<String> {
        let fields = &self.opts.fields;
        let mut next = 0;
        let labels: Vec<&str> = groups
            .iter()
            .filter_map(|(c, _)| c.split_once(':').map(|(l, _)| l))
            .collect();
        let missing = |from: usize, to: usize| {
            fields[from..to].iter().find(|f| !f.optional).map(|f| {
                let later = f.label.as_deref().is_some_and(|l| labels.contains(&l));
                let what = if later { "out of order" } else { "missing" };
                format!("the `{}` field is {what}", f.name)
            })
        };
        for (content, range) in groups {
            let labelled = content.split_once(':').and_then(|(label, value)| {
                fields
                    .iter()
                    .position(|f| f.label.as_deref() == Some(label))
                    .map(|i| (i, value))
            });
            let (index, value) = match labelled {
                Some((i, _)) if i < next => {
                    return Some(format!("the `{}` field is out of order", fields[i].name));
                }
                Some(found) => found,
                None => match (next..fields.len()).find(|&i| fields[i].label.is_none()) {
                    Some(i) => (i, content.as_str()),
                    None => return Some(format!("unexpected field `[{content}]`")),
                },
            };
            if let Some(problem) = missing(next, index) {
                return Some(problem);
            }
            let file_range = offset + range.start..offset + range.end;
            values.insert(index, (value.to_string(), file_range));
            next = index + 1;
        }
        missing(next, fields.len())
    }

    /// The form as a one-line example with `tag`, for messages.
    pub(super) fn form(&self, tag: &str) -> String {
        let mut s = tag.to_string();
        for f in self.opts.fields.iter().filter(|f| !f.optional) {
            let inner = match (&f.label, f.kind) {
                (Some(l), _) => format!("{l}:…"),
                (None, FieldType::Date) => "YYYY-MM-DD".to_string(),
                (None, _) => f.name.clone(),
            };
            s.push_str(&format!("[{inner}]"));
        }
        s.push_str(&self.opts.separator);
        s.push_str("message");
        s
    }

    /// Why field `i`'s value does not parse, if it does not.
    pub(super) fn value_problem(&self, i: usize, value: &str) -> Option<String> {
        if self.opts.unset.as_deref() == Some(value) {
            return None; // the comment did not say, and says so
        }
        let f = &self.opts.fields[i];
        let ok = match f.kind {
            FieldType::Date => dates::parse_iso(value).is_ok(),
            FieldType::Enum => f.values.iter().any(|v| v == value),
            FieldType::Regex => self.patterns[i].as_ref().is_some_and(|r| r.is_match(value)),
            FieldType::Text => !value.trim().is_empty(),
        };
        if ok {
            return None;
        }
        let expected = match f.kind {
            FieldType::Date => "a real date as YYYY-MM-DD".to_string(),
            FieldType::Enum => format!("one of {}", f.values.join(", ")),
            FieldType::Regex => f.expected.clone().unwrap_or_else(|| {
                format!("a value matching `{}`", f.pattern.as_deref().unwrap_or(""))
            }),
            FieldType::Text => "some text".to_string(),
        };
        Some(format!("`{}` is `{value}`; expected {expected}", f.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzers::comment_format::compile;

    fn todo_grammar(check: &str) -> CommentFormat {
        let options: toml::Table = toml::from_str(&format!(
            r#"
check = "{check}"
tags = ["TODO", "FIXME"]
allowlist = ["scope"]
columns = ["priority", "scope"]
[[fields]]
name = "date"
type = "date"
[[fields]]
name = "priority"
label = "PRIORITY"
type = "enum"
values = ["HIGH", "MED", "LOW"]
[[fields]]
name = "scope"
label = "SCOPE"
type = "enum"
values = ["PROD", "DOCS"]
[[fields]]
name = "issue"
label = "ISSUE"
type = "regex"
pattern = '\d+'
optional = true
"#
        ))
        .unwrap();
        compile(&options).unwrap()
    }

    fn problem(text: &str) -> Option<String> {
        todo_grammar("format")
            .parse(text, 0)
            .unwrap()
            .format_problem
    }

    #[test]
    fn well_formed_with_and_without_optional_fields() {
        assert_eq!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD] : x"),
            None
        );
        assert_eq!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD][ISSUE:12] : x"),
            None
        );
    }

    #[test]
    fn tags_are_whole_words_in_any_case() {
        let g = todo_grammar("format");
        // As ruff finds them (TD006 flags the case): tagged, not in the form.
        let lower = g.parse("# todo list", 0).unwrap();
        assert_eq!(
            (lower.tag.as_str(), lower.written.as_str()),
            ("TODO", "todo")
        );
        let upper = g.parse("# TODO[2026-01-15][PRIORITY:HIGH][SCOPE:PROD] : x", 0);
        let upper_problem = upper.unwrap().format_problem;
        let fields = g.parse("# todo[2026-01-15][PRIORITY:HIGH][SCOPE:PROD] : x", 0);
        let problem = fields.unwrap().format_problem;
        match upper_problem {
            None => assert!(problem.unwrap().contains("written `todo`")),
            Some(p) => assert_eq!(problem, Some(p)),
        }
        assert!(g.parse("# TODOS are fine", 0).is_none());
        assert!(g.parse("# see TODO later", 0).is_none());
        assert!(g.parse("#TODO: x", 0).unwrap().bare);
        assert!(g.parse("## TODO: x", 0).unwrap().bare);
        let later = g.parse("# noqa: E402  # TODO: x", 10).unwrap();
        assert_eq!((later.range, later.message.as_str()), (24..33, "x"));
    }

    #[test]
    fn a_bare_comment_names_its_author() {
        let g = todo_grammar("format");
        let p = g.parse("# TODO(ana): fix it", 0).unwrap();
        assert_eq!(
            (p.author.as_deref(), p.message.as_str()),
            (Some("ana"), "fix it")
        );
        let p = g.parse("# FIXME(@bo-b) later", 0).unwrap();
        assert_eq!(
            (p.author.as_deref(), p.message.as_str()),
            (Some("bo-b"), "later")
        );
        // Not a handle: the words stay in the message, nothing is dropped.
        let p = g.parse("# TODO(see below): x", 0).unwrap();
        assert_eq!((p.author, p.message.as_str()), (None, "(see below): x"));
    }

    #[test]
    fn layout_problems() {
        assert!(problem("# TODO: x").unwrap().contains("no `[...]` fields"));
        assert!(
            problem("# TODO[2026-01-01][SCOPE:PROD] : x")
                .unwrap()
                .contains("`priority` field is missing")
        );
        assert!(
            problem("# TODO[2026-01-01][SCOPE:PROD][PRIORITY:HIGH] : x")
                .unwrap()
                .contains("out of order")
        );
        assert!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD] x")
                .unwrap()
                .contains("` : `")
        );
        assert!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD] : ")
                .unwrap()
                .contains("empty")
        );
        assert!(problem("# TODO[2026-01-01[PRIORITY:HIGH] : x").is_some());
        assert!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD][WHO:me] : x")
                .unwrap()
                .contains("unexpected")
        );
    }

    #[test]
    fn value_problems_name_the_field_and_the_allowed_values() {
        let g = todo_grammar("fields");
        assert!(
            g.value_problem(0, "2025-02-30")
                .unwrap()
                .contains("real date")
        );
        assert_eq!(
            g.value_problem(1, "URGENT").unwrap(),
            "`priority` is `URGENT`; expected one of HIGH, MED, LOW"
        );
        assert!(g.value_problem(3, "12a").is_some());
        assert!(g.value_problem(3, "12").is_none());
        // `UNSET` parses only when the pack names it.
        assert!(g.value_problem(1, "UNSET").is_some());
        let options: toml::Table = toml::from_str(
            "check = \"fields\"\ntags = [\"TODO\"]\nunset = \"UNSET\"\n[[fields]]\nname = \"p\"\nlabel = \"P\"\ntype = \"enum\"\nvalues = [\"HIGH\"]\n",
        )
        .unwrap();
        assert!(
            compile(&options)
                .unwrap()
                .value_problem(0, "UNSET")
                .is_none()
        );
    }
}
