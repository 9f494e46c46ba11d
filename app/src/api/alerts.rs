use domain::{
    alert::{
        AlertFilterInput, AlertPage, CreatedIntegrationKey, IngestionSettings, IntegrationKeyView,
        NewIntegrationKeyInput, rules::IngestionForm,
    },
    team::ServiceView,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A service with how it turns alerts into incidents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDetail {
    pub service: ServiceView,
    pub ingestion: IngestionSettings,
}

#[server]
pub async fn load_service(slug: String) -> Result<ServiceDetail, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let services = crate::ssr::edge(backend::services::teams::list_services(&ctx.pool).await)?;
    let service = services
        .into_iter()
        .find(|s| s.slug == slug)
        .ok_or_else(|| crate::ssr::fail(backend::Error::NotFound("service").into()))?;
    let ingestion = crate::ssr::edge(backend::services::alerts::ingestion_settings(&ctx.pool, &slug).await)?;
    Ok(ServiceDetail { service, ingestion })
}

#[server]
pub async fn update_ingestion(slug: String, form: IngestionForm) -> Result<IngestionSettings, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let settings = form.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(
        backend::services::alerts::set_ingestion_settings(&ctx.pool, &actor, &slug, &settings).await,
    )
}

#[server]
pub async fn list_integration_keys(slug: String) -> Result<Vec<IntegrationKeyView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::alerts::list_keys(&ctx.pool, &slug).await)
}

#[server]
pub async fn create_integration_key(
    slug: String,
    input: NewIntegrationKeyInput,
) -> Result<CreatedIntegrationKey, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let new = input.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    let base = ctx.config.public_url.clone();
    crate::ssr::edge(backend::services::alerts::create_key(&ctx.pool, &actor, &slug, &new, &base).await)
}

/// Revoked at once on the instance that served this; other instances within a few seconds.
#[server]
pub async fn revoke_integration_key(slug: String, id: Uuid) -> Result<IntegrationKeyView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::alerts::revoke_key(&ctx.pool, &actor, &slug, id).await)
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn list_alerts(filter: AlertFilterInput) -> Result<AlertPage, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let filter = filter.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    crate::ssr::edge(backend::services::alerts::list_alerts(&ctx.pool, &filter).await)
}
