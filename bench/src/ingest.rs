//! `tocsin-bench ingest`: PagerDuty events through the real router at `/v2/enqueue`, from many
//! concurrent senders, with a realistic mix (90% repeats of dedup keys already open). Prints
//! events/s and latency percentiles, then checks that every 202 is a row in the database and
//! times the processor applying the backlog.
//!
//! Run it against a cluster with durability on (`make bench` does): each 202 is a real commit.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Result, bail};
use backend::{
    actor::Actor,
    services::{self, integration_keys::create_key},
};
use domain::{
    alert::{IntegrationKind, NewIntegrationKey},
    team::{DisplayName, NewService, Slug},
};
use sqlx::PgPool;

/// Distinct alerts each service already has open before the measured run.
const OPEN_PER_SERVICE: usize = 200;

pub async fn run(
    pool: &PgPool,
    base: &str,
    events: usize,
    concurrency: usize,
    services_n: usize,
) -> Result<()> {
    let keys = setup(pool, base, services_n).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;

    // Open the alerts the measured run repeats (not timed).
    println!("opening {} alerts on {services_n} services…", OPEN_PER_SERVICE * services_n);
    let warm: Vec<Vec<u8>> =
        keys.iter().flat_map(|k| (0..OPEN_PER_SERVICE).map(move |i| body(k, &format!("open-{i}")))).collect();
    let (warm_ok, _, _) = send_all(&client, base, warm, concurrency).await;

    // The measured mix: 9 in 10 repeat an open alert, 1 in 10 is a new key.
    let mut bodies = Vec::with_capacity(events);
    for i in 0..events {
        let key = &keys[i % keys.len()];
        let dedup =
            if i % 10 == 9 { format!("new-{i}") } else { format!("open-{}", (i * 7919) % OPEN_PER_SERVICE) };
        bodies.push(body(key, &dedup));
    }
    println!("sending {events} events from {concurrency} concurrent senders…");
    let started = Instant::now();
    let (accepted, refused, mut latencies) = send_all(&client, base, bodies, concurrency).await;
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!();
    println!(
        "/v2/enqueue, {events} events (90% repeats), {concurrency} senders, {services_n} keys, durable commits:"
    );
    println!("  accepted {accepted}, refused {refused} in {elapsed:.1} s");
    println!("  throughput  {:>8.0} events/s", accepted as f64 / elapsed);
    println!(
        "  latency     p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(pct(1.0))
    );

    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM alert_events").fetch_one(pool).await?;
    let expected = (warm_ok + accepted) as i64;
    println!("  stored      {stored} events for {expected} answers of 202");
    if stored != expected {
        bail!("{expected} events were acknowledged with 202 but {stored} are in the database");
    }

    let drain_started = Instant::now();
    loop {
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM alert_events WHERE processed_at IS NULL")
            .fetch_one(pool)
            .await?;
        if pending == 0 {
            break;
        }
        if drain_started.elapsed() > Duration::from_secs(600) {
            bail!("{pending} events still unprocessed after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alerts: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts").fetch_one(pool).await?;
    println!(
        "  processing  backlog applied {:.1} s after the last answer ({alerts} alerts)",
        drain_started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn body(key: &str, dedup: &str) -> Vec<u8> {
    serde_json::json!({
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": dedup,
        "payload": {
            "summary": format!("{dedup}: p99 latency above 2 s on api-3"),
            "source": "prometheus-1",
            "severity": "error",
            "custom_details": {"labels": {"alertname": "HighLatency", "instance": "api-3:9100", "job": "api"}}
        }
    })
    .to_string()
    .into_bytes()
}

/// Sends every body, `concurrency` at a time; answers (accepted, refused, latency per 202).
async fn send_all(
    client: &reqwest::Client,
    base: &str,
    bodies: Vec<Vec<u8>>,
    concurrency: usize,
) -> (usize, usize, Vec<Duration>) {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{base}/v2/enqueue");
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, bodies, next, url) = (client.clone(), bodies.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut refused, mut lat) = (0, 0, Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(b) = bodies.get(i) else { break };
                let t = Instant::now();
                let res =
                    client.post(&url).header("content-type", "application/json").body(b.clone()).send().await;
                match res {
                    Ok(r) if r.status() == reqwest::StatusCode::ACCEPTED => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                        ok += 1;
                    }
                    _ => refused += 1,
                }
            }
            (ok, refused, lat)
        }));
    }
    let (mut ok, mut refused, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        if let Ok((o, r, l)) = t.await {
            ok += o;
            refused += r;
            lat.extend(l);
        }
    }
    (ok, refused, lat)
}

/// A team, `n` services and one Events v2 key each.
pub(crate) async fn setup(pool: &PgPool, base: &str, n: usize) -> Result<Vec<String>> {
    let actor = Actor::cli();
    let team_slug = Slug::parse("bench")?;
    services::teams::create_team(pool, &actor, &DisplayName::parse("Bench")?, &team_slug).await?;
    let mut keys = Vec::with_capacity(n);
    for i in 0..n {
        let slug = format!("bench-{i}");
        let service = NewService {
            name: DisplayName::parse(&format!("Bench {i}"))?,
            slug: Slug::parse(&slug)?,
            team: team_slug.clone(),
            description: String::new(),
        };
        services::catalog::create_service(pool, &actor, &service).await?;
        let key = NewIntegrationKey { kind: IntegrationKind::EventsV2, label: "bench".into() };
        keys.push(create_key(pool, &actor, &slug, &key, base).await?.key);
    }
    Ok(keys)
}
