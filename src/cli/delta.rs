//! `rulegate report delta --baseline FILE`: a lint run compared with a
//! baseline, per rule (SPEC §1). Its own file so the inventories of
//! `cli/reports.rs` stay as they are: [`ReportCommand`] flattens them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use miette::{Result, miette};

use super::{ConfigArgs, default_paths, emit, open_run, reports};
use crate::audit::ReportFormat;
use crate::audit::delta::DeltaReport;
use crate::baseline::{Baseline, judged_by, line_text_of};
use crate::dates;
use crate::lint::{self, LintOptions};

/// `rulegate report ...`: the inventories, and the baseline delta.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    #[command(flatten)]
    Inventory(reports::ReportKind),
    /// Per-rule counts in a baseline and now: new, fixed, remaining (md or
    /// json); exit 1 when a new finding is at error severity.
    Delta(DeltaArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DeltaArgs {
    /// Files and folders to lint (default: the current folder).
    paths: Vec<PathBuf>,
    /// The baseline to compare with (written by `lint --write-baseline`).
    #[arg(long, value_name = "FILE")]
    baseline: PathBuf,
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format (default: md, for the pull request).
    #[arg(long, value_enum, default_value = "md")]
    format: ReportFormat,
    /// Only these rules (ids or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Not these rules (ids or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// The date TTLs and TODO dates are judged against (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", env = dates::TODAY_ENV)]
    today: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,
}

/// Runs `rulegate report ...`.
pub(crate) fn run(command: ReportCommand) -> Result<ExitCode> {
    match command {
        ReportCommand::Inventory(kind) => reports::run(kind),
        ReportCommand::Delta(args) => delta(args),
    }
}

fn delta(args: DeltaArgs) -> Result<ExitCode> {
    if args.format == ReportFormat::Csv {
        return Err(miette!(
            help = "use --format md or --format json",
            "this report has no `csv` format"
        ));
    }
    // Read first: a wrong path fails before the lint run.
    let baseline = Baseline::load(&args.baseline).map_err(|e| miette!("{e}"))?;
    let session = open_run(
        &args.config,
        args.paths.first().map(PathBuf::as_path),
        args.today.as_deref(),
        &args.select,
        &args.ignore,
    )?;
    let opts = LintOptions {
        paths: default_paths(&args.paths),
        threads: args.threads,
        one_project: args.config.config.is_none(),
        // Fingerprints are the text of the reported lines.
        report_sources: true,
        ..Default::default()
    };
    let run = lint::lint(&session, &opts)?;
    let line_text = line_text_of(&run.files, &session.config);
    let judged = judged_by(&run.files, &session.config, &session.rules);
    let comparison = baseline.compare(&run.findings, &line_text, &judged);
    let report = DeltaReport::new(args.baseline.display().to_string(), comparison, &|id| {
        session.rules.get(id).map(|r| r.severity)
    });
    let mut err = String::new();
    for e in &run.write_errors {
        err.push_str(&format!("error: {e}\n"));
    }
    emit(&args.output_file, &report.render(args.format), &err)?;
    Ok(if run.internal_errors > 0 {
        ExitCode::from(2)
    } else if report.fails() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
