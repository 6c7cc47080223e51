//! `where.CAP.unique = "repository"` (SPEC §3.5): a query rule whose
//! capture's value must occur once in the repository. A file's check finds
//! its own occurrences in its one walk; the occurrences in every other
//! file come from the project-wide [`UniqueIndex`], built once per run on
//! the first file that has an occurrence: the project's files as `lint .`
//! walks them, each read and prefiltered as a check would (scope, the
//! rule's `prefilter` words, its `in` anchor), and only the rest parsed,
//! with the unique rules' queries alone. A file the run will check hands
//! the tree of that parse to its check, and a file checked before the
//! index was needed left its occurrences in [`Memo`]: so no file is parsed
//! twice (but one a thread is checking while another builds the index).
//!
//! A result that used the index depends on other files: it records, per
//! value, the digest of the other places ([`crate::deps::Fact::Unique`]),
//! which the cache compares with the index of the run that reuses it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tree_sitter::Tree;

use crate::matching::query::{QueryMatcher, QuerySet};
pub use crate::matching::unique::{OTHERS, capture, value_of};
use crate::parse::Worker;
use crate::rule::{Matcher, RuleSet};
use crate::run::Run;
use crate::source::SourceText;
use crate::symbols::Prefetch;
use crate::walk::Target;

#[cfg(test)]
mod tests;

/// How many other places a message lists before "and N more".
const LISTED: usize = 5;

/// What a check found in one file: rule, value and line of each occurrence.
pub type Found = Vec<(usize, String, usize)>;

/// The run's memo: the index, and what checks found before it was built.
#[derive(Debug, Default)]
pub struct Memo {
    /// The index, built on first use ([`index`]).
    index: OnceLock<UniqueIndex>,
    /// The unique rules' indices (found on first use).
    rules: OnceLock<Vec<usize>>,
    /// By file, the digest of the text a check read and the occurrences
    /// it found there (rule, value, line), while the index is not built.
    seen: Mutex<HashMap<String, (u64, Found)>>,
}

impl Memo {
    /// The unique rules of the run.
    pub fn rules(&self, rules: &RuleSet) -> &[usize] {
        self.rules
            .get_or_init(|| unique_rules(rules).iter().map(|(i, _, _)| *i).collect())
    }

    /// The index, if built.
    pub fn built(&self) -> Option<&UniqueIndex> {
        self.index.get()
    }

    /// Notes what the check of `rel` (its text on disk) found, for the
    /// index to use instead of parsing the file again.
    pub fn note(&self, rel: &str, text: &str, found: Found) {
        if self.index.get().is_some() {
            return;
        }
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(
                rel.to_string(),
                (crate::hash::digest(text.as_bytes()), found),
            );
        }
    }

    /// What a check noted of `rel`, if of `text`.
    fn noted(&self, rel: &str, text: &str) -> Option<Found> {
        let seen = self.seen.lock().ok()?;
        let (digest, found) = seen.get(rel)?;
        (*digest == crate::hash::digest(text.as_bytes())).then(|| found.clone())
    }
}

/// The unique rules of `rules`: index, matcher and unique capture.
fn unique_rules(rules: &RuleSet) -> Vec<(usize, &QueryMatcher, &str)> {
    rules
        .rules
        .iter()
        .filter_map(|r| match &r.matcher {
            Matcher::Query(q) => capture(q).map(|c| (r.index, q, c)),
            _ => None,
        })
        .collect()
}

/// One occurrence: where a value was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    /// Project-relative path.
    pub path: Arc<str>,
    /// 1-based line of the reported node.
    pub line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

/// `places` as a message lists them: sorted, the first few, then a count.
pub fn list(places: &mut [Place]) -> String {
    places.sort();
    let mut out: Vec<String> = places.iter().take(LISTED).map(Place::to_string).collect();
    if places.len() > LISTED {
        out.push(format!("and {} more", places.len() - LISTED));
    }
    out.join(", ")
}

