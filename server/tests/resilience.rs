//! The real `tocsin` binary under the two failures an incident tool meets in its worst hour:
//! the server killed (`kill -9`, twenty times at random moments, while senders keep sending) and
//! PostgreSQL gone for ten seconds. What was answered 2xx is stored and applied exactly once;
//! while the database is away the answer is 503 with `Retry-After` and no internal detail; when it
//! is back everything recovers by itself, and customers read the status page throughout.
//!
//! Each test runs its own PostgreSQL (`scripts/pg-test-cluster.sh`), which it can stop and start.

#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

use std::{
    collections::HashSet,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

/// The two tests each load the machine fully (a server restarted twenty times, a database
/// stopped under load): they take turns, so neither's timings suffer from the other.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg-test-cluster.sh")
}

/// A PostgreSQL cluster of the test's own, deleted at the end.
struct Cluster {
    dir: PathBuf,
    url: String,
}

impl Cluster {
    fn start(name: &str) -> Cluster {
        let dir = std::env::temp_dir().join(format!("tocsin-{name}-{}", std::process::id()));
        let out = Command::new(script()).args(["start"]).arg(&dir).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let admin = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Cluster { url: format!("{}/tocsin", admin.trim_end_matches("/postgres")), dir }
    }

    async fn create_database(&self) {
        let admin = format!("{}/postgres", self.url.trim_end_matches("/tocsin"));
        let pool = PgPool::connect(&admin).await.unwrap();
        sqlx::query("CREATE DATABASE tocsin").execute(&pool).await.unwrap();
        pool.close().await;
    }

    fn run(&self, what: &str) {
        let out = Command::new(script()).arg(what).arg(&self.dir).output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).status();
    }
}

/// A running `tocsin serve --demo` against the cluster, on a data folder that outlives it.
struct Server {
    child: Child,
    base: String,
    lines: std::sync::mpsc::Receiver<String>,
}

