//! The pack author's workbench (`rulegate query`): one query, with the
//! `where` constraints of SPEC §3.1 given on the command line, run on one
//! text, every match listed with its captures. The query and constraints go
//! through the very compiler packs use, so what works here works in a pack.

use std::fmt::Write;

use tree_sitter::QueryCursor;

use crate::error::{SourceDoc, SpannedError};
use crate::matching::query::{QueryMatcher, QuerySet};
use crate::pack_format::RuleSpec;
use crate::parse::Worker;
use crate::source::{LineIndex, Location};

/// One capture of a match.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProbeCapture {
    /// The capture's name, without `@`.
    pub name: String,
    /// The node's kind (`call`, `identifier`).
    pub kind: String,
    /// Where the node is (1-based lines and columns).
    pub location: Location,
    /// Byte offsets of the node.
    pub start_byte: usize,
    /// End byte offset (exclusive).
    pub end_byte: usize,
    /// The node's text.
    pub text: String,
}

/// One match of the query that passed every constraint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProbeMatch {
    /// What a rule would underline (`report`, else the largest capture).
    pub reported: Location,
    /// Captures in the order of their nodes (the first node of each).
    pub captures: Vec<ProbeCapture>,
}

/// What a probe found, and whether the text parsed cleanly.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The matches, in the order the walk found them.
    pub matches: Vec<ProbeMatch>,
    /// Whether the text has syntax errors (matches may then be partial).
    pub syntax_errors: bool,
}

/// Compiles `query` with `wheres` (`CAPTURE.KEY=VALUE`, as `--where`
/// takes them) through the pack compiler; errors point into the TOML the
/// arguments stand for.
pub fn compile(
    query: &str,
    wheres: &[String],
    report: Option<&str>,
) -> Result<QueryMatcher, Vec<SpannedError>> {
    let mut toml_text = String::from("id = \"QUERY\"\nseverity = \"info\"\nmessage = \"match\"\n");
    let _ = writeln!(toml_text, "query = {}", toml::Value::from(query));
    if let Some(r) = report {
        let _ = writeln!(toml_text, "report = {}", toml::Value::from(r));
    }
    for w in wheres {
        let line = where_line(w).map_err(|e| {
            vec![
                SourceDoc::new("--where", w.clone())
                    .error(0..w.len(), format!("invalid --where `{w}`"), e)
                    .with_help("write CAPTURE.KEY=VALUE, such as `f.in=print,eval` or `call.inside=(function_definition) @d`"),
            ]
        })?;
        toml_text.push_str(&line);
    }
    let doc = SourceDoc::new("the query and its --where constraints", toml_text.clone());
    let spec: RuleSpec = toml::from_str(&toml_text).map_err(|e| vec![doc.toml_error(&e)])?;
    let q = spec.query.clone().expect("written above");
    crate::packs::compile_query(&doc, &spec, &q, None).map(|(m, _)| m)
}

/// The TOML line a `CAPTURE.KEY=VALUE` argument stands for. A VALUE that is
/// a TOML value (`["a", "b"]`, `{ query = "…", max_depth = 1 }`) is taken
/// as written; otherwise it is a string, split on commas for the list keys
/// (`in`, `not_in`, `resolves_to`, `not_resolves_to`).
fn where_line(arg: &str) -> Result<String, String> {
    let (lhs, value) = arg
        .split_once('=')
        .ok_or("no `=` between CAPTURE.KEY and VALUE")?;
    let (capture, key) = lhs
        .trim()
        .split_once('.')
        .ok_or("no `.` between CAPTURE and KEY")?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
    };
    if !valid(capture) || !valid(key) {
        return Err(format!("`{lhs}` is not CAPTURE.KEY"));
    }
    let as_toml = format!("v = {value}");
    let value = match toml::from_str::<toml::Table>(&as_toml) {
        Ok(_) => value.to_string(),
        Err(_) if matches!(key, "in" | "not_in" | "resolves_to" | "not_resolves_to") => {
            toml::Value::Array(value.split(',').map(|s| s.trim().into()).collect()).to_string()
        }
        Err(_) => toml::Value::from(value).to_string(),
    };
    let quoted = |s: &str| toml::Value::from(s).to_string();
    Ok(format!(
        "where.{}.{} = {value}\n",
        quoted(capture),
        quoted(key)
    ))
}

