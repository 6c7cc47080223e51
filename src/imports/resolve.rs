//! Resolving module names to files of the repository, as Python's path
//! finder would through the `src` roots: a regular package
//! (`a/__init__.py` or `.pyi`) wins over a module (`a.py`, `a.pyi`), which
//! wins over a namespace package (a folder without `__init__`). Lookups hit
//! the file system once per module name per run (cached), so a shard of the
//! files still resolves against the whole repository.

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::deps::{Deps, Fact, Kind, Recorder};

/// What a module name resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// `name.py` / `name.pyi`.
    Module,
    /// `name/__init__.py` / `.pyi`.
    Package,
    /// A folder without `__init__`.
    Namespace,
}

/// A module of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Project-relative path (`/` separators): the file, or the folder of a
    /// namespace package.
    pub rel: String,
    /// Its kind.
    pub kind: TargetKind,
}

impl Target {
    /// A path inside the target that lane globs can be matched against.
    pub fn lane_path(&self) -> String {
        match self.kind {
            TargetKind::Namespace => format!("{}/__init__.py", self.rel),
            _ => self.rel.clone(),
        }
    }
}

/// Why a relative import cannot be made absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeyondTopLevel {
    /// The importing file's package (`""` at the top level).
    pub package: String,
    /// Dots written.
    pub level: usize,
}

/// Module-name resolution for one run.
#[derive(Debug)]
pub struct Resolver {
    root: PathBuf,
    /// (absolute root, project-relative prefix ending in `/`, or empty).
    src: Vec<(PathBuf, String)>,
    /// Per module name: what it resolved to, and the paths probed for it
    /// (replayed into the dependency record of every file that asks;
    /// `None` when no one recorded them).
    cache: RwLock<HashMap<String, Resolved>>,
    /// The folders probed, each listed once.
    listings: crate::deps::Listings,
}

type Resolved = (Option<Target>, Option<Box<[Fact]>>);

impl Resolver {
    /// A resolver for the project at `root` with import roots `src` (absolute).
    pub fn new(root: &Path, src: &[PathBuf]) -> Self {
        let src = src
            .iter()
            .map(|abs| {
                let rel = abs
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                let rel = rel.trim_matches('/').trim_start_matches("./").to_string();
                let rel = if rel.is_empty() || rel == "." {
                    String::new()
                } else {
                    format!("{rel}/")
                };
                (abs.clone(), rel)
            })
            .collect();
        Self {
            root: root.to_path_buf(),
            src,
            cache: RwLock::new(HashMap::new()),
            listings: crate::deps::Listings::within(root),
        }
    }

    /// The dotted module name of a project file and whether it is a package
    /// (`__init__`), relative to the longest `src` root containing it.
    pub fn module_of(&self, rel_file: &str) -> (String, bool) {
        let inside = self
            .src
            .iter()
            .filter(|(_, prefix)| rel_file.starts_with(prefix.as_str()))
            .map(|(_, prefix)| &rel_file[prefix.len()..])
            .min_by_key(|rest| rest.len())
            .unwrap_or(rel_file);
        let stem = inside
            .strip_suffix(".py")
            .or_else(|| inside.strip_suffix(".pyi"))
            .unwrap_or(inside);
        let mut parts: Vec<&str> = stem.split('/').filter(|s| !s.is_empty()).collect();
        let is_package = parts.last() == Some(&"__init__");
        if is_package {
            parts.pop();
        }
        (parts.join("."), is_package)
    }

    /// The absolute name of `module` imported with `level` dots from
    /// `rel_file` (`package`: the `package=` of a dynamic import, if any).
    pub fn absolute(
        &self,
        rel_file: &str,
        module: &str,
        level: usize,
        package: Option<&str>,
    ) -> Result<String, BeyondTopLevel> {
        if level == 0 {
            return Ok(module.to_string());
        }
        let base = match package {
            Some(p) => p.to_string(),
            None => {
                let (name, is_package) = self.module_of(rel_file);
                if is_package {
                    name
                } else {
                    name.rsplit_once('.')
                        .map(|(p, _)| p.to_string())
                        .unwrap_or_default()
                }
            }
        };
        let mut parts: Vec<&str> = base.split('.').filter(|s| !s.is_empty()).collect();
        if level > parts.len() {
            return Err(BeyondTopLevel {
                package: base,
                level,
            });
        }
        parts.truncate(parts.len() + 1 - level);
        if !module.is_empty() {
            parts.push(module);
        }
        Ok(parts.join("."))
    }

