//! The `missing-export` family (SPEC §4.5, §4.7): imports that pytest
//! collection would fail on. A pack names it `analyzer = "missing-export"`
//! with `[rule.options] check`, and each check is an analyzer of its own,
//! with its own options:
//!
//! - `check = "missing"` (STUB001, [`missing`]): `from pkg.mod import Name`
//!   where `pkg.mod` is a knowable module of the repository that neither
//!   binds nor re-exports `Name`: the `ImportError: cannot import name` that
//!   pytest collection would hit. Its unsafe fix adds a stub built from the
//!   pack's templates ([`stub_template`]) to the target module.
//! - `check = "shadowed"` (STUB002, [`shadowed`]): `pkg/bio.py` beside a
//!   package `pkg/bio/__init__.py`, which Python imports instead.
//! - `check = "module"` (STUB003, [`module`]): an import of a first-party
//!   module that does not exist; its fix creates a bridge.
//!
//! `rulegate stubs` plans with the same templates and helpers.

pub mod forward;
pub mod missing;
pub mod module;
pub mod shadowed;
pub mod stub_template;

use crate::imports::DEFAULT_DYNAMIC_CALLS;

/// The import extraction's dynamic-import functions: the default list, so
/// the file's extracted imports are shared with the `imports` rules.
fn dynamic_calls() -> Vec<String> {
    DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect()
}
