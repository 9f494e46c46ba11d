//! All SQL about notifications and their deliveries: the leased queue and the delivery log.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct NewNotification {
    pub user_id: Uuid,
    pub contact_method_id: Uuid,
    pub kind: &'static str,
    pub page_id: Option<i64>,
    pub incident_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub deferred: bool,
    pub note: Option<String>,
}

/// A notification already delivered at `sent_at` (demo history).
pub async fn insert_sent(
    conn: &mut PgConnection,
    n: &NewNotification,
    sent_at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO notifications (user_id, contact_method_id, kind, page_id, incident_id, due_at, deferred, note,
                                    status, attempts, sent_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sent', 1, $9, $6) RETURNING id",
        n.user_id,
        n.contact_method_id,
        n.kind,
        n.page_id,
        n.incident_id,
        n.due_at,
        n.deferred,
        n.note,
        sent_at
    )
    .fetch_one(conn)
    .await
}

pub async fn insert_notification(conn: &mut PgConnection, n: &NewNotification) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO notifications (user_id, contact_method_id, kind, page_id, incident_id, due_at, deferred, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        n.user_id,
        n.contact_method_id,
        n.kind,
        n.page_id,
        n.incident_id,
        n.due_at,
        n.deferred,
        n.note
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub user_id: Uuid,
    pub contact_method_id: Uuid,
    pub kind: domain::notification::NotificationKind,
    pub incident_id: Option<Uuid>,
    pub attempts: i32,
    pub note: Option<String>,
}

/// Leases up to `limit` due notifications for `lease`; a crashed sender's lease runs out and the
/// rows come back.
pub async fn claim_notifications(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        r#"UPDATE notifications n SET lease_until = $2, attempts = n.attempts + 1
         WHERE n.id IN (
             SELECT id FROM notifications
             WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
             ORDER BY due_at, id LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING n.id, n.user_id, n.contact_method_id, n.kind AS "kind: domain::notification::NotificationKind",
                   n.incident_id, n.attempts, n.note"#,
        now,
        lease_until,
        limit
    )
    .fetch_all(conn)
    .await
}

/// When this person was last sent something on this method, if within the bundling window.
pub async fn last_sent(
    conn: &mut PgConnection,
    user: Uuid,
    method: Uuid,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT max(sent_at) FROM notifications
         WHERE user_id = $1 AND contact_method_id = $2 AND status = 'sent' AND sent_at > $3",
        user,
        method,
        since
    )
    .fetch_one(conn)
    .await
}

/// When each test page to `user` since `since` was queued (a test page is due when queued).
pub async fn tests_since(
    conn: &mut PgConnection,
    user: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT due_at FROM notifications WHERE user_id = $1 AND kind = 'test' AND due_at >= $2",
        user,
        since
    )
    .fetch_all(conn)
    .await
}

pub async fn postpone(
    conn: &mut PgConnection,
    ids: &[i64],
    due_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET due_at = $2, lease_until = NULL, attempts = attempts - 1 WHERE id = ANY($1)",
        ids,
        due_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn finish(
    conn: &mut PgConnection,
    ids: &[i64],
    status: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET status = $2, last_error = $3, lease_until = NULL,
                sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END
         WHERE id = ANY($1)",
        ids,
        status,
        error,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn bundle(
    conn: &mut PgConnection,
    ids: &[i64],
    into: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET status = 'bundled', bundled_into = $2, lease_until = NULL, sent_at = $3
         WHERE id = ANY($1)",
        ids,
        into,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn retry_later(
    conn: &mut PgConnection,
    id: i64,
    due_at: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET due_at = $2, last_error = $3, lease_until = NULL WHERE id = $1",
        id,
        due_at,
        error
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: i64,
    pub user_name: String,
    pub kind: String,
    pub method: String,
    pub label: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub deferred: bool,
    pub incident_number: Option<i64>,
}

/// The delivery log, newest first: of one incident, or of everything.
pub async fn deliveries(
    conn: &mut PgConnection,
    incident: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        r#"SELECT n.id, u.name AS user_name, n.kind, c.kind AS method, c.label, n.status, n.attempts, n.last_error,
                  n.due_at, n.sent_at, n.deferred, i.number AS "incident_number?"
           FROM notifications n
           JOIN users u ON u.id = n.user_id
           JOIN contact_methods c ON c.id = n.contact_method_id
           LEFT JOIN incidents i ON i.id = n.incident_id
           WHERE ($1::uuid IS NULL OR n.incident_id = $1)
           ORDER BY n.id DESC LIMIT $2"#,
        incident,
        limit
    )
    .fetch_all(conn)
    .await
}
