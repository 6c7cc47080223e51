//! Compiling one `[[rule]]` table into a [`Rule`]: its matcher (query or
//! analyzer), scope, message template and fix, each error pointing at its
//! span in the pack.

use std::sync::Arc;

use serde_spanned::Spanned;

use super::{LoadMode, PackSource, query_rule};
use crate::analyzers;
use crate::config::Config;
use crate::error::{SourceDoc, SpannedError};
use crate::finding::Applicability;
use crate::finding::Severity;
use crate::glob::GlobList;
use crate::matching::query::QueryShape;
use crate::pack_format::{FixTable, MAX_TTL_DAYS, RuleSpec};
use crate::rule::{
    EngineCheck, Example, FixAction, FixKind, Matcher, Rule, Scope, SuppressionCheck,
};
use crate::script::ScriptHost;
use crate::template::Template;

/// A compiled rule and the warnings its pack deserves.
pub(super) struct Compiled {
    /// The rule.
    pub rule: Rule,
    /// Problems that do not stop the load.
    pub warnings: Vec<SpannedError>,
}

/// The required keys of a rule, or one error naming every missing one.
fn required_keys(
    doc: &SourceDoc,
    r: &Spanned<RuleSpec>,
) -> Result<(Spanned<String>, Severity, Spanned<String>), SpannedError> {
    let spec = r.get_ref();
    let mut missing = Vec::new();
    if spec.id.is_none() {
        missing.push("`id`");
    }
    if spec.severity.is_none() {
        missing.push("`severity`");
    }
    if spec.message.is_none() {
        missing.push("`message`");
    }
    if spec.query.is_none() && spec.pattern.is_none() && spec.analyzer.is_none() {
        missing.push("a matcher (`query`, `pattern` or `analyzer`)");
    }
    match (&spec.id, spec.severity, &spec.message) {
        (Some(id), Some(severity), Some(message)) if missing.is_empty() => {
            Ok((id.clone(), severity, message.clone()))
        }
        _ => {
            // Point at the rule's first line: its `id`, else the table's start.
            let span = spec.id.as_ref().map_or_else(
                || {
                    let start = r.span().start;
                    let line_end = doc.text[start..]
                        .find('\n')
                        .map_or(r.span().end, |n| start + n);
                    start..line_end.max(start + 1).min(r.span().end.max(start + 1))
                },
                |id| id.span(),
            );
            let who = spec.id.as_ref().map_or_else(
                || "a rule".to_string(),
                |id| format!("rule `{}`", id.get_ref()),
            );
            Err(doc
                .error(
                    span,
                    format!("{who} is missing {}", missing.join(", ")),
                    "this rule",
                )
                .with_help(format!(
                    "a minimal rule is `id`, `severity` (error | warning | info), `message` and `query`; analyzers: {}",
                    analyzers::names().join(", ")
                )))
        }
    }
}

