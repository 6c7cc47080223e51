//! The shapes of queries that compiled, by their text, remembered across
//! runs in the cache folder (`store`): a warm run validates a pack without
//! compiling its queries, and compiles them only if a file needs them. Only
//! queries that compiled are remembered, so a broken query is an error on
//! every run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::query::QueryShape;

#[derive(Default)]
struct Known {
    /// Where the shapes are kept (`None`: in memory only).
    file: Option<(PathBuf, PathBuf)>,
    /// Shapes by the digest of the query text (hex, for JSON keys).
    shapes: HashMap<String, QueryShape>,
    dirty: bool,
}

static KNOWN: Mutex<Option<Known>> = Mutex::new(None);

fn key(text: &str) -> String {
    format!("{:016x}", crate::hash::digest(text.as_bytes()))
}

/// Loads the shapes kept under the project `root` (when the stores are on).
pub fn open(root: &Path) {
    if !crate::store::enabled() {
        return;
    }
    let file = crate::store::build_folder(root).join("queries.json");
    let shapes = crate::store::read(&file).unwrap_or_default();
    if let Ok(mut k) = KNOWN.lock() {
        *k = Some(Known {
            file: Some((root.to_path_buf(), file)),
            shapes,
            dirty: false,
        });
    }
}

/// The shape of `text`, if it compiled before.
pub fn get(text: &str) -> Option<QueryShape> {
    let k = KNOWN.lock().ok()?;
    k.as_ref()?.shapes.get(&key(text)).cloned()
}

/// Remembers that `text` compiled, with its shape.
pub fn record(text: &str, shape: &QueryShape) {
    if let Ok(mut k) = KNOWN.lock() {
        let k = k.get_or_insert_with(Known::default);
        k.shapes.insert(key(text), shape.clone());
        k.dirty = true;
    }
}

/// Writes the shapes learnt by this run, if it has a store.
pub fn save() {
    let Ok(mut k) = KNOWN.lock() else { return };
    let Some(k) = k.as_mut() else { return };
    if let (true, Some((root, file))) = (k.dirty, &k.file) {
        crate::store::write(root, file, &k.shapes);
        k.dirty = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_query_is_not_compiled_again() {
        let text = "(call function: (identifier) @known_test_fn) @known_test_call";
        let (shape, compiled) = super::super::query::check(text).unwrap();
        assert!(compiled.is_some());
        assert_eq!(get(text), Some(shape.clone()));
        let (again, compiled) = super::super::query::check(text).unwrap();
        assert!(compiled.is_none());
        assert_eq!(again, shape);
        // A broken query is never remembered.
        assert!(super::super::query::check("(call @x").is_err());
        assert!(get("(call @x").is_none());
    }
}
