//! `rulegate promote --batch FILE`: `--status` (a dashboard), `--next
//! --apply` (the next promotable row) and `--all --apply` (every row in
//! dependency order, gate by gate, in one transaction: a blocked gate or a
//! failure rolls every row back).

use std::fmt::Write;
use std::process::ExitCode;

use miette::{Result, miette};
use serde_json::json;

use super::promote::{GateFormat, PromoteArgs, print_gate, rolled_back, summary};
use super::{emit, load_run, open_run};
use crate::promote::apply::{self, Outcome};
use crate::promote::batch::{self, Row, Survey};
use crate::promote::txn::Journal;
use crate::run::Run;

/// Runs a `--batch` command.
pub(super) fn run(args: &PromoteArgs) -> Result<ExitCode> {
    let file = args.batch.as_deref().expect("--batch given");
    let rows = batch::read(file).map_err(|e| miette!("{e}"))?;
    let run = open_run(&args.config, None, None, &[], &[])?;
    match (args.status, args.next, args.all, args.applies()) {
        (true, false, false, false) => status(&run, &rows, args.format()),
        (false, true, false, true) => next(run, &rows, args),
        (false, false, true, true) => all(run, &rows, args),
        _ => Err(miette!(
            help = "use one of: --status, --next --apply, --all --apply",
            "--batch needs --status, --next --apply or --all --apply"
        )),
    }
}

/// The next promotable row: the first ready row whose gate passes.
fn next_row(run: &Run, rows: &[Row], survey: &Survey) -> Option<usize> {
    survey
        .ready()
        .find(|&r| batch::passes(run, &rows[r]).unwrap_or(false))
}

/// `--status`: total, done, remaining, the next promotable row, and each row.
fn status(run: &Run, rows: &[Row], format: GateFormat) -> Result<ExitCode> {
    let survey = batch::survey(run, rows).map_err(|e| miette!("{e}"))?;
    let next = next_row(run, rows, &survey);
    let done = survey.done.iter().filter(|d| **d).count();
    let waits = |r: usize| -> Vec<usize> { survey.deps[r].iter().map(|&d| rows[d].line).collect() };
    let out = match format {
        GateFormat::Json => {
            let row =
                |r: usize| json!({"line": rows[r].line, "src": rows[r].src, "dst": rows[r].dst});
            let value = json!({
                "total": rows.len(),
                "done": done,
                "remaining": rows.len() - done,
                "next": next.map(row),
                "rows": (0..rows.len()).map(|r| json!({
                    "line": rows[r].line,
                    "src": rows[r].src,
                    "dst": rows[r].dst,
                    "done": survey.done[r],
                    "waits_on": waits(r),
                })).collect::<Vec<_>>(),
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).expect("serialises")
            )
        }
        GateFormat::Md => {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "## Batch: {} row(s), {done} done, {} remaining\n",
                rows.len(),
                rows.len() - done
            );
            let _ = match next {
                Some(r) => writeln!(s, "**Next:** {}\n", rows[r]),
                None if done == rows.len() => writeln!(s, "**Next:** none, every row is done\n"),
                None => writeln!(
                    s,
                    "**Next:** none; every ready row's gate is blocked (run `rulegate promote SRC --to DST` on one to see why)\n"
                ),
            };
            for (r, row) in rows.iter().enumerate() {
                let mark = if survey.done[r] { "x" } else { " " };
                let w = waits(r);
                let after = if w.is_empty() {
                    String::new()
                } else {
                    let lines: Vec<String> = w.iter().map(|l| format!("line {l}")).collect();
                    format!(" (waits on {})", lines.join(", "))
                };
                let _ = writeln!(s, "- [{mark}] {row}{after}");
            }
            s
        }
    };
    emit(&None, &out, "")?;
    Ok(ExitCode::SUCCESS)
}

/// `--next --apply`.
fn next(run: Run, rows: &[Row], args: &PromoteArgs) -> Result<ExitCode> {
    let survey = batch::survey(&run, rows).map_err(|e| miette!("{e}"))?;
    let Some(r) = next_row(&run, rows, &survey) else {
        if survey.order.is_empty() {
            eprintln!("Every row of the batch is done.");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("error: no row can go next: every ready row's gate is blocked (see `--status`)");
        return Ok(ExitCode::from(1));
    };
    let journal = Journal::begin(
        &run.config.root,
        &format!("promote --batch --next: {}", rows[r]),
    )
    .map_err(|e| miette!("{e}"))?;
    apply_rows(journal, rows, &[r], args, |_| Ok(run_ref(&run)))
}

/// A borrowed run for [`apply_rows`]'s loader.
fn run_ref(run: &Run) -> RunHandle<'_> {
    RunHandle::Borrowed(run)
}

/// The run a row is applied in.
enum RunHandle<'a> {
    Borrowed(&'a Run),
    Owned(Box<Run>),
}

impl std::ops::Deref for RunHandle<'_> {
    type Target = Run;
    fn deref(&self) -> &Run {
        match self {
            RunHandle::Borrowed(r) => r,
            RunHandle::Owned(r) => r,
        }
    }
}

/// `--all --apply`: row by row, each planned on the tree the rows before
/// it left, all in one journal.
fn all(run: Run, rows: &[Row], args: &PromoteArgs) -> Result<ExitCode> {
    let survey = batch::survey(&run, rows).map_err(|e| miette!("{e}"))?;
    if survey.order.is_empty() {
        eprintln!("Every row of the batch is done.");
        return Ok(ExitCode::SUCCESS);
    }
    let label = format!(
        "promote --batch {} --all",
        args.batch
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    let journal = Journal::begin(&run.config.root, &label).map_err(|e| miette!("{e}"))?;
    let order = survey.order.clone();
    let mut first = Some(run);
    apply_rows(journal, rows, &order, args, |_| match first.take() {
        Some(r) => Ok(RunHandle::Owned(Box::new(r))),
        None => load_run(&args.config, None, None, &[], &[], false)
            .map(|r| RunHandle::Owned(Box::new(r))),
    })
}

/// Applies `order`'s rows into `journal`, loading the run before each;
/// rolls everything back on a blocked gate (exit 1) or an error.
fn apply_rows<'a>(
    mut journal: Journal,
    rows: &[Row],
    order: &[usize],
    args: &PromoteArgs,
    mut load: impl FnMut(usize) -> Result<RunHandle<'a>>,
) -> Result<ExitCode> {
    let mut applied = Vec::new();
    for &r in order {
        let row = &rows[r];
        let run = match load(r) {
            Ok(run) => run,
            Err(e) => {
                let _ = journal.rollback();
                return Err(e);
            }
        };
        let outcome = apply::promote(&run, &row.src, &row.dst, args.options(), &mut journal);
        match outcome {
            Err(e) => {
                let report = rolled_back(journal, e);
                return Err(report.wrap_err(format!("row {row}")));
            }
            Ok(Outcome::Blocked { promotion, gate }) => {
                journal.rollback().map_err(|e| miette!("{e}"))?;
                print_gate(&run, &promotion, &gate, args.format())?;
                eprintln!(
                    "error: the gate of row {row} is blocked; every row of this run was rolled back, nothing was changed"
                );
                return Ok(ExitCode::from(1));
            }
            Ok(Outcome::Applied {
                promotion,
                gate,
                rewritten,
            }) => applied.push((promotion, gate, rewritten.len())),
        }
    }
    journal.finish().map_err(|e| miette!("{e}"))?;
    for (p, gate, rewritten) in &applied {
        summary(p, gate, *rewritten, args);
    }
    Ok(ExitCode::SUCCESS)
}
