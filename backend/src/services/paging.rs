//! Paging people: resolving a level's targets (users, a schedule's on-call, a layer, a team's
//! leads) to the people they name now, recording each page, and queueing its notifications by the
//! person's rules. The escalation job pages through here, and so does a person paging by hand.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use domain::{
    FieldError,
    alert::Urgency,
    escalation::{ManualPage, Policy, Target},
    incident::{IncidentNumber, TimelineKind},
    notification::{PageView, working_hours},
    schedule::{LayerId, Scope, Tier},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db::{contact_methods, notifications, users};
use crate::db::{escalations, policies, teams, timeline};
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        incidents,
    },
};

/// A person a page goes to, as the targets resolved them.
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub zone: Tz,
    pub role: Option<domain::incident::IncidentRole>,
}

/// The people a level's targets name right now, each once, with the role the level gives them.
pub async fn resolve(
    conn: &mut PgConnection,
    targets: &[(Target, Option<domain::incident::IncidentRole>)],
    now: DateTime<Utc>,
) -> Result<Vec<Person>> {
    let mut wanted: Vec<(Uuid, Option<domain::incident::IncidentRole>)> = Vec::new();
    for (target, role) in targets {
        let ids: Vec<Uuid> = match target {
            Target::User { id } => vec![*id],
            Target::Schedule { id } => super::schedules::on_call(conn, id.0, Scope::Tier(Tier::Primary), now)
                .await?
                .into_iter()
                .collect(),
            Target::Layer { schedule_id, layer_id } => {
                super::schedules::on_call(conn, schedule_id.0, Scope::Layer(LayerId(*layer_id)), now)
                    .await?
                    .into_iter()
                    .collect()
            }
            Target::TeamLeads { id } => teams::team_leads(conn, id.0).await?,
        };
        for id in ids {
            if !wanted.iter().any(|(w, _)| *w == id) {
                wanted.push((id, *role));
            }
        }
    }
    let ids: Vec<Uuid> = wanted.iter().map(|(id, _)| *id).collect();
    let users = users::active_users(conn, &ids).await?;
    let mut people = Vec::with_capacity(wanted.len());
    for (id, role) in wanted {
        if let Some(u) = users.iter().find(|u| u.0 == id) {
            people.push(Person { id, name: u.1.clone(), zone: super::stored_zone(&u.2)?, role });
        }
    }
    Ok(people)
}

/// Which step of an incident's paging a page belongs to: an escalation step (0 and up, with its
/// level) or a page by hand (below zero, no level).
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub number: i32,
    pub level: Option<i32>,
}

/// Pages `people` for one step (at most once each), queueing their notifications; returns how
/// each was paged, in words.
pub async fn page_resolved(
    conn: &mut PgConnection,
    incident: Uuid,
    step: Step,
    people: &[Person],
    paged_by: Option<Uuid>,
    urgency: Urgency,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut paged = Vec::new();
    for p in people {
        let role = p.role.map(|r| r.as_str());
        let new = escalations::NewPage {
            incident,
            step: step.number,
            level: step.level,
            user: p.id,
            role,
            paged_by,
            at: now,
        };
        if let Some(page) = escalations::insert_page(conn, &new).await? {
            let n = plan(conn, p, page, incident, urgency, now).await?;
            paged.push(match (p.role, n) {
                (_, 0) => format!("{} (no contact method)", p.name),
                (Some(r), _) => format!("{} as {r}", p.name),
                (None, _) => p.name.clone(),
            });
        }
    }
    Ok(paged)
}

/// The names a level's targets would page at `now` (for the policy pages).
pub async fn names_now(
    conn: &mut PgConnection,
    targets: &[(Target, Option<domain::incident::IncidentRole>)],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    Ok(resolve(conn, targets, now).await?.into_iter().map(|p| p.name).collect())
}

/// Pages by hand (from the incident page): each manual action is its own step, below zero.
pub async fn page_people(
    conn: &mut PgConnection,
    incident: Uuid,
    targets: &[(Target, Option<domain::incident::IncidentRole>)],
    paged_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let people = resolve(conn, targets, now).await?;
    let step = Step { number: escalations::next_manual_step(conn, incident).await?, level: None };
    page_resolved(conn, incident, step, &people, paged_by, Urgency::High, now).await
}

