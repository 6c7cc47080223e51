//! The `imports` family: rules over the resolved import graph (SPEC §4.3,
//! §4.4). A pack names it `analyzer = "imports"` with `[rule.options] check`,
//! and each check is an analyzer of its own, with its own options:
//!
//! - `lanes` (LANE001, [`lanes`]): an import of a module in a lane the file's
//!   lane may not import; it also feeds `rulegate report lanes`;
//! - `dynamic` (LANE002, [`dynamic`]): a dynamic import with no literal
//!   prefix in a lane that forbids them;
//! - `legacy` (LEG001, [`legacy`]): an import of a banned prefix, with rename
//!   fixes;
//! - `relative` (IMP001, [`relative`]): a relative import that climbs above
//!   the top-level package.

pub mod dynamic;
pub mod lanes;
pub mod legacy;
pub mod relative;

pub use lanes::DEFAULT_MODULE_STRING_CALLS;

use crate::config::Lane;
use crate::imports::DEFAULT_DYNAMIC_CALLS;

/// The default of every check's `dynamic_calls` option: the functions that
/// import by name (`importlib.import_module`, `builtins.__import__`).
fn default_calls() -> Vec<String> {
    DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Whether lane `from` may import lane `to`.
pub fn may_import(from: &Lane, to: &Lane) -> bool {
    from.name == to.name
        || from
            .may_import
            .as_ref()
            .is_none_or(|list| list.contains(&to.name))
}
