//! JSON Schemas of rule packs and of `rulegate.toml`, generated from the
//! very serde types the loader reads (so they cannot drift), printed by
//! `rulegate schema` and committed in `schemas/` for editors (taplo, Even
//! Better TOML: put `#:schema ./schemas/rulepack.schema.json` at the top of
//! a pack).

use crate::config::ConfigSpec;
use crate::pack_format::PackSpec;

/// Which schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// Rule packs (`schemas/rulepack.schema.json`).
    Pack,
    /// `rulegate.toml` (`schemas/rulegate.schema.json`).
    Config,
}

impl SchemaKind {
    /// The committed file, relative to the repository root.
    pub fn file(self) -> &'static str {
        match self {
            SchemaKind::Pack => "schemas/rulepack.schema.json",
            SchemaKind::Config => "schemas/rulegate.schema.json",
        }
    }
}

/// The schema as pretty JSON with a final newline.
pub fn render(kind: SchemaKind) -> String {
    let schema = match kind {
        SchemaKind::Pack => schemars::schema_for!(PackSpec),
        SchemaKind::Config => schemars::schema_for!(ConfigSpec),
    };
    let mut s = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    s.push('\n');
    s
}
