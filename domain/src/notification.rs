//! Notification: how a page reaches a person. Contact methods and their kinds, notification
//! rules, working hours for low urgency, and the page and delivery views. (Escalation, in
//! `escalation`, decides who is paged; paging, in the backend, sends the pages.)

use crate::{FieldError, incident::IncidentRole, schedule::resolve_local};
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a person is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Email,
    /// A JSON POST signed per the Standard Webhooks spec.
    Webhook,
    /// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).
    Slack,
}

impl ContactKind {
    pub const ALL: [ContactKind; 3] = [ContactKind::Email, ContactKind::Webhook, ContactKind::Slack];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Webhook => "webhook",
            ContactKind::Slack => "slack",
        }
    }

    pub fn parse(s: &str) -> Result<ContactKind, FieldError> {
        ContactKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| FieldError::new("kind", format!("'{s}' is not email, webhook or slack")))
    }
}

/// Checks a contact address for its kind: an email address, or an http(s) URL.
pub fn validate_address(kind: ContactKind, address: &str) -> Result<String, FieldError> {
    let a = address.trim();
    match kind {
        ContactKind::Email => {
            crate::Email::parse(a).map(|e| e.to_string()).map_err(|e| FieldError::new("address", e.reason))
        }
        ContactKind::Webhook | ContactKind::Slack => {
            let ok = (a.starts_with("https://") || a.starts_with("http://"))
                && a.len() > 10
                && a.len() <= 2000
                && !a.contains(char::is_whitespace);
            if ok {
                Ok(a.to_owned())
            } else {
                Err(FieldError::new("address", "must be an http:// or https:// URL"))
            }
        }
    }
}

/// When a low-urgency page may go out to someone in `zone`: now during their working hours
/// (Monday to Friday, 09:00-18:00 local), otherwise at the start of their next working day.
pub fn working_hours(zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let (open, close) = (
        NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
    );
    let local = now.with_timezone(&zone);
    let workday = |d: Weekday| !matches!(d, Weekday::Sat | Weekday::Sun);
    let mut day = local.date_naive();
    if workday(day.weekday()) && local.time() >= open && local.time() < close {
        return now;
    }
    if !(workday(day.weekday()) && local.time() < open) {
        day += Duration::days(1);
    }
    while !workday(day.weekday()) {
        day += Duration::days(1);
    }
    resolve_local(zone, day.and_time(open))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactMethodView {
    pub id: Uuid,
    pub kind: ContactKind,
    pub label: String,
    pub address: String,
    /// Webhooks: the signing secret, for the receiving end to verify pages.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactMethodInput {
    pub kind: String,
    pub label: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleView {
    pub id: Uuid,
    pub contact_method_id: Uuid,
    pub delay_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleInput {
    pub contact_method_id: Uuid,
    /// Minutes after the page.
    pub delay_minutes: u32,
}

/// One person paged on an incident, and by what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageView {
    pub user_id: Uuid,
    pub name: String,
    /// Escalation level (1-based); None when paged by hand.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub level: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub role: Option<IncidentRole>,
    pub paged_at: DateTime<Utc>,
}

/// One message handed (or to be handed) to a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    pub id: i64,
    pub to: String,
    pub kind: String,
    pub method: String,
    pub label: String,
    pub status: String,
    pub attempts: u32,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub error: Option<String>,
    pub due_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub sent_at: Option<DateTime<Utc>>,
    pub deferred: bool,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub incident: Option<i64>,
}

/// What a notification is for: a page, a test page a person sent themselves, the message that
/// their shift starts, or a postmortem notice (review requested, approved, due, overdue...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Page,
    Test,
    Handoff,
    Postmortem,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 4] = [
        NotificationKind::Page,
        NotificationKind::Test,
        NotificationKind::Handoff,
        NotificationKind::Postmortem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Page => "page",
            NotificationKind::Test => "test",
            NotificationKind::Handoff => "handoff",
            NotificationKind::Postmortem => "postmortem",
        }
    }
}

impl std::str::FromStr for NotificationKind {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "page" => Ok(NotificationKind::Page),
            "test" => Ok(NotificationKind::Test),
            "handoff" => Ok(NotificationKind::Handoff),
            "postmortem" => Ok(NotificationKind::Postmortem),
            other => {
                Err(FieldError::new("kind", format!("'{other}' is not page, test, handoff or postmortem")))
            }
        }
    }
}

impl std::str::FromStr for ContactKind {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContactKind::parse(s)
    }
}

stored_as_text!(ContactKind, NotificationKind);

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn low_urgency_waits_for_the_next_working_morning_in_the_persons_zone() {
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        // Friday 20 November 2026, 23:00 UTC is Saturday 10:00 in Sydney (AEDT, +11).
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap();
        assert_eq!(working_hours(sydney, t), Utc.with_ymd_and_hms(2026, 11, 22, 22, 0, 0).unwrap()); // Mon 09:00
        // Monday 10:00 in Sydney: at once.
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 23, 0, 0).unwrap();
        assert_eq!(working_hours(sydney, t), t);
        // Monday 07:00 in London: 09:00 the same day.
        let london: Tz = "Europe/London".parse().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
        assert_eq!(working_hours(london, t), Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    }

    #[test]
    fn addresses_are_checked_for_their_kind() {
        assert!(validate_address(ContactKind::Email, "ada@example.com").is_ok());
        assert_eq!(validate_address(ContactKind::Email, "ada").unwrap_err().field, "address");
        assert!(validate_address(ContactKind::Webhook, "https://hooks.example.com/x").is_ok());
        assert!(validate_address(ContactKind::Slack, "ftp://x.example.com/").is_err());
    }
}
