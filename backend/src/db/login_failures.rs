//! All SQL about failed logins, the memory of the login rate limit. In the database so that every
//! server instance counts the same failures.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

pub async fn record(
    conn: &mut PgConnection,
    ip: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_failures (ip, email, at) VALUES ($1, $2::text::citext, $3)",
        ip,
        email,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets failures older than `before`: rows older than any window are useless.
pub async fn purge(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM login_failures WHERE at < $1", before).execute(conn).await?.rows_affected())
}

/// Failures within the window for this IP and for this account: how many, when the oldest from
/// the IP leaves the window, and when the account's last one was.
#[derive(Debug, Clone, Copy)]
pub struct Recent {
    pub by_ip: i64,
    pub by_email: i64,
    pub ip_retry_after: Option<f64>,
    pub last_email_failure: Option<DateTime<Utc>>,
}

pub async fn recent(
    conn: &mut PgConnection,
    ip: &str,
    email: &str,
    window_secs: i64,
    now: DateTime<Utc>,
) -> Result<Recent, sqlx::Error> {
    sqlx::query_as!(
        Recent,
        r#"WITH w AS (SELECT * FROM login_failures WHERE at > $4::timestamptz - make_interval(secs => $3))
           SELECT
             (SELECT count(*) FROM w WHERE ip = $1) AS "by_ip!",
             (SELECT count(*) FROM w WHERE email = $2::text::citext) AS "by_email!",
             (SELECT extract(epoch FROM min(at) + make_interval(secs => $3) - $4::timestamptz)::float8
                FROM w WHERE ip = $1) AS ip_retry_after,
             (SELECT max(at) FROM w WHERE email = $2::text::citext) AS last_email_failure"#,
        ip,
        email,
        window_secs as f64,
        now,
    )
    .fetch_one(conn)
    .await
}

pub async fn clear_for_email(conn: &mut PgConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_failures WHERE email = $1::text::citext", email).execute(conn).await?;
    Ok(())
}
