//! `rulegate tree` and `rulegate query`: looking at trees and trying
//! queries while writing a pack.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use miette::{Result, miette};

use super::out;
use crate::workbench;

#[derive(Debug, Args)]
pub(crate) struct TreeArgs {
    /// A Python file, or `-` for standard input.
    file: PathBuf,
    /// Also show anonymous tokens (`"async"`, `"("`, `":"`).
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    /// A Python file, or `-` for standard input.
    file: PathBuf,
    /// A tree-sitter query, as a pack's `query` holds it.
    #[arg(required_unless_present = "pattern")]
    query: Option<String>,
    /// Python code with metavariables (`$X`, `$$$XS`, `$_`), as a pack's
    /// `pattern` holds it, instead of QUERY; the query it compiles to is
    /// printed first.
    #[arg(long, conflicts_with = "query")]
    pattern: Option<String>,
    /// A constraint on a capture, as a pack's `where` holds it:
    /// `CAPTURE.KEY=VALUE` (`f.in=print,eval`, `f.regex=^p`,
    /// `call.inside=(function_definition) @d`, `args.not_has={ query = "…", max_depth = 1 }`).
    #[arg(long = "where", value_name = "CAPTURE.KEY=VALUE")]
    wheres: Vec<String>,
    /// The capture a rule would underline (default: the largest).
    #[arg(long, value_name = "CAPTURE")]
    report: Option<String>,
    /// Print the matches as JSON.
    #[arg(long)]
    json: bool,
}

/// The text of FILE, or of standard input for `-` (BOM removed; old-Mac
/// `\r` line breaks read as `\n`, as the linter reads them).
fn read_input(file: &Path) -> Result<String> {
    let name = file.display();
    let bytes = if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| miette!("cannot read standard input: {e}"))?;
        bytes
    } else {
        crate::source::read_regular(file).map_err(|e| miette!("cannot read {name}: {e}"))?
    };
    match crate::source::SourceText::decode(&bytes) {
        Ok(src) => Ok(src.text.to_string()),
        Err(crate::source::DecodeError::NotUtf8 { offset }) => Err(miette!(
            help = "rulegate reads UTF-8 Python files",
            "{name} is not UTF-8 (byte {offset})"
        )),
    }
}

/// `rulegate tree FILE [--all]`.
pub(crate) fn tree(args: TreeArgs) -> Result<ExitCode> {
    let text = read_input(&args.file)?;
    let tree = crate::parse::Worker::new()
        .parse(&text)
        .ok_or_else(|| miette!("could not parse {}", args.file.display()))?;
    out(&format!(
        "{}\n",
        crate::matching::tree::pretty(&tree, &text, args.all)
    ));
    Ok(ExitCode::SUCCESS)
}

/// `rulegate query FILE QUERY [--where …]`: exit 0 when something matched,
/// 1 when nothing did (as grep), 2 on a bad query or file.
pub(crate) fn query(args: QueryArgs) -> Result<ExitCode> {
    let query = match (&args.query, &args.pattern) {
        (Some(q), _) => q.clone(),
        (None, Some(p)) => {
            let compiled = crate::matching::pattern::compile(p).map_err(|e| {
                miette!(
                    help = "see docs/writing-rules.md for what a pattern may say",
                    "invalid pattern at byte {}: {}",
                    e.offset,
                    e.message
                )
            })?;
            // The compiled query, where a reader of the matches sees it.
            let line = format!("pattern compiles to: {}\n", compiled.query);
            if args.json {
                eprint!("{line}");
            } else {
                out(&line);
            }
            compiled.query
        }
        (None, None) => unreachable!("clap requires QUERY or --pattern"),
    };
    let matcher = workbench::compile(&query, &args.wheres, args.report.as_deref())
        .map_err(|e| crate::error::collect(e).expect_err("errors are not empty"))?;
    let text = read_input(&args.file)?;
    let probe = workbench::run(&matcher, &text).map_err(|e| miette!("{e}"))?;
    if probe.syntax_errors {
        eprintln!(
            "warning: {} has syntax errors; matches in the broken parts may be missing",
            args.file.display()
        );
    }
    if args.json {
        let json = serde_json::to_string_pretty(&probe.matches).expect("matches serialize");
        out(&format!("{json}\n"));
    } else {
        out(&workbench::render(&args.file.display().to_string(), &probe));
    }
    Ok(if probe.matches.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
