//! All SQL about integration keys (stored as hashes).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: Uuid,
    pub service: String,
    pub kind: domain::alert::IntegrationKind,
    pub label: String,
    pub prefix: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewKey<'a> {
    pub service_id: Uuid,
    pub kind: &'a str,
    pub label: &'a str,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub created_by: Option<Uuid>,
}

pub async fn insert_key(conn: &mut PgConnection, k: &NewKey<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO integration_keys (id, service_id, kind, label, key_hash, prefix, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        Uuid::now_v7(),
        k.service_id,
        k.kind,
        k.label,
        k.hash,
        k.prefix,
        k.created_by,
    )
    .fetch_one(conn)
    .await
}

/// `query_as!` for [`KeyRow`]: the one column list and joins, then the caller's conditions.
macro_rules! key_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            KeyRow,
            r#"SELECT k.id, s.slug AS service, k.kind AS "kind: domain::alert::IntegrationKind", k.label,
                      k.prefix, u.name AS "created_by?", k.created_at, k.revoked_at
               FROM integration_keys k JOIN services s ON s.id = k.service_id
               LEFT JOIN users u ON u.id = k.created_by "#
                + $rest
            $(, $arg)*
        )
    };
}

pub async fn keys_of_service(conn: &mut PgConnection, service: Uuid) -> Result<Vec<KeyRow>, sqlx::Error> {
    key_rows!(r#"WHERE k.service_id = $1 ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC"#, service)
        .fetch_all(conn)
        .await
}

pub async fn key_by_id(
    conn: &mut PgConnection,
    service: Uuid,
    id: Uuid,
) -> Result<Option<KeyRow>, sqlx::Error> {
    key_rows!(r#"WHERE k.service_id = $1 AND k.id = $2"#, service, id).fetch_optional(conn).await
}

/// Revokes a live key; `false` when there is no such live key.
pub async fn revoke_key(conn: &mut PgConnection, service: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE integration_keys SET revoked_at = now()
         WHERE service_id = $1 AND id = $2 AND revoked_at IS NULL",
        service,
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What an accepted key grants: sending events of its kind to its service.
#[derive(Debug, Clone)]
pub struct KeyGrant {
    pub id: Uuid,
    pub service_id: Uuid,
    pub kind: domain::alert::IntegrationKind,
}

pub async fn live_key_by_hash(conn: &mut PgConnection, hash: &[u8]) -> Result<Option<KeyGrant>, sqlx::Error> {
    sqlx::query_as!(
        KeyGrant,
        r#"SELECT id, service_id, kind AS "kind: domain::alert::IntegrationKind" FROM integration_keys
           WHERE key_hash = $1 AND revoked_at IS NULL"#,
        hash
    )
    .fetch_optional(conn)
    .await
}
