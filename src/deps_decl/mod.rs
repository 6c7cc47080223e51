//! The project's declared dependencies, as deptry reads them: PEP 621
//! `[project] dependencies` and `optional-dependencies`, PEP 735
//! `[dependency-groups]` (with `include-group`), Poetry's
//! `[tool.poetry.dependencies]`, `dev-dependencies` and groups, and
//! `requirements*.txt` at the root with their `-r` includes; and which
//! distribution provides which top-level module: installed metadata
//! ([`installed`]) when an environment is found, else deptry's fallback
//! (`Foo-Bar` provides `foo_bar`), plus the config's
//! `package-module-name-map`. (Not the cache's dependency recorder, which
//! is `crate::deps`.)

pub mod installed;
mod requirements;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::deps::Fact;

/// What the project declares, and where it was read.
#[derive(Debug, Default, Clone)]
pub struct Declared {
    /// Normalised distribution names (PEP 503: lower case, `-` for runs of
    /// `-`, `_` and `.`).
    pub dists: BTreeSet<String>,
    /// The declaration files read, relative to the root.
    pub sources: Vec<String>,
    /// Each declared distribution's requirements as written (normalised
    /// name → `pytest>=9`, or for Poetry `pytest ^8.0`), for the rules that
    /// ask which version a project runs.
    pub requirements: BTreeMap<String, Vec<String>>,
    /// What the answer depended on (the files read and probed), for the cache.
    pub facts: Vec<Fact>,
}

/// PEP 503's normal form of a distribution name.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The distribution name at the start of a PEP 508 requirement
/// (`requests[socks]>=2; python_version<"3.12"` gives `requests`).
pub fn requirement_name(req: &str) -> Option<&str> {
    let req = req.trim();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = &req[..end];
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some(name)
}

impl Declared {
    /// Reads the declarations of the project at `root`; `None` when it has
    /// no declaration file at all (no `pyproject.toml` that declares
    /// dependencies, no `requirements*.txt`).
    pub fn read(root: &Path) -> Result<Option<Self>, String> {
        let mut d = Declared::default();
        let mut any = false;
        let pyproject = root.join("pyproject.toml");
        if let Some(text) = d.read_file(&pyproject) {
            let doc: toml::Table =
                toml::from_str(&text).map_err(|e| format!("pyproject.toml: {}", e.message()))?;
            if d.pyproject(&doc) {
                any = true;
                d.sources.push("pyproject.toml".into());
            }
        }
        let mut reqs: Vec<PathBuf> = std::fs::read_dir(root)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("requirements") && n.ends_with(".txt"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        reqs.sort();
        let mut seen = Vec::new();
        for path in reqs {
            any = true;
            requirements::read(&mut d, &path, &mut seen);
            d.sources.push(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into(),
            );
        }
        Ok(any.then_some(d))
    }

    /// The text of `path`, recorded as a fact either way.
    fn read_file(&mut self, path: &Path) -> Option<String> {
        let text = std::fs::read_to_string(path).ok();
        self.facts.push(Fact::Content {
            path: path.to_string_lossy().into_owned(),
            hash: text.as_ref().map(|t| crate::hash::digest(t.as_bytes())),
        });
        text
    }

    fn add(&mut self, requirement: &str) {
        if let Some(n) = requirement_name(requirement) {
            let n = normalize(n);
            self.requirements
                .entry(n.clone())
                .or_default()
                .push(requirement.trim().to_string());
            self.dists.insert(n);
        }
    }

    /// Reads the dependency tables of a `pyproject.toml`; whether it has any.
    fn pyproject(&mut self, doc: &toml::Table) -> bool {
        let mut any = false;
        let table = |v: Option<&toml::Value>| v.and_then(toml::Value::as_table).cloned();
        let strings = |v: &toml::Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Some(project) = table(doc.get("project")) {
            if let Some(deps) = project.get("dependencies") {
                any = true;
                strings(deps).iter().for_each(|r| self.add(r));
            }
            for group in table(project.get("optional-dependencies"))
                .unwrap_or_default()
                .values()
            {
                any = true;
                strings(group).iter().for_each(|r| self.add(r));
            }
        }
        // PEP 735: every group, so an `include-group` adds nothing new.
        for group in table(doc.get("dependency-groups"))
            .unwrap_or_default()
            .values()
        {
            any = true;
            strings(group).iter().for_each(|r| self.add(r));
        }
        let poetry = table(doc.get("tool"))
            .and_then(|t| table(t.get("poetry")))
            .unwrap_or_default();
        let mut poetry_tables: Vec<toml::Table> = ["dependencies", "dev-dependencies"]
            .iter()
            .filter_map(|k| table(poetry.get(*k)))
            .collect();
        for group in table(poetry.get("group")).unwrap_or_default().values() {
            poetry_tables.extend(table(group.get("dependencies")));
        }
        for deps in poetry_tables {
            any = true;
            for (name, value) in deps.iter().filter(|(k, _)| k.as_str() != "python") {
                // `pytest = "^8.0"` or `pytest = { version = "^8.0" }`.
                let version = value
                    .as_str()
                    .or_else(|| value.get("version").and_then(toml::Value::as_str))
                    .unwrap_or_default();
                self.add(&format!("{name} {version}"));
            }
        }
        any
    }
}

/// Which distributions provide which top-level module.
#[derive(Debug, Default, Clone)]
pub struct ModuleMap {
    /// From installed metadata and the config's map: module → normalised
    /// distribution names.
    pub providers: BTreeMap<String, BTreeSet<String>>,
}

impl ModuleMap {
    /// Whether a declared distribution provides the top-level module `top`:
    /// by the metadata or the map, else by deptry's fallback (the name,
    /// lower case, `-` as `_`).
    pub fn declared(&self, declared: &Declared, top: &str) -> bool {
        if let Some(dists) = self.providers.get(top)
            && dists.iter().any(|d| declared.dists.contains(d))
        {
            return true;
        }
        let top = top.to_lowercase();
        declared.dists.iter().any(|d| d.replace('-', "_") == top)
    }

