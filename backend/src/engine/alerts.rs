//! The alerts job: applies stored events to alerts and incidents, in the order they were
//! received.
//!
//! One instance at a time holds the processor lock (a transaction-scoped advisory lock), takes the
//! oldest pending events, applies the pure rules of `domain::alert::rules` to them in memory, and
//! writes the result in the same transaction that marks the events processed. A crash mid-batch
//! rolls everything back and the events are applied again, so an event is applied exactly once.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use domain::{
    alert::{
        AlertSeverity, AlertState, AlertStatus, EventAction, IngestionSettings, NormalizedEvent, Outcome,
        rules::{self, Placement},
    },
    incident::{IncidentNumber, IncidentStatus, Severity, TimelineKind},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db::alert_events;
use crate::db::timeline;
use crate::{
    Result,
    actor::Actor,
    db::{
        alerts::{self, AlertRow, AlertUpdates, NewAlert},
        audit::{self, Entry},
        incidents::{self, OpenIncident},
        services::{self, ServiceIngestion},
    },
    services::{
        catalog::settings_of,
        incidents::{
            announce,
            lifecycle::{self, Opening, Origin, Subject},
        },
    },
};

/// Events applied per transaction: big enough to amortise the commit, small enough that a batch
/// takes well under a second.
pub const BATCH: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchResult {
    /// Another instance holds the processor lock.
    Busy,
    /// Events applied (0: nothing was pending).
    Applied(usize),
}

/// An alert while the batch runs.
struct Tracked {
    id: i64,
    incident: Option<Uuid>,
    state: AlertState,
    /// The latest trigger, to store as the payload.
    payload: Option<String>,
    dirty: bool,
}

/// What happened to one incident during the batch; turned into timeline events at the end.
#[derive(Default)]
struct IncidentEffects {
    number: i64,
    attached: Vec<(String, String, AlertSeverity)>,
    worst: Option<Severity>,
    acknowledged_by_source: bool,
    alerts_resolved: usize,
}

struct ServiceCtx {
    row: ServiceIngestion,
    settings: IngestionSettings,
    /// Incidents opened from alerts within the storm window, counted once then kept up to date.
    recent_from_alerts: Option<u32>,
}

fn actor() -> Actor {
    Actor { user_id: None, label: "alerts".into(), request_id: None }
}

fn state_of(row: &AlertRow) -> AlertState {
    AlertState {
        status: row.status,
        severity: row.severity,
        summary: row.summary.clone(),
        source: row.source.clone(),
        event_count: row.event_count,
        first_seen_at: row.first_seen_at,
        last_seen_at: row.last_seen_at,
        last_fired_at: row.last_fired_at,
        acknowledged_at: row.acknowledged_at,
        resolved_at: row.resolved_at,
        flapping: row.flapping,
        quiet_since: row.quiet_since,
    }
}

