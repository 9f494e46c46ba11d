//! Corrective actions: made on a postmortem (by hand, or from a follow-up pin in one click), each
//! with an owner, a due day from its priority, a tracker link and a status. They outlive the
//! postmortem's workflow; the engine tells the owner's team leads once one is overdue.

use chrono::{DateTime, NaiveDate, Utc};
use domain::postmortem::{self as pm, ActionChange, ActionInput, ActionStatus, ActionView, DueWindows};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::on_timeline;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        postmortems::{self as db, ActionRow},
    },
};

pub(super) fn action_view(a: ActionRow, today: NaiveDate) -> Option<ActionView> {
    let status: ActionStatus = a.status.parse().ok()?;
    Some(ActionView {
        id: a.id,
        postmortem_id: a.postmortem_id,
        incident: a.number,
        title: a.title,
        owner_id: a.owner_id,
        owner_name: a.owner_name,
        due_on: a.due_on,
        priority: a.priority.parse().ok()?,
        tracker_url: a.tracker_url,
        status,
        reason: a.reason,
        overdue: pm::overdue(status, a.due_on, today),
        created_at: a.created_at,
    })
}

async fn check_owner(conn: &mut sqlx::PgConnection, owner: Option<Uuid>) -> Result<()> {
    if let Some(o) = owner
        && db::writers(conn, &[o]).await?.is_empty()
    {
        return Err(domain::FieldError::new("owner_id", "must be an active responder or admin").into());
    }
    Ok(())
}

/// Adds an action to a postmortem; `from_event` (a follow-up pin of its incident) makes one in a click.
pub async fn add_action(
    pool: &PgPool,
    actor: &Actor,
    postmortem: Uuid,
    input: &ActionInput,
    now: DateTime<Utc>,
) -> Result<ActionView> {
    let mut tx = pool.begin().await?;
    let row = db::by_id(&mut tx, postmortem).await?.ok_or(Error::NotFound("postmortem"))?;
    let policy = db::policy(&mut tx).await?;
    let windows =
        DueWindows { high_days: policy.high_days.max(1) as u32, other_days: policy.other_days.max(1) as u32 };
    let new = input.parse(now.date_naive(), windows)?;
    check_owner(&mut tx, new.owner_id).await?;
    if let Some(event) = new.from_event
        && !db::pins(&mut tx, row.incident_id).await?.iter().any(|p| p.id == event)
    {
        return Err(domain::FieldError::new("from_event", "is not a pin of this incident").into());
    }
    let id = db::insert_action(
        &mut tx,
        &db::NewActionRow {
            postmortem,
            title: &new.title,
            owner: new.owner_id,
            due_on: new.due_on,
            priority: new.priority.as_str(),
            tracker_url: new.tracker_url.as_deref(),
            from_event: new.from_event,
            at: now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem_action.create", "postmortem_action", id).after(json!({
            "postmortem": postmortem, "title": new.title, "owner_id": new.owner_id, "due_on": new.due_on,
            "priority": new.priority, "tracker_url": new.tracker_url, "from_event": new.from_event,
        })),
    )
    .await?;
    on_timeline(&mut tx, row.incident_id, actor, &format!("Corrective action: {}", new.title), now).await?;
    let created = db::action(&mut tx, id).await?.ok_or(Error::NotFound("action"))?;
    tx.commit().await?;
    action_view(created, now.date_naive()).ok_or(Error::NotFound("action"))
}

/// Changes an action (its status `wont_do` needs a reason).
pub async fn update_action(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    change: &ActionChange,
    now: DateTime<Utc>,
) -> Result<ActionView> {
    let mut tx = pool.begin().await?;
    if !db::lock_action(&mut tx, id).await? {
        return Err(Error::NotFound("action"));
    }
    let today = now.date_naive();
    let before = db::action(&mut tx, id)
        .await?
        .and_then(|a| action_view(a, today))
        .ok_or(Error::NotFound("action"))?;
    let after = change.apply(&before)?;
    check_owner(&mut tx, after.owner_id).await?;
    db::update_action(
        &mut tx,
        id,
        &after.title,
        after.owner_id,
        after.due_on,
        after.priority.as_str(),
        after.tracker_url.as_deref(),
        after.status.as_str(),
        after.reason.as_deref(),
        now,
    )
    .await?;
    let summary = |a: &ActionView| {
        json!({ "title": a.title, "owner_id": a.owner_id, "due_on": a.due_on, "priority": a.priority,
                "tracker_url": a.tracker_url, "status": a.status, "reason": a.reason })
    };
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem_action.update", "postmortem_action", id)
            .before(summary(&before))
            .after(summary(&after)),
    )
    .await?;
    let updated = db::action(&mut tx, id).await?.ok_or(Error::NotFound("action"))?;
    tx.commit().await?;
    action_view(updated, today).ok_or(Error::NotFound("action"))
}

/// What the actions list asks for.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub owner: Option<Uuid>,
    pub team: Option<String>,
    pub status: Option<ActionStatus>,
    pub overdue: bool,
}

/// Every action across postmortems, overdue first.
pub async fn action_list(pool: &PgPool, f: &ActionFilter, now: DateTime<Utc>) -> Result<Vec<ActionView>> {
    let today = now.date_naive();
    let rows = db::actions(
        &mut *pool.acquire().await?,
        f.owner,
        f.team.as_deref(),
        f.status.map(|s| s.as_str()),
        f.overdue.then_some(today),
        500,
    )
    .await?;
    let mut views: Vec<ActionView> = rows.into_iter().filter_map(|a| action_view(a, today)).collect();
    // Overdue first, then by due day: the order people act in.
    views.sort_by_key(|a| (!a.overdue, a.status.is_closed(), a.due_on));
    Ok(views)
}
