//! `check = "module"` of `analyzer = "missing-export"` (STUB003, SPEC §4.7):
//! `import a.b.c` / `from a.b import c` where `a` is a first-party package
//! but `a.b` resolves to no file of the repository and nothing makes it exist
//! at run time: the `ModuleNotFoundError` pytest collection would hit. Its unsafe fix creates the missing module as a
//! bridge (candidate sources, then a fallback per imported name), with an
//! `__init__.py` for each missing package on the way.

use serde::Deserialize;

use super::stub_template::{ModuleLayout, StubOptions, Stubs};
use crate::analyzers::imports::may_import;
use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::config::Config;
use crate::finding::{Applicability, Edit, Fix};
use crate::imports::ImportKind;
use crate::imports::resolve::TargetKind;
use crate::project::ProjectView;

/// Options of `check = "module"` (STUB003). A pack shares STUB001's stub
/// templates with `options_from = "STUB001"`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleOptions {
    /// Stub templates: the bridge template and the candidate sources make
    /// the fix (no fix without a bridge template); `module_layout` says
    /// where a missing module is created.
    #[serde(default)]
    pub stubs: Option<StubOptions>,
}

/// The analyzer.
#[derive(Debug)]
pub struct MissingModules {
    stubs: Option<Stubs>,
    /// The import extraction's dynamic-import functions.
    dynamic_calls: Vec<String>,
}

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let opts: ModuleOptions = crate::analyzers::options(options)?;
    Ok(Box::new(MissingModules {
        stubs: opts.stubs.map(Stubs::new).transpose()?,
        dynamic_calls: super::dynamic_calls(),
    }))
}

impl MissingModules {
    /// The stub templates it fixes with, if the rule has some (`rulegate
    /// stubs` makes bridges with them).
    pub fn stubs(&self) -> Option<&Stubs> {
        self.stubs.as_ref()
    }
}

impl Analyzer for MissingModules {
    fn variables(&self) -> &'static [&'static str] {
        &["module", "missing", "path"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    fn fixable(&self) -> bool {
        self.stubs.as_ref().is_some_and(Stubs::has_bridge)
    }

    fn needs_symbols(&self) -> bool {
        true
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let layout = self.stubs.as_ref().map(Stubs::layout).unwrap_or_default();
        for m in missing_modules(ctx, &self.dynamic_calls, layout) {
            let path = m.bridge_path().unwrap_or_default().to_string();
            let fix = self.stubs.as_ref().and_then(|s| {
                let candidates = allowed_candidates(ctx.config, ctx.project, s, &m);
                bridge_fix(s, &m, candidates)
            });
            hits.push(Hit {
                fix_refused: None,
                range: m.range.clone(),
                fix,
                vars: vec![("module", m.module), ("missing", m.missing), ("path", path)],
            });
        }
    }
}

/// One import of a first-party module that does not exist.
#[derive(Debug, Clone)]
pub struct MissingModule {
    /// The module imported (absolute dotted name).
    pub module: String,
    /// Its first prefix that does not exist (what `No module named` says).
    pub missing: String,
    /// Names imported from it (`from m import a, b`), for the fallbacks.
    pub names: Vec<String>,
    /// Where the import names the module.
    pub range: std::ops::Range<usize>,
    /// The files the fix creates: (path, whether it is the bridge itself),
    /// `None` when the module cannot be created (its parent is a module
    /// file, not a package).
    pub files: Option<Vec<(String, bool)>>,
}

/// The imports of a file whose first-party module does not exist.
pub fn missing_modules(
    ctx: &FileCtx,
    dynamic_calls: &[String],
    layout: ModuleLayout,
) -> Vec<MissingModule> {
    let mut out = Vec::new();
    // A bridge's candidates are loaded by name and may well be missing:
    // that is what its fallbacks are for.
    // (Looked for at the first dynamic import: most files have none.)
    let in_bridge = std::cell::OnceCell::new();
    let in_bridge = || *in_bridge.get_or_init(|| ctx.text.contains(crate::symbols::BRIDGE_MARKER));
    for site in ctx.imports(dynamic_calls).iter() {
        // A guarded import expects to fail; `TYPE_CHECKING` ones never run.
        if site.guarded || site.typing_only || site.kind.is_dynamic() && in_bridge() {
            continue;
        }
        if !matches!(
            site.kind,
            ImportKind::Import | ImportKind::From | ImportKind::Dynamic
        ) {
            continue;
        }
        let resolver = &ctx.project.modules;
        let Ok(module) = resolver.absolute(ctx.path, &site.module, site.level, None) else {
            continue;
        };
        let parts: Vec<&str> = module.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            continue;
        }
        // Third-party (or stdlib) names never count: the top-level package
        // must be the repository's.
        let Some(mut parent) = ctx.resolve(parts[0]) else {
            continue;
        };
        let mut first_missing = None;
        for i in 2..=parts.len() {
            match ctx.resolve(&parts[..i].join(".")) {
                Some(t) => parent = t,
                None => {
                    first_missing = Some(i);
                    break;
                }
            }
        }
        let Some(i) = first_missing else { continue };
        // A compiled extension (`_speedups.cpython-311-….so`) is a module
        // the resolver does not index (the import graph is of sources).
        let base = match parent.kind {
            TargetKind::Module => None, // `a.py`: `a` is not a package
            TargetKind::Package => Some(parent.rel.rsplit_once('/').map_or("", |(d, _)| d)),
            TargetKind::Namespace => Some(parent.rel.as_str()),
        };
        if let Some(base) = base
            && ctx
                .project
                .deps
                .extension_module(&ctx.project.modules.root().join(base), parts[i - 1])
        {
            continue;
        }
        let missing = parts[..i].join(".");
        if made_at_run_time(ctx, &parent, &module, &missing) {
            continue;
        }
        let files = base.map(|base| created_files(base, &parts[i - 1..], layout));
        out.push(MissingModule {
            module: module.clone(),
            missing,
            names: site.names.iter().map(|n| n.name.clone()).collect(),
            range: site.module_range.clone(),
            files,
        });
    }
    out
}

