//! The paging engine: starts an escalation for each triggered incident whose service routes to a
//! policy, pages each level when it is due, and hands notifications to their channels.
//!
//! Everything it knows is in Postgres. Due escalations are claimed with `FOR UPDATE SKIP LOCKED`
//! and a step is paged and advanced in one transaction, so with any number of engines each step
//! pages once; a restarted engine finds every pending deadline in the table. Notifications are
//! leased, so a crashed sender's messages go out again. The clock is injected: tests move it.

pub mod channels;

use std::{collections::BTreeMap, sync::Arc, time::Duration as StdDuration};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use domain::{
    UserId,
    escalation::{Policy, Target, working_hours},
    incident::TimelineKind,
    schedule::{LayerId, Scope, Tier},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    auth::jwt::SessionKeys,
    db::{audit::Actor, incidents, paging as db},
    engine::Clock,
};

pub use channels::Channels;

/// How long after a notification to one person further ones are held and sent as one.
pub const BUNDLE_WINDOW: Duration = Duration::seconds(60);
/// Delivery attempts before a notification is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;
const BATCH: i64 = 20;

#[derive(Clone)]
pub struct Engine {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub channels: Channels,
    pub keys: SessionKeys,
    pub base_url: String,
}

/// What one pass did, for tests and logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub started: usize,
    pub steps: usize,
    pub sent: usize,
    pub failed: usize,
}

struct Person {
    id: Uuid,
    name: String,
    zone: Tz,
    role: Option<domain::incident::IncidentRole>,
}

impl Engine {
    /// One pass over everything due now.
    pub async fn tick(&self) -> Result<Pass> {
        let now = self.clock.now();
        let mut pass = Pass::default();
        let mut conn = self.pool.acquire().await?;
        pass.started = db::start_escalations(&mut conn, now).await?.len();
        drop(conn);
        self.announce_handoffs(now).await?;
        loop {
            let n = self.run_steps(now).await?;
            pass.steps += n;
            if n < BATCH as usize {
                break;
            }
        }
        loop {
            let (claimed, sent, failed) = self.deliver(now).await?;
            pass.sent += sent;
            pass.failed += failed;
            if claimed < BATCH as usize {
                break;
            }
        }
        Ok(pass)
    }

