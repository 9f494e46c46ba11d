//! The public page as customers see it: only what was written for them, in the page's own zone.
//! Built once per snapshot on the server and sent to the browser as it is.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ComponentStatus, Impact, Indicator, PublicStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicPage {
    pub name: String,
    pub banner: Option<String>,
    pub support_url: Option<String>,
    pub time_zone: String,
    pub indicator: Indicator,
    /// The indicator in words ("All Systems Operational").
    pub description: String,
    /// When the snapshot was built: the page says how old it is.
    pub as_of: DateTime<Utc>,
    /// Incidents not yet resolved, newest first.
    pub active: Vec<IncidentBrief>,
    /// Maintenances scheduled or in progress, soonest first.
    pub maintenances: Vec<IncidentBrief>,
    /// Groups in page order; components without a group form a block with no name.
    pub blocks: Vec<Block>,
    /// The formula and its parameters, stated on the page.
    pub partial_weight: f64,
    pub maintenance_counts: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentBrief {
    pub public_id: String,
    pub name: String,
    pub status: PublicStatus,
    pub impact: Impact,
    pub maintenance: bool,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub scheduled_until: Option<DateTime<Utc>>,
    pub components: Vec<String>,
    /// The latest update.
    pub latest: Option<UpdateBrief>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateBrief {
    pub status: PublicStatus,
    /// Sanitised HTML rendered from the communicator's Markdown.
    pub body_html: String,
    pub display_at: DateTime<Utc>,
    /// "API: operational → major outage", one per component the update set.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub id: Option<Uuid>,
    /// Empty for the components without a group.
    pub name: String,
    pub status: ComponentStatus,
    pub collapsed: bool,
    pub components: Vec<ComponentRow>,
    /// The group's own days (worst of its members), when it is a group.
    pub days: Vec<DayBar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub status: ComponentStatus,
    /// Uptime over the days shown, or none before the component existed.
    pub uptime: Option<f64>,
    /// Oldest first, today last.
    pub days: Vec<DayBar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayBar {
    pub date: NaiveDate,
    pub uptime: Option<f64>,
    pub worst: Option<ComponentStatus>,
    pub major_outage_seconds: i64,
    pub partial_outage_seconds: i64,
    pub degraded_performance_seconds: i64,
    pub under_maintenance_seconds: i64,
    /// Names of the public incidents that touched it that day.
    pub incidents: Vec<String>,
}

/// One public incident with all its updates (oldest first), for its own page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub page_name: String,
    pub time_zone: String,
    pub incident: IncidentBrief,
    pub updates: Vec<UpdateBrief>,
}

/// Incidents and maintenances per page of the history (and of `incidents.json?page=N`): the
/// first page is the snapshot's.
pub const HISTORY_PER_PAGE: u32 = 50;

/// One page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub page_name: String,
    pub time_zone: String,
    pub items: Vec<IncidentBrief>,
    /// From 1.
    pub page: u32,
    /// At least 1.
    pub pages: u32,
}

/// Pages needed for `total` incidents.
pub fn history_pages(total: i64) -> u32 {
    u32::try_from(total.max(1)).unwrap_or(u32::MAX).div_ceil(HISTORY_PER_PAGE)
}

/// Uptime over several days: the observed-weighted mean of the days that have a figure.
pub fn overall_uptime(days: &[super::uptime::DayUptime]) -> Option<f64> {
    let (sum, weight) = days
        .iter()
        .filter_map(|d| d.uptime.map(|u| (u, d.observed_seconds() as f64)))
        .fold((0.0, 0.0), |(s, w), (u, o)| (s + u * o, w + o));
    (weight > 0.0).then(|| sum / weight)
}

/// "1h 5m", "45m", "2d 3h": how long something lasted, for people.
pub fn duration_words(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    let (d, h, m) = (m / 1440, (m % 1440) / 60, m % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_has_a_page_per_fifty_and_never_none() {
        assert_eq!(history_pages(0), 1);
        assert_eq!(history_pages(50), 1);
        assert_eq!(history_pages(51), 2);
        assert_eq!(history_pages(101), 3);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_words(59), "0m");
        assert_eq!(duration_words(45 * 60), "45m");
        assert_eq!(duration_words(3600), "1h");
        assert_eq!(duration_words(3900), "1h 5m");
        assert_eq!(duration_words(2 * 86_400 + 3 * 3600 + 60), "2d 3h");
    }
}
