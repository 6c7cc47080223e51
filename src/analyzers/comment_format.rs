//! The `comment-format` analyzer: structured comments such as the T4 TODO
//! form `# TODO[2026-01-01][PRIORITY:HIGH][OWNER:@ana][SCOPE:PROD] : message`.
//!
//! The grammar is pack data: the tags, the ordered bracketed fields (each a
//! `date`, an `enum` of allowed values, a `regex` or free `text`, labelled
//! `[LABEL:value]` or not, optional or required), and the separator before the
//! message. One grammar serves three checks (`check = "format" | "fields" |
//! "allowlist"`), so TODO001–TODO003 share it through `options_from`.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use serde::Deserialize;

use super::{Analyzer, Fact, FileCtx, Hit, Inventory, TaggedComment};
use crate::dates;

/// Which problems a rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// A tagged comment not in the form (TODO001).
    Format,
    /// A field whose value does not parse (TODO002).
    Fields,
    /// A value outside an allowlisted field's values (TODO003).
    Allowlist,
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// `YYYY-MM-DD`, a real date.
    Date,
    /// One of `values`.
    Enum,
    /// Matches `pattern` (whole value).
    Regex,
    /// Anything non-empty.
    Text,
}

/// One bracketed field of the grammar.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Name (used in messages and as the inventory column).
    pub name: String,
    /// `LABEL` in `[LABEL:value]`; unlabelled fields are `[value]`.
    #[serde(default)]
    pub label: Option<String>,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Allowed values of an `enum`.
    #[serde(default)]
    pub values: Vec<String>,
    /// Pattern of a `regex` field.
    #[serde(default)]
    pub pattern: Option<String>,
    /// What a `regex` field expects, for messages (`a GitHub @handle`).
    #[serde(default)]
    pub expected: Option<String>,
    /// Whether the field may be left out.
    #[serde(default)]
    pub optional: bool,
}

/// Options of `analyzer = "comment-format"`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentFormatOptions {
    /// Which problems this rule reports.
    pub check: Check,
    /// Tags, matched as whole words in this case (`TODO`, `FIXME`).
    pub tags: Vec<String>,
    /// The fields, in order.
    pub fields: Vec<FieldSpec>,
    /// Text between the fields and the message.
    #[serde(default = "default_separator")]
    pub separator: String,
    /// Enum fields whose values are an allowlist (checked by `allowlist`, and
    /// recorded as `UNKNOWN` in the inventory when outside it).
    #[serde(default)]
    pub allowlist: Vec<String>,
    /// Fields shown as inventory columns (`rulegate report todos`), in order.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Field whose value weighs an item in the debt score.
    #[serde(default)]
    pub weight_field: Option<String>,
    /// Weight per value of `weight_field`.
    #[serde(default)]
    pub weights: BTreeMap<String, i64>,
    // The four fix-script fields below are read by the script from the raw
    // options; they are declared so that a misspelt key is a load error.
    /// For the fix script: priority given to upgraded comments.
    #[serde(default)]
    #[allow(dead_code)]
    pub default_priority: Option<String>,
    /// For the fix script: owner given to upgraded comments.
    #[serde(default)]
    #[allow(dead_code)]
    pub default_owner: Option<String>,
    /// For the fix script: scope value per lane.
    #[serde(default)]
    #[allow(dead_code)]
    pub lane_scopes: BTreeMap<String, String>,
    /// For the fix script: scope for lanes `lane_scopes` does not list.
    #[serde(default)]
    #[allow(dead_code)]
    pub default_scope: Option<String>,
}

fn default_separator() -> String {
    " : ".to_string()
}

/// The analyzer: the grammar, compiled.
#[derive(Debug)]
pub struct CommentFormat {
    opts: CommentFormatOptions,
    patterns: Vec<Option<Regex>>,
    /// Finds the tags in a file's text (comments are then located from there).
    tag_finder: aho_corasick::AhoCorasick,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    Ok(Box::new(compile(options)?))
}

