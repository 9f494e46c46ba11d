//! All SQL about alerts: one row per open problem per dedup key, as the processor keeps them.

use chrono::{DateTime, Utc};
use domain::alert::{AlertSeverity, AlertStatus};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct AlertRow {
    pub id: i64,
    pub service_id: Uuid,
    pub service: String,
    pub dedup_key: String,
    pub status: AlertStatus,
    pub severity: AlertSeverity,
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

/// `query_as!` for [`AlertRow`]: the one column list, followed by the caller's conditions (sqlx
/// checks the concatenated query as usual).
macro_rules! alert_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            AlertRow,
            r#"SELECT a.id, a.service_id, s.slug AS service, a.dedup_key, a.status AS "status: AlertStatus",
                      a.severity AS "severity: AlertSeverity", a.summary, a.source, a.incident_id,
                      i.number AS "incident_number?", a.event_count, a.first_seen_at, a.last_seen_at,
                      a.last_fired_at, a.acknowledged_at, a.resolved_at, a.flapping, a.quiet_since, a.payload
               FROM alerts a JOIN services s ON s.id = a.service_id
               LEFT JOIN incidents i ON i.id = a.incident_id "#
                + $rest
            $(, $arg)*
        )
    };
}

/// The open alerts among the given (service, dedup key) pairs.
pub async fn open_alerts(
    conn: &mut PgConnection,
    services: &[Uuid],
    keys: &[String],
) -> Result<Vec<AlertRow>, sqlx::Error> {
    alert_rows!(
        r#"WHERE a.status <> 'resolved'
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
    alert_rows!(r#"WHERE a.flapping AND a.status <> 'resolved' AND a.quiet_since < $1"#, before)
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

/// An alert that fired and resolved in the past (demo history).
pub async fn insert_resolved_alert(
    conn: &mut PgConnection,
    a: &NewAlert<'_>,
    resolved_at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO alerts (service_id, dedup_key, status, severity, summary, source, incident_id,
                             first_seen_at, last_seen_at, last_fired_at, resolved_at, flapping, payload)
         VALUES ($1, $2, 'resolved', $3, $4, $5, $6, $7, $7, $8, $9, $10, $11) RETURNING id",
        a.service_id,
        a.dedup_key,
        a.severity,
        a.summary,
        a.source,
        a.incident_id,
        a.first_seen_at,
        a.last_fired_at,
        resolved_at,
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
pub async fn resolve_alerts_of(
    conn: &mut PgConnection,
    incident: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE alerts SET status = 'resolved', resolved_at = $2, quiet_since = NULL
         WHERE incident_id = $1 AND status <> 'resolved'",
        incident,
        now
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
    alert_rows!(
        r#"WHERE ($1::text IS NULL OR s.slug = $1)
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
    alert_rows!(r#"WHERE a.id = $1"#, id).fetch_optional(conn).await
}
