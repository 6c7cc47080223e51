//! Matching: query rules compiled into a single pass over the tree, and
//! helpers to look at trees while writing rules.

pub mod query;
pub mod tree;
