//! Delivers status page messages (confirmations and updates) to subscribers, run with the
//! delivery job: leased so another instance skips them and a crashed sender's come back, each in a
//! task of its own with the channel's timeout, retried with backoff and given up after five tries.

use chrono::{DateTime, Duration, Utc};
use tokio::task::JoinSet;

use super::Engine;
use crate::{
    Result,
    db::status_page::{self as db, DueMessage},
    notify::{StatusDestination, StatusMessage},
};

const ATTEMPTS: i32 = 5;

async fn send(engine: &Engine, m: &DueMessage, now: DateTime<Utc>) -> std::result::Result<(), String> {
    let to = match m.subscriber_kind.as_str() {
        "webhook" => {
            StatusDestination::Webhook { url: &m.address, secret: m.secret.as_deref().unwrap_or_default() }
        }
        _ => StatusDestination::Email(&m.address),
    };
    let id = format!("status-{}", m.id);
    let payload = m.payload.clone().unwrap_or_default();
    let message = StatusMessage {
        id: &id,
        subject: &m.subject,
        text: &m.body,
        html: &m.html,
        unsubscribe: &m.unsubscribe,
        payload: &payload,
    };
    engine.channels.send_status(to, message, now).await
}

/// Sends what is due; answers how many were sent and how many failed.
pub async fn run(engine: &Engine, now: DateTime<Utc>) -> Result<(usize, usize)> {
    let due = {
        let mut conn = engine.pool.acquire().await?;
        // The lease outlives the channel's timeout, so two instances never send one message.
        db::lease_messages(&mut conn, now, now + Duration::seconds(60), 100).await?
    };
    let mut sending = JoinSet::new();
    for m in due {
        let engine = engine.clone();
        sending.spawn(async move {
            let result = send(&engine, &m, now).await;
            (m, result)
        });
    }
    let (mut sent, mut failed) = (0, 0);
    while let Some(done) = sending.join_next().await {
        let Ok((m, result)) = done else { continue };
        let mut conn = engine.pool.acquire().await?;
        match result {
            Ok(()) => {
                db::message_done(&mut conn, m.id, None, None, now).await?;
                sent += 1;
            }
            Err(e) => {
                let retry = (m.attempts < ATTEMPTS)
                    .then(|| now + Duration::seconds(30 << (m.attempts - 1).clamp(0, 4)));
                tracing::warn!(message = m.id, error = %e, "a status page message was not delivered");
                db::message_done(&mut conn, m.id, Some(&e), retry, now).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}
