//! `analyzer = "pytest-markers"` (PYT001): `@pytest.mark.X` where the pytest
//! config pytest would select turns strict markers on and X is registered
//! nowhere, the collection error `'X' not found in markers configuration
//! option`. Registered: pytest's built-in markers, the config's `markers`,
//! `config.addinivalue_line("markers", …)` in a `conftest.py` of the test's
//! folder or above, and the markers of the plugins installed in the
//! environment, when one is found. When what plugins (or a conftest)
//! register cannot be known, only a close match to a registered marker (a
//! likely typo) is reported, and the message says the plugins were not
//! checked: an unknown marker is never guessed to be an error.
//!
//! Strict markers: `--strict-markers` in `addopts` (every pytest), or the
//! ini keys `strict_markers`/`strict`, which only pytest 9 reads: they count
//! where the project runs pytest ≥ 9 by its declared dependencies, else by
//! the pytest installed in its environment, else by the config itself
//! ([`version`]); when nothing says which pytest, they are not guessed.
//!
//! What is read beyond the file (configs, conftests, declarations, the
//! environment) is read once per run and recorded for the cache; the
//! environment is read only when a strict config has a marker nothing else
//! registers, or when only it can say which pytest runs.

mod config;
mod plugins;
mod version;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::deps::Fact;
use crate::finding::{Applicability, Edit, Fix};
use config::PytestConfig;
use plugins::PluginMarkers;

/// Options of `analyzer = "pytest-markers"` (PYT001).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PytestMarkersOptions {
    /// The markers pytest itself registers (`pytest --markers` of pytest 8
    /// and 9 with no plugin).
    #[serde(default = "default_builtin")]
    pub builtin_markers: Vec<String>,
}

fn default_builtin() -> Vec<String> {
    [
        "filterwarnings",
        "parametrize",
        "skip",
        "skipif",
        "tryfirst",
        "trylast",
        "usefixtures",
        "xfail",
    ]
    .map(String::from)
    .to_vec()
}

/// What one folder's lookups found, with the facts they depended on.
type Found<T> = (T, Arc<[Fact]>);

/// The markers a `conftest.py` registers, and whether all were readable.
type Registered = (Vec<String>, bool);

/// The analyzer, with what it read of the project this run.
#[derive(Debug)]
pub struct PytestMarkers {
    opts: PytestMarkersOptions,
    /// Per folder (absolute): the pytest config selected from there.
    configs: Mutex<HashMap<String, Found<Option<Arc<PytestConfig>>>>>,
    /// Per `conftest.py` (absolute): the markers it registers, and whether all
    /// its registrations were readable.
    conftests: Mutex<HashMap<String, Found<Registered>>>,
    /// The installed plugins' markers (read on first need).
    plugins: OnceLock<PluginMarkers>,
    /// Per project root: whether its declarations say pytest ≥ 9, and the
    /// facts that answer depended on.
    declared: Mutex<HashMap<std::path::PathBuf, Found<Option<bool>>>>,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    Ok(Box::new(PytestMarkers {
        opts: crate::analyzers::options(options)?,
        configs: Mutex::default(),
        conftests: Mutex::default(),
        plugins: OnceLock::new(),
        declared: Mutex::default(),
    }))
}

/// Reads `path` if it is a regular UTF-8 file, pushing what was found.
fn read_recorded(path: &Path, facts: &mut Vec<Fact>) -> Option<String> {
    let text = crate::source::read_body(path).ok();
    facts.push(match &text {
        Some(t) => Fact::Content {
            path: path.to_string_lossy().into_owned(),
            hash: Some(crate::hash::digest(t.as_bytes())),
        },
        None => Fact::Probed {
            path: path.to_string_lossy().into_owned(),
            kind: crate::deps::Kind::Absent,
        },
    });
    text
}

fn parent(rel_dir: &str) -> Option<&str> {
    if rel_dir.is_empty() {
        return None;
    }
    Some(rel_dir.rsplit_once('/').map_or("", |(p, _)| p))
}

