//! Finding the files to lint: `.gitignore` (in or out of a git repository),
//! ruff-like default excludes, the config's `exclude`, `*.py`/`*.pyi` only.
//! Files named explicitly are linted even if a walk would skip them (that is
//! how pre-commit passes them), unless `--force-exclude`.

use std::path::{Path, PathBuf};

use crate::config::Config;

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// Path relative to the project root (`/`-separated), or absolute when outside it.
    pub rel: String,
    /// Path to read.
    pub path: PathBuf,
}

/// Whether a file name is a Python source or stub.
pub fn is_python(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "pyi")
    )
}

/// The project-relative form of `path` (absolute when outside the root).
pub fn relative(config: &Config, path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = abs.strip_prefix(&config.root).unwrap_or(&abs);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_string()
}

/// Collects the files under `paths`, sorted and deduplicated.
pub fn collect(config: &Config, paths: &[PathBuf], force_exclude: bool) -> Vec<Target> {
    walk(config, paths, force_exclude).targets
}

/// What a walk found: the files, and the config files below the project
/// root that govern some of them instead (a nested `rulegate.toml` or
/// `pyproject.toml` with `[tool.rulegate]`).
#[derive(Debug, Default)]
pub struct Walk {
    /// The files, sorted and deduplicated.
    pub targets: Vec<Target>,
    /// Nested configs met on the way, in walk order.
    pub nested_configs: Vec<PathBuf>,
}

/// Walks `paths` (see [`collect`]), noting nested configs.
pub fn walk(config: &Config, paths: &[PathBuf], force_exclude: bool) -> Walk {
    let mut nested = Vec::new();
    let own = config.doc.as_ref().map(|d| PathBuf::from(&d.name));
    let mut out = Vec::new();
    for p in paths {
        let rel = relative(config, p);
        let is_dir = p.is_dir();
        if !is_dir {
            // Explicit file (or a missing path / broken link: reading it reports E902).
            if !(force_exclude && config.exclude.is_match(&rel)) {
                out.push(Target {
                    rel,
                    path: p.clone(),
                });
            }
            continue;
        }
        let root = config.root.clone();
        let walk_root = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let exclude = config.exclude.clone();
        let walker = ignore::WalkBuilder::new(p)
            .hidden(false)
            .require_git(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .parents(true)
            .ignore(true)
            .follow_links(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .filter_entry(move |e| {
                if e.depth() == 0 {
                    return true;
                }
                let abs = std::path::absolute(e.path()).unwrap_or_else(|_| e.path().to_path_buf());
                // Outside the project, excludes apply below the folder walked.
                let rel = abs
                    .strip_prefix(&root)
                    .or_else(|_| abs.strip_prefix(&walk_root))
                    .unwrap_or(&abs)
                    .to_string_lossy()
                    .replace('\\', "/");
                !exclude.is_match(&rel)
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    // An unreadable folder is reported (reading it fails: E902),
                    // never skipped in silence.
                    if let Some(path) = error_path(&e) {
                        out.push(Target {
                            rel: relative(config, &path),
                            path,
                        });
                    }
                    continue;
                }
            };
            let path = entry.path();
            if entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_file())
                && matches!(
                    entry.file_name().to_str(),
                    Some(crate::config::CONFIG_FILE | "pyproject.toml")
                )
                && let Some(file) = path.parent().and_then(crate::config::config_in)
                && std::path::absolute(&file).ok()
                    != own.as_ref().and_then(|o| std::path::absolute(o).ok())
                && !nested.contains(&file)
            {
                nested.push(file);
            }
            // Anything named `*.py` that is not a folder: a FIFO or socket gets
            // E902 when read, a regular file or a link to one is linted.
            let is_file = entry.file_type().is_some_and(|t| !t.is_dir());
            if is_file && is_python(path) && !(entry.path_is_symlink() && path.is_dir()) {
                out.push(Target {
                    rel: relative(config, path),
                    path: path.to_path_buf(),
                });
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.rel == b.rel);
    Walk {
        targets: out,
        nested_configs: nested,
    }
}

/// The path an error of the walk is about, if it names one.
fn error_path(e: &ignore::Error) -> Option<std::path::PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_python_files_and_honours_excludes_and_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "a.py",
            "b.pyi",
            "c.txt",
            ".venv/x.py",
            "build/y.py",
            "pkg/z.py",
            "ignored/w.py",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x = 1\n").unwrap();
        }
        std::fs::write(d.join(".gitignore"), "ignored/\n").unwrap();
        let config = Config::default_for(d.to_path_buf());
        let rels: Vec<String> = collect(&config, &[d.to_path_buf()], false)
            .into_iter()
            .map(|t| t.rel)
            .collect();
        assert_eq!(rels, vec!["a.py", "b.pyi", "pkg/z.py"]);

        // Explicit files are linted even when excluded, unless forced.
        let explicit = [d.join("build/y.py")];
        assert_eq!(collect(&config, &explicit, false).len(), 1);
        assert_eq!(collect(&config, &explicit, true).len(), 0);
    }
}
