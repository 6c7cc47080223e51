//! `rulegate report exceptions|todos|lanes|collection`: a lint run's audits
//! and inventories.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use miette::{Result, miette};

use super::{ConfigArgs, default_paths, emit, open_run};
use crate::analyzers::{Fact, Report};
use crate::audit::{self, ReportFormat};
use crate::dates;
use crate::lint::{self, LintOptions};

#[derive(Debug, Subcommand)]
pub(crate) enum ReportKind {
    /// Every `# noqa` and central exception with its status (md or json).
    Exceptions(ReportArgs),
    /// Every tagged comment (TODO, FIXME, ...) and the debt score (csv or json).
    Todos(ReportArgs),
    /// Lane violations per pair of lanes, with the import sites (md or json).
    Lanes(ReportArgs),
    /// The collection errors of a `pytest --collect-only` log: error
    /// classes, top missing modules and names, and the static finding that
    /// explains each error, or "not explained by any rule" (md or json).
    Collection(CollectionArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CollectionArgs {
    /// The `pytest --collect-only` log to read.
    #[arg(long, value_name = "LOG")]
    from_pytest: PathBuf,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Files and folders to look at (default: the current folder).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format (default: md, or csv for todos).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// The date statuses are judged against (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", env = dates::TODAY_ENV)]
    today: Option<String>,
    /// Only files of these lanes (comma-separated; todos and lanes reports).
    #[arg(long, value_delimiter = ',')]
    lane: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,
}

/// Runs `rulegate report KIND`.
pub(crate) fn run(kind: ReportKind) -> Result<ExitCode> {
    use ReportFormat::{Csv, Json, Md};
    let (args, allowed, default, collect) = match &kind {
        ReportKind::Collection(c) => (&c.report, &[Md, Json][..], Md, None),
        ReportKind::Exceptions(a) => (a, &[Md, Json][..], Md, None),
        ReportKind::Todos(a) => (a, &[Csv, Json][..], Csv, Some(Report::Todos)),
        ReportKind::Lanes(a) => (a, &[Md, Json][..], Md, Some(Report::Lanes)),
    };
    let format = args.format.unwrap_or(default);
    if !allowed.contains(&format) {
        let names: Vec<&str> = allowed.iter().map(|f| f.as_str()).collect();
        return Err(miette!(
            help = format!("use --format {}", names.join(" or ")),
            "this report has no `{}` format",
            format.as_str()
        ));
    }
    // Read first: an unreadable log is an error before any work.
    let log = match &kind {
        ReportKind::Collection(c) => Some(read_log(&c.from_pytest)?),
        _ => None,
    };
    let session = open_run(
        &args.config,
        args.paths.first().map(PathBuf::as_path),
        args.today.as_deref(),
        &[],
        &[],
    )?;
    if let Some(report) = collect
        && session.rules.feeder(report).is_none()
    {
        return Err(miette!(
            help = "add a pack that defines one (builtin:t4 does)",
            "no active rule feeds the `{report}` report"
        ));
    }
    let opts = LintOptions {
        paths: default_paths(&args.paths),
        threads: args.threads,
        collect,
        ..Default::default()
    };
    let mut run = lint::lint(&session, &opts)?;
    let in_lanes = |lane: &Option<String>| {
        args.lane.is_empty() || lane.as_ref().is_some_and(|l| args.lane.contains(l))
    };
    let mut err = String::new();
    let out = match &kind {
        ReportKind::Collection(c) => {
            let mut errors = audit::collection::parse_log(log.as_deref().unwrap_or_default());
            audit::collection::explain(&mut errors, &run.findings);
            let name = c.from_pytest.display().to_string();
            audit::collection::CollectionReport::new(&name, errors).render(format)
        }
        ReportKind::Exceptions(_) => {
            audit::exceptions::sort(&mut run.records);
            audit::exceptions::render(&run.records, session.today, format)
        }
        ReportKind::Lanes(_) => {
            let edges: Vec<_> = run
                .facts
                .iter()
                .filter_map(|f| match f {
                    Fact::LaneImport(e) => Some(e.clone()),
                    _ => None,
                })
                .filter(|e| in_lanes(&Some(e.from_lane.clone())))
                .collect();
            // A site under a `# noqa` of the lane rule is an exception.
            let rule = session
                .rules
                .feeder(Report::Lanes)
                .map(|i| session.rules.rules[i].id.to_string())
                .unwrap_or_default();
            audit::lanes::LanesReport::new(&session.config, &edges)
                .with_exceptions(&run.records, &rule)
                .render(format)
        }
        ReportKind::Todos(_) => {
            let feeder = session.rules.feeder(Report::Todos).expect("checked above");
            let columns = match &session.rules.rules[feeder].matcher {
                crate::rule::Matcher::Analyzer(a) => a.inventory().map(|i| i.columns),
                _ => None,
            };
            let mut items: Vec<_> = run
                .facts
                .iter()
                .filter_map(|f| match f {
                    Fact::Todo(t) => Some(t),
                    _ => None,
                })
                .filter(|t| in_lanes(&t.lane))
                .collect();
            items.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            let report = audit::todos::TodoReport {
                columns: columns.unwrap_or_default(),
                items,
            };
            if format == Csv {
                err = report.summary(); // keeps standard output a clean CSV file
            }
            report.render(format)
        }
    };
    emit(&args.output_file, &out, &err)?;
    Ok(ExitCode::SUCCESS)
}

/// The text of a pytest log (lossy: a log may hold any bytes).
fn read_log(path: &std::path::Path) -> Result<String> {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| {
            miette!(
                help = "write it with `python -m pytest --collect-only -q > LOG 2>&1`",
                "cannot read the pytest log {}: {e}",
                path.display()
            )
        })
}
