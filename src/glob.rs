//! Path globs as users write them in packs and configs.
//!
//! `*` never crosses `/`; `**` does. A pattern without `/` (`build`,
//! `*.pyi`) matches any single path component, like ruff's `exclude`;
//! a pattern with `/` matches the whole path relative to the project root.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde_spanned::Spanned;

use crate::error::{SourceDoc, SpannedError};

/// A compiled list of globs.
#[derive(Debug, Clone)]
pub struct GlobList {
    whole: GlobSet,
    component: GlobSet,
    patterns: Vec<String>,
}

impl Default for GlobList {
    fn default() -> Self {
        Self::from_patterns::<&str>(&[]).expect("empty glob list")
    }
}

impl GlobList {
    /// Compiles patterns from a user file, reporting bad ones at their span.
    pub fn from_spanned(
        doc: &SourceDoc,
        patterns: &[Spanned<String>],
    ) -> Result<Self, Vec<SpannedError>> {
        let mut errors = Vec::new();
        for p in patterns {
            if let Err(e) = compile(p.get_ref()) {
                errors.push(
                    doc.error(
                        p.span(),
                        format!("invalid glob `{}`", p.get_ref()),
                        e.to_string(),
                    )
                    .with_help(
                        "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`; `*` does not cross `/`",
                    ),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let plain: Vec<&str> = patterns.iter().map(|p| p.get_ref().as_str()).collect();
        Self::from_patterns(&plain).map_err(|e| vec![doc.error(0..0, e.to_string(), "here")])
    }

    /// Compiles known-good patterns (built-in defaults, tests).
    pub fn from_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<Self, globset::Error> {
        let mut whole = GlobSetBuilder::new();
        let mut component = GlobSetBuilder::new();
        for p in patterns {
            let p = p.as_ref();
            let glob = compile(p)?;
            if p.contains('/') {
                whole.add(glob);
                // `dir/**` should also exclude the folder itself during the walk.
                if let Some(dir) = p.strip_suffix("/**") {
                    whole.add(compile(dir)?);
                }
            } else {
                component.add(glob);
            }
        }
        Ok(Self {
            whole: whole.build()?,
            component: component.build()?,
            patterns: patterns.iter().map(|p| p.as_ref().to_string()).collect(),
        })
    }

    /// Whether the list holds no pattern.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The source patterns.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `rel_path` (relative, `/`-separated) matches any pattern.
    pub fn is_match(&self, rel_path: &str) -> bool {
        let rel_path = rel_path.trim_start_matches("./");
        self.whole.is_match(rel_path)
            || (!self.component.is_empty()
                && rel_path.split('/').any(|c| self.component.is_match(c)))
    }
}

fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_and_whole_path_patterns() {
        let g =
            GlobList::from_patterns(&["build", "archive/**", "**/migrations/**", "*.pyi"]).unwrap();
        assert!(g.is_match("a/build/x.py"));
        assert!(g.is_match("archive/old.py"));
        assert!(g.is_match("archive"));
        assert!(g.is_match("app/migrations/0001.py"));
        assert!(g.is_match("pkg/mod.pyi"));
        assert!(!g.is_match("builder/x.py"));
        assert!(!g.is_match("src/archive.py"));
    }

    #[test]
    fn star_does_not_cross_slash() {
        let g = GlobList::from_patterns(&["core/*.py"]).unwrap();
        assert!(g.is_match("core/a.py"));
        assert!(!g.is_match("core/sub/a.py"));
    }
}
