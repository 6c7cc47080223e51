//! `check = "shadowed"` of `analyzer = "missing-export"` (STUB002):
//! `pkg/bio.py` beside a package `pkg/bio/__init__.py`, which Python's path
//! finder imports instead, so the module file is dead code.
//!
//! Its unsafe fix deletes the module when the package provides every name
//! the repository imports from `pkg.bio` (then nothing the code asks for is
//! lost). Looking that up reads every Python file of the project, so it is
//! done only for a file that has the finding, which is rare. When the
//! package lacks some of them, another unsafe fix merges the module into
//! the package's `__init__.py` (and deletes it), if no name clashes and the
//! module has no relative import and no call that runs at import time:
//! merging runs that code for the first time, and relative imports would
//! change their anchor.

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::finding::{Applicability, Edit, Fix, FixRefused};
use crate::imports::{ImportKind, ImportSite};
use crate::symbols::Export;

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

    fn fixable(&self) -> bool {
        true
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
            let path = ctx.config.root.join(&package);
            let resolver = ctx.project.modules.resolver();
            if resolver.probe(&path, ctx.project.deps) == crate::deps::Kind::File {
                let (fix, fix_refused) = match delete_fix(ctx, &package) {
                    Ok(fix) => (fix, None),
                    Err(reason) => match merge_fix(ctx, &package) {
                        Ok(fix) => (fix, None),
                        Err(why_not) => {
                            let reason = format!("not deleted: {reason}; not merged: {why_not}");
                            (
                                None,
                                Some(FixRefused::new("shadowed-module-in-use", reason)),
                            )
                        }
                    },
                };
                hits.push(Hit {
                    fix_refused,
                    range: 0..0,
                    vars: vec![("module", ctx.path.to_string()), ("package", package)],
                    fix,
                });
                return;
            }
        }
    }
}

/// The fix that deletes the shadowed module, or why it is not offered.
fn delete_fix(ctx: &FileCtx, package: &str) -> Result<Option<Fix>, String> {
    if !ctx.path.ends_with(".py") {
        return Ok(None); // a stub file beside a package: left to the user
    }
    let resolver = ctx.project.modules.resolver();
    let (dotted, _) = resolver.module_of(ctx.path);
    let names = imported_names(ctx, &dotted)?;
    let overlay = |rel: &str| ctx.overlay.and_then(|o| o.get(rel)).map(String::as_str);
    for (name, importer) in &names {
        if ctx.resolve(&format!("{dotted}.{name}")).is_some() {
            continue; // a submodule of the package
        }
        let exported = ctx.project.symbols.exports(
            &ctx.project.modules,
            &overlay,
            package,
            name,
            &mut Vec::new(),
            ctx.prefetch,
        );
        match exported {
            Export::Defined => {}
            Export::Missing => {
                return Err(format!(
                    "{importer} imports `{name}` from `{dotted}`, which the package does not define: move the module's names into {package} first"
                ));
            }
            Export::Unknowable => {
                return Err(format!(
                    "whether {package} provides `{name}` (imported by {importer}) cannot be known statically"
                ));
            }
        }
    }
    Ok(Fix::new(
        Applicability::Unsafe,
        format!(
            "Delete {}: the package provides every name the repository imports from `{dotted}`",
            ctx.path
        ),
        vec![Edit::delete(ctx.path.to_string())],
    ))
}

/// The names every module has without binding them (symbol tables list
/// them): not a clash.
const IMPLICIT: &[&str] = &[
    "__annotations__",
    "__builtins__",
    "__cached__",
    "__dict__",
    "__doc__",
    "__file__",
    "__loader__",
    "__name__",
    "__package__",
    "__path__",
    "__spec__",
];

/// The fix that appends the module to the package's `__init__.py` and
/// deletes it, or why it is not offered.
fn merge_fix(ctx: &FileCtx, package: &str) -> Result<Option<Fix>, String> {
    if !package.ends_with(".py") || !ctx.path.ends_with(".py") {
        return Ok(None);
    }
    if let Some(why) = runs_code_or_is_relative(ctx.tree().root_node(), ctx.text) {
        return Err(why);
    }
    let package_text = match ctx.overlay.and_then(|o| o.get(package)) {
        Some(t) => t.clone(),
        None => {
            let path = ctx.config.root.join(package);
            let text = crate::source::read_body(&path).map_err(|e| format!("{package}: {e}"))?;
            ctx.project
                .deps
                .read(&path, Some(crate::hash::digest(text.as_bytes())));
            text
        }
    };
    let symbols = &ctx.project.symbols;
    let root = &ctx.config.root;
    let own = symbols.get(root, ctx.path, Some(ctx.text), ctx.prefetch);
    let theirs = symbols.get(root, package, Some(&package_text), ctx.prefetch);
    let (Some(own), Some(theirs)) = (own, theirs) else {
        return Err("a file does not parse".into());
    };
    if own.is_unknowable() || theirs.is_unknowable() {
        return Err("the names of the module or the package cannot be known".into());
    }
    let mut clashes: Vec<&String> = own
        .names
        .intersection(&theirs.names)
        .filter(|n| !IMPLICIT.contains(&n.as_str()))
        .collect();
    if !clashes.is_empty() {
        clashes.sort();
        let list: Vec<String> = clashes.iter().map(|n| format!("`{n}`")).collect();
        return Err(format!("both bind {}", list.join(", ")));
    }
    let sep = if package_text.is_empty() || package_text.ends_with("\n\n") {
        ""
    } else if package_text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let end = package_text.len();
    let merged = format!("{sep}# Merged from {} (STUB002).\n{}", ctx.path, ctx.text);
    Ok(Fix::new(
        Applicability::Unsafe,
        format!(
            "Merge {} into {package} and delete it: its definitions run for the first time",
            ctx.path
        ),
        vec![
            Edit::new(Some(package.to_string()), end..end, merged),
            Edit::delete(ctx.path.to_string()),
        ],
    ))
}

