//! All SQL about alert ingestion: integration keys, the event log, alerts, and the incident facts
//! the processor needs (open incidents per service, storm counts).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

// ---- integration keys ----

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: Uuid,
    pub service: String,
    pub kind: String,
    pub label: String,
    pub prefix: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewKey<'a> {
    pub service_id: Uuid,
    pub kind: &'a str,
    pub label: &'a str,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub created_by: Option<Uuid>,
}

pub async fn insert_key(conn: &mut PgConnection, k: &NewKey<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO integration_keys (id, service_id, kind, label, key_hash, prefix, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        Uuid::now_v7(),
        k.service_id,
        k.kind,
        k.label,
        k.hash,
        k.prefix,
        k.created_by,
    )
    .fetch_one(conn)
    .await
}

pub async fn keys_of_service(conn: &mut PgConnection, service: Uuid) -> Result<Vec<KeyRow>, sqlx::Error> {
    sqlx::query_as!(
        KeyRow,
        r#"SELECT k.id, s.slug AS service, k.kind, k.label, k.prefix, u.name AS "created_by?",
                  k.created_at, k.revoked_at
           FROM integration_keys k JOIN services s ON s.id = k.service_id
           LEFT JOIN users u ON u.id = k.created_by
           WHERE k.service_id = $1 ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC"#,
        service
    )
    .fetch_all(conn)
    .await
}

