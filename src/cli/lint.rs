//! `rulegate lint`: its command line, the run it opens (one project), what
//! it prints and its exit status. The pipeline itself is the library's
//! (`crate::lint`).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::{ConfigArgs, add_noqa, default_paths, emit, inspect, open_run_with_store, out};
use crate::baseline::{Baseline, judged_by, line_text_of};
use crate::config;
use crate::dates;
use crate::finding::Severity;
use crate::lint::{self, FixMode, LintOptions, LintRun};
use crate::report::{self, Format};
use crate::run::Run;

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Files and folders to lint.
    paths: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format (default: fancy on a terminal, else concise).
    #[arg(long, value_enum, alias = "output-format")]
    format: Option<Format>,
    /// When to colour the output (`FORCE_COLOR` and `NO_COLOR` are read in `auto`).
    #[arg(long, value_enum, default_value = "auto")]
    color: inspect::ColorChoice,
    /// Print the config read and the settings it resolves to, and exit.
    #[arg(long, conflicts_with_all = ["fix", "diff", "show_files"])]
    show_settings: bool,
    /// List the files that would be checked, and exit.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    show_files: bool,
    /// Say which config is used, how many files are checked, and the time
    /// each stage takes (on standard error).
    #[arg(short, long)]
    verbose: bool,
    /// Apply safe fixes, then report what remains.
    #[arg(long)]
    fix: bool,
    /// Also apply fixes marked unsafe.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff; change nothing (exit 1 if any).
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Only these rules (ids or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Not these rules (ids or prefixes, comma-separated). When a rule
    /// matches both lists, the more specific selector wins, as in ruff.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Rules to add to the selection (`--select`, else every rule).
    #[arg(long, value_delimiter = ',', value_name = "SELECT")]
    extend_select: Vec<String>,
    /// Rules to add to `--ignore`.
    #[arg(long, value_delimiter = ',', value_name = "IGNORE")]
    extend_ignore: Vec<String>,
    /// Exit 0 even if error-severity findings remain.
    #[arg(long)]
    exit_zero: bool,
    /// Print counts per rule instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Read the source from standard input, linted as this path.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// The date TTLs and TODO dates are judged against (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", env = dates::TODAY_ENV)]
    today: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Apply excludes to files named on the command line too.
    #[arg(long)]
    force_exclude: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Do not read or write the result cache (`.rulegate_cache/`).
    #[arg(long, env = "RULEGATE_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    no_cache: bool,
    /// Lint only shard K of N (a stable slice of the files, for CI matrices).
    #[arg(long, value_name = "K/N")]
    shard: Option<crate::lint::Shard>,
    /// Report only findings that this baseline file does not know.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file, and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "diff"])]
    write_baseline: Option<PathBuf>,
    /// Add `# noqa: RULE` to every line with a finding instead of reporting
    /// (codes merged on a line; `until=` when the rule has a TTL).
    #[arg(long, conflicts_with_all = ["fix", "diff", "baseline", "write_baseline", "stdin_filename"])]
    add_noqa: bool,
    /// The reason `--add-noqa` writes after ` -- `.
    #[arg(long, value_name = "TEXT", requires = "add_noqa")]
    reason: Option<String>,
}

/// SPEC §2, one project per run: paths governed by two different configs
/// are an error naming both (cross-file rules, lanes and the cache need one).
fn one_project(paths: &[PathBuf]) -> Result<()> {
    let mut seen: Vec<(PathBuf, &PathBuf)> = Vec::new();
    for p in paths {
        if let Some(file) = config::find(p)
            && !seen.iter().any(|(f, _)| *f == file)
        {
            seen.push((file, p));
        }
    }
    if let [(a, pa), (b, pb), ..] = &seen[..] {
        return Err(miette!(
            help = "run rulegate once per project, or give one config with --config (a nested config that shares its parent's policy says `extend = \"../rulegate.toml\"`)",
            "{} is under {}, but {} is under {}: one run checks one project",
            pa.display(),
            a.display(),
            pb.display(),
            b.display()
        ));
    }
    Ok(())
}

