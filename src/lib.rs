//! rulegate: a declarative rule engine for Python repositories.
//!
//! The modules are layered without a cycle, and their order is the
//! pipeline: [`config`] → [`packs`] (the file format in [`pack_format`],
//! compiled into a [`rule::RuleSet`]) → [`walk`] → [`parse`] → [`check`]
//! (one parse, the [`matching`] queries in one walk, the [`analyzers`]) →
//! [`suppress`] → [`fix`] (one engine over a workspace of files) →
//! [`report`]. A [`run::Run`] carries what every stage reads (config, rules,
//! script host, date, the [`project`] model); [`lint`] strings the stages
//! together over many files, and [`cli`] is a thin shell over it. See
//! docs/architecture.md.

// Load errors carry their source text for miette; they are cold and rare.
#![allow(clippy::result_large_err)]

pub mod analyzers;
pub mod audit;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod dates;
pub mod deps;
pub mod error;
pub mod escalate;
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
pub mod promote;
pub mod report;
pub mod rule;
pub mod run;
pub mod schema;
pub mod script;
pub mod server;
pub mod source;
pub mod store;
pub mod stubs;
pub mod suppress;
pub mod symbols;
pub mod template;
pub mod testing;
pub mod walk;
pub mod workbench;
