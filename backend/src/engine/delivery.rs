//! The delivery job: sends due notifications, one message per person and contact method.
//!
//! Notifications are leased (a crashed sender's messages go out again when the lease runs out),
//! retried with backoff, dropped when the incident is no longer triggered, and bundled: further
//! pages to one person within [`BUNDLE_WINDOW`] of the last go out together.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use domain::{
    UserId,
    incident::{IncidentStatus, TimelineKind},
    notification::NotificationKind,
};
use uuid::Uuid;

use super::Engine;
use crate::db::{contact_methods, users};
use crate::db::{incidents, notifications};
use crate::{
    Result,
    notify::{Destination, Item, Message},
    services::timeline,
};

/// How long after a notification to one person further ones are held and sent as one.
pub const BUNDLE_WINDOW: Duration = Duration::seconds(60);
/// Delivery attempts before a notification is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;
/// Notifications claimed per pass.
const BATCH: i64 = 20;

/// Sends everything due; returns (sent, failed).
pub async fn run(engine: &Engine, now: DateTime<Utc>) -> Result<(usize, usize)> {
    let (mut sent, mut failed) = (0, 0);
    loop {
        let (claimed, s, f) = deliver(engine, now).await?;
        sent += s;
        failed += f;
        if claimed < BATCH as usize {
            return Ok((sent, failed));
        }
    }
}

/// Sends up to a batch of due notifications; returns (claimed, sent, failed).
async fn deliver(engine: &Engine, now: DateTime<Utc>) -> Result<(usize, usize, usize)> {
    let mut conn = engine.pool.acquire().await?;
    let claimed =
        notifications::claim_notifications(&mut conn, now, now + Duration::seconds(60), BATCH).await?;
    let mut groups: BTreeMap<(Uuid, Uuid), Vec<notifications::Claimed>> = BTreeMap::new();
    for c in &claimed {
        groups.entry((c.user_id, c.contact_method_id)).or_default().push(c.clone());
    }
    let (mut sent, mut failed) = (0, 0);
    for ((user, method_id), items) in groups {
        let incident_ids: Vec<Uuid> = items.iter().filter_map(|i| i.incident_id).collect();
        let briefs = incidents::incident_briefs(&mut conn, &incident_ids).await?;
        // A page for an incident someone already acknowledged is not sent.
        let (live, stale): (Vec<&notifications::Claimed>, Vec<&notifications::Claimed>) =
            items.iter().partition(|i| {
                i.kind != NotificationKind::Page
                    || briefs
                        .iter()
                        .any(|b| Some(b.id) == i.incident_id && b.status == IncidentStatus::Triggered)
            });
        if !stale.is_empty() {
            let ids: Vec<i64> = stale.iter().map(|i| i.id).collect();
            notifications::finish(
                &mut conn,
                &ids,
                "cancelled",
                Some("the incident was no longer triggered"),
                now,
            )
            .await?;
        }
        if live.is_empty() {
            continue;
        }
        let ids: Vec<i64> = live.iter().map(|i| i.id).collect();
        if live.iter().any(|i| i.kind == NotificationKind::Page)
            && let Some(last) =
                notifications::last_sent(&mut conn, user, method_id, now - BUNDLE_WINDOW).await?
        {
            // Sent to this person within the window: hold these to go out together.
            notifications::postpone(&mut conn, &ids, last + BUNDLE_WINDOW).await?;
            continue;
        }
        let Some(method) = contact_methods::contact_method(&mut conn, method_id).await? else {
            notifications::finish(&mut conn, &ids, "cancelled", Some("the contact method was removed"), now)
                .await?;
            continue;
        };
        let name = users::active_users(&mut conn, &[user])
            .await?
            .into_iter()
            .next()
            .map(|u| u.1)
            .unwrap_or_default();
        let message = if live.iter().all(|i| i.kind == NotificationKind::Test) {
            Message::test(&name)
        } else if let Some(h) = live.iter().find(|i| i.kind == NotificationKind::Handoff) {
            Message::handoff(&name, h.note.clone().unwrap_or_default())
        } else {
            let items = briefs
                .iter()
                .filter(|b| live.iter().any(|i| i.incident_id == Some(b.id)))
                .map(|b| Item {
                    number: format!("INC-{}", b.number),
                    title: b.title.clone(),
                    severity: b.severity.to_string(),
                    status: b.status.to_string(),
                    url: format!("{}/incidents/{}", engine.base_url.trim_end_matches('/'), b.number),
                    acknowledge_url: engine.ack_url(b.id, UserId(user), now),
                })
                .collect();
            Message::page(&name, items)
        };
        let first = ids[0];
        let to =
            Destination { kind: method.kind, address: &method.address, secret: method.secret.as_deref() };
        let result = engine.channels.send(to, &format!("msg_{first}"), &message, now).await;
        let attempts = live.iter().map(|i| i.attempts).max().unwrap_or(1);
        let how = format!("{} ({})", method.kind.as_str(), method.label);
        let mut tx = engine.pool.begin().await?;
        let paged = briefs.iter().filter(|b| live.iter().any(|i| i.incident_id == Some(b.id)));
        match &result {
            Ok(()) => {
                sent += 1;
                notifications::finish(&mut tx, &[first], "sent", None, now).await?;
                notifications::bundle(&mut tx, &ids[1..], first, now).await?;
                for b in paged {
                    let body = if live.len() > 1 {
                        format!(
                            "Page delivered to {name} by {how}, bundled with {} other incident(s)",
                            live.len() - 1
                        )
                    } else {
                        format!("Page delivered to {name} by {how}")
                    };
                    timeline::system_note(&mut tx, b.id, b.number, TimelineKind::PageSent, &body, None)
                        .await?;
                }
            }
            Err(error) => {
                failed += 1;
                let give_up = attempts >= MAX_ATTEMPTS;
                if give_up {
                    notifications::finish(&mut tx, &ids, "failed", Some(error), now).await?;
                } else {
                    let backoff = Duration::seconds(15 * (1 << attempts.clamp(0, 10)));
                    for id in &ids {
                        notifications::retry_later(&mut tx, *id, now + backoff, error).await?;
                    }
                }
                for b in paged {
                    let then = if give_up {
                        "gave up".to_owned()
                    } else {
                        format!("attempt {attempts}, will retry")
                    };
                    let body = format!("Page to {name} by {how} failed: {error} ({then})");
                    timeline::system_note(&mut tx, b.id, b.number, TimelineKind::PageFailed, &body, None)
                        .await?;
                }
            }
        }
        tx.commit().await?;
    }
    Ok((claimed.len(), sent, failed))
}
