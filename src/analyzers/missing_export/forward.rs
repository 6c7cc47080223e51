//! Where a missing name really lives (SPEC §4.7, "Bridges and stubs carry
//! the real code"), so that STUB001's stub and STUB003's bridge forward to
//! it instead of writing a placeholder:
//!
//! 1. a module with the same dotted tail in another root that binds the
//!    name (`candidate.orchestration.router` for `lukhas.orchestration.router`);
//! 2. else the single first-party module that defines it itself;
//! 3. else nowhere to forward: several definitions (listed), or none (then,
//!    and only then, a fallback stub).
//!
//! A forward into a lane the holder's lane may not import is written as a
//! time-limited exception (the pack's `bridge_exception` comment), or left
//! out and named when the pack says `bridge_lane_crossing = "forbid"`.

use super::stub_template::{LaneCrossing, Stubs};
use crate::analyzers::imports::may_import;
use crate::config::Config;
use crate::dates::Date;
use crate::project::ProjectView;

/// What a fix may write for one missing name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Forward to this module; `crossing` is the exception comment when the
    /// holder's lane may not import it.
    Forward {
        /// The module that has the name.
        module: String,
        /// The `# noqa` comment of a lane crossing, if it is one.
        crossing: Option<String>,
    },
    /// Several modules define it: no forward (which one would be a guess).
    Ambiguous(Vec<String>),
    /// The definition is in a lane the holder may not import, and the pack
    /// forbids crossings: (the module, the holder's lane).
    LeftOut(String, String),
    /// No first-party module defines it: a fallback stub is all there is.
    Nowhere,
}

impl Source {
    /// What the finding says of it (empty when there is a forward or nothing).
    pub fn note(&self) -> String {
        match self {
            Source::Ambiguous(list) => format!(
                "; defined in {}: no single definition to forward to",
                list.join(", ")
            ),
            Source::LeftOut(module, lane) => format!(
                "; the real definition in `{module}` is left out: lane `{lane}` may not import it (bridge_lane_crossing = \"forbid\")"
            ),
            _ => String::new(),
        }
    }
}

/// What a fix needs to know to place a forward.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    /// The project configuration (lanes).
    pub config: &'a Config,
    /// The project model (the name index).
    pub project: ProjectView<'a>,
    /// The date exceptions start on.
    pub today: Date,
    /// How a lint pass reads the files it will check (the index's reads
    /// are then the check's), if this is one.
    pub prefetch: Option<&'a dyn crate::symbols::Prefetch>,
}

impl Place<'_> {
    /// Where `name`, missing from `module`, really lives, for a forward
    /// written into the project file `holder`.
    pub fn locate(&self, stubs: &Stubs, module: &str, name: &str, holder: &str) -> Source {
        let index = self.project.name_index(self.config, self.prefetch);
        let same = index
            .same_tail(module, &self.roots(stubs))
            .into_iter()
            .find(|m| self.binds(m, name));
        let found = match same {
            Some(m) => m,
            None => {
                let resolver = self.project.modules.resolver();
                let definers: Vec<String> = index
                    .definers(name, resolver, self.project.symbols.tables())
                    .iter()
                    .filter(|m| m.as_str() != module)
                    .cloned()
                    .collect();
                match definers.len() {
                    0 => return Source::Nowhere,
                    1 => definers.into_iter().next().expect("one"),
                    _ => return Source::Ambiguous(definers),
                }
            }
        };
        self.forward(stubs, &found, holder)
    }

    /// Whether first-party module `module` binds `name` at run time.
    pub fn binds(&self, module: &str, name: &str) -> bool {
        let tables = self.project.symbols.tables();
        self.project
            .name_index(self.config, self.prefetch)
            .module_table(module, self.project.modules.resolver(), tables)
            .is_some_and(|t| t.binds(name, tables.target()))
    }

    /// Whether module `module` binds any of `names` (or exists, when
    /// `names` is empty).
    pub fn binds_any(&self, module: &str, names: &[String]) -> bool {
        let index = self.project.name_index(self.config, self.prefetch);
        if names.is_empty() {
            return index.module_file(module).is_some();
        }
        names.iter().any(|n| self.binds(module, n))
    }

    /// The top-level packages that mirror each other: the lanes' and the
    /// pack's `candidate_sources`.
    pub fn roots(&self, stubs: &Stubs) -> Vec<String> {
        let mut roots = self.project.lane_packages(self.config);
        roots.extend(stubs.mirrored_roots().map(str::to_string));
        roots.sort();
        roots.dedup();
        roots
    }

    /// A forward to `module` from `holder`, judged by the lanes.
    pub fn forward(&self, stubs: &Stubs, module: &str, holder: &str) -> Source {
        let file = self
            .project
            .name_index(self.config, self.prefetch)
            .module_file(module)
            .map(str::to_string);
        let from = self.config.lane_of(holder);
        let to = file.and_then(|f| self.config.lane_of(&f));
        match (from, to) {
            (Some(from), Some(to)) if !may_import(from, to) => match stubs.lane_crossing() {
                LaneCrossing::Forbid => Source::LeftOut(module.to_string(), from.name.clone()),
                LaneCrossing::Exception => Source::Forward {
                    module: module.to_string(),
                    crossing: Some(stubs.exception_comment(module, self.today)),
                },
            },
            _ => Source::Forward {
                module: module.to_string(),
                crossing: None,
            },
        }
    }
}
