//! `tocsin-bench status`: the public status page under a stampede. Many concurrent readers fetch
//! `/status` and `/api/v2/summary.json` from Tocsin while alert ingestion runs, then the same
//! bytes from nginx serving them as static files on the same machine, through the same load
//! generator. Prints requests/s and p99 for both, and the ratio (the goal: at least 0.5 x nginx).
//!
//! nginx is the physical anchor: nothing serves a static file faster, so the ratio says how close
//! Tocsin's snapshot comes to not being code at all, whatever the machine.

use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use backend::{actor::Actor, services::status_page as page};
use chrono::Utc;
use domain::status::{
    ComponentStatus,
    page::{ComponentChange, GroupInput, NewPublicIncident, ParsedUpdate},
};
use sqlx::PgPool;

/// A page the size of a real one: four groups of five components, a few incidents.
async fn fill(pool: &PgPool) -> Result<()> {
    let actor = Actor::cli();
    let now = Utc::now();
    let since = now - chrono::Duration::days(100);
    let mut components = Vec::new();
    for g in 0..4 {
        let group =
            GroupInput { name: Some(format!("Region {g}")), position: Some(g), collapsed: Some(false) };
        let group = page::create_group(pool, &actor, &group, since).await?;
        for c in 0..5 {
            let change = ComponentChange {
                name: Some(format!("Component {g}.{c}")),
                description: Some("Something customers use.".into()),
                group_id: Some(Some(group.id)),
                position: Some(c),
                ..Default::default()
            };
            components.push(page::create_component(pool, &actor, &change, since).await?.id);
        }
    }
    for (i, days) in [80, 60, 33, 12, 3].into_iter().enumerate() {
        let at = now - chrono::Duration::days(days);
        let target = components[i * 3 % components.len()];
        let first = ParsedUpdate {
            status: domain::status::PublicStatus::Investigating,
            body: "We are investigating errors.".into(),
            components: [(target, ComponentStatus::PartialOutage)].into(),
        };
        let new = NewPublicIncident {
            name: format!("Errors on component {i}"),
            impact: domain::status::Impact::Major,
            update: first,
            incident: None,
        };
        let posted = page::post_incident(pool, &actor, &new, "", at).await?;
        let resolved = ParsedUpdate {
            status: domain::status::PublicStatus::Resolved,
            body: "Resolved.".into(),
            components: [(target, ComponentStatus::Operational)].into(),
        };
        page::post_update(pool, &actor, &posted.public_id, &resolved, "", at + chrono::Duration::minutes(45))
            .await?;
    }
    Ok(())
}

struct Figures {
    per_second: f64,
    p99_ms: f64,
    errors: usize,
}

/// `readers` concurrent clients each fetching `url` in a loop for `seconds`.
async fn load(url: &str, readers: usize, seconds: u64) -> Figures {
    let client = reqwest::Client::builder().pool_max_idle_per_host(readers).build().expect("client");
    let until = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..readers)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move {
                let (mut times, mut errors) = (Vec::new(), 0usize);
                while Instant::now() < until {
                    let started = Instant::now();
                    match client.get(&url).send().await {
                        Ok(res) if res.status().is_success() => {
                            if res.bytes().await.is_err() {
                                errors += 1;
                            }
                            times.push(started.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (mut times, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (mut t, e) = t.await.expect("reader");
        times.append(&mut t);
        errors += e;
    }
    times.sort_unstable();
    let p99 = times.get(times.len().saturating_mul(99) / 100).copied().unwrap_or_default();
    Figures { per_second: times.len() as f64 / seconds as f64, p99_ms: p99.as_secs_f64() * 1000.0, errors }
}

/// nginx serving `www` on a free loopback port, from a folder of its own.
fn nginx(dir: &std::path::Path) -> Result<(Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let conf = format!(
        "worker_processes auto;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 4096; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000;\n  types {{ text/html html; application/json json; }}\n\
           server {{\n    listen 127.0.0.1:{port};\n    root {d}/www;\n  }}\n}}\n",
        d = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf)?;
    let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("nginx");
    let child = Command::new(binary)
        .args([
            "-p",
            &dir.display().to_string(),
            "-c",
            &dir.join("nginx.conf").display().to_string(),
            "-g",
            "daemon off;",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting nginx (scripts/install-tools.sh bench installs it)")?;
    Ok((child, format!("http://127.0.0.1:{port}")))
}

pub async fn run(pool: &PgPool, base: &str, readers: usize, seconds: u64) -> Result<()> {
    println!("filling the status page: 4 groups, 20 components, 90 days of history…");
    fill(pool).await?;
    let client = reqwest::Client::new();
    // The snapshot is rebuilt in the background after the changes: wait until it shows them.
    let mut summary = String::new();
    for _ in 0..200 {
        summary = client.get(format!("{base}/api/v2/summary.json")).send().await?.text().await?;
        if summary.matches("\"group\":true").count() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = client.get(format!("{base}/status")).send().await?.text().await?;
    if !page.contains("Component 3.4") {
        bail!("the status page does not show the components");
    }

    // The same bytes as static files.
    let dir = std::env::temp_dir().join(format!("tocsin-bench-nginx-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("www/api/v2"))?;
    std::fs::write(dir.join("www/status.html"), &page)?;
    std::fs::write(dir.join("www/api/v2/summary.json"), &summary)?;
    let (mut nginx, static_base) = nginx(&dir)?;
    for _ in 0..100 {
        if client
            .get(format!("{static_base}/api/v2/summary.json"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Alert ingestion runs throughout, as it would during the outage the page reports.
    let keys = crate::ingest::setup(pool, base, 2).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let ingesting = {
        let (stop, base, keys) = (stop.clone(), base.to_owned(), keys.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let body = crate::ingest::body(&keys[n % keys.len()], &format!("storm-{}", n % 50));
                let _ = client
                    .post(format!("{base}/v2/enqueue"))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                n += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            n
        })
    };

    println!("{readers} concurrent readers, {seconds} s per measurement, alert ingestion running");
    println!("{:<28} {:>12} {:>10} {:>8}", "", "requests/s", "p99 ms", "errors");
    let mut ratios = Vec::new();
    for (label, tocsin, file) in [
        ("/status", format!("{base}/status"), format!("{static_base}/status.html")),
        (
            "/api/v2/summary.json",
            format!("{base}/api/v2/summary.json"),
            format!("{static_base}/api/v2/summary.json"),
        ),
    ] {
        let ours = load(&tocsin, readers, seconds).await;
        let theirs = load(&file, readers, seconds).await;
        println!(
            "{:<28} {:>12.0} {:>10.1} {:>8}",
            format!("Tocsin {label}"),
            ours.per_second,
            ours.p99_ms,
            ours.errors
        );
        println!(
            "{:<28} {:>12.0} {:>10.1} {:>8}",
            format!("nginx, same bytes"),
            theirs.per_second,
            theirs.p99_ms,
            theirs.errors
        );
        let ratio = ours.per_second / theirs.per_second.max(1.0);
        println!("{:<28} {:>12.2}   (goal: at least 0.50)", "ratio", ratio);
        ratios.push(ratio);
    }
    stop.store(true, Ordering::Relaxed);
    let sent = ingesting.await.unwrap_or_default();
    println!("alert events sent meanwhile: {sent}");
    let _ = nginx.kill();
    let _ = nginx.wait();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
