//! `/api/v1` endpoints about alerts: integration keys per service, a service's ingestion settings,
//! and reading alerts.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services;
use domain::{
    Role,
    alert::{
        AlertDetail, AlertFilterInput, AlertPage, CreatedIntegrationKey, IngestionSettings,
        IntegrationKeyView, NewIntegrationKeyInput,
    },
    team::ServiceView,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    AppState,
    http::{
        api::Caller,
        error::{ApiError, bad_json},
    },
};

pub async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<IntegrationKeyView>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::alerts::list_keys(&state.ctx.pool, &slug).await?))
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
        services::alerts::create_key(&state.ctx.pool, &caller.actor(admin), &slug, &new, base).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, Uuid)>,
) -> Result<Json<IntegrationKeyView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let revoked = services::alerts::revoke_key(&state.ctx.pool, &caller.actor(admin), &slug, id).await?;
    // This instance stops accepting it at once; others within the key cache's few seconds.
    state.intake.keys.clear();
    Ok(Json(revoked))
}

/// A service with how it turns alerts into incidents.
#[derive(Serialize)]
pub struct ServiceDetail {
    #[serde(flatten)]
    service: ServiceView,
    ingestion: IngestionSettings,
    /// The escalation policy new incidents of this service page through.
    escalation_policy: Option<PolicyRef>,
}

#[derive(Debug, Serialize)]
pub struct PolicyRef {
    id: Uuid,
    name: String,
}

async fn detail(state: &AppState, slug: &str) -> Result<ServiceDetail, ApiError> {
    let service = services::teams::list_services(&state.ctx.pool)
        .await?
        .into_iter()
        .find(|s| s.slug == slug)
        .ok_or(backend::Error::NotFound("service"))?;
    let ingestion = services::alerts::ingestion_settings(&state.ctx.pool, slug).await?;
    let escalation_policy = services::escalation::list_policies(&state.ctx.pool)
        .await?
        .into_iter()
        .find(|p| p.services.iter().any(|s| s == slug))
        .map(|p| PolicyRef { id: p.id, name: p.name });
    Ok(ServiceDetail { service, ingestion, escalation_policy })
}

pub async fn get_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ServiceDetail>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(detail(&state, &slug).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    ingestion: Option<Value>,
    /// A policy id, or null to route the service nowhere.
    #[serde(default, deserialize_with = "present")]
    escalation_policy_id: Option<Option<Uuid>>,
}

/// Tells a field given as null (Some(None)) from one left out (None).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/services/{slug} {"ingestion": {...}}`: fields left out take their defaults.
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
        services::escalation::route_service(&state.ctx.pool, &actor, &slug, policy).await?;
    }
    if let Some(settings) = settings {
        services::alerts::set_ingestion_settings(&state.ctx.pool, &actor, &slug, &settings).await?;
    }
    Ok(Json(detail(&state, &slug).await?))
}

/// `GET /api/v1/alerts?service=&incident=&status=&before=&limit=`: newest first.
pub async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(input): Query<AlertFilterInput>,
) -> Result<Json<AlertPage>, ApiError> {
    caller.require(Role::Viewer)?;
    let filter = input.parse()?;
    Ok(Json(services::alerts::list_alerts(&state.ctx.pool, &filter).await?))
}

pub async fn get_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AlertDetail>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::alerts::alert_detail(&state.ctx.pool, id).await?))
}
