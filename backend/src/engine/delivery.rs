//! The delivery job: sends due notifications, one message per person and contact method.
//!
//! Notifications are leased (a crashed sender's messages go out again when the lease runs out),
//! retried with backoff, dropped when the incident is no longer triggered, and bundled: further
//! pages to one person within [`BUNDLE_WINDOW`] of the last go out together.
//!
//! Messages go out concurrently, at most [`MAX_IN_FLIGHT`] at once on an instance and
//! [`MAX_PER_HOST`] to one host, each attempt bounded by [`notify::TIMEOUT`]: a dead endpoint
//! holds only its own messages, never the pass that claims the next ones. A message whose host
//! is busy goes back to the queue for a moment instead of waiting in memory, so what is claimed
//! is always being sent, and the lease ([`LEASE`]) outlives the longest attempt: no other
//! instance claims a message this one may still be sending.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Duration, Utc};
use domain::{
    UserId,
    incident::{IncidentStatus, TimelineKind},
    notification::{ContactKind, NotificationKind},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use super::Engine;
use crate::db::{contact_methods, users};
use crate::db::{incidents, notifications};
use crate::{
    Result, notify,
    notify::{Destination, Item, Message},
    services::timeline,
};

/// How long after a notification to one person further ones are held and sent as one.
pub const BUNDLE_WINDOW: Duration = Duration::seconds(60);
/// Delivery attempts before a notification is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;
/// Messages being sent at once by one instance.
pub const MAX_IN_FLIGHT: usize = 64;
/// Messages being sent at once to one host (`host:port`).
pub const MAX_PER_HOST: usize = 4;
/// How long a claimed notification is this instance's: an attempt (bounded by the channel's
/// timeout, and cut off just after it) and its recording fit well inside.
pub const LEASE: Duration = Duration::seconds(60);
/// An attempt is abandoned this long after it started, whatever the channel does.
const ATTEMPT_LIMIT: std::time::Duration = std::time::Duration::from_secs(notify::TIMEOUT.as_secs() + 5);
const _: () = assert!(ATTEMPT_LIMIT.as_secs() * 2 < LEASE.num_seconds() as u64);
/// How soon a message whose host (or whose person and method) is busy is tried again.
const BUSY_RETRY: Duration = Duration::seconds(1);
/// Notifications claimed per query.
const BATCH: usize = 20;

/// What an instance is sending right now; local by nature (permits for its own sockets), so
/// nothing here needs sharing between instances: the leases in Postgres do that.
pub struct InFlight {
    overall: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// (person, contact method) pairs with a message on its way, so a later page to the same
    /// pair waits and bundles instead of racing it.
    pairs: Arc<Mutex<HashSet<(Uuid, Uuid)>>>,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight::new()
    }
}

impl InFlight {
    pub fn new() -> InFlight {
        InFlight {
            overall: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            hosts: Mutex::default(),
            pairs: Arc::default(),
        }
    }

    /// Room for one more message to `host` for `pair`, or None when either is busy.
    fn admit(&self, host: &str, pair: (Uuid, Uuid)) -> Option<Ticket> {
        let host_limit = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            // Hosts nobody is sending to are forgotten, so the map stays as small as the traffic.
            hosts.retain(|_, s| s.available_permits() < MAX_PER_HOST);
            hosts.entry(host.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(MAX_PER_HOST))).clone()
        };
        let host = host_limit.try_acquire_owned().ok()?;
        let overall = self.overall.clone().try_acquire_owned().ok()?;
        if !self.pairs.lock().unwrap_or_else(|e| e.into_inner()).insert(pair) {
            return None;
        }
        Some(Ticket { _permits: (overall, host), pair, pairs: self.pairs.clone() })
    }

    fn room(&self) -> usize {
        self.overall.available_permits()
    }
}

/// A message's place in flight, given back when dropped.
struct Ticket {
    _permits: (OwnedSemaphorePermit, OwnedSemaphorePermit),
    pair: (Uuid, Uuid),
    pairs: Arc<Mutex<HashSet<(Uuid, Uuid)>>>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.pairs.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.pair);
    }
}

/// One message ready to go: what to send, where, and what it stands for.
struct Outgoing {
    ids: Vec<i64>,
    kind: ContactKind,
    address: String,
    secret: Option<String>,
    message: Message,
    attempts: i32,
    /// How it went, for the timeline: "webhook (pager)".
    how: String,
    name: String,
    /// The incidents it pages about: (id, number).
    paged: Vec<(Uuid, i64)>,
}

