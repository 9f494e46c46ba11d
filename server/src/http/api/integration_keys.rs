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

use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

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
