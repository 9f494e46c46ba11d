//! `tocsin-bench incidents`: loads a database with a million incidents (or `--count`) and
//! measures what a responder waits for: the dashboard page and the incident list API, first
//! page, a deep page reached by cursor, and filtered lists. It drives the real router over real
//! HTTP, like the integration tests, and prints median and 95th-percentile times.
//!
//! Figures, not pass/fail: these machines are shared and noisy, so no test asserts a duration.

use std::{collections::HashMap, sync::Arc, time::Instant};

use anyhow::{Context, Result};
use backend::{
    actor::Actor,
    config::Config,
    engine::{Job, SystemClock},
    services,
};
use clap::{Parser, Subcommand};
use domain::{Email, NewUser, Password, PersonName, Role, TimeZoneName};
use server::{
    database::Database,
    startup::{Application, Options},
};
use sqlx::PgPool;

#[derive(Parser)]
#[command(about = "Tocsin benchmarks")]
struct Cli {
    /// An empty database to fill (`make bench` starts a throwaway cluster).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate incidents, then time the dashboard and the list API.
    Incidents {
        #[arg(long, default_value_t = 1_000_000)]
        count: i64,
        /// Requests per measurement.
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
    /// Send PagerDuty events to /v2/enqueue: events/s, latency, and every 202 stored.
    Ingest {
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Services, each with its own integration key.
        #[arg(long, default_value_t = 20)]
        services: usize,
    },
    /// The public status page under many readers, side by side with nginx serving the same bytes.
    Status {
        #[arg(long, default_value_t = 64)]
        readers: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// A year of a million incidents: `/analytics` and the analytics API over that year.
    Analytics {
        #[arg(long, default_value_t = 1_000_000)]
        count: i64,
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Only the requests whose label contains this (e.g. `interruptions`), to profile one alone.
        #[arg(long)]
        only: Option<String>,
    },
    /// Alert-to-page latency: events in, pages out through the engine to a webhook.
    Paging {
        #[arg(long, default_value_t = 200)]
        events: usize,
        /// Events per second, each opening its own incident.
        #[arg(long, default_value_t = 20.0)]
        rate: f64,
    },
}

mod analytics;
mod ingest;
mod paging;
mod status;

const PASSWORD: &str = "bench password 1";

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let pool = PgPool::connect(&cli.database_url).await.context("connecting to DATABASE_URL")?;
    backend::db::migrate(&pool).await?;
    match cli.command {
        Command::Incidents { count, runs } => incidents(&pool, count, runs).await,
        Command::Analytics { count, runs, only } => analytics::run(&pool, count, runs, only.as_deref()).await,
        Command::Ingest { events, concurrency, services } => {
            let base = serve(pool.clone(), false).await?;
            ingest::run(&pool, &base, events, concurrency, services).await
        }
        Command::Status { readers, seconds } => {
            let base = serve(pool.clone(), false).await?;
            status::run(&pool, &base, readers, seconds).await
        }
        Command::Paging { events, rate } => {
            let base = serve(pool.clone(), true).await?;
            paging::run(&pool, &base, events, rate).await
        }
    }
}

async fn incidents(pool: &PgPool, count: i64, runs: usize) -> Result<()> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents").fetch_one(pool).await?;
    if existing == 0 {
        generate(pool, count).await?;
    } else {
        println!("using the {existing} incidents already in the database");
    }
    if let Some(user) = bench_user(pool).await? {
        // Give the bench user roles on some incidents so "my roles" has something to find.
        sqlx::query(
            "INSERT INTO incident_roles (incident_id, role, user_id)
             SELECT id, 'commander', $1 FROM incidents WHERE number % 5000 = 0 ON CONFLICT DO NOTHING",
        )
        .bind(user.id.0)
        .execute(pool)
        .await?;
    }
    sqlx::query("ANALYZE").execute(pool).await?;
    let base = serve(pool.clone(), false).await?;
    let client = bench_session(pool, &base).await?;

    // A cursor 20 pages deep, reached the way a person paging would reach it.
    let mut after = String::new();
    for _ in 0..20 {
        let page: serde_json::Value =
            client.get(format!("{base}/api/v1/incidents?after={after}")).send().await?.json().await?;
        after = page["next"].as_str().context("fewer than 21 pages of incidents")?.to_owned();
    }

    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents").fetch_one(pool).await?;
    println!("\n{total} incidents; {runs} requests each; times in milliseconds\n");
    println!("{:<58} {:>8} {:>8}", "request", "median", "p95");
    let cases = [
        ("dashboard page / (HTML, server-rendered)", "/".to_owned()),
        ("incidents page /incidents (HTML)", "/incidents".to_owned()),
        ("API first page", "/api/v1/incidents".to_owned()),
        ("API page 21 (keyset cursor)", format!("/api/v1/incidents?after={after}")),
        ("API status=open", "/api/v1/incidents?status=open".to_owned()),
        ("API severity=SEV1", "/api/v1/incidents?severity=SEV1".to_owned()),
        ("API service=svc-7", "/api/v1/incidents?service=svc-7".to_owned()),
        ("API team=team-3", "/api/v1/incidents?team=team-3".to_owned()),
        ("API mine=true", "/api/v1/incidents?mine=true".to_owned()),
        ("API q=timeout", "/api/v1/incidents?q=timeout".to_owned()),
        ("API q=disk%20db", "/api/v1/incidents?q=disk%20db".to_owned()),
    ];
    for (label, path) in cases {
        let (median, p95) = time_get(&client, &format!("{base}{path}"), runs).await?;
        println!("{label:<58} {median:>8.1} {p95:>8.1}");
    }
    Ok(())
}

