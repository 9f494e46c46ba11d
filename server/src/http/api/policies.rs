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

use crate::http::openapi::Refusals;
use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

#[utoipa::path(
    get,
    path = "/escalation-policies",
    tag = "escalation-policies",
    summary = "Escalation policies",
    description = "Role: viewer.",
    responses((status = 200, description = "every policy", body = Vec<PolicyView>), Refusals)
)]
pub async fn list_policies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PolicyView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::policies::list_policies(&state.ctx.pool).await?))
}

#[utoipa::path(
    get,
    path = "/escalation-policies/{id}",
    tag = "escalation-policies",
    summary = "One escalation policy",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the policy")),
    responses((status = 200, description = "the policy", body = PolicyView), Refusals)
)]
pub async fn get_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PolicyId>,
) -> Result<Json<PolicyView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::policies::get_policy(&state.ctx.pool, id).await?))
}

#[utoipa::path(
    post,
    path = "/escalation-policies",
    tag = "escalation-policies",
    summary = "Make an escalation policy",
    description = "Role: admin.",
    request_body = PolicyInput,
    responses((status = 201, description = "created", body = PolicyView), Refusals)
)]
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

#[utoipa::path(
    put,
    path = "/escalation-policies/{id}",
    tag = "escalation-policies",
    summary = "Replace an escalation policy",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the policy")),
    request_body = PolicyInput,
    responses((status = 200, description = "the policy as saved", body = PolicyView), Refusals)
)]
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

#[utoipa::path(
    delete,
    path = "/escalation-policies/{id}",
    tag = "escalation-policies",
    summary = "Delete an escalation policy no service routes to",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the policy")),
    responses((status = 204, description = "deleted"), Refusals)
)]
pub async fn delete_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<PolicyId>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    services::policies::delete_policy(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
