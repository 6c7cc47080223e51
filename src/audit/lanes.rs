//! `rulegate report lanes`: lane violations per (from lane, to lane) pair
//! with their import sites, written even when there are none (the seed's
//! per-PR lane guard artifact). A site under a `# noqa` of the lane rule
//! (a bridge's time-limited exception, SPEC §4.7) is marked with its expiry
//! and status.

use serde::Serialize;
use serde_json::json;

use super::{ReportFormat, markdown_table, to_json};
use crate::analyzers::LaneImport;
use crate::config::Config;
use crate::suppress::{SuppressionKind, SuppressionRecord};

/// The exception a violating site is under.
#[derive(Debug, Clone, Serialize)]
pub struct SiteException {
    /// The importing file.
    pub file: String,
    /// The site's line.
    pub line: usize,
    /// Its expiry, if it has one.
    pub expires: Option<String>,
    /// `active`, `expiring`, `expired` (the violation is reported again).
    pub status: &'static str,
}

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
    /// The violating sites under a `# noqa` of the lane rule.
    pub exceptions: Vec<SiteException>,
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
            exceptions: Vec::new(),
        }
    }

    /// Marks the violating sites that a `# noqa` of `rule` (the lane rule)
    /// on their line covers, from the run's suppression `records`.
    pub fn with_exceptions(mut self, records: &[SuppressionRecord], rule: &str) -> Self {
        for p in &self.pairs {
            for site in &p.sites {
                let record = records.iter().find(|r| {
                    r.rule == rule
                        && r.kind == SuppressionKind::Noqa
                        && r.path == site.file
                        && r.line == site.line
                });
                if let Some(r) = record {
                    self.exceptions.push(SiteException {
                        file: site.file.clone(),
                        line: site.line,
                        expires: r.expires.clone(),
                        status: super::exceptions::status_name(r.status),
                    });
                }
            }
        }
        self
    }

    /// The exception a site is under, if any.
    fn exception_at(&self, site: &LaneImport) -> Option<&SiteException> {
        self.exceptions
            .iter()
            .find(|e| e.file == site.file && e.line == site.line)
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
                "exceptions": self.exceptions,
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
            "# Lane guard report\n\nLanes: {}. {} violation(s), {} under a `# noqa` exception; {} allowed cross-lane import(s); {} dynamic import(s) with an unknown target.\n\n",
            self.lanes.join(", "),
            self.violations(),
            self.exceptions.len(),
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
                        match self.exception_at(s) {
                            Some(e) => format!(
                                "until {} ({})",
                                e.expires.as_deref().unwrap_or("-"),
                                e.status
                            ),
                            None => "-".to_string(),
                        },
                    ]
                })
                .collect();
            out.push_str(&markdown_table(
                &["site", "module", "resolved file", "kind", "exception"],
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
