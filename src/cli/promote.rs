//! `rulegate promote SRC --to DST`: the promotion gate (default), the
//! move as a diff (`--diff`), or the move itself (`--apply`, `--shim`,
//! guarded by the gate unless `--force --reason TEXT`); `--batch FILE` for
//! a batch of them (`cli/promote_batch.rs`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::{ConfigArgs, emit, open_run};
use crate::fix::workspace::ChangedFile;
use crate::promote::apply::{self, Outcome};
use crate::promote::txn::Journal;
use crate::promote::{self, Promotion, report};
use crate::run::Run;

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
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    src: Option<String>,
    /// Where it goes (`core.x`, or a path).
    #[arg(long, value_name = "DST", required_unless_present = "batch")]
    to: Option<String>,
    /// Report format of the gate (and of `--batch --status`).
    #[arg(long, value_enum, default_value = "md")]
    format: GateFormat,
    /// Print every change the move would make as a unified diff.
    #[arg(long, conflicts_with = "apply")]
    diff: bool,
    /// Move the files and rewrite every reference, in one transaction;
    /// refused when the gate is blocked (exit 1) unless --force.
    #[arg(long)]
    apply: bool,
    /// With --apply or --diff: leave at SRC a module that aliases DST (and
    /// every submodule, each loaded once) and warns (DeprecationWarning).
    #[arg(long)]
    shim: bool,
    /// With --apply: apply even when the gate is blocked (needs --reason).
    #[arg(long, requires = "reason", requires = "apply")]
    force: bool,
    /// Why a blocked gate is overridden (recorded in the audit log).
    #[arg(long, value_name = "TEXT", requires = "force")]
    reason: Option<String>,
    /// A batch file: `SRC<TAB>DST` rows.
    #[arg(long, value_name = "FILE")]
    pub(super) batch: Option<PathBuf>,
    /// With --batch: total, done, remaining and the next promotable row.
    #[arg(long, requires = "batch")]
    pub(super) status: bool,
    /// With --batch --apply: promote the next promotable row.
    #[arg(long, requires = "batch", conflicts_with = "all")]
    pub(super) next: bool,
    /// With --batch --apply: promote every row, in dependency order, in one
    /// transaction.
    #[arg(long, requires = "batch")]
    pub(super) all: bool,
    #[command(flatten)]
    pub(super) config: ConfigArgs,
}

impl PromoteArgs {
    /// How `--apply` applies.
    pub(super) fn options(&self) -> apply::Options<'_> {
        apply::Options {
            shim: self.shim,
            force_reason: self.force.then_some(self.reason.as_deref()).flatten(),
        }
    }

    pub(super) fn format(&self) -> GateFormat {
        self.format
    }

    pub(super) fn applies(&self) -> bool {
        self.apply
    }
}

/// Runs `rulegate promote`: exit 0 when the gate passes (or the move was
/// made), 1 when the gate is blocked, 2 on error.
pub(crate) fn run(args: PromoteArgs) -> Result<ExitCode> {
    if args.batch.is_some() {
        return super::promote_batch::run(&args);
    }
    let (src, dst) = (
        args.src.as_deref().unwrap_or_default(),
        args.to.as_deref().unwrap_or_default(),
    );
    let run = open_run(&args.config, None, None, &[], &[])?;
    if args.apply {
        return apply_one(&run, src, dst, &args);
    }
    let plan = promote::plan(&run, src, dst).map_err(refusal)?;
    let ws = promote::apply_in_memory(&run, &plan).map_err(|e| miette!("{e}"))?;
    if args.diff {
        let mut changed = ws.changed();
        changed.extend(raw_moves(&plan));
        if args.shim {
            let (rel, after) = promote::shim::shim(&plan);
            changed.push(ChangedFile {
                rel,
                before: String::new(),
                after,
                moved_from: None,
                created: true,
                deleted: false,
            });
        }
        emit(&None, &crate::report::diffs(&changed), "")?;
        return Ok(ExitCode::SUCCESS);
    }
    let gate = promote::gate(&run, &plan, &ws);
    print_gate(&run, &plan, &gate, args.format)?;
    Ok(if gate.blocked() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A refusal to plan, with what to do about it.
pub(super) fn refusal(e: promote::PromoteError) -> miette::Report {
    miette!(
        help = "SRC is a module or package of this repository; DST a free name whose parent package exists",
        "{e}"
    )
}

/// The files that move as bytes, as renames for `--diff`.
fn raw_moves(p: &Promotion) -> Vec<ChangedFile> {
    p.raw
        .iter()
        .map(|(from, to, _)| ChangedFile {
            rel: to.clone(),
            before: String::new(),
            after: String::new(),
            moved_from: Some(from.clone()),
            created: false,
            deleted: false,
        })
        .collect()
}

/// Prints the gate in `format`.
pub(super) fn print_gate(
    run: &Run,
    plan: &Promotion,
    gate: &promote::Gate,
    format: GateFormat,
) -> Result<()> {
    let out = match format {
        GateFormat::Md => report::markdown(plan, gate),
        GateFormat::Json => report::json(
            plan,
            gate,
            &crate::report::EditPlaces::from_root(&run.config.root),
        ),
    };
    emit(&None, &out, "")
}

/// `--apply` of one move: a blocked gate changes nothing (exit 1); a
/// failure rolls everything back (exit 2).
fn apply_one(run: &Run, src: &str, dst: &str, args: &PromoteArgs) -> Result<ExitCode> {
    let label = format!("promote {src} --to {dst}");
    let mut journal = Journal::begin(&run.config.root, &label).map_err(|e| miette!("{e}"))?;
    let outcome = apply::promote(run, src, dst, args.options(), &mut journal);
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return Err(rolled_back(journal, e)),
    };
    match outcome {
        Outcome::Blocked { promotion, gate } => {
            journal.rollback().map_err(|e| miette!("{e}"))?;
            print_gate(run, &promotion, &gate, args.format)?;
            eprintln!(
                "error: the gate is blocked; nothing was changed (fix what it lists, or override with --force --reason TEXT)"
            );
            Ok(ExitCode::from(1))
        }
        Outcome::Applied {
            promotion,
            gate,
            rewritten,
        } => {
            journal.finish().map_err(|e| miette!("{e}"))?;
            summary(&promotion, &gate, rewritten.len(), args);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Rolls `journal` back after `e` and reports both.
pub(super) fn rolled_back(journal: Journal, e: promote::PromoteError) -> miette::Report {
    let written = matches!(e, promote::PromoteError::Tx(_));
    match journal.rollback() {
        Ok(()) if !written => refusal(e),
        Ok(()) => miette!(
            help = "every file is as it was; fix the cause and run the move again",
            "{e}"
        ),
        Err(r) => miette!(
            help = "run rulegate again: it completes the rollback from the journal first",
            "{e}; and the rollback failed: {r}"
        ),
    }
}

/// The line that says what an applied move did.
pub(super) fn summary(p: &Promotion, gate: &promote::Gate, rewritten: usize, args: &PromoteArgs) {
    eprintln!(
        "Moved `{}` to `{}`: {} file(s) moved, {} file(s) rewritten{}.",
        p.rename.src,
        p.rename.dst,
        p.moved_count(),
        rewritten,
        if args.shim {
            ", a shim left at the old place"
        } else {
            ""
        }
    );
    if let Some(reason) = args.options().force_reason.filter(|_| gate.blocked()) {
        eprintln!("warning: the gate was blocked; applied with --force (reason: {reason})");
    }
}
