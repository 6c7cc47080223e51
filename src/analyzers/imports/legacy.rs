//! `check = "legacy"` of `analyzer = "imports"` (LEG001): an import of a
//! banned module prefix, which renames cover and the fix that rewrites them.
//! A prefix matches by whole module-path segments, so `matriz` covers
//! `matriz` and `matriz.core`, never `matrizzz` or `MATRIZ`.

use serde::Deserialize;
use tree_sitter::Node;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::finding::Applicability;
use crate::finding::{Edit, Fix};
use crate::imports::{ImportKind, ImportSite};

/// One banned prefix and its replacement.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// Banned module prefix (`matriz`).
    pub from: String,
    /// Replacement (`MATRIZ`).
    pub to: String,
}

fn is_dotted_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|seg| {
            seg.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

impl Rename {
    /// Checks both sides are dotted module names.
    pub fn validate(&self) -> Result<(), String> {
        for side in [&self.from, &self.to] {
            if !is_dotted_name(side) {
                return Err(format!("`{side}` in renames is not a dotted module name"));
            }
        }
        Ok(())
    }

    /// Whether `module` is the banned prefix or inside it.
    pub fn matches(&self, module: &str) -> bool {
        module == self.from
            || module
                .strip_prefix(self.from.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    }

    /// `module` with the prefix replaced.
    pub fn apply(&self, module: &str) -> String {
        format!("{}{}", self.to, &module[self.from.len()..])
    }
}

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
        Some(self.opts.renames.iter().map(|r| r.from.clone()).collect())
    }

    // `needs_tree` keeps its default: the fixes rename uses in the tree.

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let sites = ctx.imports(&self.opts.dynamic_calls);
        for site in sites.iter().filter(|s| s.level == 0) {
            let Some(rename) = self.opts.renames.iter().find(|r| r.matches(&site.module)) else {
                continue;
            };
            let new_module = rename.apply(&site.module);
            hits.push(Hit {
                fix_refused: None,
                range: site.module_range.clone(),
                vars: vec![
                    ("module", site.module.clone()),
                    ("new_module", new_module.clone()),
                    ("kind", site.kind.as_str().to_string()),
                ],
                fix: rename_fix(ctx, site, rename, &new_module),
            });
        }
    }

    fn fixable(&self) -> bool {
        true
    }
}

/// The fix for a legacy import. `from x import y`, `import x as y` and
/// dynamic-import strings only change the module name: safe. `import x.y`
/// binds `x`, so every use of `x` in the file is rewritten in the same fix;
/// that is safe when every use is a plain reference, unsafe when the name is
/// also bound some other way (or the prefix has several segments).
fn rename_fix(ctx: &FileCtx, site: &ImportSite, rename: &Rename, new_module: &str) -> Option<Fix> {
    let module_edit = Edit::new(None, site.module_range.clone(), new_module.to_string());
    let message = format!("Import `{new_module}` instead");
    let simple = matches!(
        site.kind,
        ImportKind::From | ImportKind::Dynamic | ImportKind::DynamicPrefix
    ) || site.binds.is_none();
    if simple {
        return Fix::new(Applicability::Safe, message, vec![module_edit]);
    }
    let bound = site.binds.as_deref()?;
    let mut edits = vec![module_edit];
    let single_segment = !rename.from.contains('.');
    let mut safe = single_segment;
    if single_segment {
        let new_bound = rename.to.split('.').next().unwrap_or(&rename.to);
        let (uses, other_bindings) = references(ctx, bound);
        safe = !other_bindings;
        let rewritten = if rename.to.contains('.') {
            rename.to.as_str()
        } else {
            new_bound
        };
        edits.extend(
            uses.into_iter()
                .map(|range| Edit::new(None, range, rewritten.to_string())),
        );
    }
    let applicability = if safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Fix::new(
        applicability,
        format!("{message}, and rename its uses"),
        edits,
    )
}

/// Ranges of plain references to `name` outside imports, and whether the
/// name is also bound otherwise (assigned, a parameter, a `def`, `global`).
fn references(ctx: &FileCtx, name: &str) -> (Vec<std::ops::Range<usize>>, bool) {
    let mut uses = Vec::new();
    let mut other_binding = false;
    let mut stack = vec![ctx.tree().root_node()];
    while let Some(node) = stack.pop() {
        if matches!(
            node.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        ) {
            continue;
        }
        if node.kind() == "identifier" && &ctx.text[node.byte_range()] == name {
            match role(node) {
                Role::Reference => uses.push(node.byte_range()),
                Role::NotAName => {}
                Role::Binding => other_binding = true,
            }
            continue;
        }
        let mut c = node.walk();
        stack.extend(node.named_children(&mut c));
    }
    uses.sort_by_key(|r| r.start);
    (uses, other_binding)
}

enum Role {
    Reference,
    NotAName,
    Binding,
}

fn role(node: Node) -> Role {
    let Some(parent) = node.parent() else {
        return Role::Reference;
    };
    let is_field = |field: &str| {
        parent
            .child_by_field_name(field)
            .is_some_and(|c| c.id() == node.id())
    };
    match parent.kind() {
        "attribute" if is_field("attribute") => Role::NotAName,
        "keyword_argument" if is_field("name") => Role::NotAName,
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause"
            if is_field("left") =>
        {
            Role::Binding
        }
        "function_definition"
        | "class_definition"
        | "named_expression"
        | "default_parameter"
        | "typed_default_parameter"
            if is_field("name") =>
        {
            Role::Binding
        }
        "parameters"
        | "lambda_parameters"
        | "typed_parameter"
        | "global_statement"
        | "nonlocal_statement"
        | "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "as_pattern_target"
        | "list_splat_pattern"
        | "dictionary_splat_pattern" => Role::Binding,
        _ => Role::Reference,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments() {
        let r = Rename {
            from: "matriz".into(),
            to: "MATRIZ".into(),
        };
        assert!(r.matches("matriz"));
        assert!(r.matches("matriz.core"));
        assert!(!r.matches("matrizzz"));
        assert!(!r.matches("MATRIZ"));
        assert!(!r.matches("lukhas.matriz"));
        assert_eq!(r.apply("matriz.core.x"), "MATRIZ.core.x");
        assert!(
            Rename {
                from: "a b".into(),
                to: "c".into()
            }
            .validate()
            .is_err()
        );
    }
}
