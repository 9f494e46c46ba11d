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

use bytes::Bytes;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::status::{
    ComponentStatus, feed,
    page::{ComponentView, GroupView, PublicIncidentView, UpdateView},
    public::{
        Block, ComponentRow, DayBar, IncidentBrief, IncidentPage, PublicPage, UpdateBrief, overall_uptime,
    },
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

/// A document as served (JSON, a feed, a rendered page): its text, the same bytes gzip- and
/// brotli-compressed once (a stampede of readers costs no compression work), and a strong ETag
/// over the text. Each encoding is its own representation, so its ETag carries a suffix.
#[derive(Debug, Clone)]
pub struct JsonDoc {
    pub body: Bytes,
    pub gzip: Bytes,
    pub br: Bytes,
    pub etag: String,
}

/// A content coding a document is held in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Br,
}

impl Coding {
    /// The best coding a client's `Accept-Encoding` allows (brotli, then gzip); a coding given
    /// `q=0` is refused, as RFC 9110 says.
    pub fn negotiate(accept_encoding: Option<&str>) -> Coding {
        let Some(accept) = accept_encoding else {
            return Coding::Identity;
        };
        let allows = |name: &str| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                (coding.eq_ignore_ascii_case(name) || coding == "*") && !refused
            })
        };
        if allows("br") {
            Coding::Br
        } else if allows("gzip") {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Br => Some("br"),
        }
    }
}

impl JsonDoc {
    pub fn of<T: serde::Serialize>(value: &T) -> JsonDoc {
        JsonDoc::text(serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned()))
    }

    /// Compresses now: call it off the request path (snapshots are built in a blocking task).
    pub fn text(body: String) -> JsonDoc {
        use std::io::Write;
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..32]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let gzip = gz.write_all(body.as_bytes()).and_then(|()| gz.finish()).unwrap_or_default();
        let mut br = Vec::new();
        // Quality 9 with a 4 MB window: within a few per cent of 11 at a tenth of the time.
        let params = brotli::enc::BrotliEncoderParams { quality: 9, lgwin: 22, ..Default::default() };
        if brotli::BrotliCompress(&mut body.as_bytes(), &mut br, &params).is_err() {
            br.clear();
        }
        JsonDoc { body: Bytes::from(body), gzip: gzip.into(), br: br.into(), etag }
    }

    /// The bytes and ETag of the document in `coding` (identity when compression failed).
    pub fn encoded(&self, coding: Coding) -> (Bytes, Coding, String) {
        let tagged = |suffix: &str| format!("{}-{suffix}\"", self.etag.trim_end_matches('"'));
        match coding {
            Coding::Br if !self.br.is_empty() => (self.br.clone(), Coding::Br, tagged("br")),
            Coding::Gzip | Coding::Br if !self.gzip.is_empty() => {
                (self.gzip.clone(), Coding::Gzip, tagged("gz"))
            }
            _ => (self.body.clone(), Coding::Identity, self.etag.clone()),
        }
    }
}

