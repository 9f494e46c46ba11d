//! Escalation policies and who gets paged when: levels, delays, repeats, pair paging, contact
//! methods and notification rules, and the working-hours rule for low-urgency pages.
//!
//! # Timing
//!
//! Level 1 is paged when the escalation starts. Each level says how long to wait for an
//! acknowledgement before the next level is paged; after the last level, the policy starts over
//! at level 1 (after the last level's wait) as many times as its repeat count says. So a policy of
//! levels waiting 5 and 10 minutes, repeated once, pages at 0, 5, 15 and 20 minutes, and is done.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{FieldError, UserId, incident::IncidentRole, schedule::resolve_local};

/// Who a level pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    User {
        id: Uuid,
    },
    /// Whoever holds the schedule's primary stack.
    Schedule {
        id: Uuid,
    },
    /// Whoever holds one layer (e.g. the secondary) on its own.
    Layer {
        schedule_id: Uuid,
        layer_id: Uuid,
    },
    /// Every lead of the team.
    TeamLeads {
        id: Uuid,
    },
}

/// A level may page a pair: each target gets a role on the incident when they acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelTarget {
    #[serde(flatten)]
    pub target: Target,
    #[serde(default)]
    pub role: Option<IncidentRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub targets: Vec<LevelTarget>,
    /// How long to wait for an acknowledgement before paging the next level, in seconds.
    pub delay_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub levels: Vec<Level>,
    /// How many times the whole policy runs again after its last level.
    pub repeat: u32,
}

/// One escalation step: which level, in which run, and when after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub index: u32,
    pub level: usize,
    pub run: u32,
    pub after: Duration,
}

pub const MAX_LEVELS: usize = 10;
pub const MAX_REPEAT: u32 = 9;
pub const MAX_DELAY_SECS: u32 = 24 * 3600;

impl Policy {
    pub fn steps(&self) -> u32 {
        self.levels.len() as u32 * (self.repeat + 1)
    }

    /// Step `index` (0 pages level 1 at the start), or None when the policy is done.
    pub fn step(&self, index: u32) -> Option<Step> {
        if self.levels.is_empty() || index >= self.steps() {
            return None;
        }
        let n = self.levels.len() as u32;
        let cycle: i64 = self.levels.iter().map(|l| i64::from(l.delay_secs)).sum();
        let (run, level) = (index / n, (index % n) as usize);
        let within: i64 = self.levels[..level].iter().map(|l| i64::from(l.delay_secs)).sum();
        Some(Step { index, level, run, after: Duration::seconds(i64::from(run) * cycle + within) })
    }