pub async fn key_by_id(
    conn: &mut PgConnection,
    service: Uuid,
    id: Uuid,
) -> Result<Option<KeyRow>, sqlx::Error> {
    sqlx::query_as!(
        KeyRow,
        r#"SELECT k.id, s.slug AS service, k.kind, k.label, k.prefix, u.name AS "created_by?",
                  k.created_at, k.revoked_at
           FROM integration_keys k JOIN services s ON s.id = k.service_id
           LEFT JOIN users u ON u.id = k.created_by
           WHERE k.service_id = $1 AND k.id = $2"#,
        service,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Revokes a live key; `false` when there is no such live key.
pub async fn revoke_key(conn: &mut PgConnection, service: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE integration_keys SET revoked_at = now()
         WHERE service_id = $1 AND id = $2 AND revoked_at IS NULL",
        service,
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What an accepted key grants: sending events of its kind to its service.
#[derive(Debug, Clone)]
pub struct KeyGrant {
    pub id: Uuid,
    pub service_id: Uuid,
    pub kind: String,
}

pub async fn live_key_by_hash(conn: &mut PgConnection, hash: &[u8]) -> Result<Option<KeyGrant>, sqlx::Error> {
    sqlx::query_as!(
        KeyGrant,
        "SELECT id, service_id, kind FROM integration_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        hash
    )
    .fetch_optional(conn)
    .await
}

// ---- services' ingestion settings ----

#[derive(Debug, Clone)]
pub struct ServiceIngestion {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub ingestion: Value,
}

pub async fn service_by_slug(
    conn: &mut PgConnection,
    slug: &str,
) -> Result<Option<ServiceIngestion>, sqlx::Error> {
    sqlx::query_as!(ServiceIngestion, "SELECT id, slug, name, ingestion FROM services WHERE slug = $1", slug)
        .fetch_optional(conn)
        .await
}

pub async fn services_by_id(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<ServiceIngestion>, sqlx::Error> {
    sqlx::query_as!(
        ServiceIngestion,
        "SELECT id, slug, name, ingestion FROM services WHERE id = ANY($1)",
        ids
    )
    .fetch_all(conn)
    .await
}

pub async fn set_ingestion(
    conn: &mut PgConnection,
    service: Uuid,
    ingestion: &Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE services SET ingestion = $2 WHERE id = $1", service, ingestion)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- the event log ----

/// Columns of a batch of accepted events, ready for one multi-row insert.
#[derive(Debug, Default)]
pub struct EventBatch {
    pub service_ids: Vec<Uuid>,
    pub key_ids: Vec<Uuid>,
    pub actions: Vec<String>,
    pub dedup_keys: Vec<String>,
    /// The normalised events as JSON text; Postgres parses them into jsonb.
    pub events: Vec<String>,
}

impl EventBatch {
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    pub fn append(&mut self, other: &mut EventBatch) {
        self.service_ids.append(&mut other.service_ids);
        self.key_ids.append(&mut other.key_ids);
        self.actions.append(&mut other.actions);
        self.dedup_keys.append(&mut other.dedup_keys);
        self.events.append(&mut other.events);
    }
}

/// One statement for the whole batch: the group commit's single write.
pub async fn insert_events(conn: &mut PgConnection, b: &EventBatch) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO alert_events (service_id, integration_key_id, action, dedup_key, event)
         SELECT s, k, a, d, e::jsonb FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
             AS t(s, k, a, d, e)",
        &b.service_ids,
        &b.key_ids,
        &b.actions,
        &b.dedup_keys,
        &b.events,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct PendingEvent {
    pub id: i64,
    pub service_id: Uuid,
    pub action: String,
    pub dedup_key: String,
    pub received_at: DateTime<Utc>,
    pub event: Value,
    pub key_label: Option<String>,
}

pub async fn pending_events(conn: &mut PgConnection, limit: i64) -> Result<Vec<PendingEvent>, sqlx::Error> {
    sqlx::query_as!(
        PendingEvent,
        r#"SELECT e.id, e.service_id, e.action, e.dedup_key, e.received_at, e.event, k.label AS "key_label?"
           FROM alert_events e LEFT JOIN integration_keys k ON k.id = e.integration_key_id
           WHERE e.processed_at IS NULL ORDER BY e.id LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn mark_processed(
    conn: &mut PgConnection,
    ids: &[i64],
    alert_ids: &[Option<i64>],
    outcomes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE alert_events e SET processed_at = now(), alert_id = u.alert_id, outcome = u.outcome
         FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, alert_id, outcome)
         WHERE e.id = u.id",
        ids,
        alert_ids as &[Option<i64>],
        outcomes,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn pending_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM alert_events WHERE processed_at IS NULL"#)
        .fetch_one(conn)
        .await
}

/// Forgets processed events older than `before`, a slice at a time so the sweep never holds
/// long locks.
pub async fn purge_events(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM alert_events WHERE id IN (
             SELECT id FROM alert_events WHERE processed_at < $1 LIMIT 10000)",
        before
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Takes the processor's transaction-scoped lock if free: one instance applies events at a
/// time, which keeps every alert's events in order.
pub async fn try_processor_lock(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock(hashtext('tocsin.alert-processor')) AS "got!""#)
        .fetch_one(conn)
        .await
}

// ---- alerts ----

#[derive(Debug, Clone)]
pub struct AlertRow {
    pub id: i64,
    pub service_id: Uuid,
    pub service: String,
    pub dedup_key: String,
    pub status: String,
    pub severity: String,
    pub summary: String,
    pub source: String,
    pub incident_id: Option<Uuid>,
    pub incident_number: Option<i64>,
    pub event_count: i32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub last_fired_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub flapping: bool,
    pub quiet_since: Option<DateTime<Utc>>,
    pub payload: Value,
}

/// The open alerts among the given (service, dedup key) pairs.
pub async fn open_alerts(
    conn: &mut PgConnection,
    services: &[Uuid],
    keys: &[String],
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as!(
        AlertRow,
        r#"SELECT a.id, a.service_id, s.slug AS service, a.dedup_key, a.status, a.severity, a.summary,
                  a.source, a.incident_id, i.number AS "incident_number?", a.event_count, a.first_seen_at,
                  a.last_seen_at, a.last_fired_at, a.acknowledged_at, a.resolved_at, a.flapping,
                  a.quiet_since, a.payload
           FROM alerts a JOIN services s ON s.id = a.service_id
           LEFT JOIN incidents i ON i.id = a.incident_id
           WHERE a.status <> 'resolved'
             AND (a.service_id, a.dedup_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))"#,
        services,
        keys,
    )
    .fetch_all(conn)
    .await
}

/// Flapping alerts whose source went quiet before `before`.
pub async fn quiet_flapping(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as!(
        AlertRow,
        r#"SELECT a.id, a.service_id, s.slug AS service, a.dedup_key, a.status, a.severity, a.summary,
                  a.source, a.incident_id, i.number AS "incident_number?", a.event_count, a.first_seen_at,
                  a.last_seen_at, a.last_fired_at, a.acknowledged_at, a.resolved_at, a.flapping,
                  a.quiet_since, a.payload
           FROM alerts a JOIN services s ON s.id = a.service_id
           LEFT JOIN incidents i ON i.id = a.incident_id
           WHERE a.flapping AND a.status <> 'resolved' AND a.quiet_since < $1"#,
        before
    )
    .fetch_all(conn)
    .await
}

pub async fn recent_resolves(
    conn: &mut PgConnection,
    service: Uuid,
    key: &str,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM alerts
           WHERE service_id = $1 AND dedup_key = $2 AND status = 'resolved' AND resolved_at >= $3"#,
        service,
        key,
        since
    )
    .fetch_one(conn)
    .await
}

pub struct NewAlert<'a> {
    pub service_id: Uuid,
    pub dedup_key: &'a str,
    pub severity: &'a str,
    pub summary: &'a str,
    pub source: &'a str,
    pub incident_id: Option<Uuid>,
    pub first_seen_at: DateTime<Utc>,
    pub last_fired_at: DateTime<Utc>,
    pub flapping: bool,
    pub payload: &'a Value,
}

pub async fn insert_alert(conn: &mut PgConnection, a: &NewAlert<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO alerts (service_id, dedup_key, status, severity, summary, source, incident_id,
                             first_seen_at, last_seen_at, last_fired_at, flapping, payload)
         VALUES ($1, $2, 'triggered', $3, $4, $5, $6, $7, $7, $8, $9, $10) RETURNING id",
        a.service_id,
        a.dedup_key,
        a.severity,
        a.summary,
        a.source,
        a.incident_id,
        a.first_seen_at,
        a.last_fired_at,
        a.flapping,
        a.payload,
    )
    .fetch_one(conn)
    .await
}

/// Columns of changed alerts, written back in one statement.
#[derive(Debug, Default)]
pub struct AlertUpdates {
    pub ids: Vec<i64>,
    pub statuses: Vec<String>,
    pub severities: Vec<String>,
    pub summaries: Vec<String>,
    pub counts: Vec<i32>,
    pub last_seen: Vec<DateTime<Utc>>,
    pub last_fired: Vec<DateTime<Utc>>,
    pub acknowledged: Vec<Option<DateTime<Utc>>>,
    pub resolved: Vec<Option<DateTime<Utc>>>,
    pub flapping: Vec<bool>,
    pub quiet_since: Vec<Option<DateTime<Utc>>>,
    /// The latest trigger as JSON text, or none to keep the stored payload.
    pub payloads: Vec<Option<String>>,
}

pub async fn update_alerts(conn: &mut PgConnection, u: &AlertUpdates) -> Result<(), sqlx::Error> {
    if u.ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE alerts a SET status = u.status, severity = u.severity, summary = u.summary,
                event_count = u.event_count, last_seen_at = u.last_seen_at, last_fired_at = u.last_fired_at,
                acknowledged_at = u.acknowledged_at, resolved_at = u.resolved_at, flapping = u.flapping,
                quiet_since = u.quiet_since, payload = COALESCE(u.payload::jsonb, a.payload)
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[],
                     $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::bool[],
                     $11::timestamptz[], $12::text[])
             AS u(id, status, severity, summary, event_count, last_seen_at, last_fired_at,
                  acknowledged_at, resolved_at, flapping, quiet_since, payload)
         WHERE a.id = u.id",
        &u.ids,
        &u.statuses,
        &u.severities,
        &u.summaries,
        &u.counts,
        &u.last_seen,
        &u.last_fired,
        &u.acknowledged as &[Option<DateTime<Utc>>],
        &u.resolved as &[Option<DateTime<Utc>>],
        &u.flapping,
        &u.quiet_since as &[Option<DateTime<Utc>>],
        &u.payloads as &[Option<String>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn open_alert_count(conn: &mut PgConnection, incident: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM alerts WHERE incident_id = $1 AND status <> 'resolved'"#,
        incident
    )
    .fetch_one(conn)
    .await
}

/// When a person resolves an incident its alerts resolve too: the next trigger of the same key
/// is a new problem and opens a new alert.
pub async fn resolve_alerts_of(conn: &mut PgConnection, incident: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE alerts SET status = 'resolved', resolved_at = now(), quiet_since = NULL
         WHERE incident_id = $1 AND status <> 'resolved'",
        incident
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn list_alerts(
    conn: &mut PgConnection,
    service: Option<&str>,
    incident: Option<i64>,
    open_only: bool,
    status: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as!(
        AlertRow,
        r#"SELECT a.id, a.service_id, s.slug AS service, a.dedup_key, a.status, a.severity, a.summary,
                  a.source, a.incident_id, i.number AS "incident_number?", a.event_count, a.first_seen_at,
                  a.last_seen_at, a.last_fired_at, a.acknowledged_at, a.resolved_at, a.flapping,
                  a.quiet_since, a.payload
           FROM alerts a JOIN services s ON s.id = a.service_id
           LEFT JOIN incidents i ON i.id = a.incident_id
           WHERE ($1::text IS NULL OR s.slug = $1)
             AND ($2::bigint IS NULL OR i.number = $2)
             AND (NOT $3 OR a.status <> 'resolved')
             AND ($4::text IS NULL OR a.status = $4)
             AND ($5::bigint IS NULL OR a.id < $5)
           ORDER BY a.id DESC LIMIT $6"#,
        service,
        incident,
        open_only,
        status,
        before,
        limit,
    )
    .fetch_all(conn)
    .await
}

pub async fn alert_by_id(conn: &mut PgConnection, id: i64) -> Result<Option<AlertRow>, sqlx::Error> {
    sqlx::query_as!(
        AlertRow,
        r#"SELECT a.id, a.service_id, s.slug AS service, a.dedup_key, a.status, a.severity, a.summary,
                  a.source, a.incident_id, i.number AS "incident_number?", a.event_count, a.first_seen_at,
                  a.last_seen_at, a.last_fired_at, a.acknowledged_at, a.resolved_at, a.flapping,
                  a.quiet_since, a.payload
           FROM alerts a JOIN services s ON s.id = a.service_id
           LEFT JOIN incidents i ON i.id = a.incident_id
           WHERE a.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub action: String,
    pub received_at: DateTime<Utc>,
    pub outcome: Option<String>,
    pub event: Value,
}

pub async fn events_of_alert(
    conn: &mut PgConnection,
    alert: i64,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        "SELECT id, action, received_at, outcome, event FROM alert_events
         WHERE alert_id = $1 ORDER BY id DESC LIMIT $2",
        alert,
        limit
    )
    .fetch_all(conn)
    .await
}

// ---- incidents, as the processor sees them ----

#[derive(Debug, Clone, Copy)]
pub struct OpenIncident {
    pub id: Uuid,
    pub number: i64,
    pub created_at: DateTime<Utc>,
}

/// The service's newest open incident, locked so no one resolves it while alerts join it.
pub async fn newest_open_incident(
    conn: &mut PgConnection,
    service: Uuid,
) -> Result<Option<OpenIncident>, sqlx::Error> {
    sqlx::query_as!(
        OpenIncident,
        "SELECT i.id, i.number, i.created_at FROM incidents i
         JOIN incident_services x ON x.incident_id = i.id AND x.service_id = $1
         WHERE i.status IN ('triggered', 'acknowledged', 'mitigated')
         ORDER BY i.number DESC LIMIT 1 FOR UPDATE OF i",
        service
    )
    .fetch_optional(conn)
    .await
}

pub async fn open_storm_incident(
    conn: &mut PgConnection,
    service: Uuid,
) -> Result<Option<OpenIncident>, sqlx::Error> {
    sqlx::query_as!(
        OpenIncident,
        "SELECT i.id, i.number, i.created_at FROM incidents i
         JOIN incident_services x ON x.incident_id = i.id AND x.service_id = $1
         WHERE i.origin = 'storm' AND i.status IN ('triggered', 'acknowledged', 'mitigated')
         ORDER BY i.number DESC LIMIT 1 FOR UPDATE OF i",
        service
    )
    .fetch_optional(conn)
    .await
}

/// Incidents opened from alerts (storm incidents included) for the service since `since`.
pub async fn incidents_from_alerts_since(
    conn: &mut PgConnection,
    service: Uuid,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM incidents i
           JOIN incident_services x ON x.incident_id = i.id AND x.service_id = $1
           WHERE i.origin <> 'declared' AND i.created_at >= $2"#,
        service,
        since
    )
    .fetch_one(conn)
    .await
}

/// Locks incidents in id order. The processor locks an alert's incident before the alert, the
/// same order as a person resolving an incident (incident, then its alerts), so the two never
/// deadlock.
pub async fn lock_incidents(conn: &mut PgConnection, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM incidents WHERE id = ANY($1) ORDER BY id FOR UPDATE", ids)
        .fetch_all(conn)
        .await?;
    Ok(())
}

pub async fn set_origin(conn: &mut PgConnection, incident: Uuid, origin: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE incidents SET origin = $2 WHERE id = $1", incident, origin).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub number: i64,
    pub status: String,
    pub severity: i16,
    /// Whether any person has acted on it (acknowledged, noted, took a role...).
    pub human_acted: bool,
}

/// Locks the incident and reads what the processor decides on.
pub async fn lock_incident_facts(
    conn: &mut PgConnection,
    incident: Uuid,
) -> Result<Option<IncidentFacts>, sqlx::Error> {
    sqlx::query_as!(
        IncidentFacts,
        r#"SELECT number, status, severity,
                  EXISTS (SELECT 1 FROM timeline_events t
                          WHERE t.incident_id = i.id AND t.author_id IS NOT NULL) AS "human_acted!"
           FROM incidents i WHERE id = $1 FOR UPDATE"#,
        incident
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_severity(conn: &mut PgConnection, incident: Uuid, severity: i16) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE incidents SET severity = $2, updated_at = now() WHERE id = $1", incident, severity)
        .execute(conn)
        .await?;
    Ok(())
}