pub(crate) fn lint_cmd(args: LintArgs) -> Result<ExitCode> {
    let mut stages = inspect::Stages::start(args.verbose);
    let opts = lint_options(&args)?;
    let session = open_lint_run(&args, &opts)?;
    stages.done(
        "config",
        &format!(
            "{} with {} rule(s)",
            session
                .config
                .doc
                .as_ref()
                .map_or("the embedded default", |d| d.name.as_str()),
            session.rules.rules.len()
        ),
    );
    if args.show_settings {
        out(&inspect::settings(&session));
        return Ok(ExitCode::SUCCESS);
    }
    if args.show_files {
        for t in crate::walk::collect(&session.config, &opts.paths, opts.force_exclude) {
            out(&format!("{}\n", t.rel));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut run = lint::lint(&session, &opts)?;
    stages.done("lint", &format!("{} file(s) checked", run.files.len()));
    if args.verbose
        && let Some(note) = dep001_silence_note(&session.rules, &session.config.root)
    {
        eprintln!("{note}");
    }
    if run.files.is_empty() && opts.stdin.is_none() {
        eprintln!("warning: No Python files found under the given path(s).");
    }
    if args.add_noqa {
        let added = add_noqa::add_noqa(&session, &run, args.reason.as_deref());
        eprint!("{}", added.render());
        return Ok(added.exit_code());
    }
    let mut err = String::new();
    if let Some(file) = &args.write_baseline {
        let b = Baseline::of(&run.findings, &line_text_of(&run.files, &session.config));
        b.write(file).map_err(|e| miette!("{e}"))?;
        eprintln!(
            "Wrote {} finding(s) ({} fingerprints) to {}.",
            run.findings.len(),
            b.findings.len(),
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(file) = &args.baseline {
        let b = Baseline::load(file).map_err(|e| miette!("{e}"))?;
        let line_text = line_text_of(&run.files, &session.config);
        let judged = judged_by(&run.files, &session.config, &session.rules);
        let applied = b.apply(&mut run.findings, &line_text, &judged);
        err.push_str(&format!(
            "{} finding(s) hidden by the baseline; {} baseline entr(ies) stale (fixed since).\n",
            applied.baselined, applied.stale
        ));
    }
    if args.diff {
        let out = report::diffs(&run.changed);
        err.push_str(&format!(
            "Would fix {} problem(s) in {} file(s).\n",
            run.fixes_applied,
            run.changed.len()
        ));
        emit(&args.output_file, &out, &err)?;
        return Ok(ExitCode::from(u8::from(!run.changed.is_empty())));
    }
    let out = render_lint(&args, &opts, &session, &run, &mut err);
    if let Some((_, bytes)) = opts.stdin.as_ref().filter(|_| args.fix)
        && std::str::from_utf8(bytes).is_err()
    {
        // Not text: nothing was fixed, and the bytes go back unchanged.
        let _ = std::io::stdout().lock().write_all(bytes);
        eprint!("{err}");
        return Ok(ExitCode::from(1));
    }
    for e in &run.write_errors {
        err.push_str(&format!("error: {e}\n"));
    }
    emit(&args.output_file, &out, &err)?;
    let code = lint_exit(&args, &run);
    // The process ends next: freeing every table and finding one by one
    // would only spend time (ripgrep and ruff leave it to the OS too).
    std::mem::forget(run);
    std::mem::forget(session);
    Ok(code)
}

/// The run a `lint` command line checks in: one project's config (SPEC §2),
/// its packs with the selection, the date.
fn open_lint_run(args: &LintArgs, opts: &LintOptions) -> Result<Run> {
    if args.config.config.is_none() {
        one_project(&opts.paths)?;
    }
    let start = args
        .stdin_filename
        .clone()
        .or_else(|| args.paths.first().cloned());
    open_run_with_store(
        &args.config,
        start.as_deref(),
        args.today.as_deref(),
        &crate::selector::extended(&args.select, &args.extend_select),
        &[&args.ignore[..], &args.extend_ignore[..]].concat(),
        opts.cache,
    )
}

/// SPEC §1's exit status of a lint run.
fn lint_exit(args: &LintArgs, run: &LintRun) -> ExitCode {
    let failed = run.findings.iter().any(|f| f.severity == Severity::Error);
    if run.internal_errors > 0 || !run.write_errors.is_empty() && args.fix {
        ExitCode::from(2)
    } else if failed && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The library's options for a `lint` command line (reads stdin when asked).
fn lint_options(args: &LintArgs) -> Result<LintOptions> {
    let stdin = match &args.stdin_filename {
        Some(name) => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| miette!("cannot read standard input: {e}"))?;
            Some((name.clone(), bytes))
        }
        None => None,
    };
    Ok(LintOptions {
        paths: default_paths(&args.paths),
        force_exclude: args.force_exclude,
        stdin,
        fix: if args.diff {
            FixMode::Diff
        } else if args.fix {
            FixMode::Apply
        } else {
            FixMode::Report
        },
        unsafe_fixes: args.unsafe_fixes,
        threads: args.threads,
        collect: None,
        shard: args.shard,
        cache: !args.no_cache && args.stdin_filename.is_none(),
        one_project: args.config.config.is_none(),
        // Baselines key findings by their line's text; fancy reports show it.
        report_sources: args.baseline.is_some()
            || args.write_baseline.is_some()
            || !args.statistics && lint_format(args).0 == Format::Fancy,
    })
}

/// The output format of `lint`, and whether standard output is a terminal.
fn lint_format(args: &LintArgs) -> (Format, bool) {
    let terminal = std::io::stdout().is_terminal() && args.output_file.is_none();
    let format = args.format.unwrap_or(if terminal {
        Format::Fancy
    } else {
        Format::Concise
    });
    (format, terminal)
}

/// What `lint` prints on standard output (and adds to `err`).
fn render_lint(
    args: &LintArgs,
    opts: &LintOptions,
    session: &Run,
    run: &LintRun,
    err: &mut String,
) -> String {
    let (config, rules) = (&session.config, &*session.rules);
    let (format, terminal) = lint_format(args);
    let color = args.color.enabled(terminal);
    if args.fix && opts.stdin.is_some() {
        // Editors expect the fixed source on stdout, the findings on stderr.
        err.push_str(&report::text::concise(&run.findings, args.unsafe_fixes));
        err.push_str(&report::summary(run, args.unsafe_fixes, true));
        return run
            .changed
            .first()
            .map(|c| c.after.clone())
            .unwrap_or_else(|| {
                opts.stdin
                    .as_ref()
                    .map(|s| String::from_utf8_lossy(&s.1).into_owned())
                    .unwrap_or_default()
            });
    }
    if args.statistics {
        return report::statistics(&run.findings, args.unsafe_fixes, &|id| {
            rules.get(id).map(|r| r.summary.clone()).unwrap_or_default()
        });
    }
    let extra: Vec<(String, std::sync::Arc<str>)> = config
        .docs
        .iter()
        .map(|d| {
            (
                crate::walk::relative(config, Path::new(&d.name)),
                d.text.clone(),
            )
        })
        .collect();
    let mut out = report::render(run, format, color, &extra, rules, args.unsafe_fixes);
    if format.is_human() {
        out.push_str(&report::summary(run, args.unsafe_fixes, args.fix));
    }
    out
}

/// Why the active DEP001 rule, if any, finds nothing in this project.
fn dep001_silence_note(rules: &crate::rule::RuleSet, root: &std::path::Path) -> Option<String> {
    use crate::analyzers::undeclared::{is_undeclared, silence_note};
    let rule = rules.rules.iter().find(|r| match &r.matcher {
        crate::rule::Matcher::Analyzer(a) => is_undeclared(a.as_ref()),
        _ => false,
    })?;
    silence_note(&rule.id, root)
}
