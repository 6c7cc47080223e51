//! A lint run holds each finding once, and no file's text unless its
//! report shows it; reports print the same from what it keeps. (Its own
//! test binary: the library's tests count parses process-wide.)

use rulegate::lint::{LintOptions, LintRun, lint};
use rulegate::report::Format;
use rulegate::run::Run;

#[test]
fn a_report_places_edits_the_same_without_the_sources() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("rulegate.toml"),
        "[lanes.production]\npaths = [\"**\"]\n",
    )
    .unwrap();
    // Non-ASCII text before the edits: columns are not byte offsets.
    std::fs::write(
        d.join("a.py"),
        "\"\"\"Dé.\"\"\"\nimport os\nx = 'é'  # TODO fix this\nimport sys\n",
    )
    .unwrap();
    let run = Run::load(None, d, &[], &[], rulegate::Date::constant(2026, 1, 1)).unwrap();
    let lint_with = |report_sources| {
        let opts = LintOptions {
            paths: vec![d.to_path_buf()],
            report_sources,
            ..Default::default()
        };
        lint(&run, &opts).unwrap()
    };
    let (kept, dropped) = (lint_with(true), lint_with(false));
    assert!(kept.files.iter().any(|f| f.source.is_some()));
    assert!(dropped.files.iter().all(|f| f.source.is_none()));
    assert!(dropped.findings.iter().filter(|f| f.fix.is_some()).count() >= 2);
    // Findings and records moved to the run: held once.
    assert!(dropped.files.iter().all(|f| f.findings.is_empty()));
    let json =
        |r: &LintRun| rulegate::report::render(r, Format::Json, false, &[], &run.rules, false);
    let before = json(&kept);
    assert_eq!(before, json(&dropped));
    // The places come from the run, not from a second read of the file.
    std::fs::remove_file(d.join("a.py")).unwrap();
    assert_eq!(before, json(&dropped));
}
