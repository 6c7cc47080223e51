//! Compiling a query rule's matcher: its query, its `where` constraints on
//! captures (text and relational), its `report`, and warnings about
//! captures some matches leave unbound.

use std::ops::Range;

use serde_spanned::Spanned;

use crate::error::{SourceDoc, SpannedError};
use crate::matching::known::Known;
use crate::matching::pattern;
use crate::matching::query::{self, Constraint, LazyQuery, QueryMatcher, QueryShape};
use crate::matching::relation::{Relation, RelationKind};
use crate::matching::unique;
use crate::pack_format::{CaptureConstraint, RelationTable, RuleSpec};
use crate::template::Template;

/// Compiles the query and every constraint of `r`, reporting all problems
/// (queries among the `known` shapes are not compiled now).
pub fn compile_query(
    doc: &SourceDoc,
    r: &RuleSpec,
    q: &Spanned<String>,
    known: Option<&Known>,
) -> Result<(QueryMatcher, QueryShape), Vec<SpannedError>> {
    let (shape, _) = query::check(q.get_ref(), known).map_err(|e| {
        let span = doc.inner_span(q.span(), q.get_ref(), e.offset..e.offset);
        vec![
            doc.error(
                span,
                "invalid tree-sitter query",
                e.message.trim().to_string(),
            )
            .with_help(
                "check node names and fields with `rulegate tree FILE`, and try the query with `rulegate query FILE QUERY`",
            ),
        ]
    })?;
    let captures = shape.captures.clone();
    let mut errors = Vec::new();
    let captured = |name: &str, span: Range<usize>, errors: &mut Vec<SpannedError>| {
        if !captures.iter().any(|c| c == name) {
            errors.push(
                doc.error(
                    span,
                    format!("the query has no capture `@{name}`"),
                    "unknown capture",
                )
                .with_help(format!("captures: {}", captures.join(", "))),
            );
        }
    };
    if let Some(rep) = &r.report {
        captured(rep.get_ref(), rep.span(), &mut errors);
    }
    let mut constraints = Vec::new();
    for (name, c) in &r.constraints {
        captured(name, c.span(), &mut errors);
        constraints.push((
            name.clone(),
            compile_constraint(doc, c.get_ref(), known, &mut errors),
        ));
    }
    errors.extend(unique_errors(doc, r, &captures));
    if !errors.is_empty() {
        return Err(errors);
    }
    let matcher = QueryMatcher {
        relational: constraints.iter().any(|(_, c)| !c.relations.is_empty()),
        names: constraints.iter().any(|(_, c)| c.uses_names()),
        anchor: QueryMatcher::anchor_of(&constraints),
        text: q.get_ref().clone(),
        captures,
        constraints,
        report: r.report.as_ref().map(|s| s.get_ref().clone()),
    };
    Ok((matcher, shape))
}

/// Problems with `unique` constraints: one capture per rule, and none
/// named like the `{others}` variable they bring.
fn unique_errors(doc: &SourceDoc, r: &RuleSpec, captures: &[String]) -> Vec<SpannedError> {
    let unique: Vec<_> = r
        .constraints
        .values()
        .filter_map(|c| c.get_ref().unique.as_ref())
        .collect();
    let mut errors = Vec::new();
    if let [_, second, ..] = unique[..] {
        errors.push(
            doc.error(
                second.span(),
                "a rule has one `unique` capture",
                "second `unique`",
            )
            .with_help("split the rule, one per capture"),
        );
    }
    if let Some(first) = unique.first()
        && captures.iter().any(|c| c == unique::OTHERS)
    {
        errors.push(
            doc.error(
                first.span(),
                format!(
                    "capture `@{}` clashes with the `{{{}}}` variable of a `unique` rule",
                    unique::OTHERS,
                    unique::OTHERS
                ),
                "this rule is unique",
            )
            .with_help("rename the capture"),
        );
    }
    errors
}

