//! `check = "module"` of `analyzer = "missing-export"` (STUB003, SPEC §4.7):
//! `import a.b.c` / `from a.b import c` where `a` is a first-party package
//! but `a.b` resolves to no file of the repository and nothing makes it exist
//! at run time: the `ModuleNotFoundError` pytest collection would hit. Its unsafe fix creates the missing module as a
//! bridge (candidate sources, then a fallback per imported name), with an
//! `__init__.py` for each missing package on the way.

use serde::Deserialize;

use super::forward::{Place, Source};
use super::stub_template::{ModuleLayout, StubOptions, Stubs};
use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::finding::{Applicability, Edit, Fix};
use crate::imports::ImportKind;
use crate::imports::resolve::TargetKind;

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
        &["module", "missing", "path", "note"]
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
        let place = Place {
            config: ctx.config,
            project: ctx.project,
            today: ctx.today,
            prefetch: ctx.prefetch,
        };
        for m in missing_modules(ctx, &self.dynamic_calls, layout) {
            let path = m.bridge_path().unwrap_or_default().to_string();
            let plan = self.stubs.as_ref().map(|s| (s, plan_bridge(&place, s, &m)));
            let fix = plan.as_ref().and_then(|(s, p)| bridge_fix(s, &m, p));
            let note = plan.map(|(_, p)| p.note).unwrap_or_default();
            hits.push(Hit {
                fix_refused: None,
                range: m.range.clone(),
                fix,
                vars: vec![
                    ("module", m.module),
                    ("missing", m.missing),
                    ("path", path),
                    ("note", note),
                ],
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

/// What a bridge holds: its candidate modules (each with its lane-crossing
/// exception comment, if it is one), a source per imported name that no
/// kept candidate binds, and what the finding says was left out.
#[derive(Debug, Default)]
pub struct BridgePlan {
    /// Modules whose public names the bridge copies, in order.
    pub candidates: Vec<(String, Option<String>)>,
    /// A forward or a fallback per name the candidates do not bind.
    pub names: Vec<(String, Source)>,
    /// Real definitions left out (`bridge_lane_crossing = "forbid"`) or
    /// names defined in several places: for the finding and the fix title.
    pub note: String,
}

/// Plans the bridge for `m`: first the modules with its dotted tail in
/// another root, then the pack's template candidates that resolve to a
/// module binding one of the imported names (a candidate that resolves to
/// no module is never written); then, per name none of them binds, where
/// it really lives ([`Place::locate`]).
pub fn plan_bridge(place: &Place, stubs: &Stubs, m: &MissingModule) -> BridgePlan {
    let holder = m.bridge_path().unwrap_or_default();
    let index = place.project.name_index(place.config, place.prefetch);
    let mut modules = index.same_tail(&m.module, &place.roots(stubs));
    for c in stubs.bridge_candidates_for(&m.module) {
        if !modules.contains(&c) && place.binds_any(&c, &m.names) {
            modules.push(c);
        }
    }
    let mut plan = BridgePlan::default();
    let mut left_out = Vec::new();
    for c in modules {
        match place.forward(stubs, &c, holder) {
            Source::Forward { module, crossing } => plan.candidates.push((module, crossing)),
            Source::LeftOut(module, lane) => left_out.push((module, lane)),
            _ => {}
        }
    }
    let mut ambiguous = Vec::new();
    for name in &m.names {
        // A name a candidate binds is forwarded to it explicitly: the
        // bridge's table then knows it (no STUB001 on the bridge), and it
        // stays the real object if the candidate's copy loop skips it.
        let covered = plan.candidates.iter().find(|(c, _)| place.binds(c, name));
        if let Some((c, crossing)) = covered {
            let source = Source::Forward {
                module: c.clone(),
                crossing: crossing.clone(),
            };
            plan.names.push((name.clone(), source));
            continue;
        }
        let source = place.locate(stubs, &m.module, name, holder);
        match &source {
            Source::LeftOut(module, lane) if !left_out.iter().any(|(l, _)| l == module) => {
                left_out.push((module.clone(), lane.clone()))
            }
            Source::Ambiguous(list) => ambiguous.push(format!("`{name}` ({})", list.join(", "))),
            _ => {}
        }
        plan.names.push((name.clone(), source));
    }
    if let Some((_, lane)) = left_out.first() {
        let list: Vec<String> = left_out.iter().map(|(l, _)| format!("`{l}`")).collect();
        plan.note.push_str(&format!(
            "; the real definitions in {} are left out: lane `{lane}` may not import them (bridge_lane_crossing = \"forbid\")",
            list.join(", ")
        ));
    }
    if !ambiguous.is_empty() {
        plan.note.push_str(&format!(
            "; no single definition of {}: not forwarded",
            ambiguous.join(", ")
        ));
    }
    plan
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
/// template and `plan`. `None` without a template or a place to create it.
pub fn bridge_fix(stubs: &Stubs, m: &MissingModule, plan: &BridgePlan) -> Option<Fix> {
    let files = m.files.as_ref()?;
    let bridge = stubs.bridge_module(&m.module, &plan.names, &plan.candidates)?;
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
    let mut tries = String::new();
    if !plan.candidates.is_empty() {
        let names: Vec<&str> = plan.candidates.iter().map(|(c, _)| c.as_str()).collect();
        tries = format!(" (tries {})", names.join(", "));
    }
    if plan
        .candidates
        .iter()
        .any(|(_, crossing)| crossing.is_some())
        || plan.names.iter().any(|(_, s)| {
            matches!(
                s,
                Source::Forward {
                    crossing: Some(_),
                    ..
                }
            )
        })
    {
        tries.push_str("; lane crossings are written as time-limited exceptions");
    }
    Fix::new(
        Applicability::Unsafe,
        format!(
            "Create a bridge module for `{}` at {path}{tries}{}",
            m.module, plan.note
        ),
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