    /// Resolves a dotted name to a module of the repository (cached; what
    /// it depended on is not recorded).
    pub fn resolve(&self, dotted: &str) -> Option<Target> {
        self.resolve_in(dotted, Deps::NONE)
    }

    /// Resolves a dotted name (cached), recording the paths probed into `deps`.
    pub fn resolve_in(&self, dotted: &str, deps: Deps) -> Option<Target> {
        if let Ok(c) = self.cache.read()
            && let Some((hit, facts)) = c.get(dotted)
        {
            match facts {
                Some(facts) => {
                    deps.extend(facts);
                    return hit.clone();
                }
                None if !deps.on() => return hit.clone(),
                None => {} // looked up unrecorded: again, recording
            }
        }
        let local = Recorder::default();
        let found = self.lookup(
            dotted,
            if deps.on() {
                Deps::to(&local)
            } else {
                Deps::NONE
            },
        );
        let facts = deps.on().then(|| local.finish().into_boxed_slice());
        if let Some(facts) = &facts {
            deps.extend(facts);
        }
        if let Ok(mut c) = self.cache.write() {
            let slot = c
                .entry(dotted.to_string())
                .or_insert_with(|| (found.clone(), None));
            if slot.1.is_none() {
                slot.1 = facts;
            }
        }
        found
    }

    /// Resolves a dotted name, seeing first the files of `overlay` (project
    /// paths a fix round has created or changed, which the disk does not
    /// have yet). Overlay hits are not cached.
    pub fn resolve_with(
        &self,
        dotted: &str,
        overlay: Option<&std::collections::BTreeMap<String, String>>,
        deps: Deps,
    ) -> Option<Target> {
        let Some(overlay) = overlay.filter(|o| !o.is_empty()) else {
            return self.resolve_in(dotted, deps);
        };
        if dotted.is_empty() || dotted.split('.').any(|s| s.is_empty()) {
            return None;
        }
        let path = dotted.replace('.', "/");
        for (_, prefix) in &self.src {
            for init in ["__init__.py", "__init__.pyi"] {
                let rel = format!("{prefix}{path}/{init}");
                if overlay.contains_key(&rel) {
                    return Some(Target {
                        rel,
                        kind: TargetKind::Package,
                    });
                }
            }
            for ext in ["py", "pyi"] {
                let rel = format!("{prefix}{path}.{ext}");
                if overlay.contains_key(&rel) {
                    return Some(Target {
                        rel,
                        kind: TargetKind::Module,
                    });
                }
            }
        }
        self.resolve_in(dotted, deps).or_else(|| {
            self.src.iter().find_map(|(_, prefix)| {
                let dir = format!("{prefix}{path}/");
                overlay
                    .range(dir.clone()..)
                    .next()
                    .filter(|(k, _)| k.starts_with(&dir))
                    .map(|_| Target {
                        rel: dir.trim_end_matches('/').to_string(),
                        kind: TargetKind::Namespace,
                    })
            })
        })
    }

    /// The deepest module of the repository that `dotted` is in: `a.b.C`
    /// resolves to `a/b.py` when `a.b.C` is a name inside it.
    pub fn resolve_longest(&self, dotted: &str, deps: Deps) -> Option<Target> {
        let mut name = dotted;
        loop {
            if let Some(t) = self.resolve_in(name, deps) {
                return Some(t);
            }
            name = name.rsplit_once('.')?.0;
        }
    }

    /// Forgets the folders listed so far (the language server, before each
    /// lint: files may have come or gone since).
    pub fn forget_listings(&self) {
        self.listings.forget();
    }

    /// What is at `path`, from its folder's listing (recorded): what
    /// [`Deps::probe`] finds, with one read of each folder.
    pub fn probe(&self, path: &Path, deps: Deps) -> Kind {
        deps.probed(path, self.listings.kind(path))
    }

    fn lookup(&self, dotted: &str, deps: Deps) -> Option<Target> {
        if dotted.is_empty() || dotted.split('.').any(|s| s.is_empty()) {
            return None;
        }
        let path = dotted.replace('.', "/");
        let mut namespace = None;
        for (abs, prefix) in &self.src {
            let base = abs.join(&path);
            for init in ["__init__.py", "__init__.pyi"] {
                if self.probe(&base.join(init), deps) == Kind::File {
                    return Some(Target {
                        rel: format!("{prefix}{path}/{init}"),
                        kind: TargetKind::Package,
                    });
                }
            }
            for ext in ["py", "pyi"] {
                if self.probe(&base.with_extension(ext), deps) == Kind::File {
                    return Some(Target {
                        rel: format!("{prefix}{path}.{ext}"),
                        kind: TargetKind::Module,
                    });
                }
            }
            if namespace.is_none() && self.probe(&base, deps) == Kind::Dir {
                namespace = Some(Target {
                    rel: format!("{prefix}{path}"),
                    kind: TargetKind::Namespace,
                });
            }
        }
        namespace
    }

