//! `rulegate todos link --map FILE.json`: TODOs that became issues are
//! replaced by `# See: <url>` links (the logic is `audit::todo_link`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use miette::{Result, miette};

use super::{ConfigArgs, default_paths, emit, open_run};
use crate::analyzers::Report;
use crate::audit::todo_link;
use crate::fix::workspace::Workspace;
use crate::lint::{self, LintOptions};

#[derive(Debug, Subcommand)]
pub(crate) enum TodosCommand {
    /// Replace the TODOs a map names with `# See: <url>`, keeping their
    /// fields and message (the map: a JSON array of {"file", "line", "url",
    /// "message"?}, as `report todos` numbers them).
    Link(LinkArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LinkArgs {
    /// The map of TODOs to issue addresses (JSON).
    #[arg(long, value_name = "FILE.json")]
    map: PathBuf,
    /// Files and folders holding the TODOs (default: the current folder).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    /// Print the changes as a unified diff instead of writing them.
    #[arg(long)]
    diff: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// Runs `rulegate todos SUBCOMMAND`. Exit 0: every entry of the map was
/// replaced (or would be, with `--diff`); 1: some were not (each skipped
/// one says why), or a file could not be written; 2: bad input.
pub(crate) fn run(command: TodosCommand) -> Result<ExitCode> {
    let TodosCommand::Link(args) = command;
    let text = crate::source::read_utf8(&args.map)
        .map_err(|e| miette!("cannot read {}: {e}", args.map.display()))?;
    let links = todo_link::read_map(&text).map_err(|e| miette!("{}: {e}", args.map.display()))?;
    let session = open_run(
        &args.config,
        args.paths.first().map(PathBuf::as_path),
        None,
        &[],
        &[],
    )?;
    if session.rules.feeder(Report::Todos).is_none() {
        return Err(miette!(
            help = "add a pack that defines one (builtin:t4 does)",
            "no active rule feeds the `todos` inventory"
        ));
    }
    let opts = LintOptions {
        paths: default_paths(&args.paths),
        threads: args.threads,
        collect: Some(Report::Todos),
        ..Default::default()
    };
    let run = lint::lint(&session, &opts)?;
    let items = super::reports::todo_items(&run);
    let mut ws = Workspace::new(session.config.root.clone());
    let fix_opts = crate::fix::engine::Options {
        target: session.config.target_version,
        load_reached: false,
    };
    let linked = todo_link::link(&mut ws, &items, &links, fix_opts);
    let (changed, errors) = if args.diff {
        (ws.changed(), Vec::new())
    } else {
        ws.write()
    };
    let mut notes: String = linked.skipped.iter().map(|s| format!("{s}\n")).collect();
    for (path, e) in &errors {
        notes.push_str(&format!("error: {path}: {e}\n"));
    }
    let verb = if args.diff {
        "Would replace"
    } else {
        "Replaced"
    };
    notes.push_str(&format!(
        "{verb} {} of {} mapped TODO(s) with issue links in {} file(s).\n",
        linked.replaced,
        links.len(),
        changed.len()
    ));
    let out = if args.diff {
        crate::report::diffs(&changed)
    } else {
        String::new()
    };
    emit(&None, &out, &notes)?;
    // An entry the engine did not apply (two for one line) is not done either.
    Ok(if linked.replaced == links.len() && errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
