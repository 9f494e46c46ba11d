//! `/api/v1/incidents/{number}/timeline`: notes and pins (`services::timeline`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{
    Role,
    incident::{IncidentNumber, NoteInput, PinInput, TimelineEntryView},
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
    path = "/incidents/{number}/timeline",
    tag = "incidents",
    summary = "The incident's timeline, oldest first",
    description = "Role: viewer.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    responses((status = 200, description = "the entries", body = Vec<TimelineEntryView>), Refusals)
)]
pub async fn incident_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<Vec<TimelineEntryView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::timeline::timeline(&state.ctx.pool, number).await?))
}

/// `POST /api/v1/incidents/{number}/timeline {"body"}`: a note in Markdown.
#[utoipa::path(
    post,
    path = "/incidents/{number}/timeline",
    tag = "incidents",
    summary = "Add a note (Markdown) to the timeline",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = NoteInput,
    responses((status = 201, description = "the note", body = TimelineEntryView), Refusals)
)]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<NoteInput>, JsonRejection>,
) -> Result<(StatusCode, Json<TimelineEntryView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let note = input.parse()?;
    let actor = caller.actor(responder);
    let entry = services::timeline::add_note(&state.ctx.pool, &actor, number, &note, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// `PUT /api/v1/incidents/{number}/timeline/{id}/pin {"pin": "papertrail" | "follow_up" | null}`.
#[utoipa::path(
    method(put, post),
    path = "/incidents/{number}/timeline/{id}/pin",
    tag = "incidents",
    summary = "Pin a timeline entry as papertrail or follow-up (null unpins)",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42"), ("id" = i64, Path, description = "the timeline entry")),
    request_body = PinInput,
    responses((status = 200, description = "the entry", body = TimelineEntryView), Refusals)
)]
pub async fn pin_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, event)): Path<(IncidentNumber, i64)>,
    body: Result<Json<PinInput>, JsonRejection>,
) -> Result<Json<TimelineEntryView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let pin = input.parse()?;
    let actor = caller.actor(responder);
    Ok(Json(services::timeline::set_pin(&state.ctx.pool, &actor, number, event, pin, state.ctx.now()).await?))
}

/// `DELETE /api/v1/incidents/{number}/timeline/{id}/pin`: unpin.
#[utoipa::path(
    delete,
    path = "/incidents/{number}/timeline/{id}/pin",
    tag = "incidents",
    summary = "Unpin a timeline entry",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42"), ("id" = i64, Path, description = "the timeline entry")),
    responses((status = 200, description = "the entry", body = TimelineEntryView), Refusals)
)]
pub async fn unpin_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, event)): Path<(IncidentNumber, i64)>,
) -> Result<Json<TimelineEntryView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let actor = caller.actor(responder);
    Ok(Json(
        services::timeline::set_pin(&state.ctx.pool, &actor, number, event, None, state.ctx.now()).await?,
    ))
}