pub(super) fn compile_rule(
    source: &PackSource,
    pack: &Arc<str>,
    spanned: Spanned<RuleSpec>,
    config: &Config,
    host: &ScriptHost,
    mode: LoadMode,
) -> Result<Compiled, Vec<SpannedError>> {
    let doc = &source.doc;
    let (id_spanned, severity, message_text) = required_keys(doc, &spanned).map_err(|e| vec![e])?;
    let r = spanned.into_inner();
    let mut errors = Vec::new();
    let id = id_spanned.get_ref().clone();
    errors.extend(check_id(doc, &id_spanned));

    let options = r
        .options
        .as_ref()
        .map(|o| o.get_ref().clone())
        .unwrap_or_default();
    let options_span = r
        .options
        .as_ref()
        .map(|o| o.span())
        .unwrap_or(id_spanned.span());
    // A matcher that does not compile has unknown variables: the message and
    // fix are then only parsed, so one broken query is one error.
    let (matcher, vars, checked) = match compile_matcher(doc, &r, &options, options_span, mode) {
        Ok((m, v, c)) => (m, Some(v), c),
        Err(e) => {
            errors.extend(e);
            (Matcher::Engine(EngineCheck::Syntax), None, None)
        }
    };

    let message = parse_template(doc, &message_text, vars.as_deref())
        .map_err(|e| errors.push(e))
        .ok();

    let scope = compile_scope(doc, &r, config, mode).unwrap_or_else(|e| {
        errors.extend(e);
        Scope::default()
    });

    let fix = match &r.fix {
        None => None,
        Some(f) => compile_fix(source, pack, &id, f, vars.as_deref(), host)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    if let (
        Some(f),
        Some(FixAction {
            kind: FixKind::RenameTo { .. },
            ..
        }),
    ) = (&r.fix, &fix)
        && vars.is_some()
        && !matches!(matcher, Matcher::Query(_))
    {
        errors.push(
            doc.error(
                f.span(),
                "`rename_to` needs a query or `pattern` rule",
                "here",
            )
            .with_help("`report` (or the fix's `target`) names the captured reference to rewrite"),
        );
    }

    let tests = compile_tests_and_policy(doc, &r, &mut errors);
    let schedule = r.escalate.as_ref().and_then(|s| {
        crate::escalate::Schedule::compile(doc, s)
            .map_err(|e| errors.extend(e))
            .ok()
    });

    if !errors.is_empty() {
        return Err(errors);
    }
    let message = message.expect("checked above");
    let warnings = checked
        .as_ref()
        .map(|checked| unbound_capture_warnings(doc, &r, checked, &message, &message_text, &fix))
        .unwrap_or_default();
    // A pack's own words win; else the analyzer's (an E402 file needs `import`).
    let prefilter = r.prefilter.or_else(|| match &matcher {
        Matcher::Analyzer(a) => a.prefilter(),
        _ => None,
    });
    let rule = Rule {
        id: Arc::from(id.as_str()),
        pack: pack.clone(),
        severity,
        summary: r.summary.unwrap_or_else(|| message_text.get_ref().clone()),
        message,
        explain: r.explain,
        scope,
        matcher,
        fix,
        options,
        script_options: Default::default(),
        suppression: r.suppression.unwrap_or_default(),
        prefilter,
        tests,
        id_span: id_spanned.span(),
        index: 0,
        blanket_noqa: r.blanket_noqa.unwrap_or(true),
        schedule,
        note: None,
    };
    Ok(Compiled { rule, warnings })
}

/// An error when `id` is not a rule id (letters, digits, `-`, `_`).
fn check_id(doc: &SourceDoc, id: &Spanned<String>) -> Option<SpannedError> {
    let ok = !id.get_ref().is_empty()
        && id
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (!ok).then(|| {
        doc.error(
            id.span(),
            format!("invalid rule id `{}`", id.get_ref()),
            "not a rule id",
        )
        .with_help("ids are letters, digits, `-` and `_`, such as `TEAM001`")
    })
}

/// Warnings for captures that the message or a template fix names but some
/// branch of the query does not bind.
fn unbound_capture_warnings(
    doc: &SourceDoc,
    r: &RuleSpec,
    checked: &QueryShape,
    message: &Template,
    message_text: &Spanned<String>,
    fix: &Option<FixAction>,
) -> Vec<SpannedError> {
    let fix_template = match fix {
        Some(FixAction {
            kind: FixKind::Template { template, .. },
            ..
        }) => r.fix.as_ref().map(|f| (template, f.span())),
        _ => None,
    };
    query_rule::unbound_capture_warnings(
        doc,
        r,
        checked,
        Some((message, message_text)),
        fix_template,
    )
}

/// The rule's examples (each must check something) and its suppression
/// policy's bounds.
fn compile_tests_and_policy(
    doc: &SourceDoc,
    r: &RuleSpec,
    errors: &mut Vec<SpannedError>,
) -> Vec<Example> {
    let mut tests = Vec::new();
    for t in &r.tests {
        if t.get_ref().expect.is_none() && t.get_ref().fixed.is_none() {
            errors.push(
                doc.error(
                    t.span(),
                    "a test needs `expect` or `fixed`",
                    "this test checks nothing",
                )
                .with_help(
                    "add `expect = [\"RULE@line\"]` (or `expect = []`) or `fixed = \"...\"`",
                ),
            );
        }
        for e in t.get_ref().expect.iter().flatten() {
            let valid = e.split_once('@').is_some_and(|(rule, line)| {
                !rule.is_empty()
                    && rule
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && line.parse::<u32>().is_ok_and(|l| l >= 1)
                    && line.chars().all(|c| c.is_ascii_digit())
            });
            if !valid {
                errors.push(
                    doc.error(
                        t.span(),
                        format!("invalid expected finding `{e}`"),
                        "in this test",
                    )
                    .with_help(
                        "write `RULE@LINE`, such as `E402@3` (line 1 is the first line of `code`)",
                    ),
                );
            }
        }
        for rel in t.get_ref().files.keys() {
            let inside = !rel.is_empty()
                && std::path::Path::new(rel)
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                errors.push(
                    doc.error(
                        t.span(),
                        format!("example file `{rel}` is outside the example's project"),
                        "this test",
                    )
                    .with_help("name files by relative paths without `..` (they are written to a temporary folder)"),
                );
            }
        }
        if let Some(today) = &t.get_ref().today
            && let Err(e) = crate::dates::parse_iso(today)
        {
            errors.push(doc.error(
                t.span(),
                format!("invalid `today` in a test: {e}"),
                "this test",
            ));
        }
        tests.push(Example {
            spec: t.get_ref().clone(),
            at: format!("{}:{}", doc.name, doc.line_of(t.span().start)),
            code_line: code_first_line(doc, &t.get_ref().code),
        });
    }
    if let Some(ttl) = r.suppression.as_ref().and_then(|s| s.ttl_days.as_ref())
        && *ttl.get_ref() > MAX_TTL_DAYS
    {
        errors.push(
            doc.error(
                ttl.span(),
                format!("`ttl_days = {}` is too long", ttl.get_ref()),
                "more than a hundred years",
            )
            .with_help(format!("give at most {MAX_TTL_DAYS} days")),
        );
    }
    tests
}

