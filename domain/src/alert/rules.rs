//! What an event does: each service's ingestion settings and the pure rules the processor applies,
//! one event at a time, in the order events were received.
//!
//! - Dedup: an alert is (service, dedup key). A trigger while it is open counts a repeat; a trigger
//!   after it resolved opens a new alert.
//! - Time: an event's time is the source's own timestamp when it gave one, never later than when
//!   Tocsin received it (a source with a fast clock must not pin alerts open).
//! - Stale resolves: a resolve stamped before the alert's latest trigger describes an older firing;
//!   the source still reports the alert firing, so the resolve is ignored.
//! - Flapping: when a key has resolved more than `flap_limit` times within `flap_window_minutes`,
//!   its next alert is marked flapping. A flapping alert stays open through resolves (no re-page
//!   on the next fire) and resolves once the source has stayed quiet for a whole flap window.
//! - Grouping: by service (a new alert joins the service's newest open incident if that opened
//!   within the window) or one incident per alert. Storms: when a service has opened
//!   `storm_limit` incidents from alerts within `storm_window_minutes`, further alerts join the
//!   service's open "alert storm" incident instead of opening more.
//! - Severity: mapped per service, never above SEV2: only a person declares a SEV1.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{AlertSeverity, AlertStatus, EventAction, NormalizedEvent};
use crate::{FieldError, incident::Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// New alerts join the service's open incident.
    #[default]
    Service,
    /// Every alert opens its own incident (storm control still applies).
    Alert,
}

/// Whether a service's alerts page now or wait for the responder's working hours (acted on by
/// the paging engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    High,
    Low,
}

impl Urgency {
    pub const ALL: [Urgency; 2] = [Urgency::High, Urgency::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::High => "high",
            Urgency::Low => "low",
        }
    }
}

impl std::str::FromStr for Urgency {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "high" => Ok(Urgency::High),
            "low" => Ok(Urgency::Low),
            _ => Err(FieldError::new("urgency", "must be high or low")),
        }
    }
}

stored_as_text!(Urgency);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeverityMap {
    pub critical: Severity,
    pub error: Severity,
    pub warning: Severity,
    pub info: Severity,
}

impl Default for SeverityMap {
    fn default() -> Self {
        SeverityMap {
            critical: Severity::Sev2,
            error: Severity::Sev3,
            warning: Severity::Sev4,
            info: Severity::Sev5,
        }
    }
}

impl SeverityMap {
    /// The incident severity for an alert severity; never SEV1, whatever is stored.
    pub fn map(&self, s: AlertSeverity) -> Severity {
        let mapped = match s {
            AlertSeverity::Critical => self.critical,
            AlertSeverity::Error => self.error,
            AlertSeverity::Warning => self.warning,
            AlertSeverity::Info => self.info,
        };
        mapped.max(Severity::Sev2)
    }
}

/// A service's ingestion settings. Stored as JSON; every missing field takes its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct IngestionSettings {
    pub grouping: Grouping,
    /// How long after an incident opened new alerts still join it; `null`: while it is open.
    pub group_window_minutes: Option<u32>,
    pub severity_map: SeverityMap,
    pub urgency: Urgency,
    /// New incidents from alerts allowed per service within `storm_window_minutes`.
    pub storm_limit: u32,
    pub storm_window_minutes: u32,
    /// Resolve-and-re-fire cycles allowed within `flap_window_minutes` before an alert is held.
    pub flap_limit: u32,
    pub flap_window_minutes: u32,
}

impl Default for IngestionSettings {
    fn default() -> Self {
        IngestionSettings {
            grouping: Grouping::Service,
            group_window_minutes: Some(60),
            severity_map: SeverityMap::default(),
            urgency: Urgency::High,
            storm_limit: 5,
            storm_window_minutes: 10,
            flap_limit: 3,
            flap_window_minutes: 30,
        }
    }
}

const WEEK_MINUTES: u32 = 7 * 24 * 60;

