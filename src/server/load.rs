//! Loading the run for the workspace without letting a broken file blind
//! the editor: a pack with errors is left out and the others lint; a broken
//! config gives way to the last good one (or, at start-up, to the built-in
//! defaults). Every load error becomes a diagnostic at its span in its file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{Diagnostic, DiagnosticSeverity, Range};

use super::convert::Positions;
use crate::config::Config;
use crate::dates::Date;
use crate::run::Run;
use crate::script::ScriptHost;
use crate::source::LineIndex;

/// What a load produced.
pub(super) struct Loaded {
    /// The run to lint with.
    pub run: Arc<Run>,
    /// The config it was loaded from, when that config is the project's own
    /// (not a fallback): the next load falls back to it.
    pub good_config: Option<Config>,
    /// Diagnostics of the broken files, by path.
    pub diagnostics: Vec<(PathBuf, Vec<Diagnostic>)>,
    /// Problems with no place in a file, and what the server does instead:
    /// shown to the user as a message.
    pub messages: Vec<String>,
}

/// Loads the config found from `root` and its packs.
pub(super) fn load(root: &Path, today: Date, last_good: Option<&Config>) -> Loaded {
    let mut diagnostics: Vec<(PathBuf, Vec<Diagnostic>)> = Vec::new();
    let mut messages = Vec::new();
    let (config, good_config) = match Config::discover(root) {
        Ok(c) => (c.clone(), Some(c)),
        Err(report) => {
            let (fallback, instead) = match last_good {
                Some(c) => (c.clone(), "rulegate lints with the last good configuration"),
                None => (
                    Config::default_for(root.to_path_buf()),
                    "rulegate lints with the built-in defaults",
                ),
            };
            let note = format!("{instead} until it is fixed");
            let before = diagnostics.len();
            add_errors(
                report.as_ref(),
                root,
                &format!(" ({note})"),
                &mut diagnostics,
                &mut messages,
            );
            if diagnostics.len() == before {
                messages.push(format!("the configuration has errors; {note}"));
            } else {
                messages.push(format!("{} has errors; {note}", crate::config::CONFIG_FILE));
            }
            (fallback, None)
        }
    };
    let host = ScriptHost::new();
    // The editor keeps no cache folder: every query is compiled to be validated.
    let (mut rules, errors) = crate::packs::load_rules_tolerant(&config, &host);
    rules.apply_schedules(today);
    if !errors.is_empty() {
        let mut broken: Vec<String> = Vec::new();
        for e in &errors {
            add_errors(e, root, "", &mut diagnostics, &mut messages);
            let name = miette_source_name(e).unwrap_or_else(|| e.message().to_string());
            if !broken.contains(&name) {
                broken.push(name);
            }
        }
        messages.push(format!(
            "{} problem(s) in {}: rulegate lints with the packs that loaded",
            errors.len(),
            broken.join(", ")
        ));
    }
    let run = Run::new(config, Arc::new(rules), Arc::new(host), today);
    Loaded {
        run: Arc::new(run),
        good_config,
        diagnostics,
        messages,
    }
}

fn miette_source_name(e: &crate::error::SpannedError) -> Option<String> {
    use miette::Diagnostic as _;
    let src = e.source_code()?;
    let contents = src.read_span(&(0, 0).into(), 0, 0).ok()?;
    contents.name().map(str::to_string)
}

