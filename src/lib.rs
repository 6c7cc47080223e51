//! rulegate: a declarative rule engine for Python repositories.
//!
//! The modules are layered without a cycle, and their order is the
//! pipeline: [`config`] → `packs` (the file format in `pack_format`,
//! compiled into a [`rule::RuleSet`]) → [`walk`] → [`parse`] → `check`
//! (one parse, the `matching` queries in one walk, the `analyzers`) →
//! `suppress` → `fix` (one engine over a workspace of files) → [`report`].
//! A [`run::Run`] carries what every stage reads (config, rules, script
//! host, date, the project model); [`lint`] strings the stages together
//! over many files, and [`cli`] is a thin shell over it.
//!
//! The public modules are what the binary, the tests and a library user
//! need: load a [`run::Run`], [`lint::lint`] it, render its
//! [`finding::Finding`]s with [`report`]. Everything else is crate-private.
//! See docs/architecture.md.

// Load errors carry their source text for miette; they are cold and rare.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

mod analyzers;
mod audit;
mod baseline;
mod check;
pub mod cli;
pub mod config;
mod dates;
mod deps;
mod deps_decl;
mod error;
mod escalate;
pub mod finding;
mod fix;
mod fs_guard;
mod glob;
mod hash;
pub mod imports;
pub mod lint;
mod matching;
mod names;
mod pack_format;
mod packs;
pub mod parse;
mod project;
mod promote;
mod rename;
pub mod report;
pub mod rule;
pub mod run;
pub mod schema;
mod script;
mod selector;
mod server;
pub mod source;
mod store;
mod stubs;
mod suppress;
mod symbols;
mod template;
mod testing;
pub mod walk;
mod words;
mod workbench;

/// The calendar date TTLs are judged against ([`run::Run::load`] takes one).
pub use dates::Date;
/// The cache folder under the project root (`.rulegate_cache`).
pub use store::FOLDER as CACHE_FOLDER;
