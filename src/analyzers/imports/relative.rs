//! `check = "relative"` of `analyzer = "imports"` (IMP001): a relative import
//! that climbs above the top-level package, which Python refuses with
//! `ImportError: attempted relative import beyond top-level package`.

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};

/// Options of `check = "relative"` (IMP001).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelativeOptions {
    /// Functions that import by name (`importlib.import_module`,
    /// `builtins.__import__`), resolved through the file's imports.
    #[serde(default = "super::default_calls")]
    pub dynamic_calls: Vec<String>,
}

/// The analyzer.
#[derive(Debug)]
pub struct Relative {
    opts: RelativeOptions,
}

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    Ok(Box::new(Relative {
        opts: crate::analyzers::options(options)?,
    }))
}

impl Analyzer for Relative {
    fn variables(&self) -> &'static [&'static str] {
        &["package", "level", "module"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    /// Only files that may import dynamically read the tree.
    fn needs_tree(&self, text: &str) -> bool {
        crate::imports::names_dynamic_call(text, &self.opts.dynamic_calls)
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let resolver = &ctx.project.modules;
        for site in ctx.imports(&self.opts.dynamic_calls).iter() {
            if site.level == 0 || site.package.is_some() {
                continue;
            }
            if let Err(e) = resolver.absolute(ctx.path, &site.module, site.level, None) {
                let package = if e.package.is_empty() {
                    "a top-level module (no package)".to_string()
                } else {
                    format!("package `{}`", e.package)
                };
                hits.push(Hit {
                    fix_refused: None,
                    range: site.range.clone(),
                    vars: vec![
                        ("package", package),
                        ("level", e.level.to_string()),
                        ("module", site.module.clone()),
                    ],
                    fix: None,
                });
            }
        }
    }
}
