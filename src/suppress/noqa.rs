//! Parsing `# noqa` comments (flake8/ruff compatible) with rulegate's
//! additions: a reason after ` -- `, an `EXCEPTION-YYYYMMDD` tag that starts
//! a TTL, `until=YYYY-MM-DD` for an explicit expiry, and an issue reference.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::dates::{self, Date};

static NOQA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"#\s*(?i:noqa)(?:\s*:\s*(?P<codes>[A-Za-z][A-Za-z_-]*[0-9][A-Za-z0-9_-]*(?:[\s,]+[A-Za-z][A-Za-z_-]*[0-9][A-Za-z0-9_-]*)*))?")
        .expect("valid regex")
});
static CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z][A-Za-z_-]*[0-9][A-Za-z0-9_-]*").expect("valid regex"));
static EXCEPTION_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bEXCEPTION-(\d{8})\b").expect("valid regex"));
static UNTIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\buntil=(\S+)").expect("valid regex"));
static ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bissue[-=: ]?#?(\w+)|(?:^|\s)#(\d+)\b").expect("valid regex")
});

/// A parsed `# noqa` directive inside one comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noqa {
    /// Byte range of the whole comment in the file.
    pub comment: Range<usize>,
    /// Byte range of the directive (`# noqa...` to the end of the comment).
    pub directive: Range<usize>,
    /// Codes with their byte ranges; `None` for a bare (blanket) `# noqa`.
    pub codes: Option<Vec<(String, Range<usize>)>>,
    /// Range covering the code list, for rewriting it.
    pub codes_range: Option<Range<usize>>,
    /// The reason after ` -- `, trimmed.
    pub reason: Option<String>,
    /// Date from an `EXCEPTION-YYYYMMDD` tag.
    pub start: Option<Date>,
    /// Date from `until=YYYY-MM-DD`.
    pub until: Option<Date>,
    /// Issue reference from the reason (`ISSUE-1234`, `issue=1234`, `#1234`).
    pub issue: Option<String>,
    /// A date in the comment that does not parse.
    pub bad_date: Option<(String, String)>,
}

/// Parses the comment `text` found at byte `offset` of its file.
pub fn parse(text: &str, offset: usize) -> Option<Noqa> {
    let m = NOQA.captures(text)?;
    let whole = m.get(0)?;
    let (codes, codes_range) = match m.name("codes") {
        Some(c) => {
            let list = CODE
                .find_iter(c.as_str())
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        offset + c.start() + x.start()..offset + c.start() + x.end(),
                    )
                })
                .collect();
            (Some(list), Some(offset + c.start()..offset + c.end()))
        }
        None => (None, None),
    };
    let rest = &text[whole.end()..];
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
    Some(Noqa {
        comment: offset..offset + text.len(),
        directive: offset + whole.start()..offset + text.len(),
        codes,
        codes_range,
        reason,
        start,
        until,
        issue,
        bad_date,
    })
}

impl Noqa {
    /// Whether the directive covers `rule`.
    pub fn covers(&self, rule: &str) -> bool {
        match &self.codes {
            None => true,
            Some(codes) => codes.iter().any(|(c, _)| c == rule),
        }
    }

    /// The expiry for a rule with TTL `ttl_days`: `until=` wins, else tag + TTL.
    pub fn expiry(&self, ttl_days: Option<u32>) -> Option<Date> {
        self.until
            .or_else(|| Some(dates::add_days(self.start?, i64::from(ttl_days?))))
    }

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_spacing() {
        for (text, codes) in [
            ("# noqa: E402", vec!["E402"]),
            ("#noqa:E402", vec!["E402"]),
            ("# NOQA : E402,RUN001", vec!["E402", "RUN001"]),
            ("# noqa: E402, RUN001 -- why", vec!["E402", "RUN001"]),
            ("# noqa:E402 RUN001", vec!["E402", "RUN001"]),
            ("# type: ignore  # noqa: E402", vec!["E402"]),
        ] {
            let n = parse(text, 0).unwrap();
            let got: Vec<&str> = n
                .codes
                .as_ref()
                .unwrap()
                .iter()
                .map(|c| c.0.as_str())
                .collect();
            assert_eq!(got, codes, "{text}");
        }
        assert_eq!(parse("# noqa", 0).unwrap().codes, None);
        assert_eq!(parse("# noqa -- all of it", 0).unwrap().codes, None);
        assert!(parse("# no qa", 0).is_none());
    }

    #[test]
    fn reason_tags_and_dates() {
        let n = parse(
            "# noqa: E402 -- plugin bootstrap, ISSUE-1234 EXCEPTION-20260101",
            10,
        )
        .unwrap();
        assert_eq!(
            n.reason.as_deref(),
            Some("plugin bootstrap, ISSUE-1234 EXCEPTION-20260101")
        );
        assert_eq!(n.issue.as_deref(), Some("1234"));
        assert_eq!(n.start, Some(Date::new(2026, 1, 1).unwrap()));
        assert_eq!(n.expiry(Some(90)), Some(Date::new(2026, 4, 1).unwrap()));
        assert_eq!(n.codes.as_ref().unwrap()[0].1, 18..22);

        let n = parse("# noqa: E402 -- x until=2026-06-30 see #77", 0).unwrap();
        assert_eq!(n.until, Some(Date::new(2026, 6, 30).unwrap()));
        assert_eq!(n.expiry(Some(90)), n.until);
        assert_eq!(n.issue.as_deref(), Some("77"));

        let n = parse("# noqa: E402 -- x until=2025-02-30", 0).unwrap();
        assert!(n.bad_date.unwrap().1.contains("not a real"));
        assert_eq!(parse("# noqa: E402", 0).unwrap().reason, None);
        assert_eq!(parse("# noqa: E402 --   ", 0).unwrap().reason, None);
        assert_eq!(
            parse("# noqa: E402 -- r", 0).unwrap().expiry(Some(90)),
            None
        );
    }
}
