use super::*;
use crate::parse::Worker;

fn date(s: &str) -> Date {
    crate::dates::parse_iso(s).unwrap()
}

/// `text` after suppressing `codes` for a finding on (0-based) `line`.
fn write(
    text: &str,
    line: usize,
    codes: &[&str],
    reason: Option<&str>,
    until: Option<Date>,
) -> Result<String, Refusal> {
    Ok(match noqa_edit(text, line, codes, reason, until)? {
        Some(e) => format!(
            "{}{}{}",
            &text[..e.range.start],
            e.content,
            &text[e.range.end..]
        ),
        None => text.to_string(),
    })
}

/// The codes, reason and expiry rulegate reads on (0-based) `line` of `text`.
fn read_back(text: &str, line: usize) -> (Vec<String>, Option<String>, Option<Date>) {
    let tree = Worker::new().parse(text).unwrap();
    let (found, bad) = super::super::find_directives(text, &tree);
    assert!(bad.is_empty(), "{bad:?}");
    let lines = Lines::new(text, &tree);
    let d = found
        .into_iter()
        .find(|d| d.scope == Scope::Line && lines.line_of(d.range.start) == line)
        .expect("a directive on the line");
    let codes = d.codes.unwrap().into_iter().map(|(c, _)| c).collect();
    (codes, d.policy.reason, d.policy.until)
}

#[test]
fn appends_a_directive_with_reason_and_expiry() {
    let text = "x = 1\nimport os   \nimport re\n";
    let out = write(
        text,
        1,
        &["E402"],
        Some("bootstrap"),
        Some(date("2027-01-01")),
    )
    .unwrap();
    assert_eq!(
        out,
        "x = 1\nimport os  # noqa: E402 -- bootstrap until=2027-01-01\nimport re\n"
    );
    let (codes, reason, until) = read_back(&out, 1);
    assert_eq!(codes, ["E402"]);
    assert_eq!(reason.as_deref(), Some("bootstrap until=2027-01-01"));
    assert_eq!(until, Some(date("2027-01-01")));
    // Without a reason, as ruff writes it.
    let out = write(text, 2, &["F401", "E402"], None, None).unwrap();
    assert!(out.ends_with("import re  # noqa: E402, F401\n"), "{out}");
}

#[test]
fn merges_codes_into_the_directive_on_the_line() {
    let text = "import os  # noqa: F401 -- old reason until=2027-06-01\n";
    // The given reason wins; the earlier expiry wins.
    let out = write(text, 0, &["E402"], Some("new"), Some(date("2027-03-01"))).unwrap();
    assert_eq!(
        out,
        "import os  # noqa: F401, E402 -- new until=2027-03-01\n"
    );
    // No reason given: the line's stays; a later expiry does not extend it.
    let out = write(text, 0, &["E402"], None, Some(date("2028-01-01"))).unwrap();
    assert_eq!(
        out,
        "import os  # noqa: F401, E402 -- old reason until=2027-06-01\n"
    );
    let (codes, reason, until) = read_back(&out, 0);
    assert_eq!(codes, ["F401", "E402"]);
    assert_eq!(reason.as_deref(), Some("old reason until=2027-06-01"));
    assert_eq!(until, Some(date("2027-06-01")));
}

#[test]
fn merging_keeps_a_ttl_tag_and_a_later_comment() {
    let text = "import os  # noqa: F401 -- plugin EXCEPTION-20260101  # type: ignore\n";
    let out = write(text, 0, &["E402"], Some("bootstrap"), None).unwrap();
    assert_eq!(
        out,
        "import os  # noqa: F401, E402 -- bootstrap EXCEPTION-20260101  # type: ignore\n"
    );
    // A comment that is not a directive stays in front.
    let text = "import os  # type: ignore\n";
    let out = write(text, 0, &["E402"], None, None).unwrap();
    assert_eq!(out, "import os  # type: ignore  # noqa: E402\n");
    assert_eq!(read_back(&out, 0).0, ["E402"]);
}

#[test]
fn a_second_write_changes_nothing() {
    let text = "x = 1\nimport os\n";
    let once = write(text, 1, &["E402"], Some("r"), Some(date("2027-01-01"))).unwrap();
    let twice = write(&once, 1, &["E402"], Some("r"), Some(date("2027-01-01"))).unwrap();
    assert_eq!(once, twice);
    assert_eq!(
        noqa_edit(&once, 1, &["E402"], Some("r"), Some(date("2027-01-01"))),
        Ok(None)
    );
}

#[test]
fn multi_line_strings_and_continuations_take_the_last_line() {
    let text = "x = 1\nimport os; y = '''a\nb\n'''\nz = 2\n";
    for line in [1, 2, 3] {
        let out = write(text, line, &["E402"], None, None).unwrap();
        assert_eq!(
            out, "x = 1\nimport os; y = '''a\nb\n'''  # noqa: E402\nz = 2\n",
            "finding on line {line}"
        );
    }
    let text = "x = 1\nimport os, \\\n    re\n";
    let out = write(text, 1, &["E402"], None, None).unwrap();
    assert_eq!(out, "x = 1\nimport os, \\\n    re  # noqa: E402\n");
}

#[test]
fn never_edits_inside_a_string_after_a_backslash_or_a_shebang() {
    // A plain string continued with a backslash: its first line ends inside it.
    let text = "s = 'a\\\nb'\n";
    assert_eq!(
        write(text, 0, &["TEAM001"], None, None),
        Err(Refusal::InString)
    );
    assert_eq!(
        write("#!/usr/bin/env python\n", 0, &["X001"], None, None),
        Err(Refusal::Shebang)
    );
    assert_eq!(
        write("import os  # noqa\n", 0, &["E402"], None, None),
        Err(Refusal::Blanket("E402".into()))
    );
    assert_eq!(
        write("x = 1\n", 0, &["team-rule"], None, None),
        Err(Refusal::NotACode("team-rule".into()))
    );
    // A malformed directive would be read first: the new one would not be.
    assert!(matches!(
        write("import os  # noqa:E\n", 0, &["E402"], None, None),
        Err(Refusal::Unreadable(_))
    ));
    assert!(matches!(
        write(
            "import os  # noqa: F401 until=2026-02-30\n",
            0,
            &["E402"],
            None,
            None
        ),
        Err(Refusal::BadDate(_))
    ));
    assert_eq!(
        write("x = 1\n", 0, &["E402"], Some("a\nb"), None),
        Err(Refusal::MultilineReason)
    );
}

#[test]
fn crlf_lines_keep_their_ending() {
    let text = "x = 1\r\nimport os\r\nimport re  # noqa: F401\r\n";
    let out = write(text, 1, &["E402"], Some("r"), None).unwrap();
    let out = write(&out, 2, &["E402"], Some("r"), None).unwrap();
    assert_eq!(
        out,
        "x = 1\r\nimport os  # noqa: E402 -- r\r\nimport re  # noqa: F401, E402 -- r\r\n"
    );
}
