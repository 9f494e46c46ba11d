//! The maintenance job: starts scheduled maintenances when their window opens (their components
//! go under maintenance) and completes them when it closes (each component back to what it would
//! be without the maintenance). The work and its exactly-once claim live in
//! `services::status_page::advance_maintenances`.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::{Result, services::status_page};

pub async fn run(pool: &PgPool, base_url: &str, now: DateTime<Utc>) -> Result<()> {
    let (started, completed) = status_page::advance_maintenances(pool, base_url, now).await?;
    if started + completed > 0 {
        tracing::info!(started, completed, "maintenances moved on");
    }
    Ok(())
}