    /// Checks the shape: at least one level, each with targets, sane delays, at most one
    /// communicator and one fixer per level.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.levels.is_empty() {
            return Err(FieldError::new("levels", "a policy needs at least one level"));
        }
        if self.levels.len() > MAX_LEVELS {
            return Err(FieldError::new("levels", format!("at most {MAX_LEVELS} levels")));
        }
        if self.repeat > MAX_REPEAT {
            return Err(FieldError::new("repeat", format!("must be between 0 and {MAX_REPEAT}")));
        }
        for (i, l) in self.levels.iter().enumerate() {
            if l.targets.is_empty() {
                return Err(FieldError::new(
                    format!("levels[{i}].targets"),
                    "a level needs at least one target",
                ));
            }
            if l.targets.len() > 20 {
                return Err(FieldError::new(format!("levels[{i}].targets"), "at most 20 targets"));
            }
            if l.delay_secs < 60 || l.delay_secs > MAX_DELAY_SECS {
                return Err(FieldError::new(
                    format!("levels[{i}].delay_secs"),
                    "must be between 1 minute and 24 hours (in seconds)",
                ));
            }
            for role in [
                IncidentRole::Commander,
                IncidentRole::Communicator,
                IncidentRole::Fixer,
                IncidentRole::Scribe,
            ] {
                if l.targets.iter().filter(|t| t.role == Some(role)).count() > 1 {
                    return Err(FieldError::new(
                        format!("levels[{i}].targets"),
                        format!("only one target may be the {role}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A policy as forms and the API send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInput {
    pub name: String,
    pub levels: Vec<Level>,
    #[serde(default)]
    pub repeat: u32,
}

impl PolicyInput {
    pub fn parse(&self) -> Result<(String, Policy), FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(FieldError::new("name", "must be 1 to 100 characters"));
        }
        let policy = Policy { levels: self.levels.clone(), repeat: self.repeat };
        policy.validate()?;
        Ok((name.to_owned(), policy))
    }
}

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

/// People paged by one step, with the role each gets on acknowledging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged {
    pub user: UserId,
    pub role: Option<IncidentRole>,
}

/// A policy as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub id: Uuid,
    pub name: String,
    pub levels: Vec<Level>,
    pub repeat: u32,
    /// Slugs of the services routed to it.
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMethodView {
    pub id: Uuid,
    pub kind: ContactKind,
    pub label: String,
    pub address: String,
    /// Webhooks: the signing secret, for the receiving end to verify pages.
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMethodInput {
    pub kind: String,
    pub label: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub id: Uuid,
    pub contact_method_id: Uuid,
    pub delay_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInput {
    pub contact_method_id: Uuid,
    /// Minutes after the page.
    pub delay_minutes: u32,
}

/// One person paged on an incident, and by what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    pub user_id: Uuid,
    pub name: String,
    /// Escalation level (1-based); None when paged by hand.
    pub level: Option<u32>,
    pub role: Option<IncidentRole>,
    pub paged_at: DateTime<Utc>,
}

/// One message handed (or to be handed) to a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub to: String,
    pub kind: String,
    pub method: String,
    pub label: String,
    pub status: String,
    pub attempts: u32,
    pub error: Option<String>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub deferred: bool,
    pub incident: Option<i64>,
}

/// A target an editor can choose, with a readable label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetOption {
    pub target: Target,
    pub label: String,
}

/// One level of a policy in words, with who it would page right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelNow {
    pub targets: Vec<String>,
    pub paged_now: Vec<String>,
    pub delay_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOverview {
    pub policy: PolicyView,
    pub levels: Vec<LevelNow>,
}

/// Whom to page by hand during an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ManualPage {
    User {
        id: Uuid,
    },
    /// The leads of a team.
    Team {
        id: Uuid,
    },
    /// The first level of a policy, as it stands now.
    Policy {
        id: Uuid,
    },
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn level(delay_min: u32) -> Level {
        Level {
            targets: vec![LevelTarget { target: Target::User { id: Uuid::nil() }, role: None }],
            delay_secs: delay_min * 60,
        }
    }

    #[test]
    fn steps_follow_the_delays_and_repeat() {
        let p = Policy { levels: vec![level(5), level(10)], repeat: 1 };
        let at: Vec<(usize, u32, i64)> =
            (0..5).filter_map(|i| p.step(i)).map(|s| (s.level, s.run, s.after.num_minutes())).collect();
        assert_eq!(at, vec![(0, 0, 0), (1, 0, 5), (0, 1, 15), (1, 1, 20)]);
        assert_eq!(p.step(4), None);
    }

    #[test]
    fn bad_policies_name_the_field() {
        let mut p = Policy { levels: vec![level(5)], repeat: 0 };
        assert!(p.validate().is_ok());
        p.levels[0].delay_secs = 10;
        assert_eq!(p.validate().unwrap_err().field, "levels[0].delay_secs");
        p.levels[0].delay_secs = 300;
        p.levels[0].targets.clear();
        assert_eq!(p.validate().unwrap_err().field, "levels[0].targets");
        let pair = LevelTarget { target: Target::User { id: Uuid::nil() }, role: Some(IncidentRole::Fixer) };
        p.levels[0].targets = vec![pair.clone(), pair];
        assert_eq!(p.validate().unwrap_err().field, "levels[0].targets");
        assert_eq!(Policy { levels: vec![], repeat: 0 }.validate().unwrap_err().field, "levels");
        assert_eq!(Policy { levels: vec![level(5)], repeat: 10 }.validate().unwrap_err().field, "repeat");
    }

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
