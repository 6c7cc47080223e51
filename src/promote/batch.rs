//! `rulegate promote --batch FILE` (SPEC §4.8): `SRC<TAB>DST` rows, as the
//! organisation's `batch_*.tsv`. There is no state file: a row is done when
//! DST exists and SRC is gone or is a shim. Row A depends on row B when A's
//! code imports B's SRC, so B goes first; a cycle among rows is an error
//! that names them.

use std::path::Path;

use super::{PromoteError, files};
use crate::imports::DEFAULT_DYNAMIC_CALLS;
use crate::imports::resolve::TargetKind;
use crate::parse::Worker;
use crate::run::Run;

/// One row of a batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line in the file.
    pub line: usize,
    /// What moves.
    pub src: String,
    /// Where it goes.
    pub dst: String,
}

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} ({} → {})", self.line, self.src, self.dst)
    }
}

/// Reads the rows of `text` (blank lines and `#` comments skipped; a
/// header row `src<TAB>dst` is skipped too).
pub fn parse(text: &str) -> Result<Vec<Row>, PromoteError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [src, dst] = cells[..] else {
            return Err(PromoteError::Batch(format!(
                "line {}: a row is `SRC<TAB>DST`, got {} tab-separated cell(s): `{t}`",
                i + 1,
                cells.len()
            )));
        };
        if src.is_empty() || dst.is_empty() {
            return Err(PromoteError::Batch(format!(
                "line {}: SRC and DST must both be given",
                i + 1
            )));
        }
        if rows.is_empty() && src.eq_ignore_ascii_case("src") && dst.eq_ignore_ascii_case("dst") {
            continue;
        }
        rows.push(Row {
            line: i + 1,
            src: src.to_string(),
            dst: dst.to_string(),
        });
    }
    Ok(rows)
}

/// Reads a batch file.
pub fn read(path: &Path) -> Result<Vec<Row>, PromoteError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        PromoteError::Batch(format!(
            "cannot read the batch file {}: {e}",
            path.display()
        ))
    })?;
    parse(&text)
}

/// Whether a module of the repository (not a namespace folder) has `name`.
fn exists(run: &Run, name: &str) -> bool {
    run.project
        .modules
        .resolve(name)
        .is_some_and(|t| t.kind != TargetKind::Namespace)
}

/// A row's SRC and DST as module names (a row may give paths, as
/// `promote SRC --to DST` may).
fn names(run: &Run, row: &Row) -> (String, String) {
    let name = |s: &String| super::module_name(run, s).unwrap_or_else(|_| s.clone());
    (name(&row.src), name(&row.dst))
}

/// Whether `row` is done: DST exists and SRC is gone or a shim.
pub fn done(run: &Run, row: &Row) -> bool {
    let (src, dst) = names(run, row);
    if !exists(run, &dst) {
        return false;
    }
    match run.project.modules.resolve(&src) {
        Some(t) if t.kind != TargetKind::Namespace => {
            crate::source::read_utf8(&run.config.root.join(&t.rel))
                .is_ok_and(|text| text == super::shim::text(&src, &dst))
        }
        _ => true,
    }
}

/// The project files of `src` (its module, or every Python file of its package).
fn code_files(run: &Run, src: &str) -> Vec<String> {
    let Some(t) = run.project.modules.resolve(src) else {
        return Vec::new();
    };
    match t.kind {
        TargetKind::Module => vec![t.rel],
        TargetKind::Package => {
            let dir = t.rel.rsplit_once('/').map_or("", |(d, _)| d);
            files::package_entries(&run.config.root, dir)
                .unwrap_or_default()
                .into_iter()
                .filter(|e| !e.link && (e.rel.ends_with(".py") || e.rel.ends_with(".pyi")))
                .map(|e| e.rel)
                .collect()
        }
        TargetKind::Namespace => Vec::new(),
    }
}

/// Every module name `src`'s code imports (absolute; `from a import b`
/// counts `a` and `a.b`).
fn imported(run: &Run, src: &str, worker: &mut Worker) -> Vec<String> {
    let dynamic: Vec<String> = DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut names = Vec::new();
    for rel in code_files(run, src) {
        let Ok(src) = crate::source::read_source(&run.config.root.join(&rel)) else {
            continue;
        };
        let Some(tree) = worker.parse(&src.text) else {
            continue;
        };
        for site in crate::imports::extract(&tree, &src.text, &dynamic) {
            let Ok(module) = run.project.modules.absolute(
                &rel,
                &site.module,
                site.level,
                site.package.as_deref(),
            ) else {
                continue;
            };
            for n in &site.names {
                names.push(format!("{module}.{}", n.name));
            }
            names.push(module);
        }
    }
    names
}

