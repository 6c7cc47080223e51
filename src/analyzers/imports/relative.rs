//! `check = "relative"` of `analyzer = "imports"` (IMP001): a relative import
//! that climbs above the top-level package, which Python refuses with
//! `ImportError: attempted relative import beyond top-level package`.

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::finding::{Applicability, Edit, Fix};
use crate::imports::{ImportKind, ImportSite};

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

    fn fixable(&self) -> bool {
        true
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
                    fix: absolute_fix(ctx, site),
                });
            }
        }
    }
}

/// The unsafe fix of an IMP001 hit: the absolute import of the file the
/// dots point at by the folders (`pkg/mod.py`: `from ..x import y` means
/// the `x` beside `pkg`), when that file is a module the `src` roots
/// resolve to under that very name. Unsafe: what the import binds was never
/// imported before (it failed), so its side effects run for the first time.
fn absolute_fix(ctx: &FileCtx, site: &ImportSite) -> Option<Fix> {
    if site.kind != ImportKind::From {
        return None;
    }
    let text = &ctx.text[site.range.clone()];
    let (spec, rest) = split_from(text)?;
    let mut folder: Vec<&str> = ctx.path.split('/').collect();
    folder.pop(); // the file's own name
    for _ in 1..site.level {
        folder.pop()?;
    }
    let path_of = |module: &str| {
        let mut parts = folder.clone();
        parts.extend(module.split('.').filter(|s| !s.is_empty()));
        parts.join("/")
    };
    let resolves_at = |module: &str| -> Option<String> {
        let at = path_of(module);
        let (dotted, _) = ctx
            .project
            .modules
            .resolver()
            .module_of(&format!("{at}.py"));
        let target = ctx.resolve(&dotted).filter(|_| !dotted.is_empty())?;
        let expected = [
            format!("{at}.py"),
            format!("{at}.pyi"),
            format!("{at}/__init__.py"),
            format!("{at}/__init__.pyi"),
            at.clone(),
        ];
        expected.contains(&target.rel).then_some(dotted)
    };
    let content = match resolves_at(&site.module) {
        Some(dotted) => format!("from {dotted} {rest}"),
        // `from .. import a, b` where the dots reach a `src` root: the
        // names must be modules there, imported as such.
        None if site.module.is_empty() && !rest.contains('(') => {
            let all_modules = site.names.iter().all(|n| resolves_at(&n.name).is_some());
            let names = rest.strip_prefix("import")?;
            if !all_modules || site.names.is_empty() || !names.starts_with([' ', '\t']) {
                return None;
            }
            format!("import{names}")
        }
        None => return None,
    };
    let start = site.range.start;
    Fix::new(
        Applicability::Unsafe,
        format!("Import `{spec}` absolutely"),
        vec![Edit::new(None, start..site.range.end, content)],
    )
}

/// `from ..x import y` as (`..x`, `import y`); `None` for spellings a
/// rewrite would have to re-flow (dots split by spaces, continuations).
fn split_from(statement: &str) -> Option<(&str, &str)> {
    let after = statement.strip_prefix("from")?;
    let spec_start = after.len() - after.trim_start_matches([' ', '\t']).len();
    if spec_start == 0 {
        return None;
    }
    let after = &after[spec_start..];
    let end = after
        .find(|c: char| !(c == '.' || c == '_' || c.is_alphanumeric()))
        .unwrap_or(after.len());
    let (spec, rest) = after.split_at(end);
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.starts_with("import").then_some((spec, rest))
}

#[cfg(test)]
mod tests {
    use super::split_from;

    #[test]
    fn splits_the_simple_spellings_only() {
        assert_eq!(
            split_from("from ..x.y import a as b"),
            Some(("..x.y", "import a as b"))
        );
        assert_eq!(
            split_from("from .. import (a, b)"),
            Some(("..", "import (a, b)"))
        );
        assert_eq!(split_from("from . . import a"), None);
        assert_eq!(split_from("from \\\n .. import a"), None);
    }
}
