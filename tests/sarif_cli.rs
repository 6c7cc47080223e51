//! `--format sarif` is valid SARIF 2.1.0 (the official schema, vendored in
//! tests/fixtures) and carries rules, locations and fixes.

mod common;

use common::*;

fn validate(log: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_is_valid_and_complete() {
    let dir = repo().join("examples/monorepo");
    let (code, out, err) = run_in(&dir, &["lint", "--format", "sarif"]);
    assert_eq!(code, 1, "{err}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    validate(&log);
    // The validator bites: a wrong level is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    assert!(
        !jsonschema::validator_for(&schema)
            .unwrap()
            .is_valid(&broken)
    );
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "E402" && r["defaultConfiguration"]["level"] == "error")
    );
    let results = run["results"].as_array().unwrap();
    let (_, json, _) = run_in(&dir, &["lint", "--format", "json"]);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(results.len(), findings.len());
    let fixed = results
        .iter()
        .find(|r| r.get("fixes").is_some())
        .expect("some result has a fix");
    assert!(
        fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
            .is_string()
    );
    let first = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], findings[0]["path"]);
    assert_eq!(first["region"]["startLine"], findings[0]["line"]);
}

#[test]
fn sarif_with_no_findings_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", "import os\n")]);
    let (code, out, _) = run_in(
        dir.path(),
        &["lint", "--format", "sarif", "--output-file", "out.sarif"],
    );
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    validate(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}
