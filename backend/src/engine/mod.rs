//! The engine: everything that happens because time passed or an event arrived, not because a
//! person asked. Six jobs, each claiming its work from Postgres, so any number of instances may
//! run the engine against one database:
//!
//! | job          | every | woken by                         | coordination between instances        |
//! |--------------|-------|----------------------------------|---------------------------------------|
//! | `alerts`     | 1 s   | this instance's stored events    | one at a time (advisory lock)         |
//! | `escalation` | 1 s   | incident changes (NOTIFY)        | due escalations `FOR UPDATE SKIP LOCKED` |
//! | `delivery`   | 1 s   | steps that queued notifications  | leased notifications                  |
//! | `handoffs`   | 15 s  | –                                | one row per (schedule, handoff)       |
//! | `maintenance`| 5 s   | –                                | due maintenances `FOR UPDATE SKIP LOCKED` |
//! | `cleanup`    | 1 h   | –                                | idempotent deletes                    |
//!
//! Each job runs in its own task, so a slow delivery never holds up an escalation step or an
//! alert, and delivery sends each message in a task of its own (see `delivery`). Every job reads the time from the injected clock; tests move a `ManualClock` and call
//! [`Engine::tick`], which runs each job once.
//!
//! The engine calls services (the incident lifecycle, paging) and the database; nothing below it
//! calls the engine.

pub mod alerts;
pub mod cleanup;
pub mod clock;
pub mod delivery;
pub mod escalation;
pub mod handoffs;
pub mod maintenance;
pub mod subscribers;

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Duration as TimeDelta, Utc};
use domain::UserId;
use sqlx::PgPool;
use tokio::sync::Notify;
use uuid::Uuid;

pub use clock::{Clock, ManualClock, SystemClock};

use crate::{Result, auth::jwt::SessionKeys, db, live::Live, notify::Channels};

/// What the engine needs: the database, the clock, the channels pages go out on, the keys that
/// sign acknowledge links, and the public URL those links point at.
#[derive(Clone)]
pub struct Engine {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub channels: Channels,
    pub keys: SessionKeys,
    pub base_url: String,
    /// Set by a step that queued notifications, so delivery starts at once.
    deliveries_due: Arc<Notify>,
    /// The messages this instance is sending.
    in_flight: Arc<delivery::InFlight>,
}

/// What one pass did, for tests and logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub events: usize,
    pub started: usize,
    pub steps: usize,
    pub sent: usize,
    pub failed: usize,
}

/// Where the engine hears that work may be waiting before its timers say so.
pub struct Wake {
    /// Notified after this instance stored alert events.
    pub events_stored: Arc<Notify>,
    /// Incident changes from every instance.
    pub live: Live,
}

/// The engine's jobs (see the table above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Alerts,
    Escalation,
    Delivery,
    Handoffs,
    Maintenance,
    Postmortems,
    Analytics,
    Cleanup,
}

impl Job {
    /// In the order `tick` runs them: what queues notifications before the delivery that sends them.
    pub const ALL: [Job; 8] = [
        Job::Alerts,
        Job::Handoffs,
        Job::Maintenance,
        Job::Postmortems,
        Job::Analytics,
        Job::Escalation,
        Job::Delivery,
        Job::Cleanup,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::Alerts => "alerts",
            Job::Escalation => "escalation",
            Job::Delivery => "delivery",
            Job::Handoffs => "handoffs",
            Job::Maintenance => "maintenance",
            Job::Postmortems => "postmortems",
            Job::Analytics => "analytics",
            Job::Cleanup => "cleanup",
        }
    }

    fn every(self) -> Duration {
        match self {
            Job::Alerts | Job::Escalation | Job::Delivery => Duration::from_secs(1),
            Job::Handoffs => Duration::from_secs(15),
            Job::Maintenance => Duration::from_secs(5),
            Job::Postmortems => Duration::from_secs(60),
            // Reports catch up themselves; this keeps the catch-up short.
            Job::Analytics => Duration::from_secs(30),
            Job::Cleanup => Duration::from_secs(3600),
        }
    }
}

impl Engine {
    pub fn new(
        pool: PgPool,
        clock: Arc<dyn Clock>,
        channels: Channels,
        keys: SessionKeys,
        base_url: String,
    ) -> Engine {
        Engine {
            pool,
            clock,
            channels,
            keys,
            base_url,
            deliveries_due: Arc::default(),
            in_flight: Arc::new(delivery::InFlight::new()),
        }
    }

    /// A one-click acknowledge link for `user` on an incident, valid for a day.
    pub fn ack_url(&self, incident: Uuid, user: UserId, now: DateTime<Utc>) -> String {
        let token = self.keys.action_token("ack", incident, user, now + TimeDelta::days(1));
        format!("{}/ack/{token}", self.base_url.trim_end_matches('/'))
    }

    /// Every job once, in order, at the clock's time, waiting for the messages it sends.
    pub async fn tick(&self) -> Result<Pass> {
        let mut pass = Pass::default();
        for job in Job::ALL {
            self.run_job(job, &mut pass, delivery::Wait::ForMessages).await?;
        }
        Ok(pass)
    }

