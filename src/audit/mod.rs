//! Inventories and audits (`rulegate report ...`, SPEC §4.6): views of a
//! lint run that a team commits or attaches to a pull request.

pub mod collection;
pub mod delta;
pub mod exceptions;
pub mod lanes;
pub mod todo_compare;
pub mod todo_link;
pub mod todo_obsolete;
pub mod todos;

use clap::ValueEnum;

/// The output formats of reports (each report accepts a subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown, suitable to commit as an audit file.
    Md,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

impl ReportFormat {
    /// The name given on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Md => "md",
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
        }
    }
}

/// A Markdown table: a header row and escaped cells.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.push_str(&line(header.iter().map(|_| "---".to_string()).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| escape_cell(c)).collect()));
    }
    out
}

/// Escapes a table cell: pipes would end the cell and newlines the row.
fn escape_cell(cell: &str) -> String {
    cell.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// Pretty JSON with a final newline.
pub fn to_json(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("JSON values serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_escaped() {
        let t = markdown_table(&["a", "b"], &[vec!["x|y".into(), "1\n2".into()]]);
        assert_eq!(t, "| a | b |\n| --- | --- |\n| x\\|y | 1 2 |\n");
    }
}
