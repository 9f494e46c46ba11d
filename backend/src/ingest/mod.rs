//! Alert ingestion: accepting events durably and fast, then applying them.
//!
//! - [`Ingestor`]: the group commit. Each request hands its validated events to a writer task and
//!   waits; a writer takes everything queued, inserts it in one statement and one transaction, and
//!   only after the commit answers every waiting request. Under load one flush serves hundreds of
//!   requests; at rest a request waits for its own small commit. Nothing is acknowledged before
//!   it is on disk.
//! - [`KeyCache`]: integration key lookups, cached for a few seconds (a revoked key stops working
//!   on every instance within [`KEY_CACHE_TTL`]).
//! - [`RateLimiter`]: a token bucket per key, per instance.
//! - [`processor`]: applies stored events to alerts and incidents, one instance at a time.

pub mod processor;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::sync::{Notify, mpsc, oneshot};
use uuid::Uuid;

use crate::db::alerts::{self, EventBatch, KeyGrant};

/// Requests gathered into one commit at most.
const MAX_JOBS_PER_COMMIT: usize = 512;
/// Writers committing concurrently: while one flushes, the next batch gathers.
const WRITERS: usize = 2;
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

struct Job {
    batch: EventBatch,
    reply: oneshot::Sender<Result<(), ()>>,
}

/// The group-commit writer of accepted events. Cheap to clone.
#[derive(Clone)]
pub struct Ingestor {
    queue: mpsc::Sender<Job>,
    /// Woken after each commit so the local processor starts at once.
    pub processed: Arc<Notify>,
}

#[derive(Debug, thiserror::Error)]
#[error("the event could not be stored; send it again")]
pub struct NotStored;

impl Ingestor {
    /// Starts the writer tasks on the current runtime. They stop when every clone is dropped,
    /// after writing what was queued.
    pub fn start(pool: PgPool) -> Ingestor {
        let (queue, rx) = mpsc::channel::<Job>(16 * MAX_JOBS_PER_COMMIT);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let wake = Arc::new(Notify::new());
        for _ in 0..WRITERS {
            tokio::spawn(writer(pool.clone(), rx.clone(), wake.clone()));
        }
        Ingestor { queue, processed: wake }
    }

    /// Stores the events durably; `Ok` only once they are committed.
    pub async fn submit(&self, batch: EventBatch) -> Result<(), NotStored> {
        if batch.is_empty() {
            return Ok(());
        }
        let (reply, answer) = oneshot::channel();
        self.queue.send(Job { batch, reply }).await.map_err(|_| NotStored)?;
        answer.await.map_err(|_| NotStored)?.map_err(|()| NotStored)
    }
}

async fn writer(pool: PgPool, rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>, wake: Arc<Notify>) {
    let mut jobs = Vec::with_capacity(MAX_JOBS_PER_COMMIT);
    loop {
        {
            let mut rx = rx.lock().await;
            if rx.recv_many(&mut jobs, MAX_JOBS_PER_COMMIT).await == 0 {
                return;
            }
        }
        let mut all = EventBatch::default();
        for job in &mut jobs {
            all.append(&mut job.batch);
        }
        let result = write(&pool, &all).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, events = all.len(), "storing alert events failed; senders get 503 and retry");
        }
        for job in jobs.drain(..) {
            let _ = job.reply.send(result.as_ref().map(|_| ()).map_err(|_| ()));
        }
        if result.is_ok() {
            wake.notify_one();
        }
    }
}

async fn write(pool: &PgPool, batch: &EventBatch) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    alerts::insert_events(&mut tx, batch).await?;
    tx.commit().await
}

/// Everything an instance needs to accept events: the writer, the key cache, the rate limit.
#[derive(Clone)]
pub struct Intake {
    pub ingestor: Ingestor,
    pub keys: KeyCache,
    pub limiter: RateLimiter,
}

impl Intake {
    pub fn start(pool: PgPool, rate_per_key: u32) -> Intake {
        Intake {
            ingestor: Ingestor::start(pool),
            keys: KeyCache::default(),
            limiter: RateLimiter::new(rate_per_key),
        }
    }
}

