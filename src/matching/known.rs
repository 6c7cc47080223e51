//! The shapes of queries that compiled, by their text, remembered across
//! runs in the cache folder (`store`): a warm run validates a pack without
//! compiling its queries, and compiles them only if a file needs them. Only
//! queries that compiled are remembered, so a broken query is an error on
//! every run. Each load has its own [`Known`]: two runs in one process
//! share nothing.
//!
//! The built-in packs' shapes are known to every run, cache or not
//! (`rules/query-shapes.json`, which a test keeps equal to what their
//! queries compile to): validating them cost two query compilations, 10 ms,
//! on every `--no-cache` run and every run of a fresh clone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use super::query::QueryShape;

/// The shapes of one run's load (the packs' queries), read from the cache
/// folder when the run has its stores on, and written back by [`Known::save`].
#[derive(Default)]
pub struct Known(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    /// Where the shapes are kept (`None`: in memory only).
    file: Option<(PathBuf, PathBuf)>,
    /// Shapes by the digest of the query text (hex, for JSON keys).
    shapes: HashMap<String, QueryShape>,
    dirty: bool,
    /// Whether the built-in packs' shapes are left out (the test that
    /// checks them).
    without_builtin: bool,
}

/// The shapes of the built-in packs' queries, by key.
static BUILTIN: LazyLock<HashMap<String, QueryShape>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../rules/query-shapes.json"))
        .expect("rules/query-shapes.json is valid (a test reads it)")
});

impl std::fmt::Debug for Known {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Known")
    }
}

fn key(text: &str) -> String {
    format!("{:016x}", crate::hash::digest(text.as_bytes()))
}

impl Known {
    /// The shapes kept under the project `root` (read now, written by [`Known::save`]).
    pub fn open(root: &Path) -> Self {
        let file = crate::store::build_folder(root).join("queries.json");
        let shapes = crate::store::read(&file).unwrap_or_default();
        Self(Mutex::new(Inner {
            file: Some((root.to_path_buf(), file)),
            shapes,
            ..Inner::default()
        }))
    }

    /// The shape of `text`, if it compiled before.
    pub fn get(&self, text: &str) -> Option<QueryShape> {
        let k = self.0.lock().ok()?;
        let key = key(text);
        k.shapes
            .get(&key)
            .or_else(|| (!k.without_builtin).then(|| BUILTIN.get(&key)).flatten())
            .cloned()
    }

    /// Remembers that `text` compiled, with its shape.
    pub fn record(&self, text: &str, shape: &QueryShape) {
        if let Ok(mut k) = self.0.lock() {
            k.shapes.insert(key(text), shape.clone());
            k.dirty = true;
        }
    }

    /// Writes the shapes learnt since it was opened, if it has a file.
    pub fn save(&self) {
        let Ok(mut k) = self.0.lock() else { return };
        if let (true, Some((root, file))) = (k.dirty, &k.file) {
            crate::store::write(root, file, &k.shapes);
            k.dirty = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_query_is_not_compiled_again() {
        let dir = tempfile::tempdir().unwrap();
        let check = super::super::query::check;
        let text = "(call function: (identifier) @known_test_fn) @known_test_call";
        let known = Known::open(dir.path());
        let (shape, compiled) = check(text, Some(&known)).unwrap();
        assert!(compiled.is_some());
        assert_eq!(known.get(text), Some(shape.clone()));
        let (again, compiled) = check(text, Some(&known)).unwrap();
        assert!(compiled.is_none());
        assert_eq!(again, shape);
        // A broken query is never remembered.
        assert!(check("(call @x", Some(&known)).is_err());
        assert!(known.get("(call @x").is_none());
        // Another run's shapes are its own until they are saved.
        assert!(Known::open(dir.path()).get(text).is_none());
        assert!(Known::default().get(text).is_none());
        known.save();
        let (_, compiled) = check(text, Some(&Known::open(dir.path()))).unwrap();
        assert!(compiled.is_none(), "saved for the next run");
        let (_, compiled) = check(text, None).unwrap();
        assert!(compiled.is_some());
    }

    /// Every query of the built-in packs, compiled: their shapes are the
    /// embedded ones, and nothing else is embedded. After a change to a
    /// built-in query: `RULEGATE_UPDATE_SHAPES=1 cargo test --lib
    /// built_in_shapes` rewrites the file.
    #[test]
    fn built_in_shapes_are_what_the_built_in_queries_compile_to() {
        let known = Known(Mutex::new(Inner {
            without_builtin: true,
            ..Inner::default()
        }));
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::config::Config::default_for(dir.path().to_path_buf());
        config.packs = crate::packs::builtin::names()
            .into_iter()
            .map(|n| (format!("builtin:{n}"), None))
            .collect();
        let host = crate::script::ScriptHost::new();
        let rules = crate::packs::load_rules(&config, &host, &[], &[], &known).unwrap();
        let compiled = std::mem::take(&mut known.0.lock().unwrap().shapes);
        assert!(!compiled.is_empty());
        if std::env::var_os("RULEGATE_UPDATE_SHAPES").is_some() {
            let sorted: std::collections::BTreeMap<_, _> = compiled.iter().collect();
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/query-shapes.json");
            let json = serde_json::to_string_pretty(&sorted).unwrap() + "\n";
            std::fs::write(path, json).unwrap();
            return;
        }
        assert_eq!(
            &compiled, &*BUILTIN,
            "rules/query-shapes.json is stale: run RULEGATE_UPDATE_SHAPES=1 cargo test --lib built_in_shapes"
        );
        // Any run knows them: no built-in query is compiled to be validated.
        for rule in &rules.rules {
            if let crate::rule::Matcher::Query(q) = &rule.matcher {
                let (_, compiled) =
                    super::super::query::check(&q.text, Some(&Known::default())).unwrap();
                assert!(compiled.is_none(), "{}", rule.id);
            }
        }
    }
}
