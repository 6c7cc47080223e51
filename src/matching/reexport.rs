//! First-party re-exports for `where.CAP.resolves_to` (SPEC §3.5): when
//! `pkg/__init__.py` does `from pkg._impl import helper`, a file's
//! `from pkg import helper` names `pkg._impl.helper` as well as
//! `pkg.helper`. The matcher asks a [`Reexports`] (the project's symbol
//! tables, in a lint) one step at a time, and only for a match whose
//! qualified name is not already listed.

/// One step through a first-party module's imports.
pub trait Reexports {
    /// What `qualified` names one re-export further (`pkg._impl.helper`
    /// for `pkg.helper`), or `None` when its head is not a first-party
    /// module or the module does not bind the name by an import.
    fn origin(&self, qualified: &str) -> Option<String>;
}

/// The most re-exports followed from one name (a chain of `__init__`s).
const MAX_HOPS: usize = 8;

/// The names `qualified` also stands for through re-exports, nearest first
/// (a cycle of re-exports ends the chain).
pub fn also_names(qualified: &str, reexports: &dyn Reexports) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut name = qualified.to_string();
    while out.len() < MAX_HOPS {
        let Some(next) = reexports.origin(&name) else {
            break;
        };
        if next == qualified || out.contains(&next) {
            break;
        }
        out.push(next.clone());
        name = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Table(&'static [(&'static str, &'static str)]);
    impl Reexports for Table {
        fn origin(&self, q: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(a, _)| *a == q)
                .map(|(_, b)| b.to_string())
        }
    }

    #[test]
    fn chains_are_followed_and_cycles_end() {
        let t = Table(&[
            ("pkg.helper", "pkg.sub.helper"),
            ("pkg.sub.helper", "pkg._impl.helper"),
        ]);
        assert_eq!(
            also_names("pkg.helper", &t),
            ["pkg.sub.helper", "pkg._impl.helper"]
        );
        assert!(also_names("os.path.join", &t).is_empty());
        let cycle = Table(&[("a.x", "b.x"), ("b.x", "a.x")]);
        assert_eq!(also_names("a.x", &cycle), ["b.x"]);
    }
}
