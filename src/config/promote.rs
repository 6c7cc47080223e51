//! `[promote]`: the promotion criteria beyond the rules (SPEC §4.8, the
//! guide's success criteria) and where the audit log goes.

use serde::Deserialize;
use serde_spanned::Spanned;

use super::extend::Layer;
use crate::error::SpannedError;

/// The file the audit log goes to by default, at the project root.
pub const DEFAULT_AUDIT_LOG: &str = "promotion-audit.log";

/// The `[promote]` table as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoteSpec {
    /// Criteria every promotion's gate checks, each listed with its verdict.
    #[serde(default)]
    pub criteria: Option<CriteriaSpec>,
    /// Where applied promotions are logged, one JSON line each (relative to
    /// the project root; default `promotion-audit.log`).
    #[serde(default, rename = "audit-log")]
    pub audit_log: Option<String>,
}

/// `[promote.criteria]` as written.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaSpec {
    /// Files that must exist in the package's folder (or beside the
    /// module), such as `PROMOTE.md`.
    #[serde(default)]
    pub files: Vec<String>,
    /// A minimum coverage of the moved files, read from a coverage.py JSON
    /// report (`coverage json`).
    #[serde(default)]
    pub coverage: Option<CoverageSpec>,
}

/// `coverage = { report = "coverage.json", min = 90 }`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageSpec {
    /// The coverage.py JSON report, relative to the project root.
    pub report: String,
    /// The minimum total, in percent (0 to 100).
    #[schemars(with = "f64")]
    pub min: Spanned<f64>,
}

/// The resolved `[promote]` settings.
#[derive(Debug, Clone)]
pub struct PromoteSettings {
    /// Files that must exist in the package (or beside the module).
    pub files: Vec<String>,
    /// The coverage report (project-relative) and the minimum percentage.
    pub coverage: Option<(String, f64)>,
    /// The audit log, project-relative.
    pub audit_log: String,
}

impl Default for PromoteSettings {
    fn default() -> Self {
        Self {
            files: Vec::new(),
            coverage: None,
            audit_log: DEFAULT_AUDIT_LOG.to_string(),
        }
    }
}

/// The nearest layer's `[promote]` table (a table is one setting: it is
/// not merged with a base's).
pub(super) fn compile_promote(layers: &[Layer], errors: &mut Vec<SpannedError>) -> PromoteSettings {
    let Some(layer) = layers.iter().find(|l| l.spec.promote.is_some()) else {
        return PromoteSettings::default();
    };
    let spec = layer.spec.promote.as_ref().expect("found");
    let criteria = spec.criteria.clone().unwrap_or_default();
    let coverage = criteria.coverage.map(|c| {
        let min = *c.min.get_ref();
        if !(0.0..=100.0).contains(&min) {
            errors.push(
                layer
                    .doc
                    .error(
                        c.min.span(),
                        "a coverage minimum is a percentage",
                        "not in 0..=100",
                    )
                    .with_help("write it as `min = 90` for 90%"),
            );
        }
        (c.report, min)
    });
    PromoteSettings {
        files: criteria.files,
        coverage,
        audit_log: spec
            .audit_log
            .clone()
            .unwrap_or_else(|| DEFAULT_AUDIT_LOG.to_string()),
    }
}
