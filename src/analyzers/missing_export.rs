//! The `missing-export` analyzer (SPEC §4.5):
//!
//! - `check = "missing"` (STUB001): `from pkg.mod import Name` where
//!   `pkg.mod` is a knowable module of the repository that neither binds nor
//!   re-exports `Name`: the `ImportError: cannot import name` that pytest
//!   collection would hit. Its unsafe fix adds a stub built from the pack's
//!   templates to the target module.
//! - `check = "shadowed"` (STUB002): `pkg/bio.py` beside a package
//!   `pkg/bio/__init__.py`, which Python imports instead.
//! - `check = "module"` (STUB003): an import of a first-party module that
//!   does not exist (see `missing_module`); its fix creates a bridge.

use serde::Deserialize;

use super::missing_module::{allowed_candidates, bridge_fix, missing_modules};
use super::stub_template::{StubOptions, Stubs};
use super::{Analyzer, FileCtx, Hit};
use crate::finding::Applicability;
use crate::finding::{Edit, Fix};
use crate::imports::resolve::TargetKind;
use crate::imports::{DEFAULT_DYNAMIC_CALLS, ImportKind};
use crate::symbols::Export;

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportCheck {
    /// STUB001.
    Missing,
    /// STUB002.
    Shadowed,
    /// STUB003.
    Module,
}

/// Options of `analyzer = "missing-export"`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingExportOptions {
    /// Which check.
    pub check: ExportCheck,
    /// Stub templates for the fix (`missing` only; no fix without them).
    #[serde(default)]
    pub stubs: Option<StubOptions>,
}

/// The analyzer.
#[derive(Debug)]
pub struct MissingExport {
    check: ExportCheck,
    stubs: Option<Stubs>,
    /// The import extraction's dynamic-import functions (the default list,
    /// so the file's extracted imports are shared with the `imports` rules).
    dynamic_calls: Vec<String>,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let opts: MissingExportOptions = super::options(options)?;
    Ok(Box::new(MissingExport {
        check: opts.check,
        stubs: opts.stubs.map(Stubs::new).transpose()?,
        dynamic_calls: DEFAULT_DYNAMIC_CALLS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    }))
}

/// One name a module of the repository does not export.
#[derive(Debug, Clone)]
pub struct Missing {
    /// The name.
    pub name: String,
    /// Absolute module name.
    pub module: String,
    /// Its file.
    pub target: String,
    /// Where the name is written in the importing file.
    pub range: std::ops::Range<usize>,
}

impl MissingExport {
    /// The stub fix for `missing`, if the target can take one.
    pub fn fix(&self, ctx: &FileCtx, m: &Missing) -> Option<Fix> {
        let overlay = ctx.overlay.and_then(|o| o.get(&m.target));
        let text = match overlay {
            Some(t) => t.clone(),
            None => read_text(&ctx.config.root.join(&m.target), ctx.project.deps)?,
        };
        let edits = stub_edits(
            ctx.project,
            self.stubs.as_ref()?,
            m,
            &text,
            overlay.is_none(),
        )?
        .into_iter()
        .map(|e| Edit {
            file: (m.target != ctx.path).then(|| m.target.clone()),
            ..e
        })
        .collect();
        Fix::new(
            Applicability::Unsafe,
            format!("Add a fallback stub for `{}` to {}", m.name, m.target),
            edits,
        )
    }
}

/// A file's text, if it can be read as UTF-8.
pub fn read_text(path: &std::path::Path, deps: crate::deps::Deps) -> Option<String> {
    let text = crate::source::read_body(path).ok();
    if deps.on() {
        deps.read(
            path,
            text.as_ref().map(|t| crate::hash::digest(t.as_bytes())),
        );
    }
    text
}

/// The edits adding a stub for `m` to its target module, whose text is
/// `text` (`on_disk`: as on disk, so the run's table of the file serves);
/// `None` when the target is unknowable or does not parse.
pub fn stub_edits(
    project: crate::project::ProjectView,
    stubs: &Stubs,
    m: &Missing,
    text: &str,
    on_disk: bool,
) -> Option<Vec<Edit>> {
    let table = project.symbols.get(
        project.modules.root(),
        &m.target,
        (!on_disk).then_some(text),
        None,
    )?;
    if table.has_errors {
        return None;
    }
    if table.bridge_stubs_end.is_some() {
        return stubs.bridge_insertion(&m.name, &m.module, text, &table);
    }
    if table.unknowable.is_some() {
        return None;
    }
    Some(stubs.insertion(&m.name, &m.module, text, &table))
}

