//! Writing `# noqa` directives: the one writer of suppression comments
//! (`lint --add-noqa`; meant for the editor's "suppress with a reason"
//! action and generated code too).
//!
//! A directive goes where ruff's line rules ([`Lines::noqa_line`]) make it
//! apply: the last line of a multi-line string or backslash continuation the
//! finding is in, else the finding's own line. One directive per line: codes
//! are merged into a `# noqa: CODES` already there, with one reason (the
//! given one, else the one already there) and the earlier expiry. A line
//! that ends inside a string, ends with a backslash, or is a shebang is
//! never edited, and every written comment is read back with ruff's grammar
//! ([`super::directive::parse_comment`]): a comment that would not suppress
//! is not written.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Tree;

use super::directive::{self, Directive, Scope};
use super::lines::Lines;
use crate::dates::Date;
use crate::finding::Edit;

/// Why a directive was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The source does not parse at all.
    #[error("the file cannot be parsed")]
    #[cfg(test)]
    NoTree,
    /// No such line.
    #[error("the file has no line {0}")]
    NoLine(usize),
    /// The line ends inside a string: a comment there would be string text.
    #[error("the line ends inside a string; a comment there would change the string")]
    InString,
    /// The line ends with a backslash continuation.
    #[error("the line ends with a backslash continuation")]
    Continuation,
    /// The first line is a shebang: a comment would become its argument.
    #[error("the line is the shebang")]
    Shebang,
    /// A blanket `# noqa` is on the line and does not silence these rules.
    #[error("the line's blanket `# noqa` does not silence {0}; name the codes in it by hand")]
    Blanket(String),
    /// The directive on the line has a date that does not read: it
    /// suppresses nothing, and a merge must not make it suppress.
    #[error("the directive on the line (`{0}`) has a date that does not read; fix it by hand")]
    BadDate(String),
    /// A rule id that a `# noqa` cannot name.
    #[error("`{0}` is not a code a `# noqa` can name (upper-case letters, then digits)")]
    NotACode(String),
    /// The reason holds a line break.
    #[error("the reason holds a line break")]
    MultilineReason,
    /// The comment already on the line would keep the directive from being read.
    #[error("the comment on the line (`{0}`) would hide the directive; fix it by hand")]
    Unreadable(String),
}

/// Writes the `# noqa` directives of one file.
pub struct Writer<'a> {
    text: &'a str,
    tree: &'a Tree,
    lines: Lines,
    /// Start offset of each line.
    starts: Vec<usize>,
}

impl<'a> Writer<'a> {
    /// A writer for `text`, whose syntax tree is `tree`.
    pub fn new(text: &'a str, tree: &'a Tree) -> Self {
        let starts = crate::source::line_starts(text);
        Self {
            text,
            tree,
            lines: Lines::new(text, tree),
            starts,
        }
    }

    /// The file's line structure (ruff's line rules).
    pub fn lines(&self) -> &Lines {
        &self.lines
    }

    /// The (0-based) line whose `# noqa` covers a finding starting at `offset`.
    pub fn noqa_line(&self, offset: usize) -> usize {
        self.lines.noqa_line(offset)
    }

