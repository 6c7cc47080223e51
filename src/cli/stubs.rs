//! `rulegate stubs --from-pytest LOG`: turn the `cannot import name` errors of
//! a `pytest --collect-only` log into the same stub fixes STUB001 makes, and
//! its `ModuleNotFoundError`s into the bridges STUB003 makes, for what static
//! analysis could not see (SPEC §4.5, §4.7).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::{ConfigArgs, emit, open_run};
use crate::fix::workspace::Workspace;
use crate::{report, stubs};

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

/// Runs `rulegate stubs`.
pub(crate) fn run(args: StubsArgs) -> Result<ExitCode> {
    let log = crate::source::read_utf8(&args.from_pytest)
        .map_err(|e| miette!("cannot read {}: {e}", args.from_pytest.display()))?;
    let run = open_run(&args.config, None, None, &[], &[])?;
    let templates = stubs::templates(&run).ok_or_else(|| {
        miette!(
            help = "builtin:t4's STUB001 has them; check `packs` and `[rules.STUB001]`",
            "no active rule has stub templates (`analyzer = \"missing-export\"` with `[rule.options.stubs]`)"
        )
    })?;
    let mut ws = Workspace::new(run.config.root.clone());
    // Missing modules first: a bridge may be the module a name is missing from.
    let bridged = stubs::add_bridges(&run, templates, stubs::parse_missing_modules(&log), &mut ws);
    let mut done = stubs::add_stubs(&run, templates, stubs::parse_log(&log), &mut ws);
    done.notes.splice(0..0, bridged.notes);
    let (changed, errors) = if args.fix {
        ws.write()
    } else {
        (ws.changed(), Vec::new())
    };
    let out = if args.fix {
        String::new()
    } else {
        report::diffs(&changed)
    };
    let verb = if args.fix { "Added" } else { "Would add" };
    let mut notes: String = done.notes.iter().map(|n| format!("{n}\n")).collect();
    notes.push_str(&format!(
        "{verb} {} bridge module(s) and {} stub(s); {} file(s) changed.\n",
        bridged.added,
        done.added,
        changed.len()
    ));
    for (_, e) in &errors {
        notes.push_str(&format!("error: {e}\n"));
    }
    emit(&None, &out, &notes)?;
    Ok(if !args.fix && !changed.is_empty() || !errors.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
