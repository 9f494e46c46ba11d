//! All SQL about stored alert events: the group-commit insert, the processor's queue and lock,
//! and the purge.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

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

    /// Takes the first `n` events out of the batch, as a batch of their own.
    pub fn take_front(&mut self, n: usize) -> EventBatch {
        let n = n.min(self.len());
        EventBatch {
            service_ids: self.service_ids.drain(..n).collect(),
            key_ids: self.key_ids.drain(..n).collect(),
            actions: self.actions.drain(..n).collect(),
            dedup_keys: self.dedup_keys.drain(..n).collect(),
            events: self.events.drain(..n).collect(),
        }
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
    sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock($1::int4, 0) AS "got!""#,
        super::LockSpace::AlertProcessor as i32
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub action: domain::alert::EventAction,
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
        r#"SELECT id, action AS "action: domain::alert::EventAction", received_at, outcome, event FROM alert_events
         WHERE alert_id = $1 ORDER BY id DESC LIMIT $2"#,
        alert,
        limit
    )
    .fetch_all(conn)
    .await
}
