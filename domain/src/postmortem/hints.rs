//! Blameless writing hints: blaming and hindsight language in a postmortem, each with a neutral
//! rewording or a better question. The same code runs in the editor as one types and on the
//! server (the review lists them); hints never block anything.
//!
//! Two kinds of phrase are found. Some blame whoever they are said of ("human error", "careless",
//! "at fault", "should have"). Others blame only when a person does them: "the deploy failed to
//! start" is a fact about a system, "Sam failed to check" is blame, so these verbs count only after
//! a person (a pronoun, a word for a role, or one of the names the caller knows).
//!
//! `hints_corpus.txt` holds sentences that must and must not be flagged; its test counts misses and
//! false positives.

use serde::{Deserialize, Serialize};

/// One finding: where it is (byte offsets into the text), what was found, and what to write or
/// ask instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hint {
    pub start: usize,
    pub end: usize,
    /// The words as written.
    pub found: String,
    pub suggestion: String,
}

/// Phrases that blame or judge with hindsight whoever they are said of.
const ALWAYS: &[(&str, &str)] = &[
    (
        "human error",
        "Describe what the person saw and why the action made sense then; ask what made the mistake easy to make.",
    ),
    (
        "operator error",
        "Describe the conditions the operator worked in; ask what made this easy to get wrong.",
    ),
    ("user error", "Ask what in the design let this go wrong."),
    ("careless", "Describe what happened, not the person's care; ask what pressures or gaps were there."),
    ("carelessness", "Describe what happened, not the person's care; ask what pressures or gaps were there."),
    ("negligent", "Describe the actions and their context; ask what the system made easy or hard."),
    ("negligence", "Describe the actions and their context; ask what the system made easy or hard."),
    ("incompetent", "Describe the knowledge the situation required and how people could have had it."),
    ("sloppy", "Describe the work and the conditions it was done in."),
    ("lazy", "Describe the trade-off that was made and why it seemed reasonable."),
    ("stupid", "Describe the decision and the information available at the time."),
    ("at fault", "Name the conditions that contributed, not a person at fault."),
    ("his fault", "Name the conditions that contributed, not a person at fault."),
    ("her fault", "Name the conditions that contributed, not a person at fault."),
    ("their fault", "Name the conditions that contributed, not a person at fault."),
    ("my fault", "Name the conditions that contributed, not a person at fault."),
    ("our fault", "Name the conditions that contributed, not a person at fault."),
    ("your fault", "Name the conditions that contributed, not a person at fault."),
    ("to blame", "Describe the contributing factors instead of who is to blame."),
    ("blame", "Describe the contributing factors instead of who is to blame."),
    ("blamed", "Describe the contributing factors instead of who is to blame."),
    ("could have easily", "Hindsight: what made it hard to see at the time?"),
    ("obviously", "It was not obvious then: describe what made it hard to see."),
    ("dropped the ball", "Describe which step did not happen and what would have prompted it."),
    ("screwed up", "Describe the action and its effect neutrally."),
    ("messed up", "Describe the action and its effect neutrally."),
    ("rogue", "Describe the change and how it reached production."),
];

/// Verbs that blame when a person does them.
const BY_A_PERSON: &[(&str, &str)] = &[
    ("failed to", "Ask what made this step easy to miss, and what would have prompted it."),
    ("forgot to", "Ask what would have reminded anyone: a checklist, an alert, a default."),
    ("forgot", "Ask what would have reminded anyone: a checklist, an alert, a default."),
    ("neglected to", "Ask what made this step easy to skip."),
    ("neglected", "Ask what made this step easy to skip."),
    ("ignored", "Ask why the signal did not stand out among the others."),
    ("missed", "Ask what made this easy to miss."),
    ("overlooked", "Ask what made this easy to overlook."),
    ("didn't bother", "Ask what made the step seem unnecessary at the time."),
    ("did not bother", "Ask what made the step seem unnecessary at the time."),
    ("didn't check", "Ask what would have made checking the natural thing to do."),
    ("did not check", "Ask what would have made checking the natural thing to do."),
    ("didn't follow", "Ask whether the procedure fit the situation, and how people learn it."),
    ("did not follow", "Ask whether the procedure fit the situation, and how people learn it."),
    ("broke", "Describe the change and its effect, not who made it."),
    ("caused", "Describe the change and its effect, not who made it."),
    ("messed", "Describe the action and its effect neutrally."),
];

