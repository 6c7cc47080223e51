//! The command line (SPEC §1): a thin shell over the library.

mod add_noqa;
mod inspect;
mod promote;
mod reports;
mod stubs;
mod workbench;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use miette::{IntoDiagnostic, Result, miette};

use crate::baseline::{Baseline, line_text_of};
use crate::config::{self, Config};
use crate::dates;
use crate::finding::Severity;
use crate::lint::{self, FixMode, LintOptions, LintRun};
use crate::packs;
use crate::report::{self, Format};
use crate::rule::RuleSet;
use crate::run::Run;
use crate::script::ScriptHost;
use crate::testing;

/// rulegate: declarative code policies for Python repositories.
#[derive(Debug, Parser)]
#[command(name = "rulegate", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint files and folders (default: the current folder).
    Lint(LintArgs),
    /// List the rules of the active packs.
    Rules(ConfigArgs),
    /// Show a rule's full documentation.
    Explain {
        /// Rule id, e.g. E402.
        rule: String,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Run the examples embedded in packs (default: the active packs).
    Test {
        /// Pack files or `builtin:NAME`.
        packs: Vec<String>,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print the tree-sitter syntax tree of a file (for writing queries).
    Tree(workbench::TreeArgs),
    /// Run one tree-sitter query on a file and print every match with its
    /// captures (the pack author's workbench).
    Query(workbench::QueryArgs),
    /// Write a commented starter rulegate.toml in the current folder.
    Init,
    /// Turn `cannot import name` errors of a pytest log into stub fixes.
    Stubs(stubs::StubsArgs),
    /// Print the JSON Schema of rule packs (or of rulegate.toml).
    Schema {
        /// Which schema.
        #[arg(value_enum, default_value = "pack")]
        kind: crate::schema::SchemaKind,
    },
    /// The promotion gate of a module or package, and the move that rewrites
    /// every import of it (`--diff`, `--apply`).
    Promote(promote::PromoteArgs),
    /// A Language Server (LSP 3.17 over stdio) for editors.
    Server {
        /// The date TTLs and escalations are judged against (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", env = dates::TODAY_ENV)]
        today: Option<String>,
        /// Refuse incoming messages larger than this (bytes).
        #[arg(long, value_name = "BYTES", env = "RULEGATE_MAX_MESSAGE_BYTES",
              default_value_t = crate::server::rpc::DEFAULT_MAX_MESSAGE_BYTES)]
        max_message_bytes: u64,
    },
    /// Inventories and audits: exceptions, TODOs, lane violations.
    #[command(subcommand)]
    Report(reports::ReportKind),
    /// Print a shell completion script (`rulegate completions bash >
    /// ~/.local/share/bash-completion/completions/rulegate`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// Use this config file instead of discovering one.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct LintArgs {
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

