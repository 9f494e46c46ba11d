//! `/api/v1/me/tokens`: personal API tokens (`services::tokens`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{ApiTokenLabel, ApiTokenView, CreatedApiToken, Role};
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
    path = "/me/tokens",
    tag = "me",
    summary = "Your API tokens (never the token itself)",
    description = "Role: viewer.",
    responses((status = 200, description = "your tokens", body = Vec<ApiTokenView>), Refusals)
)]
pub async fn list_my_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    Ok(Json(services::tokens::list_tokens(&state.ctx.pool, me.user_id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    label: String,
    /// Days until the token stops working by itself; without it, it works until revoked.
    #[serde(default)]
    expires_in_days: Option<u32>,
}

#[utoipa::path(
    post,
    path = "/me/tokens",
    tag = "me",
    summary = "Make an API token; the only answer that contains it",
    description = "Role: viewer.",
    request_body = NewToken,
    responses((status = 201, description = "the token", body = CreatedApiToken), Refusals)
)]
pub async fn create_my_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewToken>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    let me = caller.require(Role::Viewer)?;
    let Json(body) = body.map_err(bad_json)?;
    let label = ApiTokenLabel::parse(&body.label)?;
    let (ctx, actor) = (&state.ctx, caller.actor(me));
    let created = services::tokens::create_token(
        &ctx.pool,
        &actor,
        me.user_id,
        &label,
        body.expires_in_days,
        ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    delete,
    path = "/me/tokens/{id}",
    tag = "me",
    summary = "Revoke one of your API tokens",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the token")),
    responses((status = 200, description = "the revoked token", body = ApiTokenView), Refusals)
)]
pub async fn revoke_my_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<ApiTokenView>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    Ok(Json(
        services::tokens::revoke_token(&state.ctx.pool, &caller.actor(me), me.user_id, id, state.ctx.now())
            .await?,
    ))
}
