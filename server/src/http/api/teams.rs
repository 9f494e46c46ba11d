//! `/api/v1/teams`: teams and their members (`services::teams`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{
    Role, UserId,
    team::{NewTeamInput, Slug, TeamRole, TeamView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TeamView>>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    Ok(Json(services::teams::list_teams(&state.ctx.pool, me.role.includes(Role::Responder)).await?))
}

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

#[derive(Deserialize)]
pub struct MemberBody {
    role: String,
}

/// `PUT /api/v1/teams/{slug}/members/{user_id} {"role": "lead"|"member"}`: adds or changes.
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
