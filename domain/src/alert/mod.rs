//! Alerts: what monitoring tools send, and how Tocsin turns them into incidents.
//!
//! An alert is one (service, dedup key) from the moment it fires until it resolves; repeats of an
//! open alert only count. `event` turns the three wire formats (PagerDuty Events v2, the
//! Alertmanager/Grafana webhook, Tocsin's generic JSON) into one [`NormalizedEvent`]; `rules` holds
//! each service's ingestion settings and the pure decisions (dedup, flapping, stale resolves,
//! grouping, storms, severity mapping) the processor applies.

pub mod event;
#[cfg(test)]
mod fuzz;
pub mod rules;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{FieldError, incident::IncidentNumber};

pub use event::{EventLink, NormalizedEvent};
pub use rules::{AlertState, Grouping, IngestionSettings, Outcome, SeverityMap, Urgency};

named_enum!(
    /// The PagerDuty severities, most severe first (so `Ord` sorts critical first).
    AlertSeverity, "severity" {
        Critical => "critical",
        Error => "error",
        Warning => "warning",
        Info => "info",
    }
);

named_enum!(EventAction, "action" {
    Trigger => "trigger",
    Acknowledge => "acknowledge",
    Resolve => "resolve",
});

named_enum!(AlertStatus, "status" {
    Triggered => "triggered",
    Acknowledged => "acknowledged",
    Resolved => "resolved",
});

named_enum!(
    /// Which wire format a key accepts.
    IntegrationKind, "kind" {
        EventsV2 => "events_v2",
        Alertmanager => "alertmanager",
        Generic => "generic",
    }
);

impl IntegrationKind {
    pub fn label(self) -> &'static str {
        match self {
            IntegrationKind::EventsV2 => "PagerDuty Events API v2",
            IntegrationKind::Alertmanager => "Prometheus Alertmanager / Grafana webhook",
            IntegrationKind::Generic => "Generic JSON",
        }
    }

    /// Where events of this kind are sent. Events v2 carries the key in the body; the others in
    /// the path, since Alertmanager and Grafana cannot add a field to their payload.
    pub fn endpoint(self, base_url: &str, key: &str) -> String {
        let base = base_url.trim_end_matches('/');
        match self {
            IntegrationKind::EventsV2 => format!("{base}/v2/enqueue"),
            IntegrationKind::Alertmanager => format!("{base}/integrations/alertmanager/{key}"),
            IntegrationKind::Generic => format!("{base}/integrations/generic/{key}"),
        }
    }

    /// Ready-to-paste configuration, as (title, text) pairs: the sending tool's config and a `curl`
    /// that sends a test event.
    pub fn snippets(self, base_url: &str, key: &str) -> Vec<(String, String)> {
        let url = self.endpoint(base_url, key);
        match self {
            IntegrationKind::EventsV2 => vec![
                (
                    "alertmanager.yml (PagerDuty receiver)".into(),
                    format!(
                        "receivers:\n  - name: tocsin\n    pagerduty_configs:\n      - url: {url}\n        routing_key: {key}\n"
                    ),
                ),
                (
                    "curl".into(),
                    format!(
                        "curl -sS -X POST {url} \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"routing_key\":\"{key}\",\"event_action\":\"trigger\",\"dedup_key\":\"test-1\",\"payload\":{{\"summary\":\"Test alert from curl\",\"source\":\"curl\",\"severity\":\"warning\"}}}}'\n"
                    ),
                ),
            ],
            IntegrationKind::Alertmanager => vec![
                (
                    "alertmanager.yml (webhook receiver)".into(),
                    format!(
                        "receivers:\n  - name: tocsin\n    webhook_configs:\n      - url: {url}\n        send_resolved: true\n"
                    ),
                ),
                (
                    "curl".into(),
                    format!(
                        "curl -sS -X POST {url} \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{{\"status\":\"firing\",\"labels\":{{\"alertname\":\"TestAlert\",\"severity\":\"warning\"}},\"annotations\":{{\"summary\":\"Test alert from curl\"}},\"startsAt\":\"2026-01-01T00:00:00Z\",\"fingerprint\":\"test-1\"}}]}}'\n"
                    ),
                ),
            ],
            IntegrationKind::Generic => vec![(
                "curl".into(),
                format!(
                    "curl -sS -X POST {url} \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"summary\":\"Test alert from curl\",\"severity\":\"warning\",\"dedup_key\":\"test-1\",\"action\":\"trigger\",\"source\":\"curl\",\"details\":{{\"note\":\"anything\"}}}}'\n"
                ),
            )],
        }
    }
}

/// An integration key as listed: never the secret, only its first characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationKeyView {
    pub id: Uuid,
    pub service: String,
    pub kind: IntegrationKind,
    pub label: String,
    pub prefix: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Something an integration key sent that was refused, as the service page lists it: the
/// reason names the field, as the sender's answer did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedEventView {
    pub received_at: DateTime<Utc>,
    pub key_label: String,
    pub key_kind: IntegrationKind,
    pub reason: String,
}

/// The answer to creating a key: the only time its secret is shown, with where to send events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedIntegrationKey {
    #[serde(flatten)]
    pub view: IntegrationKeyView,
    pub key: String,
    pub url: String,
    pub snippets: Vec<Snippet>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    pub title: String,
    pub text: String,
}

/// `{"kind", "label"}` as sent by a form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewIntegrationKeyInput {
    pub kind: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewIntegrationKey {
    pub kind: IntegrationKind,
    pub label: String,
}

