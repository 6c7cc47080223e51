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
    /// Every tagged comment (TODO, FIXME, ...) and the debt score (csv or
    /// json); `--obsolete` and `--compare` give the cleanup audits.
    Todos(TodoArgs),
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

#[derive(Debug, Args)]
pub(crate) struct TodoArgs {
    #[command(flatten)]
    common: ReportArgs,
    /// Only the TODOs that name a module, path or symbol that no longer
    /// exists (csv, md or json).
    #[arg(long, conflicts_with = "compare")]
    obsolete: bool,
    /// The before/after audit against an earlier `report todos --format
    /// csv`: counts, deleted, converted to issue links, added, by priority
    /// and scope (md or json).
    #[arg(long, value_name = "OLD.csv")]
    compare: Option<PathBuf>,
}

/// Runs `rulegate report KIND`.
pub(crate) fn run(kind: ReportKind) -> Result<ExitCode> {
    use ReportFormat::{Csv, Json, Md};
    let (args, allowed, default, collect) = match &kind {
        ReportKind::Collection(c) => (&c.report, &[Md, Json][..], Md, None),
        ReportKind::Exceptions(a) => (a, &[Md, Json][..], Md, None),
        ReportKind::Todos(t) if t.compare.is_some() => {
            (&t.common, &[Md, Json][..], Md, Some(Report::Todos))
        }
        ReportKind::Todos(t) if t.obsolete => {
            (&t.common, &[Csv, Md, Json][..], Csv, Some(Report::Todos))
        }
        ReportKind::Todos(t) => (&t.common, &[Csv, Json][..], Csv, Some(Report::Todos)),
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
            let unknown = unknown_dynamic_sites(&session, &run)
                .into_iter()
                .filter(|u| in_lanes(&Some(u.lane.clone())))
                .collect();
            // A site under a `# noqa` of the lane rule is an exception.
            let rule = session
                .rules
                .feeder(Report::Lanes)
                .map(|i| session.rules.rules[i].id.to_string())
                .unwrap_or_default();
            audit::lanes::LanesReport::new(&session.config, &edges, unknown)
                .with_exceptions(&run.records, &rule)
                .render(format)
        }
        ReportKind::Todos(t) => {
            let feeder = session.rules.feeder(Report::Todos).expect("checked above");
            let grammar = todo_grammar(&session, feeder);
            let mut items = todo_items(&run);
            items.retain(|t| in_lanes(&t.lane));
            if t.obsolete {
                obsolete_report(&session, &items).render(format)
            } else if let Some(old) = &t.compare {
                let text = crate::source::read_utf8(old)
                    .map_err(|e| miette!("cannot read {}: {e}", old.display()))?;
                let before = audit::todo_compare::read_csv(&text).map_err(|e| {
                    miette!(
                        help = "give a file written by `rulegate report todos --format csv`",
                        "{}: {e}",
                        old.display()
                    )
                })?;
                let after = items
                    .iter()
                    .map(|i| audit::todo_compare::Row::of(i))
                    .collect();
                let weights = grammar.map(|g| g.weights().clone()).unwrap_or_default();
                let root = &session.config.root;
                audit::todo_compare::Comparison::new(before, after, weights, &|r| {
                    audit::todo_compare::left_a_link(root, r)
                })
                .render(format)
            } else {
                let report = audit::todos::TodoReport {
                    columns: grammar.map(|g| g.columns().to_vec()).unwrap_or_default(),
                    items,
                };
                if format == Csv {
                    err = report.summary(); // keeps standard output a clean CSV file
                }
                report.render(format)
            }
        }
    };
    emit(&args.output_file, &out, &err)?;
    Ok(ExitCode::SUCCESS)
}

/// The findings of the run's `check = "dynamic"` rules (LANE002): dynamic
/// imports whose target the lane guards cannot know.
fn unknown_dynamic_sites(
    session: &crate::run::Run,
    run: &lint::LintRun,
) -> Vec<audit::lanes::UnknownSite> {
    let is_dynamic = |i: usize| match &session.rules.rules[i].matcher {
        crate::rule::Matcher::Analyzer(a) => (a.as_ref() as &dyn std::any::Any)
            .downcast_ref::<crate::analyzers::imports::dynamic::Dynamic>()
            .is_some(),
        _ => false,
    };
    run.findings
        .iter()
        .filter(|f| is_dynamic(f.rule_index))
        .map(|f| audit::lanes::UnknownSite {
            file: f.path.to_string(),
            line: f.location.start.line,
            lane: f.lane.as_deref().unwrap_or_default().to_string(),
            rule: f.rule.to_string(),
        })
        .collect()
}

/// The grammar of the rule that feeds the todos report, when it is the
/// built-in `comment-format` analyzer.
fn todo_grammar(
    session: &crate::run::Run,
    feeder: usize,
) -> Option<&crate::analyzers::comment_format::CommentFormat> {
    match &session.rules.rules[feeder].matcher {
        crate::rule::Matcher::Analyzer(a) => (a.as_ref() as &dyn std::any::Any).downcast_ref(),
        _ => None,
    }
}

/// The run's tagged comments, sorted by file and line.
pub(super) fn todo_items(run: &lint::LintRun) -> Vec<&crate::analyzers::TaggedComment> {
    let mut items: Vec<_> = run
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::Todo(t) => Some(t),
            _ => None,
        })
        .collect();
    items.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    items
}

/// `--obsolete`: the items whose messages name what the repository no
/// longer has, judged with its resolver, symbol tables and tree.
fn obsolete_report<'a>(
    session: &crate::run::Run,
    items: &[&'a crate::analyzers::TaggedComment],
) -> audit::todo_obsolete::ObsoleteReport<'a> {
    let project = &session.project;
    let root = &session.config.root;
    let module = |m: &str| project.modules.resolve(m).is_some();
    let symbol = |m: &str, name: &str| match project.modules.resolve(m) {
        Some(t) if t.kind != crate::imports::resolve::TargetKind::Namespace => {
            project.symbols.exports(
                &project.modules,
                &|_| None,
                &t.rel,
                name,
                &mut Vec::new(),
                None,
                crate::deps::Deps::NONE,
            )
        }
        // A namespace package binds only its submodules.
        _ => crate::symbols::Export::Missing,
    };
    let path =
        |p: &str| crate::fs_guard::check(root, &root.join(p)).is_ok() && root.join(p).exists();
    let lookup = audit::todo_obsolete::Lookup {
        module: &module,
        symbol: &symbol,
        path: &path,
    };
    audit::todo_obsolete::ObsoleteReport {
        items: items
            .iter()
            .filter_map(|i| {
                let reasons = audit::todo_obsolete::stale_references(i, &lookup);
                (!reasons.is_empty()).then_some((*i, reasons))
            })
            .collect(),
    }
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