/// The query a rule's `pattern` compiles to, spanned over the pattern
/// (SPEC §3.5). A query tree-sitter refuses is reported on the whole
/// pattern: its offsets are in the generated text, not in the pack.
pub fn pattern_query(
    doc: &SourceDoc,
    p: &Spanned<String>,
    known: Option<&Known>,
) -> Result<Spanned<String>, Vec<SpannedError>> {
    let compiled = pattern::compile(p.get_ref()).map_err(|e| {
        let end = (e.offset + 1).min(p.get_ref().len());
        let span = doc.inner_span(p.span(), p.get_ref(), e.offset..end);
        vec![doc
            .error(span, "invalid pattern", e.message)
            .with_help("see `rulegate query FILE --pattern PATTERN`, and docs/writing-rules.md for what a pattern may say")]
    })?;
    if let Err(e) = query::check(&compiled.query, known) {
        return Err(vec![
            doc.error(
                p.span(),
                "tree-sitter refuses the query this pattern compiles to",
                e.message.trim().to_string(),
            )
            .with_help(format!(
                "the query was: {}; write a `query` instead",
                compiled.query
            )),
        ]);
    }
    Ok(Spanned::new(p.span(), compiled.query))
}

/// A `resolves_to` list: dotted Python names (`os.path.join`); anything
/// else is reported to `errors`.
fn qualified_names(
    doc: &SourceDoc,
    list: &Option<Spanned<Vec<String>>>,
    errors: &mut Vec<SpannedError>,
) -> Option<Vec<String>> {
    let list = list.as_ref()?;
    let dotted = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                part.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
    };
    if let Some(bad) = list.get_ref().iter().find(|s| !dotted(s)) {
        errors.push(
            doc.error(
                list.span(),
                format!("`{bad}` is not a qualified name"),
                "not a dotted name",
            )
            .with_help("write dotted Python names, such as `os.path.join` or `builtins.open`"),
        );
    }
    Some(list.get_ref().clone())
}

