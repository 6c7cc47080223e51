//! The markers registered by code: `config.addinivalue_line("markers",
//! "name: …")` in a `conftest.py` or in an installed pytest plugin (the
//! `pytest11` entry points of the environment's `site-packages`).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// `addinivalue_line("markers", "name…` with a literal name; group 1 is the
/// name, absent when the value is not a literal string.
static REGISTRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"addinivalue_line\(\s*["']markers["']\s*,\s*(?:[rRuU]?["']{1,3}\s*([A-Za-z_][A-Za-z0-9_]*))?"#,
    )
    .expect("a valid pattern")
});

/// The marker names a Python source registers, and whether every
/// registration in it was readable (a name built at run time is not).
pub fn registered_in(text: &str) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    let mut complete = true;
    for cap in REGISTRATION.captures_iter(text) {
        match cap.get(1) {
            Some(m) => names.push(m.as_str().to_string()),
            None => complete = false,
        }
    }
    (names, complete)
}

/// What the installed plugins register, when an environment was found.
#[derive(Debug, Clone, Default)]
pub struct PluginMarkers {
    /// The environment read (`None`: none found, so plugins are unknown).
    pub env: Option<PathBuf>,
    /// Marker names the plugins register.
    pub markers: Vec<String>,
    /// Plugins whose registrations could not all be read.
    pub unreadable: Vec<String>,
    /// The version of pytest installed there (`pytest-8.4.2.dist-info`).
    pub pytest_version: Option<String>,
}

/// The version in a `pytest-X.dist-info` folder name, if it is pytest's.
fn pytest_dist_version(folder: &str) -> Option<&str> {
    let version = folder.strip_prefix("pytest-")?.strip_suffix(".dist-info")?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(version)
}

/// The environment pytest would run in: `$VIRTUAL_ENV`, else `.venv/` or
/// `venv/` at the project root.
pub fn find_env(root: &Path) -> Option<PathBuf> {
    let from_var = std::env::var_os("VIRTUAL_ENV")
        .map(PathBuf::from)
        .filter(|p| p.is_dir());
    from_var.or_else(|| {
        [".venv", "venv"]
            .iter()
            .map(|d| root.join(d))
            .find(|p| p.join("pyvenv.cfg").is_file())
    })
}

/// The `site-packages` folders of an environment (`lib/pythonX.Y/` on
/// POSIX, `Lib/` on Windows).
fn site_packages(env: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for lib in ["lib", "lib64"] {
        let Ok(entries) = std::fs::read_dir(env.join(lib)) else {
            continue;
        };
        for e in entries.flatten() {
            let sp = e.path().join("site-packages");
            if sp.is_dir() && !out.contains(&sp) {
                out.push(sp);
            }
        }
    }
    let windows = env.join("Lib").join("site-packages");
    if windows.is_dir() {
        out.push(windows);
    }
    out
}

/// The `pytest11` entry points of one `entry_points.txt`: module names.
fn pytest11_modules(text: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = section.trim() == "pytest11";
        } else if inside && let Some((_, target)) = line.split_once('=') {
            let module = target.split(':').next().unwrap_or("").trim();
            if !module.is_empty() {
                out.push(module.to_string());
            }
        }
    }
    out
}

/// Most files read of one plugin's package: a plugin registers its
/// markers near its entry point, and a huge package is not read whole.
const MAX_PLUGIN_FILES: usize = 200;

/// Reads the markers of every plugin installed in the environment found
/// from `root`.
pub fn read(root: &Path) -> PluginMarkers {
    let Some(env) = find_env(root) else {
        return PluginMarkers::default();
    };
    let mut out = PluginMarkers {
        env: Some(env.clone()),
        ..Default::default()
    };
    for sp in site_packages(&env) {
        let Ok(entries) = std::fs::read_dir(&sp) else {
            continue;
        };
        let infos: Vec<std::fs::DirEntry> = entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".dist-info"))
            .collect();
        for e in &infos {
            if let Some(v) = pytest_dist_version(&e.file_name().to_string_lossy()) {
                out.pytest_version = Some(v.to_string());
            }
        }
        let mut modules: Vec<String> = infos
            .iter()
            .filter_map(|e| std::fs::read_to_string(e.path().join("entry_points.txt")).ok())
            .flat_map(|t| pytest11_modules(&t))
            .collect();
        modules.sort();
        modules.dedup();
        for module in modules {
            let (names, complete) = plugin_markers(&sp, &module);
            out.markers.extend(names);
            if !complete {
                out.unreadable.push(module);
            }
        }
    }
    out.markers.sort();
    out.markers.dedup();
    out
}

/// The markers registered in the package of plugin `module` (its top-level
/// package's files, or its single module file).
fn plugin_markers(site: &Path, module: &str) -> (Vec<String>, bool) {
    let top = module.split('.').next().unwrap_or(module);
    let mut files = Vec::new();
    let single = site.join(format!("{top}.py"));
    if single.is_file() {
        files.push(single);
    } else {
        collect_py(&site.join(top), &mut files);
    }
    if files.is_empty() || files.len() > MAX_PLUGIN_FILES {
        return (Vec::new(), false);
    }
    let mut names = Vec::new();
    let mut complete = true;
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let (n, c) = registered_in(&text);
        names.extend(n);
        complete &= c;
    }
    (names, complete)
}

fn collect_py(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if out.len() > MAX_PLUGIN_FILES {
            return;
        }
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => collect_py(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|x| x == "py") => out.push(path),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_registrations_are_read_and_computed_ones_flagged() {
        let text = "def pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"slow: long\")\n    config.addinivalue_line(\n        'markers', '''env(name): x''')\n";
        assert_eq!(
            registered_in(text),
            (vec!["slow".into(), "env".into()], true)
        );
        let computed = "config.addinivalue_line(\"markers\", f\"{name}: x\")\n";
        assert_eq!(registered_in(computed), (vec![], false));
    }

    #[test]
    fn plugins_are_read_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join(".venv");
        let sp = venv.join("lib/python3.12/site-packages");
        std::fs::create_dir_all(sp.join("pytest_timeout-2.3.dist-info")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr\n").unwrap();
        std::fs::write(
            sp.join("pytest_timeout-2.3.dist-info/entry_points.txt"),
            "[pytest11]\ntimeout = pytest_timeout\n",
        )
        .unwrap();
        std::fs::write(
            sp.join("pytest_timeout.py"),
            "def pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"timeout(t): x\")\n",
        )
        .unwrap();
        // VIRTUAL_ENV may be set where the tests run: read .venv directly.
        let mut got = PluginMarkers {
            env: Some(venv.clone()),
            ..Default::default()
        };
        for sp in site_packages(&venv) {
            let (names, _) = plugin_markers(&sp, "pytest_timeout");
            got.markers.extend(names);
        }
        assert_eq!(got.markers, ["timeout"]);
        assert_eq!(pytest_dist_version("pytest-8.4.2.dist-info"), Some("8.4.2"));
        assert_eq!(pytest_dist_version("pytest_timeout-2.3.dist-info"), None);
        assert_eq!(pytest_dist_version("pytest-asyncio-1.0.dist-info"), None);
        assert_eq!(
            pytest11_modules(
                "[console_scripts]\nx = a:b\n[pytest11]\nasyncio = pytest_asyncio.plugin\n"
            ),
            ["pytest_asyncio.plugin"]
        );
    }
}
