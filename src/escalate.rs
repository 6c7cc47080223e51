//! Staged enforcement (SPEC §4.9): a rule's severity escalates on dates, so
//! a campaign warns first and blocks later. Written in `rulegate.toml`
//! (`[rules.ID] escalate = [...]`) or in a pack's `[[rule]]`; judged
//! against the run's date.

use std::ops::Range;

use serde::Deserialize;
use serde_spanned::Spanned;

use crate::dates::{self, Date};
use crate::error::{SourceDoc, SpannedError};
use crate::finding::Severity;

/// One stage as written: `{ on = "2026-12-01", severity = "error" }`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a stage `{ on = \"YYYY-MM-DD\", severity = \"error\" }`"
)]
pub struct StageSpec {
    /// The day the severity changes (judged against `--today`).
    #[schemars(with = "String", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub on: Spanned<crate::dates::DateText>,
    /// The severity from that day on.
    pub severity: Severity,
}

/// A compiled schedule: stages in date order, and where it is written.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// (day, severity from that day on), strictly increasing days.
    pub stages: Vec<(Date, Severity)>,
    /// The file that writes it, for diagnostics.
    pub doc: SourceDoc,
    /// The span of the `escalate` list.
    pub span: Range<usize>,
}

/// What a schedule means on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    /// The severity in force.
    pub severity: Severity,
    /// What the findings' messages add: when the next stage comes.
    pub note: Option<String>,
}

impl Schedule {
    /// Compiles `stages` written at `span` of `doc`: valid days, in
    /// increasing order (every problem reported).
    pub fn compile(
        doc: &SourceDoc,
        stages: &Spanned<Vec<StageSpec>>,
    ) -> Result<Self, Vec<SpannedError>> {
        let mut errors = Vec::new();
        let mut out: Vec<(Date, Severity)> = Vec::new();
        if stages.get_ref().is_empty() {
            errors.push(
                doc.error(stages.span(), "empty `escalate`", "no stage")
                    .with_help("write `escalate = [{ on = \"YYYY-MM-DD\", severity = \"error\" }]`, or remove it"),
            );
        }
        for s in stages.get_ref() {
            match dates::parse_iso(s.on.get_ref()) {
                Ok(day) => {
                    if let Some((prev, _)) = out.last()
                        && day <= *prev
                    {
                        errors.push(
                            doc.error(
                                s.on.span(),
                                "escalation stages out of order",
                                format!("not after {prev}"),
                            )
                            .with_help("list the stages by date, each later than the one before"),
                        );
                    }
                    out.push((day, s.severity));
                }
                Err(e) => errors.push(doc.error(s.on.span(), "invalid date", e)),
            }
        }
        if errors.is_empty() {
            Ok(Self {
                stages: out,
                doc: doc.clone(),
                span: stages.span(),
            })
        } else {
            Err(errors)
        }
    }

    /// The severity in force on `today` (the last stage reached, else
    /// `base`) and, before the last stage, the note saying what comes next.
    pub fn in_force(&self, base: Severity, today: Date) -> InForce {
        let severity = self
            .stages
            .iter()
            .rev()
            .find(|(day, _)| *day <= today)
            .map_or(base, |(_, s)| *s);
        let note = self
            .stages
            .iter()
            .find(|(day, _)| *day > today)
            .map(|(day, s)| format!(" (becomes {} on {day})", s.as_str()));
        InForce { severity, note }
    }

    /// Whether every stage is in the past on `today`: the campaign is over
    /// and its last severity could be written plainly.
    pub fn elapsed(&self, today: Date) -> bool {
        self.stages.last().is_some_and(|(day, _)| *day < today)
    }

    /// The schedule in words: `error from 2026-12-01`.
    pub fn describe(&self) -> String {
        self.stages
            .iter()
            .map(|(day, s)| format!("{} from {day}", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(text: &str) -> Result<Schedule, Vec<SpannedError>> {
        #[derive(Deserialize)]
        struct T {
            escalate: Spanned<Vec<StageSpec>>,
        }
        let doc = SourceDoc::new("t.toml", text);
        let t: T = toml::from_str(text).unwrap();
        Schedule::compile(&doc, &t.escalate)
    }

    #[test]
    fn severity_and_note_before_on_and_after_the_dates() {
        let s = schedule(
            "escalate = [{ on = \"2026-12-01\", severity = \"warning\" }, { on = \"2027-01-01\", severity = \"error\" }]",
        )
        .unwrap();
        let day = |d: &str| dates::parse_iso(d).unwrap();
        let before = s.in_force(Severity::Info, day("2026-11-30"));
        assert_eq!(before.severity, Severity::Info);
        assert_eq!(
            before.note.as_deref(),
            Some(" (becomes warning on 2026-12-01)")
        );
        let on = s.in_force(Severity::Info, day("2026-12-01"));
        assert_eq!(on.severity, Severity::Warning);
        assert_eq!(on.note.as_deref(), Some(" (becomes error on 2027-01-01)"));
        let after = s.in_force(Severity::Info, day("2027-03-01"));
        assert_eq!((after.severity, after.note), (Severity::Error, None));
        assert!(s.elapsed(day("2027-01-02")) && !s.elapsed(day("2027-01-01")));
        assert_eq!(
            s.describe(),
            "warning from 2026-12-01, error from 2027-01-01"
        );
    }

    #[test]
    fn bad_schedules_are_errors_with_spans() {
        let text = "escalate = [{ on = \"2027-01-01\", severity = \"error\" }, { on = \"2026-13-01\", severity = \"warning\" }, { on = \"2026-01-01\", severity = \"warning\" }]";
        let errors = schedule(text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(&text[errors[0].span()], "\"2026-13-01\"");
        assert!(errors[1].message().contains("out of order"));
        assert!(schedule("escalate = []").is_err());
    }
}
