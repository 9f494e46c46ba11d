//! The handoff job: tells each person whose primary shift started in the last two minutes that
//! they are on call (once, whatever the number of engines: the handoff is recorded with a primary
//! key), and offers the outgoing person, if they still hold roles on open incidents, the one
//! action that hands them all over.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::Engine;
use crate::db::contact_methods;
use crate::db::{notifications, users};
use crate::{Result, services::schedules};

pub async fn run(engine: &Engine, now: DateTime<Utc>) -> Result<()> {
    let mut conn = engine.pool.acquire().await?;
    let handoffs = schedules::handoffs_between(&mut conn, now - Duration::minutes(2), now).await?;
    drop(conn);
    for h in handoffs {
        let mut tx = engine.pool.begin().await?;
        if !crate::db::schedules::record_handoff(
            &mut tx,
            h.schedule_id,
            h.at,
            h.outgoing.as_ref().map(|o| o.0.0),
            h.incoming.0,
        )
        .await?
        {
            continue;
        }
        let from = match &h.outgoing {
            Some((_, name)) => format!(", taking over from {name}"),
            None => String::new(),
        };
        let note = format!(
            "You are on call for {} (primary) from {}{from}. Open incidents your predecessor holds roles on can be handed to you from their dashboard.",
            h.schedule_name,
            h.at.format("%Y-%m-%d %H:%M UTC")
        );
        if let Some((outgoing, _)) = &h.outgoing {
            let held = crate::db::schedules::open_roles_held(&mut tx, outgoing.0).await?;
            if held > 0 {
                let incoming = users::active_users(&mut tx, &[h.incoming.0])
                    .await?
                    .into_iter()
                    .next()
                    .map(|u| u.1)
                    .unwrap_or_default();
                let offer = format!(
                    "Your shift on {} has ended and {incoming} is on call now. You hold {held} role(s) on open incidents: hand them to {incoming} in one action from your dashboard ({}/).",
                    h.schedule_name,
                    engine.base_url.trim_end_matches('/')
                );
                tell(&mut tx, outgoing.0, &offer, now).await?;
            }
        }
        tell(&mut tx, h.incoming.0, &note, now).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Queues a handoff notice on each of the person's contact methods.
async fn tell(conn: &mut sqlx::PgConnection, user: Uuid, note: &str, now: DateTime<Utc>) -> Result<()> {
    for m in contact_methods::contact_methods(conn, user).await? {
        notifications::insert_notification(
            conn,
            &notifications::NewNotification {
                user_id: user,
                contact_method_id: m.id,
                kind: "handoff",
                page_id: None,
                incident_id: None,
                due_at: now,
                deferred: false,
                note: Some(note.to_owned()),
            },
        )
        .await?;
    }
    Ok(())
}
