//! What the team learned: postmortems of the window's incidents (published on time, days from
//! resolution to publication) and their corrective actions (open, done, overdue, how old the
//! open ones are).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::stats::median;

#[derive(Debug, Clone, PartialEq)]
pub struct PostmortemFact {
    pub due_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// When its incident was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionFact {
    /// `open`, `in_progress`, `done` or `wont_do`.
    pub status: String,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearningFigures {
    pub postmortems: u64,
    pub published: u64,
    /// Published by their due time.
    pub published_on_time: u64,
    /// Published on time, over those published or past due (0 when none).
    pub on_time_share: f64,
    /// Not published and past due.
    pub overdue: u64,
    /// Median days from the incident's resolution to publication.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub median_days_to_publish: Option<f64>,
    pub actions_open: u64,
    pub actions_done: u64,
    pub actions_wont_do: u64,
    /// Open (or in progress) past their due day.
    pub actions_overdue: u64,
    /// Median age in days of the open ones.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub median_open_action_age_days: Option<f64>,
}

const DAY: f64 = 86_400.0;

impl LearningFigures {
    /// `today` is the viewer's day: an action due today is not yet overdue.
    pub fn of(
        pms: &[PostmortemFact],
        actions: &[ActionFact],
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> LearningFigures {
        let published: Vec<&PostmortemFact> = pms.iter().filter(|p| p.published_at.is_some()).collect();
        let on_time =
            published.iter().filter(|p| p.published_at.is_some_and(|t| t <= p.due_at)).count() as u64;
        let overdue = pms.iter().filter(|p| p.published_at.is_none() && p.due_at < now).count() as u64;
        let days: Vec<f64> = published
            .iter()
            .filter_map(|p| Some((p.published_at? - p.resolved_at?).num_seconds() as f64 / DAY))
            .collect();
        let decided = published.len() as u64 + overdue;
        let open: Vec<&ActionFact> =
            actions.iter().filter(|a| a.status == "open" || a.status == "in_progress").collect();
        let ages: Vec<f64> = open.iter().map(|a| (now - a.created_at).num_seconds() as f64 / DAY).collect();
        LearningFigures {
            postmortems: pms.len() as u64,
            published: published.len() as u64,
            published_on_time: on_time,
            on_time_share: if decided == 0 { 0.0 } else { on_time as f64 / decided as f64 },
            overdue,
            median_days_to_publish: median(&days),
            actions_open: open.len() as u64,
            actions_done: actions.iter().filter(|a| a.status == "done").count() as u64,
            actions_wont_do: actions.iter().filter(|a| a.status == "wont_do").count() as u64,
            actions_overdue: open.iter().filter(|a| a.due_on < today).count() as u64,
            median_open_action_age_days: median(&ages),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn on_time_publication_and_action_ages() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let d = |days: i64| now - Duration::days(days);
        let pms = [
            // Resolved 10 days ago, due 3 days ago, published 4 days ago: on time, 6 days.
            PostmortemFact { due_at: d(3), published_at: Some(d(4)), resolved_at: Some(d(10)) },
            // Published a day late, 9 days after resolution.
            PostmortemFact { due_at: d(2), published_at: Some(d(1)), resolved_at: Some(d(10)) },
            // Not published, past due.
            PostmortemFact { due_at: d(1), published_at: None, resolved_at: Some(d(8)) },
            // Not published, due tomorrow: not counted either way.
            PostmortemFact { due_at: d(-1), published_at: None, resolved_at: Some(d(2)) },
        ];
        let today = now.date_naive();
        let action = |status: &str, due: i64, age: i64| ActionFact {
            status: status.to_owned(),
            due_on: today - Duration::days(due),
            created_at: d(age),
        };
        let actions = [
            action("open", 1, 10),
            action("in_progress", 0, 4),
            action("done", 5, 20),
            action("wont_do", 5, 20),
        ];
        let f = LearningFigures::of(&pms, &actions, now, today);
        assert_eq!((f.postmortems, f.published, f.published_on_time, f.overdue), (4, 2, 1, 1));
        assert!((f.on_time_share - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(f.median_days_to_publish, Some(7.5));
        assert_eq!((f.actions_open, f.actions_done, f.actions_wont_do, f.actions_overdue), (2, 1, 1, 1));
        assert_eq!(f.median_open_action_age_days, Some(7.0));
    }
}
