//! `check = "lanes"` of `analyzer = "imports"` (LANE001): an import of a
//! module in a lane the file's lane may not import. It also feeds `rulegate
//! report lanes` with every crossing, allowed or not. A dotted name given to
//! a patch call (`mock.patch("candidate.x.f")`, `monkeypatch.setattr`,
//! `mocker.patch`, the `module_string_calls`) imports its module when the
//! patch starts, so it is a site too (kind `patch`).

use std::ops::Range;

use serde::Deserialize;

use super::may_import;
use crate::analyzers::{Analyzer, Fact, FileCtx, Hit, Inventory, LaneImport, Report};
use crate::imports::resolve::TargetKind;
use crate::imports::{ImportKind, ImportSite, patch};

/// How `lanes` treats imports inside `if TYPE_CHECKING:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypingOnly {
    /// Reported, marked as typing-only.
    #[default]
    Report,
    /// Not reported.
    Exempt,
}

/// Options of `check = "lanes"` (LANE001).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LanesOptions {
    /// Functions that import by name (`importlib.import_module`,
    /// `builtins.__import__`), resolved through the file's imports.
    #[serde(default = "super::default_calls")]
    pub dynamic_calls: Vec<String>,
    /// Typing-only imports reported or exempt.
    #[serde(default)]
    pub typing_only: TypingOnly,
    /// Calls whose first string argument names a module or an object inside
    /// one (`mock.patch("pkg.mod.f")`), which `rulegate promote` rewrites
    /// with the imports and the lane guards count as import sites (beside
    /// the patch calls they always know). Default: `unittest.mock.patch`,
    /// `mock.patch`, `patch`.
    #[serde(default)]
    pub module_string_calls: Option<Vec<String>>,
}

/// The kind of a site that is a patch call's dotted name.
const PATCH_KIND: &str = "patch";

/// The calls `rulegate promote` rewrites the first string argument of,
/// unless a pack says otherwise.
pub const DEFAULT_MODULE_STRING_CALLS: &[&str] = &["unittest.mock.patch", "mock.patch", "patch"];

/// The analyzer.
#[derive(Debug)]
pub struct Lanes {
    opts: LanesOptions,
    /// The patch calls: the known ones and the `module_string_calls`, else
    /// the default.
    patch_calls: patch::PatchCalls,
}

/// Builds the analyzer from a rule's options (without `check`).
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let opts: LanesOptions = crate::analyzers::options(options)?;
    let string_calls = match &opts.module_string_calls {
        Some(calls) => calls.clone(),
        None => DEFAULT_MODULE_STRING_CALLS
            .iter()
            .map(|c| c.to_string())
            .collect(),
    };
    let patch_calls = patch::PatchCalls::new(&string_calls);
    Ok(Box::new(Lanes { opts, patch_calls }))
}

/// One module an import reaches, with where to underline it.
struct Reached {
    module: String,
    range: Range<usize>,
}

impl Lanes {
    /// The calls whose first string argument names a module, if the rule
    /// lists them (`rulegate promote` rewrites those strings).
    pub fn module_string_calls(&self) -> Option<&[String]> {
        self.opts.module_string_calls.as_deref()
    }

    /// The absolute modules a site reaches: for `from p import a, b`, the
    /// submodules `p.a`/`p.b` where they exist, else `p`. Relative imports
    /// that climb too high reach nothing (IMP001 reports them).
    fn reached(&self, ctx: &FileCtx, site: &ImportSite) -> Vec<Reached> {
        if site.kind == ImportKind::DynamicUnknown {
            return Vec::new();
        }
        let resolver = &ctx.project.modules;
        let Ok(base) =
            resolver.absolute(ctx.path, &site.module, site.level, site.package.as_deref())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        // Only a package has submodules: skip the lookups for plain modules
        // and for names that resolve to nothing in the repository.
        let has_submodules = base.is_empty()
            || resolver
                .resolve(&base)
                .is_some_and(|t| t.kind != TargetKind::Module);
        if site.kind == ImportKind::From && has_submodules {
            for n in &site.names {
                let sub = if base.is_empty() {
                    n.name.clone()
                } else {
                    format!("{base}.{}", n.name)
                };
                if resolver.resolve(&sub).is_some() {
                    out.push(Reached {
                        module: sub,
                        range: n.range.clone(),
                    });
                }
            }
            if out.len() == site.names.len() && !site.names.is_empty() {
                return out;
            }
        }
        if !base.is_empty() {
            out.push(Reached {
                module: base,
                range: site.module_range.clone(),
            });
        }
        out
    }

