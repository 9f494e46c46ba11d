//! `/api/v1/teams`: teams and their members (`services::teams`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{
    Role, UserId,
    team::{NewTeamInput, Slug, TeamHoursInput, TeamRole, TeamView},
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

#[utoipa::path(
    get,
    path = "/teams",
    tag = "teams",
    summary = "Teams with their members and owned services",
    description = "Role: viewer.",
    responses((status = 200, description = "every team", body = Vec<TeamView>), Refusals)
)]
pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TeamView>>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    Ok(Json(services::teams::list_teams(&state.ctx.pool, me.role.includes(Role::Responder)).await?))
}

#[utoipa::path(
    post,
    path = "/teams",
    tag = "teams",
    summary = "Make a team",
    description = "Role: admin.",
    request_body = NewTeamInput,
    responses((status = 201, description = "created", body = TeamView), Refusals)
)]
pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewTeamInput>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let (name, slug) = input.parse()?;
    let team = services::teams::create_team(&state.ctx.pool, &caller.actor(admin), &name, &slug).await?;
    Ok((StatusCode::CREATED, Json(team)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MemberBody {
    /// lead or member.
    role: String,
}

/// `PUT /api/v1/teams/{slug}/members/{user_id} {"role": "lead"|"member"}`: adds or changes.
#[utoipa::path(
    put,
    path = "/teams/{slug}/members/{user_id}",
    tag = "teams",
    summary = "Add someone to a team or change their role in it",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the team's slug"), ("user_id" = uuid::Uuid, Path, description = "the user")),
    request_body = MemberBody,
    responses((status = 204, description = "done"), Refusals)
)]
pub async fn set_team_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, user)): Path<(String, Uuid)>,
    body: Result<Json<MemberBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(body) = body.map_err(bad_json)?;
    let team = Slug::parse(&team)?;
    let role: TeamRole = body.role.parse()?;
    services::teams::set_member(&state.ctx.pool, &caller.actor(admin), &team, UserId(user), role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/teams/{slug}/members/{user_id}",
    tag = "teams",
    summary = "Take someone off a team",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the team's slug"), ("user_id" = uuid::Uuid, Path, description = "the user")),
    responses((status = 204, description = "done"), Refusals)
)]
pub async fn remove_team_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, user)): Path<(String, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let team = Slug::parse(&team)?;
    services::teams::remove_member(&state.ctx.pool, &caller.actor(admin), &team, UserId(user)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/teams/{slug}/hours`: the zone and working hours analytics class pages by.
#[utoipa::path(
    put,
    path = "/teams/{slug}/hours",
    tag = "teams",
    summary = "Set a team's time zone and working hours (business, off-hours and sleep hours)",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the team's slug")),
    request_body = TeamHoursInput,
    responses((status = 204, description = "done"), Refusals)
)]
pub async fn set_team_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(team): Path<String>,
    body: Result<Json<TeamHoursInput>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(body) = body.map_err(bad_json)?;
    let team = Slug::parse(&team)?;
    services::teams::set_hours(&state.ctx.pool, &caller.actor(admin), &team, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
