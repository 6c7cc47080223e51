//! Stub templates (the seeds' Appendix A as pack data): which kind a missing
//! name is (ordered pattern rules over the name and the module path), the
//! template of each kind, the optional candidate-module bridge, and the block
//! and edits that add a stub to a module.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use crate::finding::Edit;
use crate::symbols::{AllKind, ModuleSymbols};

/// One kind-inference rule: the first whose patterns match wins.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    /// The template to use (`function`, `class`, ...).
    pub kind: String,
    /// Pattern the name must match.
    #[serde(default)]
    pub name: Option<String>,
    /// Pattern the module path must match (either pattern suffices when both are given).
    #[serde(default)]
    pub module: Option<String>,
}

/// `for lukhas.X try candidate.X`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateSource {
    /// Prefix of the module that misses the name.
    pub from: String,
    /// Prefix of the module to try first.
    pub to: String,
}

/// The stub part of `[rule.options]`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StubOptions {
    /// Template per kind; `{name}` is the missing name, `{module}` its module.
    pub templates: BTreeMap<String, String>,
    /// Ordered inference rules; the last should have no pattern (the default).
    pub kinds: Vec<KindRule>,
    /// Kinds whose template needs `from enum import Enum`.
    #[serde(default)]
    pub needs_enum: Vec<String>,
    /// Modules to try before falling back to the stub.
    #[serde(default)]
    pub candidate_sources: Vec<CandidateSource>,
}

/// Compiled stub options.
#[derive(Debug)]
pub struct Stubs {
    opts: StubOptions,
    rules: Vec<(String, Option<Regex>, Option<Regex>)>,
}

impl Stubs {
    /// Compiles the options, checking every kind has a template.
    pub fn new(opts: StubOptions) -> Result<Self, String> {
        let compile = |p: &Option<String>| {
            p.as_ref()
                .map(|p| Regex::new(p).map_err(|e| format!("bad pattern `{p}`: {e}")))
                .transpose()
        };
        let mut rules = Vec::new();
        for r in &opts.kinds {
            if !opts.templates.contains_key(&r.kind) {
                return Err(format!("kind `{}` has no template", r.kind));
            }
            rules.push((r.kind.clone(), compile(&r.name)?, compile(&r.module)?));
        }
        if rules.is_empty() {
            return Err("`kinds` must list at least one rule".into());
        }
        Ok(Self { opts, rules })
    }

    /// The kind of a missing `name` in `module` (the last rule is the default).
    pub fn kind_of(&self, name: &str, module: &str) -> &str {
        self.rules
            .iter()
            .find(|(_, n, m)| match (n, m) {
                (None, None) => true,
                (Some(n), None) => n.is_match(name),
                (None, Some(m)) => m.is_match(module),
                (Some(n), Some(m)) => n.is_match(name) || m.is_match(module),
            })
            .or(self.rules.last())
            .map(|(k, _, _)| k.as_str())
            .unwrap_or("function")
    }

    /// The module to try first for `module`, if a candidate source covers it.
    pub fn candidate_for(&self, module: &str) -> Option<String> {
        self.opts.candidate_sources.iter().find_map(|c| {
            let rest = module.strip_prefix(c.from.as_str())?;
            (rest.is_empty() || rest.starts_with('.')).then(|| format!("{}{rest}", c.to))
        })
    }

