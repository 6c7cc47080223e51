//! The top-level modules installed distributions provide, from their
//! `*.dist-info` metadata (`top_level.txt`, else the paths of `RECORD`), as
//! deptry reads them. The environment: the config's `python` (a virtual
//! environment's folder, or its interpreter), else `VIRTUAL_ENV`, else
//! `.venv/` at the project root.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::normalize;

/// The environment to read: `configured` (relative to `root`), else
/// `$VIRTUAL_ENV`, else `root/.venv` when it exists.
pub fn environment(root: &Path, configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = configured {
        let p = root.join(p);
        // An interpreter (`.venv/bin/python`): its environment is two up.
        return Some(if p.is_file() {
            p.parent()
                .and_then(Path::parent)
                .map_or(p.clone(), Path::to_path_buf)
        } else {
            p
        });
    }
    if let Some(v) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(v));
    }
    let venv = root.join(".venv");
    venv.is_dir().then_some(venv)
}

/// The `site-packages` folders of the environment at `env`.
fn site_packages(env: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(lib) = std::fs::read_dir(env.join("lib")) {
        for e in lib.filter_map(Result::ok) {
            let sp = e.path().join("site-packages");
            if sp.is_dir() {
                out.push(sp);
            }
        }
    }
    let windows = env.join("Lib").join("site-packages");
    if windows.is_dir() {
        out.push(windows);
    }
    out.sort();
    out
}

/// Module → normalised distribution names, for every distribution
/// installed in the environment at `env`.
pub fn providers(env: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for sp in site_packages(env) {
        let Ok(entries) = std::fs::read_dir(&sp) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".dist-info") else {
                continue;
            };
            // `Name-1.2.dist-info`: the name is before the version.
            let dist = normalize(stem.split('-').next().unwrap_or(stem));
            for module in top_levels(&e.path()) {
                out.entry(module).or_default().insert(dist.clone());
            }
        }
    }
    out
}

/// The top-level modules of one `*.dist-info`.
fn top_levels(info: &Path) -> BTreeSet<String> {
    if let Ok(text) = std::fs::read_to_string(info.join("top_level.txt")) {
        return text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    let record = std::fs::read_to_string(info.join("RECORD")).unwrap_or_default();
    record
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter_map(|path| {
            let first = path.split('/').next()?;
            let module = match path.contains('/') {
                true => first,
                false => first.strip_suffix(".py")?,
            };
            let skip = module.ends_with(".dist-info")
                || module.ends_with(".data")
                || module == "__pycache__"
                || module == ".."
                || module.contains('.');
            (!skip).then(|| module.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_maps_modules_to_their_distribution() {
        let env = tempfile::tempdir().unwrap();
        let sp = env.path().join("lib/python3.11/site-packages");
        let yaml = sp.join("PyYAML-6.0.dist-info");
        std::fs::create_dir_all(&yaml).unwrap();
        std::fs::write(yaml.join("top_level.txt"), "_yaml\nyaml\n").unwrap();
        let attrs = sp.join("attrs-23.1.dist-info");
        std::fs::create_dir_all(&attrs).unwrap();
        std::fs::write(
            attrs.join("RECORD"),
            "attr/__init__.py,sha256=x,1\nattrs/__init__.py,,\nsix.py,,\nattrs-23.1.dist-info/RECORD,,\n../../bin/x,,\n",
        )
        .unwrap();
        let p = providers(env.path());
        let names: Vec<(&str, Vec<&str>)> = p
            .iter()
            .map(|(m, d)| (m.as_str(), d.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            names,
            [
                ("_yaml", vec!["pyyaml"]),
                ("attr", vec!["attrs"]),
                ("attrs", vec!["attrs"]),
                ("six", vec!["attrs"]),
                ("yaml", vec!["pyyaml"]),
            ]
        );
    }
}
