//! Runtime visibility of module-level bindings (SPEC §4.7, "What pytest
//! would see"): a name bound only under `if TYPE_CHECKING:` never exists at
//! run time, and one bound only under a `sys.version_info` test exists only
//! on the versions that pass it, judged against the project's
//! `target-version`. The symbol table walk asks [`guard_of`] about each
//! top-level `if` and keeps such names apart from the ones always bound.

use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use crate::parse::compat::PythonVersion;

/// A comparison of `sys.version_info` with a literal `(major, minor)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionTest {
    /// The operator, as written (`>=`, `>`, `<`, `<=`).
    pub op: VersionOp,
    /// The version compared with.
    pub major: u8,
    /// Its minor part.
    pub minor: u8,
}

/// The comparison of a [`VersionTest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionOp {
    /// `>=`.
    Ge,
    /// `>`.
    Gt,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
}

impl VersionTest {
    /// Whether the test passes on `v` (`(3, 12)` compares as Python
    /// compares `sys.version_info` with a pair: by major then minor, and a
    /// longer tuple is greater than its prefix, so `> (3, 12)` holds on 3.12.1).
    pub fn holds(self, v: PythonVersion) -> bool {
        let have = (v.major, v.minor);
        let want = (self.major, self.minor);
        match self.op {
            VersionOp::Ge => have >= want,
            // `(3, 12, 0, …) > (3, 12)`: any 3.12 release passes.
            VersionOp::Gt => have >= want,
            VersionOp::Lt => have < want,
            VersionOp::Le => have < want,
        }
    }

    /// The test that the `else` branch runs under.
    pub fn negated(self) -> Self {
        let op = match self.op {
            VersionOp::Ge => VersionOp::Lt,
            VersionOp::Lt => VersionOp::Ge,
            VersionOp::Gt => VersionOp::Le,
            VersionOp::Le => VersionOp::Gt,
        };
        Self { op, ..self }
    }
}

impl std::fmt::Display for VersionTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            VersionOp::Ge => ">=",
            VersionOp::Gt => ">",
            VersionOp::Lt => "<",
            VersionOp::Le => "<=",
        };
        write!(f, "sys.version_info {op} ({}, {})", self.major, self.minor)
    }
}

/// What an `if` condition says about when its body runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Never at run time (`if TYPE_CHECKING:`).
    TypeChecking,
    /// Only on the versions the test passes.
    Version(VersionTest),
}

impl Guard {
    /// The guard of the `else` branch, if it is one (`if not
    /// TYPE_CHECKING: … else:` is type-checking only).
    fn negated(self) -> Option<Self> {
        match self {
            Guard::TypeChecking => None,
            Guard::Version(v) => Some(Guard::Version(v.negated())),
        }
    }
}

/// The guards of an `if`'s body and of its `else`/`elif` branches: `(body,
/// rest)`, `None` where the branch always runs as far as this knows.
pub fn guard_of(condition: Node, text: &str) -> (Option<Guard>, Option<Guard>) {
    let written: String = text[condition.byte_range()]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if let Some(inner) = written.strip_prefix("not") {
        // `not TYPE_CHECKING` is the only negation worth reading (`not` and
        // a parenthesised test otherwise).
        let inner = inner.trim_start_matches('(').trim_end_matches(')');
        if is_type_checking(inner) {
            return (None, Some(Guard::TypeChecking));
        }
        return (None, None);
    }
    if is_type_checking(&written) {
        return (Some(Guard::TypeChecking), None);
    }
    match version_test(&written) {
        Some(v) => {
            let g = Guard::Version(v);
            (Some(g), g.negated())
        }
        None => (None, None),
    }
}

/// `TYPE_CHECKING`, `typing.TYPE_CHECKING`, `t.TYPE_CHECKING`.
fn is_type_checking(s: &str) -> bool {
    s.rsplit_once('.').map_or(s, |(_, last)| last) == "TYPE_CHECKING"
        && s.chars()
            .all(|c| c == '.' || c == '_' || c.is_ascii_alphanumeric())
}

/// `sys.version_info>=(3,12)` (blanks removed), with `[:2]` or `[0:2]`
/// slices, a trailing comma, and the operands either way round.
fn version_test(s: &str) -> Option<VersionTest> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:sys\.version_info(?:\[0?:2\])?(>=|>|<=|<)\((\d+),(\d+),?\)|\((\d+),(\d+),?\)(>=|>|<=|<)sys\.version_info(?:\[0?:2\])?)$",
        )
        .expect("valid pattern")
    });
    let c = RE.captures(s)?;
    let (op, major, minor, flipped) = match c.get(1) {
        Some(op) => (op.as_str(), &c[2], &c[3], false),
        None => (&c[6], &c[4], &c[5], true),
    };
    let op = match (op, flipped) {
        (">=", false) | ("<=", true) => VersionOp::Ge,
        (">", false) | ("<", true) => VersionOp::Gt,
        ("<", false) | (">", true) => VersionOp::Lt,
        _ => VersionOp::Le,
    };
    Some(VersionTest {
        op,
        major: major.parse().ok()?,
        minor: minor.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guards(cond: &str) -> (Option<Guard>, Option<Guard>) {
        let text = format!("if {cond}:\n    pass\n");
        let tree = crate::parse::Worker::new().parse(&text).unwrap();
        let stmt = tree.root_node().named_child(0).unwrap();
        guard_of(stmt.child_by_field_name("condition").unwrap(), &text)
    }

    #[test]
    fn type_checking_and_version_tests_are_read() {
        assert_eq!(guards("TYPE_CHECKING"), (Some(Guard::TypeChecking), None));
        assert_eq!(
            guards("typing.TYPE_CHECKING"),
            (Some(Guard::TypeChecking), None)
        );
        assert_eq!(
            guards("not TYPE_CHECKING"),
            (None, Some(Guard::TypeChecking))
        );
        assert_eq!(guards("DEBUG"), (None, None));
        assert_eq!(guards("MY_TYPE_CHECKING or x"), (None, None));
        let v = |op, major, minor| VersionTest { op, major, minor };
        let (body, rest) = guards("sys.version_info >= (3, 12)");
        assert_eq!(body, Some(Guard::Version(v(VersionOp::Ge, 3, 12))));
        assert_eq!(rest, Some(Guard::Version(v(VersionOp::Lt, 3, 12))));
        assert_eq!(
            guards("(3, 11) > sys.version_info[:2]").0,
            Some(Guard::Version(v(VersionOp::Lt, 3, 11)))
        );
        assert_eq!(guards("sys.version_info >= (3, 12) and X").0, None);
    }

    #[test]
    fn version_tests_are_judged_as_python_compares_tuples() {
        let py = |minor| PythonVersion { major: 3, minor };
        let t = |op, minor| VersionTest {
            op,
            major: 3,
            minor,
        };
        assert!(!t(VersionOp::Ge, 12).holds(py(11)));
        assert!(t(VersionOp::Ge, 12).holds(py(12)));
        assert!(t(VersionOp::Gt, 12).holds(py(12)), "3.12.0 > (3, 12)");
        assert!(!t(VersionOp::Gt, 12).holds(py(11)));
        assert!(t(VersionOp::Lt, 12).holds(py(11)));
        assert!(
            !t(VersionOp::Le, 12).holds(py(12)),
            "3.12.0 <= (3, 12) is false"
        );
        assert_eq!(t(VersionOp::Ge, 12).negated(), t(VersionOp::Lt, 12));
    }
}
