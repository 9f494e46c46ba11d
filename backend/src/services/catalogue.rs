//! The service catalogue: which team owns what.

use sqlx::PgPool;

use crate::{Result, db::teams};

pub async fn services(pool: &PgPool) -> Result<Vec<teams::ServiceWithOwner>> {
    let mut conn = pool.acquire().await?;
    Ok(teams::services_with_owners(&mut conn).await?)
}
