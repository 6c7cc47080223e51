//! `--shard K/N`: a stable slice of the files, and what a shard may judge
//! about central exceptions so that the union of all shards equals one run.

use crate::config::Config;
use crate::suppress::ShardView;
use crate::walk::Target;

/// `--shard K/N`: the files whose path hashes to K among N shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1-based.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N, such as 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl Shard {
    /// Whether the file at `rel` belongs to this shard. FNV-1a of the path:
    /// stable across machines, platforms and rulegate versions (std's
    /// hasher promises none of that).
    pub fn contains(&self, rel: &str) -> bool {
        let hash = rel.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        (hash % self.count as u64) as usize == self.index - 1
    }
}

/// What this shard may judge about central exceptions, given every file
/// of the run (`all`, before sharding); `whole`: the run walks the whole
/// repository, so a glob that matches none of `all` matches no file at all.
pub fn view(config: &Config, shard: Option<Shard>, all: &[Target], whole: bool) -> ShardView {
    let mut view = ShardView::whole(config.exceptions.len());
    if whole {
        let matches_none =
            |globs: &crate::glob::GlobList| !all.iter().any(|t| globs.is_match(&t.rel));
        view.matches_none = config
            .exceptions
            .iter()
            .map(|ex| matches_none(&ex.paths))
            .collect();
        view.unused_ignores = (0..config.per_file_ignores.len())
            .filter(|&i| matches_none(&config.per_file_ignores[i].paths))
            .collect();
    }
    if let Some(shard) = shard {
        view.reports_config_findings = shard.index == 1;
        view.covers_other = config
            .exceptions
            .iter()
            .map(|ex| {
                all.iter()
                    .any(|t| ex.paths.is_match(&t.rel) && !shard.contains(&t.rel))
            })
            .collect();
    }
    view
}
