//! All SQL about incident timelines: append-only entries and their pins.

use crate::actor::Actor;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// A timeline entry with its own time, for incidents that already happened.
pub async fn append_timeline_at(
    conn: &mut PgConnection,
    incident: Uuid,
    actor: &Actor,
    at: DateTime<Utc>,
    kind: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO timeline_events (incident_id, at, author_id, author_label, kind, body)
         VALUES ($1, $2, $3, $4, $5, $6)",
        incident,
        at,
        actor.user_id.map(|u| u.0),
        actor.label,
        kind,
        body,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends a timeline event at `at` (the application's clock); returns its id.
pub async fn append_timeline(
    conn: &mut PgConnection,
    incident: Uuid,
    actor: &Actor,
    at: DateTime<Utc>,
    kind: &str,
    body: &str,
    data: Option<Value>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO timeline_events (incident_id, at, author_id, author_label, kind, body, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        incident,
        at,
        actor.user_id.map(|u| u.0),
        actor.label,
        kind,
        body,
        data,
    )
    .fetch_one(conn)
    .await
}

/// Pins or unpins a timeline event of `incident`; false when it has no such event.
pub async fn set_pin(
    conn: &mut PgConnection,
    incident: Uuid,
    event: i64,
    pin: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE timeline_events SET pin = $3 WHERE id = $2 AND incident_id = $1",
        incident,
        event,
        pin,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The author's current name, or the label recorded with the entry (cli, system).
    pub author: String,
    pub kind: String,
    pub body: String,
    pub pin: Option<String>,
}

pub async fn timeline(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<TimelineRow>, sqlx::Error> {
    sqlx::query_as!(
        TimelineRow,
        r#"SELECT t.id, t.at, COALESCE(u.name, t.author_label) AS "author!", t.kind, t.body, t.pin
           FROM timeline_events t LEFT JOIN users u ON u.id = t.author_id
           WHERE t.incident_id = $1 ORDER BY t.id"#,
        incident,
    )
    .fetch_all(conn)
    .await
}

pub async fn timeline_entry(
    conn: &mut PgConnection,
    incident: Uuid,
    event: i64,
) -> Result<Option<TimelineRow>, sqlx::Error> {
    sqlx::query_as!(
        TimelineRow,
        r#"SELECT t.id, t.at, COALESCE(u.name, t.author_label) AS "author!", t.kind, t.body, t.pin
           FROM timeline_events t LEFT JOIN users u ON u.id = t.author_id
           WHERE t.incident_id = $1 AND t.id = $2"#,
        incident,
        event,
    )
    .fetch_optional(conn)
    .await
}
