//! The three wire formats, each parsed into one [`NormalizedEvent`].
//!
//! Parsers read a `serde_json::Value` rather than deriving: a refused event must name every bad
//! field at once (PagerDuty's `errors` list), which a derived deserializer stops short of.
//!
//! Limits follow PagerDuty: `dedup_key` at most 255 characters (longer is refused: cutting it would
//! merge different alerts), `summary` at most 1024. A longer summary is cut at 1024 and marked
//! rather than refused, unlike PagerDuty: refusing would drop a page over its wording.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{AlertSeverity, EventAction};

pub const MAX_SUMMARY: usize = 1024;
pub const MAX_DEDUP_KEY: usize = 255;
/// PagerDuty's limit on one event; bodies above it are refused with 413 before parsing.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// The limit on one Alertmanager or Grafana batch: a group of a thousand alerts with their labels
/// and annotations fits many times over. Its own limit, because a 413 to Alertmanager loses the
/// whole group for good (it retries only on 5xx).
pub const MAX_BATCH_BYTES: usize = 10 * 1024 * 1024;

/// The path of the first string or key in `v` that PostgreSQL cannot store (it refuses U+0000
/// in text and in JSON), as a field name such as `payload.summary` or `alerts[3].labels`.
pub fn unstorable(v: &Value, path: &str) -> Option<String> {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match v {
        Value::String(s) if s.contains('\0') => {
            Some(if path.is_empty() { "body".into() } else { path.into() })
        }
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| unstorable(item, &format!("{path}[{i}]")))
        }
        Value::Object(m) => m.iter().find_map(|(k, item)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "\\u0000")))
            } else {
                unstorable(item, &join(k))
            }
        }),
        _ => None,
    }
}

fn refuse_unstorable(v: &Value, path: &str) -> Result<(), Vec<String>> {
    match unstorable(v, path) {
        Some(field) => Err(vec![format!("'{field}' must not contain U+0000 (a NUL character)")]),
        None => Ok(()),
    }
}

/// An Alertmanager or Grafana batch after parsing: the events of its valid alerts, and why each
/// invalid one was refused. A sender that gets a 4xx drops the whole group, so one bad alert must
/// not cost the good ones.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertBatch {
    pub events: Vec<NormalizedEvent>,
    pub rejected: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLink {
    pub href: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// One event, whatever format it arrived in. Stored as received (after validation) and applied
/// by the processor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizedEvent {
    pub action: EventAction,
    pub dedup_key: String,
    /// Empty for acknowledge and resolve events that carry no payload.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub source: String,
    /// Present on triggers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<AlertSeverity>,
    /// The source's own time of the event (when it fired or resolved), if it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub details: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<EventLink>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_url: Option<String>,
}

impl NormalizedEvent {
    fn new(action: EventAction, dedup_key: String) -> Self {
        NormalizedEvent {
            action,
            dedup_key,
            summary: String::new(),
            source: String::new(),
            severity: None,
            timestamp: None,
            component: None,
            group: None,
            class: None,
            details: Value::Null,
            links: Vec::new(),
            images: Vec::new(),
            client: None,
            client_url: None,
        }
    }
}

/// Collects every problem of one event, worded as PagerDuty words them.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn missing(&mut self, field: &str) {
        self.0.push(format!("'{field}' is missing or blank"));
    }

    fn push(&mut self, message: String) {
        self.0.push(message);
    }

    /// A non-blank string field, or a problem.
    fn required(&mut self, obj: &Map<String, Value>, key: &str, field: &str) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::String(_)) | Some(Value::Null) | None => {
                self.missing(field);
                None
            }
            Some(_) => {
                self.push(format!("'{field}' must be a string"));
                None
            }
        }
    }

    /// An optional string field: absent, null and blank are all "not given".
    fn optional(&mut self, obj: &Map<String, Value>, key: &str, field: &str) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::String(_)) | Some(Value::Null) | None => None,
            Some(_) => {
                self.push(format!("'{field}' must be a string"));
                None
            }
        }
    }

    fn timestamp(&mut self, raw: Option<String>, field: &str) -> Option<DateTime<Utc>> {
        let raw = raw?;
        match DateTime::parse_from_rfc3339(raw.trim()) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                self.push(format!(
                    "'{field}' is invalid (must be an ISO 8601 timestamp such as 2026-11-21T04:00:00Z)"
                ));
                None
            }
        }
    }

    fn dedup_key(&mut self, key: Option<String>, field: &str) -> Option<String> {
        let key = key?;
        if key.chars().count() > MAX_DEDUP_KEY {
            self.push(format!("Length of '{field}' must not exceed {MAX_DEDUP_KEY} characters"));
            return None;
        }
        Some(key)
    }
}

