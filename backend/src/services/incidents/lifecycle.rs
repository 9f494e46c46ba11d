//! The incident state machine and its effects, written once. Every path that opens an incident
//! (a person declaring, an alert, a storm) goes through [`open`]; every path that changes its
//! status (a person, a signed link, the alert source, automatic resolution) through
//! [`transition`], inside the caller's transaction, so the effects commit with the change or not
//! at all.

use chrono::{DateTime, Utc};
use domain::{
    Role, UserId,
    incident::{
        IncidentId, IncidentNumber, IncidentStatus, IncidentView, NewIncident, Severity, TimelineKind,
    },
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{IncidentChange, announce, roles, view};
use crate::db::escalations;
use crate::db::timeline;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        alerts,
        audit::{self, Entry},
        incidents::{self, NewIncidentRow},
        users,
    },
};

/// How an incident came to be.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    Declared,
    /// Opened by an alert, received through the integration key labelled `via`.
    Alert {
        via: Option<&'a str>,
    },
    /// Opened to gather a storm of alerts on one service.
    Storm {
        service: &'a str,
        via: Option<&'a str>,
    },
}

impl Origin<'_> {
    fn as_str(&self) -> &'static str {
        match self {
            Origin::Declared => "declared",
            Origin::Alert { .. } => "alert",
            Origin::Storm { .. } => "storm",
        }
    }
}

pub(crate) struct Opening<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub severity: Severity,
    pub customer_impact: bool,
    pub declared_by: Option<UserId>,
    /// Slugs of the affected services; the caller has checked they exist.
    pub services: &'a [String],
    pub origin: Origin<'a>,
}

/// Opens an incident as triggered with its services, its first timeline entry and its audit row.
/// The caller announces it once its transaction holds everything else it writes.
pub(crate) async fn open(
    conn: &mut PgConnection,
    actor: &Actor,
    o: &Opening<'_>,
    now: DateTime<Utc>,
) -> Result<(Uuid, IncidentNumber)> {
    let row = NewIncidentRow {
        title: o.title,
        description: o.description,
        severity: o.severity.level(),
        customer_impact: o.customer_impact,
        declared_by: o.declared_by.map(|u| u.0),
        origin: o.origin.as_str(),
    };
    let (id, number) = incidents::insert(conn, &row, now).await?;
    incidents::attach_services(conn, id, o.services).await?;
    let severity = o.severity;
    let via = |v: Option<&str>| v.map_or(String::new(), |l| format!(" via {l}"));
    let (body, data) = match o.origin {
        Origin::Declared => (
            format!("Declared as {severity} ({})", severity.definition()),
            json!({ "to": "triggered", "severity": severity }),
        ),
        Origin::Alert { via: v } => (
            format!("Opened as {severity} by an alert{}", via(v)),
            json!({ "to": "triggered", "severity": severity, "origin": "alert" }),
        ),
        Origin::Storm { service, via: v } => (
            format!("Opened as {severity}: alert storm on {service}{}", via(v)),
            json!({ "to": "triggered", "severity": severity, "origin": "storm" }),
        ),
    };
    timeline::append_timeline(conn, id, actor, now, TimelineKind::StatusChange.as_str(), &body, Some(data))
        .await?;
    let mut after = json!({ "title": o.title, "severity": severity, "services": o.services });
    if !matches!(o.origin, Origin::Declared) {
        after["origin"] = json!(o.origin.as_str());
    }
    audit::record(
        conn,
        actor,
        Entry::new("incident.declare", "incident", IncidentNumber(number)).after(after),
    )
    .await?;
    Ok((id, IncidentNumber(number)))
}

/// The incident a transition applies to, locked by the caller.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject {
    pub id: Uuid,
    pub number: IncidentNumber,
    pub status: IncidentStatus,
}

