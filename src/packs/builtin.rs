//! Packs embedded in the binary (`builtin:NAME`), with the files their rules
//! refer to (fix scripts), so `rulegate` works with nothing installed.

/// Embedded packs by name.
const PACKS: &[(&str, &str)] = &[
    ("core", include_str!("../../rules/core.toml")),
    ("t4", include_str!("../../rules/t4.toml")),
];

/// Embedded files, by path relative to `rules/`.
const FILES: &[(&str, &str)] = &[(
    "fixes/todo_upgrade.rhai",
    include_str!("../../rules/fixes/todo_upgrade.rhai"),
)];

/// The text of the built-in pack `name`.
pub fn pack(name: &str) -> Option<&'static str> {
    PACKS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of the built-in packs.
pub fn names() -> Vec<&'static str> {
    PACKS.iter().map(|(n, _)| *n).collect()
}

/// An embedded file of the built-in packs (a fix script).
pub fn file(rel: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == rel).map(|(_, t)| *t)
}