impl NewIntegrationKeyInput {
    pub fn parse(&self) -> Result<NewIntegrationKey, FieldError> {
        let kind: IntegrationKind = self.kind.parse()?;
        let label = self.label.trim();
        if label.is_empty() {
            return Err(FieldError::new("label", "is required, e.g. \"Prometheus production\""));
        }
        if label.chars().count() > 100 || label.chars().any(char::is_control) {
            return Err(FieldError::new("label", "must be one line of at most 100 characters"));
        }
        Ok(NewIntegrationKey { kind, label: label.to_owned() })
    }
}

/// An alert as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertView {
    pub id: i64,
    pub service: String,
    pub dedup_key: String,
    pub status: AlertStatus,
    pub severity: AlertSeverity,
    pub summary: String,
    pub source: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub incident: Option<IncidentNumber>,
    pub event_count: i32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub resolved_at: Option<DateTime<Utc>>,
    pub flapping: bool,
    /// The latest trigger, normalised: summary, source, severity, details, links.
    pub payload: Value,
}

/// One received event of an alert, with what Tocsin did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEventView {
    pub id: i64,
    pub action: EventAction,
    pub received_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub outcome: Option<String>,
    pub event: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertDetail {
    pub alert: AlertView,
    pub events: Vec<AlertEventView>,
}

/// Filters of `/api/v1/alerts` as sent (query string or server fn).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertFilterInput {
    pub service: Option<String>,
    pub incident: Option<String>,
    /// `open` (triggered or acknowledged), `resolved`, or one status.
    pub status: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatusFilter {
    Open,
    Is(AlertStatus),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertFilter {
    pub service: Option<String>,
    pub incident: Option<IncidentNumber>,
    pub status: Option<AlertStatusFilter>,
    pub before: Option<i64>,
    pub limit: i64,
}

impl AlertFilterInput {
    pub fn parse(&self) -> Result<AlertFilter, FieldError> {
        let nonempty =
            |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let status = match nonempty(&self.status).as_deref() {
            None => None,
            Some("open") => Some(AlertStatusFilter::Open),
            Some(s) => Some(AlertStatusFilter::Is(s.parse().map_err(|_| {
                FieldError::new(
                    "status",
                    format!("'{s}' is not accepted; expected open, triggered, acknowledged or resolved"),
                )
            })?)),
        };
        let incident = match nonempty(&self.incident) {
            None => None,
            Some(n) => Some(n.parse::<IncidentNumber>().map_err(|_| {
                FieldError::new("incident", format!("'{n}' is not an incident number such as INC-42"))
            })?),
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(FieldError::new("limit", "must be between 1 and 500"));
        }
        Ok(AlertFilter { service: nonempty(&self.service), incident, status, before: self.before, limit })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertPage {
    pub alerts: Vec<AlertView>,
    /// Pass as `before` for the next (older) page.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub next: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_their_names_and_refuse_others_with_the_list() {
        assert_eq!("critical".parse::<AlertSeverity>(), Ok(AlertSeverity::Critical));
        assert!(AlertSeverity::Critical < AlertSeverity::Info);
        let e = "fatal".parse::<AlertSeverity>().unwrap_err();
        assert_eq!(e.field, "severity");
        assert!(e.reason.contains("critical, error, warning, info"), "{e}");
        assert_eq!("events_v2".parse::<IntegrationKind>(), Ok(IntegrationKind::EventsV2));
    }

    #[test]
    fn key_input_needs_a_known_kind_and_a_one_line_label() {
        let ok =
            NewIntegrationKeyInput { kind: "alertmanager".into(), label: " Prod ".into() }.parse().unwrap();
        assert_eq!(ok, NewIntegrationKey { kind: IntegrationKind::Alertmanager, label: "Prod".into() });
        assert_eq!(
            NewIntegrationKeyInput { kind: "nagios".into(), label: "x".into() }.parse().unwrap_err().field,
            "kind"
        );
        assert_eq!(
            NewIntegrationKeyInput { kind: "generic".into(), label: " ".into() }.parse().unwrap_err().field,
            "label"
        );
    }

    #[test]
    fn endpoints_put_the_key_where_each_tool_can_send_it() {
        let k = "abc";
        assert_eq!(
            IntegrationKind::EventsV2.endpoint("https://t.example/", k),
            "https://t.example/v2/enqueue"
        );
        assert_eq!(
            IntegrationKind::Alertmanager.endpoint("https://t.example", k),
            "https://t.example/integrations/alertmanager/abc"
        );
        let snippets = IntegrationKind::EventsV2.snippets("http://h", k);
        assert!(snippets[0].1.contains("routing_key: abc"));
        assert!(snippets[1].1.contains("\"routing_key\":\"abc\""));
    }

    #[test]
    fn alert_filters_parse() {
        let f = AlertFilterInput {
            status: Some("open".into()),
            incident: Some("INC-7".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.status, Some(AlertStatusFilter::Open));
        assert_eq!(f.incident, Some(IncidentNumber(7)));
        assert_eq!(f.limit, 50);
        let bad = AlertFilterInput { status: Some("gone".into()), ..Default::default() }.parse().unwrap_err();
        assert_eq!(bad.field, "status");
        let bad = AlertFilterInput { limit: Some(0), ..Default::default() }.parse().unwrap_err();
        assert_eq!(bad.field, "limit");
    }
}
