//! rulegate: a declarative rule engine for Python repositories.
//!
//! The modules follow the pipeline: [`config`] → [`packs`] (rule pack format
//! and loading, into a [`rule::RuleSet`]) → [`walk`] → [`check`] (parse once,
//! [`matching`] queries and [`analyzers`] in one pass) → [`suppress`] →
//! [`fix`] → [`report`]. [`lint`] runs the pipeline over many files; [`cli`]
//! is a thin shell over it.

// Load errors carry their source text for miette; they are cold and rare.
#![allow(clippy::result_large_err)]

pub mod analyzers;
pub mod audit;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod dates;
pub mod error;
pub mod finding;
pub mod fix;
pub mod glob;
pub mod hash;
pub mod imports;
pub mod lint;
pub mod matching;
pub mod pack_format;
pub mod packs;
pub mod parse;
pub mod project;
pub mod report;
pub mod rule;
pub mod run;
pub mod schema;
pub mod script;
pub mod source;
pub mod stubs;
pub mod suppress;
pub mod symbols;
pub mod template;
pub mod testing;
pub mod walk;
