//! JSON Schemas of rule packs and of `rulegate.toml`, generated from the
//! very serde types the loader reads (so they cannot drift), printed by
//! `rulegate schema` and committed in `schemas/` for editors (taplo, Even
//! Better TOML: put `#:schema ./schemas/rulepack.schema.json` at the top of
//! a pack).

use serde_json::{Value, json};

use crate::analyzers;
use crate::config::ConfigSpec;
use crate::pack_format::PackSpec;
use crate::rule::{EngineCheck, SuppressionCheck};

/// The pack schema, with each analyzer's options: a rule that names an
/// analyzer (and takes no `options_from`, whose keys the schema cannot see)
/// has that analyzer's options schema, so editors complete and check them.
fn pack_schema() -> schemars::Schema {
    let mut generator = schemars::generate::SchemaSettings::default().into_generator();
    let mut cases: Vec<(String, Value)> = analyzers::option_schemas(&mut generator)
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema.to_value()))
        .collect();
    let check = |names: Vec<&str>| {
        json!({
            "type": "object",
            "properties": { "check": { "enum": names } },
            "required": ["check"],
            "additionalProperties": false,
        })
    };
    cases.push((
        "engine".into(),
        check(EngineCheck::NAMES.iter().map(|(n, _)| *n).collect()),
    ));
    cases.push((
        "suppression".into(),
        check(SuppressionCheck::NAMES.iter().map(|(n, _)| *n).collect()),
    ));
    let mut schema = generator.into_root_schema_for::<PackSpec>();
    let conditions: Vec<Value> = cases
        .into_iter()
        .map(|(name, options)| {
            json!({
                "if": {
                    "properties": { "analyzer": { "const": name } },
                    "required": ["analyzer"],
                    "not": { "required": ["options_from"] },
                },
                "then": { "properties": { "options": options } },
            })
        })
        .collect();
    if let Some(rule) = schema
        .as_object_mut()
        .and_then(|o| o.get_mut("$defs"))
        .and_then(|d| d.get_mut("RuleSpec"))
        .and_then(Value::as_object_mut)
    {
        rule.insert("allOf".into(), Value::Array(conditions));
        // serde reads these as optional to report every missing one at once.
        rule.insert("required".into(), json!(["id", "severity", "message"]));
        // Exactly one matcher.
        rule.insert(
            "oneOf".into(),
            json!([
                { "required": ["query"], "not": { "anyOf": [{ "required": ["pattern"] }, { "required": ["analyzer"] }] } },
                { "required": ["pattern"], "not": { "anyOf": [{ "required": ["query"] }, { "required": ["analyzer"] }] } },
                { "required": ["analyzer"], "not": { "anyOf": [{ "required": ["query"] }, { "required": ["pattern"] }] } },
            ]),
        );
        if let Some(Value::Object(props)) = rule.get_mut("properties")
            && let Some(Value::Object(analyzer)) = props.get_mut("analyzer")
        {
            let mut names = analyzers::names();
            names.sort();
            analyzer.insert("enum".into(), json!(names));
        }
    }
    // A fix table holds exactly one of `template`, `script` and `rename_to`.
    if let Some(fix) = schema
        .as_object_mut()
        .and_then(|o| o.get_mut("$defs"))
        .and_then(|d| d.get_mut("FixTable"))
        .and_then(Value::as_object_mut)
    {
        fix.insert(
            "oneOf".into(),
            json!(["template", "script", "rename_to"].map(|one| {
                let others: Vec<Value> = ["template", "script", "rename_to"]
                    .into_iter()
                    .filter(|k| *k != one)
                    .map(|k| json!({ "required": [k] }))
                    .collect();
                json!({ "required": [one], "not": { "anyOf": others } })
            })),
        );
    }
    schema
}

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
        SchemaKind::Pack => pack_schema(),
        SchemaKind::Config => schemars::schema_for!(ConfigSpec),
    };
    let mut s = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    s.push('\n');
    s
}
