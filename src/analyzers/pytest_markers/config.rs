//! The pytest config file pytest itself would select for a folder, read for
//! what PYT001 needs: whether markers are strict and which are registered.
//!
//! pytest looks in each folder from the start upwards, and in each folder
//! takes the first of `pytest.toml`, `.pytest.toml`, `pytest.ini`,
//! `.pytest.ini` (these even when empty), `pyproject.toml` with a
//! `[tool.pytest]` or `[tool.pytest.ini_options]` table, `tox.ini` with a
//! `[pytest]` section, `setup.cfg` with a `[tool:pytest]` section.

use std::path::Path;

/// What PYT001 reads of the selected pytest config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PytestConfig {
    /// Project-relative path of the file.
    pub rel: String,
    /// Its text (for the registration fix).
    pub text: String,
    /// Which kind of file it is.
    pub format: Format,
    /// `--strict-markers` (or the old `--strict`) in `addopts`: strict
    /// under every pytest.
    pub strict_addopts: bool,
    /// `strict_markers`, else `strict`, true: keys only pytest 9 reads
    /// (pytest 8 ignores them), see [`PytestConfig::strict`].
    pub strict_ini: bool,
    /// The file itself needs pytest ≥ 9: a `minversion` of 9 or more, or a
    /// format only pytest 9 reads (`pytest.toml`, a native `[tool.pytest]`).
    pub needs_nine: bool,
    /// The names its `markers` registers.
    pub markers: Vec<String>,
}

/// The syntax of a pytest config file, and the section pytest reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// An INI file and its section name (`pytest`, `tool:pytest`).
    #[default]
    Ini,
    /// `pytest.toml` (`[pytest]`).
    PytestToml,
    /// `pyproject.toml` (`[tool.pytest.ini_options]` or `[tool.pytest]`).
    Pyproject,
}

/// The candidates of one folder, in pytest's order: (file name, format, section).
const CANDIDATES: &[(&str, Format, &str)] = &[
    ("pytest.toml", Format::PytestToml, "pytest"),
    (".pytest.toml", Format::PytestToml, "pytest"),
    ("pytest.ini", Format::Ini, "pytest"),
    (".pytest.ini", Format::Ini, "pytest"),
    ("pyproject.toml", Format::Pyproject, ""),
    ("tox.ini", Format::Ini, "pytest"),
    ("setup.cfg", Format::Ini, "tool:pytest"),
];

/// The config pytest selects in folder `dir` (project-relative `rel_dir`),
/// if any; `read` reads a file (recording it for the cache).
pub fn in_folder(
    dir: &Path,
    rel_dir: &str,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<PytestConfig> {
    CANDIDATES.iter().find_map(|&(name, _, _)| {
        let text = read(&dir.join(name))?;
        let rel = if rel_dir.is_empty() {
            name.to_string()
        } else {
            format!("{rel_dir}/{name}")
        };
        from_text(rel, text)
    })
}

/// The candidate at `rel` with `text`, if pytest would select it (a
/// `pytest.ini` or `pytest.toml` always; the others with their section).
pub fn from_text(rel: String, text: String) -> Option<PytestConfig> {
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    let &(name, format, section) = CANDIDATES.iter().find(|(n, _, _)| *n == name)?;
    let settings = match format {
        Format::Ini => ini_settings(&text, section),
        Format::PytestToml | Format::Pyproject => toml_settings(&text, format),
    };
    // pytest.ini and pytest.toml are chosen even without their section.
    let always = name.starts_with("pytest.") || name.starts_with(".pytest.");
    let settings = match settings {
        Some(s) => s,
        None if always => Settings::default(),
        None => return None,
    };
    let needs_nine = settings.native
        || format == Format::PytestToml
        || settings
            .minversion
            .as_deref()
            .and_then(super::version::major)
            .is_some_and(|m| m >= 9);
    Some(PytestConfig {
        rel,
        strict_addopts: settings.strict_addopts(),
        strict_ini: settings.strict_markers.or(settings.strict).unwrap_or(false),
        needs_nine,
        markers: settings.markers,
        text,
        format,
    })
}

impl PytestConfig {
    /// Whether markers are strict under the pytest the project runs:
    /// `nine` says whether that is pytest ≥ 9 (from its declarations or
    /// its environment), `None` when unknown. `addopts` counts for every
    /// pytest; the ini keys only where pytest ≥ 9 is sure (when unknown,
    /// only if the file itself needs pytest 9), since pytest 8 ignores them.
    pub fn strict(&self, nine: Option<bool>) -> bool {
        self.strict_addopts || (self.strict_ini && nine.unwrap_or(self.needs_nine))
    }
}

/// The settings PYT001 reads, as written.
#[derive(Debug, Default)]
struct Settings {
    addopts: Vec<String>,
    strict_markers: Option<bool>,
    strict: Option<bool>,
    markers: Vec<String>,
    minversion: Option<String>,
    /// Read from a native `[tool.pytest]` table (pytest 9's format).
    native: bool,
}

impl Settings {
    fn strict_addopts(&self) -> bool {
        self.addopts
            .iter()
            .any(|o| o == "--strict-markers" || o == "--strict")
    }
}

/// The marker name of a `markers` entry (`slow: runs long`, `env(name): …`).
fn marker_name(entry: &str) -> Option<String> {
    let name: String = entry
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// pytest's reading of a boolean ini value.
fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" | "t" => Some(true),
        "0" | "false" | "no" | "n" | "off" | "f" => Some(false),
        _ => None,
    }
}