fn compile(options: &toml::Table) -> Result<CommentFormat, String> {
    let opts: CommentFormatOptions = super::options(options)?;
    if opts.tags.is_empty() {
        return Err("`tags` must name at least one tag".into());
    }
    if let Some(bad) = opts.tags.iter().find(|t| {
        t.is_empty() || t.len() > 32 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        let shown: String = bad.chars().take(40).collect();
        return Err(format!(
            "tag `{shown}` is not a tag: a tag is a word of at most 32 ASCII letters, digits or `_` (like `TODO`)"
        ));
    }
    let mut patterns = Vec::new();
    for f in &opts.fields {
        patterns.push(match (f.kind, &f.pattern) {
            (FieldType::Regex, Some(p)) => Some(
                Regex::new(&format!("^(?:{p})$"))
                    .map_err(|e| format!("field `{}`: bad pattern: {e}", f.name))?,
            ),
            (FieldType::Regex, None) => {
                return Err(format!(
                    "field `{}` is a regex but has no `pattern`",
                    f.name
                ));
            }
            (FieldType::Enum, _) if f.values.is_empty() => {
                return Err(format!("enum field `{}` has no `values`", f.name));
            }
            _ => None,
        });
    }
    let known = |n: &String| opts.fields.iter().any(|f| &f.name == n);
    for name in opts.allowlist.iter().chain(&opts.columns) {
        if !known(name) {
            return Err(format!("`{name}` is not one of the fields"));
        }
    }
    let tag_finder = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&opts.tags)
        .map_err(|e| e.to_string())?;
    Ok(CommentFormat {
        opts,
        patterns,
        tag_finder,
    })
}