    /// Project-relative paths a module name would have under each `src`
    /// root (for names that resolve to nothing: which lane owns them).
    pub fn would_be_paths(&self, dotted: &str) -> Vec<String> {
        let path = dotted.replace('.', "/");
        self.src
            .iter()
            .map(|(_, prefix)| format!("{prefix}{path}"))
            .collect()
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        dir
    }

    #[test]
    fn packages_modules_and_namespaces() {
        let d = tree(&[
            "pkg/__init__.py",
            "pkg/mod.py",
            "pkg/bio.py",
            "pkg/bio/__init__.py",
            "ns/inner/leaf.py",
            "typed/__init__.pyi",
        ]);
        let r = Resolver::new(d.path(), &[d.path().to_path_buf()]);
        let t = |m: &str| r.resolve(m).map(|t| (t.rel, t.kind));
        assert_eq!(
            t("pkg"),
            Some(("pkg/__init__.py".into(), TargetKind::Package))
        );
        assert_eq!(
            t("pkg.mod"),
            Some(("pkg/mod.py".into(), TargetKind::Module))
        );
        // A package shadows a module of the same name.
        assert_eq!(t("pkg.bio").unwrap().0, "pkg/bio/__init__.py");
        assert_eq!(
            t("ns.inner"),
            Some(("ns/inner".into(), TargetKind::Namespace))
        );
        assert_eq!(t("ns.inner.leaf").unwrap().0, "ns/inner/leaf.py");
        assert_eq!(t("typed").unwrap().0, "typed/__init__.pyi");
        assert_eq!(t("requests"), None);
        assert_eq!(
            r.resolve_longest("pkg.mod.Name", Deps::NONE).unwrap().rel,
            "pkg/mod.py"
        );
    }

    #[test]
    fn every_recorded_lookup_gets_the_paths_probed_even_when_cached() {
        let d = tree(&["pkg/__init__.py", "pkg/mod.py"]);
        let r = Resolver::new(d.path(), &[d.path().to_path_buf()]);
        let facts_of = |name: &str| {
            let recorder = Recorder::default();
            r.resolve_in(name, Deps::to(&recorder));
            recorder.finish()
        };
        // Looked up first with nothing recording (a run without a cache).
        assert_eq!(r.resolve("pkg.mod").unwrap().rel, "pkg/mod.py");
        let first = facts_of("pkg.mod");
        // `pkg/mod/__init__.py`, `.pyi`, then `pkg/mod.py`, which is a file.
        assert_eq!(first.len(), 3, "{first:?}");
        assert_eq!(
            first.last(),
            Some(&Fact::Probed {
                path: d.path().join("pkg/mod.py").to_string_lossy().into_owned(),
                kind: Kind::File,
            })
        );
        assert_eq!(facts_of("pkg.mod"), first, "replayed from the cache");
        assert!(!facts_of("pkg.absent").is_empty());
        assert_eq!(facts_of("pkg.absent"), facts_of("pkg.absent"));
    }

    #[test]
    fn two_src_roots() {
        let d = tree(&["src/app/__init__.py", "lib/util.py"]);
        let roots = [d.path().join("src"), d.path().join("lib")];
        let r = Resolver::new(d.path(), &roots);
        assert_eq!(r.resolve("app").unwrap().rel, "src/app/__init__.py");
        assert_eq!(r.resolve("util").unwrap().rel, "lib/util.py");
        assert_eq!(r.module_of("src/app/x.py"), ("app.x".into(), false));
    }

    #[test]
    fn relative_imports() {
        let d = tree(&[]);
        let r = Resolver::new(d.path(), &[d.path().to_path_buf()]);
        assert_eq!(
            r.absolute("pkg/sub/m.py", "x", 1, None).unwrap(),
            "pkg.sub.x"
        );
        assert_eq!(
            r.absolute("pkg/sub/__init__.py", "x", 1, None).unwrap(),
            "pkg.sub.x"
        );
        assert_eq!(r.absolute("pkg/sub/m.py", "", 2, None).unwrap(), "pkg");
        assert_eq!(
            r.absolute("pkg/m.py", "y", 1, Some("other")).unwrap(),
            "other.y"
        );
        assert!(r.absolute("pkg/m.py", "y", 3, None).is_err());
        assert!(r.absolute("top.py", "y", 1, None).is_err());
    }
}
