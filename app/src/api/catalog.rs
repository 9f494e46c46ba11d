//! Server fns for the service catalogue (`services::catalog`).

use domain::{
    alert::{IngestionSettings, rules::IngestionForm},
    service::ServiceDetail,
    team::{NewServiceInput, ServiceView},
};
use leptos::prelude::*;

use crate::error::AppError;

/// Every service with its owning team.
#[server]
pub async fn list_services() -> Result<Vec<ServiceView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::catalog::list_services(&ctx.pool).await)
}

#[server]
pub async fn create_service(input: NewServiceInput) -> Result<ServiceView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let service = input.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::catalog::create_service(&ctx.pool, &actor, &service).await)
}

#[server]
pub async fn load_service(slug: String) -> Result<ServiceDetail, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::catalog::get_service(&ctx.pool, &slug).await)
}

#[server]
pub async fn update_ingestion(slug: String, form: IngestionForm) -> Result<IngestionSettings, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let settings = form.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(
        backend::services::catalog::set_ingestion_settings(&ctx.pool, &actor, &slug, &settings).await,
    )
}

/// Routes a service's new incidents to a policy ("" for none).
#[server]
pub async fn route_service(slug: String, policy: String) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    let policy =
        match policy.trim() {
            "" => None,
            p => Some(p.parse::<uuid::Uuid>().map(domain::escalation::PolicyId).map_err(|_| {
                crate::ssr::fail(domain::FieldError::new("policy", "is not a policy").into())
            })?),
        };
    crate::ssr::edge(backend::services::catalog::route_service(&ctx.pool, &actor, &slug, policy).await)
}