    /// Adds the config's `package-module-name-map` (distribution → modules).
    pub fn add_map(&mut self, map: &BTreeMap<String, Vec<String>>) {
        for (dist, modules) in map {
            for m in modules {
                self.providers
                    .entry(m.clone())
                    .or_default()
                    .insert(normalize(dist));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_pep_503_says() {
        assert_eq!(normalize("Foo_Bar..baz"), "foo-bar-baz");
        assert_eq!(
            requirement_name("requests[socks]>=2; python_version<'3.12'"),
            Some("requests")
        );
        assert_eq!(requirement_name("pkg @ https://x/y.whl"), Some("pkg"));
        assert_eq!(requirement_name("-r other.txt"), None);
    }

    #[test]
    fn every_declaration_table_counts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            r#"
[project]
dependencies = ["Requests>=2", "typing_extensions"]
[project.optional-dependencies]
yaml = ["PyYAML"]
[dependency-groups]
test = ["pytest", { include-group = "lint" }]
lint = ["ruff"]
[tool.poetry.dependencies]
python = "^3.11"
Flask = "*"
[tool.poetry.group.docs.dependencies]
sphinx = "*"
"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("requirements-dev.txt"),
            "-r base.txt\nblack==24 # fmt\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("base.txt"),
            "numpy\n-r requirements-dev.txt\n",
        )
        .unwrap();
        let d = Declared::read(dir.path()).unwrap().unwrap();
        let dists: Vec<&str> = d.dists.iter().map(String::as_str).collect();
        assert_eq!(
            dists,
            [
                "black",
                "flask",
                "numpy",
                "pytest",
                "pyyaml",
                "requests",
                "ruff",
                "sphinx",
                "typing-extensions"
            ]
        );
        assert_eq!(d.sources, ["pyproject.toml", "requirements-dev.txt"]);
        assert_eq!(d.requirements["requests"], ["Requests>=2"]);
        assert_eq!(d.requirements["flask"], ["Flask *"]);
        assert_eq!(d.requirements["black"], ["black==24"]);
        let map = ModuleMap::default();
        assert!(map.declared(&d, "typing_extensions"));
        assert!(
            !map.declared(&d, "yaml"),
            "PyYAML provides `yaml` only by metadata"
        );
        let mut map = ModuleMap::default();
        map.add_map(&BTreeMap::from([(
            "PyYAML".to_string(),
            vec!["yaml".to_string()],
        )]));
        assert!(map.declared(&d, "yaml"));
    }

    #[test]
    fn no_declaration_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.ruff]\nline-length = 1\n",
        )
        .unwrap();
        assert!(Declared::read(dir.path()).unwrap().is_none());
    }
}