/// Cuts a summary to the limit, on a character boundary, marking the cut.
pub fn clip_summary(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= MAX_SUMMARY {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MAX_SUMMARY - 1).collect();
    out.push('…');
    out
}

fn severity(p: &mut Problems, raw: Option<String>, field: &str) -> Option<AlertSeverity> {
    let raw = raw?;
    match raw.trim().to_ascii_lowercase().parse() {
        Ok(s) => Some(s),
        Err(_) => {
            p.push(format!(
                "'{field}' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"
            ));
            None
        }
    }
}

fn action(p: &mut Problems, raw: Option<String>, field: &str) -> Option<EventAction> {
    let raw = raw?;
    match raw.trim().parse() {
        Ok(a) => Some(a),
        Err(_) => {
            p.push(format!(
                "'{field}' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"
            ));
            None
        }
    }
}

fn object(v: &Value) -> Result<&Map<String, Value>, Vec<String>> {
    v.as_object().ok_or_else(|| vec!["Event must be a JSON object".to_owned()])
}

/// A PagerDuty Events API v2 event: the routing key, and the event. `new_key` makes the dedup key
/// of a trigger that has none (PagerDuty does the same and returns it).
pub fn parse_events_v2(
    body: &Value,
    new_key: impl FnOnce() -> String,
) -> Result<(String, NormalizedEvent), Vec<String>> {
    let obj = object(body)?;
    refuse_unstorable(body, "")?;
    let mut p = Problems::default();
    let routing_key = p.required(obj, "routing_key", "routing_key");
    let action_raw = p.required(obj, "event_action", "event_action");
    let action = action(&mut p, action_raw, "event_action");
    let given_key = p.optional(obj, "dedup_key", "dedup_key");
    let given_key = p.dedup_key(given_key, "dedup_key");

    let mut event = NormalizedEvent::new(action.unwrap_or(EventAction::Trigger), String::new());
    match action {
        Some(EventAction::Trigger) => match obj.get("payload") {
            Some(Value::Object(payload)) => {
                if let Some(s) = p.required(payload, "summary", "payload.summary") {
                    event.summary = clip_summary(&s);
                }
                event.source = p.required(payload, "source", "payload.source").unwrap_or_default();
                let sev = p.required(payload, "severity", "payload.severity");
                event.severity = severity(&mut p, sev, "payload.severity");
                let ts = p.optional(payload, "timestamp", "payload.timestamp");
                event.timestamp = p.timestamp(ts, "payload.timestamp");
                event.component = p.optional(payload, "component", "payload.component");
                event.group = p.optional(payload, "group", "payload.group");
                event.class = p.optional(payload, "class", "payload.class");
                event.details = payload.get("custom_details").cloned().unwrap_or(Value::Null);
            }
            None | Some(Value::Null) => p.missing("payload"),
            Some(_) => p.push("'payload' must be an object".into()),
        },
        Some(EventAction::Acknowledge | EventAction::Resolve) => {
            if given_key.is_none() && !p.0.iter().any(|m| m.contains("'dedup_key'")) {
                p.missing("dedup_key");
            }
            // PagerDuty ignores a payload here; its timestamp, when sent, tells a stale resolve.
            if let Some(Value::Object(payload)) = obj.get("payload") {
                let ts = p.optional(payload, "timestamp", "payload.timestamp");
                event.timestamp = p.timestamp(ts, "payload.timestamp");
            }
        }
        None => {}
    }
    event.links = links(&mut p, obj.get("links"));
    event.images = match obj.get("images") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(|i| i.get("src").is_some_and(Value::is_string)) => {
            items.clone()
        }
        Some(_) => {
            p.push("'images' must be a list of objects with a 'src'".into());
            Vec::new()
        }
    };
    event.client = p.optional(obj, "client", "client");
    event.client_url = p.optional(obj, "client_url", "client_url");

    if !p.0.is_empty() {
        return Err(p.0);
    }
    let routing_key = routing_key.unwrap_or_default();
    event.dedup_key = given_key.unwrap_or_else(new_key);
    Ok((routing_key, event))
}