/// Median and p95 in milliseconds of `runs` GETs of `url` (each body read whole); a response
/// other than 2xx stops the benchmark.
pub(crate) async fn time_get(client: &reqwest::Client, url: &str, runs: usize) -> Result<(f64, f64)> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let res = client.get(url).send().await?;
        let status = res.status();
        res.bytes().await?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status.is_success(), "{url}: {status}");
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[(times.len() * 95 / 100).min(times.len() - 1)]))
}

const BENCH_EMAIL: &str = "bench@example.com";

/// The bench's admin, made when the database has none yet (then returned).
async fn bench_user(pool: &PgPool) -> Result<Option<domain::UserView>> {
    let known: Option<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(BENCH_EMAIL)
        .fetch_optional(pool)
        .await?;
    if known.is_some() {
        return Ok(None);
    }
    let user = NewUser {
        email: Email::parse(BENCH_EMAIL)?,
        name: PersonName::parse("Bench Responder")?,
        role: Role::Admin,
        time_zone: TimeZoneName::parse("Europe/London")?,
    };
    Ok(Some(services::users::create_user(pool, &Actor::cli(), &user, &Password::parse(PASSWORD)?).await?))
}

/// A client logged in as the bench's admin, as a browser would be.
pub(crate) async fn bench_session(pool: &PgPool, base: &str) -> Result<reqwest::Client> {
    bench_user(pool).await?;
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = client
        .post(format!("{base}/auth/login"))
        .form(&[("email", BENCH_EMAIL), ("password", PASSWORD), ("next", "/")])
        .send()
        .await?;
    anyhow::ensure!(login.status().is_success(), "bench login failed: {}", login.status());
    Ok(client)
}

/// Fills the database in batches with generate_series: 10 teams, 40 services, `count`
/// incidents over five years (0.05% still open), each with a service and a timeline entry.
async fn generate(pool: &PgPool, count: i64) -> Result<()> {
    println!("generating {count} incidents…");
    let started = Instant::now();
    sqlx::query(
        "INSERT INTO teams (id, name, slug)
         SELECT gen_random_uuid(), 'Team ' || t, 'team-' || t FROM generate_series(1, 10) t",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO services (id, name, slug, team_id, description)
         SELECT gen_random_uuid(), 'Service ' || s, 'svc-' || s,
                (SELECT id FROM teams WHERE slug = 'team-' || (s % 10 + 1)), ''
         FROM generate_series(1, 40) s",
    )
    .execute(pool)
    .await?;
    let batch = 100_000;
    let mut done = 0;
    while done < count {
        let n = batch.min(count - done);
        // Oldest first, so numbers grow with time as they do in real use.
        sqlx::query(
            "WITH new AS (
                 INSERT INTO incidents (id, title, description, severity, status, customer_impact,
                                        created_at, acknowledged_at, resolved_at)
                 SELECT gen_random_uuid(),
                        (ARRAY['Checkout timeout', 'Disk full on db', 'Login errors', 'Queue backlog',
                               'Certificate expiry', 'Latency spike', 'DNS failures', 'Payment declines'])[1 + g % 8]
                            || ' #' || g,
                        'Generated incident ' || g || ' for the benchmark.',
                        1 + (g * 7919) % 5,
                        CASE WHEN g > $2 - $2 / 2000 THEN
                                 (ARRAY['triggered', 'acknowledged', 'mitigated'])[1 + g % 3]
                             ELSE 'resolved' END,
                        g % 3 = 0,
                        now() - interval '5 years' * (1 - g::float8 / $2),
                        now() - interval '5 years' * (1 - g::float8 / $2) + interval '4 minutes',
                        CASE WHEN g > $2 - $2 / 2000 THEN NULL
                             ELSE now() - interval '5 years' * (1 - g::float8 / $2) + interval '90 minutes' END
                 FROM generate_series($1 + 1, $1 + $3) g
                 ORDER BY g
                 RETURNING id, number
             ), svc AS (
                 INSERT INTO incident_services (incident_id, service_id)
                 SELECT new.id, s.id FROM new JOIN services s ON s.slug = 'svc-' || (new.number % 40 + 1)
             )
             INSERT INTO timeline_events (incident_id, at, author_label, kind, body)
             SELECT id, now(), 'bench', 'status_change', 'Declared' FROM new",
        )
        .bind(done)
        .bind(count)
        .bind(n)
        .execute(pool)
        .await?;
        done += n;
        println!("  {done} / {count}");
    }
    println!("generated in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The real application on a random port, built as `tocsin serve` builds it; `engine` runs the
/// paging engine in the background too.
pub(crate) async fn serve(pool: PgPool, engine: bool) -> Result<String> {
    let mut config = Config::from_sources(|_| None, &HashMap::new())?;
    config.secret_key = Some("bench secret key with at least 32 bytes!".into());
    // The paging receiver listens on loopback, which the server refuses unless allowed.
    config.outbound_allow =
        backend::notify::outbound::OutboundAllow::parse("127.0.0.1").map_err(anyhow::Error::msg)?;
    // No per-key limit here: the benchmark measures throughput, not the limiter.
    config.ingest.rate_per_key = u32::MAX;
    config.ingest.bytes_per_key_hour = u64::MAX;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    config.public_url = base.clone();
    let jobs = if engine { Job::ALL.to_vec() } else { vec![Job::Alerts] };
    let options = Options { clock: Arc::new(SystemClock), jobs };
    let app = Application::build(config, Database::from_pool(pool), options)?;
    tokio::spawn(app.run(listener, std::future::pending()));
    Ok(base)
}
