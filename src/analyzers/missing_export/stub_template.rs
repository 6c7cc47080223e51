//! Stub templates (the seeds' Appendix A as pack data): which kind a missing
//! name is (ordered pattern rules over the name and the module path), the
//! template of each kind, the optional candidate-module bridge, and the block
//! and edits that add a stub to a module. Also the bridge module a missing
//! module becomes (STUB003, SPEC §4.7): candidates tried in order, then a
//! guarded fallback per name, ended by [`BRIDGE_MARKER`].

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use super::forward::Source;
use crate::dates::Date;
use crate::finding::Edit;
use crate::symbols::{AllKind, BRIDGE_MARKER, ModuleSymbols};

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

/// `for lukhas.X look in candidate.X`: two top-level packages that mirror
/// each other, so a forward looks for a missing name in the module with the
/// same dotted tail under the other.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateSource {
    /// The top-level package of the module that misses the name.
    pub from: String,
    /// The top-level package that mirrors it.
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
    /// Top-level packages that mirror each other, beside the lanes' (see
    /// [`CandidateSource`]): where a forward looks for the same dotted tail.
    #[serde(default)]
    pub candidate_sources: Vec<CandidateSource>,
    /// The bridge module a missing module becomes (STUB003's fix), with
    /// `{module}` (its dotted name), `{candidates}` (a Python tuple of
    /// loaders, `lambda: import_module("NAME")` per candidate: literal names
    /// the lane guards can check), `{imports}` (`from enum import Enum` when a
    /// fallback needs it) and `{stubs}` (a fallback per imported name, each
    /// under `if "NAME" not in globals():` and appended to `__all__`, then
    /// the marker line before which later fallbacks go). The template
    /// defines `__all__`.
    #[serde(default)]
    pub bridge: Option<String>,
    /// The bridge's candidate sources, tried in order: `{module}` is the
    /// missing module's dotted name, `{rest}` the same without its
    /// top-level package (`["lukhas_website.{module}", "candidate.{rest}"]`).
    #[serde(default)]
    pub bridge_candidates: Vec<String>,
    /// How a created module is laid out: `package` (`a/b/__init__.py`, the
    /// default) or `module` (`a/b.py`).
    #[serde(default)]
    pub module_layout: ModuleLayout,
    /// What a forward to a real definition in a lane the holder's lane may
    /// not import becomes: `exception` (the default: the import is written
    /// with the `bridge_exception` comment) or `forbid` (left out, and the
    /// finding and fix title name it).
    #[serde(default)]
    pub bridge_lane_crossing: LaneCrossing,
    /// Days a lane-crossing forward's exception lasts (`until=` today plus
    /// this); 90 by default.
    #[serde(default = "default_ttl")]
    pub bridge_ttl_days: i64,
    /// The comment on a lane-crossing forward, with `{module}` (where it
    /// goes) and `{until}` (its expiry): by default
    /// `# noqa: LANE001 -- bridge to {module} until={until}`.
    #[serde(default = "default_exception")]
    pub bridge_exception: String,
}

fn default_ttl() -> i64 {
    90
}

fn default_exception() -> String {
    "# noqa: LANE001 -- bridge to {module} until={until}".to_string()
}

/// What a forward across a lane boundary becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LaneCrossing {
    /// A time-limited exception on the import.
    #[default]
    Exception,
    /// No forward; the finding says what was left out.
    Forbid,
}