fn links(p: &mut Problems, v: Option<&Value>) -> Vec<EventLink> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item.get("href").and_then(Value::as_str) {
                    Some(href) => out.push(EventLink {
                        href: href.to_owned(),
                        text: item.get("text").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    }),
                    None => {
                        p.push("'links' must be a list of objects with an 'href'".into());
                        return Vec::new();
                    }
                }
            }
            out
        }
        Some(_) => {
            p.push("'links' must be a list of objects with an 'href'".into());
            Vec::new()
        }
    }
}

/// An Alertmanager webhook (version 4) or Grafana webhook (version 1, a superset): one event per
/// alert in the batch, keyed by its fingerprint or, lacking one, by a hash of its labels.
pub fn parse_alertmanager(body: &Value) -> Result<AlertBatch, Vec<String>> {
    let obj = object(body)?;
    let mut p = Problems::default();
    for (k, v) in obj.iter().filter(|(k, _)| k.as_str() != "alerts") {
        if let Some(field) = unstorable(v, k) {
            p.push(format!("'{field}' must not contain U+0000 (a NUL character)"));
        }
    }
    match obj.get("version").and_then(Value::as_str) {
        Some("4") | Some("1") | None => {}
        Some(v) => p.push(format!("'version' {v} is not supported (Alertmanager sends 4, Grafana 1)")),
    }
    let Some(alerts) = obj.get("alerts").and_then(Value::as_array) else {
        p.push("'alerts' must be a list".into());
        return Err(p.0);
    };
    if !p.0.is_empty() {
        return Err(p.0);
    }
    let external_url = obj.get("externalURL").and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut out = Vec::with_capacity(alerts.len());
    for (i, alert) in alerts.iter().enumerate() {
        let Some(a) = alert.as_object() else {
            p.push(format!("'alerts[{i}]' must be an object"));
            continue;
        };
        if let Some(field) = unstorable(alert, &format!("alerts[{i}]")) {
            p.push(format!("'{field}' must not contain U+0000 (a NUL character)"));
            continue;
        }
        let action = match a.get("status").and_then(Value::as_str) {
            Some("firing") => EventAction::Trigger,
            Some("resolved") => EventAction::Resolve,
            _ => {
                p.push(format!("'alerts[{i}].status' must be firing or resolved"));
                continue;
            }
        };
        let labels: BTreeMap<String, String> = match a.get("labels") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect(),
            _ => {
                p.push(format!("'alerts[{i}].labels' must be an object"));
                continue;
            }
        };
        let annotations = a.get("annotations").and_then(Value::as_object);
        let note = |k: &str| {
            annotations.and_then(|m| m.get(k)).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
        };
        let key = match a.get("fingerprint").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            Some(f) => f.to_owned(),
            None => label_hash(&labels),
        };
        let Some(key) = p.dedup_key(Some(key), &format!("alerts[{i}].fingerprint")) else { continue };
        let mut event = NormalizedEvent::new(action, key);
        let alertname = labels.get("alertname").map_or("Alert", String::as_str);
        let summary = match note("summary").or_else(|| note("title")) {
            Some(s) => s.to_owned(),
            None => match labels.get("instance") {
                Some(instance) => format!("{alertname} on {instance}"),
                None => alertname.to_owned(),
            },
        };
        event.summary = clip_summary(&summary);
        event.source = labels
            .get("instance")
            .or_else(|| labels.get("job"))
            .cloned()
            .unwrap_or_else(|| "alertmanager".to_owned());
        event.severity = Some(severity_from_label(labels.get("severity").map(String::as_str)));
        let time_field = if action == EventAction::Trigger { "startsAt" } else { "endsAt" };
        let ts = a.get(time_field).and_then(Value::as_str).map(str::to_owned);
        // Alertmanager sends the zero time for "unknown"; it is not an error, just no time.
        let ts = ts.filter(|t| !t.starts_with("0001-"));
        event.timestamp = p.timestamp(ts, &format!("alerts[{i}].{time_field}"));
        event.component = labels.get("job").cloned();
        event.class = labels.get("alertname").cloned();
        event.details = json!({
            "labels": labels,
            "annotations": annotations.cloned().unwrap_or_default(),
        });
        for (field, text) in [
            ("generatorURL", "Source"),
            ("dashboardURL", "Dashboard"),
            ("panelURL", "Panel"),
            ("silenceURL", "Silence"),
        ] {
            if let Some(href) = a.get(field).and_then(Value::as_str).filter(|s| !s.is_empty()) {
                event.links.push(EventLink { href: href.to_owned(), text: text.to_owned() });
            }
        }
        if let Some(href) = external_url {
            event.links.push(EventLink { href: href.to_owned(), text: "Alertmanager".to_owned() });
        }
        event.client = Some(if obj.get("orgId").is_some() { "Grafana" } else { "Alertmanager" }.to_owned());
        event.client_url = external_url.map(str::to_owned);
        out.push(event);
    }
    Ok(AlertBatch { events: out, rejected: p.0 })
}