/// Moves the incident to `to` if the status machine allows it (refusals name the allowed
/// states), with every effect of the move: the status stamps, its alerts resolved with it, the
/// escalation ended (and said so), the paged roles given on acknowledgement, the timeline entry
/// and the audit row.
pub(crate) async fn transition(
    conn: &mut PgConnection,
    actor: &Actor,
    subject: Subject,
    to: IncidentStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Subject { id, number, status: from } = subject;
    from.transition(to).map_err(|e| Error::Conflict(e.to_string()))?;
    incidents::set_status(conn, id, to.as_str(), now).await?;
    if to == IncidentStatus::Resolved {
        // Its alerts resolve with it: a later trigger of the same key is a new problem.
        alerts::resolve_alerts_of(conn, id, now).await?;
    }
    if to != IncidentStatus::Triggered && escalations::end_escalation(conn, id, now, to.as_str()).await? {
        let body = format!("Escalation stopped: {to} by {}", actor.label);
        timeline::append_timeline(
            conn,
            id,
            actor,
            now,
            TimelineKind::PageAcknowledged.as_str(),
            &body,
            Some(json!({ "status": to })),
        )
        .await?;
    }
    if to == IncidentStatus::Acknowledged {
        roles::give_paged_roles(conn, actor, id, now).await?;
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let body = match reason {
        Some(r) => format!("{from} -> {to}: {r}"),
        None => format!("{from} -> {to}"),
    };
    let data = json!({ "from": from, "to": to, "reason": reason });
    timeline::append_timeline(conn, id, actor, now, TimelineKind::StatusChange.as_str(), &body, Some(data))
        .await?;
    let entry = Entry::new("incident.transition", "incident", number)
        .before(json!({ "status": from }))
        .after(json!({ "status": to, "reason": reason }));
    audit::record(conn, actor, entry).await?;
    if to == IncidentStatus::Resolved {
        // In the same transaction: a resolved incident the policy covers always has its postmortem.
        crate::services::postmortems::on_resolve(conn, actor, id, now).await?;
    }
    Ok(())
}

/// Declares an incident by hand.
pub async fn declare_incident(
    pool: &PgPool,
    actor: &Actor,
    new: &NewIncident,
    now: DateTime<Utc>,
) -> Result<IncidentView> {
    let slugs: Vec<String> = new.services.iter().map(|s| s.to_string()).collect();
    let mut tx = pool.begin().await?;
    let unknown = incidents::unknown_services(&mut tx, &slugs).await?;
    if !unknown.is_empty() {
        return Err(
            domain::FieldError::new("services", format!("no such service: {}", unknown.join(", "))).into()
        );
    }
    let opening = Opening {
        title: new.title.as_str(),
        description: &new.description,
        severity: new.severity,
        customer_impact: new.customer_impact,
        declared_by: actor.user_id,
        services: &slugs,
        origin: Origin::Declared,
    };
    let (_, number) = open(&mut tx, actor, &opening, now).await?;
    announce(&mut tx, number, "declared").await?;
    let created = incidents::by_number(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
    tx.commit().await?;
    Ok(view(created))
}

/// A person moves an incident to `to`.
pub async fn transition_incident(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    to: IncidentStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<IncidentView> {
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
    transition_change(&mut change, actor, to, reason, now).await?;
    change.commit("status").await
}

async fn transition_change(
    change: &mut IncidentChange,
    actor: &Actor,
    to: IncidentStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let subject = Subject { id: change.id(), number: change.number(), status: change.status() };
    transition(&mut change.tx, actor, subject, to, reason, now).await
}

/// Acknowledges through a signed link, as the person it was sent to (if they may still
/// acknowledge: active, and a responder or admin). Returns the incident number.
pub async fn acknowledge_by_link(
    pool: &PgPool,
    incident: IncidentId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<IncidentNumber> {
    let mut change = IncidentChange::begin_by_id(pool, incident, now).await?;
    let status = change.status();
    if status != IncidentStatus::Triggered {
        return Err(Error::Conflict(format!(
            "{} is already {status}: nothing to acknowledge",
            change.number()
        )));
    }
    let person = users::by_id(&mut change.tx, user).await?.ok_or(Error::NotFound("user"))?;
    let role = person.role();
    if person.disabled || !role.includes(Role::Responder) {
        return Err(Error::Forbidden);
    }
    let actor = Actor { user_id: Some(user), label: person.email.clone(), request_id: None };
    let reason = Some("acknowledged from the link in a page");
    transition_change(&mut change, &actor, IncidentStatus::Acknowledged, reason, now).await?;
    let number = change.number();
    change.commit("status").await?;
    Ok(number)
}