/// The pack line of the code's first line, when the code is a multi-line
/// string literal whose lines are the pack's (no escaped line breaks).
fn code_first_line(doc: &SourceDoc, code: &Spanned<String>) -> Option<usize> {
    let raw = doc.text.get(code.span())?;
    let body = raw
        .strip_prefix("\"\"\"")
        .or_else(|| raw.strip_prefix("'''"))?;
    let (skipped, body) = match body
        .strip_prefix("\r\n")
        .or_else(|| body.strip_prefix('\n'))
    {
        Some(rest) => (1, rest),
        None => (0, body),
    };
    let same_lines = body.matches('\n').count() == code.get_ref().matches('\n').count();
    same_lines.then(|| doc.line_of(code.span().start) + skipped)
}

/// Builds the matcher and returns the variable names its hits define (and,
/// for a query rule, the query compiled alone).
fn compile_matcher(
    doc: &SourceDoc,
    r: &RuleSpec,
    options: &toml::Table,
    options_span: std::ops::Range<usize>,
    mode: LoadMode,
) -> Result<(Matcher, Vec<String>, Option<QueryShape>), Vec<SpannedError>> {
    let matchers = [
        ("query", &r.query),
        ("pattern", &r.pattern),
        ("analyzer", &r.analyzer),
    ];
    let mut given = matchers
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (*k, v)));
    let first = given.next();
    if let (Some((a, _)), Some((b, second))) = (first, given.next()) {
        return Err(vec![doc.error(
            second.span(),
            format!("a rule has one matcher: `{a}` or `{b}`, not both"),
            "second matcher",
        )]);
    }
    if let Some(a) = &r.analyzer {
        if !r.constraints.is_empty() || r.report.is_some() {
            return Err(vec![doc.error(
                a.span(),
                "`where` and `report` belong to query rules",
                "this rule uses an analyzer",
            )]);
        }
        return compile_analyzer(doc, a, options, options_span)
            .map(|(m, v)| (m, v, None))
            .map_err(|e| vec![e]);
    }
    let query = match (&r.query, &r.pattern) {
        (Some(q), _) => q.clone(),
        (None, Some(p)) => query_rule::pattern_query(doc, p, mode.known)?,
        (None, None) => unreachable!("required_keys checks for a matcher"),
    };
    query_rule::compile_query(doc, r, &query, mode.known).map(|(m, checked)| {
        let mut vars = m.captures.clone();
        // A unique rule's message may name the value's other places.
        if crate::matching::unique::capture(&m).is_some() {
            vars.push(crate::matching::unique::OTHERS.to_string());
        }
        (Matcher::Query(m), vars, Some(checked))
    })
}

/// `[rule.options] check = "..."` of the engine's own matchers.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckOption {
    check: String,
}

/// The engine's own matchers: `options.check` names one of `names`.
fn named_check<T: Copy>(options: &toml::Table, names: &[(&str, T)]) -> Result<T, String> {
    let o: CheckOption = analyzers::options(options)?;
    names
        .iter()
        .find(|(n, _)| *n == o.check)
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            let all: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            format!("unknown check `{}`; expected {}", o.check, all.join(", "))
        })
}

