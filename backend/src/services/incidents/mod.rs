//! Declaring, finding and running incidents. Every change locks the incident row once, writes
//! its timeline event and its audit row, and announces itself to live pages (NOTIFY), all in the
//! transaction of the change ([`IncidentChange`]): a change never exists without its record, and
//! pages hear of it only once it is committed. Status changes and openings go through
//! [`lifecycle`], the one place their effects are written.

mod change;
pub(crate) mod lifecycle;
mod links;
mod roles;

use chrono::{DateTime, Utc};
use domain::{
    UserId,
    incident::{
        IncidentChange as Announcement, IncidentFilter, IncidentNumber, IncidentPage, IncidentPatch,
        IncidentView, TimelineKind,
    },
};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool};

pub(crate) use change::IncidentChange;
pub use lifecycle::{acknowledge_by_link, declare_incident, transition_incident};
pub use links::{add_link, relate};
pub use roles::{assign_role, handover};

use crate::{
    Error, Result,
    actor::Actor,
    db::incidents::{self, FieldsUpdate, IncidentRow},
};

pub(crate) fn view(row: IncidentRow) -> IncidentView {
    IncidentView {
        number: IncidentNumber(row.number),
        title: row.title,
        description: row.description,
        severity: row.severity,
        status: row.status,
        services: row.services,
        customer_impact: row.customer_impact,
        declared_by: row.declared_by,
        created_at: row.created_at,
        acknowledged_at: row.acknowledged_at,
        mitigated_at: row.mitigated_at,
        resolved_at: row.resolved_at,
        impact_started_at: row.impact_started_at,
        impact_ended_at: row.impact_ended_at,
        roles: row.roles.0,
        root_cause_tags: row.root_cause_tags,
        links: row.links.0,
        related: row.related.0,
        updated_at: row.updated_at,
    }
}

pub(crate) async fn announce(conn: &mut PgConnection, number: IncidentNumber, change: &str) -> Result<()> {
    let payload = Announcement { number, change: change.to_owned() };
    let payload = serde_json::to_string(&payload).map_err(anyhow::Error::from)?;
    incidents::notify_change(conn, &payload).await?;
    Ok(())
}

pub async fn get_incident(pool: &PgPool, number: IncidentNumber) -> Result<IncidentView> {
    let mut conn = pool.acquire().await?;
    incidents::by_number(&mut conn, number.0).await?.map(view).ok_or(Error::NotFound("incident"))
}

/// A page of incidents in dashboard order. `me` is whoever "role holder = me" means.
pub async fn list_incidents(
    pool: &PgPool,
    filter: &IncidentFilter,
    me: Option<UserId>,
) -> Result<IncidentPage> {
    let holder = if filter.mine {
        Some(me.ok_or(Error::Invalid(domain::FieldError::new("mine", "needs a signed-in user")))?.0)
    } else {
        None
    };
    let mut conn = pool.acquire().await?;
    // One row more than asked tells whether there is a next page.
    let mut rows = incidents::list(&mut conn, filter, holder, filter.limit + 1).await?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    let next = if more { rows.last().map(|r| r.dashboard_key.to_string()) } else { None };
    Ok(IncidentPage { incidents: rows.into_iter().map(view).collect(), next })
}

/// Applies the fields present in `patch`. A severity change is its own timeline event (with the
/// reason); the other fields share one "edited" event naming them.
pub async fn update_incident(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    patch: &IncidentPatch,
    now: DateTime<Utc>,
) -> Result<IncidentView> {
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
    let b = &change.before;
    let old_severity = b.severity;
    let next = FieldsUpdate {
        title: patch.title.as_ref().map_or(b.title.as_str(), |t| t.as_str()),
        description: patch.description.as_deref().unwrap_or(&b.description),
        severity: patch.severity.unwrap_or(b.severity).level(),
        customer_impact: patch.customer_impact.unwrap_or(b.customer_impact),
        impact_started_at: patch.impact_started_at.unwrap_or(b.impact_started_at),
        impact_ended_at: patch.impact_ended_at.unwrap_or(b.impact_ended_at),
        root_cause_tags: patch.root_cause_tags.as_deref().unwrap_or(&b.root_cause_tags),
    };
    if let (Some(start), Some(end)) = (next.impact_started_at, next.impact_ended_at)
        && end < start
    {
        return Err(
            domain::FieldError::new("impact_ended_at", "must not be before the impact started").into()
        );
    }

    let mut edited: Vec<&str> = Vec::new();
    let (mut before, mut after) = (serde_json::Map::new(), serde_json::Map::new());
    let mut note = |field: &'static str, old: Value, new: Value, edited: &mut Vec<&str>| {
        if old != new {
            edited.push(field);
            before.insert(field.into(), old);
            after.insert(field.into(), new);
        }
    };
    note("title", json!(b.title), json!(next.title), &mut edited);
    note("description", json!(b.description), json!(next.description), &mut edited);
    note("customer_impact", json!(b.customer_impact), json!(next.customer_impact), &mut edited);
    note("impact_started_at", json!(b.impact_started_at), json!(next.impact_started_at), &mut edited);
    note("impact_ended_at", json!(b.impact_ended_at), json!(next.impact_ended_at), &mut edited);
    note("root_cause_tags", json!(b.root_cause_tags), json!(next.root_cause_tags), &mut edited);
    let new_severity = patch.severity.unwrap_or(old_severity);
    let severity_changed = new_severity != old_severity;
    if severity_changed {
        before.insert("severity".into(), json!(old_severity));
        after.insert("severity".into(), json!(new_severity));
    }
    if edited.is_empty() && !severity_changed {
        // Nothing differs: no event, no audit row, and the answer is the incident as it is.
        return Ok(view(change.before));
    }

    let id = change.id();
    incidents::update_fields(&mut change.tx, id, &next).await?;
    if severity_changed {
        let direction = if new_severity < old_severity { "Escalated" } else { "De-escalated" };
        let body = match &patch.reason {
            Some(r) => format!("{direction} {old_severity} -> {new_severity}: {r}"),
            None => format!("{direction} {old_severity} -> {new_severity}"),
        };
        let data = json!({ "from": old_severity, "to": new_severity, "reason": patch.reason });
        change.timeline(actor, TimelineKind::SeverityChange, &body, data).await?;
    }
    if !edited.is_empty() {
        let body = format!("Edited {}", edited.join(", ").replace('_', " "));
        change.timeline(actor, TimelineKind::FieldEdit, &body, Value::Object(after.clone())).await?;
    }
    if patch.reason.is_some() {
        after.insert("reason".into(), json!(patch.reason));
    }
    change.audit(actor, "incident.update", Value::Object(before), Value::Object(after)).await?;
    change.commit(if severity_changed { "severity" } else { "fields" }).await
}