    /// The modules the file's patch strings reach: only files that hold a
    /// patch call's word, and have a tree, are looked at.
    fn patch_sites(&self, ctx: &FileCtx) -> Vec<Reached> {
        let calls = &self.patch_calls;
        let Some(tree) = ctx.tree.filter(|_| calls.may_match(ctx.text)) else {
            return Vec::new();
        };
        calls
            .targets(tree, ctx.text)
            .into_iter()
            .map(|t| Reached {
                module: t.dotted,
                range: t.range,
            })
            .collect()
    }

    /// Every lane crossing of the file, judged against `may_import`.
    /// With `include_allowed` false (linting), only the violations are built.
    fn crossings(&self, ctx: &FileCtx, include_allowed: bool) -> Vec<(LaneImport, Range<usize>)> {
        let Some(from) = ctx.lane.and_then(|l| ctx.config.lane(l)) else {
            return Vec::new();
        };
        let sites = ctx.imports(&self.opts.dynamic_calls);
        // One line index, not a lookup from the root per site (quadratic),
        // built for the first crossing.
        let lines = std::cell::OnceCell::new();
        let line_of = |at: usize| {
            lines
                .get_or_init(|| crate::source::LineIndex::new(ctx.text))
                .line_of(at)
                + 1
        };
        let mut out = Vec::new();
        // A lane that may import every lane has nothing to check.
        if from.may_import.is_none() && !include_allowed {
            return out;
        }
        // (kind, typing-only, what it reaches): the imports, then the
        // patch strings.
        let reached = sites
            .iter()
            .flat_map(|site| {
                self.reached(ctx, site)
                    .into_iter()
                    .map(|r| (site.kind.as_str(), site.typing_only, r))
            })
            .chain(
                self.patch_sites(ctx)
                    .into_iter()
                    .map(|r| (PATCH_KIND, false, r)),
            );
        for (kind, typing_only, r) in reached {
            let (to, target) = ctx.project.lane_of_module(ctx.config, &r.module);
            let Some(to) = to.filter(|t| t.name != from.name) else {
                continue;
            };
            let allowed = may_import(from, to)
                || (typing_only && self.opts.typing_only == TypingOnly::Exempt);
            if allowed && !include_allowed {
                continue;
            }
            out.push((
                LaneImport {
                    file: ctx.path.to_string(),
                    line: line_of(r.range.start),
                    from_lane: from.name.clone(),
                    to_lane: to.name.clone(),
                    module: r.module,
                    target: target.map(|t| t.rel),
                    kind,
                    typing_only,
                    allowed,
                },
                r.range,
            ));
        }
        out
    }
}

impl Analyzer for Lanes {
    fn variables(&self) -> &'static [&'static str] {
        &["from_lane", "to_lane", "module", "target", "kind", "typing"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        // A test may patch by name with no import (`monkeypatch`, `mocker`).
        Some(
            ["import", "patch", "setattr", "delattr"]
                .map(String::from)
                .to_vec(),
        )
    }

    /// Only files that may import dynamically or patch by name read the tree.
    fn needs_tree(&self, text: &str) -> bool {
        crate::imports::names_dynamic_call(text, &self.opts.dynamic_calls)
            || self.patch_calls.may_match(text)
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        for (edge, range) in self.crossings(ctx, false) {
            let target = match &edge.target {
                Some(t) => t.clone(),
                None => format!("no file; under lane `{}`", edge.to_lane),
            };
            let typing = if edge.typing_only {
                " (a typing-only import, inside `if TYPE_CHECKING:`)"
            } else if edge.kind == PATCH_KIND {
                " (patched by name: the patch imports it)"
            } else {
                ""
            };
            hits.push(Hit {
                fix_refused: None,
                range,
                vars: vec![
                    ("from_lane", edge.from_lane),
                    ("to_lane", edge.to_lane),
                    ("module", edge.module),
                    ("target", target),
                    ("kind", edge.kind.to_string()),
                    ("typing", typing.to_string()),
                ],
                fix: None,
            });
        }
    }

    fn inventory(&self) -> Option<Inventory> {
        Some(Inventory {
            report: Report::Lanes,
            columns: Vec::new(),
        })
    }

    fn collect(&self, ctx: &FileCtx, facts: &mut Vec<Fact>) {
        facts.extend(
            self.crossings(ctx, true)
                .into_iter()
                .map(|(edge, _)| Fact::LaneImport(edge)),
        );
    }
}
