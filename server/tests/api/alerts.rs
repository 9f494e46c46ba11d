//! Alert ingestion against a real database through the real HTTP stack: integration keys, the
//! PagerDuty, Alertmanager and generic endpoints with their exact answers, refused input writing
//! nothing, dedup, grouping, automatic resolution, flapping, stale resolves, storms, severity
//! mapping and the per-key rate limit.

use crate::common;

use std::time::Duration;

use common::{TestApp, spawn_app};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Setup {
    app: TestApp,
    admin: String,
    responder: String,
}

/// An app with a team, the service `checkout`, an admin and a responder.
async fn setup() -> Setup {
    setup_on(spawn_app().await).await
}

async fn setup_on(app: TestApp) -> Setup {
    let admin = app.user("root@example.com", Role::Admin).await;
    let admin = app.token_for(&admin).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let responder = app.token_for(&ada).await;
    let (s, b) = app.api(Method::POST, &admin, "/api/v1/teams", Some(json!({ "name": "Payments" }))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .api(
            Method::POST,
            &admin,
            "/api/v1/services",
            Some(json!({ "name": "Checkout", "team": "payments" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    Setup { app, admin, responder }
}

impl Setup {
    async fn key(&self, kind: &str) -> String {
        let (s, b) = self
            .app
            .api(
                Method::POST,
                &self.admin,
                "/api/v1/services/checkout/integration-keys",
                Some(json!({ "kind": kind, "label": format!("{kind} prod") })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["key"].as_str().unwrap().to_owned()
    }

    async fn settings(&self, ingestion: Value) {
        let (s, b) = self
            .app
            .api(
                Method::PATCH,
                &self.admin,
                "/api/v1/services/checkout",
                Some(json!({ "ingestion": ingestion })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = reqwest::Client::new().post(self.app.url(path)).json(&body).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn pd(&self, key: &str, action: &str, dedup: &str, extra: Value) -> Value {
        let mut body = json!({ "routing_key": key, "event_action": action, "dedup_key": dedup });
        if action == "trigger" {
            body["payload"] =
                json!({ "summary": format!("{dedup} is failing"), "source": "prom-1", "severity": "error" });
        }
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let (s, b) = self.post("/v2/enqueue", body).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        b
    }

    /// Waits until the processor has applied every stored event.
    async fn settled(&self) {
        for _ in 0..200 {
            let pending: i64 =
                sqlx::query_scalar("SELECT count(*) FROM alert_events WHERE processed_at IS NULL")
                    .fetch_one(&self.app.pool)
                    .await
                    .unwrap();
            if pending == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("alert events were not processed within 5 s");
    }

    async fn alerts(&self, query: &str) -> Vec<Value> {
        self.settled().await;
        let (s, b) =
            self.app.api(Method::GET, &self.responder, &format!("/api/v1/alerts?{query}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        b["alerts"].as_array().unwrap().clone()
    }

    async fn incident(&self, number: &str) -> Value {
        self.settled().await;
        let (s, b) =
            self.app.api(Method::GET, &self.responder, &format!("/api/v1/incidents/{number}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        b
    }

    async fn incident_count(&self) -> i64 {
        self.settled().await;
        sqlx::query_scalar("SELECT count(*) FROM incidents").fetch_one(&self.app.pool).await.unwrap()
    }

    async fn timeline(&self, number: &str) -> Vec<String> {
        let (_, b) = self
            .app
            .api(Method::GET, &self.responder, &format!("/api/v1/incidents/{number}/timeline"), None)
            .await;
        b.as_array().unwrap().iter().map(|e| e["body"].as_str().unwrap().to_owned()).collect()
    }

    async fn stored_events(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM alert_events").fetch_one(&self.app.pool).await.unwrap()
    }
}

#[tokio::test]
async fn keys_are_shown_once_listed_without_secret_revocable_and_admin_only() {
    let s = setup().await;
    let path = "/api/v1/services/checkout/integration-keys";
    let (st, created) = s
        .app
        .api(
            Method::POST,
            &s.admin,
            path,
            Some(json!({ "kind": "alertmanager", "label": "Prometheus prod" })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let key = created["key"].as_str().unwrap();
    assert_eq!(key.len(), 32);
    assert!(key.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(created["url"], json!(s.app.url(&format!("/integrations/alertmanager/{key}"))));
    assert!(created["snippets"][0]["text"].as_str().unwrap().contains("webhook_configs"));
    assert_eq!(created["prefix"], json!(&key[..4]));

    let (st, list) = s.app.api(Method::GET, &s.admin, path, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(key), "the list never shows the secret");
    assert_eq!(list[0]["label"], "Prometheus prod");
    assert_eq!(list[0]["created_by"], "Root");

    // Only admins manage keys.
    let (st, _) = s.app.api(Method::GET, &s.responder, path, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) =
        s.app.api(Method::POST, &s.responder, path, Some(json!({ "kind": "generic", "label": "x" }))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) =
        s.app.api(Method::POST, &s.admin, path, Some(json!({ "kind": "nagios", "label": "x" }))).await;
    assert_eq!((st, b["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
    let (st, _) = s
        .app
        .api(
            Method::POST,
            &s.admin,
            "/api/v1/services/nope/integration-keys",
            Some(json!({ "kind": "generic", "label": "x" })),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The key works until revoked, then gets the same answer as a key that never existed.
    let batch = json!({ "version": "4", "status": "firing", "alerts": [] });
    let (st, _) = s.post(&format!("/integrations/alertmanager/{key}"), batch.clone()).await;
    assert_eq!(st, StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    let (st, revoked) = s.app.api(Method::DELETE, &s.admin, &format!("{path}/{id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(revoked["revoked_at"].is_string());
    let (st, gone) = s.post(&format!("/integrations/alertmanager/{key}"), batch.clone()).await;
    let (st2, never) = s.post("/integrations/alertmanager/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", batch).await;
    assert_eq!((st, st2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(gone, never);
    let (st, _) = s.app.api(Method::DELETE, &s.admin, &format!("{path}/{id}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a revoked key cannot be revoked again");
    assert_eq!(
        s.app.audit_actions("checkout").await,
        vec!["integration_key.create", "integration_key.revoke"]
    );
}

/// Revoking from the UI (the server fn the key page calls) is refused at once on that instance,
/// exactly like the REST path: both clear the instance's one key cache.
#[tokio::test]
async fn a_key_revoked_from_the_ui_is_refused_at_once() {
    use leptos::server_fn::ServerFn;
    let s = setup().await;
    let key = s.key("alertmanager").await;
    let batch = json!({ "version": "4", "status": "firing", "alerts": [] });
    let path = format!("/integrations/alertmanager/{key}");
    let (st, _) = s.post(&path, batch.clone()).await;
    assert_eq!(st, StatusCode::OK, "the key works and is now in the cache");
    let (_, list) =
        s.app.api(Method::GET, &s.admin, "/api/v1/services/checkout/integration-keys", None).await;
    let id = list[0]["id"].as_str().unwrap();
    let res = reqwest::Client::new()
        .post(s.app.url(<app::api::integration_keys::RevokeIntegrationKey as ServerFn>::PATH))
        .bearer_auth(&s.admin)
        .form(&[("slug", "checkout"), ("id", id)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let (st, _) = s.post(&path, batch).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "refused within the cache's lifetime");
}

#[tokio::test]
async fn pagerduty_trigger_repeat_acknowledge_resolve_and_retrigger() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    let body = json!({
        "routing_key": key, "event_action": "trigger", "dedup_key": "disk/db-1",
        "payload": {"summary": "Disk 95% on db-1", "source": "db-1", "severity": "critical",
                    "custom_details": {"free": "5%"}},
        "links": [{"href": "https://grafana.example/d/1", "text": "Dashboard"}],
        "client": "Prometheus"
    });
    let (st, answer) = s.post("/v2/enqueue", body.clone()).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(answer, json!({"status": "success", "message": "Event processed", "dedup_key": "disk/db-1"}));
    // Stored before the answer: the row is there whether or not the processor has run.
    assert_eq!(s.stored_events().await, 1);

    let alerts = s.alerts("service=checkout").await;
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert["status"], "triggered");
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["payload"]["details"], json!({"free": "5%"}));
    let number = alert["incident"].as_str().unwrap().to_owned();
    let incident = s.incident(&number).await;
    assert_eq!(incident["title"], "Disk 95% on db-1");
    assert_eq!(incident["severity"], "SEV2", "critical maps to SEV2");
    assert_eq!(incident["services"], json!(["checkout"]));
    assert_eq!(s.app.audit_actions(&number).await, vec!["incident.declare"]);

    // Repeats count; no new alert, no new incident.
    s.post("/v2/enqueue", body.clone()).await;
    s.post("/v2/enqueue", body.clone()).await;
    let alerts = s.alerts("service=checkout").await;
    assert_eq!((alerts.len(), alerts[0]["event_count"].as_i64()), (1, Some(3)));
    assert_eq!(s.incident_count().await, 1);

    // Acknowledge at the source acknowledges the alert and its incident.
    s.pd(&key, "acknowledge", "disk/db-1", json!({})).await;
    assert_eq!(s.alerts("").await[0]["status"], "acknowledged");
    assert_eq!(s.incident(&number).await["status"], "acknowledged");

    // Resolve: no person acted, so the incident resolves itself.
    s.pd(&key, "resolve", "disk/db-1", json!({})).await;
    assert_eq!(s.alerts("").await[0]["status"], "resolved");
    assert_eq!(s.incident(&number).await["status"], "resolved");
    let timeline = s.timeline(&number).await;
    assert!(timeline.iter().any(|t| t.contains("resolved automatically")), "{timeline:?}");
    assert!(timeline.iter().any(|t| t.starts_with("Alert attached: Disk 95% on db-1")), "{timeline:?}");

    // A trigger after the resolve is a new alert and a new incident.
    s.post("/v2/enqueue", body).await;
    let alerts = s.alerts("service=checkout&status=open").await;
    assert_eq!(alerts.len(), 1);
    assert_ne!(alerts[0]["incident"].as_str().unwrap(), number);
    assert_eq!(s.incident_count().await, 2);

    // The alert's history lists every event with what it did.
    let id = alerts[0]["id"].as_i64().unwrap();
    let (_, detail) = s.app.api(Method::GET, &s.responder, &format!("/api/v1/alerts/{id}"), None).await;
    assert_eq!(detail["events"][0]["outcome"], "opened");
    let (_, old) = s.app.api(Method::GET, &s.responder, &format!("/api/v1/alerts/{}", id - 1), None).await;
    let outcomes: Vec<&str> =
        old["events"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, vec!["resolved", "acknowledged", "repeat", "repeat", "opened"]);
}

#[tokio::test]
async fn a_trigger_without_dedup_key_gets_one_back() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    let (st, answer) = s
        .post(
            "/v2/enqueue",
            json!({"routing_key": key, "event_action": "trigger",
                   "payload": {"summary": "s", "source": "h", "severity": "info"}}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let dedup = answer["dedup_key"].as_str().unwrap();
    assert_eq!(dedup.len(), 32);
    assert_eq!(s.alerts("").await[0]["dedup_key"], dedup);
}

#[tokio::test]
async fn refused_events_get_pagerduty_answers_and_write_nothing() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    let client = reqwest::Client::new();
    let url = s.app.url("/v2/enqueue");

    let (st, b) = s
        .post(
            "/v2/enqueue",
            json!({"routing_key": key, "event_action": "trigger",
        "payload": {"summary": "", "severity": "fatal"}}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(
        b,
        json!({"status": "invalid event", "message": "Event object is invalid", "errors": [
            "'payload.summary' is missing or blank",
            "'payload.source' is missing or blank",
            "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"
        ]})
    );
    let (st, b) = s
        .post(
            "/v2/enqueue",
            json!({"routing_key": key, "event_action": "resolve", "dedup_key": "x".repeat(256)}),
        )
        .await;
    assert_eq!(
        (st, b["errors"].clone()),
        (StatusCode::BAD_REQUEST, json!(["Length of 'dedup_key' must not exceed 255 characters"]))
    );
    let (st, b) = s.post("/v2/enqueue", json!({"event_action": "trigger"})).await;
    assert_eq!(
        (st, b["errors"][0].clone()),
        (StatusCode::BAD_REQUEST, json!("'routing_key' is missing or blank"))
    );

    // An unknown key, a key of another kind: 404 with no hint which.
    let other = s.key("generic").await;
    let trigger = |k: &str| {
        json!({"routing_key": k, "event_action": "trigger",
        "payload": {"summary": "s", "source": "h", "severity": "info"}})
    };
    let (st, unknown) = s.post("/v2/enqueue", trigger("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")).await;
    let (st2, wrong_kind) = s.post("/v2/enqueue", trigger(&other)).await;
    assert_eq!((st, st2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(unknown, wrong_kind);

    // Wrong content type, malformed JSON, too large.
    let res = client
        .post(&url)
        .header("content-type", "text/plain")
        .body(trigger(&key).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["errors"], json!(["Content-Type must be application/json"]));
    let res = client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"routing_key\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b: Value = res.json().await.unwrap();
    assert!(b["errors"][0].as_str().unwrap().starts_with("Malformed JSON"), "{b}");
    let mut big = trigger(&key);
    big["payload"]["custom_details"] = json!({ "blob": "x".repeat(600 * 1024) });
    let res = client.post(&url).json(&big).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(s.stored_events().await, 0, "nothing refused is stored");
    let alerts: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts").fetch_one(&s.app.pool).await.unwrap();
    assert_eq!(alerts, 0);
}

fn am_alert(fingerprint: &str, status: &str, instance: &str, starts: &str, ends: &str) -> Value {
    json!({
        "status": status,
        "labels": {"alertname": "HighLatency", "instance": instance, "severity": "warning", "job": "api"},
        "annotations": {"summary": format!("p99 above 2s on {instance}")},
        "startsAt": starts, "endsAt": ends,
        "generatorURL": "http://prometheus:9090/graph?g0.expr=latency", "fingerprint": fingerprint
    })
}

fn am_batch(status: &str, alerts: Vec<Value>) -> Value {
    json!({
        "version": "4", "groupKey": "{}:{alertname=\"HighLatency\"}", "truncatedAlerts": 0,
        "status": status, "receiver": "tocsin", "groupLabels": {"alertname": "HighLatency"},
        "commonLabels": {"alertname": "HighLatency"}, "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093", "alerts": alerts
    })
}

#[tokio::test]
async fn alertmanager_batches_group_into_one_incident_and_resolve_it() {
    let s = setup().await;
    let key = s.key("alertmanager").await;
    let path = format!("/integrations/alertmanager/{key}");
    let zero = "0001-01-01T00:00:00Z";
    let firing = am_batch(
        "firing",
        vec![
            am_alert("fp-api-1", "firing", "api-1", "2026-11-21T03:00:00Z", zero),
            am_alert("fp-api-2", "firing", "api-2", "2026-11-21T03:00:30Z", zero),
        ],
    );
    let (st, b) = s.post(&path, firing.clone()).await;
    assert_eq!((st, b), (StatusCode::OK, json!({"status": "success", "alerts": 2, "rejected": []})));
    let alerts = s.alerts("service=checkout").await;
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0]["incident"], alerts[1]["incident"], "grouped by service");
    let number = alerts[0]["incident"].as_str().unwrap().to_owned();
    assert_eq!(s.incident(&number).await["severity"], "SEV4", "warning maps to SEV4");

    // Alertmanager repeats the same notification: counted, nothing new.
    s.post(&path, firing).await;
    assert_eq!(s.incident_count().await, 1);
    assert!(s.alerts("").await.iter().all(|a| a["event_count"] == 2));

    // One resolves: the incident stays open while the other fires.
    let one = am_batch(
        "resolved",
        vec![am_alert("fp-api-1", "resolved", "api-1", "2026-11-21T03:00:00Z", "2026-11-21T03:10:00Z")],
    );
    s.post(&path, one).await;
    assert_eq!(s.incident(&number).await["status"], "triggered");
    let two = am_batch(
        "resolved",
        vec![am_alert("fp-api-2", "resolved", "api-2", "2026-11-21T03:00:30Z", "2026-11-21T03:11:00Z")],
    );
    s.post(&path, two).await;
    assert_eq!(s.incident(&number).await["status"], "resolved");

    // Alertmanager drops a group on any 4xx: a bad alert costs only itself. The good ones are
    // stored, the bad ones named in the 200.
    let before = s.stored_events().await;
    let good = am_alert("fp-db-1", "firing", "db-1", "2026-11-21T04:00:00Z", "0001-01-01T00:00:00Z");
    let (st, b) = s
        .post(
            &path,
            json!({"version": "4", "alerts": [{"status": "pending", "labels": {}}, good,
                {"status": "firing", "labels": {"alertname": "Nul\u{0}"}}]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["alerts"], 1);
    assert_eq!(
        b["rejected"],
        json!([
            "'alerts[0].status' must be firing or resolved",
            "'alerts[2].labels.alertname' must not contain U+0000 (a NUL character)"
        ])
    );
    assert_eq!(s.stored_events().await, before + 1);
    // A body that is not a batch at all is still a 400, and writes nothing.
    let (st, _) = s.post(&path, json!({"version": "4"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(s.stored_events().await, before + 1);

    // The service's owners see every refusal on the service page, newest first, with the key.
    let (st, list) =
        s.app.api(Method::GET, &s.responder, "/api/v1/services/checkout/rejected-events", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let reasons: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons.len(), 3, "{list}");
    assert!(reasons[0].contains("alerts"), "the malformed batch, last sent: {}", reasons[0]);
    assert!(reasons[1..].contains(&"'alerts[0].status' must be firing or resolved"));
    assert_eq!(list[0]["key_label"], "alertmanager prod");
    let (st, _) =
        s.app.api(Method::GET, &s.responder, "/api/v1/services/nowhere/rejected-events", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_grafana_webhook_is_accepted() {
    let s = setup().await;
    let key = s.key("alertmanager").await;
    let mut body = am_batch(
        "firing",
        vec![am_alert("g-1", "firing", "web-1", "2026-11-21T03:00:00Z", "0001-01-01T00:00:00Z")],
    );
    body["version"] = json!("1");
    body["orgId"] = json!(1);
    body["title"] = json!("[FIRING:1] HighLatency");
    body["state"] = json!("alerting");
    body["alerts"][0]["dashboardURL"] = json!("http://grafana/d/abc");
    let (st, _) = s.post(&format!("/integrations/alertmanager/{key}"), body).await;
    assert_eq!(st, StatusCode::OK);
    let alerts = s.alerts("").await;
    assert_eq!(alerts[0]["payload"]["client"], "Grafana");
}

#[tokio::test]
async fn once_a_person_acted_the_incident_stays_theirs() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    s.pd(&key, "trigger", "cpu", json!({})).await;
    let number = s.alerts("").await[0]["incident"].as_str().unwrap().to_owned();
    let (st, b) = s
        .app
        .api(
            Method::POST,
            &s.responder,
            &format!("/api/v1/incidents/{number}/transitions"),
            Some(json!({"to": "acknowledged"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    s.pd(&key, "resolve", "cpu", json!({})).await;
    let incident = s.incident(&number).await;
    assert_eq!(incident["status"], "acknowledged");
    let timeline = s.timeline(&number).await;
    assert!(
        timeline.iter().any(|t| t.starts_with("All alerts resolved; the incident stays open")),
        "{timeline:?}"
    );
}

#[tokio::test]
async fn a_person_resolving_the_incident_resolves_its_alerts() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    s.pd(&key, "trigger", "mem", json!({})).await;
    let number = s.alerts("").await[0]["incident"].as_str().unwrap().to_owned();
    s.app
        .api(
            Method::POST,
            &s.responder,
            &format!("/api/v1/incidents/{number}/transitions"),
            Some(json!({"to": "resolved"})),
        )
        .await;
    assert_eq!(s.alerts("").await[0]["status"], "resolved");
    // Still firing at the source: a new alert, a new incident.
    s.pd(&key, "trigger", "mem", json!({})).await;
    assert_eq!(s.alerts("status=open").await.len(), 1);
    assert_eq!(s.incident_count().await, 2);
}

#[tokio::test]
async fn a_resolve_older_than_the_latest_fire_is_ignored() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    let now = s.app.now();
    let at = |mins: i64| (now - chrono::Duration::minutes(mins)).to_rfc3339();
    let mut fire = json!({"routing_key": key, "event_action": "trigger", "dedup_key": "lag",
        "payload": {"summary": "replication lag", "source": "db-2", "severity": "error", "timestamp": at(5)}});
    s.post("/v2/enqueue", fire.clone()).await;
    // A resolve from an earlier firing, delivered late.
    let (st, _) = s
        .post(
            "/v2/enqueue",
            json!({"routing_key": key, "event_action": "resolve", "dedup_key": "lag",
            "payload": {"summary": "x", "source": "db-2", "severity": "error", "timestamp": at(10)}}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let alerts = s.alerts("").await;
    assert_eq!(alerts[0]["status"], "triggered");
    let (_, detail) =
        s.app.api(Method::GET, &s.responder, &format!("/api/v1/alerts/{}", alerts[0]["id"]), None).await;
    assert!(detail["events"][0]["outcome"].as_str().unwrap().starts_with("stale resolve ignored"));
    fire["payload"]["timestamp"] = json!(at(1));
    s.post("/v2/enqueue", fire).await;
    s.pd(&key, "resolve", "lag", json!({})).await;
    assert_eq!(s.alerts("").await[0]["status"], "resolved");
}

#[tokio::test]
async fn an_alert_that_keeps_re_firing_is_held_open_as_flapping() {
    let s = setup().await;
    s.settings(json!({ "flap_limit": 2, "flap_window_minutes": 30 })).await;
    let key = s.key("events_v2").await;
    for _ in 0..3 {
        s.pd(&key, "trigger", "flappy", json!({})).await;
        s.pd(&key, "resolve", "flappy", json!({})).await;
    }
    assert_eq!(s.alerts("status=open").await.len(), 0);
    let incidents_before = s.incident_count().await;
    // The third re-fire in the window: more than the limit of 2.
    s.pd(&key, "trigger", "flappy", json!({})).await;
    let open = s.alerts("status=open").await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["flapping"], true);
    // Its resolves are deferred and its re-fires are repeats: no new alert, no new incident.
    for _ in 0..3 {
        s.pd(&key, "resolve", "flappy", json!({})).await;
        s.pd(&key, "trigger", "flappy", json!({})).await;
    }
    s.pd(&key, "resolve", "flappy", json!({})).await;
    let open = s.alerts("status=open").await;
    assert_eq!((open.len(), open[0]["event_count"].as_i64()), (1, Some(4)));
    assert!(s.incident_count().await <= incidents_before + 1);

    // Quiet for a whole flap window: it resolves (moved back in time rather than waiting).
    sqlx::query("UPDATE alerts SET quiet_since = quiet_since - interval '31 minutes' WHERE flapping")
        .execute(&s.app.pool)
        .await
        .unwrap();
    s.app.tick().await;
    assert_eq!(s.alerts("status=open").await.len(), 0);
}

#[tokio::test]
async fn alert_storms_open_one_storm_incident_instead_of_many() {
    let s = setup().await;
    s.settings(json!({ "grouping": "alert", "storm_limit": 2, "storm_window_minutes": 10 })).await;
    let key = s.key("generic").await;
    for i in 0..6 {
        let (st, b) = s
            .post(
                &format!("/integrations/generic/{key}"),
                json!({"summary": format!("node-{i} down"), "dedup_key": format!("node-{i}")}),
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED, "{b}");
        s.settled().await;
    }
    let (_, page) = s.app.api(Method::GET, &s.responder, "/api/v1/incidents?status=open", None).await;
    let titles: Vec<&str> =
        page["incidents"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles.contains(&"Alert storm on Checkout"), "{titles:?}");
    let storm = page["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Alert storm on Checkout")
        .unwrap();
    let storm_alerts = s.alerts(&format!("incident={}", storm["number"].as_str().unwrap())).await;
    assert_eq!(storm_alerts.len(), 4);
}

#[tokio::test]
async fn severity_follows_the_service_mapping_and_rises_with_worse_alerts() {
    let s = setup().await;
    s.settings(
        json!({ "severity_map": {"critical": "SEV2", "error": "SEV3", "warning": "SEV3", "info": "SEV5"} }),
    )
    .await;
    let key = s.key("generic").await;
    let path = format!("/integrations/generic/{key}");
    s.post(&path, json!({"summary": "slow", "severity": "warning", "dedup_key": "a"})).await;
    let number = s.alerts("").await[0]["incident"].as_str().unwrap().to_owned();
    assert_eq!(s.incident(&number).await["severity"], "SEV3");
    s.post(&path, json!({"summary": "down", "severity": "critical", "dedup_key": "b"})).await;
    let incident = s.incident(&number).await;
    assert_eq!(incident["severity"], "SEV2", "a critical alert joined: raised, never to SEV1");
    assert!(s.timeline(&number).await.iter().any(|t| t.starts_with("Escalated SEV3 -> SEV2")));

    // SEV1 is never automatic.
    let (st, b) = s
        .app
        .api(Method::PATCH, &s.admin, "/api/v1/services/checkout", Some(json!({"ingestion": {"severity_map": {"critical": "SEV1", "error": "SEV3", "warning": "SEV4", "info": "SEV5"}}})))
        .await;
    assert_eq!(
        (st, b["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("severity_map.critical"))
    );
    let (st, _) = s
        .app
        .api(Method::PATCH, &s.responder, "/api/v1/services/checkout", Some(json!({"ingestion": {}})))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, svc) = s.app.api(Method::GET, &s.responder, "/api/v1/services/checkout", None).await;
    assert_eq!(svc["ingestion"]["severity_map"]["warning"], "SEV3");
    assert_eq!(svc["ingestion"]["urgency"], "high");
    assert!(s.app.audit_actions("checkout").await.contains(&"service.ingestion".to_owned()));
}

#[tokio::test]
async fn generic_events_and_their_errors() {
    let s = setup().await;
    let key = s.key("generic").await;
    let path = format!("/integrations/generic/{key}");
    let (st, b) = s.post(&path, json!({"summary": "Backup failed", "details": {"job": "nightly"}})).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(b["status"], "success");
    let dedup = b["dedup_key"].as_str().unwrap().to_owned();
    let (st, b) = s.post(&path, json!({"action": "explode"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(
        b["error"]["errors"],
        json!(["'action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"])
    );
    let (st, _) = s.post(&path, json!({"action": "resolve", "dedup_key": dedup})).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let alerts = s.alerts("").await;
    assert_eq!((alerts.len(), alerts[0]["status"].as_str()), (1, Some("resolved")));
    assert_eq!(alerts[0]["payload"]["details"], json!({"job": "nightly"}));
    let (st, _) = s.post(&format!("/integrations/generic/{}", "short"), json!({"summary": "x"})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// A batch bigger than the key's burst is taken whole (Alertmanager would drop it for good on a
/// 4xx); the key then owes the excess, and until it is repaid the answer is 503 with
/// `Retry-After`, which Alertmanager retries. Never 429, and never the 512 KB per-event limit.
#[tokio::test]
async fn a_batch_beyond_the_burst_is_accepted_and_the_debt_is_a_503_not_a_429() {
    let s = setup().await;
    let key = s.key("alertmanager").await;
    // The test server allows 1000 events/s per key with bursts of 2000: one batch of 5000 alerts,
    // each with a long annotation (about 1.5 MB in all), is over both at once.
    let note = "x".repeat(300);
    let alerts: Vec<Value> = (0..5000)
        .map(|i| {
            json!({"status": "firing", "labels": {"n": i}, "annotations": {"description": note},
                   "fingerprint": format!("f{i}")})
        })
        .collect();
    let url = s.app.url(&format!("/integrations/alertmanager/{key}"));
    let res = reqwest::Client::new().post(&url).json(&am_batch("firing", alerts)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(s.stored_events().await, 5000);
    let one = vec![json!({"status": "firing", "labels": {"n": "late"}, "fingerprint": "late"})];
    let res = reqwest::Client::new().post(&url).json(&am_batch("firing", one)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=4).contains(&retry), "the debt of 3000 events at 1000/s: {retry}");
    assert_eq!(s.stored_events().await, 5000);
}

/// A NUL (which PostgreSQL cannot store) is refused at parse time with a 400 naming the field,
/// so the senders sharing its group commit are not failed with it.
#[tokio::test]
async fn a_poisoned_event_among_many_valid_ones_fails_only_itself() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    let url = s.app.url("/v2/enqueue");
    let mut sends = Vec::new();
    for i in 0..60 {
        let (url, key) = (url.clone(), key.clone());
        sends.push(tokio::spawn(async move {
            let mut body = json!({"routing_key": key, "event_action": "trigger", "dedup_key": format!("k{i}"),
                "payload": {"summary": "disk full", "source": "db-1", "severity": "error"}});
            if i == 30 {
                body["payload"]["summary"] = json!("disk\u{0}full");
            }
            let res = reqwest::Client::new().post(&url).json(&body).send().await.unwrap();
            (i, res.status(), res.json::<Value>().await.unwrap())
        }));
    }
    for send in sends {
        let (i, status, body) = send.await.unwrap();
        if i == 30 {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(
                body["errors"],
                json!(["'payload.summary' must not contain U+0000 (a NUL character)"])
            );
        } else {
            assert_eq!(status, StatusCode::ACCEPTED, "{i}: {body}");
        }
    }
    assert_eq!(s.stored_events().await, 59);
}

/// When a value still reaches the database and is refused there, the group commit is split so
/// only the request that carried it fails.
#[tokio::test]
async fn a_data_error_in_a_group_commit_fails_only_its_request() {
    use backend::{db::alert_events::EventBatch, ingest::Ingestor};
    let s = setup().await;
    s.key("events_v2").await;
    let (service, key): (uuid::Uuid, uuid::Uuid) =
        sqlx::query_as("SELECT service_id, id FROM integration_keys").fetch_one(&s.app.pool).await.unwrap();
    let ingestor = Ingestor::start(s.app.pool.clone());
    let batch = |dedup: String| {
        let mut b = EventBatch::default();
        b.service_ids.push(service);
        b.key_ids.push(key);
        b.actions.push("trigger".into());
        b.events.push(json!({"action": "trigger", "dedup_key": dedup, "summary": "s"}).to_string());
        b.dedup_keys.push(dedup);
        b
    };
    let mut sends = Vec::new();
    for i in 0..40 {
        let (ingestor, b) =
            (ingestor.clone(), batch(if i == 7 { "bad\u{0}key".into() } else { format!("ok{i}") }));
        sends.push(tokio::spawn(async move { (i, ingestor.submit(b).await.is_ok()) }));
    }
    for send in sends {
        let (i, ok) = send.await.unwrap();
        assert_eq!(ok, i != 7, "request {i}");
    }
    assert_eq!(s.stored_events().await, 39);
}

#[tokio::test]
async fn alerts_are_read_only_for_viewers_and_filterable() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    s.pd(&key, "trigger", "a", json!({})).await;
    s.pd(&key, "trigger", "b", json!({})).await;
    s.pd(&key, "resolve", "b", json!({})).await;
    let viewer = s.app.user("vic@example.com", Role::Viewer).await;
    let viewer = s.app.token_for(&viewer).await;
    s.settled().await;
    let (st, page) = s.app.api(Method::GET, &viewer, "/api/v1/alerts?status=resolved", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(page["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(page["alerts"][0]["dedup_key"], "b");
    let (_, page) = s.app.api(Method::GET, &viewer, "/api/v1/alerts?limit=1", None).await;
    assert_eq!(page["alerts"][0]["dedup_key"], "b");
    let next = page["next"].as_i64().unwrap();
    let (_, page) =
        s.app.api(Method::GET, &viewer, &format!("/api/v1/alerts?limit=1&before={next}"), None).await;
    assert_eq!(page["alerts"][0]["dedup_key"], "a");
    let (st, b) = s.app.api(Method::GET, &viewer, "/api/v1/alerts?status=gone", None).await;
    assert_eq!((st, b["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
    let (st, _) = s.app.api(Method::GET, &viewer, "/api/v1/alerts?service=nope", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_demo_sends_an_alertmanager_batch_through_the_processor() {
    let app = spawn_app().await;
    backend::services::demo::load_demo(&app.pool, None, None, app.now()).await.unwrap();
    let s = Setup { admin: String::new(), responder: String::new(), app };
    s.settled().await;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT dedup_key, status FROM alerts WHERE dedup_key LIKE 'demo-%' ORDER BY dedup_key",
    )
    .fetch_all(&s.app.pool)
    .await
    .unwrap();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(k, st)| (k.as_str(), st.as_str())).collect();
    assert_eq!(
        rows,
        vec![("demo-web-1", "triggered"), ("demo-web-2", "triggered"), ("demo-web-3", "resolved")]
    );
}

#[tokio::test]
async fn a_person_resolving_while_alerts_stream_in_gets_no_error() {
    let s = setup().await;
    let key = s.key("events_v2").await;
    s.pd(&key, "trigger", "busy", json!({})).await;
    let number = s.alerts("").await[0]["incident"].as_str().unwrap().to_owned();
    // Repeats keep the processor writing this alert while the responder resolves its incident:
    // both lock the incident before the alert, so neither waits on the other in a cycle.
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (url, key) = (s.app.url("/v2/enqueue"), key.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for _ in 0..50 {
                    let body = json!({"routing_key": key, "event_action": "trigger", "dedup_key": "busy",
                        "payload": {"summary": "busy", "source": "h", "severity": "error"}});
                    let res = client.post(&url).json(&body).send().await.unwrap();
                    assert_eq!(res.status(), StatusCode::ACCEPTED);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (st, b) = s
        .app
        .api(
            Method::POST,
            &s.responder,
            &format!("/api/v1/incidents/{number}/transitions"),
            Some(json!({"to": "resolved"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for t in senders {
        t.await.unwrap();
    }
    s.settled().await;
    assert_eq!(s.incident(&number).await["status"], "resolved");
    // Repeats after the resolve opened at most one new alert and one new incident.
    assert!(s.alerts("status=open").await.len() <= 1);
    assert!(s.incident_count().await <= 2);
}

/// An ingestion request held open: its headers (declaring `declared` body bytes) and the first
/// byte of its body are sent, the rest waits for `finish`. Raw TCP, so the declared length is
/// exactly what the server sees.
struct Held {
    stream: tokio::net::TcpStream,
    body: Vec<u8>,
}

impl Held {
    async fn open(app: &TestApp, path: &str, body: Vec<u8>) -> Held {
        use tokio::io::AsyncWriteExt;
        let url = reqwest::Url::parse(&app.url(path)).unwrap();
        let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            url.path(),
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body[..1]).await.unwrap();
        Held { stream, body }
    }

    /// Whether the server has already answered (a held request refused at the door).
    fn answered(&self) -> bool {
        let mut buf = [0u8; 1];
        matches!(self.stream.try_read(&mut buf), Ok(n) if n > 0)
    }

    /// Sends the rest of the body and returns the status line of the answer.
    async fn finish(mut self) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.stream.write_all(&self.body[1..]).await.unwrap();
        let mut answer = String::new();
        self.stream.read_to_string(&mut answer).await.unwrap();
        answer.lines().next().unwrap_or_default().to_owned()
    }
}

fn am_body(labels: &str, padding: usize) -> Vec<u8> {
    let one = vec![json!({"status": "firing", "labels": {"alertname": labels}, "fingerprint": labels,
                          "annotations": {"description": "x".repeat(padding)}})];
    serde_json::to_vec(&am_batch("firing", one)).unwrap()
}

/// Holds `held_body` open and posts `body` until the answer is not a 2xx, and returns the held
/// request, the refusal and how many were stored before it. The held request can itself arrive
/// while a posted one is being handled and be the one refused: it is then opened again, so the
/// refusal returned is always the posted request's, turned away by the held one.
async fn until_refused(
    app: &TestApp,
    path: &str,
    held_body: Vec<u8>,
    body: &[u8],
) -> (Held, reqwest::Response, usize) {
    let mut held = Held::open(app, path, held_body.clone()).await;
    for accepted in 0..200 {
        let res = reqwest::Client::new()
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        if !res.status().is_success() {
            return (held, res, accepted);
        }
        if held.answered() {
            held = Held::open(app, path, held_body.clone()).await;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never refused");
}

/// Beyond the requests an instance handles at once, the answer is 503 with `Retry-After` before
/// the body is read, with nothing internal in it; once the held one is done, the next gets in.
#[tokio::test]
async fn beyond_the_requests_handled_at_once_the_answer_is_a_503_to_retry() {
    let app = common::spawn_app_configured(|c| c.ingest.max_requests = 1).await;
    let s = setup_on(app).await;
    let key = s.key("alertmanager").await;
    let path = format!("/integrations/alertmanager/{key}");
    let (held, refused, before) =
        until_refused(&s.app, &path, am_body("held", 10), &am_body("next", 10)).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_stored", "{body}");
    assert!(held.finish().await.contains("200"));
    let res = reqwest::Client::new()
        .post(s.app.url(&path))
        .header("content-type", "application/json")
        .body(am_body("next", 10))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(s.stored_events().await, before as i64 + 2);
}

/// The bodies held at once are bounded in bytes as well: a request that would go over waits
/// for a retry, while one that fits still gets in.
#[tokio::test]
async fn request_bodies_held_at_once_are_bounded_in_bytes() {
    let app = common::spawn_app_configured(|c| c.ingest.max_inflight_bytes = 1 << 20).await;
    let s = setup_on(app).await;
    let key = s.key("alertmanager").await;
    let path = format!("/integrations/alertmanager/{key}");
    let (held, refused, before) =
        until_refused(&s.app, &path, am_body("big", 900 * 1024), &am_body("also big", 200 * 1024)).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    let (status, _) = s
        .post(&path, am_batch("firing", vec![json!({"status": "firing", "labels": {"alertname": "small"}})]))
        .await;
    assert_eq!(status, StatusCode::OK, "a small one fits beside the held one");
    assert!(held.finish().await.contains("200"));
    assert_eq!(s.stored_events().await, before as i64 + 2);
}

/// One key may send so many bytes an hour, so a runaway source cannot fill the disk; beyond it
/// (the last request is taken whole) the key gets 503 with `Retry-After` for as long as the
/// budget takes to come back, and other keys are unaffected.
#[tokio::test]
async fn a_key_over_its_hourly_byte_budget_waits_and_other_keys_do_not() {
    let app = common::spawn_app_configured(|c| c.ingest.bytes_per_key_hour = 64 * 1024).await;
    let s = setup_on(app).await;
    let (noisy, quiet) = (s.key("alertmanager").await, s.key("alertmanager").await);
    let send = |key: &str, name: &str| {
        let url = s.app.url(&format!("/integrations/alertmanager/{key}"));
        let body = am_body(name, 50 * 1024);
        async move {
            reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(send(&noisy, "a").await.status(), StatusCode::OK);
    assert_eq!(send(&noisy, "b").await.status(), StatusCode::OK, "taken whole while there is credit");
    let over = send(&noisy, "c").await;
    assert_eq!(over.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: u64 = over.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    // About 36 KB of debt at 64 KB an hour: some half an hour.
    assert!((1500..=2400).contains(&retry), "{retry}");
    assert_eq!(send(&quiet, "d").await.status(), StatusCode::OK);
    assert_eq!(s.stored_events().await, 3);
}

/// Whatever a sender posts to the three intake endpoints, the answer is a 2xx or a 4xx that
/// names the problem, never a 5xx (but the 503 senders retry): random bytes, random JSON, and
/// each format's fields given random values of any type. The parsers' own property tests
/// (`domain/src/alert/fuzz.rs`) go deeper; this one holds the whole HTTP path to it.
#[tokio::test]
async fn no_body_makes_ingestion_answer_a_server_error() {
    use proptest::{
        prelude::*,
        strategy::ValueTree,
        test_runner::{Config, TestRunner},
    };

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,30}".prop_map(Value::String),
            "[a-z]{0,4}\u{0}[a-z]{0,4}".prop_map(Value::String),
            Just(json!("2026-13-45T99:00:00Z")),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    let s = setup().await;
    let (pd, am, generic) = (s.key("events_v2").await, s.key("alertmanager").await, s.key("generic").await);
    let bodies = (any_json(), any_json(), any_json(), any_json(), prop::collection::vec(any::<u8>(), 0..300));
    let mut runner = TestRunner::new(Config { cases: 1, ..Config::default() });
    let client = reqwest::Client::new();
    for _ in 0..150 {
        let (a, b, c, d, bytes) = bodies.new_tree(&mut runner).unwrap().current();
        let requests = [
            (
                "/v2/enqueue".to_owned(),
                json!({ "routing_key": pd, "event_action": a, "dedup_key": b, "payload": { "summary": c, "source": d, "severity": "error" } }),
            ),
            (
                format!("/integrations/alertmanager/{am}"),
                json!({ "version": "4", "status": a, "alerts": [{ "status": "firing", "labels": { "alertname": b }, "annotations": c, "fingerprint": d }] }),
            ),
            (
                format!("/integrations/generic/{generic}"),
                json!({ "summary": a, "severity": b, "dedup_key": c, "details": d }),
            ),
            (format!("/integrations/generic/{generic}"), a.clone()),
        ];
        for (path, body) in requests {
            let res = client.post(s.app.url(&path)).json(&body).send().await.unwrap();
            let status = res.status();
            assert!(
                !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
                "{status} for {path} {body}: {}",
                res.text().await.unwrap_or_default()
            );
        }
        for path in ["/v2/enqueue".to_owned(), format!("/integrations/alertmanager/{am}")] {
            let res = client
                .post(s.app.url(&path))
                .header("content-type", "application/json")
                .body(bytes.clone())
                .send()
                .await
                .unwrap();
            assert!(!res.status().is_server_error(), "{} for {path} with random bytes", res.status());
        }
    }
}