/// Everything the public side shows, as of `built_at`.
#[derive(Debug)]
pub struct Snapshot {
    /// Counts the snapshots this instance built: what is derived from one (its rendered pages)
    /// is keyed by it.
    pub version: u64,
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
    /// The page customers read, with its uptime bars.
    pub public: PublicPage,
    /// `/status/feed.atom` and `/status/feed.rss`.
    pub atom: JsonDoc,
    pub rss: JsonDoc,
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
        let public = public_page(&data, &uptime_by, now);
        let updated = source.updated_at();
        let atom = JsonDoc::text(feed::atom(&data.settings.name, &url, &data.incidents, updated));
        let rss = JsonDoc::text(feed::rss(&data.settings.name, &url, &data.incidents, updated));
        Snapshot { version: 0, built_at: now, data, zone, url, uptime: uptime_by, json, public, atom, rss }
    }

    /// One public incident's page, if the snapshot holds it.
    pub fn incident_page(&self, public_id: &str) -> Option<IncidentPage> {
        Some(self.page_of(self.incident(public_id)?))
    }

    /// The page of a public incident (the snapshot's, or an older one read from history).
    pub fn page_of(&self, i: &PublicIncidentView) -> IncidentPage {
        IncidentPage {
            page_name: self.data.settings.name.clone(),
            time_zone: self.data.settings.time_zone.clone(),
            incident: self.brief(i),
            updates: i.updates.iter().map(update_brief).collect(),
        }
    }

    /// A public incident as a line of the page or its history.
    pub fn brief(&self, i: &PublicIncidentView) -> IncidentBrief {
        brief(&self.data, i)
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

fn update_brief(u: &UpdateView) -> UpdateBrief {
    UpdateBrief {
        status: u.status,
        body_html: u.body_html.clone(),
        display_at: u.display_at,
        changes: u
            .affected
            .iter()
            .filter(|a| a.old_status != a.new_status)
            .map(|a| {
                format!("{}: {} → {}", a.name, a.old_status.label(), a.new_status.label().to_lowercase())
            })
            .collect(),
    }
}

fn brief(data: &PageData, i: &PublicIncidentView) -> IncidentBrief {
    IncidentBrief {
        public_id: i.public_id.clone(),
        name: i.name.clone(),
        status: i.status,
        impact: i.impact,
        maintenance: i.maintenance,
        started_at: i.started_at,
        resolved_at: i.resolved_at,
        scheduled_for: i.scheduled_for,
        scheduled_until: i.scheduled_until,
        components: data
            .components
            .iter()
            .filter(|c| i.components.contains(&c.id))
            .map(|c| c.name.clone())
            .collect(),
        latest: i.updates.last().map(update_brief),
    }
}

fn bars(data: &PageData, days: &[DayUptime], members: &[Uuid]) -> Vec<DayBar> {
    days.iter()
        .map(|d| DayBar {
            date: d.date,
            uptime: d.uptime,
            worst: d.worst(),
            major_outage_seconds: d.major_outage_seconds,
            partial_outage_seconds: d.partial_outage_seconds,
            degraded_performance_seconds: d.degraded_performance_seconds,
            under_maintenance_seconds: d.under_maintenance_seconds,
            incidents: data
                .incidents
                .iter()
                .filter(|i| i.components.iter().any(|c| members.contains(c)))
                .filter(|i| i.started_at < d.ends_at && i.resolved_at.is_none_or(|r| r > d.starts_at))
                .map(|i| i.name.clone())
                .collect(),
        })
        .collect()
}

/// The page customers read: open incidents, maintenances, and each group's components with their
/// bars. A component marked `only_show_if_degraded` shows only while it is not operational.
fn public_page(data: &PageData, uptime_by: &HashMap<Uuid, Vec<DayUptime>>, now: DateTime<Utc>) -> PublicPage {
    let source = Source {
        settings: &data.settings,
        url: "",
        groups: &data.groups,
        components: &data.components,
        incidents: &data.incidents,
        now,
    };
    let status = source.status();
    let row = |c: &ComponentView| {
        let days = uptime_by.get(&c.id).cloned().unwrap_or_default();
        ComponentRow {
            id: c.id,
            name: c.name.clone(),
            description: c.description.clone(),
            status: c.status,
            uptime: overall_uptime(&days),
            days: bars(data, &days, &[c.id]),
        }
    };
    let shown = |c: &&ComponentView| !c.only_show_if_degraded || c.status != ComponentStatus::Operational;
    let mut blocks: Vec<Block> = Vec::new();
    let loose: Vec<ComponentRow> =
        data.components.iter().filter(|c| c.group_id.is_none()).filter(shown).map(row).collect();
    if !loose.is_empty() {
        blocks.push(Block {
            id: None,
            name: String::new(),
            status: loose.iter().map(|c| c.status).fold(ComponentStatus::Operational, ComponentStatus::worst),
            collapsed: false,
            components: loose,
            days: Vec::new(),
        });
    }
    for g in &data.groups {
        let members: Vec<&ComponentView> =
            data.components.iter().filter(|c| c.group_id == Some(g.id)).collect();
        let ids: Vec<Uuid> = members.iter().map(|c| c.id).collect();
        let components: Vec<ComponentRow> = members.iter().copied().filter(shown).map(row).collect();
        if components.is_empty() {
            continue;
        }
        let days = uptime_by.get(&g.id).cloned().unwrap_or_default();
        blocks.push(Block {
            id: Some(g.id),
            name: g.name.clone(),
            status: members
                .iter()
                .map(|c| c.status)
                .fold(ComponentStatus::Operational, ComponentStatus::worst),
            collapsed: g.collapsed,
            components,
            days: bars(data, &days, &ids),
        });
    }
    let mut maintenances: Vec<IncidentBrief> = data
        .incidents
        .iter()
        .filter(|i| i.maintenance && !i.status.is_closed())
        .map(|i| brief(data, i))
        .collect();
    maintenances.sort_by_key(|m| m.scheduled_for);
    PublicPage {
        name: data.settings.name.clone(),
        banner: data.settings.banner.clone(),
        support_url: data.settings.support_url.clone(),
        time_zone: data.settings.time_zone.clone(),
        indicator: status.indicator,
        description: status.description.to_owned(),
        as_of: now,
        active: data
            .incidents
            .iter()
            .filter(|i| !i.maintenance && !i.status.is_closed())
            .map(|i| brief(data, i))
            .collect(),
        maintenances,
        blocks,
        partial_weight: data.settings.partial_weight,
        maintenance_counts: data.settings.maintenance_counts,
    }
}

/// This instance's current snapshot, kept fresh in the background.
#[derive(Clone, Default)]
pub struct Snapshots {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
    built: Arc<std::sync::atomic::AtomicU64>,
    /// The version of the latest snapshot, for what follows each one (the static export).
    versions: Arc<tokio::sync::watch::Sender<u64>>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots").finish_non_exhaustive()
    }
}

/// How often a snapshot is rebuilt when nothing announced a change: today's uptime moves on.
pub const REFRESH: Duration = Duration::from_secs(60);

impl Snapshots {
    /// Changes each time a snapshot is built.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.versions.subscribe()
    }

    /// The latest snapshot, if one was ever built.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    /// The current snapshot, or (only when this instance has none yet, just after starting) one
    /// built now; `None` when there is none and PostgreSQL cannot be reached.
    pub async fn current_or_build(
        &self,
        pool: &PgPool,
        public_url: &str,
        now: DateTime<Utc>,
    ) -> Option<Arc<Snapshot>> {
        if let Some(s) = self.current() {
            return Some(s);
        }
        match self.rebuild(pool, public_url, now).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "no status page snapshot yet, and none can be built");
                None
            }
        }
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
        let version = self.built.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let snapshot = tokio::task::spawn_blocking(move || {
            Arc::new(Snapshot { version, ..Snapshot::build(data, &url, now) })
        })
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("building the status snapshot: {e}")))?;
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        self.versions.send_replace(version);
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
