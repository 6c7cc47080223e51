//! The project's answer to [`Reexports`]: a first-party module's symbol
//! table says what a name it binds by an import stands for. Every probe and
//! table read goes through the check's project view, so the cache records
//! the other files a `resolves_to` result depended on.

use std::collections::BTreeMap;

use crate::imports::resolve::TargetKind;
use crate::matching::reexport::Reexports;
use crate::project::ProjectView;
use crate::symbols::Prefetch;

/// Re-exports as the project's modules and symbol tables show them.
pub(super) struct ProjectReexports<'a> {
    /// The project, as this file's check sees it (reads recorded).
    pub project: ProjectView<'a>,
    /// Texts a fix round has changed.
    pub overlay: Option<&'a BTreeMap<String, String>>,
    /// How the run produces a table it does not have yet.
    pub prefetch: Option<&'a dyn Prefetch>,
}

impl Reexports for ProjectReexports<'_> {
    fn origin(&self, qualified: &str) -> Option<String> {
        let parts: Vec<&str> = qualified.split('.').collect();
        let modules = &self.project.modules;
        // Only a name whose head is a first-party module costs more.
        if parts.len() < 2 || modules.resolve_with(parts[0], self.overlay).is_none() {
            return None;
        }
        // The deepest module among the name's prefixes holds the name.
        let (i, target) = (1..parts.len()).rev().find_map(|i| {
            modules
                .resolve_with(&parts[..i].join("."), self.overlay)
                .map(|t| (i, t))
        })?;
        if target.kind == TargetKind::Namespace {
            return None;
        }
        let text = self
            .overlay
            .and_then(|o| o.get(&target.rel))
            .map(String::as_str);
        let table = self
            .project
            .symbols
            .get(modules.root(), &target.rel, text, self.prefetch)?;
        let origin = table.imported.get(parts[i])?;
        let base = modules
            .absolute(&target.rel, &origin.module, origin.level, None)
            .ok()?;
        let mut out = match (&origin.name, base.is_empty()) {
            (Some(n), true) => n.clone(),
            (Some(n), false) => format!("{base}.{n}"),
            (None, _) => base,
        };
        for p in &parts[i + 1..] {
            out.push('.');
            out.push_str(p);
        }
        Some(out)
    }
}
