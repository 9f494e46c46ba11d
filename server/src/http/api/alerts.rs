//! `/api/v1/alerts`: reading alerts (`services::alerts`).

use axum::{
    Json,
    extract::{Query, State},
};
use backend::services::{self};
use domain::{
    Role,
    alert::{AlertDetail, AlertFilterInput, AlertPage, RejectedEventView},
};

use crate::{
    AppState,
    http::path::Path,
    http::{caller::Caller, error::ApiError},
};

/// `GET /api/v1/alerts?service=&incident=&status=&before=&limit=`: newest first.
pub async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(input): Query<AlertFilterInput>,
) -> Result<Json<AlertPage>, ApiError> {
    caller.require(Role::Viewer)?;
    let filter = input.parse()?;
    Ok(Json(services::alerts::list_alerts(&state.ctx.pool, &filter).await?))
}

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
pub async fn list_rejected(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RejectedEventView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::alerts::list_rejected(&state.ctx.pool, &slug).await?))
}
