//! Server fns for escalation policies (`services::policies`).

use crate::error::AppError;
use domain::escalation::{PolicyId, PolicyInput, PolicyOverview, PolicyView, TargetOption};
use leptos::prelude::*;

#[server]
pub async fn policy_overviews() -> Result<Vec<PolicyOverview>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::policies::overviews(&ctx.pool, ctx.now()).await)
}

#[server]
pub async fn load_policy(id: PolicyId) -> Result<PolicyView, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::policies::get_policy(&ctx.pool, id).await)
}

#[server]
pub async fn policy_targets() -> Result<Vec<TargetOption>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::policies::target_options(&ctx.pool).await)
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn save_policy(id: Option<PolicyId>, input: PolicyInput) -> Result<PolicyView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::policies::save_policy(&ctx.pool, &actor, id, &input).await)
}

#[server]
pub async fn delete_policy(id: PolicyId) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::policies::delete_policy(&ctx.pool, &actor, id).await)?;
    leptos_axum::redirect("/escalation-policies");
    Ok(())
}
