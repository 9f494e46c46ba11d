//! Paging someone by hand and the pages an incident sent (`services::paging`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
};
use backend::services::{self};
use domain::{Role, escalation::ManualPage, incident::IncidentNumber, notification::PageView};
use serde::Serialize;

use crate::http::openapi::Refusals;
use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paged {
    /// The names of the people paged.
    pub paged: Vec<String>,
}

/// `POST /api/v1/incidents/{number}/page {"kind": "user"|"team"|"policy", "id"}`.
#[utoipa::path(
    post,
    path = "/incidents/{number}/page",
    tag = "paging",
    summary = "Page a person, a team's leads or a policy's first level into the incident",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = ManualPage,
    responses((status = 200, description = "who was paged", body = Paged), Refusals)
)]
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<ManualPage>, JsonRejection>,
) -> Result<Json<Paged>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(whom) = body.map_err(bad_json)?;
    let paged = services::paging::page_manually(
        &state.ctx.pool,
        &caller.actor(responder),
        number,
        &whom,
        state.ctx.now(),
    )
    .await?;
    Ok(Json(Paged { paged }))
}

#[utoipa::path(
    get,
    path = "/incidents/{number}/pages",
    tag = "paging",
    summary = "Who was paged for the incident",
    description = "Role: viewer.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    responses((status = 200, description = "the pages", body = Vec<PageView>), Refusals)
)]
pub async fn pages(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<Vec<PageView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::paging::pages(&state.ctx.pool, number).await?))
}
