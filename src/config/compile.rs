//! Compiling a config's layers into the resolved values: lanes merged key
//! by key, exceptions and per-file ignores with their file, `[rules.ID]`
//! merged key by key (overrides, escalation schedules, scopes).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_spanned::Spanned;

use super::extend::Layer;
use super::{
    CentralException, ConfigSpec, DEFAULT_LANE, DynamicImports, Lane, PerFileIgnore, RuleOverride,
    RuleScope,
};
use crate::dates;
use crate::error::{SourceDoc, SpannedError};
use crate::glob::GlobList;

/// The lanes of the config in file order, `[lanes.NAME]` merged key by
/// key over the layers (a base's lanes first; one `production` lane over
/// every file when there are none).
pub(super) fn compile_lanes(layers: &[Layer], errors: &mut Vec<SpannedError>) -> Vec<Lane> {
    type Part<'a> = Option<(&'a SourceDoc, &'a [Spanned<String>])>;
    struct Merged<'a> {
        paths: Part<'a>,
        may_import: Part<'a>,
        dynamic_imports: Option<DynamicImports>,
        at: (&'a SourceDoc, std::ops::Range<usize>),
    }
    let mut merged: IndexMap<&str, Merged> = IndexMap::new();
    for l in layers.iter().rev() {
        for (name, lane) in &l.spec.lanes {
            let m = merged.entry(name.as_str()).or_insert(Merged {
                paths: None,
                may_import: None,
                dynamic_imports: None,
                at: (&l.doc, lane.span()),
            });
            let spec = lane.get_ref();
            if let Some(p) = &spec.paths {
                m.paths = Some((&l.doc, p));
            }
            if let Some(p) = &spec.may_import {
                m.may_import = Some((&l.doc, p));
            }
            m.dynamic_imports = spec.dynamic_imports.or(m.dynamic_imports);
            m.at = (&l.doc, lane.span());
        }
    }
    let lane_names: Vec<&str> = merged.keys().copied().collect();
    let mut lanes = Vec::new();
    for (name, m) in &merged {
        let paths = match m.paths {
            Some((d, p)) => GlobList::from_spanned(d, p).unwrap_or_else(|e| {
                errors.extend(e);
                GlobList::default()
            }),
            None => {
                errors.push(
                    m.at.0
                        .error(
                            m.at.1.clone(),
                            format!("lane `{name}` has no `paths`"),
                            "here",
                        )
                        .with_help("give the lane's files: `paths = [\"core/**\"]`"),
                );
                GlobList::default()
            }
        };
        let may_import = m.may_import.map(|(d, list)| {
            for l in list {
                if !lane_names.contains(&l.get_ref().as_str()) {
                    errors.push(unknown_lane(d, l, &lane_names));
                }
            }
            list.iter().map(|l| l.get_ref().clone()).collect()
        });
        lanes.push(Lane::with(
            name.to_string(),
            paths,
            may_import,
            m.dynamic_imports,
        ));
    }
    if lanes.is_empty() {
        lanes.push(Lane::new(DEFAULT_LANE, &["**"]));
    }
    lanes
}

/// The central `[[exceptions]]`, with their dates and globs checked.
pub(super) fn compile_exceptions(
    d: &SourceDoc,
    spec: &ConfigSpec,
    origin: usize,
    errors: &mut Vec<SpannedError>,
) -> Vec<CentralException> {
    let mut exceptions = Vec::new();
    for ex in &spec.exceptions {
        let span = ex.span();
        let ex = ex.get_ref();
        let mut date = |s: &Spanned<dates::DateText>| match dates::parse_iso(s.get_ref()) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(d.error(s.span(), "invalid date in [[exceptions]]", e));
                None
            }
        };
        let expires = date(&ex.expires);
        let start = ex.start.as_ref().and_then(&mut date);
        let paths = GlobList::from_spanned(d, std::slice::from_ref(&ex.path))
            .map_err(|e| errors.extend(e))
            .ok();
        if let (Some(expires), Some(paths)) = (expires, paths) {
            exceptions.push(CentralException {
                rule: ex.rule.get_ref().clone(),
                path_glob: ex.path.get_ref().clone(),
                paths,
                reason: ex.reason.clone(),
                issue: ex.issue.clone(),
                start,
                expires,
                span,
                origin,
            });
        }
    }
    exceptions
}