/// Runs a compiled query on `text`.
pub fn run(matcher: &QueryMatcher, text: &str) -> Result<Probe, String> {
    let set = QuerySet::build(&[(0, matcher.text.as_str())])
        .map_err(|e| e.message)?
        .expect("one query");
    let tree = Worker::new()
        .parse(text)
        .ok_or("the parser gave up on this text")?;
    let lines = LineIndex::new(text);
    let mut matches = Vec::new();
    set.run(
        &mut QueryCursor::new(),
        &tree,
        text,
        None,
        &|_| true,
        &|_| matcher,
        |hit| {
            let captures = hit
                .captures
                .iter()
                .map(|(name, node)| ProbeCapture {
                    name: name.to_string(),
                    kind: node.kind().to_string(),
                    location: lines.location(text, node.byte_range()),
                    start_byte: node.start_byte(),
                    end_byte: node.end_byte(),
                    text: text[node.byte_range()].to_string(),
                })
                .collect();
            matches.push(ProbeMatch {
                reported: lines.location(text, hit.range),
                captures,
            });
        },
    );
    Ok(Probe {
        matches,
        syntax_errors: tree.root_node().has_error(),
    })
}

/// The human listing: each match, then its captures aligned in columns.
pub fn render(name: &str, probe: &Probe) -> String {
    let mut out = String::new();
    let at = |l: &Location| {
        format!(
            "{}:{}-{}:{}",
            l.start.line, l.start.column, l.end.line, l.end.column
        )
    };
    for (i, m) in probe.matches.iter().enumerate() {
        let _ = writeln!(
            out,
            "{name}:{}:{}: match {}",
            m.reported.start.line,
            m.reported.start.column,
            i + 1
        );
        let width = m.captures.iter().map(|c| c.name.len()).max().unwrap_or(0) + 1;
        let kind_width = m.captures.iter().map(|c| c.kind.len()).max().unwrap_or(0);
        for c in &m.captures {
            let mut shown: String = c.text.chars().take(60).collect();
            if shown.len() < c.text.len() {
                shown.push('…');
            }
            let _ = writeln!(
                out,
                "  {:<width$} {:<kind_width$} {:<13} {shown:?}",
                format!("@{}", c.name),
                c.kind,
                at(&c.location),
            );
        }
    }
    let n = probe.matches.len();
    let _ = writeln!(out, "{n} match{}", if n == 1 { "" } else { "es" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_arguments_become_constraints() {
        assert_eq!(
            where_line("f.in=print, eval").unwrap(),
            "where.\"f\".\"in\" = [\"print\", \"eval\"]\n"
        );
        assert_eq!(
            where_line("c.inside={ query = '(block)', max_depth = 2 }").unwrap(),
            "where.\"c\".\"inside\" = { query = '(block)', max_depth = 2 }\n"
        );
        assert_eq!(
            where_line("c.has=(identifier) @i").unwrap(),
            "where.\"c\".\"has\" = \"(identifier) @i\"\n"
        );
        assert!(where_line("f=print").is_err());
        assert!(where_line("f.in").is_err());
    }

    #[test]
    fn a_probe_lists_matches_with_captures() {
        let m = compile(
            "(call function: (identifier) @f) @c",
            &[
                "f.in=print".into(),
                "c.not_inside=(function_definition) @d".into(),
            ],
            Some("f"),
        )
        .unwrap();
        let probe = run(&m, "print(1)\ndef g():\n    print(2)\nlen(x)\n").unwrap();
        assert_eq!(probe.matches.len(), 1);
        let out = render("-", &probe);
        assert!(out.starts_with("-:1:1: match 1\n"), "{out}");
        assert!(out.contains("@f identifier 1:1-1:6"), "{out}");
        assert!(out.ends_with("1 match\n"), "{out}");
    }

    #[test]
    fn bad_constraints_are_pack_errors() {
        let e = compile("(call) @c", &["x.in=a".into()], None).unwrap_err();
        assert!(e[0].message().contains("no capture `@x`"));
        let e = compile("(call) @c", &["c.colour=red".into()], None).unwrap_err();
        assert!(!e.is_empty());
        let e = compile("(call", &[], None).unwrap_err();
        assert!(e[0].message().contains("invalid tree-sitter query"));
    }
}
