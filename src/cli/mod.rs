//! The command line (SPEC §1): a thin shell over the library.

mod add_noqa;
mod delta;
mod inspect;
mod lint;
mod promote;
mod promote_batch;
mod rename;
mod reports;
mod stubs;
mod todos;
mod workbench;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use miette::{IntoDiagnostic, Result, miette};

use crate::config::{self, Config};
use crate::dates;
use crate::packs;
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
    Lint(lint::LintArgs),
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
    /// Rename a top-level class or function everywhere it is referenced,
    /// optionally keeping a deprecated alias (`--diff`, `--apply`).
    Rename(rename::RenameArgs),
    /// A Language Server (LSP 3.17 over stdio) for editors.
    Server {
        /// The date TTLs and escalations are judged against (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", env = dates::TODAY_ENV)]
        today: Option<String>,
        /// Refuse incoming messages larger than this (bytes).
        #[arg(long, value_name = "BYTES", env = "RULEGATE_MAX_MESSAGE_BYTES",
              default_value_t = crate::server::rpc::DEFAULT_MAX_MESSAGE_BYTES)]
        max_message_bytes: u64,
        /// Do not answer opens from (or store results into) the lint cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Inventories and audits: exceptions, TODOs, lane violations, the
    /// per-rule delta against a baseline.
    #[command(subcommand)]
    Report(delta::ReportCommand),
    /// TODO cleanup: `todos link --map FILE.json` replaces TODOs that became
    /// issues with `# See: <url>`.
    #[command(subcommand)]
    Todos(todos::TodosCommand),
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
        Command::Lint(args) => lint::lint_cmd(args),
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
        Command::Report(kind) => delta::run(kind),
        Command::Todos(command) => todos::run(command),
        Command::Stubs(args) => stubs::run(args),
        Command::Promote(args) => promote::run(args),
        Command::Rename(args) => rename::run(args),
        Command::Server {
            today,
            max_message_bytes,
            no_cache,
        } => {
            let today = dates::resolve_today(today.as_deref()).map_err(|e| miette!("{e}"))?;
            // LSP: exit code 0 after `shutdown`, 1 without it.
            let clean = crate::server::serve(today, max_message_bytes, !no_cache)
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
    recover_interrupted(config_args, start)?;
    load_run(config_args, start, today, select, ignore, store)
}

/// Before anything reads the tree: completes or rolls back a promotion a
/// killed run left half-done (its journal at the project root), and says so.
fn recover_interrupted(config_args: &ConfigArgs, start: Option<&Path>) -> Result<()> {
    let file = match &config_args.config {
        Some(f) => Some(f.clone()),
        None => config::find(start.unwrap_or(Path::new("."))),
    };
    let root = match file.as_deref().and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        // No folder to look in: loading the run reports that, if it matters.
        _ => match std::env::current_dir() {
            Ok(dir) => dir,
            Err(_) => return Ok(()),
        },
    };
    if let Some(said) = crate::promote::txn::recover(&root).map_err(|e| {
        miette!(
            help = "fix the cause (permissions, disk space) and run rulegate again: the journal is kept until it can be recovered",
            "an interrupted promotion could not be recovered: {e}"
        )
    })? {
        eprintln!("rulegate: {said}");
    }
    Ok(())
}

/// Loads the run without looking for an interrupted promotion (a batch
/// reloads its run between rows, inside its own transaction).
pub(crate) fn load_run(
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

pub(crate) fn default_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
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
