//! Every occurrence of a set of literal words in a text, overlapping ones
//! included: the prefilter, the query anchors, the Python 2 suspects and
//! the symbol tables ask this of every file.
//!
//! Aho-Corasick's automaton reads about 1.5 ns a byte here whatever the
//! words, because Python's frequent letters start many of them; a packed
//! SIMD searcher (Teddy) skips text at a fraction of that. It reports only
//! the leftmost match from where it starts, so the search restarts one byte
//! after each candidate, and the candidate position is checked against
//! every word starting with its byte (which finds overlapping and nested
//! occurrences too). Sets the packed searcher cannot take (more than 64
//! words, an empty word, a CPU without SIMD) keep the automaton.

use aho_corasick::packed;

/// A set of literal words, compiled for finding all their occurrences.
#[derive(Debug)]
pub struct WordSet {
    words: Vec<Vec<u8>>,
    /// The indices of the words starting with each byte.
    by_first: Vec<Vec<usize>>,
    engine: Engine,
}

#[derive(Debug)]
enum Engine {
    Packed(packed::Searcher),
    Automaton(aho_corasick::AhoCorasick),
}

impl WordSet {
    /// Compiles `words` (duplicates allowed: each is its own index).
    pub fn new<S: AsRef<str>>(words: &[S]) -> Self {
        let words: Vec<Vec<u8>> = words
            .iter()
            .map(|w| w.as_ref().as_bytes().to_vec())
            .collect();
        let mut by_first = vec![Vec::new(); 256];
        for (i, w) in words.iter().enumerate() {
            if let Some(&b) = w.first() {
                by_first[b as usize].push(i);
            }
        }
        let packed = if words.iter().any(Vec::is_empty) {
            None
        } else {
            packed::Searcher::new(words.iter())
        };
        let engine = match packed {
            Some(s) => Engine::Packed(s),
            None => Engine::Automaton(
                aho_corasick::AhoCorasick::new(&words).expect("literal words compile"),
            ),
        };
        Self {
            words,
            by_first,
            engine,
        }
    }

    /// The length in bytes of word `word`.
    pub fn len_of(&self, word: usize) -> usize {
        self.words[word].len()
    }

    /// Calls `found(word, start)` for every occurrence of every word in
    /// `text`: by start with the packed searcher (words starting at one
    /// place in no set order), by end with the automaton a set falls back
    /// to. A caller that needs them by start sorts them.
    pub fn for_each(&self, text: &[u8], mut found: impl FnMut(usize, usize)) {
        match &self.engine {
            Engine::Automaton(a) => {
                for m in a.find_overlapping_iter(text) {
                    found(m.pattern().as_usize(), m.start());
                }
            }
            Engine::Packed(s) => {
                let mut from = 0;
                while from < text.len() {
                    let Some(m) = s.find_in(text, aho_corasick::Span::from(from..text.len()))
                    else {
                        break;
                    };
                    let at = m.start();
                    for &i in &self.by_first[text[at] as usize] {
                        if text[at..].starts_with(&self.words[i]) {
                            found(i, at);
                        }
                    }
                    from = at + 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (word, start) pair, as the overlapping automaton finds them.
    fn all(set: &WordSet, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        set.for_each(text.as_bytes(), |w, at| out.push((w, at)));
        out.sort_unstable();
        out
    }

    fn oracle(words: &[&str], text: &str) -> Vec<(usize, usize)> {
        let a = aho_corasick::AhoCorasick::new(words).unwrap();
        let mut out: Vec<(usize, usize)> = a
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_overlapping_nested_and_repeated_words_as_the_automaton() {
        let words = [
            "import", "port", "eval(", "eval (", "sys.path", "aa", "a", "TODO",
        ];
        let texts = [
            "import os\nfrom x import port\neval(1); eval (2)\nsys.path.insert(0, p)\n",
            "aaaa # TODO TODO\n",
            "",
            "no words here at all, none",
            "importimportport",
        ];
        let set = WordSet::new(&words);
        assert!(matches!(set.engine, Engine::Packed(_)) || !is_x86_feature_present());
        for text in texts {
            assert_eq!(all(&set, text), oracle(&words, text), "{text:?}");
        }
    }

    #[test]
    fn sets_the_packed_searcher_cannot_take_use_the_automaton() {
        let many: Vec<String> = (0..100).map(|i| format!("w{i}x")).collect();
        let set = WordSet::new(&many);
        assert!(matches!(set.engine, Engine::Automaton(_)));
        let text = "w1x w99x w5x";
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(all(&set, text), oracle(&refs, text));
        let with_empty = WordSet::new(&["", "a"]);
        assert!(matches!(with_empty.engine, Engine::Automaton(_)));
    }

    fn is_x86_feature_present() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("ssse3")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }
}
