//! `rulegate report todos`: every tagged comment of the linted files,
//! well-formed or not, as CSV or JSON, with the debt score (SPEC §4.6).

use std::collections::BTreeMap;

use serde_json::json;

use super::{ReportFormat, to_json};
use crate::analyzers::TaggedComment;

/// The inventory and its debt score.
#[derive(Debug)]
pub struct TodoReport<'a> {
    /// Data columns between `kind` and `message` (from the pack's grammar).
    pub columns: Vec<String>,
    /// The items, sorted by file and line.
    pub items: Vec<&'a TaggedComment>,
}

impl TodoReport<'_> {
    /// Sum of the items' weights.
    pub fn score(&self) -> i64 {
        self.items
            .iter()
            .filter_map(|i| i.weight.as_ref())
            .map(|w| w.1)
            .sum()
    }

    /// Items per weighted value (`HIGH`), and `UNSET` for items without one.
    pub fn by_priority(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for i in &self.items {
            let key = i
                .weight
                .as_ref()
                .map_or("UNSET".to_string(), |w| w.0.clone());
            *out.entry(key).or_insert(0) += 1;
        }
        out
    }

    /// Renders CSV (`file,line,kind,<columns>,message`) or JSON.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => self.json(),
            _ => self.csv(),
        }
    }

    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["file", "line", "kind"];
        header.extend(self.columns.iter().map(String::as_str));
        header.push("message");
        w.write_record(&header).expect("writing to memory");
        for i in &self.items {
            let line = i.line.to_string();
            let mut row = vec![i.file.as_str(), line.as_str(), i.kind.as_str()];
            row.extend(i.columns.iter().map(|(_, v)| v.as_str()));
            row.push(i.message.as_str());
            w.write_record(&row).expect("writing to memory");
        }
        let bytes = w.into_inner().expect("writing to memory");
        String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
    }

    fn json(&self) -> String {
        let items: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|i| {
                let mut row = serde_json::Map::new();
                row.insert("file".into(), json!(i.file));
                row.insert("line".into(), json!(i.line));
                row.insert("kind".into(), json!(i.kind));
                for (k, v) in &i.columns {
                    row.insert(k.clone(), json!(v));
                }
                row.insert("message".into(), json!(i.message));
                row.insert("lane".into(), json!(i.lane));
                row.insert("well_formed".into(), json!(i.well_formed));
                serde_json::Value::Object(row)
            })
            .collect();
        to_json(&json!({
            "items": items,
            "total": self.items.len(),
            "score": self.score(),
            "by_priority": self.by_priority(),
        }))
    }

    /// One line for humans: count and score.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .by_priority()
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        format!(
            "{} tagged comment(s); debt score {} ({})\n",
            self.items.len(),
            self.score(),
            parts.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_quotes() {
        let item = TaggedComment {
            file: "a.py".into(),
            line: 3,
            lane: None,
            kind: "TODO".into(),
            columns: vec![("priority".into(), "HIGH".into())],
            message: "fix \"this\", then that".into(),
            well_formed: true,
            weight: Some(("HIGH".into(), 10)),
        };
        let report = TodoReport {
            columns: vec!["priority".into()],
            items: vec![&item],
        };
        assert_eq!(
            report.render(ReportFormat::Csv),
            "file,line,kind,priority,message\na.py,3,TODO,HIGH,\"fix \"\"this\"\", then that\"\n"
        );
        assert_eq!(report.score(), 10);
    }
}