    /// Runs until `stop` resolves: a pass at least every second, and at once after any incident
    /// change (a new incident may be waiting for its first page).
    pub async fn run(
        self,
        mut changes: tokio::sync::broadcast::Receiver<crate::live::LiveEvent>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        // An instance starts serving before another may have finished migrating.
        while !crate::db::migrations_applied(&self.pool).await {
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(StdDuration::from_millis(500)) => {}
            }
        }
        let mut hearing = true;
        loop {
            if let Err(e) = self.tick().await {
                tracing::error!(error = ?e, "paging engine pass failed; retrying");
            }
            tokio::select! {
                () = &mut stop => return,
                r = changes.recv(), if hearing => {
                    if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                        hearing = false;
                    }
                }
                () = tokio::time::sleep(StdDuration::from_secs(1)) => {}
            }
        }
    }

    /// Pages the due steps of up to a batch of escalations, each in the claiming transaction.
    async fn run_steps(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let due = db::claim_due(&mut tx, now, BATCH).await?;
        for e in &due {
            if e.status != "triggered" {
                db::advance(&mut tx, e.incident_id, e.next_step, None, Some((now, "no longer triggered")))
                    .await?;
                continue;
            }
            let policy: Policy = serde_json::from_value(e.policy.clone()).map_err(|err| {
                Error::Internal(anyhow::anyhow!("escalation of {} has an unreadable policy: {err}", e.number))
            })?;
            let Some(step) = policy.step(e.next_step.max(0) as u32) else {
                // The last level's wait is over and no one acknowledged.
                db::advance(&mut tx, e.incident_id, e.next_step, None, Some((now, "exhausted"))).await?;
                note(
                    &mut tx,
                    e.incident_id,
                    e.number,
                    TimelineKind::PageEscalated,
                    "Every level of the escalation policy has been paged and no one acknowledged",
                    None,
                )
                .await?;
                continue;
            };
            let level = &policy.levels[step.level];
            let targets: Vec<_> = level.targets.iter().map(|t| (t.target.clone(), t.role)).collect();
            let people = resolve(&mut tx, &targets, now).await?;
            let paged = page_resolved(
                &mut tx,
                e.incident_id,
                step.index as i32,
                Some(step.level as i32),
                &people,
                None,
                &e.urgency,
                now,
            )
            .await?;
            let run = if step.run > 0 { format!(", repeat {}", step.run) } else { String::new() };
            let body = if people.is_empty() {
                format!(
                    "Escalation level {}{run}: no one to page (nobody on call for its targets)",
                    step.level + 1
                )
            } else {
                format!("Escalation level {}{run}: paged {}", step.level + 1, paged.join(", "))
            };
            let data = json!({ "level": step.level + 1, "run": step.run, "step": step.index, "users": people.iter().map(|p| p.id).collect::<Vec<_>>() });
            note(&mut tx, e.incident_id, e.number, TimelineKind::PageEscalated, &body, Some(data)).await?;
            // The next step, or (after the last) the end of the last level's wait.
            let next_at = match policy.step(step.index + 1) {
                Some(next) => e.started_at + next.after,
                None => e.started_at + step.after + Duration::seconds(i64::from(level.delay_secs)),
            };
            db::advance(&mut tx, e.incident_id, step.index as i32 + 1, Some(next_at), None).await?;
        }
        tx.commit().await?;
        Ok(due.len())
    }

    /// Sends up to a batch of due notifications, one message per person and contact method.
    async fn deliver(&self, now: DateTime<Utc>) -> Result<(usize, usize, usize)> {
        let mut conn = self.pool.acquire().await?;
        let claimed = db::claim_notifications(&mut conn, now, now + Duration::seconds(60), BATCH).await?;
        let mut groups: BTreeMap<(Uuid, Uuid), Vec<db::Claimed>> = BTreeMap::new();
        for c in &claimed {
            groups.entry((c.user_id, c.contact_method_id)).or_default().push(c.clone());
        }
        let (mut sent, mut failed) = (0, 0);
        for ((user, method_id), items) in groups {
            let incident_ids: Vec<Uuid> = items.iter().filter_map(|i| i.incident_id).collect();
            let briefs = db::incident_briefs(&mut conn, &incident_ids).await?;
            // A page for an incident someone already acknowledged is not sent.
            let (live, stale): (Vec<&db::Claimed>, Vec<&db::Claimed>) = items.iter().partition(|i| {
                i.kind != "page"
                    || briefs.iter().any(|b| Some(b.id) == i.incident_id && b.status == "triggered")
            });
            if !stale.is_empty() {
                let ids: Vec<i64> = stale.iter().map(|i| i.id).collect();
                db::finish(&mut conn, &ids, "cancelled", Some("the incident was no longer triggered"), now)
                    .await?;
            }
            if live.is_empty() {
                continue;
            }
            let ids: Vec<i64> = live.iter().map(|i| i.id).collect();
            if live.iter().any(|i| i.kind == "page")
                && let Some(last) = db::last_sent(&mut conn, user, method_id, now - BUNDLE_WINDOW).await?
            {
                // Sent to this person within the window: hold these to go out together.
                db::postpone(&mut conn, &ids, last + BUNDLE_WINDOW).await?;
                continue;
            }
            let Some(method) = db::contact_method(&mut conn, method_id).await? else {
                db::finish(&mut conn, &ids, "cancelled", Some("the contact method was removed"), now).await?;
                continue;
            };
            let name = db::active_users(&mut conn, &[user])
                .await?
                .into_iter()
                .next()
                .map(|u| u.1)
                .unwrap_or_default();
            let message = if live.iter().all(|i| i.kind == "test") {
                channels::Message::test(&name)
            } else if let Some(h) = live.iter().find(|i| i.kind == "handoff") {
                channels::Message::handoff(&name, h.note.clone().unwrap_or_default())
            } else {
                let items = briefs
                    .iter()
                    .filter(|b| live.iter().any(|i| i.incident_id == Some(b.id)))
                    .map(|b| channels::Item {
                        number: format!("INC-{}", b.number),
                        title: b.title.clone(),
                        severity: format!("SEV{}", b.severity),
                        status: b.status.clone(),
                        url: format!("{}/incidents/{}", self.base_url.trim_end_matches('/'), b.number),
                        acknowledge_url: self.ack_url(b.id, UserId(user), now),
                    })
                    .collect();
                channels::Message::page(&name, items)
            };
            let first = ids[0];
            let result = self.channels.send(&method, &format!("msg_{first}"), &message, now).await;
            let attempts = live.iter().map(|i| i.attempts).max().unwrap_or(1);
            let how = format!("{} ({})", method.kind, method.label);
            let mut tx = self.pool.begin().await?;
            match &result {
                Ok(()) => {
                    sent += 1;
                    db::finish(&mut tx, &[first], "sent", None, now).await?;
                    db::bundle(&mut tx, &ids[1..], first, now).await?;
                    for b in briefs.iter().filter(|b| live.iter().any(|i| i.incident_id == Some(b.id))) {
                        let body = if live.len() > 1 {
                            format!(
                                "Page delivered to {name} by {how}, bundled with {} other incident(s)",
                                live.len() - 1
                            )
                        } else {
                            format!("Page delivered to {name} by {how}")
                        };
                        note(&mut tx, b.id, b.number, TimelineKind::PageSent, &body, None).await?;
                    }
                }
                Err(error) => {
                    failed += 1;
                    let give_up = attempts >= MAX_ATTEMPTS;
                    if give_up {
                        db::finish(&mut tx, &ids, "failed", Some(error), now).await?;
                    } else {
                        let backoff = Duration::seconds(15 * (1 << attempts.clamp(0, 10)));
                        for id in &ids {
                            db::retry_later(&mut tx, *id, now + backoff, error).await?;
                        }
                    }
                    for b in briefs.iter().filter(|b| live.iter().any(|i| i.incident_id == Some(b.id))) {
                        let then = if give_up {
                            "gave up".to_owned()
                        } else {
                            format!("attempt {attempts}, will retry")
                        };
                        let body = format!("Page to {name} by {how} failed: {error} ({then})");
                        note(&mut tx, b.id, b.number, TimelineKind::PageFailed, &body, None).await?;
                    }
                }
            }
            tx.commit().await?;
        }
        Ok((claimed.len(), sent, failed))
    }

    /// Tells each person whose shift started in the last two minutes (once, whatever the
    /// number of engines): the primary stack of every schedule.
    async fn announce_handoffs(&self, now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let handoffs =
            crate::services::schedules::handoffs_between(&mut conn, now - Duration::minutes(2), now).await?;
        drop(conn);
        for h in handoffs {
            let mut tx = self.pool.begin().await?;
            if !db::record_handoff(
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
            // The outgoing person, if they still hold roles on open incidents, is offered the
            // one action that hands them all over.
            if let Some((outgoing, _)) = &h.outgoing {
                let held = db::open_roles_held(&mut tx, outgoing.0).await?;
                if held > 0 {
                    let incoming = db::active_users(&mut tx, &[h.incoming.0])
                        .await?
                        .into_iter()
                        .next()
                        .map(|u| u.1)
                        .unwrap_or_default();
                    let offer = format!(
                        "Your shift on {} has ended and {incoming} is on call now. You hold {held} role(s) on open incidents: hand them to {incoming} in one action from your dashboard ({}/).",
                        h.schedule_name,
                        self.base_url.trim_end_matches('/')
                    );
                    for m in db::contact_methods(&mut tx, outgoing.0).await? {
                        db::insert_notification(
                            &mut tx,
                            &db::NewNotification {
                                user_id: outgoing.0,
                                contact_method_id: m.id,
                                kind: "handoff",
                                page_id: None,
                                incident_id: None,
                                due_at: now,
                                deferred: false,
                                note: Some(offer.clone()),
                            },
                        )
                        .await?;
                    }
                }
            }
            for m in db::contact_methods(&mut tx, h.incoming.0).await? {
                db::insert_notification(
                    &mut tx,
                    &db::NewNotification {
                        user_id: h.incoming.0,
                        contact_method_id: m.id,
                        kind: "handoff",
                        page_id: None,
                        incident_id: None,
                        due_at: now,
                        deferred: false,
                        note: Some(note.clone()),
                    },
                )
                .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// A one-click acknowledge link for `user` on an incident, valid for a day.
    pub fn ack_url(&self, incident: Uuid, user: UserId, now: DateTime<Utc>) -> String {
        let token = self.keys.action_token("ack", incident, user, now + Duration::days(1));
        format!("{}/ack/{token}", self.base_url.trim_end_matches('/'))
    }
}

/// A paging event on an incident's timeline (by the system), announced to live pages.
async fn note(
    conn: &mut PgConnection,
    incident: Uuid,
    number: i64,
    kind: TimelineKind,
    body: &str,
    data: Option<serde_json::Value>,
) -> Result<()> {
    incidents::append_timeline(conn, incident, &Actor::system(), kind.as_str(), body, data).await?;
    crate::services::incidents::announce(conn, domain::incident::IncidentNumber(number), "paging").await
}

/// The people a level's targets name right now, each once, with the role the level gives them.
async fn resolve(
    conn: &mut PgConnection,
    targets: &[(Target, Option<domain::incident::IncidentRole>)],
    now: DateTime<Utc>,
) -> Result<Vec<Person>> {
    let mut wanted: Vec<(Uuid, Option<domain::incident::IncidentRole>)> = Vec::new();
    for (target, role) in targets {
        let ids: Vec<Uuid> = match target {
            Target::User { id } => vec![*id],
            Target::Schedule { id } => {
                crate::services::schedules::on_call(conn, *id, Scope::Tier(Tier::Primary), now)
                    .await?
                    .into_iter()
                    .collect()
            }
            Target::Layer { schedule_id, layer_id } => {
                crate::services::schedules::on_call(conn, *schedule_id, Scope::Layer(LayerId(*layer_id)), now)
                    .await?
                    .into_iter()
                    .collect()
            }
            Target::TeamLeads { id } => db::team_leads(conn, *id).await?,
        };
        for id in ids {
            if !wanted.iter().any(|(w, _)| *w == id) {
                wanted.push((id, *role));
            }
        }
    }
    let ids: Vec<Uuid> = wanted.iter().map(|(id, _)| *id).collect();
    let users = db::active_users(conn, &ids).await?;
    Ok(wanted
        .into_iter()
        .filter_map(|(id, role)| {
            users.iter().find(|u| u.0 == id).map(|u| Person {
                id,
                name: u.1.clone(),
                zone: u.2.parse().unwrap_or(chrono_tz::UTC),
                role,
            })
        })
        .collect())
}

/// Pages `people` for one step (at most once each), queueing their notifications; returns how
/// each was paged, in words.
#[allow(clippy::too_many_arguments)]
async fn page_resolved(
    conn: &mut PgConnection,
    incident: Uuid,
    step: i32,
    level: Option<i32>,
    people: &[Person],
    paged_by: Option<Uuid>,
    urgency: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut paged = Vec::new();
    for p in people {
        let role = p.role.map(|r| r.as_str());
        let new = db::NewPage { incident, step, level, user: p.id, role, paged_by, at: now };
        if let Some(page) = db::insert_page(conn, &new).await? {
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
    let step = db::next_manual_step(conn, incident).await?;
    page_resolved(conn, incident, step, None, &people, paged_by, "high", now).await
}

/// Queues the notifications of one page by the person's rules (each contact method at once
/// when they have none); low urgency waits for their working hours. Returns how many.
async fn plan(
    conn: &mut PgConnection,
    p: &Person,
    page: i64,
    incident: Uuid,
    urgency: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    let methods = db::contact_methods(conn, p.id).await?;
    let rules = db::rules(conn, p.id).await?;
    let plan: Vec<(Uuid, i64)> = if rules.is_empty() {
        methods.iter().map(|m| (m.id, 0)).collect()
    } else {
        rules.iter().map(|r| (r.contact_method_id, i64::from(r.delay_secs))).collect()
    };
    let open = if urgency == "low" { working_hours(p.zone, now) } else { now };
    for (method, delay) in &plan {
        let due = open + Duration::seconds(*delay);
        db::insert_notification(
            conn,
            &db::NewNotification {
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