fn compile_analyzer(
    doc: &SourceDoc,
    name: &Spanned<String>,
    options: &toml::Table,
    options_span: std::ops::Range<usize>,
) -> Result<(Matcher, Vec<String>), SpannedError> {
    let bad_options = |e: String| {
        // serde names an unknown key: point at it rather than at the table.
        let span = unknown_key(&e)
            .and_then(|key| key_span(&doc.text, options_span.start, key))
            .unwrap_or(options_span.clone());
        doc.error(span, "invalid analyzer options", e)
    };
    match name.get_ref().as_str() {
        "engine" => {
            let check = named_check(options, &EngineCheck::NAMES).map_err(bad_options)?;
            let vars = check.variables().iter().map(|v| v.to_string()).collect();
            Ok((Matcher::Engine(check), vars))
        }
        "suppression" => {
            let check = named_check(options, &SuppressionCheck::NAMES).map_err(bad_options)?;
            let vars = check.variables().iter().map(|v| v.to_string()).collect();
            Ok((Matcher::Suppression(check), vars))
        }
        other => match analyzers::build(other, options) {
            Some(Ok(a)) => {
                let vars = a.variables().iter().map(|v| v.to_string()).collect();
                Ok((Matcher::Analyzer(a), vars))
            }
            Some(Err(e)) => Err(bad_options(e.to_string())),
            None => Err(doc
                .error(
                    name.span(),
                    format!("unknown analyzer `{other}`"),
                    "no such analyzer",
                )
                .with_help(format!("analyzers: {}", analyzers::names().join(", ")))),
        },
    }
}

/// The key serde's "unknown field `KEY`" message names, if that is the error.
fn unknown_key(message: &str) -> Option<&str> {
    let rest = message.split_once("unknown field `")?.1;
    Some(rest.split_once('`')?.0)
}

/// Where `key = …` is written in the options table that starts at `from`
/// (a `[rule.options]` header's span ends before its keys), up to the next
/// `[[rule]]`.
fn key_span(text: &str, from: usize, key: &str) -> Option<std::ops::Range<usize>> {
    let tail = text.get(from..)?;
    let end = tail.get(1..)?.find("\n[[").map_or(tail.len(), |i| i + 1);
    let mut at = 0;
    while let Some(i) = tail[at..end].find(key) {
        let start = at + i;
        let before = tail[..start].chars().next_back();
        let after = tail[start + key.len()..end].trim_start_matches([' ', '\t']);
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after.starts_with('=') {
            return Some(from + start..from + start + key.len());
        }
        at = start + key.len();
    }
    None
}

fn compile_scope(
    doc: &SourceDoc,
    r: &RuleSpec,
    config: &Config,
    mode: LoadMode,
) -> Result<Scope, Vec<SpannedError>> {
    let mut errors = Vec::new();
    if let (Some(lanes), true) = (&r.lanes, mode.check_lanes) {
        for l in lanes {
            if !config.has_lane(l.get_ref()) {
                let known: Vec<&str> = config.lanes.iter().map(|l| l.name.as_str()).collect();
                errors.push(
                    doc.error(
                        l.span(),
                        format!("unknown lane `{}`", l.get_ref()),
                        "not declared in the config",
                    )
                    .with_help(format!("lanes of this project: {}", known.join(", "))),
                );
            }
        }
    }
    let mut globs = |list: &[Spanned<String>]| {
        GlobList::from_spanned(doc, list).unwrap_or_else(|e| {
            errors.extend(e);
            GlobList::default()
        })
    };
    let scope = Scope {
        paths: globs(&r.paths),
        exclude: globs(&r.exclude),
        lanes: r
            .lanes
            .as_ref()
            .map(|l| l.iter().map(|s| s.get_ref().clone()).collect()),
        ignored: GlobList::default(),
        lanes_or_paths: false,
    };
    if errors.is_empty() {
        Ok(scope)
    } else {
        Err(errors)
    }
}

/// Parses a template and, when the variables are known (the matcher
/// compiled), checks them.
fn parse_template(
    doc: &SourceDoc,
    text: &Spanned<String>,
    known: Option<&[String]>,
) -> Result<Template, SpannedError> {
    Template::parse(text.get_ref())
        .and_then(|t| match known {
            Some(known) => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                t.check_vars(&known).map(|_| t)
            }
            None => Ok(t),
        })
        .map_err(|e| {
            let span = doc.inner_span(text.span(), text.get_ref(), e.range);
            doc.error(span, "invalid template", e.message)
        })
}