/// Whether a pass waits for the messages it started (a test's tick, which then reports what
/// they did) or leaves them going (the engine's own timer, so the next pass starts at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    ForMessages,
    No,
}

/// Starts sending everything due; returns (sent, failed) of the messages it waited for.
pub async fn run(engine: &Engine, now: DateTime<Utc>, wait: Wait) -> Result<(usize, usize)> {
    let mut started = Vec::new();
    loop {
        let room = engine.in_flight.room().min(BATCH);
        if room == 0 {
            break;
        }
        let claimed = dispatch(engine, now, room, &mut started).await?;
        if claimed < room {
            break;
        }
    }
    let (mut sent, mut failed) = (0, 0);
    if wait == Wait::ForMessages {
        for task in started {
            match task.await {
                Ok(true) => sent += 1,
                Ok(false) => failed += 1,
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
    }
    Ok((sent, failed))
}

/// Claims up to `limit` due notifications and starts a message for each person and method;
/// returns how many it claimed.
async fn dispatch(
    engine: &Engine,
    now: DateTime<Utc>,
    limit: usize,
    started: &mut Vec<tokio::task::JoinHandle<bool>>,
) -> Result<usize> {
    let mut conn = engine.pool.acquire().await?;
    let claimed = notifications::claim_notifications(&mut conn, now, now + LEASE, limit as i64).await?;
    let mut groups: BTreeMap<(Uuid, Uuid), Vec<notifications::Claimed>> = BTreeMap::new();
    for c in &claimed {
        groups.entry((c.user_id, c.contact_method_id)).or_default().push(c.clone());
    }
    for ((user, method_id), items) in groups {
        let Some(out) = prepare(engine, &mut conn, user, method_id, &items, now).await? else {
            continue;
        };
        let host = match out.kind {
            ContactKind::Email => "smtp".to_owned(),
            ContactKind::Webhook | ContactKind::Slack => notify::host_of(&out.address),
        };
        let Some(ticket) = engine.in_flight.admit(&host, (user, method_id)) else {
            notifications::postpone(&mut conn, &out.ids, now + BUSY_RETRY).await?;
            continue;
        };
        let engine = engine.clone();
        started.push(tokio::spawn(async move {
            let _ticket = ticket;
            let ok = send(&engine, out, now).await;
            ok.unwrap_or_else(|e| {
                // The lease runs out and the message goes again.
                tracing::error!(error = ?e, "recording a delivery failed");
                false
            })
        }));
    }
    Ok(claimed.len())
}

/// Decides what one person gets on one method: nothing (stale pages are cancelled, pages
/// within the bundling window held), or one message for everything claimed.
async fn prepare(
    engine: &Engine,
    conn: &mut sqlx::PgConnection,
    user: Uuid,
    method_id: Uuid,
    items: &[notifications::Claimed],
    now: DateTime<Utc>,
) -> Result<Option<Outgoing>> {
    let incident_ids: Vec<Uuid> = items.iter().filter_map(|i| i.incident_id).collect();
    let briefs = incidents::incident_briefs(&mut *conn, &incident_ids).await?;
    // A page for an incident someone already acknowledged is not sent.
    let (live, stale): (Vec<&notifications::Claimed>, Vec<&notifications::Claimed>) =
        items.iter().partition(|i| {
            i.kind != NotificationKind::Page
                || briefs.iter().any(|b| Some(b.id) == i.incident_id && b.status == IncidentStatus::Triggered)
        });
    if !stale.is_empty() {
        let ids: Vec<i64> = stale.iter().map(|i| i.id).collect();
        notifications::finish(
            &mut *conn,
            &ids,
            "cancelled",
            Some("the incident was no longer triggered"),
            now,
        )
        .await?;
    }
    if live.is_empty() {
        return Ok(None);
    }
    // One message carries one kind of news, pages first: anything else claimed with them (a test,
    // a handoff, a postmortem notice) waits a moment for a message of its own.
    let first = if live.iter().any(|i| i.kind == NotificationKind::Page) {
        NotificationKind::Page
    } else {
        live[0].kind
    };
    let later: Vec<i64> = live.iter().filter(|i| i.kind != first).map(|i| i.id).collect();
    if !later.is_empty() {
        notifications::postpone(&mut *conn, &later, now + chrono::Duration::seconds(5)).await?;
    }
    let live: Vec<&notifications::Claimed> = live.into_iter().filter(|i| i.kind == first).collect();
    let ids: Vec<i64> = live.iter().map(|i| i.id).collect();
    if live.iter().any(|i| i.kind == NotificationKind::Page)
        && let Some(last) = notifications::last_sent(&mut *conn, user, method_id, now - BUNDLE_WINDOW).await?
    {
        // Sent to this person within the window: hold these to go out together.
        notifications::postpone(&mut *conn, &ids, last + BUNDLE_WINDOW).await?;
        return Ok(None);
    }
    let Some(method) = contact_methods::contact_method(&mut *conn, method_id).await? else {
        notifications::finish(&mut *conn, &ids, "cancelled", Some("the contact method was removed"), now)
            .await?;
        return Ok(None);
    };
    let name =
        users::active_users(&mut *conn, &[user]).await?.into_iter().next().map(|u| u.1).unwrap_or_default();
    let paged: Vec<&incidents::IncidentBrief> =
        briefs.iter().filter(|b| live.iter().any(|i| i.incident_id == Some(b.id))).collect();
    let message = if live.iter().all(|i| i.kind == NotificationKind::Test) {
        Message::test(&name)
    } else if let Some(h) = live.iter().find(|i| i.kind == NotificationKind::Handoff) {
        Message::handoff(&name, h.note.clone().unwrap_or_default())
    } else if let Some(p) = live.iter().find(|i| i.kind == NotificationKind::Postmortem) {
        Message::postmortem(&name, p.note.clone().unwrap_or_default())
    } else {
        let items = paged
            .iter()
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
    Ok(Some(Outgoing {
        ids,
        kind: method.kind,
        how: format!("{} ({})", method.kind.as_str(), method.label),
        address: method.address,
        secret: method.secret,
        message,
        attempts: live.iter().map(|i| i.attempts).max().unwrap_or(1),
        name,
        paged: paged.iter().map(|b| (b.id, b.number)).collect(),
    }))
}

/// Sends one message and records how it went; true when it went out.
async fn send(engine: &Engine, out: Outgoing, now: DateTime<Utc>) -> Result<bool> {
    let first = out.ids[0];
    let to = Destination { kind: out.kind, address: &out.address, secret: out.secret.as_deref() };
    let result = match tokio::time::timeout(
        ATTEMPT_LIMIT,
        engine.channels.send(to, &format!("msg_{first}"), &out.message, now),
    )
    .await
    {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {} s", ATTEMPT_LIMIT.as_secs())),
    };
    let (name, how, ids) = (&out.name, &out.how, &out.ids);
    let finished = engine.clock.now();
    let mut tx = engine.pool.begin().await?;
    match &result {
        Ok(()) => {
            notifications::finish(&mut tx, &[first], "sent", None, finished).await?;
            notifications::bundle(&mut tx, &ids[1..], first, finished).await?;
            for (id, number) in &out.paged {
                let body = if ids.len() > 1 {
                    format!(
                        "Page delivered to {name} by {how}, bundled with {} other incident(s)",
                        ids.len() - 1
                    )
                } else {
                    format!("Page delivered to {name} by {how}")
                };
                timeline::system_note(&mut tx, *id, *number, TimelineKind::PageSent, &body, None, now)
                    .await?;
            }
        }
        Err(error) => {
            let give_up = out.attempts >= MAX_ATTEMPTS;
            if give_up {
                notifications::finish(&mut tx, ids, "failed", Some(error), finished).await?;
            } else {
                let backoff = Duration::seconds(15 * (1 << out.attempts.clamp(0, 10)));
                for id in ids {
                    notifications::retry_later(&mut tx, *id, now + backoff, error).await?;
                }
            }
            for (id, number) in &out.paged {
                let then = if give_up {
                    "gave up".to_owned()
                } else {
                    format!("attempt {}, will retry", out.attempts)
                };
                let body = format!("Page to {name} by {how} failed: {error} ({then})");
                timeline::system_note(&mut tx, *id, *number, TimelineKind::PageFailed, &body, None, now)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(result.is_ok())
}
