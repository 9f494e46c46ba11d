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
    service::ServiceDetail,
    team::{NewServiceInput, ServiceView},
};
use serde::Deserialize;
use serde_json::Value;

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
    path = "/services",
    tag = "services",
    summary = "The service catalogue",
    description = "Role: viewer.",
    responses((status = 200, description = "every service", body = Vec<ServiceView>), Refusals)
)]
pub async fn list_services(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ServiceView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::catalog::list_services(&state.ctx.pool).await?))
}

#[utoipa::path(
    post,
    path = "/services",
    tag = "services",
    summary = "Add a service to the catalogue",
    description = "Role: admin.",
    request_body = NewServiceInput,
    responses((status = 201, description = "created", body = ServiceView), Refusals)
)]
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

#[utoipa::path(
    get,
    path = "/services/{slug}",
    tag = "services",
    summary = "A service with its ingestion settings",
    description = "Role: viewer.",
    params(("slug" = String, Path, description = "the service's slug")),
    responses((status = 200, description = "the service", body = ServiceDetail), Refusals)
)]
pub async fn get_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ServiceDetail>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::catalog::get_service(&state.ctx.pool, &slug).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    /// The ingestion settings; fields left out take their defaults.
    #[schema(value_type = Option<domain::alert::IngestionSettings>)]
    ingestion: Option<Value>,
    /// A policy id, or null to route the service nowhere.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<uuid::Uuid>)]
    escalation_policy_id: Option<Option<PolicyId>>,
}

/// Tells a field given as null (Some(None)) from one left out (None).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<PolicyId>>, D::Error> {
    Option::<PolicyId>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/services/{slug} {"ingestion": {...}}`: fields left out take their defaults.
#[utoipa::path(
    patch,
    path = "/services/{slug}",
    tag = "services",
    summary = "Change a service's ingestion settings or escalation policy",
    description = "Role: admin.",
    params(("slug" = String, Path, description = "the service's slug")),
    request_body = ServicePatch,
    responses((status = 200, description = "the service as changed", body = ServiceDetail), Refusals)
)]
pub async fn update_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    body: Result<Json<ServicePatch>, JsonRejection>,
) -> Result<Json<ServiceDetail>, ApiError> {
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
