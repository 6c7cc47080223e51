//! Table-driven: each comment with what ruff 0.17.5 reads in it (checked
//! against the real ruff by scripts/suppression-parity.sh).

use super::*;

/// (comment, directives as "SCOPE:CODES" with `*` for blanket, malformed count)
const CASES: &[(&str, &[&str], usize)] = &[
    ("# noqa", &["Line:*"], 0),
    ("# NOQA", &["Line:*"], 0),
    ("# nOqA", &["Line:*"], 0),
    ("#noqa", &["Line:*"], 0),
    ("# noqa -- all of it", &["Line:*"], 0),
    ("# noqa: E402", &["Line:E402"], 0),
    ("# NoQA: E402", &["Line:E402"], 0),
    ("#noqa:E402,F401", &["Line:E402,F401"], 0),
    ("# noqa: E402F401", &["Line:E402,F401"], 0),
    ("# noqa: F401 E402", &["Line:F401,E402"], 0),
    ("# noqa: F401,,E402", &["Line:F401,E402"], 0),
    ("# noqa E402", &["Line:*"], 0),
    ("# noqa : E402", &["Line:E402"], 0),
    ("# noqa: E402 -- why", &["Line:E402"], 0),
    ("# noqa: E402 py3", &["Line:E402"], 0),
    ("# noqa: E402#F401", &["Line:E402"], 0),
    ("# noqa: E402 : F401", &["Line:E402"], 0),
    ("# noqa: E402, e501", &["Line:E402"], 0),
    ("# noqa:E402 EXCEPTION-20250101", &["Line:E402"], 0),
    ("# type: ignore # noqa: E402", &["Line:E402"], 0),
    ("## noqa: E402", &["Line:E402"], 0),
    ("# noqa # noqa: F401", &["Line:*"], 0),
    ("# noqa: F401 # noqa: E402", &["Line:F401"], 0),
    ("# noqa;E402", &[], 1),
    ("# noqaE402", &[], 1),
    ("# noqa-E402", &[], 1),
    ("# noqa:", &[], 1),
    ("# noqa: E", &[], 1),
    ("# noqa: E4", &["Line:E4"], 0),
    ("# noqa: py3, E402", &[], 1),
    ("# noqa: module-import-not-at-top-of-file", &[], 1),
    ("# noqa: E402.F401", &[], 1),
    ("# noqa: E402: reason", &[], 1),
    ("# noqa: E402(reason)", &[], 1),
    ("# noqa:E402:", &[], 1),
    ("# noqa: RUF001F", &[], 1),
    ("# ruff: noqa", &["File:*"], 0),
    ("# ruff: noqa: E402", &["File:E402"], 0),
    ("#ruff:noqa:E402", &["File:E402"], 0),
    ("# ruff : noqa", &["File:*"], 0),
    ("# ruff: NOQA", &["File:*"], 0),
    ("# ruff: noqa E402", &["File:*"], 0),
    ("# ruff: noqa -- legacy", &["File:*"], 0),
    ("# flake8: noqa", &["File:*"], 0),
    ("# flake8: noqa: E402", &["File:E402"], 0),
    ("# Ruff: noqa", &[], 0),
    ("# FLAKE8: noqa", &[], 0),
    ("# ruff: noqa:", &[], 1),
    ("# ruff: ignore[E402]", &["Ignore:E402"], 0),
    ("# ruff:ignore[E402]", &["Ignore:E402"], 0),
    ("#ruff: ignore [E402]", &["Ignore:E402"], 0),
    ("# ruff : ignore[E402]", &["Ignore:E402"], 0),
    ("# ruff: ignore[E402, F401]", &["Ignore:E402,F401"], 0),
    ("# ruff: ignore[E402,]", &["Ignore:E402"], 0),
    ("# ruff: ignore[E402] -- reason", &["Ignore:E402"], 0),
    ("# comment # ruff: ignore[E402]", &["Ignore:E402"], 0),
    ("# ruff: ignore[E402 F401]", &[], 1),
    ("# ruff: ignore[]", &[], 1),
    ("# ruff: ignore", &[], 1),
    ("# ruff: ignore[E402", &[], 1),
    ("# ruff: Ignore[E402]", &[], 1),
    ("# RUFF: ignore[E402]", &[], 0),
    ("# ruff: file-ignore[E402]", &["FileIgnore:E402"], 0),
    ("# ruff: disable[E402]", &["Disable:E402"], 0),
    ("# ruff: disable [E402]", &["Disable:E402"], 0),
    ("# ruff: enable[E402]", &["Enable:E402"], 0),
    ("# ruff: isort: skip", &[], 0),
    ("# just a comment", &[], 0),
];

fn show(d: &Directive) -> String {
    let codes = match &d.codes {
        None => "*".to_string(),
        Some(c) => c
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(","),
    };
    format!("{:?}:{codes}", d.scope)
}

#[test]
fn ruff_reads_these_directives() {
    for (text, want, bad) in CASES {
        let (found, malformed) = parse_comment(text, 0);
        let got: Vec<String> = found.iter().map(show).collect();
        assert_eq!(got, *want, "{text}");
        assert_eq!(malformed.len(), *bad, "{text}: {malformed:?}");
    }
}

#[test]
fn code_ranges_point_at_the_codes() {
    let text = "x = 1  # noqa: E402F401, RUN001 -- why";
    let (found, _) = parse_comment(&text[7..], 7);
    for (code, range) in found[0].codes.as_ref().unwrap() {
        assert_eq!(&text[range.clone()], code);
    }
    let text = "# ruff: ignore[E402, F401]  -- why";
    let (found, _) = parse_comment(text, 0);
    for (code, range) in found[0].codes.as_ref().unwrap() {
        assert_eq!(&text[range.clone()], code);
    }
    assert_eq!(found[0].policy.reason.as_deref(), Some("why"));
}

#[test]
fn reason_tags_and_dates() {
    let (found, _) = parse_comment(
        "# noqa: E402 -- plugin bootstrap, ISSUE-1234 EXCEPTION-20260101",
        10,
    );
    let d = &found[0];
    assert_eq!(
        d.policy.reason.as_deref(),
        Some("plugin bootstrap, ISSUE-1234 EXCEPTION-20260101")
    );
    assert_eq!(d.policy.issue.as_deref(), Some("1234"));
    assert_eq!(d.policy.start, Some(Date::new(2026, 1, 1).unwrap()));
    assert_eq!(
        d.policy.expiry(Some(90)),
        Some(Date::new(2026, 4, 1).unwrap())
    );
    assert_eq!(d.codes.as_ref().unwrap()[0].1, 18..22);

    let (found, _) = parse_comment("# ruff: noqa: E402 -- x until=2026-06-30 see #77", 0);
    let p = &found[0].policy;
    assert_eq!(p.until, Some(Date::new(2026, 6, 30).unwrap()));
    assert_eq!(p.issue.as_deref(), Some("77"));

    let (found, _) = parse_comment("# ruff: disable[E402] -- x until=2025-02-30", 0);
    assert!(
        found[0]
            .policy
            .bad_date
            .as_ref()
            .unwrap()
            .1
            .contains("not a real")
    );
    let (found, _) = parse_comment("# noqa: E402 --   ", 0);
    assert_eq!(found[0].policy.reason, None);
}

#[test]
fn spellings_for_messages() {
    let one = |t: &str| parse_comment(t, 0).0.remove(0).spelling();
    assert_eq!(one("#NOQA"), "# noqa");
    assert_eq!(one("# noqa:E402,F401"), "# noqa: E402, F401");
    assert_eq!(one("# ruff:ignore[E402]"), "# ruff: ignore[E402]");
}