    async fn run_job(&self, job: Job, pass: &mut Pass, wait: delivery::Wait) -> Result<()> {
        let now = self.clock.now();
        match job {
            Job::Alerts => pass.events += alerts::drain(&self.pool, now).await?,
            Job::Escalation => {
                let (started, steps) = escalation::run(self, now).await?;
                pass.started += started;
                pass.steps += steps;
                if steps > 0 {
                    self.deliveries_due.notify_one();
                }
            }
            Job::Delivery => {
                let (sent, failed) = delivery::run(self, now, wait).await?;
                let (told, not_told) = subscribers::run(self, now).await?;
                pass.sent += sent + told;
                pass.failed += failed + not_told;
            }
            Job::Handoffs => handoffs::run(self, now).await?,
            Job::Maintenance => maintenance::run(&self.pool, &self.base_url, now).await?,
            Job::Postmortems => {
                let c = crate::services::postmortems::chase(&self.pool, now).await?;
                if c != crate::services::postmortems::Chased::default() {
                    tracing::info!(
                        due_soon = c.due_soon,
                        overdue = c.overdue,
                        escalated = c.escalated,
                        "postmortems chased"
                    );
                }
            }
            Job::Analytics => {
                crate::services::analytics::catch_up(&self.pool).await?;
            }
            Job::Cleanup => cleanup::run(&self.pool, now).await?,
        }
        Ok(())
    }

    /// Runs `jobs`, each on its own timer, until `stop` resolves. Waits while migrations are pending
    /// (another instance may be applying them), and does not run at all against a database whose
    /// schema is newer than this binary: an old engine must not act on a schema it does not know.
    pub async fn run(self, jobs: Vec<Job>, wake: Wake, stop: impl Future<Output = ()> + Send + 'static) {
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let until_stopped = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        };
        let guard = {
            let until = until_stopped();
            let pool = self.pool.clone();
            async move {
                tokio::select! {
                    () = until => false,
                    ok = schema_known(&pool) => ok,
                }
            }
        };
        let runner = tokio::spawn({
            let until_stopped = until_stopped.clone();
            async move {
                if !guard.await {
                    return;
                }
                let mut tasks = Vec::new();
                for job in jobs {
                    let engine = self.clone();
                    let waker = match job {
                        Job::Alerts => Waker { notify: Some(wake.events_stored.clone()), live: None },
                        Job::Escalation => Waker { notify: None, live: Some(wake.live.subscribe()) },
                        // Steps on this instance say so at once; pages queued elsewhere (by hand,
                        // a test page) announce an incident change.
                        Job::Delivery => Waker {
                            notify: Some(self.deliveries_due.clone()),
                            live: Some(wake.live.subscribe()),
                        },
                        Job::Handoffs
                        | Job::Maintenance
                        | Job::Postmortems
                        | Job::Analytics
                        | Job::Cleanup => Waker { notify: None, live: None },
                    };
                    tasks.push(tokio::spawn(engine.keep_running(job, waker, until_stopped())));
                }
                for t in tasks {
                    let _ = t.await;
                }
            }
        });
        stop.await;
        let _ = stopping.send(true);
        let _ = runner.await;
    }

    async fn keep_running(self, job: Job, mut waker: Waker, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let mut pass = Pass::default();
            if let Err(e) = self.run_job(job, &mut pass, delivery::Wait::No).await {
                tracing::error!(job = job.name(), error = ?e, "engine job failed; it runs again shortly");
            }
            tokio::select! {
                () = &mut stop => return,
                () = waker.woken() => {}
                () = tokio::time::sleep(job.every()) => {}
            }
        }
    }
}

/// What wakes a job before its timer: a local signal, incident changes from every instance, both
/// or neither.
struct Waker {
    notify: Option<Arc<Notify>>,
    live: Option<tokio::sync::broadcast::Receiver<crate::live::LiveEvent>>,
}

impl Waker {
    async fn woken(&mut self) {
        let notified = async {
            match &self.notify {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        };
        let heard = async {
            match &mut self.live {
                Some(rx) => rx
                    .recv()
                    .await
                    .is_err_and(|e| matches!(e, tokio::sync::broadcast::error::RecvError::Closed)),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = notified => {}
            closed = heard => {
                // A closed hub (the server is stopping) wakes nothing more; the timer goes on.
                if closed {
                    self.live = None;
                }
            }
        }
    }
}

/// Waits until every migration this binary knows is applied; false when the database has
/// migrations this binary does not know (a newer version migrated it).
async fn schema_known(pool: &PgPool) -> bool {
    loop {
        match db::schema_state(pool).await {
            db::SchemaState::Current => return true,
            db::SchemaState::Newer { applied, known } => {
                tracing::error!(
                    applied,
                    known,
                    "the database has migrations newer than this binary; the engine will not run here (upgrade this instance)"
                );
                return false;
            }
            db::SchemaState::Behind | db::SchemaState::Unreachable => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