/// One capture's constraints; problems go to `errors`.
fn compile_constraint(
    doc: &SourceDoc,
    spec: &CaptureConstraint,
    known: Option<&Known>,
    errors: &mut Vec<SpannedError>,
) -> Constraint {
    let mut regex = |s: &Option<Spanned<String>>| {
        s.as_ref()
            .and_then(|s| match regex::Regex::new(s.get_ref()) {
                Ok(re) => Some(re),
                Err(e) => {
                    errors.push(doc.error(s.span(), "invalid regex", e.to_string()));
                    None
                }
            })
    };
    let mut c = Constraint {
        regex: regex(&spec.regex),
        not_regex: regex(&spec.not_regex),
        one_of: spec.one_of.clone(),
        not_in: spec.not_in.clone(),
        relations: Vec::new(),
        resolves_to: qualified_names(doc, &spec.resolves_to, errors),
        not_resolves_to: qualified_names(doc, &spec.not_resolves_to, errors),
        unique: spec.unique.is_some(),
    };
    for ((key, value), (_, kind, negated)) in spec.relations().into_iter().zip(RelationKind::KEYS) {
        let Some(value) = value else { continue };
        match relation_tables(value) {
            Ok(tables) => {
                for (table, literal) in tables {
                    match compile_relation(doc, key, kind, negated, table, literal, value, known) {
                        Ok(rel) => c.relations.push(rel),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(reason) => errors.push(
                doc.error(value.span(), format!("invalid `{key}`"), reason).with_help(format!(
                    "write `{key} = '(query)'`, `{key} = {{ query = '(query)', max_depth = 1 }}` or a list of them"
                )),
            ),
        }
    }
    c
}

/// The tables a relational constraint's value holds (a string is a table
/// with just a query), each with whether it was written as a bare string
/// (whose query errors can point inside the string).
fn relation_tables(value: &Spanned<toml::Value>) -> Result<Vec<(RelationTable, bool)>, String> {
    let one = |v: &toml::Value| -> Result<(RelationTable, bool), String> {
        match v {
            toml::Value::String(q) => Ok((
                RelationTable {
                    query: q.clone(),
                    stop_at: Vec::new(),
                    max_depth: None,
                },
                true,
            )),
            toml::Value::Table(_) => v
                .clone()
                .try_into()
                .map(|t| (t, false))
                .map_err(|e: toml::de::Error| e.message().trim().to_string()),
            other => Err(format!(
                "expected a query string or a table, found {}",
                other.type_str()
            )),
        }
    };
    match value.get_ref() {
        toml::Value::Array(items) if items.is_empty() => Err("the list is empty".into()),
        toml::Value::Array(items) => items.iter().map(one).collect(),
        v => one(v).map(|t| vec![t]),
    }
}

#[allow(clippy::too_many_arguments)]
fn compile_relation(
    doc: &SourceDoc,
    key: &str,
    kind: RelationKind,
    negated: bool,
    table: RelationTable,
    bare_string: bool,
    value: &Spanned<toml::Value>,
    known: Option<&Known>,
) -> Result<Relation, SpannedError> {
    let (_, compiled) = query::check(&table.query, known).map_err(|e| {
        let span = if bare_string {
            doc.inner_span(value.span(), &table.query, e.offset..e.offset)
        } else {
            value.span()
        };
        doc.error(
            span,
            format!("invalid tree-sitter query in `{key}`"),
            format!(
                "{} (line {}, column {} of the query)",
                e.message.trim(),
                e.row + 1,
                e.column + 1
            ),
        )
        .with_help("try the query alone with `rulegate query FILE QUERY`")
    })?;
    if table.max_depth == Some(0) {
        return Err(doc
            .error(value.span(), format!("`max_depth = 0` in `{key}`"), "never holds")
            .with_help("`max_depth` counts levels from the capture: 1 is a direct child (`has`) or the parent (`inside`)"));
    }
    if !table.stop_at.is_empty() && kind != RelationKind::Inside {
        return Err(doc
            .error(
                value.span(),
                format!("`stop_at` in `{key}`"),
                "only `inside` and `not_inside` walk up",
            )
            .with_help("bound a `has` with `max_depth`"));
    }
    let language = query::python();
    for k in &table.stop_at {
        if language.id_for_node_kind(k, true) == 0 && language.id_for_node_kind(k, false) == 0 {
            return Err(doc
                .error(
                    value.span(),
                    format!("unknown node kind `{k}` in `stop_at`"),
                    "not a Python node kind",
                )
                .with_help("see the kinds of a file with `rulegate tree FILE`"));
        }
    }
    Ok(Relation {
        kind,
        negated,
        query: LazyQuery::new(table.query, compiled),
        stop_at: table.stop_at,
        max_depth: table.max_depth,
    })
}

/// Warnings for captures that some match leaves unbound (a branch of an
/// alternation, an optional part) but that the rule relies on: such a match
/// is dropped when `report` or a positive constraint names the capture, and
/// a message or template fix renders it empty.
pub(super) fn unbound_capture_warnings(
    doc: &SourceDoc,
    r: &RuleSpec,
    shape: &QueryShape,
    message: Option<(&Template, &Spanned<String>)>,
    fix_template: Option<(&Template, Range<usize>)>,
) -> Vec<SpannedError> {
    let absent = &shape.maybe_absent;
    if absent.is_empty() {
        return Vec::new();
    }
    let mut uses: Vec<(&str, Range<usize>, &str)> = Vec::new();
    if let Some(rep) = &r.report {
        uses.push((
            rep.get_ref(),
            rep.span(),
            "`report`: such matches are dropped",
        ));
    }
    for (name, c) in &r.constraints {
        let spec = c.get_ref();
        let positive = spec.regex.is_some()
            || spec.one_of.is_some()
            || spec.unique.is_some()
            || spec.matches.is_some()
            || spec.has.is_some()
            || spec.inside.is_some();
        if positive {
            uses.push((
                name,
                c.span(),
                "a positive constraint: such matches are dropped",
            ));
        }
    }
    if let Some((template, text)) = message {
        for (name, range) in template.vars() {
            let span = doc.inner_span(text.span(), text.get_ref(), range);
            uses.push((name, span, "the message: it renders empty in such matches"));
        }
    }
    if let Some((template, span)) = fix_template {
        for (name, _) in template.vars() {
            uses.push((
                name,
                span.clone(),
                "the fix: it renders empty in such matches",
            ));
        }
    }
    uses.into_iter()
        .filter(|(name, ..)| absent.iter().any(|a| a == name))
        .map(|(name, span, role)| {
            doc.error(
                span,
                format!("capture `@{name}` is not bound in every match of the query"),
                format!("named in {role}"),
            )
            .with_help(format!(
                "a branch of an alternation, an optional part or another pattern of the query leaves `@{name}` unbound; \
                 capture it in every branch, or split the rule"
            ))
        })
        .collect()
}
