//! Integration keys: the secrets alert sources send with their events, one kind per format,
//! shown once at creation and stored only as a hash.

use domain::alert::{CreatedIntegrationKey, IntegrationKeyView, NewIntegrationKey, Snippet};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::catalog::service;
use crate::{
    Error, Result,
    actor::Actor,
    auth::key_cache::KeyCache,
    db::{
        audit::{self, Entry},
        integration_keys::{self, KeyRow},
    },
};

fn key_view(row: KeyRow) -> IntegrationKeyView {
    IntegrationKeyView {
        id: row.id,
        service: row.service,
        kind: row.kind,
        label: row.label,
        prefix: row.prefix,
        created_by: row.created_by,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
    }
}

pub async fn create_key(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    new: &NewIntegrationKey,
    base_url: &str,
) -> Result<CreatedIntegrationKey> {
    let secret = crate::auth::secrets::new_integration_key();
    let prefix: String = secret.chars().take(4).collect();
    let mut tx = pool.begin().await?;
    let svc = service(&mut tx, slug).await?;
    let id = integration_keys::insert_key(
        &mut tx,
        &integration_keys::NewKey {
            service_id: svc.id,
            kind: new.kind.as_str(),
            label: &new.label,
            hash: &crate::auth::secrets::hash_secret(&secret),
            prefix: &prefix,
            created_by: actor.user_id.map(|u| u.0),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("integration_key.create", "service", &svc.slug)
            .after(json!({ "key_id": id, "kind": new.kind, "label": new.label, "prefix": prefix })),
    )
    .await?;
    let row =
        integration_keys::key_by_id(&mut tx, svc.id, id).await?.ok_or(Error::NotFound("integration key"))?;
    tx.commit().await?;
    let snippets = new
        .kind
        .snippets(base_url, &secret)
        .into_iter()
        .map(|(title, text)| Snippet { title, text })
        .collect();
    Ok(CreatedIntegrationKey {
        view: key_view(row),
        url: new.kind.endpoint(base_url, &secret),
        key: secret,
        snippets,
    })
}

pub async fn list_keys(pool: &PgPool, slug: &str) -> Result<Vec<IntegrationKeyView>> {
    let mut conn = pool.acquire().await?;
    let svc = service(&mut conn, slug).await?;
    Ok(integration_keys::keys_of_service(&mut conn, svc.id).await?.into_iter().map(key_view).collect())
}

/// Revokes a key. This instance refuses it from the moment this returns; other instances within
/// their key cache's few seconds.
pub async fn revoke_key(
    pool: &PgPool,
    cache: &KeyCache,
    actor: &Actor,
    slug: &str,
    id: Uuid,
) -> Result<IntegrationKeyView> {
    let mut tx = pool.begin().await?;
    let svc = service(&mut tx, slug).await?;
    if !integration_keys::revoke_key(&mut tx, svc.id, id).await? {
        return Err(Error::NotFound("integration key"));
    }
    let row =
        integration_keys::key_by_id(&mut tx, svc.id, id).await?.ok_or(Error::NotFound("integration key"))?;
    let entry = Entry::new("integration_key.revoke", "service", &svc.slug)
        .before(json!({ "key_id": id, "revoked": false }))
        .after(json!({ "key_id": id, "revoked": true, "label": row.label }));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    cache.clear();
    Ok(key_view(row))
}
