//! `[promote.criteria]` (SPEC §4.8): files that must exist in the package
//! (or beside the module), and a minimum coverage of the moved files read
//! from a coverage.py JSON report. Each is one line of the gate.
//!
//! Coverage: the report's `files` keys are absolute, or relative to where
//! coverage ran, which the report does not record; a relative key is tried
//! against the report's folder, then the project root. The total is
//! Σ`covered_lines` / Σ`num_statements` over the moved Python files, with
//! `covered_branches` / `num_branches` added to both sums when
//! `meta.branch_coverage` is true (coverage.py's own total). A moved file
//! missing from the report counts as 0% of its real size: its statements
//! are counted from its tree ([`statement_lines`]), so a large uncovered
//! file weighs what it would in the report (at least one statement, so an
//! empty or unreadable file still counts against the total).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Promotion;
use crate::config::promote::PromoteSettings;

/// One criterion's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// What it checks (`file PROMOTE.md`, `coverage ≥ 90%`).
    pub name: String,
    /// Whether it holds.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// Judges every configured criterion on the promotion `p`.
pub fn judge(root: &Path, settings: &PromoteSettings, p: &Promotion) -> Vec<Verdict> {
    let mut out = Vec::new();
    let home = p
        .src_dir()
        .map(str::to_string)
        .unwrap_or_else(|| parent(&p.shim_path));
    for f in &settings.files {
        let rel = if home.is_empty() {
            f.clone()
        } else {
            format!("{home}/{f}")
        };
        let passed = root.join(&rel).is_file();
        out.push(Verdict {
            name: format!("file `{f}`"),
            passed,
            detail: if passed {
                format!("`{rel}` exists")
            } else {
                format!("`{rel}` is missing")
            },
        });
    }
    if let Some((report, min)) = &settings.coverage {
        let moved: Vec<&str> = p
            .moved_paths()
            .filter(|r| r.ends_with(".py") || r.ends_with(".pyi"))
            .collect();
        out.push(coverage(root, report, *min, &moved));
    }
    out
}

