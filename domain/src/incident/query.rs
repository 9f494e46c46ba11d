//! Finding incidents: the dashboard's filters and its keyset pagination.

use serde::{Deserialize, Serialize};

use super::{IncidentStatus, IncidentView, Severity};
use crate::{FieldError, team::Slug};

/// Filters as they arrive in a query string (`?status=open&severity=SEV1,SEV2&mine=true`) or a
/// form. Lists are comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentFilterInput {
    /// `open`, `closed`, `all`, or statuses separated by commas. Default: all.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    /// Only incidents where the caller holds a role.
    #[serde(default)]
    pub mine: Option<bool>,
    /// Words to find in the title or description.
    #[serde(default)]
    pub q: Option<String>,
    /// The `next` cursor of the previous page.
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    /// Empty: any status.
    pub statuses: Vec<IncidentStatus>,
    /// Empty: any severity.
    pub severities: Vec<Severity>,
    pub service: Option<Slug>,
    pub team: Option<Slug>,
    pub mine: bool,
    /// A Postgres `tsquery` built from the search words (see `text_query`).
    pub text: Option<String>,
    pub after: Option<i64>,
    pub limit: i64,
}

impl IncidentFilter {
    pub const DEFAULT_LIMIT: i64 = 50;
    pub const MAX_LIMIT: i64 = 200;
}

fn list(value: Option<&str>) -> impl Iterator<Item = &str> {
    value.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn blank_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

impl IncidentFilterInput {
    pub fn parse(&self) -> Result<IncidentFilter, FieldError> {
        let mut statuses = Vec::new();
        for s in list(self.status.as_deref()) {
            match s {
                "all" => {}
                "open" => statuses.extend(IncidentStatus::ALL.into_iter().filter(|s| s.is_open())),
                "closed" => statuses.extend(IncidentStatus::ALL.into_iter().filter(|s| !s.is_open())),
                other => statuses.push(other.parse()?),
            }
        }
        statuses.sort_by_key(|s| s.as_str());
        statuses.dedup();
        let severities =
            list(self.severity.as_deref()).map(str::parse).collect::<Result<Vec<Severity>, _>>()?;
        let slug = |field: &str, v: Option<&str>| {
            blank_to_none(v).map(|s| Slug::parse(s).map_err(|e| FieldError::new(field, e.reason))).transpose()
        };
        let after = blank_to_none(self.after.as_deref())
            .map(|a| {
                a.parse::<i64>().map_err(|_| FieldError::new("after", "is not a cursor from a previous page"))
            })
            .transpose()?;
        let limit = self.limit.unwrap_or(IncidentFilter::DEFAULT_LIMIT);
        if !(1..=IncidentFilter::MAX_LIMIT).contains(&limit) {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {}", IncidentFilter::MAX_LIMIT),
            ));
        }
        let q = blank_to_none(self.q.as_deref());
        if q.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
            return Err(FieldError::new("q", format!("must be at most {MAX_QUERY_CHARS} characters")));
        }
        if q.is_some_and(|q| q.chars().count() > 200) {
            return Err(FieldError::new("q", "must be at most 200 characters"));
        }
        Ok(IncidentFilter {
            statuses,
            severities,
            service: slug("service", self.service.as_deref())?,
            team: slug("team", self.team.as_deref())?,
            mine: self.mine.unwrap_or(false),
            text: q.and_then(text_query),
            after,
            limit,
        })
    }
}

/// The longest search text taken; longer is refused, naming `q`.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of a search that count; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 8;
/// A word is cut to this many characters: no title word is longer, and the cost of a match
/// stays bounded.
pub const MAX_WORD_CHARS: usize = 40;

/// Turns what someone typed into a prefix-matching Postgres `tsquery`: every word must appear,
/// and a word matches what starts with it ("time" finds "timeouts"). A single letter or digit
/// matches only itself (as a prefix it would match nearly every row, for nothing). Only letters
/// and digits reach the query, so nothing typed can be a syntax error or an operator.
pub fn text_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_QUERY_WORDS)
        .map(|w| {
            let w: String = w.to_lowercase().chars().take(MAX_WORD_CHARS).collect();
            if w.chars().count() > 1 { format!("{w}:*") } else { w }
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// One page of the incident list. `next` is the cursor for the following page, absent on the
/// last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentPage {
    pub incidents: Vec<IncidentView>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_closed_expand_to_their_statuses() {
        let f = IncidentFilterInput { status: Some("open".into()), ..Default::default() }.parse().unwrap();
        assert_eq!(f.statuses.len(), 3);
        assert!(f.statuses.iter().all(|s| s.is_open()));
        let f = IncidentFilterInput { status: Some("closed, triggered".into()), ..Default::default() }
            .parse()
            .unwrap();
        assert_eq!(f.statuses.len(), 3);
        let f = IncidentFilterInput { status: Some("all".into()), ..Default::default() }.parse().unwrap();
        assert!(f.statuses.is_empty());
    }

    #[test]
    fn bad_filters_name_their_field() {
        let bad = |input: IncidentFilterInput| input.parse().unwrap_err().field;
        assert_eq!(bad(IncidentFilterInput { status: Some("done".into()), ..Default::default() }), "status");
        assert_eq!(
            bad(IncidentFilterInput { severity: Some("SEV1,SEV7".into()), ..Default::default() }),
            "severity"
        );
        assert_eq!(
            bad(IncidentFilterInput { service: Some("Not A Slug".into()), ..Default::default() }),
            "service"
        );
        assert_eq!(bad(IncidentFilterInput { after: Some("abc".into()), ..Default::default() }), "after");
        assert_eq!(bad(IncidentFilterInput { limit: Some(0), ..Default::default() }), "limit");
        assert_eq!(bad(IncidentFilterInput { limit: Some(201), ..Default::default() }), "limit");
    }

    #[test]
    fn defaults_list_everything_fifty_at_a_time() {
        let f = IncidentFilterInput::default().parse().unwrap();
        assert_eq!(f, IncidentFilter { limit: 50, ..Default::default() });
    }

    #[test]
    fn search_words_become_a_safe_prefix_query() {
        assert_eq!(text_query("Checkout TIMEOUT"), Some("checkout:* & timeout:*".into()));
        assert_eq!(text_query("db-01's disk: 100%!"), Some("db:* & 01:* & s & disk:* & 100:*".into()));
        assert_eq!(text_query("'&|!():*"), None);
        assert_eq!(text_query("   "), None);
        assert_eq!(text_query("ab cd ef gh ij kl mn op qr st").map(|q| q.matches(":*").count()), Some(8));
        let long = "x".repeat(300);
        assert_eq!(text_query(&long), Some(format!("{}:*", "x".repeat(MAX_WORD_CHARS))));
    }

    #[test]
    fn search_text_is_bounded() {
        let q = |s: String| IncidentFilterInput { q: Some(s), ..Default::default() }.parse();
        assert_eq!(q("a".repeat(MAX_QUERY_CHARS + 1)).unwrap_err().field, "q");
        assert!(q("a".repeat(MAX_QUERY_CHARS)).is_ok());
    }
}
