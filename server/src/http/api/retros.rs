//! `/api/v1/retros/{team}/{iso_week}` (`services::retros`): one team's week, and what the team
//! writes during its retro. Viewers read; responders write.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::retros as service;
use domain::{
    FieldError, Role, UserId,
    analytics::Week,
    retro::{PageMarkInput, RetroActionInput, RetroHeld, RetroNote, RetroPage, RetroView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::openapi::Refusals;
use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

fn week(text: &str) -> Result<Week, ApiError> {
    Ok(text.parse::<Week>()?)
}

#[utoipa::path(
    get,
    path = "/retros/{team}/{iso_week}",
    tag = "retros",
    summary = "A team's week: its pages with their marks, figures and trends, load, follow-ups, agenda, notes, actions, mood and meeting",
    description = "Role: viewer. The week is counted in the team's time zone.",
    params(("team" = String, Path, description = "the team's slug"), ("iso_week" = String, Path, description = "an ISO week such as 2026-W48")),
    responses((status = 200, description = "the retro", body = RetroView), Refusals)
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, iso_week)): Path<(String, String)>,
) -> Result<Json<RetroView>, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let week = week(&iso_week)?;
    Ok(Json(service::get(&state.ctx.pool, Some(&team), Some(week), p.user_id, state.ctx.now()).await?))
}

#[utoipa::path(
    patch,
    path = "/retros/{team}/{iso_week}/pages/{id}",
    tag = "retros",
    summary = "Mark a page of the week: resolution documented (with its runbook), automated or needing automation, a note",
    description = "Role: responder. 404 when the page is not one of the team's that week.",
    params(
        ("team" = String, Path, description = "the team's slug"),
        ("iso_week" = String, Path, description = "an ISO week such as 2026-W48"),
        ("id" = i64, Path, description = "the page")
    ),
    request_body = PageMarkInput,
    responses((status = 200, description = "the page as marked", body = RetroPage), Refusals)
)]
pub async fn mark_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, iso_week, id)): Path<(String, String, i64)>,
    body: Result<Json<PageMarkInput>, JsonRejection>,
) -> Result<Json<RetroPage>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let week = week(&iso_week)?;
    let page =
        service::mark_page(&state.ctx.pool, &caller.actor(p), &team, week, id, &input, state.ctx.now())
            .await?;
    Ok(Json(page))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteBody {
    /// What was said, at most 5,000 characters.
    body: String,
}

#[utoipa::path(
    post,
    path = "/retros/{team}/{iso_week}/notes",
    tag = "retros",
    summary = "Add a note to the week's retro",
    description = "Role: responder.",
    params(("team" = String, Path, description = "the team's slug"), ("iso_week" = String, Path, description = "an ISO week such as 2026-W48")),
    request_body = NoteBody,
    responses((status = 201, description = "the note", body = RetroNote), Refusals)
)]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, iso_week)): Path<(String, String)>,
    body: Result<Json<NoteBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RetroNote>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let week = week(&iso_week)?;
    let note =
        service::add_note(&state.ctx.pool, &caller.actor(p), &team, week, &input.body, state.ctx.now())
            .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    id: Uuid,
}

#[utoipa::path(
    post,
    path = "/retros/{team}/{iso_week}/actions",
    tag = "retros",
    summary = "Agree an action in the week's retro: what, who, by when",
    description = "Role: responder.",
    params(("team" = String, Path, description = "the team's slug"), ("iso_week" = String, Path, description = "an ISO week such as 2026-W48")),
    request_body = RetroActionInput,
    responses((status = 201, description = "the action's id", body = Created), Refusals)
)]
pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, iso_week)): Path<(String, String)>,
    body: Result<Json<RetroActionInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let week = week(&iso_week)?;
    let id =
        service::add_action(&state.ctx.pool, &caller.actor(p), &team, week, &input, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActionDone {
    done: bool,
}

#[utoipa::path(
    patch,
    path = "/retros/{team}/actions/{id}",
    tag = "retros",
    summary = "Mark a retro action done, or open again",
    description = "Role: responder.",
    params(("team" = String, Path, description = "the team's slug"), ("id" = Uuid, Path, description = "the action")),
    request_body = ActionDone,
    responses((status = 204, description = "done"), Refusals)
)]
pub async fn set_action_done(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, id)): Path<(String, Uuid)>,
    body: Result<Json<ActionDone>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    service::set_action_done(&state.ctx.pool, &caller.actor(p), &team, id, input.done, state.ctx.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MoodBody {
    /// 1 (bad) to 5 (great). Shown only as the team's aggregate.
    mood: i64,
}

#[utoipa::path(
    put,
    path = "/retros/{team}/{iso_week}/mood",
    tag = "retros",
    summary = "Answer the week's mood check (members of the team only; shown only as an aggregate)",
    description = "Role: responder. 409 for someone not in the team.",
    params(("team" = String, Path, description = "the team's slug"), ("iso_week" = String, Path, description = "an ISO week such as 2026-W48")),
    request_body = MoodBody,
    responses((status = 204, description = "recorded"), Refusals)
)]
pub async fn set_mood(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, iso_week)): Path<(String, String)>,
    body: Result<Json<MoodBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let week = week(&iso_week)?;
    let mood =
        u8::try_from(input.mood).map_err(|_| FieldError::new("mood", "must be 1 (bad) to 5 (great)"))?;
    service::set_mood(&state.ctx.pool, &caller.actor(p), &team, week, mood, state.ctx.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct HeldBody {
    /// Who attended.
    attendees: Vec<Uuid>,
}

#[utoipa::path(
    post,
    path = "/retros/{team}/{iso_week}/held",
    tag = "retros",
    summary = "Record that the week's retro was held, and who attended",
    description = "Role: responder.",
    params(("team" = String, Path, description = "the team's slug"), ("iso_week" = String, Path, description = "an ISO week such as 2026-W48")),
    request_body = HeldBody,
    responses((status = 200, description = "the meeting", body = RetroHeld), Refusals)
)]
pub async fn held(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, iso_week)): Path<(String, String)>,
    body: Result<Json<HeldBody>, JsonRejection>,
) -> Result<Json<RetroHeld>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let week = week(&iso_week)?;
    let people: Vec<UserId> = input.attendees.into_iter().map(UserId).collect();
    Ok(Json(service::hold(&state.ctx.pool, &caller.actor(p), &team, week, &people, state.ctx.now()).await?))
}
