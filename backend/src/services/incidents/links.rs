//! What an incident points at: links to dashboards and tickets, and related incidents.

use chrono::{DateTime, Utc};
use domain::incident::{IncidentNumber, IncidentView, LinkView, TimelineKind};
use serde_json::json;
use sqlx::PgPool;

use super::{IncidentChange, announce};
use crate::{Result, actor::Actor, db::incidents};

pub async fn add_link(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    link: &LinkView,
    now: DateTime<Utc>,
) -> Result<IncidentView> {
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
    let id = change.id();
    incidents::add_link(&mut change.tx, id, &link.url, &link.label).await?;
    incidents::touch(&mut change.tx, id).await?;
    let body = format!("Linked {}: {}", link.label, link.url);
    change.timeline(actor, TimelineKind::LinkAdded, &body, json!(link)).await?;
    change.audit(actor, "incident.link", json!(null), json!(link)).await?;
    change.commit("fields").await
}

/// Relates this incident to another ("same root cause"); both show the relation.
pub async fn relate(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    other: IncidentNumber,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<IncidentView> {
    if other == number {
        return Err(domain::FieldError::new("number", "an incident cannot be related to itself").into());
    }
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
    let other_id = incidents::id_by_number(&mut change.tx, other.0)
        .await?
        .ok_or_else(|| domain::FieldError::new("number", format!("there is no incident {other}")))?;
    let id = change.id();
    incidents::relate(&mut change.tx, id, other_id, reason).await?;
    incidents::touch(&mut change.tx, id).await?;
    let body = format!("Related to {other}: {reason}");
    change
        .timeline(actor, TimelineKind::FieldEdit, &body, json!({ "related": other, "reason": reason }))
        .await?;
    change
        .audit(actor, "incident.relate", json!(null), json!({ "related": other, "reason": reason }))
        .await?;
    announce(&mut change.tx, other, "fields").await?;
    change.commit("fields").await
}
