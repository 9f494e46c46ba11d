//! Declaring incidents and moving them through their statuses. Every change writes its timeline
//! event and its audit row in the same transaction as the change.

use domain::incident::{
    IncidentNumber, IncidentStatus, IncidentView, NewIncident, Severity, TimelineEntryView, TimelineKind,
};
use serde_json::json;
use sqlx::PgPool;

use crate::{
    Error, Result,
    db::{
        audit::{self, Actor, Entry},
        incidents::{self, IncidentRow, NewIncidentRow},
    },
};

fn view(row: IncidentRow) -> IncidentView {
    IncidentView {
        number: IncidentNumber(row.number),
        title: row.title,
        description: row.description,
        // The CHECK constraints admit only valid values; a surprise reads as the mildest.
        severity: Severity::from_level(row.severity).unwrap_or(Severity::Sev5),
        status: row.status.parse().unwrap_or(IncidentStatus::Triggered),
        services: row.services,
        customer_impact: row.customer_impact,
        declared_by: row.declared_by,
        created_at: row.created_at,
        acknowledged_at: row.acknowledged_at,
        mitigated_at: row.mitigated_at,
        resolved_at: row.resolved_at,
        impact_started_at: row.impact_started_at,
        impact_ended_at: row.impact_ended_at,
    }
}

pub async fn declare_incident(pool: &PgPool, actor: &Actor, new: &NewIncident) -> Result<IncidentView> {
    let slugs: Vec<String> = new.services.iter().map(|s| s.to_string()).collect();
    let mut tx = pool.begin().await?;
    let unknown = incidents::unknown_services(&mut tx, &slugs).await?;
    if !unknown.is_empty() {
        return Err(
            domain::FieldError::new("services", format!("no such service: {}", unknown.join(", "))).into()
        );
    }
    let row = NewIncidentRow {
        title: new.title.as_str(),
        description: &new.description,
        severity: new.severity.level(),
        customer_impact: new.customer_impact,
        declared_by: actor.user_id.map(|u| u.0),
    };
    let (id, number) = incidents::insert(&mut tx, &row).await?;
    incidents::attach_services(&mut tx, id, &slugs).await?;
    incidents::append_timeline(
        &mut tx,
        id,
        actor,
        TimelineKind::StatusChange.as_str(),
        &format!("Declared as {} ({})", new.severity, new.severity.definition()),
        Some(json!({ "to": "triggered", "severity": new.severity })),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "incident.declare",
            entity_type: "incident",
            entity_id: IncidentNumber(number).to_string(),
            before: None,
            after: Some(json!({ "title": new.title.as_str(), "severity": new.severity, "services": slugs })),
        },
    )
    .await?;
    let created = incidents::by_number(&mut tx, number).await?.ok_or(Error::NotFound("incident"))?;
    tx.commit().await?;
    Ok(view(created))
}

pub async fn get_incident(pool: &PgPool, number: IncidentNumber) -> Result<IncidentView> {
    let mut conn = pool.acquire().await?;
    incidents::by_number(&mut conn, number.0).await?.map(view).ok_or(Error::NotFound("incident"))
}

pub async fn list_incidents(pool: &PgPool, limit: i64) -> Result<Vec<IncidentView>> {
    let mut conn = pool.acquire().await?;
    Ok(incidents::list_recent(&mut conn, limit.clamp(1, 200)).await?.into_iter().map(view).collect())
}

/// Moves an incident to `to` if the status machine allows it; refusals name the allowed states.
pub async fn transition_incident(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    to: IncidentStatus,
    reason: Option<&str>,
) -> Result<IncidentView> {
    let mut tx = pool.begin().await?;
    let (id, current) =
        incidents::lock_status(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
    let from: IncidentStatus = current.parse()?;
    from.transition(to).map_err(|e| Error::Conflict(e.to_string()))?;
    incidents::set_status(&mut tx, id, to.as_str()).await?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let body = match reason {
        Some(r) => format!("{} -> {}: {r}", from, to),
        None => format!("{} -> {}", from, to),
    };
    incidents::append_timeline(
        &mut tx,
        id,
        actor,
        TimelineKind::StatusChange.as_str(),
        &body,
        Some(json!({ "from": from, "to": to, "reason": reason })),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "incident.transition",
            entity_type: "incident",
            entity_id: number.to_string(),
            before: Some(json!({ "status": from })),
            after: Some(json!({ "status": to, "reason": reason })),
        },
    )
    .await?;
    let updated = incidents::by_number(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
    tx.commit().await?;
    Ok(view(updated))
}

pub async fn timeline(pool: &PgPool, number: IncidentNumber) -> Result<Vec<TimelineEntryView>> {
    let mut conn = pool.acquire().await?;
    let id = incidents::id_by_number(&mut conn, number.0).await?.ok_or(Error::NotFound("incident"))?;
    Ok(incidents::timeline(&mut conn, id)
        .await?
        .into_iter()
        .map(|t| TimelineEntryView {
            id: t.id,
            at: t.at,
            author: t.author_label,
            kind: t.kind,
            body: t.body,
            pin: t.pin,
        })
        .collect())
}