fn parent(rel: &str) -> String {
    rel.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

/// The coverage line of the gate.
fn coverage(root: &Path, report: &str, min: f64, moved: &[&str]) -> Verdict {
    let name = format!("coverage ≥ {min}%");
    let failed = |detail: String| Verdict {
        name: name.clone(),
        passed: false,
        detail,
    };
    let path = root.join(report);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) => {
            return failed(format!(
                "cannot read the report `{report}`: {e} (run `coverage json -o {report}`)"
            ));
        }
    };
    let parsed: Report = match serde_json::from_slice(&text) {
        Ok(r) => r,
        Err(e) => return failed(format!("`{report}` is not a coverage.py JSON report: {e}")),
    };
    let report_dir = path.parent().unwrap_or(root).to_path_buf();
    let total = total(&parsed, root, &report_dir, moved);
    let passed = total.percent >= min;
    Verdict {
        name,
        passed,
        detail: format!(
            "{:.1}% of {} file(s){}",
            total.percent,
            moved.len(),
            if total.missing.is_empty() {
                String::new()
            } else {
                format!(
                    "; not in the report (0%): {}",
                    total
                        .missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    }
}

/// The parts of coverage.py's JSON report that the total reads.
#[derive(Debug, serde::Deserialize)]
struct Report {
    #[serde(default)]
    meta: Meta,
    files: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Meta {
    #[serde(default)]
    branch_coverage: bool,
}

#[derive(Debug, serde::Deserialize)]
struct FileEntry {
    summary: Summary,
}

#[derive(Debug, serde::Deserialize)]
struct Summary {
    covered_lines: u64,
    num_statements: u64,
    #[serde(default)]
    covered_branches: u64,
    #[serde(default)]
    num_branches: u64,
}

struct Total {
    percent: f64,
    missing: Vec<String>,
}

fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn total(report: &Report, root: &Path, report_dir: &Path, moved: &[&str]) -> Total {
    let root = normal(&std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()));
    let report_dir =
        normal(&std::path::absolute(report_dir).unwrap_or_else(|_| report_dir.to_path_buf()));
    // Each key as the absolute paths it may name.
    let keyed: Vec<(Vec<PathBuf>, &Summary)> = report
        .files
        .iter()
        .map(|(k, v)| {
            let key = Path::new(k);
            let places = if key.is_absolute() {
                vec![normal(key)]
            } else {
                vec![normal(&report_dir.join(key)), normal(&root.join(key))]
            };
            (places, &v.summary)
        })
        .collect();
    let (mut covered, mut statements) = (0u64, 0u64);
    let mut missing = Vec::new();
    for rel in moved {
        let abs = normal(&root.join(rel));
        match keyed.iter().find(|(places, _)| places.contains(&abs)) {
            Some((_, s)) => {
                covered += s.covered_lines;
                statements += s.num_statements;
                if report.meta.branch_coverage {
                    covered += s.covered_branches;
                    statements += s.num_branches;
                }
            }
            None => {
                missing.push(rel.to_string());
                statements += size(&root.join(rel)).max(1);
            }
        }
    }
    let percent = if statements == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / statements as f64
    };
    Total { percent, missing }
}

/// The statements of the Python file at `path`, as [`statement_lines`]
/// counts them; 0 when it cannot be read or parsed.
fn size(path: &Path) -> u64 {
    let Ok(source) = crate::source::read_source(path) else {
        return 0;
    };
    crate::parse::Worker::new()
        .parse(&source.text)
        .map_or(0, |tree| statement_lines(&tree))
}

/// A simple count of a module's statements, close to coverage.py's
/// `num_statements`: the distinct lines where a simple or compound
/// statement starts (`x = 1`, `def f():`, `if c:`, `return`), nested ones
/// included. Docstrings (a string alone as a statement) are not counted,
/// as coverage.py does not count them; a decorated definition counts once.
pub fn statement_lines(tree: &tree_sitter::Tree) -> u64 {
    let mut lines = std::collections::BTreeSet::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let kind = node.kind();
        let docstring = kind == "expression_statement"
            && node.named_child_count() == 1
            && node.named_child(0).is_some_and(|c| c.kind() == "string");
        let statement = kind.ends_with("_statement")
            || matches!(
                kind,
                "function_definition" | "class_definition" | "decorated_definition"
            );
        if statement && !docstring {
            lines.insert(node.start_position().row);
        }
        // A decorated definition counts on its first line, not again at `def`.
        let inner = match kind {
            "decorated_definition" => node.child_by_field_name("definition"),
            _ => Some(node),
        };
        if let Some(n) = inner {
            stack.extend(n.named_children(&mut n.walk()));
        }
    }
    lines.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(branch: bool) -> Report {
        serde_json::from_str(&format!(
            r#"{{"meta": {{"branch_coverage": {branch}}}, "files": {{
                "pkg/a.py": {{"summary": {{"covered_lines": 8, "num_statements": 10, "covered_branches": 1, "num_branches": 4}}}},
                "/abs/root/pkg/b.py": {{"summary": {{"covered_lines": 10, "num_statements": 10, "covered_branches": 0, "num_branches": 0}}}},
                "other.py": {{"summary": {{"covered_lines": 0, "num_statements": 50}}}}
            }}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn the_total_sums_lines_and_branches_over_the_moved_files() {
        let root = Path::new("/abs/root");
        let t = total(&report(false), root, root, &["pkg/a.py", "pkg/b.py"]);
        assert_eq!(t.percent, 90.0);
        assert!(t.missing.is_empty());
        let t = total(&report(true), root, root, &["pkg/a.py", "pkg/b.py"]);
        assert_eq!(t.percent, 19.0 * 100.0 / 24.0);
        // Keys relative to where coverage ran: the report's folder.
        let t = total(
            &report(false),
            root,
            Path::new("/abs/root/sub/.."),
            &["pkg/a.py"],
        );
        assert_eq!(t.percent, 80.0);
    }

    #[test]
    fn a_moved_file_missing_from_the_report_counts_as_zero() {
        let root = Path::new("/abs/root");
        let t = total(&report(false), root, root, &["pkg/b.py", "pkg/c.py"]);
        assert_eq!(t.missing, ["pkg/c.py"]);
        assert!(t.percent < 100.0);
        let t = total(&report(false), root, root, &["pkg/c.py"]);
        assert_eq!(t.percent, 0.0);
    }

    #[test]
    fn a_missing_file_weighs_its_real_statements() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("pkg")).unwrap();
        // 10 statements, all covered.
        let a: String = (0..10).map(|i| format!("x{i} = {i}\n")).collect();
        std::fs::write(root.join("pkg/a.py"), a).unwrap();
        // 30 statements, not in the report: 10 of 40 covered, 25%.
        let c: String = (0..30).map(|i| format!("y{i} = {i}\n")).collect();
        std::fs::write(root.join("pkg/c.py"), c).unwrap();
        let report: Report = serde_json::from_str(
            r#"{"files": {"pkg/a.py": {"summary": {"covered_lines": 10, "num_statements": 10}}}}"#,
        )
        .unwrap();
        let t = total(&report, root, root, &["pkg/a.py", "pkg/c.py"]);
        assert_eq!(t.missing, ["pkg/c.py"]);
        assert_eq!(t.percent, 25.0);
    }

    #[test]
    fn statements_are_counted_as_coverage_counts_them() {
        let code = "\"\"\"Doc.\"\"\"\nimport os\n\n\n@dec\ndef f(a,\n      b):\n    \"\"\"Doc.\"\"\"\n    if a:\n        return (1 +\n                2)\n    return b\n\n\nclass C:\n    x = 1; y = 2\n";
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        // import, @dec/def, if, return, return, class, and the line of x and y.
        assert_eq!(statement_lines(&tree), 7);
    }
}
