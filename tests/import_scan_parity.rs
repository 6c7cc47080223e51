//! The import scanner (imports read from tokens, without a parse) against
//! the tree: on every Python file of the corpora, wherever the scanner reads
//! a file it gives exactly the tree's static imports. The corpora are the
//! repository's examples and fixtures, plus the folders in
//! `RULEGATE_SCAN_CORPUS` (`:`-separated; CI gives the stdlib and sphinx).

use std::path::{Path, PathBuf};

use rulegate::imports::{extract, scan::static_imports};
use rulegate::parse::Worker;
use rulegate::source::SourceText;

fn python_files(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => python_files(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "py") => out.push(path),
            _ => {}
        }
    }
}

#[test]
fn the_scanner_reads_what_the_tree_reads() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = vec![here.join("examples"), here.join("tests/fixtures")];
    if let Ok(extra) = std::env::var("RULEGATE_SCAN_CORPUS") {
        roots.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    let mut files = Vec::new();
    for root in &roots {
        python_files(root, &mut files);
    }
    files.sort();
    let mut worker = Worker::new();
    let (mut scanned, mut gave_up, mut differ) = (0, Vec::new(), Vec::new());
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(src) = SourceText::decode(&bytes) else {
            continue;
        };
        let Some(tree) = worker.parse(&src.text) else {
            continue;
        };
        match static_imports(&src.text) {
            Some(sites) => {
                scanned += 1;
                let from_tree = extract(&tree, &src.text, &[]);
                if sites != from_tree {
                    let first = sites
                        .iter()
                        .zip(&from_tree)
                        .find(|(a, b)| a != b)
                        .map(|(a, b)| format!("scanner {a:?}\n    tree {b:?}"))
                        .unwrap_or_else(|| {
                            format!("{} against {} sites", sites.len(), from_tree.len())
                        });
                    differ.push(format!("{}: {first}", path.display()));
                }
            }
            None => gave_up.push(path.display().to_string()),
        }
    }
    eprintln!(
        "{} files: {scanned} scanned, {} left to the parser",
        files.len(),
        gave_up.len()
    );
    assert!(
        differ.is_empty(),
        "{} files differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
    // The scanner must be worth having: it reads nearly every real file.
    assert!(
        gave_up.len() * 20 <= files.len(),
        "gave up on: {gave_up:#?}"
    );
}
