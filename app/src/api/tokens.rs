use domain::{ApiTokenView, CreatedApiToken};
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// The caller's own tokens. Any signed-in user may automate as themselves.
#[server]
pub async fn list_my_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::tokens::list_tokens(&ctx.pool, me.user_id).await)
}

#[server]
pub async fn create_my_token(label: String) -> Result<CreatedApiToken, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let label = domain::ApiTokenLabel::parse(&label).map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::tokens::create_token(&ctx.pool, &actor, me.user_id, &label).await)
}

#[server]
pub async fn revoke_my_token(id: Uuid) -> Result<ApiTokenView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::tokens::revoke_token(&ctx.pool, &actor, me.user_id, id).await)
}
