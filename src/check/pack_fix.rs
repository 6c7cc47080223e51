//! The fix a pack declares for a rule: a template rendered into the target
//! capture, or a Rhai script run on the match. A failing script becomes a
//! FIX001 finding instead of a fix.

use std::borrow::Cow;
use std::ops::Range;

use rhai::{Dynamic, Map};

use super::{Checker, FileEnv};
use crate::finding::{Edit, Finding, Fix, FixRefused};
use crate::rule::{EngineCheck, FixKind, Rule};
use crate::script::{Script, ScriptError, ScriptOutput};

/// What a match gives a pack fix to work with.
pub(super) struct Inputs<'x> {
    /// The reported byte range.
    pub reported: Range<usize>,
    /// Query captures by name.
    pub captures: &'x [(&'x str, Range<usize>)],
    /// Analyzer variables by name.
    pub vars: &'x [(&'static str, String)],
    /// The file's tree (a query rule's; `rename_to` needs it).
    pub tree: Option<&'x tree_sitter::Tree>,
}

impl Inputs<'_> {
    fn text_of<'t>(&self, text: &'t str, name: &str) -> Option<Cow<'t, str>> {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| Cow::Borrowed(&text[r.clone()]))
            .or_else(|| {
                self.vars
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| Cow::Owned(v.clone()))
            })
    }
}

impl Checker<'_> {
    /// The finding of a query match of `rule` at `range`, with the fix its
    /// pack declares, or the reason that fix was refused.
    pub(super) fn finding_with_pack_fix(
        &self,
        env: &FileEnv,
        rule: &Rule,
        message: String,
        inputs: Inputs,
        findings: &mut Vec<Finding>,
    ) -> Finding {
        let range = inputs.reported.clone();
        let (fix, refused) = match self.pack_fix(env, rule, inputs, findings) {
            Ok(fix) => (fix, None),
            Err(refused) => (None, Some(refused)),
        };
        let mut finding = env.finding(rule, range, message, fix);
        finding.fix_refused = refused;
        finding
    }

    /// The fix a pack declares for `rule` (template or script), if any.
    /// A failing script yields a FIX001 finding instead.
    /// A `rename_to` fix it cannot offer is `Err` with the reason.
    pub(super) fn pack_fix(
        &self,
        env: &FileEnv,
        rule: &Rule,
        inputs: Inputs,
        findings: &mut Vec<Finding>,
    ) -> Result<Option<Fix>, FixRefused> {
        let Some(action) = rule.fix.as_ref() else {
            return Ok(None);
        };
        let edits = match &action.kind {
            FixKind::Template { template, target } => {
                let range = target
                    .as_ref()
                    .and_then(|t| inputs.captures.iter().find(|(n, _)| n == t))
                    .map(|(_, r)| r.clone())
                    .unwrap_or(inputs.reported.clone());
                let content = template.render(|name| inputs.text_of(env.text, name));
                vec![Edit::new(None, range, content)]
            }
            FixKind::Script(script) => match self.script_edits(env, rule, script, &inputs) {
                Ok(edits) => edits,
                Err(err) => {
                    findings.extend(self.script_failure(env, rule, script, &inputs, err));
                    return Ok(None);
                }
            },
            FixKind::RenameTo { to, target } => {
                let Some(tree) = inputs.tree else {
                    return Ok(None);
                };
                let range = target
                    .as_ref()
                    .and_then(|t| inputs.captures.iter().find(|(n, _)| n == t))
                    .map(|(_, r)| r.clone())
                    .unwrap_or(inputs.reported.clone());
                crate::rename::to_name::rename_reference(tree, env.text, range, to)
                    .map_err(|r| FixRefused::new(r.kind, r.reason))?
                    .into_iter()
                    .map(|(range, content)| Edit::new(None, range, content))
                    .collect()
            }
        };
        Ok(Fix::new(
            action.applicability,
            action.message.clone(),
            edits,
        ))
    }

    fn script_edits(
        &self,
        env: &FileEnv,
        rule: &Rule,
        script: &Script,
        inputs: &Inputs,
    ) -> Result<Vec<Edit>, ScriptError> {
        let input = || script_input(env, rule, inputs, self.run.today);
        match self.run.host.run(script, input)? {
            ScriptOutput::Nothing => Ok(Vec::new()),
            ScriptOutput::Replace(s) => Ok(vec![Edit::new(None, inputs.reported.clone(), s)]),
            ScriptOutput::Edits(list) => confine(env.text, &inputs.reported, list),
        }
    }

    fn script_failure(
        &self,
        env: &FileEnv,
        rule: &Rule,
        script: &Script,
        inputs: &Inputs,
        err: ScriptError,
    ) -> Option<Finding> {
        let r = self.run.rules.engine_rule(EngineCheck::ScriptError)?;
        let place = format!(
            "{}:{}",
            script.path,
            err.line.map(|l| l.to_string()).unwrap_or("?".into())
        );
        let message = r.message.render(|v| {
            Some(Cow::Owned(match v {
                "script" => place.clone(),
                "pack" => script.pack.clone(),
                "rule" => rule.id.to_string(),
                "error" => err.message.clone(),
                _ => return None,
            }))
        });
        Some(env.finding(r, inputs.reported.clone(), message, None))
    }
}

