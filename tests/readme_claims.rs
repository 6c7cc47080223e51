//! The README's measured claims agree with each other: a number quoted in
//! two places (the campaign guide and the rule's own section) is the same
//! number, so a reader never has to guess which one is true.

/// Every "moves the imports of A of B" claim of the README: (A, B).
fn e402_moves(readme: &str) -> Vec<(u32, u32)> {
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    for (at, _) in flat.match_indices("moves the imports of ") {
        let rest = &flat[at + "moves the imports of ".len()..];
        let words: Vec<&str> = rest.split(' ').filter(|w| *w != "the").take(3).collect();
        if let [a, "of", b] = words[..]
            && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
        {
            out.push((a, b));
        }
    }
    out
}

#[test]
fn the_e402_fix_is_quoted_with_one_set_of_numbers() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let moves = e402_moves(&readme);
    assert!(moves.len() >= 2, "the claim is quoted twice: {moves:?}");
    assert!(
        moves.windows(2).all(|w| w[0] == w[1]),
        "the README quotes E402's fix with different numbers: {moves:?}"
    );
    // What it does not move, it refuses: the rest, as the README says.
    let (moved, total) = moves[0];
    let refused = total - moved;
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("the {refused} left")) || flat.contains(&format!("other {refused}")),
        "the refusals ({refused}) are named"
    );
}

#[test]
fn the_claim_reader_reads_claims() {
    let text =
        "fix moves the imports of 12 of the\n387 findings; and moves the imports of 375 of 387";
    assert_eq!(e402_moves(text), [(12, 387), (375, 387)]);
}