    /// The edits that add `name` to the module at `module` with text `text`
    /// and symbol table `table`: (replaced range, new text), in file order.
    /// The block goes at the end, after the module's imports and definitions,
    /// two blank lines below them; `from enum import Enum` joins the imports.
    pub fn insertion(
        &self,
        name: &str,
        module: &str,
        text: &str,
        table: &ModuleSymbols,
    ) -> Vec<Edit> {
        let kind = self.kind_of(name, module);
        let stub = self.opts.templates[kind]
            .replace("{name}", name)
            .replace("{module}", module);
        let stub = stub.trim_end().to_string() + "\n";
        let mut block = match self.candidate_for(module) {
            Some(candidate) => format!(
                "try:\n    from {candidate} import {name}  # noqa: F401\nexcept ImportError:\n{}",
                indent(&stub)
            ),
            None => stub,
        };
        if let Some(all) = &table.all
            && !all.names.iter().any(|n| n == name)
        {
            match all.kind {
                AllKind::List => block.push_str(&format!("__all__.append(\"{name}\")\n")),
                AllKind::Tuple => block.push_str(&format!("__all__ += (\"{name}\",)\n")),
                AllKind::Other => {}
            }
        }
        let body_end = text.trim_end_matches(['\n', '\r', ' ', '\t']).len();
        let mut edits = Vec::new();
        if self.opts.needs_enum.iter().any(|k| k == kind) && !table.names.contains("Enum") {
            let at = table.import_insert_at.min(body_end);
            edits.push(Edit::new(
                None,
                at..at,
                "from enum import Enum\n".to_string(),
            ));
        }
        // The trailing blank lines are replaced: two blank lines, the block.
        let separator = if body_end == 0 { "" } else { "\n\n\n" };
        edits.push(Edit::new(
            None,
            body_end..text.len(),
            format!("{separator}{block}"),
        ));
        edits
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stubs() -> Stubs {
        let opts: StubOptions = toml::from_str(
            r#"
needs_enum = ["enum"]
[templates]
function = "def {name}(*args, **kwargs):\n    return None\n"
async_function = "async def {name}(*args, **kwargs):\n    return None\n"
class = "class {name}:\n    pass\n"
enum = "class {name}(Enum):\n    UNKNOWN = \"unknown\"\n"
constant = "{name} = None"
[[kinds]]
kind = "constant"
name = '^[A-Z][A-Z0-9_]*$'
[[kinds]]
kind = "enum"
name = '^[A-Z][A-Za-z0-9]*(Level|Type|Mode|Status|Kind)$'
[[kinds]]
kind = "class"
name = '^[A-Z]'
[[kinds]]
kind = "async_function"
name = 'async'
module = 'async'
[[kinds]]
kind = "function"
[[candidate_sources]]
from = "lukhas"
to = "candidate"
"#,
        )
        .unwrap();
        Stubs::new(opts).unwrap()
    }

    #[test]
    fn kinds_are_inferred_in_order() {
        let s = stubs();
        assert_eq!(s.kind_of("MAX_RETRIES", "pkg.m"), "constant");
        assert_eq!(s.kind_of("AlertLevel", "pkg.m"), "enum");
        assert_eq!(s.kind_of("Engine", "pkg.m"), "class");
        assert_eq!(s.kind_of("run_async_task", "pkg.m"), "async_function");
        assert_eq!(s.kind_of("run", "pkg.async_utils"), "async_function");
        assert_eq!(s.kind_of("run", "pkg.m"), "function");
    }

    #[test]
    fn candidate_bridge_all_and_enum_import() {
        let s = stubs();
        let text = "\"\"\"Doc.\"\"\"\nimport os\n\n__all__ = [\"a\"]\n\n\ndef a():\n    pass\n\n";
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let table = ModuleSymbols::of(&tree, text);
        let edits = s.insertion("AlertLevel", "lukhas.core", text, &table);
        let at = text.find("\n__all__").unwrap();
        assert_eq!(
            edits[0],
            Edit::new(None, at..at, "from enum import Enum\n".to_string())
        );
        assert_eq!(edits[1].range, text.trim_end().len()..text.len());
        assert_eq!(
            edits[1].content,
            "\n\n\ntry:\n    from candidate.core import AlertLevel  # noqa: F401\nexcept ImportError:\n    class AlertLevel(Enum):\n        UNKNOWN = \"unknown\"\n__all__.append(\"AlertLevel\")\n"
        );
    }
}
