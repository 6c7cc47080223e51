//! `rulegate report lanes`: lane violations per (from lane, to lane) pair
//! with their import sites, written even when there are none (the seed's
//! per-PR lane guard artifact).

use serde_json::json;

use super::{ReportFormat, markdown_table, to_json};
use crate::analyzers::LaneImport;
use crate::config::Config;

/// One forbidden pair of lanes and the imports that cross it.
#[derive(Debug)]
pub struct Pair<'a> {
    /// Importing lane.
    pub from: String,
    /// Imported lane.
    pub to: String,
    /// The violating imports, sorted.
    pub sites: Vec<&'a LaneImport>,
}

/// A dynamic import whose module name cannot be known (LANE002): the lane
/// guards cannot see where it leads, so the report lists it beside the
/// violations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownSite {
    /// Importing file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The importing file's lane.
    pub lane: String,
    /// The rule that reported it (`LANE002`).
    pub rule: String,
}

/// The lanes report.
#[derive(Debug)]
pub struct LanesReport<'a> {
    /// Lane names in config order.
    pub lanes: Vec<String>,
    /// Every forbidden pair (by the config's `may_import`), zero counts included.
    pub pairs: Vec<Pair<'a>>,
    /// Cross-lane imports the lanes allow.
    pub allowed: usize,
    /// Dynamic imports with an unknown target in lanes that forbid them.
    pub unknown: Vec<UnknownSite>,
}

impl<'a> LanesReport<'a> {
    /// Groups `edges` by the config's forbidden pairs; `unknown` are the
    /// LANE002 sites.
    pub fn new(config: &Config, edges: &'a [LaneImport], mut unknown: Vec<UnknownSite>) -> Self {
        unknown.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let mut pairs = Vec::new();
        for from in &config.lanes {
            for to in &config.lanes {
                if crate::analyzers::imports::may_import(from, to) {
                    continue;
                }
                let mut sites: Vec<&LaneImport> = edges
                    .iter()
                    .filter(|e| !e.allowed && e.from_lane == from.name && e.to_lane == to.name)
                    .collect();
                sites.sort_by(|a, b| {
                    (&a.file, a.line, &a.module).cmp(&(&b.file, b.line, &b.module))
                });
                pairs.push(Pair {
                    from: from.name.clone(),
                    to: to.name.clone(),
                    sites,
                });
            }
        }
        Self {
            lanes: config.lanes.iter().map(|l| l.name.clone()).collect(),
            pairs,
            allowed: edges.iter().filter(|e| e.allowed).count(),
            unknown,
        }
    }

    /// Number of violations.
    pub fn violations(&self) -> usize {
        self.pairs.iter().map(|p| p.sites.len()).sum()
    }

    /// Renders Markdown or JSON.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => to_json(&json!({
                "lanes": self.lanes,
                "violations": self.violations(),
                "allowed_cross_lane_imports": self.allowed,
                "unknown_dynamic_imports": self.unknown,
                "pairs": self.pairs.iter().map(|p| json!({
                    "from": p.from,
                    "to": p.to,
                    "count": p.sites.len(),
                    "sites": p.sites,
                })).collect::<Vec<_>>(),
            })),
            _ => self.markdown(),
        }
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "# Lane guard report\n\nLanes: {}. {} violation(s); {} allowed cross-lane import(s); {} dynamic import(s) with an unknown target.\n\n",
            self.lanes.join(", "),
            self.violations(),
            self.allowed,
            self.unknown.len()
        );
        if self.pairs.is_empty() {
            out.push_str("No lane forbids another (no `may_import` lists): nothing to guard.\n");
            self.unknown_section(&mut out);
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .pairs
            .iter()
            .map(|p| vec![p.from.clone(), p.to.clone(), p.sites.len().to_string()])
            .collect();
        out.push_str(&markdown_table(
            &["from lane", "to lane", "violations"],
            &rows,
        ));
        for p in self.pairs.iter().filter(|p| !p.sites.is_empty()) {
            out.push_str(&format!("\n## {} → {}\n\n", p.from, p.to));
            let rows: Vec<Vec<String>> = p
                .sites
                .iter()
                .map(|s| {
                    vec![
                        format!("{}:{}", s.file, s.line),
                        format!("`{}`", s.module),
                        s.target.clone().unwrap_or_else(|| "-".into()),
                        format!(
                            "{}{}",
                            s.kind,
                            if s.typing_only { " (typing-only)" } else { "" }
                        ),
                    ]
                })
                .collect();
            out.push_str(&markdown_table(
                &["site", "module", "resolved file", "kind"],
                &rows,
            ));
        }
        self.unknown_section(&mut out);
        out
    }

    /// The LANE002 sites, when there are any.
    fn unknown_section(&self, out: &mut String) {
        if self.unknown.is_empty() {
            return;
        }
        out.push_str("\n## Dynamic imports with an unknown target\n\n");
        let rows: Vec<Vec<String>> = self
            .unknown
            .iter()
            .map(|u| {
                vec![
                    format!("{}:{}", u.file, u.line),
                    u.lane.clone(),
                    u.rule.clone(),
                ]
            })
            .collect();
        out.push_str(&markdown_table(&["site", "lane", "rule"], &rows));
    }
}