/// Prometheus rules name severities freely; the common names map, anything else counts as error
/// (someone routed it to a pager for a reason).
pub fn severity_from_label(label: Option<&str>) -> AlertSeverity {
    match label.map(|l| l.trim().to_ascii_lowercase()).as_deref() {
        Some("critical" | "crit" | "page" | "p1" | "high" | "emergency" | "fatal") => AlertSeverity::Critical,
        Some("warning" | "warn" | "minor" | "p3" | "medium") => AlertSeverity::Warning,
        Some("info" | "informational" | "low" | "none" | "p4" | "p5" | "notice") => AlertSeverity::Info,
        _ => AlertSeverity::Error,
    }
}

/// A stable key from sorted labels (FNV-1a, 64 bits): the same label set always gives the same key.
pub fn label_hash(labels: &BTreeMap<String, String>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in labels {
        for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xfe]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Tocsin's generic JSON:
/// `{"summary", "severity", "dedup_key", "action", "source", "details", "timestamp"}`; only
/// `summary` is required for a trigger (the default action), `dedup_key` for the others.
pub fn parse_generic(body: &Value, new_key: impl FnOnce() -> String) -> Result<NormalizedEvent, Vec<String>> {
    let obj = object(body)?;
    refuse_unstorable(body, "")?;
    let mut p = Problems::default();
    let action_raw = p.optional(obj, "action", "action");
    let action = match action_raw {
        None => Some(EventAction::Trigger),
        raw => action(&mut p, raw, "action"),
    };
    let given_key = p.optional(obj, "dedup_key", "dedup_key");
    let given_key = p.dedup_key(given_key, "dedup_key");
    let mut event = NormalizedEvent::new(action.unwrap_or(EventAction::Trigger), String::new());
    if action == Some(EventAction::Trigger) {
        if let Some(s) = p.required(obj, "summary", "summary") {
            event.summary = clip_summary(&s);
        }
        let sev = p.optional(obj, "severity", "severity");
        event.severity = Some(severity(&mut p, sev, "severity").unwrap_or(AlertSeverity::Error));
    } else if action.is_some() && given_key.is_none() && !p.0.iter().any(|m| m.contains("'dedup_key'")) {
        p.missing("dedup_key");
    }
    event.source = p.optional(obj, "source", "source").unwrap_or_else(|| "generic".to_owned());
    let ts = p.optional(obj, "timestamp", "timestamp");
    event.timestamp = p.timestamp(ts, "timestamp");
    event.details = obj.get("details").cloned().unwrap_or(Value::Null);
    event.links = links(&mut p, obj.get("links"));
    if !p.0.is_empty() {
        return Err(p.0);
    }
    event.dedup_key = given_key.unwrap_or_else(new_key);
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> String {
        "generated".to_owned()
    }

    #[test]
    fn a_full_pagerduty_trigger_keeps_every_field() {
        let body = json!({
            "routing_key": "R0000000000000000000000000000001",
            "event_action": "trigger",
            "dedup_key": "disk/db-1",
            "payload": {
                "summary": "Disk 95% on db-1", "source": "db-1", "severity": "critical",
                "timestamp": "2026-11-21T04:00:00+01:00", "component": "postgres", "group": "prod",
                "class": "disk", "custom_details": {"free": "5%"}
            },
            "links": [{"href": "https://grafana/d/1", "text": "Dashboard"}],
            "images": [{"src": "https://img/1.png"}],
            "client": "Prometheus", "client_url": "https://prom"
        });
        let (rk, e) = parse_events_v2(&body, key).unwrap();
        assert_eq!(rk, "R0000000000000000000000000000001");
        assert_eq!(e.action, EventAction::Trigger);
        assert_eq!(e.dedup_key, "disk/db-1");
        assert_eq!(e.severity, Some(AlertSeverity::Critical));
        assert_eq!(e.timestamp.unwrap().to_rfc3339(), "2026-11-21T03:00:00+00:00");
        assert_eq!(e.details, json!({"free": "5%"}));
        assert_eq!(e.links[0].text, "Dashboard");
        assert_eq!(e.images.len(), 1);
        assert_eq!(e.client.as_deref(), Some("Prometheus"));
    }

    #[test]
    fn a_trigger_without_dedup_key_gets_one() {
        let body = json!({"routing_key": "k", "event_action": "trigger",
            "payload": {"summary": "s", "source": "h", "severity": "info"}});
        assert_eq!(parse_events_v2(&body, key).unwrap().1.dedup_key, "generated");
    }

    #[test]
    fn every_bad_field_is_named_in_pagerduty_words() {
        let body = json!({"event_action": "explode", "dedup_key": "x".repeat(256)});
        let errors = parse_events_v2(&body, key).unwrap_err();
        assert_eq!(
            errors,
            vec![
                "'routing_key' is missing or blank",
                "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')",
                "Length of 'dedup_key' must not exceed 255 characters",
            ]
        );
        let body = json!({"routing_key": "k", "event_action": "trigger",
            "payload": {"summary": " ", "severity": "fatal", "timestamp": "yesterday"}});
        assert_eq!(
            parse_events_v2(&body, key).unwrap_err(),
            vec![
                "'payload.summary' is missing or blank",
                "'payload.source' is missing or blank",
                "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
                "'payload.timestamp' is invalid (must be an ISO 8601 timestamp such as 2026-11-21T04:00:00Z)",
            ]
        );
        let body = json!({"routing_key": "k", "event_action": "resolve"});
        assert_eq!(parse_events_v2(&body, key).unwrap_err(), vec!["'dedup_key' is missing or blank"]);
        let body = json!({"routing_key": "k", "event_action": "trigger"});
        assert_eq!(parse_events_v2(&body, key).unwrap_err(), vec!["'payload' is missing or blank"]);
        assert_eq!(parse_events_v2(&json!([1]), key).unwrap_err(), vec!["Event must be a JSON object"]);
    }

    #[test]
    fn a_long_summary_is_cut_not_refused() {
        let body = json!({"routing_key": "k", "event_action": "trigger",
            "payload": {"summary": "é".repeat(2000), "source": "h", "severity": "error"}});
        let e = parse_events_v2(&body, key).unwrap().1;
        assert_eq!(e.summary.chars().count(), MAX_SUMMARY);
        assert!(e.summary.ends_with('…'));
    }

    #[test]
    fn ack_and_resolve_need_only_the_key() {
        let body = json!({"routing_key": "k", "event_action": "acknowledge", "dedup_key": "a"});
        let e = parse_events_v2(&body, key).unwrap().1;
        assert_eq!((e.action, e.dedup_key.as_str(), e.severity), (EventAction::Acknowledge, "a", None));
    }

    fn alertmanager_batch() -> Value {
        json!({
            "version": "4", "groupKey": "{}:{alertname=\"HighLatency\"}", "truncatedAlerts": 0,
            "status": "firing", "receiver": "tocsin", "groupLabels": {"alertname": "HighLatency"},
            "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
            "alerts": [
                {"status": "firing", "labels": {"alertname": "HighLatency", "instance": "api-1", "severity": "page"},
                 "annotations": {"summary": "p99 above 2s on api-1"}, "startsAt": "2026-11-21T03:59:00Z",
                 "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph", "fingerprint": "a1b2"},
                {"status": "resolved", "labels": {"alertname": "HighLatency", "instance": "api-2"},
                 "annotations": {}, "startsAt": "2026-11-21T03:00:00Z", "endsAt": "2026-11-21T03:58:00Z",
                 "generatorURL": "", "fingerprint": ""}
            ]
        })
    }

    #[test]
    fn an_alertmanager_batch_is_one_event_per_alert() {
        let events = parse_alertmanager(&alertmanager_batch()).unwrap().events;
        assert_eq!(events.len(), 2);
        let (fire, resolve) = (&events[0], &events[1]);
        assert_eq!((fire.action, fire.dedup_key.as_str()), (EventAction::Trigger, "a1b2"));
        assert_eq!(fire.summary, "p99 above 2s on api-1");
        assert_eq!(fire.severity, Some(AlertSeverity::Critical));
        assert_eq!(fire.source, "api-1");
        assert_eq!(fire.timestamp.unwrap().to_rfc3339(), "2026-11-21T03:59:00+00:00");
        assert_eq!(fire.links.len(), 2);
        assert_eq!(resolve.action, EventAction::Resolve);
        assert_eq!(resolve.summary, "HighLatency on api-2");
        // No fingerprint: the key is a hash of the labels, the same every time.
        assert_eq!(resolve.dedup_key.len(), 16);
        assert_eq!(resolve.dedup_key, parse_alertmanager(&alertmanager_batch()).unwrap().events[1].dedup_key);
        assert_eq!(resolve.timestamp.unwrap().to_rfc3339(), "2026-11-21T03:58:00+00:00");
    }

    #[test]
    fn grafana_webhooks_are_accepted() {
        let mut body = alertmanager_batch();
        body["version"] = json!("1");
        body["orgId"] = json!(1);
        body["title"] = json!("[FIRING:1] HighLatency");
        body["alerts"][0]["dashboardURL"] = json!("http://grafana/d/x");
        let events = parse_alertmanager(&body).unwrap().events;
        assert_eq!(events[0].client.as_deref(), Some("Grafana"));
        assert!(events[0].links.iter().any(|l| l.text == "Dashboard"));
    }

    #[test]
    fn bad_alertmanager_alerts_are_named_by_position_and_cost_only_themselves() {
        let good = json!({"status": "firing", "labels": {"alertname": "Up"}, "fingerprint": "ok1"});
        let body = json!({"version": "4", "alerts": [
            {"status": "pending", "labels": {}}, {"status": "firing"}, good,
            {"status": "firing", "labels": {"alertname": "Bad\u{0}"}}
        ]});
        let batch = parse_alertmanager(&body).unwrap();
        assert_eq!(batch.events.len(), 1);
        assert_eq!(batch.events[0].dedup_key, "ok1");
        assert_eq!(
            batch.rejected,
            vec![
                "'alerts[0].status' must be firing or resolved",
                "'alerts[1].labels' must be an object",
                "'alerts[3].labels.alertname' must not contain U+0000 (a NUL character)",
            ]
        );
        assert_eq!(parse_alertmanager(&json!({"version": "9", "alerts": []})).unwrap_err().len(), 1);
        assert_eq!(
            parse_alertmanager(&json!({"version": "4"})).unwrap_err(),
            vec!["'alerts' must be a list"]
        );
    }

    #[test]
    fn a_nul_anywhere_is_refused_at_parse_time_naming_the_field() {
        let pd = json!({"routing_key": "k", "event_action": "trigger", "dedup_key": "d",
            "payload": {"summary": "ok", "source": "s", "severity": "error",
                        "custom_details": {"disk": ["sda", "sd\u{0}b"]}}});
        assert_eq!(
            parse_events_v2(&pd, String::new).unwrap_err(),
            vec!["'payload.custom_details.disk[1]' must not contain U+0000 (a NUL character)"]
        );
        let generic = json!({"summary": "x\u{0}"});
        assert_eq!(
            parse_generic(&generic, String::new).unwrap_err(),
            vec!["'summary' must not contain U+0000 (a NUL character)"]
        );
        let keyed = json!({"summary": "x", "details": {"a\u{0}b": 1}});
        assert_eq!(unstorable(&keyed, ""), Some("details.a\\u0000b".into()));
        let envelope = json!({"version": "4", "externalURL": "http://am\u{0}", "alerts": []});
        assert!(parse_alertmanager(&envelope).is_err(), "a bad envelope spoils every alert");
    }

    #[test]
    fn label_severities_map_to_the_four() {
        assert_eq!(severity_from_label(Some("CRITICAL")), AlertSeverity::Critical);
        assert_eq!(severity_from_label(Some("warn")), AlertSeverity::Warning);
        assert_eq!(severity_from_label(Some("info")), AlertSeverity::Info);
        assert_eq!(severity_from_label(None), AlertSeverity::Error);
    }

    #[test]
    fn generic_events_default_to_trigger_and_error() {
        let e = parse_generic(&json!({"summary": "Backup failed"}), key).unwrap();
        assert_eq!(
            (e.action, e.severity, e.dedup_key.as_str()),
            (EventAction::Trigger, Some(AlertSeverity::Error), "generated")
        );
        let e = parse_generic(&json!({"action": "resolve", "dedup_key": "b"}), key).unwrap();
        assert_eq!(e.action, EventAction::Resolve);
        assert_eq!(
            parse_generic(&json!({"action": "resolve", "severity": "bad"}), key).unwrap_err(),
            vec!["'dedup_key' is missing or blank"]
        );
        assert_eq!(
            parse_generic(&json!({"severity": "loud"}), key).unwrap_err(),
            vec![
                "'summary' is missing or blank",
                "'severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"
            ]
        );
    }
}
