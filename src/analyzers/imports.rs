//! The `imports` analyzer: rules over the resolved import graph (SPEC §4.3,
//! §4.4). One analyzer, four checks chosen by `[rule.options] check`:
//!
//! - `lanes` (LANE001): an import of a module in a lane the file's lane may
//!   not import; it also feeds `rulegate report lanes`;
//! - `dynamic` (LANE002): a dynamic import with no literal prefix in a lane
//!   that forbids them;
//! - `legacy` (LEG001): an import of a banned prefix, with rename fixes;
//! - `relative` (IMP001): a relative import that climbs above the top-level
//!   package.

use serde::Deserialize;

use super::legacy::{Rename, rename_fix};
use super::{Analyzer, Fact, FileCtx, Hit, Inventory, LaneImport};
use crate::config::{DynamicImports, Lane};
use crate::imports::resolve::TargetKind;
use crate::imports::{DEFAULT_DYNAMIC_CALLS, ImportKind, ImportSite};

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportCheck {
    /// LANE001.
    Lanes,
    /// LANE002.
    Dynamic,
    /// LEG001.
    Legacy,
    /// IMP001.
    Relative,
}

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

/// Options of `analyzer = "imports"`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportsOptions {
    /// Which check.
    pub check: ImportCheck,
    /// Functions that import by name (`importlib.import_module`,
    /// `builtins.__import__`), resolved through the file's imports.
    #[serde(default = "default_calls")]
    pub dynamic_calls: Vec<String>,
    /// `lanes`: typing-only imports reported or exempt.
    #[serde(default)]
    pub typing_only: TypingOnly,
    /// `dynamic`: lanes that forbid dynamic imports unless their config says
    /// `dynamic_imports = "allow"`.
    #[serde(default)]
    pub forbid_dynamic_in: Vec<String>,
    /// `legacy`: banned prefixes and their replacements.
    #[serde(default)]
    pub renames: Vec<Rename>,
    /// `lanes`: calls whose first string argument names a module or an
    /// object inside one (`mock.patch("pkg.mod.f")`), which `rulegate
    /// promote` rewrites with the imports. Default: `unittest.mock.patch`,
    /// `mock.patch`, `patch`.
    #[serde(default)]
    pub module_string_calls: Option<Vec<String>>,
}

/// The calls `rulegate promote` rewrites the first string argument of,
/// unless a pack says otherwise.
pub const DEFAULT_MODULE_STRING_CALLS: &[&str] = &["unittest.mock.patch", "mock.patch", "patch"];

fn default_calls() -> Vec<String> {
    DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The analyzer.
#[derive(Debug)]
pub struct Imports {
    opts: ImportsOptions,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let opts: ImportsOptions = super::options(options)?;
    if opts.check == ImportCheck::Legacy && opts.renames.is_empty() {
        return Err("`check = \"legacy\"` needs at least one `[[renames]]`".into());
    }
    for r in &opts.renames {
        r.validate()?;
    }
    Ok(Box::new(Imports { opts }))
}

/// One module an import reaches, with where to underline it.
struct Reached {
    module: String,
    range: std::ops::Range<usize>,
}

impl Imports {
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

    /// Every lane crossing of the file, judged against `may_import`.
    /// With `include_allowed` false (linting), only the violations are built.
    fn crossings(
        &self,
        ctx: &FileCtx,
        include_allowed: bool,
    ) -> Vec<(LaneImport, std::ops::Range<usize>)> {
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
        for site in sites.iter() {
            for r in self.reached(ctx, site) {
                let (to, target) = ctx.project.lane_of_module(ctx.config, &r.module);
                let Some(to) = to.filter(|t| t.name != from.name) else {
                    continue;
                };
                let allowed = may_import(from, to)
                    || (site.typing_only && self.opts.typing_only == TypingOnly::Exempt);
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
                        kind: site.kind.as_str(),
                        typing_only: site.typing_only,
                        allowed,
                    },
                    r.range,
                ));
            }
        }
        out
    }

    fn check_lanes(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        for (edge, range) in self.crossings(ctx, false) {
            let target = match &edge.target {
                Some(t) => t.clone(),
                None => format!("no file; under lane `{}`", edge.to_lane),
            };
            let typing = if edge.typing_only {
                " (a typing-only import, inside `if TYPE_CHECKING:`)"
            } else {
                ""
            };
            hits.push(Hit {
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

    fn check_dynamic(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
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
                    range: site.range.clone(),
                    vars: vec![("from_lane", lane.name.clone())],
                    fix: None,
                });
            }
        }
    }

    fn check_legacy(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let sites = ctx.imports(&self.opts.dynamic_calls);
        for site in sites.iter().filter(|s| s.level == 0) {
            let Some(rename) = self.opts.renames.iter().find(|r| r.matches(&site.module)) else {
                continue;
            };
            let new_module = rename.apply(&site.module);
            hits.push(Hit {
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

    fn check_relative(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
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
                    range: site.range.clone(),
                    vars: vec![
                        ("package", package),
                        ("level", e.level.to_string()),
                        ("module", site.module.clone()),
                    ],
                    fix: None,
                });
            }
        }
    }
}

/// Whether lane `from` may import lane `to`.
pub fn may_import(from: &Lane, to: &Lane) -> bool {
    from.name == to.name
        || from
            .may_import
            .as_ref()
            .is_none_or(|list| list.contains(&to.name))
}

impl Analyzer for Imports {
    fn module_string_calls(&self) -> Option<&[String]> {
        self.opts.module_string_calls.as_deref()
    }

    fn variables(&self) -> &'static [&'static str] {
        match self.opts.check {
            ImportCheck::Lanes => &["from_lane", "to_lane", "module", "target", "kind", "typing"],
            ImportCheck::Dynamic => &["from_lane"],
            ImportCheck::Legacy => &["module", "new_module", "kind"],
            ImportCheck::Relative => &["package", "level", "module"],
        }
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        let mut words = vec!["import".to_string()];
        if self.opts.check == ImportCheck::Legacy {
            words = self.opts.renames.iter().map(|r| r.from.clone()).collect();
        }
        Some(words)
    }

    /// Only legacy bans (their fixes rename uses) and files that may import
    /// dynamically read the tree.
    fn needs_tree(&self, text: &str) -> bool {
        self.opts.check == ImportCheck::Legacy
            || crate::imports::names_dynamic_call(text, &self.opts.dynamic_calls)
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        match self.opts.check {
            ImportCheck::Lanes => self.check_lanes(ctx, hits),
            ImportCheck::Dynamic => self.check_dynamic(ctx, hits),
            ImportCheck::Legacy => self.check_legacy(ctx, hits),
            ImportCheck::Relative => self.check_relative(ctx, hits),
        }
    }

    fn fixable(&self) -> bool {
        self.opts.check == ImportCheck::Legacy
    }

    fn inventory(&self) -> Option<Inventory> {
        (self.opts.check == ImportCheck::Lanes).then(|| Inventory {
            report: super::Report::Lanes,
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