/// The `section` of an INI file as (key, value) pairs: `key = value` or
/// `key: value`, indented lines continuing the value, `#`/`;` comments.
/// `None` when the file has no such section.
pub fn ini_section(text: &str, section: &str) -> Option<Vec<(String, String)>> {
    let mut found = false;
    let mut inside = false;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            inside = name.trim() == section;
            found |= inside;
            continue;
        }
        if !inside || trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = pairs.last_mut() {
                value.push('\n');
                value.push_str(trimmed);
            }
            continue;
        }
        if let Some(at) = trimmed.find(['=', ':']) {
            let (key, value) = trimmed.split_at(at);
            pairs.push((key.trim().to_string(), value[1..].trim().to_string()));
        }
    }
    found.then_some(pairs)
}

fn ini_settings(text: &str, section: &str) -> Option<Settings> {
    let mut s = Settings::default();
    for (key, value) in ini_section(text, section)? {
        match key.as_str() {
            "addopts" => s.addopts = value.split_whitespace().map(String::from).collect(),
            "strict_markers" => s.strict_markers = truthy(&value),
            "strict" => s.strict = truthy(&value),
            "minversion" => s.minversion = Some(value),
            "markers" => s.markers = value.lines().filter_map(marker_name).collect(),
            _ => {}
        }
    }
    Some(s)
}

fn toml_settings(text: &str, format: Format) -> Option<Settings> {
    let doc: toml::Table = text.parse().ok()?;
    let mut native = false;
    let table = match format {
        Format::PytestToml => doc.get("pytest")?.as_table()?.clone(),
        _ => {
            let pytest = doc.get("tool")?.get("pytest")?.as_table()?;
            // `[tool.pytest.ini_options]` (INI-style values) or, since
            // pytest 9, `[tool.pytest]` itself (native TOML values).
            match pytest.get("ini_options").and_then(|t| t.as_table()) {
                Some(ini) => ini.clone(),
                None => {
                    native = true;
                    pytest.clone()
                }
            }
        }
    };
    let strings = |v: &toml::Value| -> Vec<String> {
        match v {
            toml::Value::String(s) => s.split_whitespace().map(String::from).collect(),
            toml::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    };
    let boolean = |v: &toml::Value| match v {
        toml::Value::Boolean(b) => Some(*b),
        toml::Value::String(s) => truthy(s),
        _ => None,
    };
    let mut s = Settings {
        native,
        ..Settings::default()
    };
    s.minversion = table.get("minversion").and_then(|v| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        _ => None,
    });
    if let Some(v) = table.get("addopts") {
        s.addopts = strings(v);
    }
    s.strict_markers = table.get("strict_markers").and_then(boolean);
    s.strict = table.get("strict").and_then(boolean);
    s.markers = match table.get("markers") {
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().and_then(marker_name))
            .collect(),
        Some(toml::Value::String(text)) => text.lines().filter_map(marker_name).collect(),
        _ => Vec::new(),
    };
    Some(s)
}