/// Hindsight: "should have" followed by what should have been done ("should have caught"), not
/// a design statement ("the cache should have a TTL").
const HINDSIGHT: &[&str] =
    &["should have", "should've", "shouldn't have", "should not have", "ought to have"];
const HINDSIGHT_HINT: &str = "Hindsight: describe what was known at the time, and ask what would have made the better path the easy one.";

/// Whether the word after `end` reads as a past participle.
fn participle_after(lower: &str, end: usize) -> bool {
    let word: String = lower[end..].trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    const IRREGULAR: &[&str] = &[
        "been", "known", "seen", "done", "run", "caught", "put", "set", "hit", "read", "let", "gone", "had",
        "taken", "sent", "kept", "thought", "told", "made", "built",
    ];
    IRREGULAR.contains(&word.as_str()) || (word.len() > 3 && word.ends_with("ed"))
}

/// Words standing for a person, besides the names a caller passes.
const PEOPLE: &[&str] = &[
    "i",
    "we",
    "he",
    "she",
    "they",
    "you",
    "someone",
    "somebody",
    "nobody",
    "no one",
    "everyone",
    "the engineer",
    "an engineer",
    "the developer",
    "a developer",
    "the operator",
    "an operator",
    "the on-call",
    "the on-call engineer",
    "the oncall",
    "the responder",
    "the commander",
    "the reviewer",
    "the author",
    "the team",
    "the sre",
    "an sre",
    "the admin",
    "the administrator",
    "the intern",
    "the new hire",
    "ops",
    "the dba",
];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'\'' || b >= 0x80
}

/// Every whole-word, case-insensitive occurrence of `phrase` in `lower` (the text lower-cased,
/// ASCII only, so offsets are the text's).
fn occurrences(lower: &str, phrase: &str) -> Vec<usize> {
    let bytes = lower.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(phrase) {
        let start = from + i;
        let end = start + phrase.len();
        let before = start == 0 || !is_word_byte(bytes[start - 1]);
        let after = end == bytes.len() || !is_word_byte(bytes[end]);
        if before && after {
            found.push(start);
        }
        from = start + phrase.len().max(1);
    }
    found
}

/// The person (one of `PEOPLE` or `names`) that ends right before `at`, with only spaces (and an
/// adverb such as "just" or "simply") between.
fn person_before(lower: &str, at: usize, names: &[String]) -> bool {
    let mut head = lower[..at].trim_end();
    for adverb in ["just", "simply", "then", "also", "again", "clearly", "completely", "somehow"] {
        if let Some(rest) = head.strip_suffix(adverb)
            && (rest.is_empty() || rest.ends_with(|c: char| !c.is_alphanumeric()))
        {
            head = rest.trim_end();
        }
    }
    let ends_with_word = |w: &str| {
        head.ends_with(w) && {
            let start = head.len() - w.len();
            start == 0 || !is_word_byte(head.as_bytes()[start - 1])
        }
    };
    PEOPLE.iter().any(|p| ends_with_word(p)) || names.iter().any(|n| !n.is_empty() && ends_with_word(n))
}

