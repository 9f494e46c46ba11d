//! Declaring, finding and running incidents. Every change locks the incident row, writes its
//! timeline event and its audit row, and announces itself to live pages (NOTIFY), all in the
//! transaction of the change: a change never exists without its record, and pages hear of it
//! only once it is committed.

use domain::{
    Role, UserId,
    incident::{
        HandoverView, IncidentChange, IncidentFilter, IncidentNumber, IncidentPage, IncidentPatch,
        IncidentRole, IncidentStatus, IncidentView, LinkView, NewIncident, Severity, TimelineKind,
    },
};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        incidents::{self, FieldsUpdate, IncidentRow, NewIncidentRow},
    },
};

pub(crate) fn view(row: IncidentRow) -> IncidentView {
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
        roles: row.roles.0,
        root_cause_tags: row.root_cause_tags,
        links: row.links.0,
        related: row.related.0,
        updated_at: row.updated_at,
    }
}

/// One change in progress: the locked incident and its transaction.
pub(super) struct Change {
    pub(super) tx: Transaction<'static, Postgres>,
    pub(super) before: IncidentRow,
}

impl Change {
    /// Locks the incident so concurrent changes apply one after the other.
    pub(super) async fn begin(pool: &PgPool, number: IncidentNumber) -> Result<Change> {
        let mut tx = pool.begin().await?;
        incidents::lock_status(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
        let before = incidents::by_number(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
        Ok(Change { tx, before })
    }

    pub(super) fn id(&self) -> Uuid {
        self.before.id
    }

    pub(super) fn number(&self) -> IncidentNumber {
        IncidentNumber(self.before.number)
    }

    pub(super) async fn timeline(
        &mut self,
        actor: &Actor,
        kind: TimelineKind,
        body: &str,
        data: Value,
    ) -> Result<i64> {
        Ok(incidents::append_timeline(&mut self.tx, self.before.id, actor, kind.as_str(), body, Some(data))
            .await?)
    }

    pub(super) async fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        before: Value,
        after: Value,
    ) -> Result<()> {
        let entry = Entry {
            action,
            entity_type: "incident",
            entity_id: self.number().to_string(),
            before: Some(before),
            after: Some(after),
        };
        audit::record(&mut self.tx, actor, entry).await?;
        Ok(())
    }

    /// Announces the change, commits, and returns the incident as it now is.
    pub(super) async fn commit(mut self, change: &str) -> Result<IncidentView> {
        let number = self.number();
        announce(&mut self.tx, number, change).await?;
        let after = incidents::by_number(&mut self.tx, self.before.number)
            .await?
            .ok_or(Error::NotFound("incident"))?;
        self.tx.commit().await?;
        Ok(view(after))
    }
}

pub(crate) async fn announce(conn: &mut PgConnection, number: IncidentNumber, change: &str) -> Result<()> {
    let payload = IncidentChange { number, change: change.to_owned() };
    let payload = serde_json::to_string(&payload).map_err(anyhow::Error::from)?;
    incidents::notify_change(conn, &payload).await?;
    Ok(())
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
    announce(&mut tx, IncidentNumber(number), "declared").await?;
    let created = incidents::by_number(&mut tx, number).await?.ok_or(Error::NotFound("incident"))?;
    tx.commit().await?;
    Ok(view(created))
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

/// Moves an incident to `to` if the status machine allows it; refusals name the allowed states.
pub async fn transition_incident(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    to: IncidentStatus,
    reason: Option<&str>,
) -> Result<IncidentView> {
    let mut change = Change::begin(pool, number).await?;
    let from: IncidentStatus = change.before.status.parse()?;
    from.transition(to).map_err(|e| Error::Conflict(e.to_string()))?;
    let id = change.id();
    incidents::set_status(&mut change.tx, id, to.as_str()).await?;
    if to == IncidentStatus::Resolved {
        // Its alerts resolve with it: a later trigger of the same key is a new problem.
        crate::db::alerts::resolve_alerts_of(&mut change.tx, id).await?;
    }
    if to != IncidentStatus::Triggered
        && crate::db::paging::end_escalation(&mut change.tx, id, chrono::Utc::now(), to.as_str()).await?
    {
        let body = format!("Escalation stopped: {to} by {}", actor.label);
        change.timeline(actor, TimelineKind::PageAcknowledged, &body, json!({ "status": to })).await?;
    }
    // A pair was paged: acknowledging gives each of them the role their page asked for.
    if to == IncidentStatus::Acknowledged {
        for (user, role) in crate::db::paging::paged_roles(&mut change.tx, id).await? {
            let Ok(role) = role.parse::<IncidentRole>() else { continue };
            if change.before.roles.0.iter().any(|h| h.role == role) {
                continue;
            }
            let Some(name) = incidents::responder_name(&mut change.tx, user).await? else { continue };
            incidents::set_role(&mut change.tx, id, role.as_str(), Some(user)).await?;
            let body = format!("{name} is {role} (paged as {role})");
            change
                .timeline(actor, TimelineKind::RoleChange, &body, json!({ "role": role, "to": user }))
                .await?;
        }
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let body = match reason {
        Some(r) => format!("{from} -> {to}: {r}"),
        None => format!("{from} -> {to}"),
    };
    let data = json!({ "from": from, "to": to, "reason": reason });
    change.timeline(actor, TimelineKind::StatusChange, &body, data).await?;
    change
        .audit(
            actor,
            "incident.transition",
            json!({ "status": from }),
            json!({ "status": to, "reason": reason }),
        )
        .await?;
    change.commit("status").await
}

/// Applies the fields present in `patch`. A severity change is its own timeline event (with the
/// reason); the other fields share one "edited" event naming them.
pub async fn update_incident(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    patch: &IncidentPatch,
) -> Result<IncidentView> {
    let mut change = Change::begin(pool, number).await?;
    let b = &change.before;
    let old_severity = Severity::from_level(b.severity).unwrap_or(Severity::Sev5);
    let next = FieldsUpdate {
        title: patch.title.as_ref().map_or(b.title.as_str(), |t| t.as_str()),
        description: patch.description.as_deref().unwrap_or(&b.description),
        severity: patch.severity.map_or(b.severity, Severity::level),
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
    let new_severity = Severity::from_level(next.severity).unwrap_or(old_severity);
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

/// Gives a role to a responder (or takes it away with `None`), replacing its holder.
pub async fn assign_role(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    role: IncidentRole,
    user: Option<UserId>,
) -> Result<IncidentView> {
    let mut change = Change::begin(pool, number).await?;
    let previous = change.before.roles.0.iter().find(|h| h.role == role).cloned();
    if previous.as_ref().map(|h| h.user_id) == user {
        return Ok(view(change.before));
    }
    let name = match user {
        Some(u) => Some(incidents::responder_name(&mut change.tx, u.0).await?.ok_or_else(|| {
            domain::FieldError::new(
                "user_id",
                "is not an active responder: only responders and admins hold roles",
            )
        })?),
        None => None,
    };
    let id = change.id();
    incidents::set_role(&mut change.tx, id, role.as_str(), user.map(|u| u.0)).await?;
    let body = match (&previous, &name) {
        (None, Some(n)) => format!("{n} is {role}"),
        (Some(p), Some(n)) => format!("{n} is {role}, taking over from {}", p.name),
        (Some(p), None) => format!("{} is no longer {role}", p.name),
        (None, None) => format!("{role} unassigned"),
    };
    let data = json!({ "role": role, "from": previous.as_ref().map(|p| p.user_id), "to": user });
    change.timeline(actor, TimelineKind::RoleChange, &body, data).await?;
    change
        .audit(
            actor,
            "incident.role",
            json!({ "role": role, "user_id": previous.map(|p| p.user_id) }),
            json!({ "role": role, "user_id": user }),
        )
        .await?;
    change.commit("roles").await
}

/// At the end of a shift: every role `from` holds on open incidents moves to `to`, in one
/// transaction. Responders hand over their own roles; admins may hand over anyone's.
pub async fn handover(
    pool: &PgPool,
    actor: &Actor,
    caller_role: Role,
    from: UserId,
    to: UserId,
) -> Result<HandoverView> {
    if actor.user_id != Some(from) && !caller_role.includes(Role::Admin) {
        return Err(Error::Forbidden);
    }
    if from == to {
        return Err(domain::FieldError::new("to", "is the person handing over").into());
    }
    let mut tx = pool.begin().await?;
    let to_name = incidents::responder_name(&mut tx, to.0)
        .await?
        .ok_or_else(|| domain::FieldError::new("to", "is not an active responder"))?;
    let held = incidents::roles_held_on_open(&mut tx, from.0).await?;
    let mut moved = Vec::new();
    for h in &held {
        let role: IncidentRole = h.role.parse()?;
        incidents::set_role(&mut tx, h.incident_id, &h.role, Some(to.0)).await?;
        incidents::append_timeline(
            &mut tx,
            h.incident_id,
            actor,
            TimelineKind::RoleChange.as_str(),
            &format!("{to_name} is {role}, handed over at shift end"),
            Some(json!({ "role": role, "from": from, "to": to, "handover": true })),
        )
        .await?;
        moved.push((IncidentNumber(h.number), role));
    }
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "incident.handover",
            entity_type: "user",
            entity_id: from.to_string(),
            before: None,
            after: Some(json!({ "to": to, "moved": moved })),
        },
    )
    .await?;
    let mut numbers: Vec<IncidentNumber> = moved.iter().map(|(n, _)| *n).collect();
    numbers.dedup();
    for n in numbers {
        announce(&mut tx, n, "roles").await?;
    }
    tx.commit().await?;
    Ok(HandoverView { to: to_name, moved })
}

pub async fn add_link(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    link: &LinkView,
) -> Result<IncidentView> {
    let mut change = Change::begin(pool, number).await?;
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
) -> Result<IncidentView> {
    if other == number {
        return Err(domain::FieldError::new("number", "an incident cannot be related to itself").into());
    }
    let mut change = Change::begin(pool, number).await?;
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
