//! The suppression directives of one comment, read with ruff 0.17.5's
//! grammar and nothing more:
//!
//! - `# noqa`, `# noqa: CODES` (this line; `noqa` in any letter case; codes
//!   are an upper-case prefix then digits, separated by commas and/or
//!   whitespace, glued codes such as `E402F401` read as two; reading stops
//!   at the first word that is not a code);
//! - `# ruff: noqa[: CODES]`, `# flake8: noqa[: CODES]` (the whole file);
//! - `# ruff: ignore[CODES]`, `# ruff: file-ignore[CODES]`,
//!   `# ruff: disable[CODES]` … `# ruff: enable[CODES]`.
//!
//! On top, rulegate's policy reads the text after the codes: a reason after
//! ` -- `, an `EXCEPTION-YYYYMMDD` tag, `until=YYYY-MM-DD`, an issue.
//! A directive ruff rejects suppresses nothing and comes back as
//! [`Malformed`], with ruff's words for what it expected.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::dates::{self, Date};

/// What a directive covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `# noqa`: its (logical) line.
    Line,
    /// `# ruff: noqa` / `# flake8: noqa`: the file.
    File,
    /// `# ruff: ignore[…]`: its line, or the statement below an own-line one.
    Ignore,
    /// `# ruff: file-ignore[…]`: the file.
    FileIgnore,
    /// `# ruff: disable[…]`: from here to the matching enable (or the end
    /// of the block).
    Disable,
    /// `# ruff: enable[…]`: ends a disable.
    Enable,
}

/// rulegate's policy part of a directive: reason, TTL start, expiry, issue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The reason after ` -- `, trimmed.
    pub reason: Option<String>,
    /// Date from an `EXCEPTION-YYYYMMDD` tag.
    pub start: Option<Date>,
    /// Date from `until=YYYY-MM-DD`.
    pub until: Option<Date>,
    /// Issue reference from the reason (`ISSUE-1234`, `issue=1234`, `#1234`).
    pub issue: Option<String>,
    /// A date in the directive that does not parse: (as written, why).
    pub bad_date: Option<(String, String)>,
}

impl Policy {
    /// The expiry for a rule with TTL `ttl_days`: `until=` wins, else tag + TTL.
    pub fn expiry(&self, ttl_days: Option<u32>) -> Option<Date> {
        self.until
            .or_else(|| Some(dates::add_days(self.start?, i64::from(ttl_days?))))
    }
}

/// One well-formed directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// What it covers.
    pub scope: Scope,
    /// Codes with their byte ranges; `None` for a blanket `noqa` form.
    pub codes: Option<Vec<(String, Range<usize>)>>,
    /// Byte range of the directive, from its `#` to the end of the comment.
    pub range: Range<usize>,
    /// Byte range of the whole comment.
    pub comment: Range<usize>,
    /// Byte range of the code list (for rewriting it).
    pub codes_range: Option<Range<usize>>,
    /// Reason, dates and issue.
    pub policy: Policy,
}