fn compile_fix(
    source: &PackSource,
    pack: &str,
    rule_id: &str,
    fix: &Spanned<toml::Value>,
    vars: Option<&[String]>,
    host: &ScriptHost,
) -> Result<FixAction, SpannedError> {
    let doc = &source.doc;
    let table: FixTable = match fix.get_ref() {
        toml::Value::String(s) => FixTable {
            template: Some(s.clone()),
            script: None,
            rename_to: None,
            applicability: Applicability::default(),
            target: None,
            message: None,
        },
        v @ toml::Value::Table(_) => v.clone().try_into().map_err(|e: toml::de::Error| {
            doc.error(fix.span(), "invalid fix", e.message().to_string())
        })?,
        _ => {
            return Err(doc.error(
                fix.span(),
                "invalid fix",
                "expected a template string or a table",
            ));
        }
    };
    if let Some(target) = &table.target
        && vars.is_some_and(|known| !known.contains(target))
    {
        return Err(doc.error(
            fix.span(),
            format!("unknown fix target `{target}`"),
            "not a capture",
        ));
    }
    let kind = match (&table.template, &table.script, &table.rename_to) {
        (None, None, Some(to)) => rename_to(doc, fix, to, &table)?,
        (Some(t), None, None) => {
            let spanned = match fix.get_ref() {
                toml::Value::String(_) => Spanned::new(fix.span(), t.clone()),
                _ => Spanned::new(fix.span(), t.clone()),
            };
            FixKind::Template {
                template: parse_template(doc, &spanned, vars)?,
                target: table.target.clone(),
            }
        }
        (None, Some(path), None) => {
            let text = source
                .read_file(path)
                .map_err(|e| doc.error(fix.span(), "cannot load fix script", e.to_string()))?;
            let script = host.compile(pack, path, &text).map_err(|e| {
                let error = doc.error(
                    fix.span(),
                    format!("fix script {path} does not compile"),
                    e.to_string(),
                );
                // `m.captures.fn` does not parse: say how to reach such a capture.
                let keywords: Vec<&String> = vars
                    .unwrap_or_default()
                    .iter()
                    .filter(|v| !host.is_property_name(v))
                    .collect();
                match keywords.first() {
                    Some(k) => error.with_help(format!(
                        "capture `@{k}` is named like a Rhai keyword: write `m.captures[\"{k}\"]`, not `m.captures.{k}` (or rename the capture)"
                    )),
                    None => error,
                }
            })?;
            FixKind::Script(Arc::new(script))
        }
        _ => {
            return Err(doc.error(
                fix.span(),
                "a fix has exactly one of `template`, `script` and `rename_to`",
                "here",
            ));
        }
    };
    Ok(FixAction {
        applicability: table.applicability,
        message: table
            .message
            .unwrap_or_else(|| format!("Apply the fix of {rule_id}")),
        kind,
    })
}

/// A `rename_to` fix: a dotted name (the rule must be a query or
/// `pattern` rule: see [`compile_rule`]).
fn rename_to(
    doc: &SourceDoc,
    fix: &Spanned<toml::Value>,
    to: &str,
    table: &FixTable,
) -> Result<FixKind, SpannedError> {
    let dotted = !to.is_empty()
        && to.split('.').all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
    if !dotted {
        return Err(doc
            .error(
                fix.span(),
                format!("`{to}` is not a qualified name"),
                "not a dotted name",
            )
            .with_help("write the dotted Python name the reference should reach, such as `some.other.function`"));
    }
    Ok(FixKind::RenameTo {
        to: to.to_string(),
        target: table.target.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_line_code_string_keeps_the_packs_lines() {
        let text = "[[t]]\ncode = \"\"\"\nx = 1\ny = 2\n\"\"\"\nsame = \"\"\"a\nb\"\"\"\nescaped = \"\"\"a\\nb\n\"\"\"\none = \"x\\ny\"\n";
        let doc = SourceDoc::new("p.toml", text);
        // The literal that starts right after `key = ` and ends at `until`.
        let literal = |key: &str, until: &str, value: &str| {
            let start = text.find(&format!("{key} = ")).unwrap() + key.len() + 3;
            let end = start + 1 + text[start + 1..].find(until).unwrap() + until.len();
            code_first_line(&doc, &Spanned::new(start..end, value.to_string()))
        };
        // `code = """` on line 2: the code's line 1 is the pack's line 3.
        assert_eq!(literal("code", "\n\"\"\"", "x = 1\ny = 2\n"), Some(3));
        // Text right after the quotes: the same line.
        assert_eq!(literal("same", "b\"\"\"", "a\nb"), Some(6));
        // An escaped line break: the lines are not the pack's.
        assert_eq!(literal("escaped", "\n\"\"\"", "a\nb\n"), None);
        // A one-line basic string is not a multi-line literal.
        assert_eq!(literal("one", "y\"", "x\ny"), None);
    }
}
