//! `requirements*.txt`: one requirement a line, `#` comments, `-r FILE` /
//! `--requirement FILE` includes (relative to the including file, each
//! read once), `-e URL#egg=NAME`; other options (`-c`, `--index-url`, …)
//! declare nothing.

use std::path::{Path, PathBuf};

use super::Declared;

/// Reads `path` and what it includes into `d`; `seen` guards include cycles.
pub(super) fn read(d: &mut Declared, path: &Path, seen: &mut Vec<PathBuf>) {
    if seen.iter().any(|p| p == path) {
        return;
    }
    seen.push(path.to_path_buf());
    let Some(text) = d.read_file(path) else {
        return;
    };
    for line in text.lines() {
        let line = match line
            .find(" #")
            .or_else(|| line.starts_with('#').then_some(0))
        {
            Some(i) => &line[..i],
            None => line,
        }
        .trim();
        let include = ["-r ", "--requirement ", "--requirement="]
            .iter()
            .find_map(|p| line.strip_prefix(p));
        if let Some(file) = include {
            let base = path.parent().unwrap_or(Path::new("."));
            read(d, &base.join(file.trim()), seen);
        } else if let Some(url) = ["-e ", "--editable "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
        {
            if let Some((_, egg)) = url.split_once("#egg=") {
                d.add(egg);
            }
        } else if !line.starts_with('-') {
            d.add(line);
        }
    }
}
