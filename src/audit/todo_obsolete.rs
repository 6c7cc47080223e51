//! `rulegate report todos --obsolete`: TODOs whose message names a module,
//! a path or a symbol that no longer exists (seed 002, phase 2: the
//! deletion proposal a maintainer reviews).
//!
//! What counts as a reference, read from the message's words:
//! - a dotted name whose first segment is a module of the repository
//!   (`lukhas.core.scheduler`): obsolete when no module has that name and,
//!   for `module.name`, when the module's symbol table certainly lacks the
//!   name (a module whose names cannot be known is never judged);
//! - a path (a word with a `/`, or ending in a file extension such as
//!   `.py`, `.md`, `.toml`): obsolete when it exists neither under the
//!   project root nor beside the TODO's file.
//!
//! Third-party names (`os.path`), prose (`e.g.`) and addresses (`https://…`)
//! are never references.

use serde_json::json;

use super::{ReportFormat, markdown_table, to_json};
use crate::analyzers::TaggedComment;
use crate::symbols::Export;

/// What the repository can answer about a name or a path.
pub struct Lookup<'a> {
    /// Whether the dotted name is a module (or package) of the repository.
    pub module: &'a dyn Fn(&str) -> bool,
    /// What the module `module` says of `name`.
    pub symbol: &'a dyn Fn(&str, &str) -> Export,
    /// Whether the project-relative path exists.
    pub path: &'a dyn Fn(&str) -> bool,
}

/// File extensions that make a word a path.
const EXTENSIONS: &[&str] = &[
    "py", "pyi", "md", "rst", "txt", "toml", "json", "yaml", "yml", "cfg", "ini", "csv", "sh",
];

/// Why `item`'s message is obsolete, one reason per reference that no
/// longer exists.
pub fn stale_references(item: &TaggedComment, lookup: &Lookup) -> Vec<String> {
    let mut out = Vec::new();
    for word in item.message.split_whitespace() {
        if word.contains("://") {
            continue;
        }
        let quote = |c: char| "`'\"()[]{},;:!?<>*".contains(c);
        let word = word
            .trim_start_matches(quote)
            .trim_end_matches(|c: char| quote(c) || c == '.');
        if word.is_empty() {
            continue;
        }
        let reason = if is_path(word) {
            path_reason(item, word, lookup)
        } else if is_dotted_name(word) {
            name_reason(word.trim_end_matches("()"), lookup)
        } else {
            None
        };
        if let Some(r) = reason.filter(|r| !out.contains(r)) {
            out.push(r);
        }
    }
    out
}

fn is_path(word: &str) -> bool {
    let chars_ok = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c));
    let has_ext = word
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext));
    chars_ok && !word.starts_with('/') && (word.contains('/') || has_ext)
}

