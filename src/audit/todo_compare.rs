//! `rulegate report todos --compare OLD.csv`: the before/after audit of a
//! TODO cleanup (seed 002's `TODO_CLEANUP_AUDIT.md`) between an earlier
//! `report todos --format csv` and the tree now.
//!
//! A TODO is the same TODO when its file, tag and message are (lines move
//! as code changes). One that is gone was *converted* when its file now
//! holds a `# See: <url>` comment carrying its message (what `rulegate todos
//! link` writes), else *deleted*; one that is new was *added*.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use super::{ReportFormat, markdown_table, to_json};
use crate::analyzers::TaggedComment;

/// One TODO of either side, with the columns the audit groups by.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// Path relative to the project root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The tag.
    pub kind: String,
    /// The `priority` column (empty when the comment has none).
    pub priority: String,
    /// The `scope` column.
    pub scope: String,
    /// The message.
    pub message: String,
}

impl Row {
    /// A current item as a row.
    pub fn of(item: &TaggedComment) -> Self {
        let column = |name: &str| {
            item.columns
                .iter()
                .find(|(n, _)| n == name)
                .map_or(String::new(), |(_, v)| v.clone())
        };
        Self {
            file: item.file.clone(),
            line: item.line,
            kind: item.kind.clone(),
            priority: column("priority"),
            scope: column("scope"),
            message: item.message.clone(),
        }
    }

    fn key(&self) -> (&str, &str, &str) {
        (&self.file, &self.kind, &self.message)
    }
}

/// Reads an earlier `report todos --format csv` (its header names the
/// columns; `file`, `line`, `kind` and `message` are required).
pub fn read_csv(text: &str) -> Result<Vec<Row>, String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().map_err(|e| e.to_string())?.clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    let required = |name: &str| {
        at(name).ok_or_else(|| {
            format!("the CSV has no `{name}` column: give a file written by `rulegate report todos --format csv`")
        })
    };
    let (file, line, kind, message) = (
        required("file")?,
        required("line")?,
        required("kind")?,
        required("message")?,
    );
    let (priority, scope) = (at("priority"), at("scope"));
    let mut rows = Vec::new();
    for (i, record) in r.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", i + 2))?;
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        let line_text = cell(Some(line));
        rows.push(Row {
            file: cell(Some(file)),
            line: line_text.parse().map_err(|_| {
                format!("row {}: `line` is `{line_text}`, not a line number", i + 2)
            })?,
            kind: cell(Some(kind)),
            priority: cell(priority),
            scope: cell(scope),
            message: cell(Some(message)),
        });
    }
    Ok(rows)
}

/// The audit.
#[derive(Debug)]
pub struct Comparison {
    /// The earlier inventory.
    pub before: Vec<Row>,
    /// The inventory now.
    pub after: Vec<Row>,
    /// Gone, with no issue link in their place.
    pub deleted: Vec<Row>,
    /// Gone, replaced by a `# See: <url>` comment.
    pub converted: Vec<Row>,
    /// New since the earlier inventory.
    pub added: Vec<Row>,
    /// Debt-score weight per priority value.
    pub weights: BTreeMap<String, i64>,
}

impl Comparison {
    /// Compares `before` with `after`; `converted` says whether a gone row
    /// left an issue link in its file.
    pub fn new(
        before: Vec<Row>,
        after: Vec<Row>,
        weights: BTreeMap<String, i64>,
        converted: &dyn Fn(&Row) -> bool,
    ) -> Self {
        // A multiset of keys: two identical TODOs in a file are two.
        let mut remaining: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        for r in &after {
            *remaining.entry(r.key()).or_default() += 1;
        }
        let mut gone = Vec::new();
        for r in &before {
            match remaining.get_mut(&r.key()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => gone.push(r.clone()),
            }
        }
        let mut old: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        for r in &before {
            *old.entry(r.key()).or_default() += 1;
        }
        let mut added = Vec::new();
        for r in &after {
            match old.get_mut(&r.key()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => added.push(r.clone()),
            }
        }
        let (converted, deleted) = gone.into_iter().partition(|r| converted(r));
        Self {
            before,
            after,
            deleted,
            converted,
            added,
            weights,
        }
    }

    fn score(&self, rows: &[Row]) -> i64 {
        rows.iter()
            .filter_map(|r| self.weights.get(&r.priority))
            .sum()
    }

