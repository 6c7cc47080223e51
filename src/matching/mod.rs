//! Matching: query rules compiled into a single pass over the tree, and
//! helpers to look at trees while writing rules.

pub mod known;
pub mod pattern;
pub mod query;
pub mod reexport;
pub mod relation;
pub mod roots;
pub mod tree;
pub mod unique;

/// Every ASCII letter-case spelling of `word` (`noqa`, `nOqA`, …), for the
/// case-sensitive prefilter automaton. Words of up to 8 letters.
pub fn all_casings(word: &str) -> Vec<String> {
    let letters = word
        .chars()
        .filter(char::is_ascii_alphabetic)
        .count()
        .min(8);
    let mut out: Vec<String> = (0..1u32 << letters)
        .map(|mask| {
            let mut k = 0;
            word.chars()
                .map(|c| {
                    if !c.is_ascii_alphabetic() || k >= letters {
                        return c;
                    }
                    k += 1;
                    if mask & (1 << (k - 1)) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect()
        })
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod casing_tests {
    #[test]
    fn every_casing() {
        let all = super::all_casings("noqa");
        assert_eq!(all.len(), 16);
        assert!(all.contains(&"nOqA".to_string()) && all.contains(&"NOQA".to_string()));
        assert_eq!(super::all_casings("XXX").len(), 8);
    }
}