    /// The edit that suppresses `codes` for findings on (0-based) `line`
    /// (the line a finding starts on; the directive goes to the line ruff
    /// reads it from), with `reason` and an expiry `until`. `Ok(None)` when
    /// the line already says exactly that.
    pub fn edit(
        &self,
        line: usize,
        codes: &[&str],
        reason: Option<&str>,
        until: Option<Date>,
    ) -> Result<Option<Edit>, Refusal> {
        if let Some(bad) = codes.iter().find(|c| !is_code(c)) {
            return Err(Refusal::NotACode(bad.to_string()));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.contains(['\n', '\r'])) {
            return Err(Refusal::MultilineReason);
        }
        let start = *self.starts.get(line).ok_or(Refusal::NoLine(line + 1))?;
        let target = self.noqa_line(start);
        let (ls, le) = self.bounds(target);
        if target == 0 && self.text[ls..].starts_with("#!") {
            return Err(Refusal::Shebang);
        }
        if self.inside_string(le) {
            return Err(Refusal::InString);
        }
        let comment = self
            .lines
            .comments
            .iter()
            .find(|c| ls <= c.start && c.start < le)
            .map(|c| c.start..c.end.min(le));
        let (range, new, check_from) = match comment.clone() {
            Some(c) => {
                let (found, _) = directive::parse_comment(&self.text[c.clone()], c.start);
                match found.into_iter().find(|d| d.scope == Scope::Line) {
                    Some(d) if d.codes.is_none() => return Err(Refusal::Blanket(codes.join(", "))),
                    Some(d) if d.policy.bad_date.is_some() => {
                        return Err(Refusal::BadDate(self.text[d.range.clone()].to_string()));
                    }
                    Some(d) => {
                        let new = self.merged(&d, codes, reason, until);
                        (d.range.start..c.end, new, c.start)
                    }
                    None => {
                        let at = c.start + self.text[c.clone()].trim_end().len();
                        (
                            at..le,
                            format!("  {}", fresh(codes, reason, until)),
                            c.start,
                        )
                    }
                }
            }
            None => {
                let body = self.text[ls..le].trim_end();
                if body.ends_with('\\') {
                    return Err(Refusal::Continuation);
                }
                let sep = if body.trim_start().is_empty() {
                    ""
                } else {
                    "  "
                };
                let at = ls + body.len();
                (at..le, format!("{sep}{}", fresh(codes, reason, until)), at)
            }
        };
        // Read the comment back as ruff (and rulegate's policy) will.
        let full = format!("{}{new}", &self.text[check_from..range.start]);
        let written = full.trim_start();
        let offset = check_from + (full.len() - written.len());
        let back = directive::parse_comment(written, offset)
            .0
            .into_iter()
            .find(|d| d.scope == Scope::Line);
        let expected_until = match &comment {
            Some(_) => until_with_existing(self, comment.clone(), until),
            None => until,
        };
        let ok = back.is_some_and(|d| {
            let named = d.codes.as_ref().is_some_and(|have| {
                codes
                    .iter()
                    .all(|c| have.iter().any(|(h, _)| h.as_str() == *c))
            });
            named
                && d.policy.until == expected_until
                && d.policy.bad_date.is_none()
                && reason
                    .is_none_or(|r| d.policy.reason.as_deref().is_some_and(|x| x.starts_with(r)))
        });
        if !ok {
            let shown = comment.map_or("", |c| &self.text[c]);
            return Err(Refusal::Unreadable(shown.to_string()));
        }
        if self.text[range.clone()] == new {
            return Ok(None);
        }
        Ok(Some(Edit::new(None, range, new)))
    }

