//! The floor of rulegate's design: read and tree-sitter-parse every Python
//! file of a corpus in parallel, nothing else. `scripts/bench.sh` prints it
//! beside rulegate's and ruff's times. Usage: cargo bench --bench parse_floor -- DIR

use std::time::Instant;

// The same allocator as the binary, so the floor is the binary's floor.
#[cfg(all(not(target_env = "msvc"), not(target_os = "openbsd")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use rayon::prelude::*;
use rulegate::config::Config;
use rulegate::parse::Worker;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| ".".to_string());
    let dir = std::path::PathBuf::from(dir);
    let config = Config::default_for(std::path::absolute(&dir).expect("absolute path"));
    let start = Instant::now();
    let targets = rulegate::walk::collect(&config, &[dir], false);
    let bytes: usize = targets
        .par_iter()
        .map_init(Worker::new, |w, t| {
            let text = std::fs::read(&t.path).unwrap_or_default();
            let text = String::from_utf8_lossy(&text);
            w.parse(&text);
            text.len()
        })
        .sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "parse floor: {} files, {:.1} MB, {secs:.3} s",
        targets.len(),
        bytes as f64 / 1e6
    );
}