/// Runs the CLI and maps the outcome to SPEC §1's exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Lint(args) => lint_cmd(args),
        Command::Rules(c) => {
            let run = open_run(&c, None, None, &[], &[])?;
            out(&rules_table(&run.rules));
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule, config } => {
            let run = open_run(&config, None, None, &[], &[])?;
            let r = run.rules.get(&rule).ok_or_else(|| {
                miette!(
                    help = "run `rulegate rules` to list the rules",
                    "no active rule `{rule}`"
                )
            })?;
            out(&format!(
                "# {} ({}, pack {})\n\n{}\n\n{}\n",
                r.id,
                r.severity.as_str(),
                r.pack,
                r.summary,
                r.explain.trim()
            ));
            out(&format!(
                "\nFixable: {}\n",
                if r.fixable() { "yes" } else { "no" }
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { packs, config } => test(packs, config),
        Command::Tree(args) => workbench::tree(args),
        Command::Query(args) => workbench::query(args),
        Command::Report(kind) => reports::run(kind),
        Command::Stubs(args) => stubs::run(args),
        Command::Promote(args) => promote::run(args),
        Command::Server {
            today,
            max_message_bytes,
        } => {
            let today = dates::resolve_today(today.as_deref()).map_err(|e| miette!("{e}"))?;
            // LSP: exit code 0 after `shutdown`, 1 without it.
            let clean = crate::server::serve(today, max_message_bytes)
                .map_err(|e| miette!("language server: {e}"))?;
            Ok(if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Completions { shell } => {
            out(&inspect::completions(shell));
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { kind } => {
            out(&crate::schema::render(kind));
            Ok(ExitCode::SUCCESS)
        }
        Command::Init => {
            let path = Path::new(config::CONFIG_FILE);
            // A link (even a dangling one) counts as a file: never written through.
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(miette!(
                    help = "edit the existing file instead",
                    "{} already exists; not overwritten",
                    path.display()
                ));
            }
            // create_new: nothing appears there between the check and the write.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| f.write_all(config::STARTER_CONFIG.as_bytes()))
                .into_diagnostic()?;
            println!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the run a command works in: the config (`--config`, else
/// discovered from `start`), its packs filtered by `select`/`ignore`, and
/// the date (`--today`, else the clock).
pub(crate) fn open_run(
    config_args: &ConfigArgs,
    start: Option<&Path>,
    today: Option<&str>,
    select: &[String],
    ignore: &[String],
) -> Result<Run> {
    open_run_with_store(config_args, start, today, select, ignore, false)
}

/// [`open_run`], with the stores of the cache folder on if `store`.
fn open_run_with_store(
    config_args: &ConfigArgs,
    start: Option<&Path>,
    today: Option<&str>,
    select: &[String],
    ignore: &[String],
    store: bool,
) -> Result<Run> {
    let today = dates::resolve_today(today).map_err(|e| miette!("{e}"))?;
    let run = Run::load_with_store(
        config_args.config.as_deref(),
        start.unwrap_or(Path::new(".")),
        select,
        ignore,
        today,
        store,
    )?;
    crate::error::print_warnings(&run.rules.warnings);
    Ok(run)
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

pub(crate) fn default_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

fn lint_cmd(args: LintArgs) -> Result<ExitCode> {
    let mut stages = inspect::Stages::start(args.verbose);
    let opts = lint_options(&args)?;
    if args.config.config.is_none() {
        one_project(&opts.paths)?;
    }
    let start = args
        .stdin_filename
        .clone()
        .or_else(|| args.paths.first().cloned());
    let session = open_run_with_store(
        &args.config,
        start.as_deref(),
        args.today.as_deref(),
        &crate::selector::extended(&args.select, &args.extend_select),
        &[&args.ignore[..], &args.extend_ignore[..]].concat(),
        opts.cache,
    )?;
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
        let applied = b.apply(&mut run.findings, &line_text);
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
    let failed = run.findings.iter().any(|f| f.severity == Severity::Error);
    Ok(
        if run.internal_errors > 0 || !run.write_errors.is_empty() && args.fix {
            ExitCode::from(2)
        } else if failed && !args.exit_zero {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
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

/// Writes to standard output; a closed pipe (`rulegate tree a.py | head`)
/// ends the output quietly instead of panicking.
pub(crate) fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

pub(crate) fn emit(output_file: &Option<PathBuf>, out: &str, err: &str) -> Result<()> {
    match output_file {
        Some(p) => {
            std::fs::write(p, out).map_err(|e| miette!("cannot write {}: {e}", p.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(out.as_bytes());
        }
    }
    eprint!("{err}");
    Ok(())
}

fn rules_table(rules: &RuleSet) -> String {
    // Columns as wide as their longest entry: team ids can be long.
    let id_w = rules
        .rules
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let pack_w = rules
        .rules
        .iter()
        .map(|r| r.pack.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let schedule = |r: &crate::rule::Rule| {
        r.schedule
            .as_ref()
            .map(|s| format!(" [escalates: {}]", s.describe()))
            .unwrap_or_default()
    };
    let mut out = format!(
        "{:<id_w$} {:<pack_w$} {:<8} {:<7} {}\n",
        "id", "pack", "severity", "fixable", "summary"
    );
    for r in &rules.rules {
        out.push_str(&format!(
            "{:<id_w$} {:<pack_w$} {:<8} {:<7} {}{}\n",
            r.id,
            r.pack,
            r.severity.as_str(),
            if r.fixable() { "yes" } else { "no" },
            r.summary,
            schedule(r)
        ));
    }
    out
}

fn test(packs_args: Vec<String>, config_args: ConfigArgs) -> Result<ExitCode> {
    let host = ScriptHost::new();
    let config = match &config_args.config {
        Some(p) => Config::load(p)?,
        None => Config::discover(Path::new("."))?,
    };
    let refs: Vec<String> = if packs_args.is_empty() {
        config.packs.iter().map(|(r, _)| r.clone()).collect()
    } else {
        packs_args
    };
    // Relative to the current folder, so failures name `./team.toml:12`.
    let cwd = Path::new(".");
    let mut outcomes = Vec::new();
    let host = std::sync::Arc::new(host);
    for reference in refs {
        let rules = packs::load_for_test(&reference, cwd, &config, &host)?;
        crate::error::print_warnings(&rules.warnings);
        outcomes.extend(testing::run_pack_tests(&std::sync::Arc::new(rules), &host));
    }
    out(&testing::render(&outcomes));
    let failed = outcomes.iter().any(|o| o.failure.is_some());
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