/// Queues the notifications of one page by the person's rules (each contact method at once
/// when they have none); low urgency waits for their working hours. Returns how many.
async fn plan(
    conn: &mut PgConnection,
    p: &Person,
    page: i64,
    incident: Uuid,
    urgency: Urgency,
    now: DateTime<Utc>,
) -> Result<usize> {
    let methods = contact_methods::contact_methods(conn, p.id).await?;
    let rules = contact_methods::rules(conn, p.id).await?;
    let plan: Vec<(Uuid, i64)> = if rules.is_empty() {
        methods.iter().map(|m| (m.id, 0)).collect()
    } else {
        rules.iter().map(|r| (r.contact_method_id, i64::from(r.delay_secs))).collect()
    };
    let open = if urgency == Urgency::Low { working_hours(p.zone, now) } else { now };
    for (method, delay) in &plan {
        let due = open + Duration::seconds(*delay);
        notifications::insert_notification(
            conn,
            &notifications::NewNotification {
                user_id: p.id,
                contact_method_id: *method,
                kind: "page",
                page_id: Some(page),
                incident_id: Some(incident),
                due_at: due,
                deferred: open > now,
                note: None,
            },
        )
        .await?;
    }
    Ok(plan.len())
}

/// Pages people by hand during an open incident: a user, a team's leads, or a policy's first
/// level as it stands now. Returns the names paged.
pub async fn page_manually(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    whom: &ManualPage,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut tx = pool.begin().await?;
    let (id, status) = incidents::lock_status(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
    if matches!(status.as_str(), "resolved") {
        return Err(Error::Conflict("the incident is resolved: page people only during an incident".into()));
    }
    let targets: Vec<(Target, Option<domain::incident::IncidentRole>)> = match whom {
        ManualPage::User { id } => vec![(Target::User { id: *id }, None)],
        ManualPage::Team { id } => vec![(Target::TeamLeads { id: *id }, None)],
        ManualPage::Policy { id } => {
            let p = policies::list_policies(&mut tx)
                .await?
                .into_iter()
                .find(|p| p.id == id.0)
                .ok_or(Error::NotFound("escalation policy"))?;
            let p: Policy = serde_json::from_value(p.policy).map_err(|e| Error::Internal(e.into()))?;
            p.levels
                .first()
                .map(|l| l.targets.iter().map(|t| (t.target.clone(), t.role)).collect())
                .unwrap_or_default()
        }
    };
    let names = page_people(&mut tx, id, &targets, actor.user_id.map(|u| u.0), now).await?;
    if names.is_empty() {
        return Err(FieldError::new("target", "no one to page: nobody active is on call for it").into());
    }
    let body = format!("{} paged {}", actor.label, names.join(", "));
    timeline::append_timeline(
        &mut tx,
        id,
        actor,
        now,
        TimelineKind::PageSent.as_str(),
        &body,
        Some(json!({ "manual": whom })),
    )
    .await?;
    super::incidents::announce(&mut tx, number, "paging").await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("incident.page", "incident", number).after(json!({ "paged": names, "target": whom })),
    )
    .await?;
    tx.commit().await?;
    Ok(names)
}

pub async fn pages(pool: &PgPool, number: IncidentNumber) -> Result<Vec<PageView>> {
    let mut conn = pool.acquire().await?;
    let id = incidents::id_by_number(&mut conn, number.0).await?.ok_or(Error::NotFound("incident"))?;
    Ok(escalations::pages_of(&mut conn, id)
        .await?
        .into_iter()
        .map(|p| PageView {
            user_id: p.user_id,
            name: p.name,
            level: p.level.map(|l| l as u32 + 1),
            role: p.role.and_then(|r| r.parse().ok()),
            paged_at: p.paged_at,
        })
        .collect())
}

pub async fn incident_brief(
    pool: &PgPool,
    id: domain::incident::IncidentId,
) -> Result<Option<incidents::IncidentBrief>> {
    let mut conn = pool.acquire().await?;
    Ok(incidents::incident_briefs(&mut conn, &[id.0]).await?.pop())
}
