//! Which pytest a project runs, as far as PYT001 needs it: whether it is
//! pytest 9 or later. The ini keys `strict_markers` and `strict` exist only
//! in pytest 9; pytest 8 ignores them (with a "Unknown config option"
//! warning), so they make markers strict only where pytest ≥ 9 is sure.
//!
//! The evidence, in order: the version range the project declares for
//! `pytest` (PEP 440 specifiers of PEP 621 / PEP 735 / requirements files,
//! Poetry's `^` and `~`); else the `pytest-X.dist-info` installed in the
//! environment; else the config itself (`minversion` of 9 or more, or a
//! config format only pytest 9 reads).

/// A release as numbers (`8.4.2` → `[8, 4, 2]`); pre-release and local
/// parts are dropped (a bound on `9.0rc1` is a bound on 9).
fn release(text: &str) -> Option<Vec<u64>> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let numbers: Vec<u64> = text
        .split('.')
        .map_while(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    (!numbers.is_empty()).then_some(numbers)
}

/// The major version of a version string (`9.0.1` → 9).
pub fn major(text: &str) -> Option<u64> {
    release(text).map(|r| r[0])
}

/// The range of major versions a specifier set allows: (lowest, highest),
/// `None` for an unbounded end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Majors {
    lo: Option<u64>,
    hi: Option<u64>,
}

impl Majors {
    fn at_least(&mut self, m: u64) {
        self.lo = Some(self.lo.map_or(m, |l| l.max(m)));
    }
    fn at_most(&mut self, m: u64) {
        self.hi = Some(self.hi.map_or(m, |h| h.min(m)));
    }
}

/// The highest major version below the release `r` (`< 9` → 8, `< 8.5` → 8).
fn below(r: &[u64]) -> u64 {
    if r.iter().skip(1).all(|n| *n == 0) {
        r[0].saturating_sub(1)
    } else {
        r[0]
    }
}

/// Narrows `m` by one clause of a specifier (`>=8.4`, `~=8.4`, `==8.*`,
/// `^8.0`, `8.4.2`). Clauses it does not understand narrow nothing.
fn clause(m: &mut Majors, c: &str) {
    let c = c.trim();
    let ops = ["===", "==", "~=", "!=", ">=", "<=", ">", "<", "^", "~", "="];
    let (op, rest) = ops
        .iter()
        .find_map(|op| c.strip_prefix(op).map(|r| (*op, r.trim())))
        .unwrap_or(("==", c));
    let Some(r) = release(rest) else {
        return;
    };
    match op {
        "===" | "==" | "=" => {
            m.at_least(r[0]);
            m.at_most(r[0]);
        }
        ">=" | ">" => m.at_least(r[0]),
        "<=" => m.at_most(r[0]),
        "<" => m.at_most(below(&r)),
        // `~=8.4` is `>=8.4, ==8.*`; `~=8.4.2` stays in 8.4; `~8.4` (Poetry)
        // likewise stays in 8.
        "~=" | "~" => {
            m.at_least(r[0]);
            if r.len() > 1 || op == "~" {
                m.at_most(r[0]);
            }
        }
        // Poetry's caret: `^8.0` is `>=8.0, <9`; `^0.x` stays in 0.
        "^" => {
            m.at_least(r[0]);
            m.at_most(r[0]);
        }
        _ => {} // `!=` excludes one release, not a major version
    }
}

/// What one declaration of pytest (`pytest>=9`, `pytest[testing]==8.4.2;
/// python_version>'3.9'`, a Poetry value after the name, `pytest ^8.0`)
/// says about pytest 9:
/// `Some(true)` only pytest ≥ 9 satisfies it, `Some(false)` only pytest < 9,
/// `None` both may.
pub fn declares_nine(spec: &str) -> Option<bool> {
    // The requirement's name and extras go; environment markers too.
    let spec = spec.split(';').next().unwrap_or_default();
    let spec = spec
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let spec = match spec.trim_start().strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or("", |(_, r)| r),
        None => spec,
    };
    let spec = spec.trim().trim_start_matches('(').trim_end_matches(')');
    if spec.trim().is_empty() || spec.trim() == "*" || spec.contains('@') {
        return None;
    }
    let mut m = Majors::default();
    for c in spec.split(',') {
        clause(&mut m, c);
    }
    match (m.lo, m.hi) {
        (Some(lo), _) if lo >= 9 => Some(true),
        (_, Some(hi)) if hi < 9 => Some(false),
        _ => None,
    }
}

/// What several declarations say together (they are installed together, so
/// each narrows the others): the one answer they agree on, `None` when none
/// decides or two contradict each other.
pub fn declared_nine<'a>(specs: impl IntoIterator<Item = &'a str>) -> Option<bool> {
    let mut answer = None;
    for s in specs {
        match (answer, declares_nine(s)) {
            (_, None) => {}
            (None, Some(a)) => answer = Some(a),
            (Some(a), Some(b)) if a != b => return None,
            _ => {}
        }
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_say_whether_pytest_is_nine_or_later() {
        for (spec, want) in [
            ("pytest", None),
            ("pytest>=9", Some(true)),
            ("pytest >= 9.0.1", Some(true)),
            ("pytest~=9.0", Some(true)),
            ("pytest==9.*", Some(true)),
            ("pytest>=8", None),
            ("pytest>=8,<10", None),
            ("pytest==8.4.2", Some(false)),
            (
                "pytest[testing]==8.4.2; python_version > '3.9'",
                Some(false),
            ),
            ("pytest<9", Some(false)),
            ("pytest<9.0", Some(false)),
            ("pytest<9.1", None),
            ("pytest~=8.4", Some(false)),
            ("pytest~=8.4.2", Some(false)),
            ("pytest>=7,<9", Some(false)),
            ("pytest (>=9)", Some(true)),
            ("pytest!=9.0.0", None),
            ("pytest @ https://example.org/pytest.whl", None),
            // Poetry values, after the name.
            ("pytest ^8.0", Some(false)),
            ("pytest ^9.0", Some(true)),
            ("pytest ~8.4", Some(false)),
            ("pytest 8.4.2", Some(false)),
            ("pytest *", None),
        ] {
            assert_eq!(declares_nine(spec), want, "{spec}");
        }
        assert_eq!(declared_nine(["pytest", "pytest>=9"]), Some(true));
        assert_eq!(declared_nine(["pytest<9", "pytest>=9"]), None);
        assert_eq!(declared_nine(["pytest"]), None);
        assert_eq!(major("9.0.2"), Some(9));
        assert_eq!(major("8.4.2"), Some(8));
    }
}
