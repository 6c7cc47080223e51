//! `rulegate rename pkg.mod.Old --to New [--alias]`: the plan and its gate
//! (default), the rename as a diff (`--diff`), or the rename itself
//! (`--apply`, one transaction, guarded by the gate unless `--force
//! --reason TEXT`; a refusal cannot be forced). The flags mirror `promote`.

use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::promote::{GateFormat, refusal, rolled_back};
use super::{ConfigArgs, emit, open_run};
use crate::promote::symbol::{self, Applied, SymbolPlan};
use crate::promote::txn::Journal;
use crate::promote::{Gate, symbol_report};
use crate::run::Run;

/// Options of `rulegate rename`.
#[derive(Debug, Args)]
pub(crate) struct RenameArgs {
    /// The class or function, by its qualified name (`pkg.mod.Old`).
    target: String,
    /// Its new name (`New`, or `pkg.mod.New`: it stays in its module).
    #[arg(long, value_name = "NEW")]
    to: String,
    /// Keep `Old` answering for one release: the module gets a PEP 562
    /// `__getattr__` that returns `New` with a DeprecationWarning.
    #[arg(long)]
    alias: bool,
    /// Report format of the plan.
    #[arg(long, value_enum, default_value = "md")]
    format: GateFormat,
    /// Print every change the rename would make as a unified diff.
    #[arg(long, conflicts_with = "apply")]
    diff: bool,
    /// Rewrite every reference, in one transaction; refused when the gate
    /// is blocked (exit 1) unless --force.
    #[arg(long)]
    apply: bool,
    /// With --apply: apply even when the gate is blocked (needs --reason);
    /// never what the plan refuses.
    #[arg(long, requires = "reason", requires = "apply")]
    force: bool,
    /// Why a blocked gate is overridden (recorded in the audit log).
    #[arg(long, value_name = "TEXT", requires = "force")]
    reason: Option<String>,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs `rulegate rename`: exit 0 when the gate passes (or the rename was
/// made), 1 when it is blocked or refused, 2 on error.
pub(crate) fn run(args: RenameArgs) -> Result<ExitCode> {
    let run = open_run(&args.config, None, None, &[], &[])?;
    let plan = symbol::plan(&run, &args.target, &args.to, args.alias).map_err(refusal)?;
    let ws = crate::promote::apply_in_memory(&run, &plan.promotion).map_err(|e| miette!("{e}"))?;
    if args.diff {
        emit(&None, &crate::report::diffs(&ws.changed()), "")?;
        return Ok(ExitCode::SUCCESS);
    }
    let gate = symbol::gate(&run, &ws, &plan.old, &plan.new);
    if !args.apply {
        print(&run, &plan, &gate, args.format)?;
        return Ok(exit(plan.blocked(&gate)));
    }
    let label = format!("rename {} --to {}", args.target, args.to);
    let mut journal = Journal::begin(&run.config.root, &label).map_err(|e| miette!("{e}"))?;
    let reason = args.force.then_some(args.reason.as_deref()).flatten();
    match symbol::apply(&run, &plan, &ws, &gate, reason, &mut journal) {
        Err(e) => Err(rolled_back(journal, e)),
        Ok(Applied::Blocked) => {
            journal.rollback().map_err(|e| miette!("{e}"))?;
            print(&run, &plan, &gate, args.format)?;
            eprintln!(
                "error: the rename is {}; nothing was changed ({})",
                symbol_report::verdict(&plan, &gate),
                if plan.refused() {
                    "a refusal cannot be forced: resolve what it lists"
                } else {
                    "fix what it lists, or override with --force --reason TEXT"
                }
            );
            Ok(ExitCode::from(1))
        }
        Ok(Applied::Done(rewritten)) => {
            journal.finish().map_err(|e| miette!("{e}"))?;
            eprintln!(
                "Renamed `{}` to `{}`: {} file(s) rewritten{}.",
                plan.target(),
                plan.new,
                rewritten.len(),
                if plan.alias {
                    ", a deprecated alias kept"
                } else {
                    ""
                }
            );
            if let Some(reason) = reason.filter(|_| plan.blocked(&gate)) {
                eprintln!("warning: the gate was blocked; applied with --force (reason: {reason})");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn exit(blocked: bool) -> ExitCode {
    if blocked {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the plan in `format`.
fn print(run: &Run, plan: &SymbolPlan, gate: &Gate, format: GateFormat) -> Result<()> {
    let out = match format {
        GateFormat::Md => symbol_report::markdown(plan, gate),
        GateFormat::Json => symbol_report::json(
            plan,
            gate,
            &crate::report::EditPlaces::from_root(&run.config.root),
        ),
    };
    emit(&None, &out, "")
}
