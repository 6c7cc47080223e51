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

mod parse;

use super::{Analyzer, Fact, FileCtx, Hit, Inventory, TaggedComment};

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
    /// The value that says "the comment did not say": any field accepts
    /// it (no TODO002), the debt score counts it 0, and the upgrade fix
    /// writes it for what a bare comment leaves out (`UNSET`). Without it
    /// the fix upgrades no comment that leaves out a required field.
    #[serde(default)]
    pub unset: Option<String>,
    /// The field whose value follows the file's lane (`scope`): the fix
    /// writes `lane_scopes[lane]`, and the `allowlist` check (TODO003)
    /// reports a value that disagrees with it.
    #[serde(default)]
    pub lane_field: Option<String>,
    /// The value of `lane_field` per lane (`production = "PROD"`); a lane
    /// it does not list has no expected value.
    #[serde(default)]
    pub lane_scopes: BTreeMap<String, String>,
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
    for name in opts
        .allowlist
        .iter()
        .chain(&opts.columns)
        .chain(&opts.lane_field)
    {
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

impl CommentFormat {
    /// The inventory's data columns (`report todos`).
    pub fn columns(&self) -> &[String] {
        &self.opts.columns
    }

    /// The debt score's weight per value of `weight_field`.
    pub fn weights(&self) -> &BTreeMap<String, i64> {
        &self.opts.weights
    }

    /// The `lane_field` value of a well-formed comment when it disagrees
    /// with the file's lane (`SCOPE:CANDIDATE` in a production file): the
    /// field's index, the value, its range and the problem.
    fn lane_disagreement(
        &self,
        ctx: &FileCtx,
        p: &parse::Parsed,
    ) -> Option<(usize, String, Range<usize>, String)> {
        let lane = ctx.lane?;
        let expected = self.opts.lane_scopes.get(lane)?;
        let field = self.opts.lane_field.as_ref()?;
        let i = self.opts.fields.iter().position(|f| &f.name == field)?;
        let (value, range) = p.values.get(&i)?;
        let unset = self.opts.unset.as_ref() == Some(value);
        if value == expected || unset || self.value_problem(i, value).is_some() {
            return None; // an unparsable value is reported as such
        }
        let problem =
            format!("`{field}` is `{value}` in a file of lane `{lane}`; expected `{expected}`");
        Some((i, value.clone(), range.clone(), problem))
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
            let line_start =
                memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..at]).map_or(0, |i| i + 1);
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
            "tag", "problem", "message", "field", "value", "bare", "form", "written", "author",
        ]
    }

    fn reads_only_comments(&self) -> bool {
        true
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        // The prefilter is case-sensitive: every letter case.
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
                    ("author", p.author.clone().unwrap_or_default()),
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
                    if check == Check::Allowlist
                        && let Some((i, value, range, problem)) = self.lane_disagreement(ctx, &p)
                    {
                        let mut vars = base(problem);
                        vars.push(("field", self.opts.fields[i].name.clone()));
                        vars.push(("value", value));
                        hits.push(Hit {
                            vars,
                            ..Hit::at(range)
                        });
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
