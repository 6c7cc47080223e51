//! `rulegate promote SRC --to DST`: the promotion gate (default), the
//! move as a diff (`--diff`), or the move itself (`--apply`, `--shim`).

use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::{ConfigArgs, emit, open_run};
use crate::promote::{self, report};

/// Report formats of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum GateFormat {
    /// A Markdown checklist for the pull request.
    Md,
    /// JSON.
    Json,
}

/// Options of `rulegate promote`.
#[derive(Debug, Args)]
pub(crate) struct PromoteArgs {
    /// The module or package to promote (`candidate.x`, or a path).
    src: String,
    /// Where it goes (`core.x`, or a path).
    #[arg(long, value_name = "DST")]
    to: String,
    /// Report format of the gate.
    #[arg(long, value_enum, default_value = "md")]
    format: GateFormat,
    /// Print every change the move would make as a unified diff.
    #[arg(long, conflicts_with = "apply")]
    diff: bool,
    /// Move the files and rewrite every reference.
    #[arg(long)]
    apply: bool,
    /// With --apply or --diff: leave at SRC a module that re-exports DST
    /// and warns (DeprecationWarning).
    #[arg(long)]
    shim: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs `rulegate promote`: exit 0 when the gate passes (or the move was
/// made), 1 when the gate is blocked, 2 on error.
pub(crate) fn run(args: PromoteArgs) -> Result<ExitCode> {
    let run = open_run(&args.config, None, None, &[], &[])?;
    let plan = promote::plan(&run, &args.src, &args.to).map_err(|e| {
        miette!(
            help = "SRC is a module or package of this repository; DST a free name whose parent package exists",
            "{e}"
        )
    })?;
    let ws = promote::apply_in_memory(&run, &plan).map_err(|e| miette!("{e}"))?;
    if args.diff || args.apply {
        let mut changed = ws.changed();
        if args.shim {
            changed.push(promote::shim(&plan));
        }
        if args.diff {
            emit(&None, &crate::report::diffs(&changed), "")?;
            return Ok(ExitCode::SUCCESS);
        }
        let (written, errors) = ws.write();
        for (path, e) in &errors {
            eprintln!("error: {path}: {e}");
        }
        if !errors.is_empty() {
            return Ok(ExitCode::from(2));
        }
        promote::finish_move(&run, &plan, args.shim).map_err(|e| miette!("{e}"))?;
        eprintln!(
            "Moved `{}` to `{}`: {} file(s) moved, {} file(s) rewritten{}.",
            plan.rename.src,
            plan.rename.dst,
            plan.files.iter().filter(|f| f.moved_to.is_some()).count(),
            written.iter().filter(|c| c.moved_from.is_none()).count(),
            if args.shim {
                ", a shim left at the old place"
            } else {
                ""
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let gate = promote::gate(&run, &plan, &ws);
    let out = match args.format {
        GateFormat::Md => report::markdown(&plan, &gate),
        GateFormat::Json => report::json(
            &plan,
            &gate,
            &crate::report::EditPlaces::from_root(&run.config.root),
        ),
    };
    emit(&None, &out, "")?;
    Ok(if gate.blocked() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
