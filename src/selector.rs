//! Rule selectors as ruff reads them (SPEC §1, "ruff's conventions"): a
//! selector is `ALL`, a rule id or a prefix of one; one that names no rule
//! is an error with the closest id suggested, never a silent pass; and when
//! `select` and `ignore` both match a rule, the more specific selector wins
//! (`--select E402 --ignore E4` keeps E402; at equal specificity the ignore
//! wins).

/// How specific `selector` is for `id`: `None` when it does not match,
/// else 0 for `ALL` and the prefix's length otherwise.
fn specificity(selector: &str, id: &str) -> Option<usize> {
    if selector == "ALL" {
        Some(0)
    } else {
        id.starts_with(selector).then_some(selector.len())
    }
}

/// The most specific selector of `list` that matches `id`.
fn best(list: &[String], id: &str) -> Option<usize> {
    list.iter().filter_map(|s| specificity(s, id)).max()
}

/// Whether rule `id` runs under `select` (empty: every rule) and `ignore`.
pub fn selected(id: &str, select: &[String], ignore: &[String]) -> bool {
    let chosen = if select.is_empty() {
        Some(0)
    } else {
        best(select, id)
    };
    match (chosen, best(ignore, id)) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(s), Some(i)) => s > i,
    }
}

/// `select` with `extend` added, as ruff's `--extend-select` adds to the
/// selection: an empty `select` means every rule, so it stays that.
pub fn extended(select: &[String], extend: &[String]) -> Vec<String> {
    if extend.is_empty() {
        return select.to_vec();
    }
    let mut out = if select.is_empty() {
        vec!["ALL".to_string()]
    } else {
        select.to_vec()
    };
    out.extend(extend.iter().cloned());
    out
}

/// The error for each selector that names no rule of `ids` (a rule id, a
/// prefix of one, or `ALL`), with the closest id suggested.
pub fn unknown<'a>(
    selectors: &[String],
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Vec<String> {
    selectors
        .iter()
        .filter(|s| {
            // An empty selector would be a prefix of every id: a slip, not "all".
            s.is_empty() || (*s != "ALL" && !ids.clone().any(|id| id.starts_with(s.as_str())))
        })
        .map(|s| {
            let hint = closest(s, ids.clone())
                .map(|id| format!("; did you mean `{id}`?"))
                .unwrap_or_default();
            format!(
                "unknown rule selector `{s}`: it is not a rule id, a prefix of one, or `ALL`{hint}"
            )
        })
        .collect()
}

/// The id closest to `selector` (case-insensitive edit distance), if any
/// is close enough to be a plausible typo.
pub fn closest<'a>(selector: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = selector.to_ascii_uppercase();
    ids.map(|id| (strsim::levenshtein(&wanted, id), id))
        .filter(|(d, id)| *d <= (id.len() / 2).max(1))
        .min()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn select_and_ignore_by_prefix() {
        assert!(selected("E402", &[], &[]));
        assert!(selected("E402", &s(&["E4"]), &[]));
        assert!(!selected("RUN001", &s(&["E4"]), &[]));
        assert!(!selected("SUP004", &[], &s(&["SUP"])));
        assert!(selected("SUP004", &s(&["ALL"]), &s(&["SUP001"])));
    }

    #[test]
    fn the_more_specific_selector_wins_as_in_ruff() {
        assert!(selected("E402", &s(&["E402"]), &s(&["E4"])));
        assert!(!selected("E402", &s(&["E4"]), &s(&["E402"])));
        assert!(
            !selected("E402", &s(&["E402"]), &s(&["E402"])),
            "a tie: ignore"
        );
        assert!(!selected("E402", &s(&["ALL"]), &s(&["ALL"])));
        assert!(selected("TODO002", &s(&["TODO002"]), &s(&["ALL"])));
    }

    #[test]
    fn extend_select_adds_to_the_selection() {
        assert_eq!(extended(&[], &[]), Vec::<String>::new());
        assert_eq!(extended(&[], &s(&["LEG"])), s(&["ALL", "LEG"]));
        assert_eq!(extended(&s(&["E4"]), &s(&["LEG"])), s(&["E4", "LEG"]));
    }

    #[test]
    fn unknown_selectors_are_named_with_the_closest_id() {
        let ids = ["E402", "LEG001", "RUN001", "TODO001"];
        let errors = unknown(
            &s(&["E4O2", "e402x", "RUN01", "E4", "ALL", "NOPE9", ""]),
            ids.iter().copied(),
        );
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].contains("`E4O2`") && errors[0].ends_with("did you mean `E402`?"));
        assert!(errors[1].contains("`e402x`") && errors[1].ends_with("did you mean `E402`?"));
        assert!(errors[2].ends_with("did you mean `RUN001`?"));
        assert!(!errors[3].contains("did you mean"), "{}", errors[3]);
    }
}