/// The `[per-file-ignores]` entries (their selectors are checked against
/// the rules once the packs are loaded).
pub(super) fn compile_per_file_ignores(
    d: &SourceDoc,
    spec: &ConfigSpec,
    origin: usize,
    errors: &mut Vec<SpannedError>,
) -> Vec<PerFileIgnore> {
    let mut out = Vec::new();
    for (pattern, selectors) in &spec.per_file_ignores {
        let span = selectors.span();
        let glob = Spanned::new(span.clone(), pattern.clone());
        match GlobList::from_spanned(d, std::slice::from_ref(&glob)) {
            Ok(paths) => out.push(PerFileIgnore {
                pattern: pattern.clone(),
                paths,
                selectors: selectors
                    .get_ref()
                    .iter()
                    .map(|s| (s.get_ref().clone(), s.span()))
                    .collect(),
                span,
                origin,
            }),
            Err(e) => errors.extend(e),
        }
    }
    out
}

/// What `[rules.ID]` tables say, merged key by key over the layers: the
/// overrides (with where each rule is named last), the escalation
/// schedules, and the scopes that replace the packs' (SPEC §2: a file in
/// one of `lanes` or matching one of `paths`).
#[allow(clippy::type_complexity)]
pub(super) fn compile_rules(
    layers: &[Layer],
    lane_names: &[&str],
    errors: &mut Vec<SpannedError>,
) -> (
    Vec<(String, RuleOverride, std::ops::Range<usize>, usize)>,
    Vec<(String, crate::escalate::Schedule)>,
    Vec<(String, RuleScope)>,
) {
    let mut merged: BTreeMap<&str, (RuleOverride, std::ops::Range<usize>, usize)> = BTreeMap::new();
    // Where each key of the merged table was written.
    let mut from: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (origin, l) in layers.iter().enumerate().rev() {
        for (id, o) in &l.spec.rules {
            let m = merged
                .entry(id.as_str())
                .or_insert_with(|| (RuleOverride::default(), o.span(), origin));
            let o = o.get_ref();
            m.0.severity = o.severity.or(m.0.severity);
            m.0.enabled = o.enabled.or(m.0.enabled);
            for (key, set) in [
                ("escalate", o.escalate.is_some()),
                ("lanes", o.lanes.is_some()),
                ("paths", o.paths.is_some()),
            ] {
                if set {
                    from.insert((id.as_str(), key), origin);
                }
            }
            if o.escalate.is_some() {
                m.0.escalate = o.escalate.clone();
            }
            if o.lanes.is_some() {
                m.0.lanes = o.lanes.clone();
            }
            if o.paths.is_some() {
                m.0.paths = o.paths.clone();
            }
            (m.1, m.2) = (l.spec.rules[id].span(), origin);
        }
    }
    let doc_of = |id: &str, key: &str| &layers[from[&(id, key)]].doc;
    let mut schedules = Vec::new();
    let mut scopes = Vec::new();
    for (id, (o, _, _)) in &merged {
        if let Some(stages) = &o.escalate {
            match crate::escalate::Schedule::compile(doc_of(id, "escalate"), stages) {
                Ok(s) => schedules.push((id.to_string(), s)),
                Err(e) => errors.extend(e),
            }
        }
        if o.lanes.is_none() && o.paths.is_none() {
            continue;
        }
        let lanes = o.lanes.as_ref().map(|list| {
            for l in list {
                if !lane_names.contains(&l.get_ref().as_str()) {
                    errors.push(unknown_lane(doc_of(id, "lanes"), l, lane_names));
                }
            }
            list.iter().map(|l| l.get_ref().clone()).collect()
        });
        let paths = o
            .paths
            .as_ref()
            .map(|p| {
                GlobList::from_spanned(doc_of(id, "paths"), p).unwrap_or_else(|e| {
                    errors.extend(e);
                    GlobList::default()
                })
            })
            .unwrap_or_default();
        scopes.push((id.to_string(), RuleScope { lanes, paths }));
    }
    let overrides = merged
        .into_iter()
        .map(|(id, (o, span, origin))| (id.to_string(), o, span, origin))
        .collect();
    (overrides, schedules, scopes)
}

fn unknown_lane(d: &SourceDoc, l: &Spanned<String>, known: &[&str]) -> SpannedError {
    d.error(
        l.span(),
        format!("unknown lane `{}`", l.get_ref()),
        "no such lane",
    )
    .with_help(format!("declared lanes: {}", known.join(", ")))
}
