//! All SQL about API tokens.

use chrono::{DateTime, Utc};
use domain::{ApiTokenView, UserId};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub label: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiTokenRow {
    pub fn view(&self) -> ApiTokenView {
        ApiTokenView {
            id: self.id,
            label: self.label.clone(),
            prefix: self.prefix.clone(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        }
    }
}

pub async fn insert(
    conn: &mut PgConnection,
    user_id: UserId,
    label: &str,
    token_hash: &[u8],
    prefix: &str,
) -> Result<ApiTokenRow, sqlx::Error> {
    sqlx::query_as!(
        ApiTokenRow,
        r#"INSERT INTO api_tokens (id, user_id, label, token_hash, prefix) VALUES ($1, $2, $3, $4, $5)
           RETURNING id, user_id AS "user_id: UserId", label, prefix, created_at, last_used_at, revoked_at"#,
        Uuid::now_v7(),
        user_id.0,
        label,
        token_hash,
        prefix,
    )
    .fetch_one(conn)
    .await
}

/// The owner of a live (not revoked) token, marking it used. One round trip per request;
/// `last_used_at` is rewritten at most once a minute to spare the table.
pub async fn use_token(conn: &mut PgConnection, token_hash: &[u8]) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH t AS (
               SELECT id, user_id, last_used_at FROM api_tokens
               WHERE token_hash = $1 AND revoked_at IS NULL
           ), touched AS (
               UPDATE api_tokens SET last_used_at = now() FROM t
               WHERE api_tokens.id = t.id
                 AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
           )
           SELECT user_id AS "user_id!: UserId" FROM t"#,
        token_hash,
    )
    .fetch_optional(conn)
    .await
}

pub async fn list_for_user(
    conn: &mut PgConnection,
    user_id: UserId,
) -> Result<Vec<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiTokenRow,
        r#"SELECT id, user_id AS "user_id: UserId", label, prefix, created_at, last_used_at, revoked_at
           FROM api_tokens WHERE user_id = $1
           ORDER BY revoked_at IS NOT NULL, created_at DESC"#,
        user_id.0,
    )
    .fetch_all(conn)
    .await
}

/// Revokes one of the user's tokens; None when the user has no such live token.
pub async fn revoke(
    conn: &mut PgConnection,
    user_id: UserId,
    id: Uuid,
) -> Result<Option<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiTokenRow,
        r#"UPDATE api_tokens SET revoked_at = now()
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
           RETURNING id, user_id AS "user_id: UserId", label, prefix, created_at, last_used_at, revoked_at"#,
        id,
        user_id.0,
    )
    .fetch_optional(conn)
    .await
}
