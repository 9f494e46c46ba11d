//! Recurrence: earlier incidents that look like this one, found for the author to confirm or
//! dismiss. A shared root-cause tag is the strongest sign; then a shared service with similar
//! title words. Pure ranking over what the caller read.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// An earlier incident as the ranking sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Past {
    pub number: i64,
    pub title: String,
    pub services: Vec<String>,
    pub root_causes: Vec<String>,
}

/// A candidate with why it was offered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Match {
    pub number: i64,
    pub score: f64,
    /// Root-cause tags both carry.
    pub shared_root_causes: Vec<String>,
    /// Services both touched.
    pub shared_services: Vec<String>,
    /// How alike the titles are, 0 to 1 (shared words over all words).
    pub title_similarity: f64,
}

const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "on", "in", "to", "for", "with", "from", "at", "by", "is", "are",
    "was", "be", "not", "no", "some", "all", "after", "during",
];

/// The words of a title that say something: lower-cased, without stop words and short tokens.
pub fn title_words(title: &str) -> BTreeSet<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() > 2 && !STOP.contains(&w.as_str()))
        .collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 { 0.0 } else { a.intersection(b).count() as f64 / union as f64 }
}

/// Title similarity at which a shared service makes a candidate.
pub const SIMILAR_TITLE: f64 = 0.2;

/// Ranks `earlier` against this incident: every one sharing a root-cause tag, and every one
/// sharing a service whose title is alike; best first (shared root causes, then services and
/// title likeness, then the more recent, the larger number).
pub fn rank(title: &str, services: &[String], root_causes: &[String], earlier: &[Past]) -> Vec<Match> {
    let words = title_words(title);
    let norm = |v: &[String]| -> BTreeSet<String> { v.iter().map(|s| s.trim().to_lowercase()).collect() };
    let (causes, services) = (norm(root_causes), norm(services));
    let mut found: Vec<Match> = earlier
        .iter()
        .filter_map(|p| {
            let shared_root_causes: Vec<String> =
                causes.intersection(&norm(&p.root_causes)).cloned().collect();
            let shared_services: Vec<String> = services.intersection(&norm(&p.services)).cloned().collect();
            let title_similarity = jaccard(&words, &title_words(&p.title));
            let candidate = !shared_root_causes.is_empty()
                || (!shared_services.is_empty() && title_similarity >= SIMILAR_TITLE);
            candidate.then_some(Match {
                number: p.number,
                score: 10.0 * shared_root_causes.len() as f64
                    + shared_services.len() as f64
                    + 2.0 * title_similarity,
                shared_root_causes,
                shared_services,
                title_similarity,
            })
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.number.cmp(&a.number)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn past(number: i64, title: &str, services: &[&str], causes: &[&str]) -> Past {
        Past {
            number,
            title: title.into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            root_causes: causes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_shared_root_cause_ranks_first_then_service_and_title() {
        let earlier = [
            past(13, "Checkout errors after deploy", &["payments"], &["connection-pool-exhaustion"]),
            past(19, "Checkout failing slowly", &["payments"], &[]),
            past(20, "Search index rebuild", &["search"], &[]),
            past(21, "Database connections exhausted", &["core-api"], &["connection-pool-exhaustion"]),
            past(22, "Invoices late", &["payments"], &[]),
        ];
        let ranked = rank(
            "Checkout failing: connection pool exhausted",
            &["payments".into()],
            &["Connection-Pool-Exhaustion".into()],
            &earlier,
        );
        let numbers: Vec<i64> = ranked.iter().map(|m| m.number).collect();
        // 13 shares the cause and the service; 21 the cause; 19 the service and two title words.
        assert_eq!(numbers, [13, 21, 19]);
        assert_eq!(ranked[0].shared_root_causes, ["connection-pool-exhaustion"]);
        assert_eq!(ranked[2].shared_services, ["payments"]);
        assert!(ranked[2].title_similarity >= SIMILAR_TITLE);
    }

    #[test]
    fn a_shared_service_alone_is_not_enough() {
        let earlier = [past(22, "Invoices late", &["payments"], &[])];
        assert!(rank("Checkout failing", &["payments".into()], &[], &earlier).is_empty());
    }

    #[test]
    fn title_words_leave_out_the_filler() {
        let w = title_words("The API is down for all EU customers");
        assert_eq!(w.into_iter().collect::<Vec<_>>(), ["api", "customers", "down"]);
    }
}
