//! `/api/v1/services/{slug}/integration-keys` (`services::integration_keys`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{
    Role,
    alert::{CreatedIntegrationKey, IntegrationKeyView, NewIntegrationKeyInput},
};
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
    path = "/services/{slug}/integration-keys",
    tag = "services",
    summary = "A service's integration keys (never the key itself)",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the service's slug")),
    responses((status = 200, description = "the keys", body = Vec<IntegrationKeyView>), Refusals)
)]
pub async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<IntegrationKeyView>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::integration_keys::list_keys(&state.ctx.pool, &slug).await?))
}

/// `POST /api/v1/services/{slug}/integration-keys {"kind", "label"}`: the only answer that
/// contains the key.
#[utoipa::path(
    post,
    path = "/services/{slug}/integration-keys",
    tag = "services",
    summary = "Make an integration key; the only answer that contains it",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the service's slug")),
    request_body = NewIntegrationKeyInput,
    responses((status = 201, description = "the key, its URL and a config example", body = CreatedIntegrationKey), Refusals)
)]
pub async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    body: Result<Json<NewIntegrationKeyInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedIntegrationKey>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let new = input.parse()?;
    let base = &state.ctx.config.public_url;
    let created =
        services::integration_keys::create_key(&state.ctx.pool, &caller.actor(admin), &slug, &new, base)
            .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    delete,
    path = "/services/{slug}/integration-keys/{id}",
    tag = "services",
    summary = "Revoke an integration key at once",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the service's slug"), ("id" = uuid::Uuid, Path, description = "the key")),
    responses((status = 200, description = "the revoked key", body = IntegrationKeyView), Refusals)
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, Uuid)>,
) -> Result<Json<IntegrationKeyView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let ctx = &state.ctx;
    let actor = caller.actor(admin);
    Ok(Json(
        services::integration_keys::revoke_key(&ctx.pool, &ctx.integration_keys, &actor, &slug, id).await?,
    ))
}
