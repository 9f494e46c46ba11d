//! One snapshot of the public page per instance: everything customers read (the page's data,
//! uptime per day, the Statuspage JSON documents with their ETags) built at once, rebuilt when
//! the page changes (heard through `Live`, so a change on any instance reaches every instance)
//! and once a minute (today's uptime moves on), never per request. A burst of readers during an
//! outage never reaches PostgreSQL, and while PostgreSQL is away the last snapshot is served,
//! saying how old it is.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::status::{
    page::{ComponentView, GroupView, PublicIncidentView},
    statuspage::{Maintenances, Source},
    uptime::{self, DayUptime, UptimeRules},
};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{HISTORY_DAYS, PageData, page_data};
use crate::{
    Result,
    live::{Live, LiveEvent},
};

/// A JSON document as served: its bytes and a strong ETag over them.
#[derive(Debug, Clone)]
pub struct JsonDoc {
    pub body: Arc<str>,
    pub etag: String,
}

impl JsonDoc {
    fn of<T: serde::Serialize>(value: &T) -> JsonDoc {
        let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..32]);
        JsonDoc { body: body.into(), etag }
    }
}

/// Everything the public side shows, as of `built_at`.
#[derive(Debug)]
pub struct Snapshot {
    pub built_at: DateTime<Utc>,
    pub data: PageData,
    pub zone: Tz,
    /// Where the page is published (`{public_url}/status`).
    pub url: String,
    /// Per component, and per group, the last 90 days in the page's zone, oldest first.
    pub uptime: HashMap<Uuid, Vec<DayUptime>>,
    /// `/api/v2/{name}.json` by name: `summary`, `status`, `components`, `incidents`,
    /// `incidents/unresolved`, `scheduled-maintenances`, `scheduled-maintenances/upcoming`,
    /// `scheduled-maintenances/active`.
    pub json: HashMap<&'static str, JsonDoc>,
}

impl Snapshot {
    pub fn build(data: PageData, public_url: &str, now: DateTime<Utc>) -> Snapshot {
        let zone: Tz = data.settings.time_zone.parse().unwrap_or(Tz::UTC);
        let url = format!("{}/status", public_url.trim_end_matches('/'));
        let rules = UptimeRules {
            partial_weight: data.settings.partial_weight,
            maintenance_counts: data.settings.maintenance_counts,
        };
        let today = now.with_timezone(&zone).date_naive();
        let empty = Vec::new();
        let mut uptime_by: HashMap<Uuid, Vec<DayUptime>> = HashMap::new();
        for c in &data.components {
            let log = data.logs.get(&c.id).unwrap_or(&empty);
            uptime_by
                .insert(c.id, uptime::daily_uptime(log, c.created_at, zone, today, HISTORY_DAYS, now, rules));
        }
        for g in &data.groups {
            let members: Vec<&ComponentView> =
                data.components.iter().filter(|c| c.group_id == Some(g.id)).collect();
            let logs: Vec<Vec<uptime::StatusSpan>> =
                members.iter().map(|c| data.logs.get(&c.id).cloned().unwrap_or_default()).collect();
            let since = members.iter().map(|c| c.created_at).min().unwrap_or(g.created_at);
            let group_log = uptime::worst_of(&logs);
            uptime_by
                .insert(g.id, uptime::daily_uptime(&group_log, since, zone, today, HISTORY_DAYS, now, rules));
        }
        let source = Source {
            settings: &data.settings,
            url: &url,
            groups: &data.groups,
            components: &data.components,
            incidents: &data.incidents,
            now,
        };
        let page = source.page();
        let mut json = HashMap::new();
        json.insert("summary", JsonDoc::of(&source.summary()));
        json.insert("status", JsonDoc::of(&serde_json::json!({ "page": page, "status": source.status() })));
        json.insert(
            "components",
            JsonDoc::of(&serde_json::json!({ "page": page, "components": source.components() })),
        );
        json.insert(
            "incidents",
            JsonDoc::of(&serde_json::json!({ "page": page, "incidents": source.incidents(false) })),
        );
        json.insert(
            "incidents/unresolved",
            JsonDoc::of(&serde_json::json!({ "page": page, "incidents": source.incidents(true) })),
        );
        for (name, which) in [
            ("scheduled-maintenances", Maintenances::All),
            ("scheduled-maintenances/upcoming", Maintenances::Upcoming),
            ("scheduled-maintenances/active", Maintenances::Active),
        ] {
            json.insert(
                name,
                JsonDoc::of(&serde_json::json!({ "page": page, "scheduled_maintenances": source.maintenances(which) })),
            );
        }
        Snapshot { built_at: now, data, zone, url, uptime: uptime_by, json }
    }

    /// The page's indicator and its words.
    pub fn status(&self) -> domain::status::statuspage::Status {
        self.source().status()
    }

    pub fn source(&self) -> Source<'_> {
        Source {
            settings: &self.data.settings,
            url: &self.url,
            groups: &self.data.groups,
            components: &self.data.components,
            incidents: &self.data.incidents,
            now: self.built_at,
        }
    }

    pub fn incident(&self, public_id: &str) -> Option<&PublicIncidentView> {
        self.data.incidents.iter().find(|i| i.public_id == public_id)
    }

    pub fn groups(&self) -> &[GroupView] {
        &self.data.groups
    }
}

/// This instance's current snapshot, kept fresh in the background.
#[derive(Clone, Default)]
pub struct Snapshots {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots").finish_non_exhaustive()
    }
}

/// How often a snapshot is rebuilt when nothing announced a change: today's uptime moves on.
pub const REFRESH: Duration = Duration::from_secs(60);

impl Snapshots {
    /// The latest snapshot, if one was ever built.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    /// Builds a snapshot now and keeps it as the current one; on failure the last one stays.
    pub async fn rebuild(
        &self,
        pool: &PgPool,
        public_url: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<Snapshot>> {
        let data = page_data(pool, now).await?;
        let url = public_url.to_owned();
        // Uptime over 90 days of every component is CPU work: off the request threads.
        let snapshot = tokio::task::spawn_blocking(move || Arc::new(Snapshot::build(data, &url, now)))
            .await
            .map_err(|e| crate::Error::Internal(anyhow::anyhow!("building the status snapshot: {e}")))?;
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        Ok(snapshot)
    }

    /// Keeps the snapshot fresh until the server shuts down: after every announced change (and
    /// after the listener reconnects, when changes may have been missed) and every minute.
    /// `now` is the application's clock (services never read the wall clock).
    pub fn start(
        &self,
        pool: PgPool,
        live: Live,
        now: impl Fn() -> DateTime<Utc> + Send + 'static,
        public_url: String,
    ) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut events = live.subscribe();
            let mut closed = Box::pin(live.closed());
            loop {
                if let Err(e) = this.rebuild(&pool, &public_url, now()).await {
                    tracing::warn!(error = %e, "could not rebuild the status page; serving the last one");
                }
                let wait = tokio::time::sleep(REFRESH);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        () = &mut closed => return,
                        () = &mut wait => break,
                        event = events.recv() => match event {
                            Ok(LiveEvent::StatusPage | LiveEvent::Resync) | Err(RecvError::Lagged(_)) => break,
                            Ok(_) => continue,
                            Err(RecvError::Closed) => return,
                        },
                    }
                }
            }
        });
    }
}
