//! What a `where.CAP.unique = "repository"` rule compares (SPEC §3.5): the
//! capture it names, and a captured node's value (strings by value, not
//! spelling). The project-wide index of the values is the checker's
//! (`check/unique_index`).

mod value;

pub use value::value_of;

use crate::matching::query::QueryMatcher;

/// The message variable naming the other places of a value.
pub const OTHERS: &str = "others";

/// The capture whose value must be unique, if the rule has one.
pub fn capture(m: &QueryMatcher) -> Option<&str> {
    m.constraints
        .iter()
        .find(|(_, c)| c.unique)
        .map(|(name, _)| name.as_str())
}
