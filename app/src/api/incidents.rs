use domain::incident::{IncidentView, NewIncidentInput, TimelineEntryView};
use leptos::prelude::*;

use crate::error::AppError;

#[server]
pub async fn list_incidents() -> Result<Vec<IncidentView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::incidents::list_incidents(&ctx.pool, 100).await)
}

#[server]
pub async fn get_incident(number: String) -> Result<IncidentView, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let number = number.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))?;
    crate::ssr::edge(backend::services::incidents::get_incident(&ctx.pool, number).await)
}

#[server]
pub async fn incident_timeline(number: String) -> Result<Vec<TimelineEntryView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let number = number.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))?;
    crate::ssr::edge(backend::services::incidents::timeline(&ctx.pool, number).await)
}

#[server]
pub async fn declare_incident(input: NewIncidentInput) -> Result<IncidentView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let new = input.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::incidents::declare_incident(&ctx.pool, &actor, &new).await)
}

#[server]
pub async fn transition_incident(
    number: String,
    to: String,
    reason: Option<String>,
) -> Result<IncidentView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let number = number.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))?;
    let to = to.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::incidents::transition_incident(&ctx.pool, &actor, number, to, reason.as_deref())
            .await,
    )
}
