//! All SQL about sessions: one row per login, ended by logout, a password change or the
//! person being disabled, and never alive past its absolute end.

use chrono::{DateTime, Utc};
use domain::UserId;
use sqlx::PgConnection;
use uuid::Uuid;

/// Where a change to someone's sessions is announced, so every instance ends their open event
/// streams (payload: the user's id).
pub const ENDED_CHANNEL: &str = "tocsin_sessions_ended";

pub async fn insert(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    ip: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip) VALUES ($1, $2, $3, $4, $3, $5)",
        id,
        user.0,
        now,
        expires_at,
        ip
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The absolute end of a live session of `user`, or None when it ended or expired.
pub async fn live_until(
    conn: &mut PgConnection,
    id: Uuid,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT expires_at FROM sessions WHERE id = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at > $3",
        id,
        user.0,
        now
    )
    .fetch_optional(conn)
    .await
}

/// Notes that a session was used (on renewal, so at most every few minutes).
pub async fn seen(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE sessions SET last_seen_at = $2 WHERE id = $1", id, now).execute(conn).await?;
    Ok(())
}

pub async fn end(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let ended = sqlx::query!("UPDATE sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL", id, now)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(ended > 0)
}

/// Ends every live session of `user` but `keep`; returns how many ended.
pub async fn end_all(
    conn: &mut PgConnection,
    user: UserId,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE sessions SET ended_at = $3 WHERE user_id = $1 AND ended_at IS NULL AND id IS DISTINCT FROM $2",
        user.0,
        keep,
        now
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Tells every instance (at commit) that `user`'s credentials changed.
pub async fn announce(conn: &mut PgConnection, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_notify($1, $2::text)", ENDED_CHANNEL, user.0.to_string()).execute(conn).await?;
    Ok(())
}

/// Forgets sessions that ended or expired before `before`.
pub async fn purge(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM sessions WHERE coalesce(ended_at, expires_at) < $1", before)
        .execute(conn)
        .await?
        .rows_affected())
}
