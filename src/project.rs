//! The project model of a run: which modules exist (resolution through the
//! `src` roots), what they bind (symbol tables), and which lane a module
//! belongs to. It is state built up while the run goes, kept apart from the
//! [`Config`] value it is derived from.

use crate::config::{Config, Lane};
use crate::imports::resolve::{Resolver, Target};
use crate::symbols::SymbolTables;

/// Module index and symbol tables of one run (shared by the worker threads).
#[derive(Debug)]
pub struct Project {
    /// Module-name resolution through `src` (cached for the run).
    pub modules: Resolver,
    /// Symbol tables of the repository's modules (cached for the run).
    pub symbols: SymbolTables,
}

impl Project {
    /// An empty model of the project `config` describes.
    pub fn new(config: &Config) -> Self {
        Self {
            modules: Resolver::new(&config.root, &config.src),
            symbols: SymbolTables::new(&config.root),
        }
    }

    /// The lane of an absolute module name: the lane of its file when it
    /// resolves in the repository, else the lane whose root folder it is
    /// under (`candidate.missing`), else none (third-party).
    pub fn lane_of_module<'c>(
        &self,
        config: &'c Config,
        dotted: &str,
    ) -> (Option<&'c Lane>, Option<Target>) {
        if let Some(t) = self.modules.resolve_longest(dotted) {
            return (config.lane_of(&t.lane_path()), Some(t));
        }
        let paths = self.modules.would_be_paths(dotted);
        let lane = config.lanes.iter().find(|l| {
            l.roots.iter().any(|root| {
                paths
                    .iter()
                    .any(|p| p == root || p.starts_with(&format!("{root}/")))
            })
        });
        (lane, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_missing_module_under_a_lane_root_is_in_that_lane() {
        let c = Config::from_text(
            PathBuf::from("/p"),
            "[lanes.zeta]\npaths = [\"x/**\"]\n[lanes.alpha]\npaths = [\"**\"]\n",
        )
        .unwrap();
        let project = Project::new(&c);
        let (lane, target) = project.lane_of_module(&c, "x.missing");
        assert_eq!((lane.unwrap().name.as_str(), target), ("zeta", None));
        let (lane, _) = project.lane_of_module(&c, "requests");
        assert!(lane.is_none());
    }
}
