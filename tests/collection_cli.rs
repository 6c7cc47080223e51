//! The collection campaign on `tests/fixtures/collection` (SPEC §4.7):
//! `report collection` ties each error of a real `pytest --collect-only`
//! log to its finding, fixes forward to the real definitions (lane
//! crossings as time-limited exceptions, or left out and named with
//! `bridge_lane_crossing = "forbid"`), and `stubs --from-pytest` never
//! contradicts the log. Real pytest runs the whole campaign in
//! `scripts/collection-campaign.sh` (a `.ci/run` step).

mod common;

use common::*;

/// The fixture, with the log real pytest wrote for it (its paths under
/// /checkout/) at `collect.log`.
fn fixture_with_log() -> tempfile::TempDir {
    let dir = fixture_copy("collection");
    let log =
        std::fs::read_to_string(repo().join("tests/fixtures/collection-logs/collect-before.log"))
            .unwrap()
            .replace("/checkout/", &format!("{}/", dir.path().display()));
    std::fs::write(dir.path().join("collect.log"), log).unwrap();
    dir
}

#[test]
fn report_collection_explains_each_error_by_its_finding() {
    let dir = fixture_with_log();
    let root = dir.path();
    let (code, out, err) = run_in(
        root,
        &["report", "collection", "--from-pytest", "collect.log"],
    );
    assert_eq!(code, 0, "{err}");
    let out = out.replace(&root.display().to_string(), "<root>");
    insta::assert_snapshot!(out);

    let (code, out, _) = run_in(
        root,
        &[
            "report",
            "collection",
            "--from-pytest",
            "collect.log",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (json["total_errors"].as_u64(), json["explained"].as_u64()),
        (Some(9), Some(7))
    );
    let errors = json["errors"].as_array().unwrap();
    let router = errors
        .iter()
        .find(|e| e["test_module"] == "tests/test_router.py")
        .unwrap();
    assert_eq!(
        router["missing_module"],
        "lukhas.orchestration.multi_ai_router"
    );
    assert_eq!(router["explained_by"]["rule"], "STUB003");
    assert_eq!(router["explained_by"]["line"], 1);
    let runtime = errors
        .iter()
        .find(|e| e["test_module"] == "tests/test_runtime.py")
        .unwrap();
    assert!(runtime["explained_by"].is_null());
}

#[test]
fn an_unreadable_log_is_exit_2_with_what_to_do() {
    let dir = fixture_copy("collection");
    let (code, _, err) = run_in(
        dir.path(),
        &["report", "collection", "--from-pytest", "missing.log"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read the pytest log missing.log"),
        "{err}"
    );
    assert!(err.contains("--collect-only"), "{err}");
}

#[test]
fn fixes_forward_to_the_real_definitions_with_lane_exceptions() {
    let dir = fixture_copy("collection");
    let root = dir.path();
    let (_, out, err) = run_in(
        root,
        &[
            "lint",
            "--fix",
            "--unsafe-fixes",
            "--today",
            "2026-01-15",
            "--format",
            "concise",
        ],
    );
    assert!(out.contains("5 fixed, 2 remaining"), "{out}{err}");
    let observability = std::fs::read_to_string(root.join("lukhas/observability.py")).unwrap();
    assert!(
        observability.contains(
            "from candidate.observability.alerts import AlertManager as AlertManager  # noqa: LANE001 -- bridge to candidate.observability.alerts until=2026-04-15\n"
        ),
        "{observability}"
    );
    // Within a lane, no exception; nothing in the wrong place.
    let api = std::fs::read_to_string(root.join("serve/api.py")).unwrap();
    assert!(
        api.contains("from core.handlers import Handler as Handler\n"),
        "{api}"
    );
    let qualia = std::fs::read_to_string(root.join("aka_qualia/core/__init__.py")).unwrap();
    assert!(
        qualia.contains("import_module(\"candidate.aka_qualia.core\")"),
        "{qualia}"
    );
    assert!(!qualia.contains("\"candidate.core\""), "{qualia}");
    // Only a name defined nowhere gets a stub.
    let settings = std::fs::read_to_string(root.join("core/settings.py")).unwrap();
    assert!(
        settings.contains("MAX_RETRIES = None  # Fallback constant"),
        "{settings}"
    );
    let router =
        std::fs::read_to_string(root.join("lukhas/orchestration/multi_ai_router/__init__.py"))
            .unwrap();
    assert!(!router.contains("Fallback"), "{router}");
    python(
        root,
        "import enum\n\
         from lukhas.orchestration.multi_ai_router import AIProvider\n\
         import candidate.orchestration.multi_ai_router as real\n\
         assert AIProvider is real.AIProvider and issubclass(AIProvider, enum.Enum)\n",
    );
    // The crossings are exceptions, so LANE001 is quiet; the rest is refused.
    let (code, out, _) = run_in(root, &["lint", "--today", "2026-01-15", "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["STUB001", "STUB001"], "{out}");
    let refused: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fix_refused"]["reason"].as_str().unwrap())
        .collect();
    assert!(
        refused[0].contains("a stub would hide the guarded one"),
        "{refused:?}"
    );
    assert!(
        refused[1].contains("`helper` is defined in candidate.tools.one, candidate.tools.two"),
        "{refused:?}"
    );
    // `report lanes` sees each crossing and marks it an exception.
    let (code, out, _) = run_in(root, &["report", "lanes", "--today", "2026-01-15"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("5 violation(s), 5 under a `# noqa` exception"),
        "{out}"
    );
    assert!(
        out.contains("| lukhas/observability.py:2 | `candidate.observability.alerts` | candidate/observability/alerts.py | from | until 2026-04-15 (active) |"),
        "{out}"
    );
    // After the TTL, SUP002 brings the crossings back.
    let (_, out, _) = run_in(
        root,
        &["lint", "--today", "2026-05-01", "--format", "concise"],
    );
    assert!(out.contains("lukhas/observability.py:2:"), "{out}");
    assert!(out.contains("SUP002"), "{out}");
}

#[test]
fn a_pack_that_forbids_crossings_names_the_definition_left_out() {
    let dir = fixture_copy("collection");
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "rulegate.toml",
                "packs = [\"team.toml\"]\ntarget-version = \"py311\"\n\
                 [lanes.production]\npaths = [\"lukhas/**\", \"core/**\", \"serve/**\"]\nmay_import = [\"production\"]\n\
                 [lanes.candidate]\npaths = [\"candidate/**\"]\n[lanes.tests]\npaths = [\"tests/**\"]\n",
            ),
            (
                "team.toml",
                "[pack]\nname = \"team\"\n\n[[rule]]\nid = \"TEAM001\"\nseverity = \"error\"\n\
                 analyzer = \"missing-export\"\nsummary = \"missing name\"\n\
                 message = \"cannot import `{name}` from `{module}`: {why}\"\n\
                 [rule.options]\ncheck = \"missing\"\n[rule.options.stubs]\n\
                 bridge_lane_crossing = \"forbid\"\n\
                 [rule.options.stubs.templates]\nclass = \"class {name}:\\n    pass\\n\"\n\
                 [[rule.options.stubs.kinds]]\nkind = \"class\"\n",
            ),
        ],
    );
    let (_, out, err) = run_in(root, &["lint", "--format", "json", "--select", "TEAM001"]);
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    let alerts = json
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "tests/test_alerts.py")
        .unwrap();
    let why = "the real definition in `candidate.observability.alerts` is left out: lane `production` may not import it";
    assert!(
        alerts["message"].as_str().unwrap().contains(why),
        "{alerts}"
    );
    let title = alerts["fix"]["message"].as_str().unwrap();
    assert!(
        title.contains("its real definition in `candidate.observability.alerts` is left out"),
        "{title}"
    );
}

#[test]
fn stubs_from_pytest_never_contradicts_the_log() {
    let dir = fixture_with_log();
    let root = dir.path();
    let (_, out, err) = run_in(root, &["stubs", "--from-pytest", "collect.log"]);
    // `Handler` is bound only under TYPE_CHECKING: pytest could not import
    // it, and the plan forwards it instead of saying it is exported.
    assert!(!err.contains("already exports"), "{err}");
    assert!(
        out.contains("+from core.handlers import Handler as Handler"),
        "{out}{err}"
    );
    assert!(
        err.contains("skipped `helper` from `lukhas.tools`"),
        "{err}"
    );
}
