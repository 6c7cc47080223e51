//! The findings of `unique` rules in one file: each occurrence whose value
//! occurs at another place, in this file or, through the run's project-wide
//! index, in another ([`super::unique_index`]). What the result then
//! depends on beyond the file is recorded for the cache, per value.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;

use tree_sitter::Tree;

use super::unique_index::{self as unique, OTHERS, Parsed, Place};
use super::{Checker, FileEnv, pack_fix};
use crate::deps::Fact;
use crate::finding::Finding;
use crate::matching::query::QueryHit;
use crate::rule::{Matcher, RuleMask};

/// A match of a unique rule, held until the file's walk is over.
pub(super) struct Occurrence {
    rule: usize,
    value: String,
    range: Range<usize>,
    captures: Vec<(String, Range<usize>)>,
}

/// The occurrence `hit` is, if its rule is a unique one: `Some(None)` when
/// the captured node has no value (an f-string), `None` when the rule is
/// not unique.
pub(super) fn occurrence(
    checker: &Checker,
    hit: &QueryHit,
    text: &str,
) -> Option<Option<Occurrence>> {
    let Matcher::Query(q) = &checker.run.rules.at(hit.rule).matcher else {
        return None;
    };
    let name = unique::capture(q)?;
    let node = hit
        .captures
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, n)| *n);
    Some(node.and_then(|n| unique::value_of(n, text)).map(|value| {
        Occurrence {
            rule: hit.rule,
            value,
            range: hit.range.clone(),
            captures: hit
                .captures
                .iter()
                .map(|(n, node)| (n.to_string(), node.byte_range()))
                .collect(),
        }
    }))
}

impl Checker<'_> {
    /// A finding for each of `found` (the occurrences of the `active`
    /// unique rules in the file) whose value occurs elsewhere.
    pub(super) fn unique_findings(
        &self,
        env: &FileEnv,
        tree: &Tree,
        active: &RuleMask,
        found: Vec<Occurrence>,
        findings: &mut Vec<Finding>,
    ) {
        let memo = unique::memo(self.run);
        if found.is_empty() {
            // A file the index would parse for nothing: say so while it
            // is not built (a fix round's text is not the disk's).
            let unique = memo.rules(&self.run.rules);
            if !unique.is_empty()
                && self.overlay.is_none()
                && memo.built().is_none()
                && unique.iter().any(|&i| active.contains(i))
            {
                memo.note(env.rel_path, env.text, Vec::new());
            }
            return;
        }
        if self.overlay.is_none() && memo.built().is_none() {
            let line_of = |r: &Range<usize>| env.lines.location(env.text, r.clone()).start.line;
            let noted = found
                .iter()
                .map(|o| (o.rule, o.value.clone(), line_of(&o.range)))
                .collect();
            memo.note(env.rel_path, env.text, noted);
        }
        let own = Parsed {
            rel: env.rel_path,
            text: env.text,
            tree,
        };
        let index = unique::index(self.run, Some(own), self.prefetch);
        let line_of = |r: &Range<usize>| env.lines.location(env.text, r.clone()).start.line;
        let mut values = BTreeSet::new();
        for o in &found {
            if values.insert((o.rule, &o.value)) {
                let rule = &self.run.rules.at(o.rule).id;
                self.deps.record(|| Fact::Unique {
                    rule: rule.to_string(),
                    value: o.value.clone(),
                    file: env.rel_path.to_string(),
                    others: index.digest(o.rule, &o.value, env.rel_path),
                });
            }
        }
        for o in &found {
            let mut places: Vec<Place> = found
                .iter()
                .filter(|x| x.rule == o.rule && x.value == o.value && x.range != o.range)
                .map(|x| Place {
                    path: env.rel_path.clone(),
                    line: line_of(&x.range),
                })
                .chain(index.others(o.rule, &o.value, env.rel_path).cloned())
                .collect();
            if places.is_empty() {
                continue;
            }
            let vars = [(OTHERS, unique::list(&mut places))];
            let rule = self.run.rules.at(o.rule);
            let captures: Vec<(&str, Range<usize>)> = o
                .captures
                .iter()
                .map(|(n, r)| (n.as_str(), r.clone()))
                .collect();
            let message = rule.message.render(|name| {
                if name == OTHERS {
                    return Some(Cow::Borrowed(vars[0].1.as_str()));
                }
                captures
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, r)| Cow::Borrowed(&env.text[r.clone()]))
            });
            let inputs = pack_fix::Inputs {
                reported: o.range.clone(),
                captures: &captures,
                vars: &vars,
                tree: Some(tree),
            };
            let finding = self.finding_with_pack_fix(env, rule, message, inputs, findings);
            findings.push(finding);
        }
    }
}
