//! An incident's timeline: reading it, adding notes, pinning entries for the postmortem.
//! Entries are append-only; only their pin changes.

use chrono::{DateTime, Utc};
use domain::incident::{IncidentNumber, NoteInput, Pin, TimelineEntryView, TimelineKind};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::incidents::IncidentChange;
use crate::db::timeline;
use crate::{Error, Result, actor::Actor, db::incidents, markdown};

fn entry(t: timeline::TimelineRow) -> TimelineEntryView {
    let body_html = (t.kind == TimelineKind::Note.as_str()).then(|| markdown::render(&t.body));
    TimelineEntryView {
        id: t.id,
        at: t.at,
        author: t.author,
        kind: t.kind,
        body: t.body,
        body_html,
        pin: t.pin.and_then(|p| p.parse::<Pin>().ok()),
    }
}

pub async fn timeline(pool: &PgPool, number: IncidentNumber) -> Result<Vec<TimelineEntryView>> {
    let mut conn = pool.acquire().await?;
    let id = incidents::id_by_number(&mut conn, number.0).await?.ok_or(Error::NotFound("incident"))?;
    Ok(timeline::timeline(&mut conn, id).await?.into_iter().map(entry).collect())
}

/// Adds a note (Markdown, already checked by `NoteInput::parse`) to the timeline.
pub async fn add_note(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    body: &str,
    now: DateTime<Utc>,
) -> Result<TimelineEntryView> {
    debug_assert!(body.chars().count() <= NoteInput::MAX_CHARS);
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
    let event = change.timeline(actor, TimelineKind::Note, body, json!(null)).await?;
    change.audit(actor, "incident.note", json!(null), json!({ "event": event })).await?;
    let id = change.id();
    incidents::touch(&mut change.tx, id).await?;
    let row = timeline::timeline_entry(&mut change.tx, id, event)
        .await?
        .ok_or(Error::NotFound("timeline entry"))?;
    change.commit("timeline").await?;
    Ok(entry(row))
}

/// Pins an entry as papertrail or follow-up, or unpins it (`None`).
pub async fn set_pin(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    event: i64,
    pin: Option<Pin>,
    now: DateTime<Utc>,
) -> Result<TimelineEntryView> {
    let mut change = IncidentChange::begin_by_number(pool, number, now).await?;
    let id = change.id();
    let before = timeline::timeline_entry(&mut change.tx, id, event)
        .await?
        .ok_or(Error::NotFound("timeline entry"))?;
    timeline::set_pin(&mut change.tx, id, event, pin.map(Pin::as_str)).await?;
    change
        .audit(
            actor,
            "incident.pin",
            json!({ "event": event, "pin": before.pin }),
            json!({ "event": event, "pin": pin }),
        )
        .await?;
    let row = timeline::timeline_entry(&mut change.tx, id, event)
        .await?
        .ok_or(Error::NotFound("timeline entry"))?;
    change.commit("timeline").await?;
    Ok(entry(row))
}

/// An entry by the system (an escalation step, a delivery), announced to live pages, inside the
/// caller's transaction.
pub async fn system_note(
    conn: &mut PgConnection,
    incident: Uuid,
    number: i64,
    kind: TimelineKind,
    body: &str,
    data: Option<serde_json::Value>,
    at: DateTime<Utc>,
) -> Result<()> {
    timeline::append_timeline(conn, incident, &Actor::system(), at, kind.as_str(), body, data).await?;
    super::incidents::announce(conn, IncidentNumber(number), "paging").await
}