/// The edit that registers `name` in `config`'s `markers`: (byte offset,
/// text to insert); `None` where the file's layout is not one this writes
/// safely (a TOML `markers` that is not a one-line or a multi-line array).
pub fn registration(config: &PytestConfig, name: &str) -> Option<(usize, String)> {
    let text = &config.text;
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let description = "registered by rulegate (describe it)";
    match config.format {
        Format::Ini => {
            let section = if config.rel.ends_with("setup.cfg") {
                "tool:pytest"
            } else {
                "pytest"
            };
            let (header_end, markers_end) = ini_places(text, section)?;
            Some(match markers_end {
                Some(end) => (end, format!("{nl}    {name}: {description}")),
                None => (
                    header_end,
                    format!("{nl}markers ={nl}    {name}: {description}"),
                ),
            })
        }
        Format::PytestToml | Format::Pyproject => {
            let entry = format!("\"{name}: {description}\"");
            // A `markers = [` array: the new entry goes first, so the
            // array's closing (one line or many) is never touched.
            let at = text
                .find("markers = [")
                .or_else(|| text.find("markers=["))?;
            let open = at + text[at..].find('[')? + 1;
            let empty = text[open..].trim_start().starts_with(']');
            let sep = if empty { "" } else { ", " };
            Some((open, format!("{entry}{sep}")))
        }
    }
}

