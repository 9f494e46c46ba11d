//! Reading alerts and their events. Accepting events lives in `ingest` (request time),
//! applying them in the engine's alerts job.

use chrono::{DateTime, Utc};
use domain::{
    alert::{
        AlertDetail, AlertEventView, AlertFilter, AlertPage, AlertStatusFilter, AlertView, RejectedEventView,
    },
    incident::IncidentNumber,
};
use sqlx::PgPool;

use crate::db::{alert_events, rejected_events, services};
use crate::{
    Error, Result,
    db::alerts::{self, AlertRow},
};

pub(crate) fn alert_view(row: AlertRow) -> AlertView {
    AlertView {
        id: row.id,
        service: row.service,
        dedup_key: row.dedup_key,
        status: row.status,
        severity: row.severity,
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

pub async fn list_alerts(pool: &PgPool, filter: &AlertFilter) -> Result<AlertPage> {
    let mut conn = pool.acquire().await?;
    if let Some(slug) = &filter.service {
        super::catalog::service(&mut conn, slug).await?;
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
    let events = alert_events::events_of_alert(&mut conn, id, 50)
        .await?
        .into_iter()
        .map(|e| AlertEventView {
            id: e.id,
            action: e.action,
            received_at: e.received_at,
            outcome: e.outcome,
            event: e.event,
        })
        .collect();
    Ok(AlertDetail { alert: alert_view(row), events })
}

/// Notes what a key sent that was refused, for the service page. The senders already got their
/// answer; this is for the people who own the service.
pub async fn record_rejected(
    pool: &PgPool,
    service: uuid::Uuid,
    key: uuid::Uuid,
    at: DateTime<Utc>,
    reasons: &[String],
) -> Result<()> {
    if reasons.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    rejected_events::record(&mut tx, service, key, at, reasons).await?;
    tx.commit().await?;
    Ok(())
}

/// The service's most recently rejected events, newest first.
pub async fn list_rejected(pool: &PgPool, slug: &str) -> Result<Vec<RejectedEventView>> {
    let mut conn = pool.acquire().await?;
    if services::service_by_slug(&mut conn, slug).await?.is_none() {
        return Err(Error::NotFound("service"));
    }
    Ok(rejected_events::recent(&mut conn, slug).await?)
}
