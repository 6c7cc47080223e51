//! What a user runs to see what rulegate will do: `--show-settings` (the
//! config read and the settings it resolves to), `--show-files` (the files
//! a run would check), `-v` (which config, how many files, the time per
//! stage), the warning for a run that finds no Python file, colour choice,
//! and `rulegate completions SHELL`.

use std::fmt::Write;
use std::time::Instant;

use crate::run::Run;

/// `--color`: when the fancy output may use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (`FORCE_COLOR` forces them).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour output that goes to a terminal or not (`terminal`).
    pub(crate) fn enabled(self, terminal: bool) -> bool {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("FORCE_COLOR") => true,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// `--show-settings`: the config file read and what the run resolves.
pub(crate) fn settings(run: &Run) -> String {
    let c = &run.config;
    let mut out = String::new();
    match c.docs.split_first() {
        None => out.push_str("Config: none (the embedded default)\n"),
        Some((first, bases)) => {
            let _ = writeln!(out, "Config: {}", first.name);
            for b in bases {
                let _ = writeln!(out, "  extends {}", b.name);
            }
        }
    }
    let _ = writeln!(out, "Root: {}", c.root.display());
    let packs: Vec<&str> = c.packs.iter().map(|(p, _)| p.as_str()).collect();
    let _ = writeln!(out, "Packs: {}", packs.join(", "));
    let _ = writeln!(out, "Target version: {}", c.target_version);
    let src: Vec<String> = c.src.iter().map(|p| p.display().to_string()).collect();
    let _ = writeln!(out, "Import roots (src): {}", src.join(", "));
    let _ = writeln!(out, "Exclude: {}", c.exclude.patterns().join(", "));
    let _ = writeln!(out, "Lanes (first match wins):");
    for l in &c.lanes {
        let may = l
            .may_import
            .as_ref()
            .map_or("every lane".to_string(), |m| m.join(", "));
        let _ = writeln!(
            out,
            "  {}: {} (may import: {may})",
            l.name,
            l.paths.patterns().join(", ")
        );
    }
    if !c.per_file_ignores.is_empty() {
        let _ = writeln!(out, "Per-file ignores:");
        for p in &c.per_file_ignores {
            let sel: Vec<&str> = p.selectors.iter().map(|(s, _)| s.as_str()).collect();
            let _ = writeln!(out, "  {}: {}", p.pattern, sel.join(", "));
        }
    }
    let _ = writeln!(out, "Central exceptions: {}", c.exceptions.len());
    for e in &c.exceptions {
        let _ = writeln!(out, "  {} in {} until {}", e.rule, e.path_glob, e.expires);
    }
    let _ = writeln!(out, "Rules ({}):", run.rules.rules.len());
    for r in &run.rules.rules {
        let _ = writeln!(out, "  {:<10} {:<8} {}", r.id, r.severity.as_str(), r.pack);
    }
    out
}

/// `-v`: timings of a run's stages, written to standard error as they end.
pub(crate) struct Stages {
    on: bool,
    last: Instant,
}

impl Stages {
    /// Starts timing (`on`: `-v` was given).
    pub(crate) fn start(on: bool) -> Self {
        Self {
            on,
            last: Instant::now(),
        }
    }

    /// Says that `stage` ended, with what it did and how long it took.
    pub(crate) fn done(&mut self, stage: &str, what: &str) {
        if self.on {
            let ms = self.last.elapsed().as_secs_f64() * 1000.0;
            eprintln!("rulegate: {stage}: {what} ({ms:.1} ms)");
        }
        self.last = Instant::now();
    }
}

/// `rulegate completions SHELL`: the completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> String {
    let mut cmd = <super::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rulegate", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