/// In an INI file: the end of `[section]`'s header line, and the end of
/// the last line of its `markers` value (when it has one).
fn ini_places(text: &str, section: &str) -> Option<(usize, Option<usize>)> {
    let mut offset = 0;
    let mut header_end = None;
    let mut markers_end = None;
    let mut in_markers = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let end = offset + body.len();
        let trimmed = body.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            if header_end.is_some() {
                break;
            }
            if name.trim() == section {
                header_end = Some(end);
            }
        } else if header_end.is_some() {
            let continues = body.starts_with([' ', '\t']) && !trimmed.is_empty();
            if in_markers && continues {
                markers_end = Some(end);
            } else if !body.starts_with([' ', '\t']) {
                in_markers = trimmed.starts_with("markers")
                    && trimmed["markers".len()..]
                        .trim_start()
                        .starts_with(['=', ':']);
                if in_markers {
                    markers_end = Some(end);
                }
            }
        }
        offset += line.len();
    }
    Some((header_end?, markers_end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn select(files: &[(&str, &str)]) -> Option<PytestConfig> {
        let files: HashMap<String, String> = files
            .iter()
            .map(|(n, t)| (format!("/p/{n}"), t.to_string()))
            .collect();
        in_folder(Path::new("/p"), "", &|p: &Path| {
            files.get(&p.to_string_lossy().into_owned()).cloned()
        })
    }

    #[test]
    fn pytest_picks_the_first_candidate_by_its_rules() {
        let ini = "[pytest]\naddopts = -ra --strict-markers\nmarkers =\n    slow: takes long\n    env(name): needs env\n";
        let c = select(&[("pytest.ini", ini), ("tox.ini", "[pytest]\n")]).unwrap();
        assert_eq!(c.rel, "pytest.ini");
        assert!(c.strict_addopts && c.strict(Some(false)));
        assert_eq!(c.markers, ["slow", "env"]);
        // An empty pytest.ini still wins over a pyproject.toml.
        let py = "[tool.pytest.ini_options]\nstrict_markers = true\n";
        let c = select(&[("pytest.ini", ""), ("pyproject.toml", py)]).unwrap();
        assert_eq!(
            (c.rel.as_str(), c.strict(Some(true))),
            ("pytest.ini", false)
        );
        // A pyproject.toml without a pytest table is skipped; tox.ini's
        // section is [pytest], setup.cfg's [tool:pytest].
        let c = select(&[
            ("pyproject.toml", "[project]\nname = 'x'\n"),
            ("tox.ini", "[tox]\n"),
            ("setup.cfg", "[tool:pytest]\nstrict = true\n"),
        ])
        .unwrap();
        assert_eq!((c.rel.as_str(), c.strict_ini), ("setup.cfg", true));
        let c = select(&[("pyproject.toml", py)]).unwrap();
        assert!(c.strict_ini && !c.strict_addopts);
        let native = "[tool.pytest]\naddopts = [\"--strict-markers\"]\nmarkers = [\"slow: x\"]\n";
        let c = select(&[("pyproject.toml", native)]).unwrap();
        assert!(c.strict(None));
        assert_eq!(c.markers, ["slow"]);
        // strict_markers overrides strict.
        let c = select(&[(
            "pytest.ini",
            "[pytest]\nstrict = true\nstrict_markers = false\n",
        )]);
        assert!(!c.unwrap().strict(Some(true)));
        assert_eq!(select(&[("setup.cfg", "[flake8]\n")]), None);
    }

    #[test]
    fn the_ini_keys_are_strict_only_under_pytest_nine() {
        // pytest 8 ignores `strict_markers` and `strict`; pytest 9 reads them.
        for text in [
            "[pytest]\nstrict_markers = true\n",
            "[pytest]\nstrict = true\n",
        ] {
            let c = select(&[("pytest.ini", text)]).unwrap();
            assert!(!c.strict(Some(false)), "{text}");
            assert!(c.strict(Some(true)), "{text}");
            assert!(!c.strict(None), "unknown pytest: not guessed, {text}");
        }
        // The file itself may need pytest 9: `minversion`, or its format.
        let c = select(&[(
            "pytest.ini",
            "[pytest]\nminversion = 9.0\nstrict_markers = 1\n",
        )]);
        assert!(c.unwrap().strict(None));
        let c = select(&[(
            "pytest.ini",
            "[pytest]\nminversion = 8.0\nstrict_markers = 1\n",
        )]);
        assert!(!c.unwrap().strict(None));
        let c = select(&[("pytest.toml", "[pytest]\nstrict_markers = true\n")]);
        assert!(c.unwrap().strict(None));
        let c = select(&[("pyproject.toml", "[tool.pytest]\nstrict_markers = true\n")]);
        assert!(c.unwrap().strict(None));
        let c = select(&[(
            "pyproject.toml",
            "[tool.pytest.ini_options]\nminversion = \"9\"\nstrict = true\n",
        )]);
        assert!(c.unwrap().strict(None));
        // What the project declares wins over the file's hints.
        let c = select(&[("pytest.toml", "[pytest]\nstrict_markers = true\n")]);
        assert!(!c.unwrap().strict(Some(false)));
    }

    #[test]
    fn registration_edits_keep_the_file_readable() {
        let apply = |name: &str, text: &str| {
            let c = select(&[(name, text)]).unwrap();
            let (at, insert) = registration(&c, "smoke").unwrap();
            let mut out = text.to_string();
            out.insert_str(at, &insert);
            let again = select(&[(name, &out)]).unwrap();
            assert!(again.markers.contains(&"smoke".to_string()), "{out}");
            out
        };
        let out = apply(
            "pytest.ini",
            "[pytest]\nmarkers =\n    slow: long\naddopts = -q\n",
        );
        assert_eq!(
            out,
            "[pytest]\nmarkers =\n    slow: long\n    smoke: registered by rulegate (describe it)\naddopts = -q\n"
        );
        apply("tox.ini", "[tox]\nenv = py\n[pytest]\naddopts = -q\n");
        apply(
            "pyproject.toml",
            "[tool.pytest.ini_options]\nmarkers = [\n  \"slow: long\",\n]\n",
        );
        apply(
            "pyproject.toml",
            "[tool.pytest.ini_options]\nmarkers = []\n",
        );
    }
}
