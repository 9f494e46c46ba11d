//! The cleanup job: forgets what is kept only for a while. Processed alert events are kept 30
//! days as each alert's history; failed logins a day (longer than any rate-limit window);
//! ended sessions a month, as the record of who was signed in when.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::db::alert_events;
use crate::{
    Result,
    db::{login_failures, sessions},
};

pub const EVENT_HISTORY: Duration = Duration::days(30);

pub async fn run(pool: &PgPool, now: DateTime<Utc>) -> Result<()> {
    let mut conn = pool.acquire().await?;
    // A slice at a time, so the sweep never holds long locks.
    while alert_events::purge_events(&mut conn, now - EVENT_HISTORY).await? > 0 {}
    login_failures::purge(&mut conn, now - Duration::days(1)).await?;
    sessions::purge(&mut conn, now - Duration::days(30)).await?;
    Ok(())
}
