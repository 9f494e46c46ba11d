//! Live updates across every server instance. Each change to an incident sends a Postgres
//! NOTIFY in its own transaction (`db::incidents::notify_change`); each instance keeps one
//! LISTEN connection and fans what it hears out to its open pages (Server-Sent Events). An
//! instance never tells its own pages directly, so a change made on another instance reaches
//! them the same way. Changes to someone's credentials (logout, a new password, being disabled,
//! a revoked token) travel the same way, so their open streams end on every instance.

use std::time::Duration;

use domain::{UserId, incident::IncidentChange};
use sqlx::{PgPool, postgres::PgListener};
use tokio::sync::{broadcast, watch};

use crate::db::status_page::CHANGES_CHANNEL as STATUS_CHANNEL;
use crate::db::{incidents, sessions};
use incidents::CHANGES_CHANNEL;
use sessions::ENDED_CHANNEL;

/// What a page is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    Incident(IncidentChange),
    /// Something about this user's sessions or tokens changed: streams of theirs check whether
    /// the credential they were opened with still stands.
    CredentialsChanged(UserId),
    /// Something on the public status page changed: snapshots are rebuilt.
    StatusPage,
    /// Changes may have been missed (the LISTEN connection dropped, or this page fell behind):
    /// reload what is shown.
    Resync,
}

/// One per server process; cheap to clone.
#[derive(Clone, Debug)]
pub struct Live {
    events: broadcast::Sender<LiveEvent>,
    closing: watch::Sender<bool>,
}

impl Live {
    /// A hub that hears nothing until `listen` runs: for tools and tests that do not serve pages.
    pub fn idle() -> Live {
        let (events, _) = broadcast::channel(1024);
        let (closing, _) = watch::channel(false);
        Live { events, closing }
    }

    /// Starts listening on `pool`'s database in the background, reconnecting after failures.
    pub fn start(pool: PgPool) -> Live {
        let live = Live::idle();
        tokio::spawn(live.clone().listen(pool));
        live
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    /// Resolves once the server is shutting down, so open event streams end and graceful
    /// shutdown is not held up by them.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    async fn listen(self, pool: PgPool) {
        let mut backoff = Duration::from_millis(250);
        let mut closed = Box::pin(self.closed());
        loop {
            let session = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.listen_all([CHANGES_CHANNEL, ENDED_CHANNEL, STATUS_CHANNEL]).await?;
                tracing::debug!("listening for incident changes");
                // Whatever happened while we were not listening is unknown: pages reload.
                let _ = self.events.send(LiveEvent::Resync);
                while let Some(n) = listener.try_recv().await? {
                    if n.channel() == STATUS_CHANNEL {
                        let _ = self.events.send(LiveEvent::StatusPage);
                        continue;
                    }
                    if n.channel() == ENDED_CHANNEL {
                        match n.payload().parse() {
                            Ok(user) => {
                                let _ = self.events.send(LiveEvent::CredentialsChanged(UserId(user)));
                            }
                            Err(_) => {
                                tracing::warn!(payload = n.payload(), "unreadable session notification")
                            }
                        }
                        continue;
                    }
                    match serde_json::from_str::<IncidentChange>(n.payload()) {
                        Ok(change) => {
                            let _ = self.events.send(LiveEvent::Incident(change));
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, payload = n.payload(), "unreadable change notification")
                        }
                    }
                }
                Ok::<(), sqlx::Error>(())
            };
            tokio::select! {
                () = &mut closed => return,
                result = session => {
                    match result {
                        Ok(()) => {
                            tracing::warn!("lost the LISTEN connection; reconnecting");
                            backoff = Duration::from_millis(250);
                        }
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(e) => tracing::warn!(error = %e, "cannot listen for incident changes; retrying"),
                    }
                }
            }
            let _ = self.events.send(LiveEvent::Resync);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    }
}