fn is_dotted_name(word: &str) -> bool {
    let word = word.trim_end_matches("()");
    word.contains('.')
        && word.split('.').all(|s| {
            s.starts_with(|c: char| c.is_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

fn path_reason(item: &TaggedComment, word: &str, lookup: &Lookup) -> Option<String> {
    let word = word.trim_start_matches("./");
    let beside = item
        .file
        .rsplit_once('/')
        .map(|(dir, _)| format!("{dir}/{word}"));
    let exists = (lookup.path)(word) || beside.is_some_and(|b| (lookup.path)(&b));
    (!exists).then(|| format!("path `{word}` does not exist"))
}

/// For `a.b.c`: the longest prefix that is a module decides. None is: not
/// the repository's name. All of it is: fine. One name is left: the
/// module's symbol table says. More are left: the next one must be a name
/// of the module (a class, whose attributes are not followed).
fn name_reason(word: &str, lookup: &Lookup) -> Option<String> {
    let parts: Vec<&str> = word.split('.').collect();
    let longest = (1..=parts.len())
        .rev()
        .find(|&n| (lookup.module)(&parts[..n].join(".")))?;
    if longest == parts.len() {
        return None;
    }
    let module = parts[..longest].join(".");
    match (lookup.symbol)(&module, parts[longest]) {
        Export::Missing if longest + 1 == parts.len() => {
            Some(format!("`{module}` has no `{}`", parts[longest]))
        }
        Export::Missing => Some(format!(
            "module `{}` does not exist",
            parts[..longest + 1].join(".")
        )),
        Export::Defined | Export::Unknowable => None,
    }
}

/// The obsolete TODOs and why.
#[derive(Debug)]
pub struct ObsoleteReport<'a> {
    /// Each obsolete item with its reasons.
    pub items: Vec<(&'a TaggedComment, Vec<String>)>,
}

impl ObsoleteReport<'_> {
    /// Renders CSV (`file,line,kind,message,reason`), Markdown (the
    /// deletion proposal) or JSON.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => to_json(&json!({
                "total": self.items.len(),
                "items": self.items.iter().map(|(i, reasons)| json!({
                    "file": i.file,
                    "line": i.line,
                    "kind": i.kind,
                    "message": i.message,
                    "reasons": reasons,
                })).collect::<Vec<_>>(),
            })),
            ReportFormat::Md => {
                let mut out = format!(
                    "# Obsolete TODOs\n\n{} TODO(s) name a module, path or symbol that no longer exists.\n\n",
                    self.items.len()
                );
                let rows: Vec<Vec<String>> = self
                    .items
                    .iter()
                    .map(|(i, r)| {
                        vec![
                            format!("{}:{}", i.file, i.line),
                            i.kind.clone(),
                            i.message.clone(),
                            r.join("; "),
                        ]
                    })
                    .collect();
                out.push_str(&markdown_table(&["where", "kind", "message", "why"], &rows));
                out
            }
            ReportFormat::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                let _ = w.write_record(["file", "line", "kind", "message", "reason"]);
                for (i, reasons) in &self.items {
                    let line = i.line.to_string();
                    let reason = reasons.join("; ");
                    let _ = w.write_record([&i.file, &line, &i.kind, &i.message, &reason]);
                }
                let bytes = w.into_inner().unwrap_or_default();
                String::from_utf8(bytes).unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(message: &str) -> Vec<String> {
        let item = TaggedComment {
            file: "lukhas/app.py".into(),
            line: 1,
            lane: None,
            kind: "TODO".into(),
            columns: Vec::new(),
            message: message.into(),
            well_formed: true,
            weight: None,
        };
        let modules = ["lukhas", "lukhas.core", "lukhas.app"];
        let lookup = Lookup {
            module: &|m| modules.contains(&m),
            symbol: &|m, n| match (m, n) {
                ("lukhas.core", "Scheduler") => Export::Defined,
                ("lukhas.app", _) => Export::Unknowable,
                _ => Export::Missing,
            },
            path: &|p| p == "docs/guide.md" || p == "lukhas/local.py",
        };
        stale_references(&item, &lookup)
    }

    #[test]
    fn modules_symbols_and_paths_that_are_gone() {
        assert_eq!(
            reasons("drop once lukhas.legacy.shim is gone (see `lukhas.core.old_helper()`)."),
            [
                "module `lukhas.legacy` does not exist",
                "`lukhas.core` has no `old_helper`"
            ]
        );
        assert_eq!(
            reasons("update docs/old.md and local.py, then docs/guide.md"),
            ["path `docs/old.md` does not exist"]
        );
    }

    #[test]
    fn what_exists_or_is_not_the_repositorys_is_not_obsolete() {
        assert!(reasons("use lukhas.core.Scheduler.run and lukhas.core").is_empty());
        assert!(reasons("os.path.join, e.g. this; see https://x.org/a/b.md").is_empty());
        // A module whose names cannot be known is not judged.
        assert!(reasons("lukhas.app.whatever").is_empty());
        assert!(reasons("bump to 1.2.3").is_empty());
    }
}