pub fn hash_key(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// A new integration key: 32 random letters and digits (about 190 bits).
pub fn new_key() -> String {
    crate::auth::random_token(32)
}

/// A key's hash, when it was looked up, and what it grants (`None`: no such live key).
type KeyEntries = HashMap<Vec<u8>, (Instant, Option<KeyGrant>)>;

/// Integration keys by hash, including "no such key", for a few seconds.
#[derive(Clone, Default)]
pub struct KeyCache {
    entries: Arc<Mutex<KeyEntries>>,
}

/// Past this many entries the cache starts over, so random keys cannot grow it without bound.
const KEY_CACHE_MAX: usize = 10_000;

impl KeyCache {
    pub async fn lookup(&self, pool: &PgPool, key: &str) -> Result<Option<KeyGrant>, sqlx::Error> {
        let hash = hash_key(key);
        if let Ok(entries) = self.entries.lock()
            && let Some((at, grant)) = entries.get(&hash)
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(grant.clone());
        }
        let mut conn = pool.acquire().await?;
        let grant = alerts::live_key_by_hash(&mut conn, &hash).await?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= KEY_CACHE_MAX {
                entries.clear();
            }
            entries.insert(hash, (Instant::now(), grant.clone()));
        }
        Ok(grant)
    }

    /// Forgets every entry: this instance sees a revocation at once.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// A token bucket per integration key: `rate` events per second, bursts of `burst`.
#[derive(Clone)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<Uuid, (f64, Instant)>>>,
}

impl RateLimiter {
    pub fn new(rate_per_sec: u32) -> Self {
        let rate = f64::from(rate_per_sec.max(1));
        RateLimiter { rate, burst: rate * 2.0, buckets: Arc::default() }
    }

    /// Takes `n` events' worth of tokens, or says how many seconds until there are enough.
    pub fn take(&self, key: Uuid, n: usize) -> Result<(), u64> {
        self.take_at(key, n, Instant::now())
    }

    fn take_at(&self, key: Uuid, n: usize, now: Instant) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        let (tokens, last) = buckets.entry(key).or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.rate).min(self.burst);
        *last = now;
        let need = n as f64;
        if *tokens >= need {
            *tokens -= need;
            Ok(())
        } else {
            Err((((need - *tokens) / self.rate).ceil() as u64).max(1))
        }
    }
}

/// Runs the processor until `stop` fires: woken by local commits, and every second for events
/// stored by other instances and for flapping alerts that went quiet. Errors are logged and the
/// batch retried: its events stay pending until a batch commits.
pub async fn run_processor(pool: PgPool, wake: Arc<Notify>, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut last_purge = Instant::now() - Duration::from_secs(3600);
    loop {
        tokio::select! {
            () = &mut stop => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        drain(&pool).await;
        if last_purge.elapsed() > Duration::from_secs(3600) {
            last_purge = Instant::now();
            purge_old_events(&pool).await;
        }
    }
}

/// Applies every pending event. When another instance holds the lock it is draining too; waiting
/// briefly and trying again closes the gap where it finished just before our events committed.
pub async fn drain(pool: &PgPool) {
    let mut busy = 0;
    loop {
        match processor::process_batch(pool).await {
            Ok(processor::BatchResult::Applied(0)) => return,
            Ok(processor::BatchResult::Applied(_)) => busy = 0,
            Ok(processor::BatchResult::Busy) => {
                busy += 1;
                if busy > 50 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                tracing::error!(error = ?e, "applying alert events failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                return;
            }
        }
    }
}

/// Processed events are kept 30 days as each alert's history.
async fn purge_old_events(pool: &PgPool) {
    let before = chrono::Utc::now() - chrono::Duration::days(30);
    loop {
        let result = async {
            let mut conn = pool.acquire().await?;
            alerts::purge_events(&mut conn, before).await
        }
        .await;
        match result {
            Ok(n) if n > 0 => continue,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "purging old alert events failed");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_bursts_then_says_when_to_retry() {
        let limiter = RateLimiter::new(10);
        let key = Uuid::nil();
        let t0 = Instant::now();
        assert_eq!(limiter.take_at(key, 20, t0), Ok(()));
        assert_eq!(limiter.take_at(key, 5, t0), Err(1));
        // Half a second refills five.
        assert_eq!(limiter.take_at(key, 5, t0 + Duration::from_millis(500)), Ok(()));
        assert_eq!(limiter.take_at(key, 30, t0 + Duration::from_millis(500)), Err(3));
        // Other keys have their own bucket.
        assert_eq!(limiter.take_at(Uuid::max(), 20, t0), Ok(()));
    }
}
