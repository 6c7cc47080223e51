//! `check = "dynamic"` of `analyzer = "imports"` (LANE002): a dynamic import
//! with a computed module name (no literal prefix) in a lane that forbids
//! them, since the lane guards cannot see where it leads.

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::config::DynamicImports;
use crate::imports::ImportKind;

/// Options of `check = "dynamic"` (LANE002).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamicOptions {
    /// Functions that import by name (`importlib.import_module`,
    /// `builtins.__import__`), resolved through the file's imports.
    #[serde(default = "super::default_calls")]
    pub dynamic_calls: Vec<String>,
    /// Lanes that forbid dynamic imports unless their config says
    /// `dynamic_imports = "allow"`.
    #[serde(default)]
    pub forbid_dynamic_in: Vec<String>,
}

/// The analyzer.
#[derive(Debug)]
pub struct Dynamic {
    opts: DynamicOptions,
}

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    Ok(Box::new(Dynamic {
        opts: crate::analyzers::options(options)?,
    }))
}

impl Analyzer for Dynamic {
    fn variables(&self) -> &'static [&'static str] {
        &["from_lane"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    /// Only files that may import dynamically read the tree.
    fn needs_tree(&self, text: &str) -> bool {
        crate::imports::names_dynamic_call(text, &self.opts.dynamic_calls)
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let Some(lane) = ctx.lane.and_then(|l| ctx.config.lane(l)) else {
            return;
        };
        let forbidden = match lane.dynamic_imports {
            Some(policy) => policy == DynamicImports::Forbid,
            None => self.opts.forbid_dynamic_in.contains(&lane.name),
        };
        if !forbidden {
            return;
        }
        for site in ctx.imports(&self.opts.dynamic_calls).iter() {
            if site.kind == ImportKind::DynamicUnknown {
                hits.push(Hit {
                    fix_refused: None,
                    range: site.range.clone(),
                    vars: vec![("from_lane", lane.name.clone())],
                    fix: None,
                });
            }
        }
    }
}