impl Directive {
    /// The codes as written, comma-separated.
    pub fn codes_text(&self) -> String {
        match &self.codes {
            None => String::new(),
            Some(c) => c
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The directive as a person writes it (`# noqa: E402`, `# ruff:
    /// ignore[E402]`), for messages.
    pub fn spelling(&self) -> String {
        let codes = self.codes_text();
        match (self.scope, self.codes.is_some()) {
            (Scope::Line, false) => "# noqa".into(),
            (Scope::Line, true) => format!("# noqa: {codes}"),
            (Scope::File, false) => "# ruff: noqa".into(),
            (Scope::File, true) => format!("# ruff: noqa: {codes}"),
            (Scope::Ignore, _) => format!("# ruff: ignore[{codes}]"),
            (Scope::FileIgnore, _) => format!("# ruff: file-ignore[{codes}]"),
            (Scope::Disable, _) => format!("# ruff: disable[{codes}]"),
            (Scope::Enable, _) => format!("# ruff: enable[{codes}]"),
        }
    }
}

/// A directive ruff rejects: it suppresses nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Where it is.
    pub range: Range<usize>,
    /// What ruff expected.
    pub message: String,
}

/// Reads the directives of the comment `text` found at byte `offset`.
pub fn parse_comment(text: &str, offset: usize) -> (Vec<Directive>, Vec<Malformed>) {
    let mut found = Vec::new();
    let mut malformed = Vec::new();
    let comment = offset..offset + text.len();
    let mut push = |r: Result<Option<Lexed>, Malformed>, scope: Scope| match r {
        Ok(Some(l)) => found.push(l.into_directive(scope, text, offset, comment.clone())),
        Ok(None) => {}
        Err(m) => malformed.push(m),
    };
    push(lex_noqa(text, offset, false), Scope::Line);
    push(lex_noqa(text, offset, true), Scope::File);
    for r in ruff_directives(text, offset) {
        match r {
            Ok(d) => found.push(Directive {
                comment: comment.clone(),
                ..d
            }),
            Err(m) => malformed.push(m),
        }
    }
    (found, malformed)
}

/// What the noqa lexers read: the directive's start and its codes.
struct Lexed {
    start: usize,
    /// Where the directive's own text ends (after the codes, or `noqa`).
    end: usize,
    codes: Option<Vec<(String, Range<usize>)>>,
}

impl Lexed {
    fn into_directive(
        self,
        scope: Scope,
        text: &str,
        offset: usize,
        comment: Range<usize>,
    ) -> Directive {
        let codes_range = self
            .codes
            .as_ref()
            .and_then(|c| Some(c.first()?.1.start..c.last()?.1.end));
        Directive {
            scope,
            codes: self.codes,
            range: offset + self.start..offset + text.len(),
            comment,
            codes_range,
            policy: policy(&text[self.end..]),
        }
    }
}

const NOQA_CODES: &str = "expected a comma-separated list of codes (e.g., `# noqa: F401, F841`)";

/// ruff's noqa lexer: the first `#`-section of the comment that is a noqa
/// directive (`file`: a `ruff:`/`flake8:` file exemption), if any.
fn lex_noqa(text: &str, offset: usize, file: bool) -> Result<Option<Lexed>, Malformed> {
    let b = text.as_bytes();
    let mut at = 0;
    while let Some(hash) = text[at..].find('#').map(|i| at + i) {
        at = hash + 1;
        let mut i = skip_ws(text, at);
        if file {
            let prefix = ["ruff", "flake8"]
                .into_iter()
                .find(|p| text[i..].starts_with(p));
            let Some(prefix) = prefix else { continue };
            i = skip_ws(text, i + prefix.len());
            if b.get(i) != Some(&b':') {
                continue;
            }
            i = skip_ws(text, i + 1);
        }
        if !text
            .get(i..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case("noqa"))
        {
            continue;
        }
        let bad = |message: &str| Malformed {
            range: offset + hash..offset + text.len(),
            message: message.to_string(),
        };
        let after = i + 4;
        let blanket = Ok(Some(Lexed {
            start: hash,
            end: after,
            codes: None,
        }));
        let colon = match text[after..].chars().next() {
            None | Some('#') => return blanket,
            Some(':') => after + 1,
            Some(c) if c.is_whitespace() => {
                let j = skip_ws(text, after);
                if b.get(j) != Some(&b':') {
                    return blanket;
                }
                j + 1
            }
            Some(_) => {
                return Err(bad(&format!(
                    "expected `:` followed by a comma-separated list of codes (e.g., `# noqa: F401, F841`), as ruff reads it; `{}` suppresses nothing",
                    text[hash..].trim_end()
                )));
            }
        };
        return match lex_codes(text, colon, offset) {
            Ok((codes, end)) if !codes.is_empty() => Ok(Some(Lexed {
                start: hash,
                end,
                codes: Some(codes),
            })),
            Ok(_) => Err(bad(&format!(
                "{NOQA_CODES}; `{}` names no code and suppresses nothing",
                text[hash..].trim_end()
            ))),
            Err(()) => Err(bad(&format!(
                "expected codes of upper-case letters then digits only (e.g. `F401`), as ruff reads them; `{}` suppresses nothing",
                text[hash..].trim_end()
            ))),
        };
    }
    Ok(None)
}

/// ruff's code list after `noqa:`: codes and the offset where reading
/// stopped; `Err` for a code glued to something that is not a code.
#[allow(clippy::type_complexity)]
fn lex_codes(
    text: &str,
    mut i: usize,
    offset: usize,
) -> Result<(Vec<(String, Range<usize>)>, usize), ()> {
    let b = text.as_bytes();
    let mut codes = Vec::new();
    let mut glued = false;
    let mut end = i;
    while i < b.len() {
        i = skip_ws(text, i);
        match b.get(i) {
            None => break,
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(c) if c.is_ascii_uppercase() => {
                let start = i;
                while b.get(i).is_some_and(u8::is_ascii_uppercase) {
                    i += 1;
                }
                if !b.get(i).is_some_and(u8::is_ascii_digit) {
                    if glued {
                        return Err(());
                    }
                    break; // a word that is not a code: the rest is a comment
                }
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                codes.push((text[start..i].to_string(), offset + start..offset + i));
                end = i;
                glued = match text[i..].chars().next() {
                    None | Some('#') => false,
                    Some(',') => {
                        i += 1;
                        false
                    }
                    Some(c) if c.is_whitespace() => false,
                    Some(c) if c.is_ascii_uppercase() => true,
                    Some(_) => return Err(()),
                };
            }
            Some(_) => break,
        }
    }
    Ok((codes, end))
}

/// ruff's own suppression comments, one per `#`-section of the comment.
fn ruff_directives(text: &str, offset: usize) -> Vec<Result<Directive, Malformed>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(hash) = text[at..].find('#').map(|i| at + i) {
        let next = text[hash + 1..]
            .find('#')
            .map_or(text.len(), |i| hash + 1 + i);
        at = hash + 1;
        let section = &text[hash..next];
        match ruff_directive(section, hash, offset) {
            Ok(None) => {}
            Ok(Some((mut d, after_codes))) => {
                // rulegate's policy reads the rest of the comment (a reason
                // may hold `#77`); ruff reads on from the next `#`.
                d.policy = policy(&text[hash + after_codes..]);
                at = next;
                out.push(Ok(d));
            }
            Err(message) => out.push(Err(Malformed {
                range: offset + hash..offset + next,
                message: format!(
                    "{message}, as ruff reads `{}`; it suppresses nothing",
                    section.trim_end()
                ),
            })),
        }
    }
    out
}

