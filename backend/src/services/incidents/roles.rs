//! Who holds which role on an incident: assigning, handing over at shift end, and the roles a
//! page asked for, given when the incident is acknowledged.

use chrono::{DateTime, Utc};
use domain::{
    Role, UserId,
    incident::{HandoverView, IncidentNumber, IncidentRole, IncidentView, TimelineKind},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{IncidentChange, announce, view};
use crate::db::escalations;
use crate::db::timeline;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        incidents,
    },
};

/// Gives a role to a responder (or takes it away with `None`), replacing its holder.
pub async fn assign_role(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    role: IncidentRole,
    user: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<IncidentView> {
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
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
    incidents::set_role(&mut change.tx, id, role.as_str(), user.map(|u| u.0), now).await?;
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
    now: DateTime<Utc>,
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
        incidents::set_role(&mut tx, h.incident_id, &h.role, Some(to.0), now).await?;
        timeline::append_timeline(
            &mut tx,
            h.incident_id,
            actor,
            now,
            TimelineKind::RoleChange.as_str(),
            &format!("{to_name} is {role}, handed over at shift end"),
            Some(json!({ "role": role, "from": from, "to": to, "handover": true })),
        )
        .await?;
        moved.push((IncidentNumber(h.number), role));
    }
    let entry = Entry::new("incident.handover", "user", from).after(json!({ "to": to, "moved": moved }));
    audit::record(&mut tx, actor, entry).await?;
    let mut numbers: Vec<IncidentNumber> = moved.iter().map(|(n, _)| *n).collect();
    numbers.dedup();
    for n in numbers {
        announce(&mut tx, n, "roles").await?;
    }
    tx.commit().await?;
    Ok(HandoverView { to: to_name, moved })
}

/// A pair was paged: acknowledging gives each of them the role their page asked for, unless
/// someone holds it already.
pub(super) async fn give_paged_roles(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let held = incidents::held_roles(conn, id).await?;
    for (user, role) in escalations::paged_roles(conn, id).await? {
        let role: IncidentRole = role.parse()?;
        if held.iter().any(|h| h == role.as_str()) {
            continue;
        }
        let Some(name) = incidents::responder_name(conn, user).await? else { continue };
        incidents::set_role(conn, id, role.as_str(), Some(user), now).await?;
        let body = format!("{name} is {role} (paged as {role})");
        timeline::append_timeline(
            conn,
            id,
            actor,
            now,
            TimelineKind::RoleChange.as_str(),
            &body,
            Some(json!({ "role": role, "to": user })),
        )
        .await?;
    }
    Ok(())
}