impl IngestionSettings {
    /// Reads settings as sent by an admin, refusing anything out of range.
    pub fn parse(json: &serde_json::Value) -> Result<Self, FieldError> {
        let settings: IngestionSettings =
            serde_json::from_value(json.clone()).map_err(|e| FieldError::new("ingestion", e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        let m = &self.severity_map;
        for (field, s) in
            [("critical", m.critical), ("error", m.error), ("warning", m.warning), ("info", m.info)]
        {
            if s == Severity::Sev1 {
                return Err(FieldError::new(
                    format!("severity_map.{field}"),
                    "cannot be SEV1: alerts open at most a SEV2, a person declares a SEV1",
                ));
            }
        }
        let minutes = [
            ("group_window_minutes", self.group_window_minutes.unwrap_or(1)),
            ("storm_window_minutes", self.storm_window_minutes),
            ("flap_window_minutes", self.flap_window_minutes),
        ];
        for (field, v) in minutes {
            if !(1..=WEEK_MINUTES).contains(&v) {
                return Err(FieldError::new(field, format!("must be between 1 and {WEEK_MINUTES} minutes")));
            }
        }
        for (field, v) in [("storm_limit", self.storm_limit), ("flap_limit", self.flap_limit)] {
            if !(1..=10_000).contains(&v) {
                return Err(FieldError::new(field, "must be between 1 and 10000"));
            }
        }
        Ok(())
    }

    pub fn flap_window(&self) -> Duration {
        Duration::minutes(i64::from(self.flap_window_minutes))
    }

    pub fn storm_window(&self) -> Duration {
        Duration::minutes(i64::from(self.storm_window_minutes))
    }
}

/// The settings as a form sends them: every field text, parsed by [`IngestionForm::parse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestionForm {
    pub grouping: String,
    /// Blank: join while the incident is open.
    pub group_window_minutes: String,
    pub critical: String,
    pub error: String,
    pub warning: String,
    pub info: String,
    pub urgency: String,
    pub storm_limit: String,
    pub storm_window_minutes: String,
    pub flap_limit: String,
    pub flap_window_minutes: String,
}

impl IngestionForm {
    pub fn from_settings(s: &IngestionSettings) -> Self {
        IngestionForm {
            grouping: if s.grouping == Grouping::Service { "service" } else { "alert" }.into(),
            group_window_minutes: s.group_window_minutes.map(|m| m.to_string()).unwrap_or_default(),
            critical: s.severity_map.critical.as_str().into(),
            error: s.severity_map.error.as_str().into(),
            warning: s.severity_map.warning.as_str().into(),
            info: s.severity_map.info.as_str().into(),
            urgency: s.urgency.as_str().into(),
            storm_limit: s.storm_limit.to_string(),
            storm_window_minutes: s.storm_window_minutes.to_string(),
            flap_limit: s.flap_limit.to_string(),
            flap_window_minutes: s.flap_window_minutes.to_string(),
        }
    }

    pub fn parse(&self) -> Result<IngestionSettings, FieldError> {
        fn number(field: &str, v: &str) -> Result<u32, FieldError> {
            v.trim().parse().map_err(|_| FieldError::new(field, "must be a whole number"))
        }
        fn severity(field: &str, v: &str) -> Result<Severity, FieldError> {
            v.parse().map_err(|_: FieldError| {
                FieldError::new(format!("severity_map.{field}"), "must be SEV2 to SEV5")
            })
        }
        let settings = IngestionSettings {
            grouping: match self.grouping.trim() {
                "service" => Grouping::Service,
                "alert" => Grouping::Alert,
                _ => return Err(FieldError::new("grouping", "must be service or alert")),
            },
            group_window_minutes: match self.group_window_minutes.trim() {
                "" => None,
                v => Some(number("group_window_minutes", v)?),
            },
            severity_map: SeverityMap {
                critical: severity("critical", &self.critical)?,
                error: severity("error", &self.error)?,
                warning: severity("warning", &self.warning)?,
                info: severity("info", &self.info)?,
            },
            urgency: self.urgency.parse()?,
            storm_limit: number("storm_limit", &self.storm_limit)?,
            storm_window_minutes: number("storm_window_minutes", &self.storm_window_minutes)?,
            flap_limit: number("flap_limit", &self.flap_limit)?,
            flap_window_minutes: number("flap_window_minutes", &self.flap_window_minutes)?,
        };
        settings.validate()?;
        Ok(settings)
    }
}

/// An open alert as the processor holds it while applying events.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertState {
    pub status: AlertStatus,
    pub severity: AlertSeverity,
    pub summary: String,
    pub source: String,
    pub event_count: i32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub last_fired_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub flapping: bool,
    pub quiet_since: Option<DateTime<Utc>>,
}