/// The hints for `text`. `names` are the people the caller knows (the incident's responders):
/// "Sam broke the build" blames Sam; "the deploy broke the build" blames nobody.
pub fn hints(text: &str, names: &[&str]) -> Vec<Hint> {
    let lower = text.to_ascii_lowercase();
    let names: Vec<String> = names
        .iter()
        .flat_map(|n| {
            let n = n.trim().to_ascii_lowercase();
            // A full name and its first word ("Priya Patel", "Priya").
            let first = n.split_whitespace().next().unwrap_or("").to_owned();
            [n, first]
        })
        .filter(|n| n.len() >= 2)
        .collect();
    let mut found: Vec<Hint> = Vec::new();
    let mut add = |start: usize, len: usize, suggestion: &str| {
        let end = start + len;
        // A longer phrase found first ("human error") wins over one inside it.
        if found.iter().any(|h| start < h.end && h.start < end) {
            return;
        }
        found.push(Hint {
            start,
            end,
            found: text[start..end].to_owned(),
            suggestion: suggestion.to_owned(),
        });
    };
    let mut always: Vec<&(&str, &str)> = ALWAYS.iter().collect();
    always.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (phrase, suggestion) in always {
        for start in occurrences(&lower, phrase) {
            add(start, phrase.len(), suggestion);
        }
    }
    for phrase in HINDSIGHT {
        for start in occurrences(&lower, phrase) {
            if participle_after(&lower, start + phrase.len()) {
                add(start, phrase.len(), HINDSIGHT_HINT);
            }
        }
    }
    let mut verbs: Vec<&(&str, &str)> = BY_A_PERSON.iter().collect();
    verbs.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (phrase, suggestion) in verbs {
        for start in occurrences(&lower, phrase) {
            if person_before(&lower, start, &names) {
                add(start, phrase.len(), suggestion);
            }
        }
    }
    found.sort_by_key(|h| h.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blaming_phrase_is_found_with_its_place_and_a_rewording() {
        let text = "Root cause: human error during the deploy.";
        let h = hints(text, &[]);
        assert_eq!(h.len(), 1);
        assert_eq!(&text[h[0].start..h[0].end], "human error");
        assert!(h[0].suggestion.contains("easy to make"));
    }

    #[test]
    fn verbs_blame_only_people() {
        assert!(hints("The migration failed to finish.", &[]).is_empty());
        let h = hints("Priya failed to check the dashboard.", &["Priya Patel"]);
        assert_eq!(h.iter().map(|h| h.found.as_str()).collect::<Vec<_>>(), ["failed to"]);
        assert_eq!(hints("The engineer simply forgot to renew it.", &[]).len(), 1);
        assert!(hints("A fault injection test found it.", &[]).is_empty());
    }

    #[test]
    fn offsets_stay_right_after_other_scripts() {
        let text = "Café team: they ignored the alert.";
        let h = hints(text, &[]);
        assert_eq!(h.len(), 1);
        assert_eq!(&text[h[0].start..h[0].end], "ignored");
    }

    /// The corpus: every `bad:` line must give at least one hint, no `good:` line any. Both
    /// numbers are printed, so a change to the rules shows what it gains and costs.
    #[test]
    fn the_corpus_of_good_and_bad_sentences() {
        let corpus = include_str!("hints_corpus.txt");
        let names = ["Sam Okafor", "Priya Patel", "Lee"];
        let (mut bad, mut missed, mut good, mut false_positives) = (0, Vec::new(), 0, Vec::new());
        for line in corpus.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            if let Some(s) = line.strip_prefix("bad:") {
                bad += 1;
                if hints(s, &names).is_empty() {
                    missed.push(s.trim());
                }
            } else if let Some(s) = line.strip_prefix("good:") {
                good += 1;
                if !hints(s, &names).is_empty() {
                    false_positives.push(s.trim());
                }
            }
        }
        println!(
            "{bad} blaming sentences, {} missed; {good} neutral ones, {} flagged",
            missed.len(),
            false_positives.len()
        );
        assert!(bad >= 30 && good >= 30, "a corpus worth the name");
        assert!(missed.is_empty(), "missed: {missed:#?}");
        assert!(false_positives.is_empty(), "false positives: {false_positives:#?}");
    }
}
