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

/// A new token, lasting `expires_in_days` or, when that is empty, until revoked (the form's
/// "never" is an empty choice, hence text).
#[server]
pub async fn create_my_token(
    label: String,
    expires_in_days: Option<String>,
) -> Result<CreatedApiToken, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let label = domain::ApiTokenLabel::parse(&label).map_err(|e| crate::ssr::fail(e.into()))?;
    let expires_in_days = match expires_in_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(d.parse::<u32>().map_err(|_| {
            crate::ssr::fail(
                domain::FieldError::new("expires_in_days", "must be a whole number of days").into(),
            )
        })?),
    };
    let actor = crate::ssr::actor(&me);
    let created = backend::services::tokens::create_token(
        &ctx.pool,
        &actor,
        me.user_id,
        &label,
        expires_in_days,
        ctx.now(),
    )
    .await;
    crate::ssr::edge(created)
}

#[server]
pub async fn revoke_my_token(id: Uuid) -> Result<ApiTokenView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::tokens::revoke_token(&ctx.pool, &actor, me.user_id, id, ctx.now()).await,
    )
}