/// A script's edits, kept to its finding: each replaces text within the
/// reported range or inserts text anywhere in the file, none overlap, and
/// none splits a character. Anything else is the script's error (FIX001).
fn confine(
    text: &str,
    reported: &Range<usize>,
    mut edits: Vec<Edit>,
) -> Result<Vec<Edit>, ScriptError> {
    let bad = |message: String| ScriptError {
        message,
        line: None,
    };
    for e in &edits {
        let r = &e.range;
        let fits = r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end);
        if !fits {
            return Err(bad(format!(
                "edit {}..{} is outside the file or splits a character",
                r.start, r.end
            )));
        }
        let inside = reported.start <= r.start && r.end <= reported.end;
        if !inside && !r.is_empty() {
            return Err(bad(format!(
                "edit {}..{} replaces text outside its finding ({}..{}); a script may replace text within the finding or insert text",
                r.start, r.end, reported.start, reported.end
            )));
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    if let Some(w) = edits
        .windows(2)
        .find(|w| w[1].range.start < w[0].range.end || w[0].range == w[1].range)
    {
        return Err(bad(format!(
            "edits {}..{} and {}..{} overlap",
            w[0].range.start, w[0].range.end, w[1].range.start, w[1].range.end
        )));
    }
    Ok(edits)
}

/// The map a fix script's `fix(m)` receives (documented in docs/scripting.md).
fn script_input(env: &FileEnv, rule: &Rule, inputs: &Inputs, today: crate::dates::Date) -> Map {
    let range_map = |r: &Range<usize>| {
        let loc = env.lines.location(env.text, r.clone());
        let mut m = Map::new();
        m.insert("start".into(), (r.start as i64).into());
        m.insert("end".into(), (r.end as i64).into());
        m.insert("line".into(), (loc.start.line as i64).into());
        m.insert("column".into(), (loc.start.column as i64).into());
        m.insert("end_line".into(), (loc.end.line as i64).into());
        m.insert("end_column".into(), (loc.end.column as i64).into());
        m
    };
    let mut caps = Map::new();
    for (name, r) in inputs.captures {
        let mut c = range_map(r);
        c.insert("text".into(), env.text[r.clone()].into());
        caps.insert((*name).into(), c.into());
    }
    for (name, v) in inputs.vars {
        let mut c = Map::new();
        c.insert("text".into(), v.clone().into());
        caps.insert((*name).into(), c.into());
    }
    let reported = &inputs.reported;
    let line = env.lines.line_of(reported.start);
    let line_range = env.lines.line_range(line, env.text.len());
    let mut m = Map::new();
    m.insert("rule".into(), rule.id.to_string().into());
    m.insert("path".into(), env.rel_path.to_string().into());
    m.insert(
        "lane".into(),
        env.lane
            .map(|l| Dynamic::from(l.to_string()))
            .unwrap_or(Dynamic::UNIT),
    );
    m.insert("today".into(), today.to_string().into());
    m.insert("text".into(), env.text[reported.clone()].into());
    m.insert("range".into(), range_map(reported).into());
    m.insert(
        "line_text".into(),
        env.text[line_range].trim_end_matches(['\n', '\r']).into(),
    );
    m.insert("captures".into(), caps.into());
    m.insert(
        "options".into(),
        rule.script_options
            .get_or_init(|| toml_to_dynamic(&toml::Value::Table(rule.options.clone())))
            .clone(),
    );
    m
}

fn toml_to_dynamic(v: &toml::Value) -> Dynamic {
    match v {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => (*f).into(),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.iter().map(toml_to_dynamic).collect::<Vec<_>>().into(),
        toml::Value::Table(t) => {
            let m: Map = t
                .iter()
                .map(|(k, v)| (k.as_str().into(), toml_to_dynamic(v)))
                .collect();
            m.into()
        }
    }
}
