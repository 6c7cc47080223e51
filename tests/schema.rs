//! The committed JSON Schemas match the Rust types, and every pack and config
//! of the repository validates against them (with a real validator).

use std::path::{Path, PathBuf};

use rulegate::schema::{SchemaKind, render};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schemas_are_up_to_date() {
    for kind in [SchemaKind::Pack, SchemaKind::Config] {
        let committed = std::fs::read_to_string(repo().join(kind.file())).unwrap();
        assert!(
            committed == render(kind),
            "{} is stale: run `cargo run -- schema {} > {}`",
            kind.file(),
            if kind == SchemaKind::Pack {
                "pack"
            } else {
                "config"
            },
            kind.file()
        );
    }
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn validator(kind: SchemaKind) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&render(kind)).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn as_json(text: &str) -> serde_json::Value {
    serde_json::to_value(toml::from_str::<toml::Value>(text).unwrap()).unwrap()
}

#[test]
fn every_pack_and_config_validates() {
    let (packs, configs) = (validator(SchemaKind::Pack), validator(SchemaKind::Config));
    let mut files = Vec::new();
    for dir in ["rules", "examples", "tests/fixtures"] {
        toml_files(&repo().join(dir), &mut files);
    }
    assert!(files.len() >= 6, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let v = as_json(&text);
        let validator = if v.get("pack").is_some() {
            &packs
        } else {
            &configs
        };
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let packs = validator(SchemaKind::Pack);
    let ok = "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"error\"\nsummary = \"s\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n";
    assert!(packs.is_valid(&as_json(ok)));
    assert!(!packs.is_valid(&as_json(&format!("{ok}colour = 1\n"))));
    assert!(!packs.is_valid(&as_json(&ok.replace("\"error\"", "\"fatal\""))));
    // Analyzer options are checked per analyzer.
    let analyzer = ok.replace(
        "query = \"(identifier) @x\"\n",
        "analyzer = \"import-order\"\n",
    );
    assert!(packs.is_valid(&as_json(&format!(
        "{analyzer}[rule.options]\nallowed_assign_targets = []\n"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{analyzer}[rule.options]\nalowed_assign_targets = []\n"
    ))));
    // A check of a family takes its own options only.
    let imports = ok.replace("query = \"(identifier) @x\"\n", "analyzer = \"imports\"\n");
    let renames = "renames = [{ from = \"a\", to = \"b\" }]\n";
    assert!(packs.is_valid(&as_json(&format!(
        "{imports}[rule.options]\ncheck = \"legacy\"\n{renames}"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{imports}[rule.options]\ncheck = \"lanes\"\n{renames}"
    ))));
    assert!(packs.is_valid(&as_json(&format!(
        "{imports}[rule.options]\ncheck = \"lanes\"\ntyping_only = \"exempt\"\n"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{imports}[rule.options]\ncheck = \"relative\"\ntyping_only = \"exempt\"\n"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{imports}[rule.options]\ncheck = \"sideways\"\n"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{imports}[rule.options]\ntyping_only = \"exempt\"\n"
    ))));
    let engine = ok.replace("query = \"(identifier) @x\"\n", "analyzer = \"engine\"\n");
    assert!(packs.is_valid(&as_json(&format!("{engine}options.check = \"syntax\"\n"))));
    assert!(!packs.is_valid(&as_json(&format!("{engine}options.check = \"sintax\"\n"))));
    // A minimal rule: no summary.
    let minimal = ok.replace("summary = \"s\"\n", "");
    assert!(packs.is_valid(&as_json(&minimal)));
    // Missing required keys, no matcher, or both matchers.
    assert!(!packs.is_valid(&as_json(&minimal.replace("message = \"m\"\n", ""))));
    assert!(!packs.is_valid(&as_json(
        &minimal.replace("query = \"(identifier) @x\"\n", "")
    )));
    assert!(!packs.is_valid(&as_json(&format!("{minimal}analyzer = \"import-order\"\n"))));
    assert!(!packs.is_valid(&as_json(&format!("{minimal}analyzer = \"magic\"\n"))));
    // A fix table: a template or a script, not both, not neither.
    assert!(packs.is_valid(&as_json(&format!(
        "{minimal}fix = {{ template = \"y\" }}\n"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{minimal}fix = {{ template = \"y\", script = \"f.rhai\" }}\n"
    ))));
    assert!(!packs.is_valid(&as_json(&format!(
        "{minimal}fix = {{ applicability = \"safe\" }}\n"
    ))));
    // Relational constraints: a query, a table or a list; `expect` entries.
    for ok_where in [
        "where.x.inside = '(block) @b'\n",
        "where.x.not_has = { query = '(identifier)', max_depth = 1 }\n",
        "where.x.inside = ['(block)', { query = '(module)', stop_at = [\"block\"] }]\n",
        "[[rule.tests]]\ncode = \"x\"\nexpect = [\"T1@1\"]\n",
    ] {
        assert!(
            packs.is_valid(&as_json(&format!("{minimal}{ok_where}"))),
            "{ok_where}"
        );
    }
    for bad in [
        "where.x.inside = 3\n",
        "where.x.has = { query = '(block)', depth = 1 }\n",
        "where.x.has = { query = '(block)', max_depth = 0 }\n",
        "[[rule.tests]]\ncode = \"x\"\nexpect = [\"E1:1\"]\n",
    ] {
        assert!(
            !packs.is_valid(&as_json(&format!("{minimal}{bad}"))),
            "{bad}"
        );
    }
    let configs = validator(SchemaKind::Config);
    assert!(configs.is_valid(&as_json("[lanes.p]\npaths = [\"**\"]\n")));
    assert!(!configs.is_valid(&as_json("[lanes.p]\nglobs = [\"**\"]\n")));
}
