//! A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`, installed by
//! scripts/install-tools.sh) pointed at Tocsin through both receivers the README shows: the
//! webhook receiver and the PagerDuty receiver. Alerts posted to Alertmanager open incidents in
//! Tocsin; when they resolve, Alertmanager's resolved notifications resolve the incidents. This is
//! the compatibility the alert tests assert from recorded payloads, checked against the sender.

use crate::common;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use common::spawn_app;
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Debian's Alertmanager, found on PATH like any other tool.
fn alertmanager_binary() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("prometheus-alertmanager"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "prometheus-alertmanager is not on PATH: scripts/install-tools.sh installs it \
                 (make test runs it)"
            )
        })
}

/// Alertmanager as a child process, stopped with the test.
struct Alertmanager {
    child: Child,
    dir: PathBuf,
    base: String,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Alertmanager {
    fn start(config: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tocsin-alertmanager-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("alertmanager.yml"), config).unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("alertmanager.log")).unwrap();
        let child = Command::new(alertmanager_binary())
            .arg(format!("--config.file={}", dir.join("alertmanager.yml").display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // A single Alertmanager: no gossip port, no waiting for peers.
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Alertmanager { child, dir, base: format!("http://127.0.0.1:{port}") }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("alertmanager.log")).unwrap_or_default()
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(res) = reqwest::get(format!("{}/-/ready", self.base)).await
                && res.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("Alertmanager did not start; its log:\n{}", self.log());
    }

    /// What Prometheus does: posts the alerts it evaluates to Alertmanager's API.
    async fn post_alerts(&self, alerts: Value) {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", self.base))
            .json(&alerts)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }
}