/// Applies every pending event; returns how many. When another instance holds the lock it is
/// draining too; waiting briefly and trying again closes the gap where it finished just before
/// our events committed.
pub async fn drain(pool: &PgPool, now: DateTime<Utc>) -> Result<usize> {
    let (mut applied, mut busy) = (0, 0);
    loop {
        match process_batch(pool, now).await? {
            BatchResult::Applied(0) => return Ok(applied),
            BatchResult::Applied(n) => {
                applied += n;
                busy = 0;
            }
            BatchResult::Busy => {
                busy += 1;
                if busy > 50 {
                    return Ok(applied);
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }
}

/// Applies up to `BATCH` pending events at `now`, and settles flapping alerts that went quiet.
pub async fn process_batch(pool: &PgPool, now: DateTime<Utc>) -> Result<BatchResult> {
    let mut tx = pool.begin().await?;
    if !alert_events::try_processor_lock(&mut tx).await? {
        return Ok(BatchResult::Busy);
    }
    let events = alert_events::pending_events(&mut tx, BATCH).await?;
    let mut batch = Batch::load(&mut tx, &events, now).await?;
    let mut ids = Vec::with_capacity(events.len());
    let mut alert_ids = Vec::with_capacity(events.len());
    let mut outcomes = Vec::with_capacity(events.len());
    for e in &events {
        let (alert, outcome) = match serde_json::from_value::<NormalizedEvent>(e.event.clone()) {
            Ok(event) => {
                batch.apply(&mut tx, e.service_id, &event, e.received_at, e.key_label.as_deref()).await?
            }
            Err(err) => {
                // Only validated events are stored; one that no longer reads is skipped, not retried forever.
                tracing::error!(event = e.id, error = %err, "stored alert event does not parse");
                (None, format!("unreadable: {err}"))
            }
        };
        ids.push(e.id);
        alert_ids.push(alert);
        outcomes.push(outcome);
    }
    batch.settle_quiet_flapping(&mut tx).await?;
    batch.flush(&mut tx).await?;
    alert_events::mark_processed(&mut tx, &ids, &alert_ids, &outcomes).await?;
    batch.finish_incidents(&mut tx).await?;
    tx.commit().await?;
    Ok(BatchResult::Applied(events.len()))
}

struct Batch {
    services: HashMap<Uuid, ServiceCtx>,
    open: HashMap<(Uuid, String), Tracked>,
    incidents: BTreeMap<Uuid, IncidentEffects>,
    now: DateTime<Utc>,
}

impl Batch {
    async fn load(
        conn: &mut PgConnection,
        events: &[alert_events::PendingEvent],
        now: DateTime<Utc>,
    ) -> Result<Batch> {
        let mut service_ids: Vec<Uuid> = events.iter().map(|e| e.service_id).collect();
        service_ids.sort();
        service_ids.dedup();
        let services = services::services_by_id(conn, &service_ids)
            .await?
            .into_iter()
            .map(|row| (row.id, ServiceCtx { settings: settings_of(&row), row, recent_from_alerts: None }))
            .collect();
        let (svc, keys): (Vec<Uuid>, Vec<String>) =
            events.iter().map(|e| (e.service_id, e.dedup_key.clone())).unzip();
        let rows = alerts::open_alerts(conn, &svc, &keys).await?;
        let mut incidents: Vec<Uuid> = rows.iter().filter_map(|r| r.incident_id).collect();
        incidents.sort();
        incidents.dedup();
        incidents::lock_incidents(conn, &incidents).await?;
        let open = rows
            .into_iter()
            .map(|row| {
                let tracked = Tracked {
                    id: row.id,
                    incident: row.incident_id,
                    state: state_of(&row),
                    payload: None,
                    dirty: false,
                };
                ((row.service_id, row.dedup_key), tracked)
            })
            .collect();
        Ok(Batch { services, open, incidents: BTreeMap::new(), now })
    }

    fn settings(&self, service: Uuid) -> IngestionSettings {
        self.services.get(&service).map(|s| s.settings).unwrap_or_default()
    }

    /// Applies one event; answers the alert it touched and the outcome in words.
    async fn apply(
        &mut self,
        conn: &mut PgConnection,
        service: Uuid,
        event: &NormalizedEvent,
        received_at: DateTime<Utc>,
        key_label: Option<&str>,
    ) -> Result<(Option<i64>, String)> {
        let settings = self.settings(service);
        let map_key = (service, event.dedup_key.clone());
        let tracked = self.open.remove(&map_key);
        let (mut state, existing) = match tracked {
            Some(t) => (Some(t.state.clone()), Some(t)),
            None => (None, None),
        };
        let recent = if event.action == EventAction::Trigger && state.is_none() {
            let since = rules::event_time(event, received_at) - settings.flap_window();
            alerts::recent_resolves(conn, service, &event.dedup_key, since).await? as u32
        } else {
            0
        };
        let outcome = rules::apply(&mut state, event, received_at, recent, &settings);
        let text = outcome.describe().to_owned();
        let Some(state) = state else {
            return Ok((None, text));
        };
        let payload = (event.action == EventAction::Trigger).then(|| json!(event).to_string());
        let mut t = match existing {
            Some(mut t) => {
                t.state = state;
                t
            }
            None => {
                let flapping = matches!(outcome, Outcome::Opened { flapping: true });
                self.open_alert(conn, service, event, state, flapping, key_label).await?
            }
        };
        if payload.is_some() {
            t.payload = payload;
        }
        t.dirty = true;
        let id = t.id;
        let mapped = settings.severity_map.map(t.state.severity);
        if let Some(incident) = t.incident {
            let fx = self.incidents.entry(incident).or_default();
            match outcome {
                Outcome::Repeated { raised: true } => {
                    fx.worst = Some(fx.worst.map_or(mapped, |w| w.min(mapped)))
                }
                Outcome::Acknowledged => fx.acknowledged_by_source = true,
                Outcome::Resolved => fx.alerts_resolved += 1,
                _ => {}
            }
        }
        if t.state.status == AlertStatus::Resolved {
            // Written now: a trigger later in this batch opens a new alert for the same key, and
            // only one alert per key may be open.
            write_alerts(conn, std::iter::once(&mut t)).await?;
        } else {
            self.open.insert(map_key, t);
        }
        Ok((Some(id), text))
    }

    /// A new alert: placed into an incident (joined, storm, or new) and inserted.
    async fn open_alert(
        &mut self,
        conn: &mut PgConnection,
        service: Uuid,
        event: &NormalizedEvent,
        state: AlertState,
        flapping: bool,
        key_label: Option<&str>,
    ) -> Result<Tracked> {
        let settings = self.settings(service);
        let at = state.first_seen_at;
        let newest = incidents::newest_open_incident(conn, service).await?;
        let recent = self.recent_from_alerts(conn, service, at).await?;
        let placement = rules::place(&settings, newest.map(|i| i.created_at), recent, at);
        let mapped = settings.severity_map.map(state.severity);
        let incident = match (placement, newest) {
            (Placement::Join, Some(i)) => i,
            (Placement::Storm, _) => match incidents::open_storm_incident(conn, service).await? {
                Some(i) => i,
                None => self.open_incident(conn, service, event, mapped, true, key_label).await?,
            },
            _ => self.open_incident(conn, service, event, mapped, false, key_label).await?,
        };
        let payload = json!(event);
        let id = alerts::insert_alert(
            conn,
            &NewAlert {
                service_id: service,
                dedup_key: &event.dedup_key,
                severity: state.severity.as_str(),
                summary: &state.summary,
                source: &state.source,
                incident_id: Some(incident.id),
                first_seen_at: state.first_seen_at,
                last_fired_at: state.last_fired_at,
                flapping,
                payload: &payload,
            },
        )
        .await?;
        let fx = self.incidents.entry(incident.id).or_default();
        fx.number = incident.number;
        fx.attached.push((state.summary.clone(), event.dedup_key.clone(), state.severity));
        fx.worst = Some(fx.worst.map_or(mapped, |w| w.min(mapped)));
        Ok(Tracked { id, incident: Some(incident.id), state, payload: None, dirty: false })
    }

    async fn recent_from_alerts(
        &mut self,
        conn: &mut PgConnection,
        service: Uuid,
        at: DateTime<Utc>,
    ) -> Result<u32> {
        let Some(ctx) = self.services.get_mut(&service) else { return Ok(0) };
        if let Some(n) = ctx.recent_from_alerts {
            return Ok(n);
        }
        let since = at - ctx.settings.storm_window();
        let n = incidents::incidents_from_alerts_since(conn, service, since).await? as u32;
        ctx.recent_from_alerts = Some(n);
        Ok(n)
    }

    async fn open_incident(
        &mut self,
        conn: &mut PgConnection,
        service: Uuid,
        event: &NormalizedEvent,
        severity: Severity,
        storm: bool,
        key_label: Option<&str>,
    ) -> Result<OpenIncident> {
        let Some(ctx) = self.services.get_mut(&service) else {
            return Err(anyhow::anyhow!("event for unknown service {service}").into());
        };
        let (title, description) = if storm {
            (
                format!("Alert storm on {}", ctx.row.name),
                format!(
                    "{} opened {} incidents from alerts within {} minutes; further alerts are grouped here.",
                    ctx.row.name, ctx.settings.storm_limit, ctx.settings.storm_window_minutes
                ),
            )
        } else {
            let title: String = event.summary.chars().take(200).collect();
            (title, format!("Opened by alert `{}` from {}.", event.dedup_key, event.source))
        };
        let services = std::slice::from_ref(&ctx.row.slug);
        let origin = if storm {
            Origin::Storm { service: &ctx.row.name, via: key_label }
        } else {
            Origin::Alert { via: key_label }
        };
        let opening = Opening {
            title: &title,
            description: &description,
            severity,
            customer_impact: false,
            declared_by: None,
            services,
            origin,
        };
        let (id, number) = lifecycle::open(conn, &actor(), &opening, self.now).await?;
        ctx.recent_from_alerts = ctx.recent_from_alerts.map(|n| n + 1);
        let number = number.0;
        let fx = self.incidents.entry(id).or_default();
        fx.number = number;
        Ok(OpenIncident { id, number, created_at: self.now })
    }

    /// Flapping alerts whose source stayed quiet for their flap window resolve now.
    async fn settle_quiet_flapping(&mut self, conn: &mut PgConnection) -> Result<()> {
        let rows = alerts::quiet_flapping(conn, self.now - Duration::minutes(1)).await?;
        let ids: Vec<Uuid> =
            rows.iter().map(|r| r.service_id).filter(|s| !self.services.contains_key(s)).collect();
        if !ids.is_empty() {
            for row in services::services_by_id(conn, &ids).await? {
                self.services.insert(
                    row.id,
                    ServiceCtx { settings: settings_of(&row), row, recent_from_alerts: None },
                );
            }
        }
        let mut incidents: Vec<Uuid> = rows.iter().filter_map(|r| r.incident_id).collect();
        incidents.sort();
        incidents.dedup();
        incidents::lock_incidents(conn, &incidents).await?;
        for row in rows {
            let key = (row.service_id, row.dedup_key.clone());
            let mut t = match self.open.remove(&key) {
                Some(t) => t,
                None => Tracked {
                    id: row.id,
                    incident: row.incident_id,
                    state: state_of(&row),
                    payload: None,
                    dirty: false,
                },
            };
            let settings = self.settings(row.service_id);
            if !rules::settles(&t.state, &settings, self.now) {
                self.open.insert(key, t);
                continue;
            }
            t.state.status = AlertStatus::Resolved;
            t.state.resolved_at = Some(self.now);
            t.dirty = true;
            if let Some(incident) = t.incident {
                let fx = self.incidents.entry(incident).or_default();
                fx.alerts_resolved += 1;
            }
            write_alerts(conn, std::iter::once(&mut t)).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, conn: &mut PgConnection) -> Result<()> {
        write_alerts(conn, self.open.values_mut()).await
    }

    /// One timeline entry per incident for what the batch did to it, then the automatic
    /// transitions: acknowledged at the source, resolved when its last alert resolved.
    async fn finish_incidents(&mut self, conn: &mut PgConnection) -> Result<()> {
        let who = actor();
        for (&id, fx) in &self.incidents {
            let Some(facts) = incidents::lock_incident_facts(conn, id).await? else { continue };
            let number = IncidentNumber(facts.number);
            let status = facts.status;
            let open = status.is_open();
            if !fx.attached.is_empty() {
                let body = match fx.attached.as_slice() {
                    [(summary, key, sev)] => format!("Alert attached: {summary} ({sev}, key {key})"),
                    many => {
                        let shown: Vec<&str> = many.iter().take(3).map(|(s, _, _)| s.as_str()).collect();
                        let more = many.len().saturating_sub(3);
                        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
                        format!("{} alerts attached: {}{tail}", many.len(), shown.join("; "))
                    }
                };
                let keys: Vec<&str> = fx.attached.iter().map(|(_, k, _)| k.as_str()).collect();
                timeline::append_timeline(
                    conn,
                    id,
                    &who,
                    self.now,
                    TimelineKind::AlertAttached.as_str(),
                    &body,
                    Some(json!({ "dedup_keys": keys })),
                )
                .await?;
            }
            let current = facts.severity;
            if open
                && !facts.human_acted
                && let Some(to) = fx.worst.and_then(|w| rules::raised_severity(current, w))
            {
                incidents::set_severity(conn, id, to.level()).await?;
                timeline::append_timeline(
                    conn,
                    id,
                    &who,
                    self.now,
                    TimelineKind::SeverityChange.as_str(),
                    &format!("Escalated {current} -> {to}: a more severe alert joined"),
                    Some(json!({ "from": current, "to": to })),
                )
                .await?;
                audit_change(
                    conn,
                    &who,
                    number,
                    "incident.update",
                    json!({ "severity": current }),
                    json!({ "severity": to }),
                )
                .await?;
            }
            let mut status_now = status;
            if fx.acknowledged_by_source && status == IncidentStatus::Triggered {
                status_now = IncidentStatus::Acknowledged;
                let subject = Subject { id, number, status };
                let reason = Some("acknowledged at the alert source");
                lifecycle::transition(conn, &who, subject, status_now, reason, self.now).await?;
            }
            if fx.alerts_resolved > 0
                && status_now.is_open()
                && alerts::open_alert_count(conn, id).await? == 0
            {
                if facts.human_acted {
                    timeline::append_timeline(
                        conn,
                        id,
                        &who,
                        self.now,
                        TimelineKind::AlertAttached.as_str(),
                        "All alerts resolved; the incident stays open because a responder has acted on it",
                        Some(json!({ "alerts": "resolved" })),
                    )
                    .await?;
                } else if status_now.transition(IncidentStatus::Resolved).is_ok() {
                    let subject = Subject { id, number, status: status_now };
                    let reason = Some("all alerts resolved, no one had acted: resolved automatically");
                    lifecycle::transition(conn, &who, subject, IncidentStatus::Resolved, reason, self.now)
                        .await?;
                }
            }
            announce(conn, number, "alerts").await?;
        }
        Ok(())
    }
}

async fn audit_change(
    conn: &mut PgConnection,
    who: &Actor,
    number: IncidentNumber,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(conn, who, Entry::new(action, "incident", number).before(before).after(after)).await?;
    Ok(())
}

async fn write_alerts<'a>(
    conn: &mut PgConnection,
    alerts_: impl Iterator<Item = &'a mut Tracked>,
) -> Result<()> {
    let mut u = AlertUpdates::default();
    for t in alerts_.filter(|t| t.dirty) {
        let s = &t.state;
        u.ids.push(t.id);
        u.statuses.push(s.status.as_str().to_owned());
        u.severities.push(s.severity.as_str().to_owned());
        u.summaries.push(s.summary.clone());
        u.counts.push(s.event_count);
        u.last_seen.push(s.last_seen_at);
        u.last_fired.push(s.last_fired_at);
        u.acknowledged.push(s.acknowledged_at);
        u.resolved.push(s.resolved_at);
        u.flapping.push(s.flapping);
        u.quiet_since.push(s.quiet_since);
        u.payloads.push(t.payload.take());
        t.dirty = false;
    }
    alerts::update_alerts(conn, &u).await?;
    Ok(())
}