/// What one event did to its alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new alert: it opens or joins an incident.
    Opened {
        flapping: bool,
    },
    /// A trigger of an open alert: counted. `raised` when its severity went up.
    Repeated {
        raised: bool,
    },
    Acknowledged,
    AlreadyAcknowledged,
    Resolved,
    /// The resolve predates the latest trigger: the source still reports the alert firing.
    StaleResolveIgnored,
    /// The alert is flapping: it stays open until the source is quiet for a flap window.
    ResolveDeferred,
    /// Acknowledge or resolve of a key with no open alert.
    NoOpenAlert,
}

impl Outcome {
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Opened { flapping: false } => "opened",
            Outcome::Opened { flapping: true } => "opened, flapping: held open",
            Outcome::Repeated { raised: false } => "repeat",
            Outcome::Repeated { raised: true } => "repeat, severity raised",
            Outcome::Acknowledged => "acknowledged",
            Outcome::AlreadyAcknowledged => "already acknowledged",
            Outcome::Resolved => "resolved",
            Outcome::StaleResolveIgnored => "stale resolve ignored: the source fired again since",
            Outcome::ResolveDeferred => "resolve deferred: flapping",
            Outcome::NoOpenAlert => "no open alert with this key",
        }
    }
}

/// The event's time: the source's timestamp when given, never after it was received.
pub fn event_time(event: &NormalizedEvent, received_at: DateTime<Utc>) -> DateTime<Utc> {
    event.timestamp.map_or(received_at, |t| t.min(received_at))
}

/// Applies one event to the open alert of its key (`None` when there is none).
/// `recent_resolves` counts this key's alerts resolved within the flap window before the event.
pub fn apply(
    open: &mut Option<AlertState>,
    event: &NormalizedEvent,
    received_at: DateTime<Utc>,
    recent_resolves: u32,
    settings: &IngestionSettings,
) -> Outcome {
    let at = event_time(event, received_at);
    match (event.action, open.as_mut()) {
        (EventAction::Trigger, None) => {
            let flapping = recent_resolves > settings.flap_limit;
            *open = Some(AlertState {
                status: AlertStatus::Triggered,
                severity: event.severity.unwrap_or(AlertSeverity::Error),
                summary: event.summary.clone(),
                source: event.source.clone(),
                event_count: 1,
                first_seen_at: received_at,
                last_seen_at: received_at,
                last_fired_at: at,
                acknowledged_at: None,
                resolved_at: None,
                flapping,
                quiet_since: None,
            });
            Outcome::Opened { flapping }
        }
        (EventAction::Trigger, Some(a)) => {
            a.event_count = a.event_count.saturating_add(1);
            a.last_seen_at = a.last_seen_at.max(received_at);
            a.last_fired_at = a.last_fired_at.max(at);
            a.quiet_since = None;
            if !event.summary.is_empty() {
                a.summary.clone_from(&event.summary);
            }
            let raised = match event.severity {
                Some(s) if s < a.severity => {
                    a.severity = s;
                    true
                }
                _ => false,
            };
            Outcome::Repeated { raised }
        }
        (EventAction::Acknowledge, Some(a)) => {
            a.last_seen_at = a.last_seen_at.max(received_at);
            if a.status == AlertStatus::Acknowledged {
                return Outcome::AlreadyAcknowledged;
            }
            a.status = AlertStatus::Acknowledged;
            a.acknowledged_at = Some(received_at);
            Outcome::Acknowledged
        }
        (EventAction::Resolve, Some(a)) => {
            a.last_seen_at = a.last_seen_at.max(received_at);
            if at < a.last_fired_at {
                return Outcome::StaleResolveIgnored;
            }
            if a.flapping {
                a.quiet_since.get_or_insert(at);
                return Outcome::ResolveDeferred;
            }
            a.status = AlertStatus::Resolved;
            a.resolved_at = Some(received_at);
            Outcome::Resolved
        }
        (EventAction::Acknowledge | EventAction::Resolve, None) => Outcome::NoOpenAlert,
    }
}

