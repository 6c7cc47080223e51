//! `check = "shadowed"` of `analyzer = "missing-export"` (STUB002):
//! `pkg/bio.py` beside a package `pkg/bio/__init__.py`, which Python's path
//! finder imports instead, so the module file is dead code.

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};

/// Options of `check = "shadowed"` (STUB002): none besides `check`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShadowedOptions {}

/// The analyzer.
#[derive(Debug)]
pub struct Shadowed;

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let ShadowedOptions {} = crate::analyzers::options(options)?;
    Ok(Box::new(Shadowed))
}

impl Analyzer for Shadowed {
    fn variables(&self) -> &'static [&'static str] {
        &["module", "package"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        None
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let Some(stem) = ctx
            .path
            .strip_suffix(".py")
            .or_else(|| ctx.path.strip_suffix(".pyi"))
        else {
            return;
        };
        if stem.ends_with("/__init__") || stem == "__init__" {
            return;
        }
        for init in ["__init__.py", "__init__.pyi"] {
            let package = format!("{stem}/{init}");
            if ctx.project.deps.probe(&ctx.config.root.join(&package)) == crate::deps::Kind::File {
                hits.push(Hit {
                    fix_refused: None,
                    range: 0..0,
                    vars: vec![("module", ctx.path.to_string()), ("package", package)],
                    fix: None,
                });
                return;
            }
        }
    }
}
