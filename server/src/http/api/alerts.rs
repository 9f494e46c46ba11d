//! `/api/v1/alerts`: reading alerts (`services::alerts`).

use axum::{Json, extract::State};
use backend::services::{self};
use domain::{
    Role,
    alert::{AlertDetail, AlertFilterInput, AlertPage, RejectedEventView},
};

use crate::http::{openapi::Refusals, query::Query};
use crate::{
    AppState,
    http::path::Path,
    http::{caller::Caller, error::ApiError},
};

/// `GET /api/v1/alerts?service=&incident=&status=&before=&limit=`: newest first.
#[utoipa::path(
    get,
    path = "/alerts",
    tag = "alerts",
    summary = "Alerts, newest first",
    description = "Role: viewer.",
    params(("service" = Option<String>, Query, description = "a service slug"), ("incident" = Option<String>, Query, description = "an incident number"), ("status" = Option<String>, Query, description = "open, triggered, acknowledged or resolved"), ("before" = Option<i64>, Query, description = "the `next` of the previous page"), ("limit" = Option<i64>, Query, description = "1-200, default 50")),
    responses((status = 200, description = "a page of alerts; `next` is the `before` of the next page", body = AlertPage), Refusals)
)]
pub async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(input): Query<AlertFilterInput>,
) -> Result<Json<AlertPage>, ApiError> {
    caller.require(Role::Viewer)?;
    let filter = input.parse()?;
    Ok(Json(services::alerts::list_alerts(&state.ctx.pool, &filter).await?))
}

#[utoipa::path(
    get,
    path = "/alerts/{id}",
    tag = "alerts",
    summary = "One alert with its last 50 events and what each did",
    description = "Role: viewer.",
    params(("id" = i64, Path, description = "the alert")),
    responses((status = 200, description = "the alert", body = AlertDetail), Refusals)
)]
pub async fn get_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AlertDetail>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::alerts::alert_detail(&state.ctx.pool, id).await?))
}

/// `GET /api/v1/services/{slug}/rejected-events`: what the service's keys sent that was refused,
/// newest first (the last 100).
#[utoipa::path(
    get,
    path = "/services/{slug}/rejected-events",
    tag = "alerts",
    summary = "What the service's integration keys sent that was refused, newest first (the last 100)",
    description = "Role: viewer.",
    params(("slug" = String, Path, description = "the service's slug")),
    responses((status = 200, description = "refused events", body = Vec<RejectedEventView>), Refusals)
)]
pub async fn list_rejected(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RejectedEventView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::alerts::list_rejected(&state.ctx.pool, &slug).await?))
}
