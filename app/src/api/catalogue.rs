use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEntry {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub team_name: String,
}

/// Every service with its owning team (read-only until the incidents work adds editing).
#[server]
pub async fn list_services() -> Result<Vec<ServiceEntry>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let rows = crate::ssr::edge(backend::services::catalogue::services(&ctx.pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ServiceEntry {
            name: r.name,
            slug: r.slug,
            description: r.description,
            team_name: r.team_name,
        })
        .collect())
}
