//! Server fns for integration keys (`services::integration_keys`).

use crate::error::AppError;
use domain::alert::{CreatedIntegrationKey, IntegrationKeyView, NewIntegrationKeyInput};
use leptos::prelude::*;
use uuid::Uuid;

#[server]
pub async fn list_integration_keys(slug: String) -> Result<Vec<IntegrationKeyView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::integration_keys::list_keys(&ctx.pool, &slug).await)
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
    crate::ssr::edge(
        backend::services::integration_keys::create_key(&ctx.pool, &actor, &slug, &new, &base).await,
    )
}

/// Revoked at once on the instance that served this; other instances within a few seconds.
#[server]
pub async fn revoke_integration_key(slug: String, id: Uuid) -> Result<IntegrationKeyView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    let revoked =
        backend::services::integration_keys::revoke_key(&ctx.pool, &ctx.integration_keys, &actor, &slug, id)
            .await;
    crate::ssr::edge(revoked)
}
