//! `extend = "path/to/base.toml"` (SPEC §2): the chain of config files a
//! config builds on, read this file first and then each base, with a cycle
//! or an unreadable base reported at the `extend` key that names it.

use std::path::{Path, PathBuf};

use super::{ConfigSpec, Pyproject};
use crate::error::SourceDoc;

/// One config file of the chain: its text and what it says.
pub(crate) struct Layer {
    /// The file.
    pub doc: SourceDoc,
    /// What it says.
    pub spec: ConfigSpec,
}

/// Reads `path` and every base it `extend`s, nearest first.
pub(crate) fn read_chain(path: &Path, help: Option<&str>) -> miette::Result<Vec<Layer>> {
    let mut layers = vec![read_one(path, help)?];
    let mut seen: Vec<PathBuf> = vec![canonical(path)];
    loop {
        let last = layers.last().expect("one layer at least");
        let Some(ext) = last.spec.extend.clone() else {
            return Ok(layers);
        };
        let here = Path::new(&last.doc.name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let base = here.join(ext.get_ref());
        if seen.contains(&canonical(&base)) {
            return Err(last
                .doc
                .error(
                    ext.span(),
                    "`extend` makes a cycle",
                    "this base extends this file again",
                )
                .with_help("a base config must not extend the configs built on it")
                .into());
        }
        let layer = read_one(&base, None).map_err(|e| -> miette::Report {
            last.doc
                .error(
                    ext.span(),
                    format!("cannot read the base config {}", base.display()),
                    "here",
                )
                .with_help(format!("{e}"))
                .into()
        })?;
        seen.push(canonical(&base));
        layers.push(layer);
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads one config file (`rulegate.toml`, or `[tool.rulegate]` of a
/// `pyproject.toml`).
fn read_one(path: &Path, help: Option<&str>) -> miette::Result<Layer> {
    let text = crate::source::read_utf8(path).map_err(|e| {
        let message = format!("cannot read config {}: {e}", path.display());
        match help {
            Some(help) => miette::miette!(help = help.to_string(), "{message}"),
            None => miette::miette!("{message}"),
        }
    })?;
    let doc = SourceDoc::new(path.display().to_string(), text);
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let spec = if is_pyproject {
        toml::from_str::<Pyproject>(&doc.text)
            .map_err(|e| doc.toml_error(&e))?
            .tool
            .and_then(|t| t.rulegate)
            .unwrap_or_default()
    } else {
        toml::from_str::<ConfigSpec>(&doc.text).map_err(|e| doc.toml_error(&e))?
    };
    Ok(Layer { doc, spec })
}
