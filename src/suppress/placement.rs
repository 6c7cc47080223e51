//! What each directive of a file covers, placed as ruff 0.17.5 places it:
//! a `# noqa` covers its logical line's last line (for continuations and
//! multi-line strings), `# ruff: ignore` the line or the statement below,
//! `# ruff: disable` … `enable` a range of whole findings, the file forms
//! the file. A directive placed where ruff rejects it covers nothing and is
//! reported.

use std::ops::Range;

use super::directive::{Directive, Malformed, Scope};
use super::lines::Lines;

/// What a directive covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cover {
    /// Findings whose `noqa` line is this (0-based) line.
    Line(usize),
    /// Findings that start in this range.
    Start(Range<usize>),
    /// Findings that lie wholly in this range.
    Whole(Range<usize>),
    /// Every finding of the file.
    File,
}

impl Cover {
    /// Whether a finding at `range` is covered.
    pub fn covers(&self, lines: &Lines, range: &Range<usize>) -> bool {
        match self {
            Cover::Line(l) => lines.noqa_line(range.start) == *l,
            Cover::Start(r) => r.contains(&range.start) || range.is_empty() && r.end == range.start,
            Cover::Whole(r) => r.start <= range.start && range.end <= r.end,
            Cover::File => true,
        }
    }

    /// Which directive wins when several cover a finding (lower first), as
    /// ruff consults them: line forms, then ranges, then the file.
    pub fn precedence(&self) -> u8 {
        match self {
            Cover::Line(_) => 0,
            Cover::Start(_) => 1,
            Cover::Whole(_) => 2,
            Cover::File => 3,
        }
    }
}

/// Places every directive; the misplaced ones become [`Malformed`].
pub fn place(
    text: &str,
    lines: &Lines,
    directives: Vec<Directive>,
    malformed: &mut Vec<Malformed>,
) -> Vec<(Directive, Cover)> {
    let mut placed = Vec::new();
    let mut ranges = Vec::new();
    for d in directives {
        let own_line = lines.own_line(text, d.range.start);
        let misplaced = |why: &str| Malformed {
            range: d.range.clone(),
            message: format!("`{}` {why}; it suppresses nothing", d.spelling()),
        };
        let cover = match d.scope {
            Scope::Line => Cover::Line(lines.line_of(d.comment.start)),
            Scope::File if own_line => Cover::File,
            Scope::File => {
                malformed.push(misplaced(
                    "must be on its own line to exempt the file (ruff reads it so); for this line, drop the `ruff:` prefix",
                ));
                continue;
            }
            Scope::FileIgnore if own_line && lines.indent_of(text, d.range.start) == 0 => {
                Cover::File
            }
            Scope::FileIgnore => {
                malformed.push(misplaced(
                    "must stand on its own line at module scope (column 1)",
                ));
                continue;
            }
            Scope::Ignore => {
                let Some(comment) = lines.comments.iter().find(|c| c.start == d.comment.start)
                else {
                    continue;
                };
                if own_line {
                    Cover::Start(lines.own_line_ignore_range(comment))
                } else {
                    Cover::Start(lines.trailing_ignore_range(text, comment))
                }
            }
            Scope::Disable | Scope::Enable => {
                let width = lines.indent_of(text, d.range.start);
                if !own_line {
                    malformed.push(misplaced("must stand on its own line"));
                } else if !lines.fits_indentation(d.range.start, width) {
                    malformed.push(misplaced("is not indented like the code around it"));
                } else {
                    ranges.push((d, width));
                }
                continue;
            }
        };
        placed.push((d, cover));
    }
    placed.extend(match_ranges(lines, ranges, malformed));
    placed
}

/// Pairs each `disable` with the first later `enable` of the same codes at
/// the same indentation in the same block; an unmatched `disable` runs to
/// the end of its block, an unmatched `enable` is reported.
fn match_ranges(
    lines: &Lines,
    ranges: Vec<(Directive, usize)>,
    malformed: &mut Vec<Malformed>,
) -> Vec<(Directive, Cover)> {
    let mut consumed = vec![false; ranges.len()];
    let mut out = Vec::new();
    for (i, (d, width)) in ranges.iter().enumerate() {
        if d.scope != Scope::Disable {
            continue;
        }
        let block_end = lines.block_end(d.range.start, *width);
        let codes = |x: &Directive| {
            x.codes
                .as_ref()
                .map(|c| c.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>())
        };
        let partner = (i + 1..ranges.len()).find(|&k| {
            let (e, w) = &ranges[k];
            !consumed[k]
                && e.scope == Scope::Enable
                && w == width
                && e.range.start < block_end
                && codes(e) == codes(d)
        });
        let end = match partner {
            Some(k) => {
                consumed[k] = true;
                ranges[k].0.range.end
            }
            None => block_end,
        };
        out.push((d.clone(), Cover::Whole(d.range.start..end)));
    }
    for (k, (e, _)) in ranges.iter().enumerate() {
        if e.scope == Scope::Enable && !consumed[k] {
            malformed.push(Malformed {
                range: e.range.clone(),
                message: format!(
                    "`{}` has no matching `# ruff: disable[{}]` before it at the same indentation; it suppresses nothing",
                    e.spelling(),
                    e.codes_text()
                ),
            });
        }
    }
    out
}