/// A tagged comment, parsed.
#[derive(Debug, Default)]
struct Parsed {
    /// The tag as the pack spells it (`TODO`).
    tag: String,
    /// The tag as the comment writes it (`todo`): tags are found in any
    /// letter case, as ruff finds them, but only the pack's spelling is in
    /// the form.
    written: String,
    /// Bytes of the comment in the file.
    range: Range<usize>,
    /// Whether the tag has no bracketed fields at all (`# TODO: message`).
    bare: bool,
    /// What makes it not in the form, if anything.
    format_problem: Option<String>,
    /// Field index → (value, range of its `[...]` group in the file).
    values: BTreeMap<usize, (String, Range<usize>)>,
    message: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl CommentFormat {
    /// Parses a comment node's text, or `None` when it carries no tag.
    fn parse(&self, comment: &str, comment_start: usize) -> Option<Parsed> {
        // Like ruff, look at every `#`-section, so `## TODO` and
        // `x()  # noqa: E402  # TODO: ...` count; the tag's section is the item.
        let (section, tag_at, tag) = comment.match_indices('#').find_map(|(at, _)| {
            let rest = comment[at..].trim_start_matches('#').trim_start();
            let tag = self.opts.tags.iter().find(|t| {
                rest.get(..t.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(t))
                    && !rest[t.len()..].starts_with(is_word_char)
            })?;
            Some((at, comment.len() - rest.len() - at, tag))
        })?;
        let text = &comment[section..];
        let start = comment_start + section;
        let mut p = Parsed {
            tag: tag.clone(),
            written: text[tag_at..tag_at + tag.len()].to_string(),
            range: start..start + text.len(),
            ..Default::default()
        };
        let mut pos = tag_at + tag.len();
        if !text[pos..].starts_with('[') {
            p.bare = true;
            p.message = text[pos..]
                .trim_start_matches([':', ' ', '\t'])
                .trim()
                .to_string();
            p.format_problem = Some("it has no `[...]` fields".to_string());
            return Some(p);
        }
        let mut groups = Vec::new();
        while text[pos..].starts_with('[') {
            let Some(close) = text[pos..].find(']') else {
                p.format_problem = Some("a `[` is never closed".into());
                return Some(p);
            };
            groups.push((text[pos + 1..pos + close].to_string(), pos..pos + close + 1));
            pos += close + 1;
        }
        let after = &text[pos..];
        match after.strip_prefix(self.opts.separator.as_str()) {
            Some(m) if !m.trim().is_empty() => p.message = m.trim().to_string(),
            Some(_) => p.format_problem = Some("the message after the fields is empty".into()),
            None => {
                p.message = after.trim_start_matches([':', ' ']).trim().to_string();
                p.format_problem = Some(format!(
                    "expected `{}` and a message after the fields",
                    self.opts.separator
                ));
            }
        }
        let problem = self.assign(&groups, start, &mut p.values);
        if p.format_problem.is_none() {
            p.format_problem = problem;
        }
        if p.format_problem.is_none() && p.written != p.tag {
            p.format_problem = Some(format!("the tag is written `{}`", p.written));
        }
        Some(p)
    }

    /// Assigns bracket groups to fields in order; a problem if the layout is wrong.
    fn assign(
        &self,
        groups: &[(String, Range<usize>)],
        offset: usize,
        values: &mut BTreeMap<usize, (String, Range<usize>)>,
    ) -> Option<String> {
        let fields = &self.opts.fields;
        let mut next = 0;
        let labels: Vec<&str> = groups
            .iter()
            .filter_map(|(c, _)| c.split_once(':').map(|(l, _)| l))
            .collect();
        let missing = |from: usize, to: usize| {
            fields[from..to].iter().find(|f| !f.optional).map(|f| {
                let later = f.label.as_deref().is_some_and(|l| labels.contains(&l));
                let what = if later { "out of order" } else { "missing" };
                format!("the `{}` field is {what}", f.name)
            })
        };
        for (content, range) in groups {
            let labelled = content.split_once(':').and_then(|(label, value)| {
                fields
                    .iter()
                    .position(|f| f.label.as_deref() == Some(label))
                    .map(|i| (i, value))
            });
            let (index, value) = match labelled {
                Some((i, _)) if i < next => {
                    return Some(format!("the `{}` field is out of order", fields[i].name));
                }
                Some(found) => found,
                None => match (next..fields.len()).find(|&i| fields[i].label.is_none()) {
                    Some(i) => (i, content.as_str()),
                    None => return Some(format!("unexpected field `[{content}]`")),
                },
            };
            if let Some(problem) = missing(next, index) {
                return Some(problem);
            }
            let file_range = offset + range.start..offset + range.end;
            values.insert(index, (value.to_string(), file_range));
            next = index + 1;
        }
        missing(next, fields.len())
    }

    /// The form as a one-line example with `tag`, for messages.
    fn form(&self, tag: &str) -> String {
        let mut s = tag.to_string();
        for f in self.opts.fields.iter().filter(|f| !f.optional) {
            let inner = match (&f.label, f.kind) {
                (Some(l), _) => format!("{l}:…"),
                (None, FieldType::Date) => "YYYY-MM-DD".to_string(),
                (None, _) => f.name.clone(),
            };
            s.push_str(&format!("[{inner}]"));
        }
        s.push_str(&self.opts.separator);
        s.push_str("message");
        s
    }

    /// Why field `i`'s value does not parse, if it does not.
    fn value_problem(&self, i: usize, value: &str) -> Option<String> {
        let f = &self.opts.fields[i];
        let ok = match f.kind {
            FieldType::Date => dates::parse_iso(value).is_ok(),
            FieldType::Enum => f.values.iter().any(|v| v == value),
            FieldType::Regex => self.patterns[i].as_ref().is_some_and(|r| r.is_match(value)),
            FieldType::Text => !value.trim().is_empty(),
        };
        if ok {
            return None;
        }
        let expected = match f.kind {
            FieldType::Date => "a real date as YYYY-MM-DD".to_string(),
            FieldType::Enum => format!("one of {}", f.values.join(", ")),
            FieldType::Regex => f.expected.clone().unwrap_or_else(|| {
                format!("a value matching `{}`", f.pattern.as_deref().unwrap_or(""))
            }),
            FieldType::Text => "some text".to_string(),
        };
        Some(format!("`{}` is `{value}`; expected {expected}", f.name))
    }

    fn is_allowlisted(&self, i: usize) -> bool {
        self.opts.allowlist.contains(&self.opts.fields[i].name)
    }

    /// The comments holding a tag, with their 0-based line, found once for
    /// the file's rules with these tags.
    fn comments(&self, ctx: &FileCtx) -> std::rc::Rc<Vec<(Range<usize>, usize)>> {
        ctx.tagged_comments
            .get_or(&self.opts.tags, || self.find_comments(ctx))
    }

    /// Each tag occurrence is checked for a `#` before it on its line that
    /// starts a comment node; past a few dozen occurrences, one walk over
    /// all comments is cheaper than looking each up from the root.
    fn find_comments(&self, ctx: &FileCtx) -> Vec<(Range<usize>, usize)> {
        let root = ctx.tree().root_node();
        let text = ctx.text;
        // Tags are found in any case, so identifiers (`hack`, `todo_list`)
        // would match too: only a hit with a `#` before it on its line can
        // be in a comment.
        let hits = crate::source::words_after_hash(text, &self.tag_finder);
        let all = (hits.len() > crate::parse::COMMENT_LOOKUPS_BEFORE_WALK)
            .then(|| crate::parse::comment_ranges(ctx.tree()));
        let mut out: Vec<Range<usize>> = Vec::new();
        for at in hits {
            if out.last().is_some_and(|c| c.end > at) {
                continue; // another tag of a comment already found
            }
            // Lines break at `\n`, `\r\n` and a lone `\r`, as in Python.
            let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let comment = match &all {
                Some(all) => crate::parse::comment_at(all, at).filter(|c| c.start >= line_start),
                None => text[line_start..at].match_indices('#').find_map(|(i, _)| {
                    let hash = line_start + i;
                    root.descendant_for_byte_range(hash, hash + 1)
                        .filter(|n| n.kind() == "comment" && n.start_byte() == hash)
                        .map(|n| n.byte_range())
                }),
            };
            // tree-sitter's comment holds the `\r` of a `\r\n`: the line's
            // ending is not the comment's (a fix keeps it).
            out.extend(comment.map(|c| c.start..c.start + text[c].trim_end_matches('\r').len()));
        }
        // Lines counted as the comments go, not from the start each time.
        let (mut line, mut at) = (0, 0);
        out.into_iter()
            .map(|c| {
                let b = &text.as_bytes()[..c.start];
                line += memchr::memchr2_iter(b'\n', b'\r', &b[at..])
                    .filter(|&i| b[at + i] == b'\n' || b.get(at + i + 1) != Some(&b'\n'))
                    .count();
                at = c.start;
                (c, line)
            })
            .collect()
    }
}

impl Analyzer for CommentFormat {
    fn variables(&self) -> &'static [&'static str] {
        &[
            "tag", "problem", "message", "field", "value", "bare", "form", "written",
        ]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        // The prefilter automaton is case-sensitive: every letter case.
        Some(
            self.opts
                .tags
                .iter()
                .flat_map(|t| crate::matching::all_casings(t))
                .collect(),
        )
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        for (range, _) in self.comments(ctx).iter().cloned() {
            let Some(p) = self.parse(&ctx.text[range.clone()], range.start) else {
                continue;
            };
            let base = |problem: String| {
                vec![
                    ("tag", p.tag.clone()),
                    ("problem", problem),
                    ("message", p.message.clone()),
                    ("bare", if p.bare { "yes" } else { "no" }.to_string()),
                    ("form", self.form(&p.tag)),
                    ("written", p.written.clone()),
                ]
            };
            match (self.opts.check, &p.format_problem) {
                (Check::Format, Some(problem)) => hits.push(Hit {
                    fix_refused: None,
                    range: p.range.clone(),
                    vars: base(problem.clone()),
                    fix: None,
                }),
                (Check::Format, None) | (_, Some(_)) => {}
                (check, None) => {
                    for (&i, (value, range)) in &p.values {
                        let wanted = (check == Check::Allowlist) == self.is_allowlisted(i);
                        if let Some(problem) = self.value_problem(i, value).filter(|_| wanted) {
                            let mut vars = base(problem);
                            vars.push(("field", self.opts.fields[i].name.clone()));
                            vars.push(("value", value.clone()));
                            hits.push(Hit {
                                fix_refused: None,
                                range: range.clone(),
                                vars,
                                fix: None,
                            });
                        }
                    }
                }
            }
        }
    }

