//! The group commit: each request hands its validated events to a writer task and waits; a writer
//! takes everything queued, inserts it in one statement and one transaction, and only after the
//! commit answers every waiting request. Under load one flush serves hundreds of requests; at rest
//! a request waits for its own small commit. Nothing is acknowledged before it is on disk.

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::db::alert_events;
use alert_events::EventBatch;

/// Requests gathered into one commit at most.
const MAX_JOBS_PER_COMMIT: usize = 512;
/// Writers committing concurrently: while one flushes, the next batch gathers.
const WRITERS: usize = 2;
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
        // A full queue means the writers are behind (the database is slow or away): the sender
        // retries after 503 rather than the request waiting here holding its memory.
        self.queue.try_send(Job { batch, reply }).map_err(|_| NotStored)?;
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
        let mut sizes = Vec::with_capacity(jobs.len());
        for job in &mut jobs {
            sizes.push(job.batch.len());
            all.append(&mut job.batch);
        }
        let result = write(&pool, &all).await;
        match &result {
            Err(e) if is_data_error(e) && jobs.len() > 1 => {
                // One request's values were refused (parsing should have caught them): commit each
                // request on its own so only that one fails, instead of every request sharing the
                // commit getting 503 and their retries poisoning the next batch.
                tracing::warn!(error = %e, jobs = jobs.len(), "a data error in a group commit; committing its requests one by one");
                let mut stored = false;
                for (job, size) in jobs.drain(..).zip(sizes) {
                    let own = all.take_front(size);
                    let one = write(&pool, &own).await;
                    if let Err(e) = &one {
                        tracing::error!(error = %e, events = own.len(), "alert events refused by the database");
                    }
                    stored |= one.is_ok();
                    let _ = job.reply.send(one.map_err(|_| ()));
                }
                if stored {
                    wake.notify_one();
                }
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, events = all.len(), "storing alert events failed; senders get 503 and retry");
            }
            Ok(()) => {}
        }
        for job in jobs.drain(..) {
            let _ = job.reply.send(result.as_ref().map(|_| ()).map_err(|_| ()));
        }
        if result.is_ok() {
            wake.notify_one();
        }
    }
}

/// A value PostgreSQL refused (SQLSTATE class 22, data exception, or 23, integrity constraint),
/// as opposed to the database being unreachable: retrying the same values would fail again.
fn is_data_error(e: &sqlx::Error) -> bool {
    let code = e.as_database_error().and_then(|d| d.code()).unwrap_or_default();
    code.starts_with("22") || code.starts_with("23")
}

async fn write(pool: &PgPool, batch: &EventBatch) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    alert_events::insert_events(&mut tx, batch).await?;
    tx.commit().await
}