/// Whether something makes the module exist at run time: a module
/// `__getattr__`, writes to `sys.modules` or `globals()`, or `__path__` in
/// the existing parent; or an `importlib.util.find_spec` check of it in the
/// importing file.
fn made_at_run_time(
    ctx: &FileCtx,
    parent: &crate::imports::resolve::Target,
    module: &str,
    missing: &str,
) -> bool {
    if parent.kind != TargetKind::Namespace {
        let text = ctx.overlay.and_then(|o| o.get(&parent.rel));
        let table = ctx.project.symbols.get(
            ctx.project.modules.root(),
            &parent.rel,
            text.map(String::as_str),
            ctx.prefetch,
        );
        match table {
            Some(t) if t.unknowable.is_some() || t.touches_path => return true,
            None => return true, // unreadable: no verdict
            Some(_) => {}
        }
    }
    ctx.text.contains("find_spec")
        && [module, missing]
            .iter()
            .any(|m| ctx.text.contains(&format!("\"{m}\"")) || ctx.text.contains(&format!("'{m}'")))
}

/// The files that make `parts` (from the first missing one to the module)
/// exist under `base`: an `__init__.py` per missing package on the way,
/// then the module itself (`true`).
fn created_files(base: &str, parts: &[&str], layout: ModuleLayout) -> Vec<(String, bool)> {
    let join = |segs: &[&str]| {
        let tail = segs.join("/");
        if base.is_empty() {
            tail
        } else {
            format!("{base}/{tail}")
        }
    };
    let mut files: Vec<(String, bool)> = (1..parts.len())
        .map(|j| (format!("{}/__init__.py", join(&parts[..j])), false))
        .collect();
    files.push(match layout {
        ModuleLayout::Package => (format!("{}/__init__.py", join(parts)), true),
        ModuleLayout::Module => (format!("{}.py", join(parts)), true),
    });
    files
}

/// The bridge's candidate sources that its lane may import: a fix must not
/// break a lane guard (the others are left out, and the fix says so).
pub fn allowed_candidates(
    config: &Config,
    project: ProjectView,
    stubs: &Stubs,
    m: &MissingModule,
) -> (Vec<String>, Vec<String>) {
    let all = stubs.bridge_candidates_for(&m.module);
    let Some(path) = m.bridge_path() else {
        return (all, Vec::new());
    };
    let Some(from) = config.lane_of(path) else {
        return (all, Vec::new());
    };
    all.into_iter()
        .partition(|c| match project.lane_of_module(config, c).0 {
            Some(to) => may_import(from, to),
            None => true,
        })
}

impl MissingModule {
    /// The path of the bridge the fix creates, if it can.
    pub fn bridge_path(&self) -> Option<&str> {
        self.files
            .as_ref()?
            .iter()
            .find(|(_, bridge)| *bridge)
            .map(|(p, _)| p.as_str())
    }
}

/// The fix: create the bridge (and packages on the way) from the pack's
/// template, trying `candidates` (`left_out`: those its lane may not
/// import). `None` without a template or a place to create it.
pub fn bridge_fix(
    stubs: &Stubs,
    m: &MissingModule,
    (candidates, left_out): (Vec<String>, Vec<String>),
) -> Option<Fix> {
    let files = m.files.as_ref()?;
    let bridge = stubs.bridge_module(&m.module, &m.names, &candidates)?;
    let path = m.bridge_path()?.to_string();
    let edits = files
        .iter()
        .map(|(p, is_bridge)| {
            let content = if *is_bridge {
                bridge.clone()
            } else {
                String::new()
            };
            Edit::create(p.clone(), content)
        })
        .collect();
    let mut tries = if candidates.is_empty() {
        String::new()
    } else {
        format!(" (tries {})", candidates.join(", "))
    };
    if !left_out.is_empty() {
        tries.push_str(&format!(
            "; not {}: its lane may not import them",
            left_out.join(", ")
        ));
    }
    Fix::new(
        Applicability::Unsafe,
        format!("Create a bridge module for `{}` at {path}{tries}", m.module),
        edits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_on_the_way_get_an_init() {
        assert_eq!(
            created_files("src/a", &["b", "c"], ModuleLayout::Package),
            [
                ("src/a/b/__init__.py".to_string(), false),
                ("src/a/b/c/__init__.py".to_string(), true)
            ]
        );
        assert_eq!(
            created_files("", &["b"], ModuleLayout::Module),
            [("b.py".to_string(), true)]
        );
    }
}