    fn inventory(&self) -> Option<Inventory> {
        (self.opts.check == Check::Format).then(|| Inventory {
            report: super::Report::Todos,
            columns: self.opts.columns.clone(),
        })
    }

    fn collect(&self, ctx: &FileCtx, facts: &mut Vec<Fact>) {
        for (range, row) in self.comments(ctx).iter().cloned() {
            let Some(p) = self.parse(&ctx.text[range.clone()], range.start) else {
                continue;
            };
            let columns = self
                .opts
                .columns
                .iter()
                .map(|name| {
                    let i = self.opts.fields.iter().position(|f| &f.name == name);
                    let value = i.and_then(|i| p.values.get(&i).map(|(v, _)| (i, v.clone())));
                    let shown = match (i, value) {
                        (Some(i), Some((_, v))) if self.is_allowlisted(i) => {
                            if self.value_problem(i, &v).is_none() {
                                v
                            } else {
                                "UNKNOWN".to_string()
                            }
                        }
                        (Some(i), None) if self.is_allowlisted(i) => "UNKNOWN".to_string(),
                        (_, Some((_, v))) => v,
                        (_, None) => String::new(),
                    };
                    (name.clone(), shown)
                })
                .collect();
            let weight = self.opts.weight_field.as_ref().and_then(|w| {
                let i = self.opts.fields.iter().position(|f| &f.name == w)?;
                let (v, _) = p.values.get(&i)?;
                Some((v.clone(), *self.opts.weights.get(v)?))
            });
            facts.push(Fact::Todo(TaggedComment {
                file: ctx.path.to_string(),
                line: row + 1,
                lane: ctx.lane.map(str::to_string),
                kind: p.tag,
                columns,
                message: p.message,
                well_formed: p.format_problem.is_none(),
                weight,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn todo_grammar(check: &str) -> CommentFormat {
        let options: toml::Table = toml::from_str(&format!(
            r#"
check = "{check}"
tags = ["TODO", "FIXME"]
allowlist = ["scope"]
columns = ["priority", "scope"]
[[fields]]
name = "date"
type = "date"
[[fields]]
name = "priority"
label = "PRIORITY"
type = "enum"
values = ["HIGH", "MED", "LOW"]
[[fields]]
name = "scope"
label = "SCOPE"
type = "enum"
values = ["PROD", "DOCS"]
[[fields]]
name = "issue"
label = "ISSUE"
type = "regex"
pattern = '\d+'
optional = true
"#
        ))
        .unwrap();
        compile(&options).unwrap()
    }

    fn problem(text: &str) -> Option<String> {
        todo_grammar("format")
            .parse(text, 0)
            .unwrap()
            .format_problem
    }

    #[test]
    fn well_formed_with_and_without_optional_fields() {
        assert_eq!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD] : x"),
            None
        );
        assert_eq!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD][ISSUE:12] : x"),
            None
        );
    }

    #[test]
    fn tags_are_whole_words_in_any_case() {
        let g = todo_grammar("format");
        // As ruff finds them (TD006 flags the case): tagged, not in the form.
        let lower = g.parse("# todo list", 0).unwrap();
        assert_eq!(
            (lower.tag.as_str(), lower.written.as_str()),
            ("TODO", "todo")
        );
        let upper = g.parse("# TODO[2026-01-15][PRIORITY:HIGH][SCOPE:PROD] : x", 0);
        let upper_problem = upper.unwrap().format_problem;
        let fields = g.parse("# todo[2026-01-15][PRIORITY:HIGH][SCOPE:PROD] : x", 0);
        let problem = fields.unwrap().format_problem;
        match upper_problem {
            None => assert!(problem.unwrap().contains("written `todo`")),
            Some(p) => assert_eq!(problem, Some(p)),
        }
        assert!(g.parse("# TODOS are fine", 0).is_none());
        assert!(g.parse("# see TODO later", 0).is_none());
        assert!(g.parse("#TODO: x", 0).unwrap().bare);
        assert!(g.parse("## TODO: x", 0).unwrap().bare);
        let later = g.parse("# noqa: E402  # TODO: x", 10).unwrap();
        assert_eq!((later.range, later.message.as_str()), (24..33, "x"));
    }

    #[test]
    fn layout_problems() {
        assert!(problem("# TODO: x").unwrap().contains("no `[...]` fields"));
        assert!(
            problem("# TODO[2026-01-01][SCOPE:PROD] : x")
                .unwrap()
                .contains("`priority` field is missing")
        );
        assert!(
            problem("# TODO[2026-01-01][SCOPE:PROD][PRIORITY:HIGH] : x")
                .unwrap()
                .contains("out of order")
        );
        assert!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD] x")
                .unwrap()
                .contains("` : `")
        );
        assert!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD] : ")
                .unwrap()
                .contains("empty")
        );
        assert!(problem("# TODO[2026-01-01[PRIORITY:HIGH] : x").is_some());
        assert!(
            problem("# TODO[2026-01-01][PRIORITY:HIGH][SCOPE:PROD][WHO:me] : x")
                .unwrap()
                .contains("unexpected")
        );
    }

    #[test]
    fn value_problems_name_the_field_and_the_allowed_values() {
        let g = todo_grammar("fields");
        assert!(
            g.value_problem(0, "2025-02-30")
                .unwrap()
                .contains("real date")
        );
        assert_eq!(
            g.value_problem(1, "URGENT").unwrap(),
            "`priority` is `URGENT`; expected one of HIGH, MED, LOW"
        );
        assert!(g.value_problem(3, "12a").is_some());
        assert!(g.value_problem(3, "12").is_none());
    }
}