/// Every occurrence of every unique rule in the project's files as on disk.
#[derive(Debug, Default)]
pub struct UniqueIndex {
    /// Places by rule index and value, sorted.
    places: HashMap<(usize, String), Vec<Place>>,
    /// Files parsed to build it (read by the tests' parse counts).
    #[cfg_attr(not(test), allow(dead_code))]
    parses: usize,
    /// Of those, the files whose tree went to the run's own check of them.
    #[cfg_attr(not(test), allow(dead_code))]
    handed: usize,
}

impl UniqueIndex {
    /// The places of `value` under rule `rule` outside the file `file`.
    pub fn others<'a>(
        &'a self,
        rule: usize,
        value: &str,
        file: &'a str,
    ) -> impl Iterator<Item = &'a Place> + 'a {
        self.places
            .get(&(rule, value.to_string()))
            .into_iter()
            .flatten()
            .filter(move |p| &*p.path != file)
    }

    /// A digest of [`UniqueIndex::others`]: what a cached result that
    /// used them depends on.
    pub fn digest(&self, rule: usize, value: &str, file: &str) -> u64 {
        let mut key = String::new();
        for p in self.others(rule, value, file) {
            key.push_str(&format!("{p}\n"));
        }
        crate::hash::digest(key.as_bytes())
    }

    /// How many files were parsed to build the index.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn parses(&self) -> usize {
        self.parses
    }

    /// How many of [`UniqueIndex::parses`] the run was to check itself: their
    /// trees were offered to those checks (taken unless a thread had
    /// started the check already, or the pass held too many trees).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn handed(&self) -> usize {
        self.handed
    }
}

/// A file the caller has parsed already: the build uses its tree if the
/// file on disk still has this text.
#[derive(Clone, Copy)]
pub struct Parsed<'a> {
    /// Project-relative path.
    pub rel: &'a str,
    /// The text parsed.
    pub text: &'a str,
    /// Its tree.
    pub tree: &'a Tree,
}

/// The run's memo. The project holds it type-erased: the project model
/// sits below the checker, whose index it is.
pub fn memo(run: &Run) -> &Memo {
    run.project
        .unique
        .get_or_init(|| Arc::new(Memo::default()))
        .downcast_ref::<Memo>()
        .expect("the project's unique slot holds only this memo")
}

/// The run's index, built on first use (see the module's documentation).
/// `own`: the file being checked, parsed already; `prefetch`: where trees
/// of files the run will check go.
pub fn index<'r>(
    run: &'r Run,
    own: Option<Parsed>,
    prefetch: Option<&dyn Prefetch>,
) -> &'r UniqueIndex {
    let memo = memo(run);
    let index = memo.index.get_or_init(|| build(run, own, prefetch));
    if let Ok(mut seen) = memo.seen.lock() {
        seen.clear(); // no later build reads it
    }
    index
}