fn alert(name: &str, instance: &str, severity: &str, via: &str, summary: &str, ends: Option<&str>) -> Value {
    let mut a = json!({
        "labels": { "alertname": name, "instance": instance, "severity": severity, "via": via },
        "annotations": { "summary": summary },
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=up",
    });
    if let Some(ends) = ends {
        a["endsAt"] = json!(ends);
    }
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_alertmanager_opens_and_resolves_incidents_through_both_receivers() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let admin = app.token_for(&admin).await;
    let api = |method: Method, path: &'static str, body: Option<Value>| {
        let (app, admin) = (&app, &admin);
        async move {
            let (s, b) = app.api(method, admin, path, body).await;
            assert!(s.is_success(), "{path}: {s} {b}");
            b
        }
    };
    api(Method::POST, "/api/v1/teams", Some(json!({ "name": "Storage" }))).await;
    api(Method::POST, "/api/v1/services", Some(json!({ "name": "Database", "team": "storage" }))).await;
    // One incident per alert, so each receiver's alert is seen on its own.
    api(Method::PATCH, "/api/v1/services/database", Some(json!({ "ingestion": { "grouping": "alert" } })))
        .await;
    let key = |kind: &'static str| {
        let api = &api;
        async move {
            let b = api(
                Method::POST,
                "/api/v1/services/database/integration-keys",
                Some(json!({ "kind": kind, "label": kind })),
            )
            .await;
            b["key"].as_str().unwrap().to_owned()
        }
    };
    let webhook_key = key("alertmanager").await;
    let pagerduty_key = key("events_v2").await;

    // The configuration the README and the service page hand out, with short timers.
    let config = format!(
        r#"
route:
  receiver: tocsin-webhook
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['via="pagerduty"']
      receiver: tocsin-pagerduty
receivers:
  - name: tocsin-webhook
    webhook_configs:
      - url: {base}/integrations/alertmanager/{webhook_key}
        send_resolved: true
  - name: tocsin-pagerduty
    pagerduty_configs:
      - url: {base}/v2/enqueue
        routing_key: {pagerduty_key}
        send_resolved: true
"#,
        base = app.base
    );
    let am = Alertmanager::start(&config);
    am.wait_ready().await;

    let firing = [
        ("DiskFull", "db-1", "critical", "webhook", "Disk 95% full on db-1"),
        ("ReplicationLag", "db-2", "warning", "pagerduty", "Replica db-2 is 40 s behind"),
    ];
    am.post_alerts(json!(
        firing.iter().map(|(n, i, s, v, sum)| alert(n, i, s, v, sum, None)).collect::<Vec<_>>()
    ))
    .await;

    // Both arrive and open an incident each.
    let incidents = |status: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let (_, b) =
                app.api(Method::GET, admin, &format!("/api/v1/incidents?status={status}"), None).await;
            b["incidents"].as_array().cloned().unwrap_or_default()
        }
    };
    // The incidents of `status` once there are two of them (or what there is after 30 s).
    let two = |status: &'static str| {
        let incidents = &incidents;
        async move {
            let mut found = Vec::new();
            for _ in 0..300 {
                found = incidents(status).await;
                if found.len() == 2 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            found
        }
    };
    let open = two("open").await;
    assert_eq!(open.len(), 2, "incidents: {open:#?}\nAlertmanager log:\n{}", am.log());
    let titled = |needle: &str| {
        open.iter()
            .find(|i| i["title"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no incident mentions {needle}: {open:#?}"))
            .clone()
    };
    // The webhook carries the summary annotation; the PagerDuty receiver sends Alertmanager's
    // own description, which names the alert.
    let disk = titled("Disk 95% full on db-1");
    let lag = titled("ReplicationLag");
    assert_eq!(disk["status"], "triggered");
    assert_eq!(disk["severity"], "SEV2", "critical maps to SEV2 by default");
    assert_eq!(lag["status"], "triggered");
    let (_, alerts) = app.api(Method::GET, &admin, "/api/v1/alerts?service=database", None).await;
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 2, "{alerts:#}");

    // Prometheus sees both recover: it posts them again, ending now. (Not earlier: a resolve
    // stamped before the alert's start would be a stale resolve, which Tocsin ignores.)
    // A real Alertmanager runs on the wall clock, so its "ended" is stamped from it too.
    let ended = chrono::Utc::now().to_rfc3339();
    am.post_alerts(json!(
        firing.iter().map(|(n, i, s, v, sum)| alert(n, i, s, v, sum, Some(&ended))).collect::<Vec<_>>()
    ))
    .await;

    // Nobody acted on them, so the resolved notifications resolve both incidents.
    let resolved = two("resolved").await;
    assert_eq!(resolved.len(), 2, "resolved: {resolved:#?}\nAlertmanager log:\n{}", am.log());
    assert!(incidents("open").await.is_empty());
}

/// A large Alertmanager: three groups of 1,000 alerts each, every group one webhook notification.
/// Tocsin takes each batch whole (the key's burst is 2,000, so the third group finds the key in
/// debt and gets a 503, which Alertmanager retries); every alert arrives, none is lost to a 4xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_alertmanager_sending_groups_of_a_thousand_alerts_loses_none() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let admin = app.token_for(&admin).await;
    for (path, body) in [
        ("/api/v1/teams", json!({ "name": "Fleet" })),
        ("/api/v1/services", json!({ "name": "Hosts", "team": "fleet" })),
    ] {
        let (s, b) = app.api(Method::POST, &admin, path, Some(body)).await;
        assert!(s.is_success(), "{path}: {s} {b}");
    }
    let (_, key) = app
        .api(
            Method::POST,
            &admin,
            "/api/v1/services/hosts/integration-keys",
            Some(json!({ "kind": "alertmanager", "label": "fleet" })),
        )
        .await;
    let key = key["key"].as_str().unwrap().to_owned();
    let config = format!(
        r#"
route:
  receiver: tocsin
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: tocsin
    webhook_configs:
      - url: {base}/integrations/alertmanager/{key}
        send_resolved: true
"#,
        base = app.base
    );
    let am = Alertmanager::start(&config);
    am.wait_ready().await;
    let alerts: Vec<Value> = ["NodeDown", "DiskFull", "HighLoad"]
        .iter()
        .flat_map(|name| {
            (0..1000).map(move |i| {
                alert(
                    name,
                    &format!("host-{i:04}"),
                    "warning",
                    "webhook",
                    &format!("{name} on host-{i:04}"),
                    None,
                )
            })
        })
        .collect();
    am.post_alerts(json!(alerts)).await;

    let mut stored = 0;
    for _ in 0..600 {
        stored =
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM alerts").fetch_one(&app.pool).await.unwrap();
        if stored == 3000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored, 3000, "alerts stored; Alertmanager log:\n{}", am.log());
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM alert_events WHERE outcome LIKE 'unreadable%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(refused, 0);
}