    /// Rows per value of a column (an empty value is `UNSET`).
    fn by(rows: &[Row], column: fn(&Row) -> &str) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for r in rows {
            let v = match column(r) {
                "" => "UNSET",
                v => v,
            };
            *out.entry(v.to_string()).or_default() += 1;
        }
        out
    }

    /// Renders Markdown (the audit file) or JSON.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => self.json(),
            _ => self.markdown(),
        }
    }

    fn sides(&self) -> [(&'static str, &[Row]); 5] {
        [
            ("before", &self.before),
            ("after", &self.after),
            ("deleted", &self.deleted),
            ("converted", &self.converted),
            ("added", &self.added),
        ]
    }

    fn json(&self) -> String {
        let mut out = serde_json::Map::new();
        for (name, rows) in self.sides() {
            out.insert(
                name.into(),
                json!({
                    "count": rows.len(),
                    "score": self.score(rows),
                    "by_priority": Self::by(rows, |r| &r.priority),
                    "by_scope": Self::by(rows, |r| &r.scope),
                }),
            );
        }
        out.insert("deleted_items".into(), json!(self.deleted));
        out.insert("converted_items".into(), json!(self.converted));
        out.insert("added_items".into(), json!(self.added));
        to_json(&serde_json::Value::Object(out))
    }

    fn markdown(&self) -> String {
        let mut out = String::from("# TODO cleanup audit\n\n");
        let header = ["", "before", "after", "deleted", "converted", "added"];
        let row = |label: String, f: &dyn Fn(&[Row]) -> String| {
            let mut cells = vec![label];
            cells.extend(self.sides().iter().map(|(_, rows)| f(rows)));
            cells
        };
        let mut rows = vec![
            row("TODOs".into(), &|r| r.len().to_string()),
            row("debt score".into(), &|r| self.score(r).to_string()),
        ];
        out.push_str(&markdown_table(&header, &rows));
        for (title, column) in [
            (
                "priority",
                (|r: &Row| r.priority.as_str()) as fn(&Row) -> &str,
            ),
            ("scope", |r: &Row| r.scope.as_str()),
        ] {
            let mut values: Vec<String> = self
                .sides()
                .iter()
                .flat_map(|(_, rows)| Self::by(rows, column).into_keys())
                .collect();
            values.sort();
            values.dedup();
            rows = values
                .iter()
                .map(|v| {
                    row(v.clone(), &|r| {
                        Self::by(r, column).get(v).copied().unwrap_or(0).to_string()
                    })
                })
                .collect();
            out.push_str(&format!("\n## By {title}\n\n"));
            let mut h = header;
            h[0] = title;
            out.push_str(&markdown_table(&h, &rows));
        }
        for (title, items) in [
            ("Deleted", &self.deleted),
            ("Converted to issue links", &self.converted),
            ("Added", &self.added),
        ] {
            if items.is_empty() {
                continue;
            }
            out.push_str(&format!("\n## {title}\n\n"));
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|r| {
                    vec![
                        format!("{}:{}", r.file, r.line),
                        r.kind.clone(),
                        r.priority.clone(),
                        r.scope.clone(),
                        r.message.clone(),
                    ]
                })
                .collect();
            out.push_str(&markdown_table(
                &["where", "kind", "priority", "scope", "message"],
                &rows,
            ));
        }
        out
    }
}

/// Whether `row`, gone from the inventory, left an issue link: its file
/// (under `root`) has a `# See:` comment carrying its message.
pub fn left_a_link(root: &Path, row: &Row) -> bool {
    let Ok(bytes) = crate::source::read_regular(&root.join(&row.file)) else {
        return false; // the file is gone: deleted
    };
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .any(|l| super::todo_link::is_link_of(l, &row.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, line: usize, priority: &str, message: &str) -> Row {
        Row {
            file: file.into(),
            line,
            kind: "TODO".into(),
            priority: priority.into(),
            scope: "PROD".into(),
            message: message.into(),
        }
    }

    #[test]
    fn gone_rows_are_deleted_or_converted_and_lines_may_move() {
        let before = vec![
            row("a.py", 1, "HIGH", "one"),
            row("a.py", 2, "MED", "two"),
            row("b.py", 1, "LOW", "three"),
        ];
        let after = vec![row("a.py", 7, "HIGH", "one"), row("c.py", 1, "", "new")];
        let weights = BTreeMap::from([("HIGH".into(), 10), ("MED".into(), 3), ("LOW".into(), 1)]);
        let c = Comparison::new(before, after, weights, &|r| r.message == "two");
        assert_eq!(c.converted.len(), 1);
        assert_eq!(c.deleted[0].message, "three");
        assert_eq!(c.added[0].message, "new");
        assert_eq!((c.score(&c.before), c.score(&c.after)), (14, 10));
        let md = c.render(ReportFormat::Md);
        assert!(md.contains("| TODOs | 3 | 2 | 1 | 1 | 1 |"), "{md}");
        assert!(md.contains("| UNSET | 0 | 1 | 0 | 0 | 1 |"), "{md}");
    }

    #[test]
    fn the_csv_needs_its_columns_and_line_numbers() {
        let rows = read_csv("file,line,kind,priority,owner,scope,issue,message\na.py,3,TODO,HIGH,@a,PROD,,\"x, y\"\n").unwrap();
        assert_eq!(rows[0].message, "x, y");
        assert!(read_csv("file,kind\n").unwrap_err().contains("`line`"));
        assert!(
            read_csv("file,line,kind,message\na.py,x,TODO,m\n")
                .unwrap_err()
                .contains("row 2")
        );
    }
}
