//! All SQL about incidents, the services they affect, and their timeline.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::audit::Actor;

#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub severity: i16,
    pub status: String,
    pub customer_impact: bool,
    pub declared_by: Option<String>,
    pub services: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub impact_ended_at: Option<DateTime<Utc>>,
}

pub struct NewIncidentRow<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub severity: i16,
    pub customer_impact: bool,
    pub declared_by: Option<Uuid>,
}

/// Inserts an incident as triggered; returns its id and number.
pub async fn insert(conn: &mut PgConnection, new: &NewIncidentRow<'_>) -> Result<(Uuid, i64), sqlx::Error> {
    let row = sqlx::query!(
        "INSERT INTO incidents (id, title, description, severity, status, customer_impact, declared_by,
                                impact_started_at)
         VALUES ($1, $2, $3, $4, 'triggered', $5, $6, CASE WHEN $5 THEN now() END)
         RETURNING id, number",
        Uuid::now_v7(),
        new.title,
        new.description,
        new.severity,
        new.customer_impact,
        new.declared_by,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.number))
}

/// Of the given service slugs, those that do not exist.
pub async fn unknown_services(conn: &mut PgConnection, slugs: &[String]) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT s AS "slug!" FROM unnest($1::text[]) AS s WHERE s NOT IN (SELECT slug FROM services)"#,
        slugs,
    )
    .fetch_all(conn)
    .await
}

pub async fn attach_services(
    conn: &mut PgConnection,
    incident: Uuid,
    slugs: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO incident_services (incident_id, service_id)
         SELECT $1, id FROM services WHERE slug = ANY($2::text[]) ON CONFLICT DO NOTHING",
        incident,
        slugs,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_number(conn: &mut PgConnection, number: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    sqlx::query_as!(
        IncidentRow,
        r#"SELECT i.id, i.number, i.title, i.description, i.severity, i.status, i.customer_impact,
                  u.name AS "declared_by?",
                  COALESCE((SELECT array_agg(s.slug ORDER BY s.slug) FROM incident_services x
                            JOIN services s ON s.id = x.service_id WHERE x.incident_id = i.id), '{}') AS "services!",
                  i.created_at, i.acknowledged_at, i.mitigated_at, i.resolved_at,
                  i.impact_started_at, i.impact_ended_at
           FROM incidents i LEFT JOIN users u ON u.id = i.declared_by
           WHERE i.number = $1"#,
        number,
    )
    .fetch_optional(conn)
    .await
}

/// The newest incidents, open ones first (by severity, then age), at most `limit`.
pub async fn list_recent(conn: &mut PgConnection, limit: i64) -> Result<Vec<IncidentRow>, sqlx::Error> {
    sqlx::query_as!(
        IncidentRow,
        r#"SELECT i.id, i.number, i.title, i.description, i.severity, i.status, i.customer_impact,
                  u.name AS "declared_by?",
                  COALESCE((SELECT array_agg(s.slug ORDER BY s.slug) FROM incident_services x
                            JOIN services s ON s.id = x.service_id WHERE x.incident_id = i.id), '{}') AS "services!",
                  i.created_at, i.acknowledged_at, i.mitigated_at, i.resolved_at,
                  i.impact_started_at, i.impact_ended_at
           FROM incidents i LEFT JOIN users u ON u.id = i.declared_by
           ORDER BY i.status NOT IN ('triggered', 'acknowledged', 'mitigated'),
                    CASE WHEN i.status IN ('triggered', 'acknowledged', 'mitigated') THEN i.severity END,
                    i.created_at DESC
           LIMIT $1"#,
        limit,
    )
    .fetch_all(conn)
    .await
}

pub async fn id_by_number(conn: &mut PgConnection, number: i64) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM incidents WHERE number = $1", number).fetch_optional(conn).await
}

/// Locks the incident for the rest of the transaction and returns its id and status.
pub async fn lock_status(
    conn: &mut PgConnection,
    number: i64,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let row = sqlx::query!("SELECT id, status FROM incidents WHERE number = $1 FOR UPDATE", number)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| (r.id, r.status)))
}

/// Moves an incident to `status`, stamping the time of the first acknowledgement and mitigation,
/// and of the latest resolution (cleared when it is reopened).
pub async fn set_status(conn: &mut PgConnection, id: Uuid, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET
             status = $2,
             acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN COALESCE(acknowledged_at, now()) ELSE acknowledged_at END,
             mitigated_at = CASE WHEN $2 = 'mitigated' THEN COALESCE(mitigated_at, now()) ELSE mitigated_at END,
             resolved_at = CASE WHEN $2 IN ('resolved', 'no_responder') THEN now()
                                WHEN $2 = 'triggered' THEN NULL ELSE resolved_at END,
             updated_at = now()
         WHERE id = $1",
        id,
        status,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends a timeline event; returns its id.
pub async fn append_timeline(
    conn: &mut PgConnection,
    incident: Uuid,
    actor: &Actor,
    kind: &str,
    body: &str,
    data: Option<Value>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO timeline_events (incident_id, author_id, author_label, kind, body, data)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        incident,
        actor.user_id.map(|u| u.0),
        actor.label,
        kind,
        body,
        data,
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub author_label: String,
    pub kind: String,
    pub body: String,
    pub pin: Option<String>,
}

pub async fn timeline(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<TimelineRow>, sqlx::Error> {
    sqlx::query_as!(
        TimelineRow,
        "SELECT id, at, author_label, kind, body, pin FROM timeline_events WHERE incident_id = $1 ORDER BY id",
        incident,
    )
    .fetch_all(conn)
    .await
}