/// How a module rulegate creates is laid out on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModuleLayout {
    /// `a/b/__init__.py`.
    #[default]
    Package,
    /// `a/b.py`.
    Module,
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
        for c in &opts.candidate_sources {
            for p in [&c.from, &c.to] {
                if p.is_empty() || p.contains('.') {
                    return Err(format!(
                        "`candidate_sources` names top-level packages (`lukhas`, `candidate`), not `{p}`"
                    ));
                }
            }
        }
        if opts.bridge_ttl_days < 1 {
            return Err(format!(
                "`bridge_ttl_days` must be at least 1 day, not {}",
                opts.bridge_ttl_days
            ));
        }
        if let Some(bridge) = &opts.bridge
            && !bridge.contains("{stubs}")
        {
            return Err("the `bridge` template must contain `{stubs}`".into());
        }
        Ok(Self { opts, rules })
    }

    /// What a forward across lanes becomes.
    pub fn lane_crossing(&self) -> LaneCrossing {
        self.opts.bridge_lane_crossing
    }

    /// The exception comment of a lane-crossing forward to `module`
    /// written on `today`.
    pub fn exception_comment(&self, module: &str, today: Date) -> String {
        let until = crate::dates::add_days(today, self.opts.bridge_ttl_days);
        self.opts
            .bridge_exception
            .replace("{module}", module)
            .replace("{until}", &until.to_string())
    }

    /// The top-level packages that mirror each other by the pack's
    /// `candidate_sources` (`lukhas` and `candidate`).
    pub fn mirrored_roots(&self) -> impl Iterator<Item = &str> {
        self.opts
            .candidate_sources
            .iter()
            .flat_map(|c| [c.from.as_str(), c.to.as_str()])
    }

    /// How created modules are laid out.
    pub fn layout(&self) -> ModuleLayout {
        self.opts.module_layout
    }

    /// Whether the pack has a bridge template (STUB003 can fix).
    pub fn has_bridge(&self) -> bool {
        self.opts.bridge.is_some()
    }

    /// The stub of `name` in `module` from its kind's template, and whether
    /// that kind needs `from enum import Enum`.
    fn stub(&self, name: &str, module: &str) -> (String, bool) {
        let kind = self.kind_of(name, module);
        let stub = self.opts.templates[kind]
            .replace("{name}", name)
            .replace("{module}", module);
        let needs_enum = self.opts.needs_enum.iter().any(|k| k == kind);
        (stub.trim_end().to_string() + "\n", needs_enum)
    }

    /// A bridge's block for `name` (from `source`): a forward or a
    /// fallback, taken only when no candidate provided the name; `None`
    /// when nothing may be written (several definitions).
    fn guarded(&self, name: &str, module: &str, source: &Source) -> Option<(String, bool)> {
        let (stub, needs_enum) = match source {
            Source::Forward {
                module: to,
                crossing,
            } => (forward_line(name, to, crossing), false),
            Source::Ambiguous(_) => return None,
            Source::Nowhere | Source::LeftOut(..) => self.stub(name, module),
        };
        let block = format!(
            "if \"{name}\" not in globals():\n{}    __all__.append(\"{name}\")\n\n",
            indent(&stub)
        );
        Some((block, needs_enum))
    }

    /// The candidate sources of a bridge for `module`, in order.
    pub fn bridge_candidates_for(&self, module: &str) -> Vec<String> {
        let rest = module.split_once('.').map_or(module, |(_, r)| r);
        let mut out: Vec<String> = Vec::new();
        for c in &self.opts.bridge_candidates {
            let c = c.replace("{module}", module).replace("{rest}", rest);
            if c != module && !c.is_empty() && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The text of a bridge module for `module` that tries `candidates`
    /// (each with its lane-crossing comment, if any) and has a block for
    /// each of `names` from its source (`None` without a bridge template).
    pub fn bridge_module(
        &self,
        module: &str,
        names: &[(String, Source)],
        candidates: &[(String, Option<String>)],
    ) -> Option<String> {
        let template = self.opts.bridge.as_ref()?;
        // Loaders with literal names, so lane guards see where it reaches;
        // a crossing's exception sits on its literal's line.
        let tuple = match candidates {
            [] => "()".to_string(),
            many => format!(
                "(\n{})",
                many.iter()
                    .map(|(c, crossing)| {
                        let comment = crossing
                            .as_ref()
                            .map_or(String::new(), |n| format!("  {n}"));
                        format!("    lambda: import_module(\"{c}\"),{comment}\n")
                    })
                    .collect::<String>()
            ),
        };
        let mut needs_enum = false;
        let mut stubs = String::new();
        for (name, source) in names {
            if let Some((block, enum_)) = self.guarded(name, module, source) {
                needs_enum |= enum_;
                stubs.push_str(&block);
            }
        }
        stubs.push_str(BRIDGE_MARKER);
        stubs.push('\n');
        let imports = if needs_enum {
            "from enum import Enum\n"
        } else {
            ""
        };
        Some(
            template
                .replace("{module}", module)
                .replace("{candidates}", &tuple)
                .replace("{imports}", imports)
                .replace("{stubs}", &stubs),
        )
    }

    /// The edits that add a block for `name` (from `source`) to the bridge
    /// module at `module` (text `text`, table `table`), before its marker line.
    pub fn bridge_insertion(
        &self,
        name: &str,
        module: &str,
        source: &Source,
        text: &str,
        table: &ModuleSymbols,
    ) -> Option<Vec<Edit>> {
        let at = table.bridge_stubs_end?;
        let (block, needs_enum) = self.guarded(name, module, source)?;
        let mut edits = Vec::new();
        if needs_enum && !table.names.contains("Enum") {
            let insert = table.import_insert_at.min(at);
            edits.push(Edit::new(
                None,
                insert..insert,
                "from enum import Enum\n".into(),
            ));
        }
        debug_assert!(at <= text.len());
        edits.push(Edit::new(None, at..at, block));
        Some(edits)
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

    /// The edits that add `name` (from `source`) to the module at `module`
    /// with text `text` and symbol table `table`, in file order; `None`
    /// when nothing may be written (several definitions). A forward joins
    /// the module's imports; a fallback stub goes at the end, after the
    /// module's imports and definitions, two blank lines below them, and
    /// `from enum import Enum` joins the imports.
    pub fn insertion(
        &self,
        name: &str,
        module: &str,
        source: &Source,
        text: &str,
        table: &ModuleSymbols,
    ) -> Option<Vec<Edit>> {
        let body_end = text.trim_end_matches(['\n', '\r', ' ', '\t']).len();
        let (mut block, needs_enum, import) = match source {
            Source::Ambiguous(_) => return None,
            Source::Forward {
                module: to,
                crossing,
            } => (String::new(), false, Some(forward_line(name, to, crossing))),
            Source::Nowhere | Source::LeftOut(..) => {
                let (stub, e) = self.stub(name, module);
                (stub, e, None)
            }
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
        let mut edits = Vec::new();
        let at = table.import_insert_at.min(body_end);
        let import = match (import, needs_enum && !table.names.contains("Enum")) {
            (Some(line), _) => Some(line),
            (None, true) => Some("from enum import Enum\n".to_string()),
            (None, false) => None,
        };
        match import {
            // An empty module: the import and the block are one edit.
            Some(line) if at >= body_end => block.insert_str(0, &line),
            Some(line) => edits.push(Edit::new(None, at..at, line)),
            None => {}
        }
        if block.is_empty() {
            return Some(edits);
        }
        // The trailing blank lines are replaced: two blank lines, the block.
        let separator = if body_end == 0 || block.starts_with("from ") {
            if body_end == 0 { "" } else { "\n" }
        } else {
            "\n\n\n"
        };
        edits.push(Edit::new(
            None,
            body_end..text.len(),
            format!("{separator}{block}"),
        ));
        Some(edits)
    }
}

/// The import of a forward: `from M import N as N` (the explicit
/// re-export form linters and type checkers read), with its exception
/// comment when it crosses lanes.
fn forward_line(name: &str, module: &str, crossing: &Option<String>) -> String {
    let comment = crossing
        .as_ref()
        .map_or(String::new(), |c| format!("  {c}"));
    format!("from {module} import {name} as {name}{comment}\n")
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

    fn with_bridge(bridge: &str) -> Result<Stubs, String> {
        let mut opts = stubs().opts;
        opts.bridge = Some(bridge.to_string());
        opts.bridge_candidates = vec!["site.{module}".into(), "candidate.{rest}".into()];
        Stubs::new(opts)
    }

    #[test]
    fn a_bridge_tries_candidates_then_guards_a_fallback_per_name() {
        let s = with_bridge(
            "\"\"\"{module}\"\"\"\n{imports}_C = {candidates}\n{stubs}\ndef __getattr__(n): ...\n",
        )
        .unwrap();
        assert_eq!(
            s.bridge_candidates_for("lukhas.x.y"),
            ["site.lukhas.x.y", "candidate.x.y"]
        );
        let candidates: Vec<(String, Option<String>)> = s
            .bridge_candidates_for("lukhas.x.y")
            .into_iter()
            .map(|c| (c, None))
            .collect();
        let text = s
            .bridge_module(
                "lukhas.x.y",
                &[
                    ("AlertLevel".into(), Source::Nowhere),
                    ("run".into(), Source::Nowhere),
                    (
                        "Both".into(),
                        Source::Ambiguous(vec!["a".into(), "b".into()]),
                    ),
                ],
                &candidates,
            )
            .unwrap();
        assert_eq!(
            text,
            "\"\"\"lukhas.x.y\"\"\"\nfrom enum import Enum\n_C = (\n    lambda: import_module(\"site.lukhas.x.y\"),\n    lambda: import_module(\"candidate.x.y\"),\n)\n\
             if \"AlertLevel\" not in globals():\n    class AlertLevel(Enum):\n        UNKNOWN = \"unknown\"\n    __all__.append(\"AlertLevel\")\n\n\
             if \"run\" not in globals():\n    def run(*args, **kwargs):\n        return None\n    __all__.append(\"run\")\n\n\
             # rulegate: end of fallback stubs\n\ndef __getattr__(n): ...\n"
        );
        // More fallbacks go before the marker; the table knows the bridge's names.
        let tree = crate::parse::Worker::new().parse(&text).unwrap();
        let table = ModuleSymbols::of(&tree, &text);
        assert!(table.names.contains("AlertLevel") && !table.is_unknowable());
        let edits = s
            .bridge_insertion("MAX", "lukhas.x.y", &Source::Nowhere, &text, &table)
            .unwrap();
        let marker = text.find(BRIDGE_MARKER).unwrap();
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].range, marker..marker);
        assert!(edits[0].content.starts_with("if \"MAX\" not in globals():"));
        // A forward across lanes carries its exception on the import's line.
        let forward = Source::Forward {
            module: "candidate.x.y".into(),
            crossing: Some(s.exception_comment("candidate.x.y", "2026-01-01".parse().unwrap())),
        };
        let edits = s
            .bridge_insertion("MAX", "lukhas.x.y", &forward, &text, &table)
            .unwrap();
        assert_eq!(
            edits[0].content,
            "if \"MAX\" not in globals():\n    from candidate.x.y import MAX as MAX  # noqa: LANE001 -- bridge to candidate.x.y until=2026-04-01\n    __all__.append(\"MAX\")\n\n"
        );
        // A template must say where the fallbacks go.
        assert!(with_bridge("no placeholder").is_err());
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
        let edits = s
            .insertion("AlertLevel", "lukhas.core", &Source::Nowhere, text, &table)
            .unwrap();
        let at = text.find("\n__all__").unwrap();
        assert_eq!(
            edits[0],
            Edit::new(None, at..at, "from enum import Enum\n".to_string())
        );
        assert_eq!(edits[1].range, text.trim_end().len()..text.len());
        assert_eq!(
            edits[1].content,
            "\n\n\nclass AlertLevel(Enum):\n    UNKNOWN = \"unknown\"\n__all__.append(\"AlertLevel\")\n"
        );
        // A forward joins the imports; nothing for several definitions.
        let forward = Source::Forward {
            module: "candidate.core".into(),
            crossing: None,
        };
        let edits = s
            .insertion("AlertLevel", "lukhas.core", &forward, text, &table)
            .unwrap();
        assert_eq!(
            edits[0],
            Edit::new(
                None,
                at..at,
                "from candidate.core import AlertLevel as AlertLevel\n".to_string()
            )
        );
        assert_eq!(edits[1].content, "\n\n\n__all__.append(\"AlertLevel\")\n");
        let several = Source::Ambiguous(vec!["a".into(), "b".into()]);
        assert!(
            s.insertion("AlertLevel", "lukhas.core", &several, text, &table)
                .is_none()
        );
    }
}
