//! `/api/v1/me` and `/api/v1/users`: people, their roles and time zones (`services::users`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{Me, NewUserInput, Role, UserId, UserView};
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

pub async fn me(caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(caller.require(Role::Viewer)?.me()))
}

pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::users::list_users(&state.ctx.pool).await?))
}

pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewUserInput>, JsonRejection>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let (user, password) = input.parse()?;
    let created =
        services::users::create_user(&state.ctx.pool, &caller.actor(admin), &user, &password).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    role: Option<String>,
    disabled: Option<bool>,
}

/// Changes a user's role and/or disabled flag. Each change is its own audited operation.
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(patch) = body.map_err(bad_json)?;
    let role: Option<Role> = patch.role.as_deref().map(str::parse).transpose()?;
    if role.is_none() && patch.disabled.is_none() {
        return Err(domain::FieldError::new("body", "nothing to change: give role and/or disabled").into());
    }
    let change = services::users::UserChange { role, disabled: patch.disabled };
    Ok(Json(
        services::users::update_user(
            &state.ctx.pool,
            &caller.actor(admin),
            UserId(id),
            change,
            state.ctx.now(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `PUT /api/v1/me/password`: the caller's own password, proving the current one; their other
/// sessions end.
pub async fn change_my_password(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let me = caller.require(Role::Viewer)?;
    let Json(body) = body.map_err(bad_json)?;
    let new = domain::Password::parse(&body.new_password).map_err(|e| e.in_field("new_password"))?;
    let ctx = &state.ctx;
    services::users::change_own_password(
        &ctx.pool,
        &ctx.hashers,
        me,
        &body.current_password,
        &new,
        ctx.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
