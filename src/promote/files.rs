//! What a move takes along and where it may go (SPEC §4.8, "all or
//! nothing"): every file under the package whatever its type, encoding or
//! ignore status (the walker's filters are for linting, not moving), and the
//! refusals: a symlinked package folder, links out of the repository, a
//! destination inside the source or one that shadows a standard-library or
//! installed top-level module.

use std::path::Path;

use super::PromoteError;

/// Top-level modules of the standard library (CPython's
/// `sys.stdlib_module_names`).
const STDLIB: &str = include_str!("stdlib_modules.txt");

/// One entry under the moved package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Project-relative path.
    pub rel: String,
    /// Whether it is a symlink (moved as a link, with its target text).
    pub link: bool,
}

/// Every file and link under the package folder `dir` (project-relative),
/// sorted; `__pycache__` folders are left out (caches, removed with the old
/// folder). Refused when the folder itself is a symlink or a link inside
/// leads out of the repository.
pub fn package_entries(root: &Path, dir: &str) -> Result<Vec<Entry>, PromoteError> {
    let path = root.join(dir);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        let to = std::fs::read_link(&path)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return Err(PromoteError::Symlink(format!(
            "the package folder `{dir}` is a symlink (to `{to}`); promote the folder it points to, or replace the link with the folder"
        )));
    }
    let mut out = Vec::new();
    collect(root, dir, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn collect(root: &Path, dir: &str, out: &mut Vec<Entry>) -> Result<(), PromoteError> {
    let path = root.join(dir);
    let entries = std::fs::read_dir(&path)
        .map_err(|e| PromoteError::Refused(format!("cannot read `{dir}`: {e}")))?;
    for e in entries {
        let e = e.map_err(|e| PromoteError::Refused(format!("cannot read `{dir}`: {e}")))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = format!("{dir}/{name}");
        let kind = e
            .file_type()
            .map_err(|err| PromoteError::Refused(format!("cannot read `{rel}`: {err}")))?;
        if kind.is_symlink() {
            link_inside(root, &rel)?;
            out.push(Entry { rel, link: true });
        } else if kind.is_dir() {
            if name != "__pycache__" {
                collect(root, &rel, out)?;
            }
        } else {
            out.push(Entry { rel, link: false });
        }
    }
    Ok(())
}

/// Refuses a link that leads out of the repository (or nowhere).
fn link_inside(root: &Path, rel: &str) -> Result<(), PromoteError> {
    let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    match std::fs::canonicalize(root.join(rel)) {
        Ok(real) if real.starts_with(&root_real) => Ok(()),
        Ok(real) => Err(PromoteError::Symlink(format!(
            "`{rel}` is a symlink out of the repository (to `{}`); remove it or point it inside",
            real.display()
        ))),
        Err(_) => Err(PromoteError::Symlink(format!(
            "`{rel}` is a dangling symlink; remove it or point it inside the repository"
        ))),
    }
}

/// Refuses a destination inside the source, and a top-level destination
/// that would shadow a standard-library or installed module for the whole
/// repository.
pub fn check_names(src: &str, dst: &str) -> Result<(), PromoteError> {
    if dst == src || dst.starts_with(&format!("{src}.")) {
        return Err(PromoteError::InsideSource {
            src: src.to_string(),
            dst: dst.to_string(),
        });
    }
    if !dst.contains('.')
        && let Some(what) = shadowed(dst)
    {
        return Err(PromoteError::Shadows {
            dst: dst.to_string(),
            what,
        });
    }
    Ok(())
}

/// What a top-level name would shadow: "the standard library", or "an
/// installed module" (asked of `python3 -I`, outside the repository, when
/// there is a `python3`).
fn shadowed(name: &str) -> Option<&'static str> {
    if STDLIB.lines().any(|l| l.trim() == name) {
        return Some("a standard-library module");
    }
    let probe = format!(
        "import importlib.util, sys\nsys.exit(0 if importlib.util.find_spec({name:?}) else 1)"
    );
    let installed = std::process::Command::new("python3")
        .args(["-I", "-c", &probe])
        .current_dir(std::env::temp_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    installed.then_some("an installed module")
}

/// Refuses writing at `rel` when it leads out of the repository through a
/// symlink (a linked destination folder).
pub fn check_inside(root: &Path, rel: &str) -> Result<(), PromoteError> {
    crate::fs_guard::check(root, &root.join(rel))
        .map_err(|e| PromoteError::Symlink(format!("the destination: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_moves_but_caches_and_links_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "p/__init__.py",
            "p/data.json",
            "p/build/x.py",
            "p/__pycache__/a.pyc",
        ] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), b"\xe9").unwrap();
        }
        let rels: Vec<String> = package_entries(root, "p")
            .unwrap()
            .into_iter()
            .map(|e| e.rel)
            .collect();
        assert_eq!(rels, ["p/__init__.py", "p/build/x.py", "p/data.json"]);
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), root.join("p/out")).unwrap();
            let err = package_entries(root, "p").unwrap_err();
            assert!(err.to_string().contains("out of the repository"), "{err}");
            std::os::unix::fs::symlink(root.join("p"), root.join("q")).unwrap();
            let err = package_entries(root, "q").unwrap_err();
            assert!(err.to_string().contains("is a symlink"), "{err}");
        }
    }

    #[test]
    fn destinations_inside_the_source_or_shadowing_the_stdlib_are_refused() {
        assert!(matches!(
            check_names("a.b", "a.b.c"),
            Err(PromoteError::InsideSource { .. })
        ));
        assert!(matches!(
            check_names("a.b", "json"),
            Err(PromoteError::Shadows { .. })
        ));
        assert!(check_names("a.b", "a.bc").is_ok());
        assert!(check_names("a.b", "core.json").is_ok());
    }
}
