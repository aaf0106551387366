//! An evidence text as a learner reads it: the plain reason first, the rule's comparison (its numbers and line)
//! after. `judging` writes "<comparison>: <verdict>." and then the branch's reason.

use crate::verdict_types::Verdict;

/// How long the reason shown in a table cell may be; the whole evidence sits behind a disclosure.
pub const REASON_CHARS: usize = 220;

/// (the rule's comparison, the reason to show): the reason is the plain words after the comparison or, where the
/// evidence is only the comparison, that; cut to at most `REASON_CHARS` characters at a sentence or a word.
pub fn parts(evidence: &str) -> (String, String) {
    let (rule, reason) = split_evidence(evidence);
    let shown = if reason.is_empty() { &rule } else { &reason };
    let shown = shorten(shown, REASON_CHARS);
    (rule, shown)
}

/// The evidence as (the rule's comparison, the plain words after it). The comparison is the sentence that ends
/// with its verdict (`judging` writes "<comparison>: <verdict>." and then the branch's reason); evidence with no
/// such sentence is all reason.
pub fn split_evidence(text: &str) -> (String, String) {
    let marker = Verdict::ALL
        .iter()
        .filter_map(|v| text.find(&format!(": {}", v.label())).map(|i| i + 2 + v.label().len()))
        .min();
    let Some(after) = marker else {
        return (String::new(), text.trim().to_string());
    };
    // The sentence ends at the first full stop after the verdict (a note in brackets may come between).
    let end = text[after..].find(". ").map(|i| after + i + 1).unwrap_or(text.len());
    (text[..end].trim().to_string(), text[end..].trim().to_string())
}

/// `text` in at most `max` characters: whole sentences where they fit, else cut at a word, with "…".
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    if let Some(i) = cut.rfind(". ").filter(|&i| i >= max / 3) {
        return cut[..=i].to_string();
    }
    let ends_a_word = text.chars().nth(max).is_some_and(char::is_whitespace);
    let at_word = if ends_a_word { cut.as_str() } else { cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]) };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_splits_into_the_rule_and_its_reason() {
        let (rule, reason) = split_evidence(
            "time per document (39.8 ms / 0.038 ms) 1047x > 100x: confirmed. Each document is a walk. More words.",
        );
        assert_eq!(rule, "time per document (39.8 ms / 0.038 ms) 1047x > 100x: confirmed.");
        assert_eq!(reason, "Each document is a walk. More words.");
        let close = "a 1.04x < 1.05x: refined (within 10% of the line, so not a clear outcome). Too close to call.";
        assert_eq!(split_evidence(close).1, "Too close to call.");
        assert_eq!(split_evidence("x 3 > 2: contradicted.").0, "x 3 > 2: contradicted.");
        // No comparison decided: all of it is the reason.
        assert_eq!(split_evidence("Rust has no GIL. Measured instead: 1.97 cores.").0, "");
        assert_eq!(parts("x 3 > 2: confirmed."), ("x 3 > 2: confirmed.".into(), "x 3 > 2: confirmed.".into()));
    }

    #[test]
    fn a_long_reason_is_cut_at_a_sentence_or_a_word_never_inside_one() {
        assert_eq!(shorten("Short enough.", 40), "Short enough.");
        let two = "The first sentence is here. The second one runs on and on past the limit";
        assert_eq!(shorten(two, 40), "The first sentence is here.");
        let one = "a single sentence that runs on, and on past the limit";
        let cut = shorten(one, 35);
        assert_eq!(cut, "a single sentence that runs on, and…");
        assert!(one.starts_with(cut.trim_end_matches('…')));
    }
}