/// Adds the labelled spans of a load error (and of the errors it groups)
/// as diagnostics of their files; errors without a place become messages.
fn add_errors(
    top: &dyn miette::Diagnostic,
    root: &Path,
    suffix: &str,
    out: &mut Vec<(PathBuf, Vec<Diagnostic>)>,
    messages: &mut Vec<String>,
) {
    let mut diags: Vec<&dyn miette::Diagnostic> =
        top.related().map(|r| r.collect()).unwrap_or_default();
    if diags.is_empty() {
        diags.push(top);
    }
    for d in diags {
        let mut placed = false;
        if let (Some(src), Some(labels)) = (d.source_code(), d.labels()) {
            for label in labels {
                let end = label.offset() + label.len();
                // The text up to the label's end, from the start of the file.
                let Ok(contents) = src.read_span(&(0, end).into(), 0, 0) else {
                    continue;
                };
                let Some(name) = contents.name() else {
                    continue;
                };
                if name.starts_with(crate::packs::BUILTIN_PREFIX) {
                    continue;
                }
                let Ok(text) = std::str::from_utf8(contents.data()) else {
                    continue;
                };
                let index = LineIndex::new(text);
                let lines = Positions::new(text, &index);
                let start = lines.position(label.offset());
                let mut stop = lines.position(end);
                if stop == start {
                    stop.character += 1;
                }
                let message = match label.label() {
                    Some(l) => format!("{d}: {l}{suffix}"),
                    None => format!("{d}{suffix}"),
                };
                let diagnostic = Diagnostic {
                    range: Range::new(start, stop),
                    severity: Some(DiagnosticSeverity::ERROR),
                    source: Some("rulegate".into()),
                    message,
                    ..Default::default()
                };
                let path = root.join(name);
                match out.iter_mut().find(|(p, _)| *p == path) {
                    Some((_, v)) => v.push(diagnostic),
                    None => out.push((path, vec![diagnostic])),
                }
                placed = true;
            }
        }
        if !placed {
            messages.push(format!("{d}{suffix}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACK: &str = "[pack]\nname = \"team\"\n[[rule]]\nid = \"TEAM001\"\nseverity = \"warning\"\nmessage = \"no print\"\nquery = '(call function: (identifier) @f) @call'\nwhere.f.in = [\"print\"]\n";

    fn project(config: &str, pack: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rulegate.toml"), config).unwrap();
        std::fs::write(dir.path().join("team.toml"), pack).unwrap();
        dir
    }

    fn today() -> Date {
        crate::dates::parse_iso("2026-01-01").unwrap()
    }

    #[test]
    fn a_broken_pack_is_left_out_and_the_others_load() {
        let dir = project(
            "packs = [\"builtin:t4\", \"team.toml\"]\n[rules.TEAM001]\nseverity = \"error\"\n",
            &PACK.replace("\"warning\"", "\"fatal\""),
        );
        let loaded = load(dir.path(), today(), None);
        assert!(loaded.run.rules.get("E402").is_some());
        assert!(loaded.run.rules.get("TEAM001").is_none());
        assert!(loaded.good_config.is_some());
        // One diagnostic, in the pack, on the severity's line (0-based 4);
        // the override of TEAM001 is not called unknown meanwhile.
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        let (path, diags) = &loaded.diagnostics[0];
        assert!(path.ends_with("team.toml"));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].range.start.line, 4);
        assert!(
            loaded
                .messages
                .iter()
                .any(|m| m.contains("packs that loaded"))
        );
    }

    #[test]
    fn a_broken_config_falls_back_to_the_last_good_one_or_the_defaults() {
        let dir = project("packs = [\"builtin:t4\", \"team.toml\"]\n", PACK);
        let good = load(dir.path(), today(), None);
        assert!(good.run.rules.get("TEAM001").is_some());
        let good_config = good.good_config.unwrap();
        std::fs::write(
            dir.path().join("rulegate.toml"),
            "packs = [\"builtin:t4\", \"team.toml\"]\nbogus = 1\n",
        )
        .unwrap();
        let kept = load(dir.path(), today(), Some(&good_config));
        assert!(kept.good_config.is_none());
        assert!(kept.run.rules.get("TEAM001").is_some());
        let (path, diags) = &kept.diagnostics[0];
        assert!(path.ends_with("rulegate.toml"));
        assert_eq!(diags[0].range.start.line, 1);
        assert!(
            diags[0].message.contains("last good configuration"),
            "{diags:?}"
        );
        // At start-up: the built-in defaults (no team pack).
        let fresh = load(dir.path(), today(), None);
        assert!(fresh.run.rules.get("E402").is_some());
        assert!(fresh.run.rules.get("TEAM001").is_none());
        assert!(
            fresh.diagnostics[0].1[0]
                .message
                .contains("built-in defaults")
        );
    }
}