/// The names of `from … import` statements of a file that their repository
/// module does not export (unknowable modules are skipped).
pub fn missing_names(ctx: &FileCtx, dynamic_calls: &[String]) -> Vec<Missing> {
    let resolver = &ctx.project.modules;
    let overlay = |rel: &str| ctx.overlay.and_then(|o| o.get(rel)).map(String::as_str);
    let mut out = Vec::new();
    let sites = ctx.imports(dynamic_calls);
    // `from` imports of repository modules, with the module and its file.
    // A guarded import (`try: … except ImportError:`) expects to fail: the
    // seeds' candidate bridge is exactly that.
    let resolved: Vec<_> = sites
        .iter()
        .filter(|s| s.kind == ImportKind::From && !s.star && !s.guarded)
        .filter_map(|s| {
            let module = resolver.absolute(ctx.path, &s.module, s.level, None).ok()?;
            let target = ctx.resolve(&module)?;
            Some((s, module, target))
        })
        .collect();
    // The tables the loop reads, produced in parallel first.
    let tables: Vec<&str> = resolved
        .iter()
        .map(|(_, _, t)| t)
        .filter(|t| t.kind != TargetKind::Namespace && overlay(&t.rel).is_none())
        .map(|t| t.rel.as_str())
        .collect();
    ctx.project
        .symbols
        .warm(resolver.root(), &tables, ctx.prefetch);
    for (site, module, target) in resolved {
        for n in &site.names {
            let sub = format!("{module}.{}", n.name);
            if target.kind != TargetKind::Module && ctx.resolve(&sub).is_some() {
                continue; // a submodule
            }
            let exported = match target.kind {
                TargetKind::Namespace => Export::Missing,
                _ => ctx.project.symbols.exports(
                    resolver,
                    &overlay,
                    &target.rel,
                    &n.name,
                    &mut Vec::new(),
                    ctx.prefetch,
                ),
            };
            if exported == Export::Missing {
                out.push(Missing {
                    name: n.name.clone(),
                    module: module.clone(),
                    target: target.rel.clone(),
                    range: n.range.clone(),
                });
            }
        }
    }
    out
}

impl Analyzer for MissingExport {
    fn variables(&self) -> &'static [&'static str] {
        match self.check {
            ExportCheck::Missing => &["name", "module", "target"],
            ExportCheck::Shadowed => &["module", "package"],
            ExportCheck::Module => &["module", "missing", "path"],
        }
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        match self.check {
            ExportCheck::Missing | ExportCheck::Module => Some(vec!["import".to_string()]),
            ExportCheck::Shadowed => None,
        }
    }

    fn fixable(&self) -> bool {
        match self.check {
            ExportCheck::Missing => self.stubs.is_some(),
            ExportCheck::Module => self.stubs.as_ref().is_some_and(Stubs::has_bridge),
            ExportCheck::Shadowed => false,
        }
    }

    fn needs_symbols(&self) -> bool {
        true
    }

    fn stubs(&self) -> Option<&Stubs> {
        self.stubs.as_ref()
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        match self.check {
            ExportCheck::Missing => {
                for m in missing_names(ctx, &self.dynamic_calls) {
                    hits.push(Hit {
                        range: m.range.clone(),
                        fix: self.fix(ctx, &m),
                        vars: vec![("name", m.name), ("module", m.module), ("target", m.target)],
                    });
                }
            }
            ExportCheck::Module => {
                let layout = self.stubs.as_ref().map(Stubs::layout).unwrap_or_default();
                for m in missing_modules(ctx, &self.dynamic_calls, layout) {
                    let path = m.bridge_path().unwrap_or_default().to_string();
                    let fix = self.stubs.as_ref().and_then(|s| {
                        let candidates = allowed_candidates(ctx.config, ctx.project, s, &m);
                        bridge_fix(s, &m, candidates)
                    });
                    hits.push(Hit {
                        range: m.range.clone(),
                        fix,
                        vars: vec![("module", m.module), ("missing", m.missing), ("path", path)],
                    });
                }
            }
            ExportCheck::Shadowed => {
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
                    if ctx.project.deps.probe(&ctx.config.root.join(&package))
                        == crate::deps::Kind::File
                    {
                        hits.push(Hit {
                            range: 0..0,
                            vars: vec![("module", ctx.path.to_string()), ("package", package)],
                            fix: None,
                        });
                        return;
                    }
                }
            }
        }
    }
}