impl PytestMarkers {
    /// The config pytest selects for a test in `rel_dir`: the nearest
    /// folder with one, up to the project root.
    fn config_for(&self, ctx: &FileCtx, rel_dir: &str) -> Option<Arc<PytestConfig>> {
        // Keyed by the absolute folder: pack examples share the analyzer
        // across projects.
        let dir = ctx.config.root.join(rel_dir);
        let key = dir.to_string_lossy().into_owned();
        if let Some((c, facts)) = self.configs.lock().ok()?.get(&key).cloned() {
            ctx.project.deps.extend(&facts);
            return c;
        }
        // pytest's choice depends on every candidate it looked at.
        let facts = std::cell::RefCell::new(Vec::new());
        let here = config::in_folder(&dir, rel_dir, &|p| {
            read_recorded(p, &mut facts.borrow_mut())
        });
        let facts = facts.into_inner();
        ctx.project.deps.extend(&facts);
        let found = match here {
            Some(c) => Some(Arc::new(c)),
            None => parent(rel_dir).and_then(|p| self.config_for(ctx, p)),
        };
        if let Ok(mut m) = self.configs.lock() {
            m.insert(key, (found.clone(), facts.into()));
        }
        found
    }

    /// The markers the `conftest.py` files of `rel_dir` and its parents
    /// register, and whether every registration was readable.
    fn conftest_markers(&self, ctx: &FileCtx, rel_dir: &str) -> Registered {
        let mut names = Vec::new();
        let mut complete = true;
        let mut dir = Some(rel_dir);
        while let Some(d) = dir {
            let path = ctx.config.root.join(d).join("conftest.py");
            let key = path.to_string_lossy().into_owned();
            let cached = self
                .conftests
                .lock()
                .ok()
                .and_then(|m| m.get(&key).cloned());
            let ((n, c), facts) = cached.unwrap_or_else(|| {
                let mut facts = Vec::new();
                let found = read_recorded(&path, &mut facts)
                    .map(|t| plugins::registered_in(&t))
                    .unwrap_or((Vec::new(), true));
                let entry = (found, Arc::from(facts));
                if let Ok(mut m) = self.conftests.lock() {
                    m.insert(key.clone(), entry.clone());
                }
                entry
            });
            ctx.project.deps.extend(&facts);
            names.extend(n);
            complete &= c;
            dir = parent(d);
        }
        (names, complete)
    }

    fn plugins(&self, ctx: &FileCtx) -> &PluginMarkers {
        self.plugins.get_or_init(|| plugins::read(&ctx.config.root))
    }

    /// Whether the project runs pytest ≥ 9: what its declarations say,
    /// else what its environment has installed; `None` when unknown.
    fn pytest_nine(&self, ctx: &FileCtx) -> Option<bool> {
        let root = &ctx.config.root;
        let cached = self.declared.lock().ok().and_then(|m| m.get(root).cloned());
        let (declared, facts) = cached.unwrap_or_else(|| {
            let d = crate::deps_decl::Declared::read(root).ok().flatten();
            let answer = d.as_ref().and_then(|d| {
                let specs = d.requirements.get("pytest")?;
                version::declared_nine(specs.iter().map(String::as_str))
            });
            // No declaration file at all: what was probed still decides.
            let facts: Arc<[Fact]> = match &d {
                Some(d) => d.facts.clone().into(),
                None => Arc::from([Fact::Content {
                    path: root.join("pyproject.toml").to_string_lossy().into_owned(),
                    hash: crate::source::read_body(&root.join("pyproject.toml"))
                        .ok()
                        .map(|t| crate::hash::digest(t.as_bytes())),
                }]),
            };
            if let Ok(mut m) = self.declared.lock() {
                m.insert(root.clone(), (answer, facts.clone()));
            }
            (answer, facts)
        });
        ctx.project.deps.extend(&facts);
        declared.or_else(|| {
            let installed = self.plugins(ctx).pytest_version.as_deref()?;
            version::major(installed).map(|m| m >= 9)
        })
    }
}

/// The registered marker closest to `name`, if close enough to be a typo
/// (one edit for short names, two for longer ones).
fn close_match<'a>(name: &str, registered: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    let limit = if name.chars().count() <= 4 { 1 } else { 2 };
    registered
        .filter(|r| r.as_str() != name)
        .map(|r| (strsim::damerau_levenshtein(name, r), r.as_str()))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, r)| r)
}

