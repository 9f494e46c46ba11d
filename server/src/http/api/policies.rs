//! `/api/v1/escalation-policies` (`services::policies`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::escalation::PolicyId;
use domain::{
    Role,
    escalation::{PolicyInput, PolicyView},
};

use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

pub async fn list_policies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PolicyView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::policies::list_policies(&state.ctx.pool).await?))
}

pub async fn get_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PolicyId>,
) -> Result<Json<PolicyView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::policies::get_policy(&state.ctx.pool, id).await?))
}

pub async fn create_policy(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PolicyInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PolicyView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok((
        StatusCode::CREATED,
        Json(services::policies::save_policy(&state.ctx.pool, &caller.actor(admin), None, &input).await?),
    ))
}

pub async fn update_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PolicyId>,
    body: Result<Json<PolicyInput>, JsonRejection>,
) -> Result<Json<PolicyView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(services::policies::save_policy(&state.ctx.pool, &caller.actor(admin), Some(id), &input).await?))
}

pub async fn delete_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PolicyId>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    services::policies::delete_policy(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
