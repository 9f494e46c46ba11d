//! API tokens: created and revoked by their owner, the secret shown once.

use chrono::{DateTime, Utc};
use domain::{ApiTokenLabel, ApiTokenView, CreatedApiToken, UserId};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    auth::secrets::{API_TOKEN_PREFIX, hash_secret, new_api_token},
    db::{
        api_tokens,
        audit::{self, Entry},
        sessions,
    },
};

/// Makes a token for `owner`, lasting `expires_in_days` or until revoked.
pub async fn create_token(
    pool: &PgPool,
    actor: &Actor,
    owner: UserId,
    label: &ApiTokenLabel,
    expires_in_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<CreatedApiToken> {
    let expires_at = domain::user::token_expiry(expires_in_days, now)?;
    let token = new_api_token();
    // Enough to tell tokens apart in a list, far too little to guess the rest.
    let prefix: String = token.chars().take(API_TOKEN_PREFIX.len() + 4).collect();
    let mut tx = pool.begin().await?;
    let row =
        api_tokens::insert(&mut tx, owner, label.as_str(), &hash_secret(&token), &prefix, now, expires_at)
            .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("api_token.create", "api_token", row.id).after(
            json!({ "user_id": owner, "label": row.label, "prefix": row.prefix, "expires_at": row.expires_at }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedApiToken { token, view: row.view() })
}

pub async fn list_tokens(pool: &PgPool, owner: UserId) -> Result<Vec<ApiTokenView>> {
    let mut conn = pool.acquire().await?;
    Ok(api_tokens::list_for_user(&mut conn, owner).await?.iter().map(api_tokens::ApiTokenRow::view).collect())
}

/// Revokes a token; event streams opened with it end.
pub async fn revoke_token(
    pool: &PgPool,
    actor: &Actor,
    owner: UserId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<ApiTokenView> {
    let mut tx = pool.begin().await?;
    let row = api_tokens::revoke(&mut tx, owner, id, now).await?.ok_or(Error::NotFound("API token"))?;
    sessions::announce(&mut tx, owner).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("api_token.revoke", "api_token", row.id)
            .before(json!({ "revoked": false }))
            .after(json!({ "revoked": true, "label": row.label })),
    )
    .await?;
    tx.commit().await?;
    Ok(row.view())
}