/// Whether `name` is `src` or inside it.
fn covers(src: &str, name: &str) -> bool {
    name == src || name.starts_with(&format!("{src}."))
}

/// For each row not done, the rows (indices) it depends on that are not
/// done either.
fn dependencies(run: &Run, rows: &[Row], pending: &[usize]) -> Vec<Vec<usize>> {
    let mut worker = Worker::new();
    let mut deps = vec![Vec::new(); rows.len()];
    let srcs: Vec<String> = rows.iter().map(|r| names(run, r).0).collect();
    for &a in pending {
        let imports = imported(run, &srcs[a], &mut worker);
        for &b in pending {
            if a != b && imports.iter().any(|n| covers(&srcs[b], n)) {
                deps[a].push(b);
            }
        }
    }
    deps
}

/// Where a batch stands, read from the tree.
#[derive(Debug, Clone)]
pub struct Survey {
    /// Per row: done.
    pub done: Vec<bool>,
    /// Per row: the rows not done that it waits on.
    pub deps: Vec<Vec<usize>>,
    /// The rows not done, in dependency order (a row after the rows it
    /// depends on; file order otherwise).
    pub order: Vec<usize>,
}

impl Survey {
    /// The rows not done whose dependencies are all done, in order.
    pub fn ready(&self) -> impl Iterator<Item = usize> + '_ {
        self.order
            .iter()
            .copied()
            .filter(|&r| self.deps[r].is_empty())
    }
}

/// Where the batch stands; an error naming the rows of a dependency cycle.
pub fn survey(run: &Run, rows: &[Row]) -> Result<Survey, PromoteError> {
    let done: Vec<bool> = rows.iter().map(|r| self::done(run, r)).collect();
    let pending: Vec<usize> = (0..rows.len()).filter(|&i| !done[i]).collect();
    let deps = dependencies(run, rows, &pending);
    let order = topological(rows, &pending, &deps)?;
    Ok(Survey { done, deps, order })
}

/// Whether `row`'s gate passes now (a row that cannot be planned does not).
pub fn passes(run: &Run, row: &Row) -> Result<bool, PromoteError> {
    let p = super::plan(run, &row.src, &row.dst)?;
    let ws = super::apply_in_memory(run, &p)?;
    Ok(!super::gate(run, &p, &ws).blocked())
}

fn topological(
    rows: &[Row],
    pending: &[usize],
    deps: &[Vec<usize>],
) -> Result<Vec<usize>, PromoteError> {
    let mut out: Vec<usize> = Vec::new();
    let mut left: Vec<usize> = pending.to_vec();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|&r| deps[r].iter().all(|d| out.contains(d)));
        match ready {
            Some(i) => out.push(left.remove(i)),
            None => break,
        }
    }
    if left.is_empty() {
        return Ok(out);
    }
    // Peel off rows that only wait on a cycle: what is left is the cycle.
    loop {
        let free = left
            .iter()
            .position(|&r| !left.iter().any(|&o| deps[o].contains(&r)));
        match free {
            Some(i) => {
                left.remove(i);
            }
            None => break,
        }
    }
    let named: Vec<String> = left.iter().map(|&r| rows[r].to_string()).collect();
    Err(PromoteError::Batch(format!(
        "these rows import each other's SRC, so none can go first: {}; split or merge them",
        named.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Row> {
        (0..n)
            .map(|i| Row {
                line: i + 1,
                src: format!("c.m{i}"),
                dst: format!("core.m{i}"),
            })
            .collect()
    }

    #[test]
    fn rows_are_read_with_their_lines() {
        let r = parse("src\tdst\n# c\n\na.b\tcore.b\n").unwrap();
        assert_eq!(
            r,
            [Row {
                line: 4,
                src: "a.b".into(),
                dst: "core.b".into()
            }]
        );
        let err = parse("a.b core.b\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn dependencies_go_first_and_a_cycle_names_its_rows() {
        let r = rows(4);
        // 0 depends on 1, 1 on 2; 3 is free.
        let deps = vec![vec![1], vec![2], vec![], vec![]];
        assert_eq!(topological(&r, &[0, 1, 2, 3], &deps).unwrap(), [2, 1, 0, 3]);
        // 0 ↔ 1, and 2 waits on 0.
        let deps = vec![vec![1], vec![0], vec![0], vec![]];
        let err = topological(&r, &[0, 1, 2, 3], &deps)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1 (c.m0 → core.m0)"), "{err}");
        assert!(err.contains("line 2 (c.m1 → core.m1)"), "{err}");
        assert!(!err.contains("line 3"), "{err}");
    }
}