/// Builds the index over the project's files, on plain threads: the build
/// runs inside one file's check, and a rayon worker waiting for it could
/// start another check that waits for the index too.
fn build(run: &Run, own: Option<Parsed>, prefetch: Option<&dyn Prefetch>) -> UniqueIndex {
    let rules = unique_rules(&run.rules);
    let queries: Vec<(usize, &str)> = rules
        .iter()
        .map(|(i, q, _)| (*i, q.text.as_str()))
        .collect();
    let Ok(Some(set)) = QuerySet::build(&queries) else {
        return UniqueIndex::default();
    };
    let files = crate::walk::collect(&run.config, std::slice::from_ref(&run.config.root), true);
    let next = AtomicUsize::new(0);
    let parses = AtomicUsize::new(0);
    let handed = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().clamp(1, files.len().max(1));
    let scan = Scan {
        run,
        rules: &rules,
        set: &set,
        own,
        prefetch,
    };
    let found: Vec<(usize, String, Place)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut worker = Worker::new();
                    let mut out = Vec::new();
                    while let Some(t) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        match scan.file(&mut worker, t, &mut out) {
                            Parse::None => {}
                            Parse::Alone => {
                                parses.fetch_add(1, Ordering::Relaxed);
                            }
                            Parse::Handed => {
                                parses.fetch_add(1, Ordering::Relaxed);
                                handed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut places: HashMap<(usize, String), Vec<Place>> = HashMap::new();
    for (rule, value, place) in found {
        places.entry((rule, value)).or_default().push(place);
    }
    for list in places.values_mut() {
        list.sort();
    }
    UniqueIndex {
        places,
        parses: parses.into_inner(),
        handed: handed.into_inner(),
    }
}

/// Whether the build parsed a file, and for whom.
enum Parse {
    /// Not parsed.
    None,
    /// Parsed for the index alone.
    Alone,
    /// Parsed, and its tree offered to the run's check of it.
    Handed,
}

/// What each file of the build is scanned with.
struct Scan<'a> {
    run: &'a Run,
    rules: &'a [(usize, &'a QueryMatcher, &'a str)],
    set: &'a QuerySet,
    own: Option<Parsed<'a>>,
    prefetch: Option<&'a dyn Prefetch>,
}

impl Scan<'_> {
    /// Adds the occurrences in file `t` to `out`; whether it was parsed.
    fn file(
        &self,
        worker: &mut Worker,
        t: &Target,
        out: &mut Vec<(usize, String, Place)>,
    ) -> Parse {
        let Ok(bytes) = crate::source::read_regular(&t.path) else {
            return Parse::None;
        };
        let Ok(src) = SourceText::decode(&bytes) else {
            return Parse::None;
        };
        let text = &*src.text;
        let rules = &*self.run.rules;
        let lane = self.run.lane_of(&t.rel);
        let words = rules.prefilter_matches(text);
        let active = rules.active_for(&t.rel, lane.as_deref(), &words, text);
        // A match holds one of an anchored rule's words: a file without
        // them cannot have an occurrence.
        let mine: Vec<usize> = self
            .rules
            .iter()
            .filter(|(i, q, _)| {
                active.contains(*i)
                    && q.anchor
                        .as_ref()
                        .is_none_or(|words| words.iter().any(|w| text.contains(w.as_str())))
            })
            .map(|(i, _, _)| *i)
            .collect();
        if mine.is_empty() {
            return Parse::None;
        }
        let path: Arc<str> = Arc::from(t.rel.as_str());
        if let Some(found) = memo(self.run).noted(&t.rel, text) {
            out.extend(found.into_iter().map(|(rule, value, line)| {
                let path = path.clone();
                (rule, value, Place { path, line })
            }));
            return Parse::None;
        }
        let (tree, parsed) = match self.own.filter(|o| o.rel == t.rel && o.text == text) {
            Some(o) => (o.tree.clone(), false),
            None => match worker.parse(text) {
                Some(tree) => (tree, true),
                None => return Parse::None,
            },
        };
        let matcher_of = |i: usize| match &rules.rules[i].matcher {
            Matcher::Query(q) => q,
            _ => unreachable!("unique rules are query rules"),
        };
        self.set.run(
            &mut worker.cursor,
            &tree,
            text,
            None,
            &|i| mine.contains(&i),
            &matcher_of,
            |hit| {
                let Some((_, _, name)) = self.rules.iter().find(|(i, _, _)| *i == hit.rule) else {
                    return;
                };
                let node = hit
                    .captures
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, n)| *n);
                if let Some(value) = node.and_then(|n| value_of(n, text)) {
                    let line = src.lines.location(text, hit.range.clone()).start.line;
                    let place = Place {
                        path: path.clone(),
                        line,
                    };
                    out.push((hit.rule, value, place));
                }
            },
        );
        match self.prefetch.filter(|p| parsed && p.will_check(&t.rel)) {
            Some(p) => {
                p.keep_tree(&t.rel, text, &tree);
                Parse::Handed
            }
            None if parsed => Parse::Alone,
            None => Parse::None,
        }
    }
}

/// Answers the cache's questions about the index ([`crate::deps::Indexes`]),
/// building it if no check of the run has yet.
pub struct Digests<'a> {
    /// The run.
    pub run: &'a Run,
    /// Where trees of files the run will check go.
    pub prefetch: Option<&'a dyn Prefetch>,
}

impl crate::deps::Indexes for Digests<'_> {
    fn unique(&self, rule: &str, value: &str, file: &str) -> Option<u64> {
        let rule = self.run.rules.get(rule)?.index;
        Some(index(self.run, None, self.prefetch).digest(rule, value, file))
    }
}