const ACTIONS: [(&str, Scope); 4] = [
    ("disable", Scope::Disable),
    ("enable", Scope::Enable),
    ("file-ignore", Scope::FileIgnore),
    ("ignore", Scope::Ignore),
];

/// One `# ruff: ACTION[CODES] reason` section (starting at its `#`);
/// `Ok(None)` when it is not a ruff suppression comment.
fn ruff_directive(
    s: &str,
    at: usize,
    offset: usize,
) -> Result<Option<(Directive, usize)>, &'static str> {
    let mut i = skip_ws(s, 1);
    if !s[i..].starts_with("ruff") {
        return Ok(None);
    }
    i = skip_ws(s, i + 4);
    if !s[i..].starts_with(':') {
        return Ok(None);
    }
    i = skip_ws(s, i + 1);
    // `ruff: noqa` (in any case: the noqa lexer reads it) and `ruff: isort`
    // are other directives.
    let noqa = s
        .get(i..i + 4)
        .is_some_and(|w| w.eq_ignore_ascii_case("noqa"));
    if noqa || s[i..].starts_with("isort") {
        return Ok(None);
    }
    let Some((word, scope)) = ACTIONS.into_iter().find(|(w, _)| s[i..].starts_with(w)) else {
        return Err(
            "unknown ruff directive: expected `ignore`, `file-ignore`, `disable` or `enable`",
        );
    };
    i = skip_ws(s, i + word.len());
    if !s[i..].starts_with('[') {
        return Err("missing suppression codes like `[E501, ...]`");
    }
    i += 1;
    let mut codes = Vec::new();
    loop {
        i = skip_ws(s, i);
        if i >= s.len() {
            return Err("missing closing bracket");
        }
        if s[i..].starts_with(']') {
            i += 1;
            break;
        }
        let start = i;
        if !s[i..].chars().next().is_some_and(char::is_alphabetic) {
            return Err("invalid error code");
        }
        let len = s[i..]
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':')))
            .map_or(s.len() - i, |(k, _)| k);
        i += len;
        codes.push((
            s[start..i].to_string(),
            offset + at + start..offset + at + i,
        ));
        i = skip_ws(s, i);
        if s[i..].starts_with(',') {
            i += 1;
        } else if s[i..].starts_with(']') {
            i += 1;
            break;
        } else if i >= s.len() {
            return Err("missing closing bracket");
        } else {
            return Err("missing comma between codes");
        }
    }
    let (Some(first), Some(last)) = (codes.first(), codes.last()) else {
        return Err("missing suppression codes like `[E501, ...]`");
    };
    let codes_range = first.1.start..last.1.end;
    let d = Directive {
        scope,
        range: offset + at..offset + at + s.len(),
        comment: 0..0,
        codes_range: Some(codes_range),
        policy: Policy::default(),
        codes: Some(codes),
    };
    Ok(Some((d, i)))
}

fn skip_ws(text: &str, mut i: usize) -> usize {
    while let Some(c) = text[i..].chars().next().filter(|c| c.is_whitespace()) {
        i += c.len_utf8();
    }
    i
}

static EXCEPTION_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bEXCEPTION-(\d{8})\b").expect("valid regex"));
static UNTIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\buntil=(\S+)").expect("valid regex"));
static ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bissue[-=: ]?#?(\w+)|(?:^|\s)#(\d+)\b").expect("valid regex")
});

/// rulegate's policy, read from the text after a directive's codes.
fn policy(rest: &str) -> Policy {
    let reason = rest
        .find("--")
        .map(|i| rest[i + 2..].trim().to_string())
        .filter(|r| !r.is_empty());
    let mut bad_date = None;
    let start = EXCEPTION_TAG.captures(rest).and_then(|c| {
        dates::parse_compact(&c[1])
            .map_err(|e| bad_date = Some((c[0].to_string(), e)))
            .ok()
    });
    let until = UNTIL.captures(rest).and_then(|c| {
        dates::parse_iso(c[1].trim_end_matches([',', ';', ')', '.']))
            .map_err(|e| bad_date = Some((c[0].to_string(), e)))
            .ok()
    });
    let issue = reason.as_deref().and_then(|r| {
        ISSUE
            .captures(r)
            .and_then(|c| c.get(1).or(c.get(2)))
            .map(|m| m.as_str().to_string())
    });
    Policy {
        reason,
        start,
        until,
        issue,
        bad_date,
    }
}

#[cfg(test)]
mod tests;
