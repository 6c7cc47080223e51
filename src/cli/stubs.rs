//! `rulegate stubs --from-pytest LOG`: turn the `cannot import name` errors of
//! a `pytest --collect-only` log into the same stub fixes STUB001 makes, for
//! what static analysis could not see (SPEC §4.5).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::{ConfigArgs, Session, emit};
use crate::analyzers::missing_export::{Missing, MissingExport, stub_edits};
use crate::fix::apply_edits;
use crate::fix::write::write_if_unchanged;
use crate::lint::ChangedFile;
use crate::report;
use crate::rule::Matcher;
use crate::source::SourceText;

/// Options of `rulegate stubs`.
#[derive(Debug, Args)]
pub(crate) struct StubsArgs {
    /// A `pytest --collect-only` log.
    #[arg(long, value_name = "FILE")]
    from_pytest: PathBuf,
    /// Write the stubs (default: print them as a diff and change nothing).
    #[arg(long)]
    fix: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

/// (name, module) pairs of `cannot import name 'X' from 'm'` lines, in order.
pub fn parse_log(log: &str) -> Vec<(String, String)> {
    let re = regex::Regex::new(r#"cannot import name ['"]([A-Za-z_][A-Za-z0-9_]*)['"] from ['"]([A-Za-z_][A-Za-z0-9_.]*)['"]"#)
        .expect("a valid regex");
    let mut out: Vec<(String, String)> = Vec::new();
    for c in re.captures_iter(log) {
        let pair = (c[1].to_string(), c[2].to_string());
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// Runs `rulegate stubs`.
pub(crate) fn run(args: StubsArgs) -> Result<ExitCode> {
    let log = std::fs::read_to_string(&args.from_pytest)
        .map_err(|e| miette!("cannot read {}: {e}", args.from_pytest.display()))?;
    let session = Session::open(&args.config, None, None, &[], &[])?;
    let analyzer = session
        .rules
        .rules
        .iter()
        .filter_map(|r| match &r.matcher {
            Matcher::Analyzer(a) => a.as_any()?.downcast_ref::<MissingExport>(),
            _ => None,
        })
        .find(|a| a.stubs().is_some())
        .ok_or_else(|| {
            miette!(
                help = "builtin:t4's STUB001 has them; check `packs` and `[rules.STUB001]`",
                "no active rule has stub templates (`analyzer = \"missing-export\"` with `[rule.options.stubs]`)"
            )
        })?;
    let stubs = analyzer.stubs().expect("filtered above");
    let config = &session.config;
    let resolver = &config.modules;

    let mut texts: BTreeMap<String, (SourceText, Vec<u8>)> = BTreeMap::new();
    let mut current: BTreeMap<String, String> = BTreeMap::new();
    let mut notes = String::new();
    let mut added = 0;
    for (name, module) in parse_log(&log) {
        let Some(target) = resolver.resolve(&module) else {
            notes.push_str(&format!(
                "skipped `{name}` from `{module}`: not a module of this repository\n"
            ));
            continue;
        };
        if !current.contains_key(&target.rel) {
            let path = config.root.join(&target.rel);
            let Some(bytes) = std::fs::read(&path).ok() else {
                continue;
            };
            let Ok(src) = SourceText::decode(&bytes) else {
                continue;
            };
            current.insert(target.rel.clone(), src.text.to_string());
            texts.insert(target.rel.clone(), (src, bytes));
        }
        let text = current[&target.rel].clone();
        let overlay = |rel: &str| current.get(rel).map(String::as_str);
        let exported =
            config
                .symbols
                .exports(resolver, &overlay, &target.rel, &name, &mut Vec::new());
        if exported != Some(false) {
            let why = if exported.is_none() {
                "its names cannot be known"
            } else {
                "it already exports it"
            };
            notes.push_str(&format!("skipped `{name}` from `{module}`: {why}\n"));
            continue;
        }
        let m = Missing {
            name: name.clone(),
            module: module.clone(),
            target: target.rel.clone(),
            range: 0..0,
        };
        let Some(edits) = stub_edits(config, stubs, &m, &text, false) else {
            notes.push_str(&format!(
                "skipped `{name}` from `{module}`: {} does not parse\n",
                target.rel
            ));
            continue;
        };
        let edits: Vec<(std::ops::Range<usize>, &str)> =
            edits.iter().map(|(r, c)| (r.clone(), c.as_str())).collect();
        current.insert(target.rel.clone(), apply_edits(&text, &edits));
        added += 1;
    }

    let mut changed = Vec::new();
    let mut errors = String::new();
    for (rel, after) in &current {
        let (src, original) = &texts[rel];
        if *after == *src.text {
            continue;
        }
        let after = String::from_utf8_lossy(&src.encode(after)).into_owned();
        if args.fix
            && let Err(e) = write_if_unchanged(&config.root.join(rel), original, after.as_bytes())
        {
            errors.push_str(&format!("error: {e}\n"));
            continue;
        }
        changed.push(ChangedFile {
            rel: rel.clone(),
            before: String::from_utf8_lossy(original).into_owned(),
            after,
        });
    }
    let out = if args.fix {
        String::new()
    } else {
        report::diffs(&changed)
    };
    let verb = if args.fix { "Added" } else { "Would add" };
    notes.push_str(&format!(
        "{verb} {added} stub(s) to {} module(s).\n",
        changed.len()
    ));
    notes.push_str(&errors);
    emit(&None, &out, &notes)?;
    Ok(if !args.fix && !changed.is_empty() || !errors.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytest_import_errors_are_read() {
        let log = "ERROR collecting tests/test_a.py\n\
            ImportError while importing test module '/r/tests/test_a.py'.\n\
            E   ImportError: cannot import name 'AwarenessEngine' from 'lukhas.consciousness' (/r/lukhas/consciousness.py)\n\
            E   ImportError: cannot import name 'AwarenessEngine' from 'lukhas.consciousness' (/r/lukhas/consciousness.py)\n\
            E   ImportError: cannot import name \"MAX_DEPTH\" from \"lukhas.core\" (unknown location)\n";
        assert_eq!(
            parse_log(log),
            [
                (
                    "AwarenessEngine".to_string(),
                    "lukhas.consciousness".to_string()
                ),
                ("MAX_DEPTH".to_string(), "lukhas.core".to_string())
            ]
        );
    }
}
