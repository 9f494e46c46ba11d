//! Paging someone by hand and the pages an incident sent (`services::paging`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
};
use backend::services::{self};
use domain::{Role, escalation::ManualPage, incident::IncidentNumber, notification::PageView};
use serde::Serialize;

use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

#[derive(Debug, Serialize)]
pub struct Paged {
    pub paged: Vec<String>,
}

/// `POST /api/v1/incidents/{number}/page {"kind": "user"|"team"|"policy", "id"}`.
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

pub async fn pages(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<Vec<PageView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::paging::pages(&state.ctx.pool, number).await?))
}
