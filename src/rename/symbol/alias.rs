//! `--alias`: a module that bound the symbol keeps answering the old name
//! for one release, without binding it. PEP 562 runs a module-level
//! `__getattr__` only when normal lookup fails, so `from mod import Old`
//! and `mod.Old` reach it and get `New` with a `DeprecationWarning` at
//! `stacklevel=2` (pointing at the caller), and nothing else changes: `Old`
//! is not in the module's namespace, `dir()` or `from mod import *`.
//!
//! A module that has a `__getattr__` already (a single top-level `def`)
//! keeps it: the new one is defined after it and falls back to it, holding
//! it in a default argument (evaluated once, at definition), so no other
//! name is bound. Any other binding of `__getattr__` is refused.

use super::SymbolRename;
use crate::names::BindingKind;
use crate::rename::Parsed;

/// The insertion (offset, text) that defines the alias at the end of the
/// file; `None` for a stub file; `Err((offset, reason))` when the module's
/// own `__getattr__` cannot be extended safely.
pub(super) fn rewrite(
    sr: &SymbolRename,
    file: &Parsed,
) -> Result<Option<(usize, String)>, (usize, String)> {
    if sr.relative.is_some_and(|(_, rel)| rel.ends_with(".pyi")) {
        return Ok(None);
    }
    let names = file.names;
    let previous = match names.bindings_in(0, "__getattr__") {
        [] => false,
        [one] if names.binding(*one).kind == BindingKind::Function => true,
        [first, ..] => {
            return Err((
                names.binding(*first).range.start,
                "the module binds `__getattr__` otherwise than by one top-level `def`: the alias cannot extend it safely".to_string(),
            ));
        }
    };
    let text = file.text;
    let ending = crate::source::LineEnding::of(text);
    let mut body = String::new();
    if !text.is_empty() && !text.ends_with(['\n', '\r']) {
        body.push('\n');
    }
    body.push_str(&source(sr.module, sr.old, sr.new, previous));
    Ok(Some((text.len(), ending.apply(&body).into_owned())))
}

/// The alias's source, with `\n` line breaks.
pub(super) fn source(module: &str, old: &str, new: &str, previous: bool) -> String {
    let (params, fallback) = if previous {
        (
            "name, _previous=__getattr__",
            "    return _previous(name)\n".to_string(),
        )
    } else {
        (
            "name",
            "    raise AttributeError(f\"module {__name__!r} has no attribute {name!r}\")\n"
                .to_string(),
        )
    };
    format!(
        "\n\n# Deprecated alias: `{old}` was renamed to `{new}` (remove after one release).\n\
         def __getattr__({params}):\n\
         \x20   if name == \"{old}\":\n\
         \x20       import warnings\n\
         \n\
         \x20       warnings.warn(\n\
         \x20           \"`{module}.{old}` is deprecated: it was renamed to `{module}.{new}`\",\n\
         \x20           DeprecationWarning,\n\
         \x20           stacklevel=2,\n\
         \x20       )\n\
         \x20       return {new}\n\
         {fallback}"
    )
}