/// The byte ranges of the marker names in `pytest.mark.NAME` (and
/// `mark.NAME` after `from pytest import mark`) that the tree says are code.
fn marker_uses(ctx: &FileCtx) -> Vec<(std::ops::Range<usize>, String)> {
    let text = ctx.text;
    let mut prefixes = vec!["pytest.mark."];
    if text.contains("from pytest import") {
        prefixes.push("mark.");
    }
    let root = ctx.tree().root_node();
    let mut out = Vec::new();
    for prefix in prefixes {
        for (at, _) in text.match_indices(prefix) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let start = at + prefix.len();
            let len = text[start..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - start);
            if len == 0 {
                continue;
            }
            let Some(node) = root.descendant_for_byte_range(start, start + len) else {
                continue;
            };
            // `pytest.mark.NAME`: the name is the `attribute` field of an
            // attribute node (never a string or a comment).
            let is_attr = node.kind() == "identifier"
                && node.parent().is_some_and(|p| {
                    p.kind() == "attribute"
                        && p.child_by_field_name("attribute") == Some(node)
                        && p.child_by_field_name("object")
                            .is_some_and(|o| o.end_byte() == at + prefix.len() - 1)
                });
            if is_attr && !text[start..start + len].starts_with('_') {
                out.push((start..start + len, text[start..start + len].to_string()));
            }
        }
    }
    out
}

impl Analyzer for PytestMarkers {
    fn variables(&self) -> &'static [&'static str] {
        &["marker", "config", "hint"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["mark.".to_string()])
    }

    fn may_match(&self, text: &str) -> bool {
        text.contains("pytest")
    }

    fn fixable(&self) -> bool {
        true
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let uses = marker_uses(ctx);
        if uses.is_empty() {
            return;
        }
        let rel_dir = ctx.path.rsplit_once('/').map_or("", |(d, _)| d);
        let Some(config) = self.config_for(ctx, rel_dir) else {
            return;
        };
        // A fix round that registered a marker: the config as it is now.
        let edited = ctx.overlay.and_then(|o| o.get(&config.rel)).cloned();
        let config = match edited {
            Some(text) => match config::from_text(config.rel.clone(), text) {
                Some(c) => Arc::new(c),
                None => return,
            },
            None => config,
        };
        // The ini keys need to know which pytest runs; `addopts` does not.
        let strict =
            config.strict_addopts || (config.strict_ini && config.strict(self.pytest_nine(ctx)));
        if !strict {
            return;
        }
        let (conftest, conftest_complete) = self.conftest_markers(ctx, rel_dir);
        let mut registered: Vec<String> = self.opts.builtin_markers.clone();
        registered.extend(config.markers.iter().cloned());
        registered.extend(conftest);
        for (range, name) in uses {
            if registered.contains(&name) {
                continue;
            }
            let plugins = self.plugins(ctx);
            if plugins.markers.contains(&name) {
                continue;
            }
            let known = registered.iter().chain(plugins.markers.iter());
            let close = close_match(&name, known);
            let unknowable = plugins.env.is_none() || !plugins.unreadable.is_empty();
            let unknowable = unknowable || !conftest_complete;
            if unknowable && close.is_none() {
                continue; // a plugin may register it: not guessed
            }
            let mut hint = match close {
                Some(c) => format!("; did you mean `{c}`?"),
                None => String::new(),
            };
            if unknowable {
                hint.push_str(match plugins.env {
                    None => " (no Python environment found: installed plugins were not checked)",
                    Some(_) => " (some plugin or conftest registrations could not be read)",
                });
            }
            let fix = match close {
                Some(c) => Fix::new(
                    Applicability::Unsafe,
                    format!("Use the registered marker `{c}`"),
                    vec![Edit::new(None, range.clone(), c.to_string())],
                ),
                None => config::registration(&config, &name).and_then(|(at, text)| {
                    Fix::new(
                        Applicability::Unsafe,
                        format!("Register the marker `{name}` in {}", config.rel),
                        vec![Edit::new(Some(config.rel.clone()), at..at, text)],
                    )
                }),
            };
            hits.push(Hit {
                range,
                vars: vec![
                    ("marker", name),
                    ("config", config.rel.clone()),
                    ("hint", hint),
                ],
                fix,
                fix_refused: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::close_match;

    #[test]
    fn close_matches_are_typos_only() {
        let reg: Vec<String> = ["skip", "skipif", "parametrize", "slow"]
            .map(String::from)
            .to_vec();
        assert_eq!(close_match("skipf", reg.iter()), Some("skip"));
        assert_eq!(close_match("parametrise", reg.iter()), Some("parametrize"));
        assert_eq!(close_match("integration", reg.iter()), None);
        assert_eq!(close_match("flow", reg.iter()), Some("slow"));
        assert_eq!(close_match("db", reg.iter()), None);
    }
}