    /// Line `line`'s start and end (before its `\r\n`, `\n` or lone `\r`).
    fn bounds(&self, line: usize) -> (usize, usize) {
        let start = self.starts[line];
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    /// Whether `offset` lies strictly inside a string (a line break there is
    /// the string's text).
    fn inside_string(&self, offset: usize) -> bool {
        let mut node = self
            .tree
            .root_node()
            .descendant_for_byte_range(offset, offset);
        while let Some(n) = node {
            if n.kind() == "string" && n.start_byte() < offset && offset < n.end_byte() {
                return true;
            }
            node = n.parent();
        }
        false
    }

    /// The directive `d` with `codes` added, the reason replaced when one is
    /// given, and the earlier of its `until=` and `until`. The text between
    /// its `#` and the end of the comment is rewritten; a later comment
    /// (`# type: ignore`) stays at the end.
    fn merged(
        &self,
        d: &Directive,
        codes: &[&str],
        reason: Option<&str>,
        until: Option<Date>,
    ) -> String {
        let existing: Vec<&str> = d.codes.iter().flatten().map(|(c, _)| c.as_str()).collect();
        let mut all = existing.clone();
        let mut added: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|c| !existing.contains(c))
            .collect();
        added.sort_unstable();
        added.dedup();
        all.extend(added);
        let codes_range = d
            .codes_range
            .clone()
            .expect("a coded directive has a code list");
        let end = d.range.end;
        let rest = &self.text[codes_range.end..end];
        let (body, trailer) = split_trailer(rest);
        let (pre, old_reason) = match body.find("--") {
            Some(i) => (&body[..i], Some(&body[i + 2..])),
            None => (body, None),
        };
        let pre = UNTIL_TOKEN.replace_all(pre, "");
        let old_reason = old_reason
            .map(|r| UNTIL_TOKEN.replace_all(r, "").trim().to_string())
            .filter(|r| !r.is_empty());
        let reason = match (reason, &old_reason) {
            (Some(given), Some(old)) if given != old => {
                // The TTL's start is not lost with the old reason.
                let tags: Vec<&str> = EXCEPTION_TAG
                    .find_iter(old)
                    .map(|m| m.as_str())
                    .filter(|t| !given.contains(t))
                    .collect();
                Some(
                    std::iter::once(given)
                        .chain(tags)
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            }
            (Some(given), _) => Some(given.to_string()),
            (None, old) => old.clone(),
        };
        let until = earliest(until, d.policy.until);
        if all.len() == existing.len() && reason == old_reason && until == d.policy.until {
            return self.text[d.range.start..end].to_string(); // nothing to add
        }
        let mut out = format!(
            "{}{}{}",
            &self.text[d.range.start..codes_range.start],
            all.join(", "),
            pre.trim_end()
        );
        if let Some(r) = reason {
            out.push_str(&format!(" -- {r}"));
        }
        if let Some(u) = until {
            out.push_str(&format!(" until={u}"));
        }
        if !trailer.is_empty() {
            out.push_str("  ");
            out.push_str(trailer.trim_end());
        }
        out
    }
}

/// The expiry a merge writes on the line holding `comment`: the earlier of
/// `until` and the `until=` of the `# noqa` already there.
fn until_with_existing(
    w: &Writer,
    comment: Option<Range<usize>>,
    until: Option<Date>,
) -> Option<Date> {
    let Some(c) = comment else { return until };
    let (found, _) = directive::parse_comment(&w.text[c.clone()], c.start);
    let old = found
        .into_iter()
        .find(|d| d.scope == Scope::Line)
        .and_then(|d| d.policy.until);
    earliest(until, old)
}

/// The earlier of two optional dates.
fn earliest(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A new directive: `# noqa: CODES[ -- REASON][ until=DATE]`.
fn fresh(codes: &[&str], reason: Option<&str>, until: Option<Date>) -> String {
    let mut codes: Vec<&str> = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let mut out = format!("# noqa: {}", codes.join(", "));
    if let Some(r) = reason {
        out.push_str(&format!(" -- {r}"));
    }
    if let Some(u) = until {
        out.push_str(&format!(" until={u}"));
    }
    out
}

/// Whether ruff reads `code` as one code: upper-case letters, then digits.
fn is_code(code: &str) -> bool {
    let letters = code.bytes().take_while(u8::is_ascii_uppercase).count();
    letters > 0 && letters < code.len() && code.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

/// Splits a directive's tail into its own text and a later comment that is
/// not part of it (`  # type: ignore`, `# pragma: no cover`): a `#` after
/// whitespace and before a letter (`#123` is an issue in a reason).
fn split_trailer(rest: &str) -> (&str, &str) {
    let b = rest.as_bytes();
    let at = rest.match_indices('#').map(|(i, _)| i).find(|&i| {
        (i == 0 || b[i - 1].is_ascii_whitespace())
            && rest[i + 1..]
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
    });
    match at {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    }
}

static UNTIL_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*\buntil=\S+").expect("valid regex"));
static EXCEPTION_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bEXCEPTION-\d{8}\b").expect("valid regex"));

/// The edit that suppresses `codes` on (0-based) `line` of `text` (see
/// [`Writer::edit`]); parses `text` once (the tests' entry point).
#[cfg(test)]
pub fn noqa_edit(
    text: &str,
    line: usize,
    codes: &[&str],
    reason: Option<&str>,
    until: Option<Date>,
) -> Result<Option<Edit>, Refusal> {
    let tree = crate::parse::Worker::new()
        .parse(text)
        .ok_or(Refusal::NoTree)?;
    Writer::new(text, &tree).edit(line, codes, reason, until)
}

#[cfg(test)]
mod tests;
