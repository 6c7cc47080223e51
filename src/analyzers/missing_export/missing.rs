//! `check = "missing"` of `analyzer = "missing-export"` (STUB001): a name
//! imported from a repository module that neither binds nor re-exports it.
//! Its unsafe fix adds a stub from the pack's templates to that module.

use serde::Deserialize;

use super::forward::{Place, Source};
use super::stub_template::{StubOptions, Stubs};
use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::finding::{Applicability, Edit, Fix, FixRefused};
use crate::imports::ImportKind;
use crate::imports::resolve::TargetKind;
use crate::symbols::Export;

/// Options of `check = "missing"` (STUB001).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingOptions {
    /// Stub templates for the fix (no fix without them).
    #[serde(default)]
    pub stubs: Option<StubOptions>,
}

/// The analyzer.
#[derive(Debug)]
pub struct MissingNames {
    stubs: Option<Stubs>,
    /// The import extraction's dynamic-import functions.
    dynamic_calls: Vec<String>,
}

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let opts: MissingOptions = crate::analyzers::options(options)?;
    Ok(Box::new(MissingNames {
        stubs: opts.stubs.map(Stubs::new).transpose()?,
        dynamic_calls: super::dynamic_calls(),
    }))
}

impl MissingNames {
    /// The stub templates it fixes with, if the rule has some (`rulegate
    /// stubs` plans with them).
    pub fn stubs(&self) -> Option<&Stubs> {
        self.stubs.as_ref()
    }
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

impl MissingNames {
    /// The fix for a missing name from `source`, if the target can take one.
    fn fix(&self, ctx: &FileCtx, m: &Missing, source: &Source) -> Option<Fix> {
        let overlay = ctx.overlay.and_then(|o| o.get(&m.target));
        let text = match overlay {
            Some(t) => t.clone(),
            None => read_text(&ctx.config.root.join(&m.target), ctx.project.deps)?,
        };
        let edits = stub_edits(
            ctx.project,
            self.stubs.as_ref()?,
            m,
            source,
            &text,
            overlay.is_none(),
        )?
        .into_iter()
        .map(|e| Edit {
            file: (m.target != ctx.path).then(|| m.target.clone()),
            ..e
        })
        .collect();
        Fix::new(Applicability::Unsafe, fix_title(m, source), edits)
    }
}

/// What a fix for `m` from `source` says it does.
pub fn fix_title(m: &Missing, source: &Source) -> String {
    match source {
        Source::Forward { module, crossing } => format!(
            "Forward `{}` in {} to its definition in `{module}`{}",
            m.name,
            m.target,
            if crossing.is_some() {
                " (a lane crossing, written as a time-limited exception)"
            } else {
                ""
            }
        ),
        Source::LeftOut(module, lane) => format!(
            "Add a fallback stub for `{}` to {}; its real definition in `{module}` is left out: lane `{lane}` may not import it",
            m.name, m.target
        ),
        _ => format!("Add a fallback stub for `{}` to {}", m.name, m.target),
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

/// The edits adding `m` (from `source`: a forward or a stub) to its target
/// module, whose text is `text` (`on_disk`: as on disk, so the run's table
/// of the file serves); `None` when the target is unknowable or does not
/// parse, or nothing may be written.
pub fn stub_edits(
    project: crate::project::ProjectView,
    stubs: &Stubs,
    m: &Missing,
    source: &Source,
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
        return stubs.bridge_insertion(&m.name, &m.module, source, text, &table);
    }
    if table.unknowable.is_some() {
        return None;
    }
    stubs.insertion(&m.name, &m.module, source, text, &table)
}

/// Why no fix is offered for `m` from `source`, if none is: several
/// definitions, or a name the module binds under a guard that a stub
/// would hide (`why`: what the finding says of the guard).
pub fn refusal(m: &Missing, source: &Source, why: Option<&str>) -> Option<FixRefused> {
    match (source, why) {
        (Source::Ambiguous(list), _) => Some(FixRefused::new(
            "ambiguous-definition",
            format!(
                "`{}` is defined in {}: import it from the one you mean",
                m.name,
                list.join(", ")
            ),
        )),
        (Source::Forward { .. }, _) | (_, None) => None,
        (_, Some(why)) => Some(FixRefused::new(
            "guarded-definition",
            format!(
                "{why}; no first-party definition to forward to, and a stub would hide the guarded one: bind `{}` at run time in {}",
                m.name, m.target
            ),
        )),
    }
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
            // An import that only type checkers run sees what they see.
            if exported == Export::Missing
                && site.typing_only
                && typing_binds(ctx, &target.rel, &n.name)
            {
                continue;
            }
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

impl Analyzer for MissingNames {
    fn variables(&self) -> &'static [&'static str] {
        &["name", "module", "target", "why"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    fn fixable(&self) -> bool {
        self.stubs.is_some()
    }

    fn needs_symbols(&self) -> bool {
        true
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let place = Place {
            config: ctx.config,
            project: ctx.project,
            today: ctx.today,
            prefetch: ctx.prefetch,
        };
        for m in missing_names(ctx, &self.dynamic_calls) {
            let guarded = invisible_because(ctx, &m);
            let source = self
                .stubs
                .as_ref()
                .map(|s| place.locate(s, &m.module, &m.name, &m.target));
            let refused = source
                .as_ref()
                .and_then(|s| refusal(&m, s, guarded.as_deref()));
            let fix = match (&source, &refused) {
                (Some(s), None) => self.fix(ctx, &m, s),
                _ => None,
            };
            let why = guarded
                .unwrap_or_else(|| "the module neither defines nor re-exports it".to_string())
                + source
                    .as_ref()
                    .map(Source::note)
                    .unwrap_or_default()
                    .as_str();
            hits.push(Hit {
                fix_refused: refused,
                range: m.range.clone(),
                fix,
                vars: vec![
                    ("name", m.name),
                    ("module", m.module),
                    ("target", m.target),
                    ("why", why),
                ],
            });
        }
    }
}

/// Whether the module at `rel` binds `name` for type checkers (under
/// `if TYPE_CHECKING:`, or on some Python version).
fn typing_binds(ctx: &FileCtx, rel: &str, name: &str) -> bool {
    let overlay = ctx.overlay.and_then(|o| o.get(rel));
    ctx.project
        .symbols
        .get(
            ctx.project.modules.root(),
            rel,
            overlay.map(String::as_str),
            ctx.prefetch,
        )
        .is_some_and(|t| t.typing_only.contains(name) || t.versioned.iter().any(|(n, _)| n == name))
}

/// Why the module of `m` binds its name somewhere but not at run time
/// (`TYPE_CHECKING`, a version test), if so.
fn invisible_because(ctx: &FileCtx, m: &Missing) -> Option<String> {
    let overlay = ctx.overlay.and_then(|o| o.get(&m.target));
    let table = ctx.project.symbols.get(
        ctx.project.modules.root(),
        &m.target,
        overlay.map(String::as_str),
        ctx.prefetch,
    )?;
    table.why_invisible(&m.name, ctx.project.symbols.tables().target())
}
