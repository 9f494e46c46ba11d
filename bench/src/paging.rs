//! `tocsin-bench paging`: alert-to-page latency. PagerDuty events go to `/v2/enqueue` of the real
//! router; the alert processor opens incidents, the paging engine (woken by the incident change)
//! pages, and a local webhook endpoint notes when each page arrives. Each event's service routes
//! to its own policy paging its own person, so no page waits in a bundle. Prints p50/p99 from the
//! 202 of an event to the page handed to the channel and received.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Result, bail};
use axum::{Router, body::Bytes, routing::post};
use backend::{
    actor::Actor,
    services::{self, integration_keys::create_key},
};
use domain::{
    UserId,
    alert::{IntegrationKind, NewIntegrationKey},
    escalation::{Level, LevelTarget, PolicyInput, Target},
    notification::ContactMethodInput,
    team::{DisplayName, NewService, Slug},
};
use sqlx::PgPool;

type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

async fn receiver() -> Result<(Arrivals, String)> {
    let arrivals: Arrivals = Arc::default();
    let kept = arrivals.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let kept = kept.clone();
            async move {
                let at = Instant::now();
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body)
                    && let Some(items) = v["incidents"].as_array()
                {
                    let mut map = kept.lock().unwrap_or_else(|e| e.into_inner());
                    for i in items {
                        if let Some(title) = i["title"].as_str() {
                            map.entry(title.to_owned()).or_insert(at);
                        }
                    }
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((arrivals, url))
}

pub async fn run(pool: &PgPool, base: &str, events: usize, per_second: f64) -> Result<()> {
    let (arrivals, hook) = receiver().await?;
    println!("setting up {events} services, people and policies…");
    let keys = setup(pool, base, &hook, events).await?;

    let client = reqwest::Client::new();
    let gap = Duration::from_secs_f64(1.0 / per_second);
    let mut accepted: HashMap<String, Instant> = HashMap::new();
    println!("sending {events} events at {per_second} per second…");
    let started = Instant::now();
    for (i, key) in keys.iter().enumerate() {
        let due = started + gap * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let summary = format!("bench page {i}");
        let body = serde_json::json!({
            "routing_key": key, "event_action": "trigger", "dedup_key": format!("page-{i}"),
            "payload": { "summary": summary, "source": "bench", "severity": "critical" },
        });
        let res = client.post(format!("{base}/v2/enqueue")).json(&body).send().await?;
        if res.status().as_u16() != 202 {
            bail!("event {i} answered {}", res.status());
        }
        accepted.insert(summary, Instant::now());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().unwrap_or_else(|e| e.into_inner()).len() < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = arrivals.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut latencies: Vec<Duration> = accepted
        .iter()
        .filter_map(|(summary, at)| got.get(summary).map(|t| t.saturating_duration_since(*at)))
        .collect();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!();
    println!("alert to page, {events} events at {per_second}/s, each paging its own person by webhook:");
    println!("  paged       {} of {events}", latencies.len());
    println!(
        "  latency     p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(pct(1.0))
    );
    if latencies.len() < events {
        bail!("{} events were never paged", events - latencies.len());
    }
    Ok(())
}

async fn setup(pool: &PgPool, base: &str, hook: &str, n: usize) -> Result<Vec<String>> {
    let actor = Actor::cli();
    let team = Slug::parse("paging")?;
    services::teams::create_team(pool, &actor, &DisplayName::parse("Paging")?, &team).await?;
    let mut keys = Vec::with_capacity(n);
    for i in 0..n {
        // People straight into the table: hashing a password per person would dominate setup.
        let user: uuid::Uuid = sqlx::query_scalar(
            "INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, 'responder', 'x') RETURNING id",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(format!("pager-{i}@example.com"))
        .bind(format!("Pager {i}"))
        .fetch_one(pool)
        .await?;
        let input =
            ContactMethodInput { kind: "webhook".into(), label: "bench".into(), address: hook.to_owned() };
        services::contact::add_contact_method(pool, &actor, UserId(user), &input).await?;
        let slug = format!("paged-{i}");
        let service = NewService {
            name: DisplayName::parse(&format!("Paged {i}"))?,
            slug: Slug::parse(&slug)?,
            team: team.clone(),
            description: String::new(),
        };
        services::catalog::create_service(pool, &actor, &service).await?;
        let policy = PolicyInput {
            name: format!("Policy {i}"),
            levels: vec![Level {
                targets: vec![LevelTarget { target: Target::User { id: user }, role: None }],
                delay_secs: 900,
            }],
            repeat: 0,
        };
        let policy = services::policies::save_policy(pool, &actor, None, &policy).await?;
        services::catalog::route_service(pool, &actor, &slug, Some(policy.id)).await?;
        let key = NewIntegrationKey { kind: IntegrationKind::EventsV2, label: "bench".into() };
        keys.push(create_key(pool, &actor, &slug, &key, base).await?.key);
    }
    Ok(keys)
}
