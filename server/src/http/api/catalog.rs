//! `/api/v1/services`: the service catalogue (`services::catalog`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::escalation::PolicyId;
use domain::{
    Role,
    alert::IngestionSettings,
    team::{NewServiceInput, ServiceView},
};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

pub async fn list_services(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ServiceView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::catalog::list_services(&state.ctx.pool).await?))
}

pub async fn create_service(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewServiceInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ServiceView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let service = input.parse()?;
    let created = services::catalog::create_service(&state.ctx.pool, &caller.actor(admin), &service).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn get_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<domain::service::ServiceDetail>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::catalog::get_service(&state.ctx.pool, &slug).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    ingestion: Option<Value>,
    /// A policy id, or null to route the service nowhere.
    #[serde(default, deserialize_with = "present")]
    escalation_policy_id: Option<Option<PolicyId>>,
}

/// Tells a field given as null (Some(None)) from one left out (None).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<PolicyId>>, D::Error> {
    Option::<PolicyId>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/services/{slug} {"ingestion": {...}}`: fields left out take their defaults.
pub async fn update_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    body: Result<Json<ServicePatch>, JsonRejection>,
) -> Result<Json<domain::service::ServiceDetail>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(patch) = body.map_err(bad_json)?;
    if patch.ingestion.is_none() && patch.escalation_policy_id.is_none() {
        return Err(domain::FieldError::new(
            "body",
            "nothing to change: give ingestion or escalation_policy_id",
        )
        .into());
    }
    // Both are checked before either is written.
    let settings = patch.ingestion.as_ref().map(IngestionSettings::parse).transpose()?;
    let actor = caller.actor(admin);
    if let Some(policy) = patch.escalation_policy_id {
        services::catalog::route_service(&state.ctx.pool, &actor, &slug, policy).await?;
    }
    if let Some(settings) = settings {
        services::catalog::set_ingestion_settings(&state.ctx.pool, &actor, &slug, &settings).await?;
    }
    Ok(Json(services::catalog::get_service(&state.ctx.pool, &slug).await?))
}
