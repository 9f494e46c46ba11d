//! All SQL about failed logins, the memory of the login rate limit. In the database so that every
//! server instance counts the same failures.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

pub async fn record(conn: &mut PgConnection, ip: &str, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO login_failures (ip, email) VALUES ($1, $2::text::citext)", ip, email)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets failures older than `before`: rows older than any window are useless.
pub async fn purge(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM login_failures WHERE at < $1", before).execute(conn).await?.rows_affected())
}

/// Failures within the window for this IP and for this account, and how many seconds until the
/// oldest of each leaves the window.
#[derive(Debug, Clone, Copy)]
pub struct Recent {
    pub by_ip: i64,
    pub by_email: i64,
    pub ip_retry_after: Option<f64>,
    pub email_retry_after: Option<f64>,
}

pub async fn recent(
    conn: &mut PgConnection,
    ip: &str,
    email: &str,
    window_secs: i64,
) -> Result<Recent, sqlx::Error> {
    sqlx::query_as!(
        Recent,
        r#"WITH w AS (SELECT * FROM login_failures WHERE at > now() - make_interval(secs => $3))
           SELECT
             (SELECT count(*) FROM w WHERE ip = $1) AS "by_ip!",
             (SELECT count(*) FROM w WHERE email = $2::text::citext) AS "by_email!",
             (SELECT extract(epoch FROM min(at) + make_interval(secs => $3) - now())::float8
                FROM w WHERE ip = $1) AS ip_retry_after,
             (SELECT extract(epoch FROM min(at) + make_interval(secs => $3) - now())::float8
                FROM w WHERE email = $2::text::citext) AS email_retry_after"#,
        ip,
        email,
        window_secs as f64,
    )
    .fetch_one(conn)
    .await
}

pub async fn clear_for_email(conn: &mut PgConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_failures WHERE email = $1::text::citext", email).execute(conn).await?;
    Ok(())
}
