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
    pub expires_at: Option<DateTime<Utc>>,
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
            expires_at: self.expires_at,
        }
    }
}

pub async fn insert(
    conn: &mut PgConnection,
    user_id: UserId,
    label: &str,
    token_hash: &[u8],
    prefix: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<ApiTokenRow, sqlx::Error> {
    sqlx::query_as!(
        ApiTokenRow,
        r#"INSERT INTO api_tokens (id, user_id, label, token_hash, prefix, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, user_id AS "user_id: UserId", label, prefix, created_at, last_used_at, revoked_at,
                     expires_at"#,
        Uuid::now_v7(),
        user_id.0,
        label,
        token_hash,
        prefix,
        now,
        expires_at,
    )
    .fetch_one(conn)
    .await
}

/// The id and owner of a live (neither revoked nor expired) token, marking it used. One round
/// trip per request; `last_used_at` is rewritten at most once a minute to spare the table.
pub async fn use_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, UserId)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"WITH t AS (
               SELECT id, user_id, last_used_at FROM api_tokens
               WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
           ), touched AS (
               UPDATE api_tokens SET last_used_at = $2 FROM t
               WHERE api_tokens.id = t.id
                 AND (t.last_used_at IS NULL OR t.last_used_at < $2 - interval '1 minute')
           )
           SELECT id AS "id!", user_id AS "user_id!: UserId" FROM t"#,
        token_hash,
        now,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.user_id)))
}

/// Whether a token is still live (neither revoked nor expired).
pub async fn is_live(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM api_tokens WHERE id = $1 AND revoked_at IS NULL
                          AND (expires_at IS NULL OR expires_at > $2)) AS "live!""#,
        id,
        now
    )
    .fetch_one(conn)
    .await
}

pub async fn list_for_user(
    conn: &mut PgConnection,
    user_id: UserId,
) -> Result<Vec<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiTokenRow,
        r#"SELECT id, user_id AS "user_id: UserId", label, prefix, created_at, last_used_at, revoked_at,
                  expires_at
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
    now: DateTime<Utc>,
) -> Result<Option<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiTokenRow,
        r#"UPDATE api_tokens SET revoked_at = $3
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
           RETURNING id, user_id AS "user_id: UserId", label, prefix, created_at, last_used_at, revoked_at,
                     expires_at"#,
        id,
        user_id.0,
        now,
    )
    .fetch_optional(conn)
    .await
}