/// A flapping alert whose source has been quiet for a whole flap window resolves.
pub fn settles(alert: &AlertState, settings: &IngestionSettings, now: DateTime<Utc>) -> bool {
    alert.flapping && alert.quiet_since.is_some_and(|q| q + settings.flap_window() <= now)
}

/// Where a new alert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Into the service's newest open incident.
    Join,
    /// Into the service's open alert-storm incident (opened if there is none).
    Storm,
    NewIncident,
}

/// `newest_open`: when the service's newest open incident opened, if it has one.
/// `recent_from_alerts`: incidents opened from alerts for this service within the storm window.
pub fn place(
    settings: &IngestionSettings,
    newest_open: Option<DateTime<Utc>>,
    recent_from_alerts: u32,
    at: DateTime<Utc>,
) -> Placement {
    if settings.grouping == Grouping::Service
        && let Some(opened) = newest_open
    {
        let in_window =
            settings.group_window_minutes.is_none_or(|m| opened + Duration::minutes(i64::from(m)) >= at);
        if in_window {
            return Placement::Join;
        }
    }
    if recent_from_alerts >= settings.storm_limit { Placement::Storm } else { Placement::NewIncident }
}

/// The severity an incident untouched by people takes when an alert of `alert` severity joins:
/// raised to the mapped severity if that is worse, never lowered.
pub fn raised_severity(current: Severity, mapped: Severity) -> Option<Severity> {
    (mapped < current).then_some(mapped)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 4, 0, 0).single().unwrap_or_default() + Duration::minutes(min)
    }

    fn ev(action: EventAction, sev: Option<AlertSeverity>, ts: Option<DateTime<Utc>>) -> NormalizedEvent {
        let mut e: NormalizedEvent =
            serde_json::from_value(json!({"action": action, "dedup_key": "k", "summary": "s"})).unwrap();
        e.severity = sev;
        e.timestamp = ts;
        e
    }

    fn trigger() -> NormalizedEvent {
        ev(EventAction::Trigger, Some(AlertSeverity::Warning), None)
    }

    #[test]
    fn settings_default_from_empty_json_and_refuse_bad_values() {
        let s = IngestionSettings::parse(&json!({})).unwrap();
        assert_eq!(s, IngestionSettings::default());
        assert_eq!(s.severity_map.map(AlertSeverity::Critical), Severity::Sev2);
        assert_eq!(s.severity_map.map(AlertSeverity::Info), Severity::Sev5);
        let s =
            IngestionSettings::parse(&json!({"grouping": "alert", "group_window_minutes": null})).unwrap();
        assert_eq!((s.grouping, s.group_window_minutes), (Grouping::Alert, None));
        let e = IngestionSettings::parse(&json!({"severity_map": {"critical": "SEV1", "error": "SEV3", "warning": "SEV4", "info": "SEV5"}}))
            .unwrap_err();
        assert_eq!(e.field, "severity_map.critical");
        assert_eq!(IngestionSettings::parse(&json!({"storm_limit": 0})).unwrap_err().field, "storm_limit");
        assert_eq!(
            IngestionSettings::parse(&json!({"flap_window_minutes": 20000})).unwrap_err().field,
            "flap_window_minutes"
        );
        assert_eq!(IngestionSettings::parse(&json!({"grouping": "team"})).unwrap_err().field, "ingestion");
        assert_eq!(IngestionSettings::parse(&json!({"colour": 1})).unwrap_err().field, "ingestion");
    }

    #[test]
    fn the_form_round_trips_and_names_bad_fields() {
        let s =
            IngestionSettings { group_window_minutes: None, grouping: Grouping::Alert, ..Default::default() };
        let form = IngestionForm::from_settings(&s);
        assert_eq!(form.group_window_minutes, "");
        assert_eq!(form.parse(), Ok(s));
        let bad = IngestionForm { storm_limit: "many".into(), ..form.clone() };
        assert_eq!(bad.parse().unwrap_err().field, "storm_limit");
        let bad = IngestionForm { critical: "SEV1".into(), ..form.clone() };
        assert_eq!(bad.parse().unwrap_err().field, "severity_map.critical");
        let bad = IngestionForm { critical: "loud".into(), ..form };
        assert_eq!(bad.parse().unwrap_err().field, "severity_map.critical");
    }

    #[test]
    fn a_stored_sev1_mapping_still_opens_at_most_sev2() {
        let m = SeverityMap { critical: Severity::Sev1, ..SeverityMap::default() };
        assert_eq!(m.map(AlertSeverity::Critical), Severity::Sev2);
    }

    #[test]
    fn trigger_opens_then_repeats_count() {
        let s = IngestionSettings::default();
        let mut open = None;
        assert_eq!(apply(&mut open, &trigger(), t(0), 0, &s), Outcome::Opened { flapping: false });
        assert_eq!(apply(&mut open, &trigger(), t(1), 0, &s), Outcome::Repeated { raised: false });
        let a = open.as_ref().unwrap();
        assert_eq!((a.event_count, a.first_seen_at, a.last_seen_at), (2, t(0), t(1)));
        let critical = ev(EventAction::Trigger, Some(AlertSeverity::Critical), None);
        assert_eq!(apply(&mut open, &critical, t(2), 0, &s), Outcome::Repeated { raised: true });
        assert_eq!(open.as_ref().unwrap().severity, AlertSeverity::Critical);
        // A milder repeat does not lower it.
        assert_eq!(apply(&mut open, &trigger(), t(3), 0, &s), Outcome::Repeated { raised: false });
        assert_eq!(open.as_ref().unwrap().severity, AlertSeverity::Critical);
    }

    #[test]
    fn acknowledge_and_resolve_act_on_the_open_alert_only() {
        let s = IngestionSettings::default();
        let mut open = None;
        assert_eq!(
            apply(&mut open, &ev(EventAction::Resolve, None, None), t(0), 0, &s),
            Outcome::NoOpenAlert
        );
        apply(&mut open, &trigger(), t(0), 0, &s);
        let ack = ev(EventAction::Acknowledge, None, None);
        assert_eq!(apply(&mut open, &ack, t(1), 0, &s), Outcome::Acknowledged);
        assert_eq!(apply(&mut open, &ack, t(2), 0, &s), Outcome::AlreadyAcknowledged);
        assert_eq!(apply(&mut open, &ev(EventAction::Resolve, None, None), t(3), 0, &s), Outcome::Resolved);
        let a = open.unwrap();
        assert_eq!(
            (a.status, a.acknowledged_at, a.resolved_at),
            (AlertStatus::Resolved, Some(t(1)), Some(t(3)))
        );
    }

    #[test]
    fn a_resolve_older_than_the_latest_fire_is_ignored() {
        let s = IngestionSettings::default();
        let mut open = None;
        apply(&mut open, &ev(EventAction::Trigger, Some(AlertSeverity::Error), Some(t(10))), t(10), 0, &s);
        // Resolved at the source at minute 5 (an older firing), delivered late.
        let stale = ev(EventAction::Resolve, None, Some(t(5)));
        assert_eq!(apply(&mut open, &stale, t(11), 0, &s), Outcome::StaleResolveIgnored);
        assert_eq!(open.as_ref().unwrap().status, AlertStatus::Triggered);
        let fresh = ev(EventAction::Resolve, None, Some(t(12)));
        assert_eq!(apply(&mut open, &fresh, t(12), 0, &s), Outcome::Resolved);
    }

    #[test]
    fn a_source_clock_ahead_of_ours_cannot_pin_an_alert_open() {
        let s = IngestionSettings::default();
        let mut open = None;
        // Fired "at minute 60" by a clock an hour fast, received at minute 0.
        apply(&mut open, &ev(EventAction::Trigger, Some(AlertSeverity::Error), Some(t(60))), t(0), 0, &s);
        assert_eq!(open.as_ref().unwrap().last_fired_at, t(0));
        assert_eq!(apply(&mut open, &ev(EventAction::Resolve, None, None), t(1), 0, &s), Outcome::Resolved);
    }

    #[test]
    fn more_re_fires_than_the_limit_hold_the_alert_open_until_quiet() {
        let s = IngestionSettings { flap_limit: 3, flap_window_minutes: 30, ..Default::default() };
        let mut open = None;
        assert_eq!(apply(&mut open, &trigger(), t(0), 3, &s), Outcome::Opened { flapping: false });
        let mut open = None;
        assert_eq!(apply(&mut open, &trigger(), t(0), 4, &s), Outcome::Opened { flapping: true });
        let resolve = ev(EventAction::Resolve, None, None);
        assert_eq!(apply(&mut open, &resolve, t(1), 0, &s), Outcome::ResolveDeferred);
        assert_eq!(open.as_ref().unwrap().status, AlertStatus::Triggered);
        assert_eq!(open.as_ref().unwrap().quiet_since, Some(t(1)));
        // Fires again: not quiet any more, and no new alert.
        assert_eq!(apply(&mut open, &trigger(), t(5), 0, &s), Outcome::Repeated { raised: false });
        assert_eq!(open.as_ref().unwrap().quiet_since, None);
        apply(&mut open, &resolve, t(6), 0, &s);
        let a = open.as_ref().unwrap();
        assert!(!settles(a, &s, t(35)));
        assert!(settles(a, &s, t(36)));
    }

    #[test]
    fn placement_groups_within_the_window_then_guards_against_storms() {
        let s = IngestionSettings::default();
        assert_eq!(place(&s, Some(t(0)), 0, t(60)), Placement::Join);
        assert_eq!(place(&s, Some(t(0)), 0, t(61)), Placement::NewIncident);
        assert_eq!(place(&s, None, 4, t(0)), Placement::NewIncident);
        assert_eq!(place(&s, None, 5, t(0)), Placement::Storm);
        let forever = IngestionSettings { group_window_minutes: None, ..Default::default() };
        assert_eq!(place(&forever, Some(t(0)), 0, t(100_000)), Placement::Join);
        let per_alert = IngestionSettings { grouping: Grouping::Alert, ..Default::default() };
        assert_eq!(place(&per_alert, Some(t(0)), 0, t(1)), Placement::NewIncident);
        assert_eq!(place(&per_alert, Some(t(0)), 5, t(1)), Placement::Storm);
    }

    #[test]
    fn severity_only_ever_rises() {
        assert_eq!(raised_severity(Severity::Sev4, Severity::Sev2), Some(Severity::Sev2));
        assert_eq!(raised_severity(Severity::Sev2, Severity::Sev4), None);
        assert_eq!(raised_severity(Severity::Sev3, Severity::Sev3), None);
    }
}
