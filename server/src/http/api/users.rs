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
    path = "/me",
    tag = "me",
    summary = "The caller",
    description = "Role: viewer.",
    responses((status = 200, description = "you", body = Me), Refusals)
)]
pub async fn me(caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(caller.require(Role::Viewer)?.me()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyChange {
    /// IANA zone: where your working hours, sleep hours and due dates are counted.
    time_zone: String,
}

#[utoipa::path(
    patch,
    path = "/me",
    tag = "me",
    summary = "Change your own time zone",
    description = "Role: viewer.",
    request_body = MyChange,
    responses((status = 200, description = "you, as changed", body = UserView), Refusals)
)]
pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<MyChange>, JsonRejection>,
) -> Result<Json<UserView>, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let Json(change) = body.map_err(bad_json)?;
    let zone = domain::TimeZoneName::parse(&change.time_zone)?;
    let actor = caller.actor(p);
    Ok(Json(
        services::users::set_own_time_zone(&state.ctx.pool, &actor, p.user_id, &zone, state.ctx.now())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    summary = "Every user",
    description = "Role: admin.",
    responses((status = 200, description = "the users", body = Vec<UserView>), Refusals)
)]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::users::list_users(&state.ctx.pool).await?))
}

#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    summary = "Make a user",
    description = "Role: admin.",
    request_body = NewUserInput,
    responses((status = 201, description = "created", body = UserView), Refusals)
)]
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// admin, responder or viewer.
    role: Option<String>,
    disabled: Option<bool>,
    /// IANA zone: their working hours, sleep hours and due dates are counted in it.
    time_zone: Option<String>,
}

/// Changes a user's role and/or disabled flag. Each change is its own audited operation.
#[utoipa::path(
    patch,
    path = "/users/{id}",
    tag = "users",
    summary = "Change a user's role or time zone, disable or enable them (disabling ends their sessions and tokens)",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user")),
    request_body = UserPatch,
    responses((status = 200, description = "the user as changed", body = UserView), Refusals)
)]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(patch) = body.map_err(bad_json)?;
    let role: Option<Role> = patch.role.as_deref().map(str::parse).transpose()?;
    let time_zone = patch.time_zone.as_deref().map(domain::TimeZoneName::parse).transpose()?;
    if role.is_none() && patch.disabled.is_none() && time_zone.is_none() {
        return Err(domain::FieldError::new(
            "body",
            "nothing to change: give role, disabled and/or time_zone",
        )
        .into());
    }
    let change = services::users::UserChange { role, disabled: patch.disabled, time_zone };
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `PUT /api/v1/me/password`: the caller's own password, proving the current one; their other
/// sessions end.
#[utoipa::path(
    put,
    path = "/me/password",
    tag = "me",
    summary = "Change your password; your other sessions end",
    description = "Role: viewer.",
    request_body = PasswordChange,
    responses((status = 204, description = "changed"), Refusals)
)]
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
