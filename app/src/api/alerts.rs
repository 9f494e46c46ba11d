use domain::alert::{AlertFilterInput, AlertPage, RejectedEventView};
use leptos::prelude::*;

use crate::error::AppError;

#[server(input = leptos::server_fn::codec::Json)]
pub async fn list_alerts(filter: AlertFilterInput) -> Result<AlertPage, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let filter = filter.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    crate::ssr::edge(backend::services::alerts::list_alerts(&ctx.pool, &filter).await)
}

/// What the service's keys sent that was refused, newest first.
#[server]
pub async fn list_rejected_events(slug: String) -> Result<Vec<RejectedEventView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::alerts::list_rejected(&ctx.pool, &slug).await)
}
