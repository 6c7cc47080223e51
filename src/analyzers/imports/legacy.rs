//! `check = "legacy"` of `analyzer = "imports"` (LEG001): an import of a
//! banned module prefix, which renames cover and the fix that rewrites them.
//! A prefix matches by whole module-path segments, so `matriz` covers
//! `matriz` and `matriz.core`, never `matrizzz` or `MATRIZ`.

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::finding::{Applicability, Edit, Fix, FixRefused};
use crate::names::BindingKind;
use crate::rename::{FileRename, Outcome, Parsed, RefKind, Rename, Rewrite};

/// Options of `check = "legacy"` (LEG001).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyOptions {
    /// Functions that import by name (`importlib.import_module`,
    /// `builtins.__import__`), resolved through the file's imports.
    #[serde(default = "super::default_calls")]
    pub dynamic_calls: Vec<String>,
    /// Banned prefixes and their replacements (at least one).
    #[serde(default)]
    pub renames: Vec<Rename>,
}

/// The analyzer.
#[derive(Debug)]
pub struct Legacy {
    opts: LegacyOptions,
}

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let opts: LegacyOptions = crate::analyzers::options(options)?;
    if opts.renames.is_empty() {
        return Err("`check = \"legacy\"` needs at least one `[[renames]]`".into());
    }
    for r in &opts.renames {
        r.validate()?;
    }
    Ok(Box::new(Legacy { opts }))
}

impl Analyzer for Legacy {
    fn variables(&self) -> &'static [&'static str] {
        &["module", "new_module", "kind"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(self.opts.renames.iter().map(|r| r.src.clone()).collect())
    }

    // `needs_tree` keeps its default: the fixes rename uses in the tree.

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let sites = ctx.imports(&self.opts.dynamic_calls);
        for rename in &self.opts.renames {
            if !ctx.text.contains(rename.src.as_str()) {
                continue;
            }
            let engine = FileRename {
                rename,
                relative: None,
                moved: false,
                parent_init: false,
                string_calls: &[],
            };
            let outcome = engine.rewrites(&Parsed {
                text: ctx.text,
                tree: ctx.tree(),
                sites: &sites,
                names: ctx.names(),
            });
            hits_of(ctx, rename, &outcome, hits);
        }
    }

    fn fixable(&self) -> bool {
        true
    }
}

/// The kind of legacy reference a rewrite is, for the message; `None` for
/// the rewrites that follow from one (uses, added or removed imports).
fn kind_of(r: &Rewrite) -> Option<&'static str> {
    match r.kind {
        RefKind::Import => Some("import"),
        RefKind::From => Some("from"),
        RefKind::Dynamic => Some("dynamic"),
        RefKind::String => Some("string"),
        _ => None,
    }
}

/// One hit per legacy reference, each with the fix of its statement or
/// call: the reference and every rewrite that follows from it (the uses
/// of the name `import matriz.x` binds, and only that binding).
fn hits_of(ctx: &FileCtx, rename: &Rename, outcome: &Outcome, hits: &mut Vec<Hit>) {
    for primary in &outcome.rewrites {
        let Some(kind) = kind_of(primary) else {
            continue;
        };
        let group: Vec<&Rewrite> = outcome
            .rewrites
            .iter()
            .filter(|r| r.cause == primary.cause)
            .collect();
        let new_module = rename
            .apply(&primary.before)
            .unwrap_or_else(|| primary.after.clone());
        // `import matriz.x` binds `matriz`: its fix is about that name too.
        let binds_uses = group.iter().any(|r| r.kind == RefKind::Attribute)
            || ctx.names().bindings().iter().any(|b| {
                b.range == primary.range && matches!(&b.kind, BindingKind::Import(i) if i.binds_top)
            });
        let shadowed = outcome.conflicts.iter().any(|(_, c)| *c == primary.cause);
        let mut hit = Hit {
            fix_refused: None,
            range: primary.range.clone(),
            vars: vec![
                ("module", primary.before.clone()),
                ("new_module", new_module.clone()),
                ("kind", kind.to_string()),
            ],
            fix: None,
        };
        if shadowed {
            let top = rename.dst.split('.').next().unwrap_or_default();
            hit.fix_refused = Some(FixRefused::new(
                "shadowed",
                format!("not rewritten: a local name `{top}` would shadow `{new_module}`"),
            ));
        } else {
            hit.fix = fix(&group, &new_module, binds_uses);
        }
        hits.push(hit);
    }
}

/// The fix of one group. A rename of the module name alone is safe; one
/// that renames the uses of the name `import matriz.x` binds is unsafe
/// (SPEC §4.3), whatever else binds that name: the user opts in to a
/// rewrite of code beyond the import statement.
fn fix(group: &[&Rewrite], new_module: &str, binds_uses: bool) -> Option<Fix> {
    let edits: Vec<Edit> = group
        .iter()
        .map(|r| Edit::new(None, r.range.clone(), r.after.clone()))
        .collect();
    let message = format!("Import `{new_module}` instead");
    if !binds_uses {
        return Fix::new(Applicability::Safe, message, edits);
    }
    Fix::new(
        Applicability::Unsafe,
        format!("{message}, and rename its uses"),
        edits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments() {
        let r = Rename {
            src: "matriz".into(),
            dst: "MATRIZ".into(),
        };
        assert!(r.covers("matriz"));
        assert!(r.covers("matriz.core"));
        assert!(!r.covers("matrizzz"));
        assert!(!r.covers("MATRIZ"));
        assert!(!r.covers("lukhas.matriz"));
        assert_eq!(r.apply("matriz.core.x").as_deref(), Some("MATRIZ.core.x"));
        assert!(
            Rename {
                src: "a b".into(),
                dst: "c".into()
            }
            .validate()
            .is_err()
        );
    }
}