fn serve(data: &Path, port: u16, database_url: &str) -> Server {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(data.join("server.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(["serve", "--demo"])
        .current_dir(data)
        .env("DATABASE_URL", database_url)
        .env("TOCSIN_DATA_DIR", data)
        .env("TOCSIN_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("TOCSIN_CONFIG")
        .env_remove("TOCSIN_PUBLIC_URL")
        .env_remove("TOCSIN_SECRET_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Server { child, base: format!("http://127.0.0.1:{port}"), lines }
}

impl Server {
    async fn ready(&self, within: Duration) -> Duration {
        let start = Instant::now();
        let client = reqwest::Client::new();
        while start.elapsed() < within {
            if let Ok(res) = client.get(format!("{}/readyz", self.base)).send().await
                && res.status() == StatusCode::OK
            {
                return start.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("/readyz was not 200 within {within:?}");
    }

    fn admin_email(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let line = self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap();
            if let Some(rest) = line.trim().strip_prefix("Log in as ")
                && let Some((email, _)) = rest.split_once(" with password ")
            {
                return email.to_owned();
            }
        }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tocsin-{name}-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An admin token (from the command line, as an operator makes one) and a generic integration
/// key on the demo's web dashboard.
async fn token_and_key(server: &Server, data: &Path, database_url: &str) -> (String, String) {
    let email = server.admin_email();
    server.ready(Duration::from_secs(120)).await;
    let out = Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(["token", "create", "--email", &email, "--label", "resilience"])
        .current_dir(data)
        .env("DATABASE_URL", database_url)
        .env("TOCSIN_DATA_DIR", data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let created: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/services/web-dashboard/integration-keys", server.base))
        .bearer_auth(&token)
        .json(&json!({ "kind": "generic", "label": "resilience" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (token, created["key"].as_str().unwrap().to_owned())
}

/// Senders as monitoring tools are: each sends its events in order, and one not answered 2xx is
/// sent again (after a pause) until it is. Returns the dedup keys answered 2xx.
fn senders(
    base: &str,
    key: &str,
    n: usize,
    stop: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<String>>> {
    (0..n)
        .map(|s| {
            let url = format!("{base}/integrations/generic/{key}");
            let stop = stop.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
                let mut acked = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let dedup = format!("sender{s}-event{n}");
                    let body = json!({ "summary": format!("{dedup} failing"), "dedup_key": dedup, "source": "crash-test" });
                    match client.post(&url).json(&body).send().await {
                        Ok(res) if res.status() == StatusCode::ACCEPTED => {
                            acked.push(dedup);
                            n += 1;
                        }
                        Ok(res) => {
                            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "only 503 is a retry");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                }
                acked
            })
        })
        .collect()
}

async fn settled(pool: &PgPool) {
    for _ in 0..600 {
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM alert_events WHERE processed_at IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("stored events were not all applied within a minute");
}

/// Every acknowledged event is stored, and every stored event applied exactly once: an alert's
/// event count is the number of its stored events.
async fn every_acknowledged_event_is_stored_and_applied_once(pool: &PgPool, acked: &[String]) {
    settled(pool).await;
    let stored: HashSet<String> = sqlx::query_scalar("SELECT DISTINCT dedup_key FROM alert_events")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|k| !stored.contains(*k)).collect();
    assert!(
        lost.is_empty(),
        "{} events answered 202 were lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let miscounted: Vec<(String, i32, i64)> = sqlx::query_as(
        "SELECT a.dedup_key, a.event_count, count(e.id) FROM alerts a
         JOIN alert_events e ON e.alert_id = a.id
         WHERE a.dedup_key = ANY($1)
         GROUP BY a.id HAVING a.event_count <> count(e.id)",
    )
    .bind(acked)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(miscounted.is_empty(), "events applied other than once: {miscounted:?}");
    let unattached: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM alert_events WHERE alert_id IS NULL AND outcome IS NULL AND dedup_key = ANY($1)",
    )
    .bind(acked)
    .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(unattached, 0, "every stored event was applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_twenty_times_under_load_it_loses_no_acknowledged_event_and_applies_each_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::start("crash");
    cluster.create_database().await;
    let data = data_dir("crash");
    let port = free_port();
    let mut server = serve(&data, port, &cluster.url);
    let (_, key) = token_and_key(&server, &data, &cluster.url).await;

    let stop = Arc::new(AtomicBool::new(false));
    let sending = senders(&server.base, &key, 8, stop.clone());
    // Moments spread over 0.2-1.2 s after each start, from a seed that the failure message shows.
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut x = seed;
    for _ in 0..20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        tokio::time::sleep(Duration::from_millis(200 + x % 1000)).await;
        server.kill();
        server = serve(&data, port, &cluster.url);
        server.ready(Duration::from_secs(60)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for s in sending {
        acked.extend(s.await.unwrap());
    }
    assert!(acked.len() > 100, "the senders got through between the kills (seed {seed}): {}", acked.len());

    let pool = PgPool::connect(&cluster.url).await.unwrap();
    every_acknowledged_event_is_stored_and_applied_once(&pool, &acked).await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_postgresql_gone_for_ten_seconds_it_answers_503_and_recovers_by_itself() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::start("outage");
    cluster.create_database().await;
    let data = data_dir("outage");
    let server = serve(&data, free_port(), &cluster.url);
    let (token, key) = token_and_key(&server, &data, &cluster.url).await;
    // While the database is away an answer can take two of the pool's 5 s acquire timeouts (the
    // key looked up again once its cache entry expires, then the commit): the answer must be a
    // 503, and it comes, but not always within 10 s.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let url = format!("{}/integrations/generic/{key}", server.base);
    let send =
        |dedup: &str| client.post(&url).json(&json!({ "summary": "disk full", "dedup_key": dedup })).send();
    assert_eq!(send("before").await.unwrap().status(), StatusCode::ACCEPTED);

    let stop = Arc::new(AtomicBool::new(false));
    let sending = senders(&server.base, &key, 4, stop.clone());
    cluster.run("pause");
    let outage = Instant::now();
    let seen = Arc::new(Mutex::new(HashSet::new()));
    while outage.elapsed() < Duration::from_secs(10) {
        let res = send("during").await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key("retry-after"), "a 503 says when to retry");
        let body = res.text().await.unwrap().to_lowercase();
        for detail in ["sqlx", "postgres", "connection", "pool", "tcp", "refused"] {
            assert!(!body.contains(detail), "no internal detail in the answer: {body}");
        }
        let ready = client.get(format!("{}/readyz", server.base)).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE, "not ready without the database");
        // Customers still read the status page: it is served from the last snapshot.
        let summary = client.get(format!("{}/api/v2/summary.json", server.base)).send().await.unwrap();
        assert_eq!(summary.status(), StatusCode::OK, "the status JSON is served without the database");
        let page = client.get(format!("{}/status", server.base)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "the status page is served without the database");
        assert!(page.text().await.unwrap().contains("As of"), "and says how old it is");
        let api =
            client.get(format!("{}/api/v1/incidents", server.base)).bearer_auth(&token).send().await.unwrap();
        seen.lock().unwrap().insert(api.status().as_u16());
        let body = api.text().await.unwrap().to_lowercase();
        assert!(!body.contains("sqlx") && !body.contains("postgres"), "no internal detail: {body}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(seen.lock().unwrap().iter().all(|s| *s >= 500), "the API fails as the server's fault: {seen:?}");

    cluster.run("resume");
    let back = Instant::now();
    let recovered = server.ready(Duration::from_secs(5)).await;
    loop {
        let res = send("after").await;
        if res.is_ok_and(|r| r.status() == StatusCode::ACCEPTED) {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(5), "ingestion did not recover within 5 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("ready {recovered:?} and accepting {:?} after PostgreSQL came back", back.elapsed());
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked = vec!["before".to_owned(), "after".to_owned()];
    for s in sending {
        acked.extend(s.await.unwrap());
    }
    let pool = PgPool::connect(&cluster.url).await.unwrap();
    every_acknowledged_event_is_stored_and_applied_once(&pool, &acked).await;
    // The escalation the incident started ran each step once: one page per person and step, and
    // one message per page and contact method.
    let twice: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT page_id, contact_method_id FROM notifications WHERE kind = 'page'
                               GROUP BY 1, 2, due_at HAVING count(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(twice, 0, "no escalation step ran twice");
}