/// Why merging would change what runs: a relative import (its anchor
/// moves), a `__future__` import (it must stay first), or a call at import
/// time (outside any function body: module level, class bodies,
/// decorators and default values all run on import).
fn runs_code_or_is_relative(root: tree_sitter::Node, text: &str) -> Option<String> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "function_definition" | "lambda" => {
                // Only what runs when the function is defined: its
                // parameters' defaults (decorators are on the parent).
                if let Some(p) = node.child_by_field_name("parameters") {
                    stack.push(p);
                }
                continue;
            }
            "call" => {
                let line = node.start_position().row + 1;
                let call = &text[node.byte_range()];
                let call = call.lines().next().unwrap_or(call);
                return Some(format!(
                    "line {line} calls `{call}` at import time, which merging would run for the first time"
                ));
            }
            "future_import_statement" => {
                return Some("a `__future__` import must stay first".into());
            }
            "import_from_statement" => {
                let spec = text[node.byte_range()]
                    .trim_start_matches("from")
                    .trim_start();
                if spec.starts_with('.') {
                    return Some("a relative import would change its anchor".into());
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    None
}

/// Every name the project's other files import from `dotted`, with a file
/// that imports it; an error when some file uses the module in a way whose
/// names cannot be listed (`import a.b`, a star import, a dynamic import).
fn imported_names(ctx: &FileCtx, dotted: &str) -> Result<Vec<(String, String)>, String> {
    let last = dotted.rsplit('.').next().unwrap_or(dotted);
    let parent = dotted.rsplit_once('.').map_or("", |(p, _)| p);
    let resolver = ctx.project.modules.resolver();
    let mut worker = None;
    let mut out: Vec<(String, String)> = Vec::new();
    let root = [ctx.config.root.clone()];
    for file in crate::walk::collect(ctx.config, &root, false) {
        if file.rel == ctx.path {
            continue;
        }
        let Ok(text) = crate::source::read_body(&file.path) else {
            continue;
        };
        ctx.project
            .deps
            .read(&file.path, Some(crate::hash::digest(text.as_bytes())));
        if !text.contains(last) {
            continue;
        }
        let sites = crate::imports::scan::static_imports(&text).or_else(|| {
            let w = worker.get_or_insert_with(crate::parse::Worker::new);
            let tree = w.parse(&text)?;
            Some(crate::imports::extract(&tree, &text, &default_calls()))
        });
        for site in sites.unwrap_or_default() {
            let Ok(abs) = resolver.absolute(&file.rel, &site.module, site.level, None) else {
                continue;
            };
            use_of(&site, &abs, dotted, parent, last, &file.rel, &mut out)?;
        }
    }
    Ok(out)
}

fn default_calls() -> Vec<String> {
    crate::imports::DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Adds what `site` (in `importer`, its module `abs` made absolute) imports
/// from `dotted`, or says why that cannot be listed.
fn use_of(
    site: &ImportSite,
    abs: &str,
    dotted: &str,
    parent: &str,
    last: &str,
    importer: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let whole = || {
        Err(format!(
            "{importer} imports `{dotted}` as a module: the names it uses are not listed"
        ))
    };
    match site.kind {
        ImportKind::From if abs == dotted => {
            if site.star {
                return Err(format!("{importer} star-imports `{dotted}`"));
            }
            out.extend(
                site.names
                    .iter()
                    .map(|n| (n.name.clone(), importer.to_string())),
            );
            Ok(())
        }
        ImportKind::From if abs == parent && site.names.iter().any(|n| n.name == last) => whole(),
        ImportKind::Import if abs == dotted => whole(),
        ImportKind::Dynamic | ImportKind::DynamicPrefix if abs == dotted => whole(),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(kind: ImportKind, module: &str, names: &[&str], star: bool) -> ImportSite {
        ImportSite {
            kind,
            module: module.into(),
            level: 0,
            package: None,
            module_range: 0..0,
            range: 0..0,
            names: names
                .iter()
                .map(|n| crate::imports::ImportedName {
                    name: n.to_string(),
                    range: 0..0,
                })
                .collect(),
            star,
            binds: None,
            typing_only: false,
            nested: false,
            guarded: false,
        }
    }

    #[test]
    fn names_are_listed_and_whole_module_uses_refused() {
        let mut out = Vec::new();
        let from = site(ImportKind::From, "pkg.bio", &["A", "B"], false);
        assert!(use_of(&from, "pkg.bio", "pkg.bio", "pkg", "bio", "a.py", &mut out).is_ok());
        assert_eq!(out.len(), 2);
        let star = site(ImportKind::From, "pkg.bio", &[], true);
        assert!(use_of(&star, "pkg.bio", "pkg.bio", "pkg", "bio", "a.py", &mut out).is_err());
        let module = site(ImportKind::From, "pkg", &["bio"], false);
        assert!(use_of(&module, "pkg", "pkg.bio", "pkg", "bio", "a.py", &mut out).is_err());
        let import = site(ImportKind::Import, "pkg.bio", &[], false);
        assert!(
            use_of(
                &import, "pkg.bio", "pkg.bio", "pkg", "bio", "a.py", &mut out
            )
            .is_err()
        );
        let other = site(ImportKind::Import, "pkg.bio.sub", &[], false);
        assert!(
            use_of(
                &other,
                "pkg.bio.sub",
                "pkg.bio",
                "pkg",
                "bio",
                "a.py",
                &mut out
            )
            .is_ok()
        );
    }
}
