//! Integration keys, services' ingestion settings, and reading alerts. Accepting and applying
//! events lives in `crate::ingest` (request time) and `crate::engine::alerts` (applying them).

use domain::{
    alert::{
        AlertDetail, AlertEventView, AlertFilter, AlertPage, AlertStatusFilter, AlertView,
        CreatedIntegrationKey, IngestionSettings, IntegrationKeyView, NewIntegrationKey, Snippet,
    },
    incident::IncidentNumber,
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        alerts::{self, AlertRow, KeyRow, ServiceIngestion},
        audit::{self, Entry},
    },
};

fn key_view(row: KeyRow) -> IntegrationKeyView {
    IntegrationKeyView {
        id: row.id,
        service: row.service,
        kind: row.kind.parse().unwrap_or(domain::alert::IntegrationKind::Generic),
        label: row.label,
        prefix: row.prefix,
        created_by: row.created_by,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
    }
}

pub(crate) fn alert_view(row: AlertRow) -> AlertView {
    AlertView {
        id: row.id,
        service: row.service,
        dedup_key: row.dedup_key,
        status: row.status.parse().unwrap_or(domain::alert::AlertStatus::Triggered),
        severity: row.severity.parse().unwrap_or(domain::alert::AlertSeverity::Error),
        summary: row.summary,
        source: row.source,
        incident: row.incident_number.map(IncidentNumber),
        event_count: row.event_count,
        first_seen_at: row.first_seen_at,
        last_seen_at: row.last_seen_at,
        acknowledged_at: row.acknowledged_at,
        resolved_at: row.resolved_at,
        flapping: row.flapping,
        payload: row.payload,
    }
}

async fn service(conn: &mut PgConnection, slug: &str) -> Result<ServiceIngestion> {
    alerts::service_by_slug(conn, slug).await?.ok_or(Error::NotFound("service"))
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
    let id = alerts::insert_key(
        &mut tx,
        &alerts::NewKey {
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
        Entry {
            action: "integration_key.create",
            entity_type: "service",
            entity_id: svc.slug.clone(),
            before: None,
            after: Some(json!({ "key_id": id, "kind": new.kind, "label": new.label, "prefix": prefix })),
        },
    )
    .await?;
    let row = alerts::key_by_id(&mut tx, svc.id, id).await?.ok_or(Error::NotFound("integration key"))?;
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
    Ok(alerts::keys_of_service(&mut conn, svc.id).await?.into_iter().map(key_view).collect())
}

pub async fn revoke_key(pool: &PgPool, actor: &Actor, slug: &str, id: Uuid) -> Result<IntegrationKeyView> {
    let mut tx = pool.begin().await?;
    let svc = service(&mut tx, slug).await?;
    if !alerts::revoke_key(&mut tx, svc.id, id).await? {
        return Err(Error::NotFound("integration key"));
    }
    let row = alerts::key_by_id(&mut tx, svc.id, id).await?.ok_or(Error::NotFound("integration key"))?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "integration_key.revoke",
            entity_type: "service",
            entity_id: svc.slug.clone(),
            before: Some(json!({ "key_id": id, "revoked": false })),
            after: Some(json!({ "key_id": id, "revoked": true, "label": row.label })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(key_view(row))
}

pub async fn ingestion_settings(pool: &PgPool, slug: &str) -> Result<IngestionSettings> {
    let mut conn = pool.acquire().await?;
    let svc = service(&mut conn, slug).await?;
    Ok(super::catalog::settings_of(&svc))
}

pub async fn set_ingestion_settings(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    settings: &IngestionSettings,
) -> Result<IngestionSettings> {
    settings.validate()?;
    let mut tx = pool.begin().await?;
    let svc = service(&mut tx, slug).await?;
    let before = super::catalog::settings_of(&svc);
    let stored = serde_json::to_value(settings).map_err(anyhow::Error::from)?;
    alerts::set_ingestion(&mut tx, svc.id, &stored).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "service.ingestion",
            entity_type: "service",
            entity_id: svc.slug,
            before: Some(json!(before)),
            after: Some(stored),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(*settings)
}

pub async fn list_alerts(pool: &PgPool, filter: &AlertFilter) -> Result<AlertPage> {
    let mut conn = pool.acquire().await?;
    if let Some(slug) = &filter.service {
        service(&mut conn, slug).await?;
    }
    let (open_only, status) = match filter.status {
        None => (false, None),
        Some(AlertStatusFilter::Open) => (true, None),
        Some(AlertStatusFilter::Is(s)) => (false, Some(s.as_str())),
    };
    let mut rows = alerts::list_alerts(
        &mut conn,
        filter.service.as_deref(),
        filter.incident.map(|n| n.0),
        open_only,
        status,
        filter.before,
        filter.limit + 1,
    )
    .await?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    let next = if more { rows.last().map(|r| r.id) } else { None };
    Ok(AlertPage { alerts: rows.into_iter().map(alert_view).collect(), next })
}

pub async fn alert_detail(pool: &PgPool, id: i64) -> Result<AlertDetail> {
    let mut conn = pool.acquire().await?;
    let row = alerts::alert_by_id(&mut conn, id).await?.ok_or(Error::NotFound("alert"))?;
    let events = alerts::events_of_alert(&mut conn, id, 50)
        .await?
        .into_iter()
        .map(|e| AlertEventView {
            id: e.id,
            action: e.action.parse().unwrap_or(domain::alert::EventAction::Trigger),
            received_at: e.received_at,
            outcome: e.outcome,
            event: e.event,
        })
        .collect();
    Ok(AlertDetail { alert: alert_view(row), events })
}
