//! The public status page through the HTTP API: components and groups, a public incident posted
//! for an internal one, and every Statuspage-compatible document compared field by field with
//! Statuspage's shapes; what was refused writes nothing; the snapshot answers 304.

use std::collections::BTreeSet;

use backend::engine::{Clock, ManualClock};
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, spawn_app_at};

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

struct Page {
    app: TestApp,
    clock: ManualClock,
    admin: String,
    responder: String,
    viewer: String,
    api_component: String,
    db_component: String,
    group: String,
}

async fn page() -> Page {
    let clock = ManualClock::new(monday());
    page_on(spawn_app_at(clock.clone()).await, clock).await
}

async fn page_on(app: TestApp, clock: ManualClock) -> Page {
    let admin = app.token_for(&app.user("root@example.com", Role::Admin).await).await;
    let responder = app.token_for(&app.user("rory@example.com", Role::Responder).await).await;
    let viewer = app.token_for(&app.user("vera@example.com", Role::Viewer).await).await;
    let ok = |(s, b): (StatusCode, Value), want: StatusCode| {
        assert_eq!(s, want, "{b}");
        b
    };
    ok(
        app.api(Method::POST, &admin, "/api/v1/teams", Some(json!({ "name": "Core", "slug": "core" }))).await,
        StatusCode::CREATED,
    );
    ok(
        app.api(
            Method::POST,
            &admin,
            "/api/v1/services",
            Some(json!({ "name": "Core API", "slug": "core-api", "team": "core" })),
        )
        .await,
        StatusCode::CREATED,
    );
    let group = ok(
        app.api(
            Method::POST,
            &admin,
            "/api/v1/status-page/groups",
            Some(json!({ "name": "Platform", "position": 1 })),
        )
        .await,
        StatusCode::CREATED,
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let api_component = ok(
        app.api(
            Method::POST,
            &admin,
            "/api/v1/status-page/components",
            Some(json!({ "name": "API", "description": "The public REST API", "group_id": group, "services": ["core-api"] })),
        )
        .await,
        StatusCode::CREATED,
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let db_component = ok(
        app.api(
            Method::POST,
            &admin,
            "/api/v1/status-page/components",
            Some(json!({ "name": "Database", "group_id": group, "position": 2 })),
        )
        .await,
        StatusCode::CREATED,
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Page { app, clock, admin, responder, viewer, api_component, db_component, group }
}

impl Page {
    /// A public document once the snapshot shows what `ready` looks for (snapshots are rebuilt
    /// in the background when the page changes).
    async fn doc(&self, path: &str, ready: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..100 {
            let res = reqwest::get(self.app.url(path)).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let body: Value = res.json().await.unwrap();
            if ready(&body) {
                return body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{path} never showed the change");
    }

    /// Schedules an hour's maintenance of `component` from `starts`.
    async fn schedule(&self, name: &str, starts: DateTime<Utc>, component: &str) -> Value {
        let (s, m) = self
            .app
            .api(
                Method::POST,
                &self.responder,
                "/api/v1/status-page/maintenances",
                Some(json!({
                    "name": name,
                    "body": "Expect brief interruptions.",
                    "scheduled_for": starts.to_rfc3339(),
                    "scheduled_until": (starts + Duration::hours(1)).to_rfc3339(),
                    "components": [component],
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        m
    }

    async fn declare(&self) -> String {
        let (s, b) = self
            .app
            .api(
                Method::POST,
                &self.responder,
                "/api/v1/incidents",
                Some(json!({ "title": "Checkout 500s", "severity": "SEV2", "services": ["core-api"] })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["number"].as_str().unwrap().to_owned()
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

const PAGE_FIELDS: &[&str] = &["id", "name", "url", "time_zone", "updated_at"];
const COMPONENT_FIELDS: &[&str] = &[
    "id",
    "page_id",
    "group_id",
    "name",
    "description",
    "status",
    "position",
    "showcase",
    "only_show_if_degraded",
    "start_date",
    "group",
    "created_at",
    "updated_at",
];
const INCIDENT_FIELDS: &[&str] = &[
    "id",
    "page_id",
    "name",
    "status",
    "impact",
    "shortlink",
    "started_at",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "incident_updates",
    "components",
];
const UPDATE_FIELDS: &[&str] = &[
    "id",
    "incident_id",
    "status",
    "body",
    "display_at",
    "created_at",
    "updated_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
];

#[tokio::test]
async fn a_public_incident_for_an_internal_one_reaches_every_document_and_its_resolution_restores_the_page() {
    let p = page().await;
    let number = p.declare().await;
    let summary =
        p.doc("/api/v2/summary.json", |d| d["components"].as_array().is_some_and(|c| c.len() == 3)).await;
    assert_eq!(summary["status"], json!({ "indicator": "none", "description": "All Systems Operational" }));

    let (s, posted) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            "/api/v1/status-page/incidents",
            Some(json!({
                "name": "Elevated API errors",
                "body": "We are investigating **failed requests** to the API.",
                "components": { p.api_component.clone(): "major_outage" },
                "incident": number,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{posted}");
    assert_eq!(posted["impact"], "critical", "the worst state it set");
    assert_eq!(posted["incident"], json!(number));
    let public_id = posted["public_id"].as_str().unwrap().to_owned();

    let summary = p.doc("/api/v2/summary.json", |d| d["status"]["indicator"] == "critical").await;
    assert_eq!(keys(&summary), set(&["page", "components", "incidents", "scheduled_maintenances", "status"]));
    assert_eq!(keys(&summary["page"]), set(PAGE_FIELDS));
    assert_eq!(summary["page"]["url"], json!(p.app.url("/status")));
    assert_eq!(summary["status"]["description"], "Major System Outage");
    let components = summary["components"].as_array().unwrap();
    let group = components.iter().find(|c| c["group"] == true).unwrap();
    let mut group_fields = set(COMPONENT_FIELDS);
    group_fields.insert("components".into());
    assert_eq!(keys(group), group_fields);
    assert_eq!(group["id"], json!(p.group));
    assert_eq!(group["status"], "major_outage", "a group shows its worst member");
    assert_eq!(group["components"].as_array().unwrap().len(), 2);
    let api = components.iter().find(|c| c["id"] == json!(p.api_component)).unwrap();
    assert_eq!(keys(api), set(COMPONENT_FIELDS));
    assert_eq!(
        (api["status"].as_str(), api["group_id"].as_str()),
        (Some("major_outage"), Some(p.group.as_str()))
    );
    assert_eq!(api["description"], "The public REST API");
    let incident = &summary["incidents"][0];
    assert_eq!(keys(incident), set(INCIDENT_FIELDS));
    assert_eq!(incident["id"], json!(public_id));
    assert_eq!(incident["status"], "investigating");
    assert_eq!(incident["shortlink"], json!(p.app.url(&format!("/status/incidents/{public_id}"))));
    let update = &incident["incident_updates"][0];
    assert_eq!(keys(update), set(UPDATE_FIELDS));
    assert_eq!(update["body"], "We are investigating **failed requests** to the API.");
    assert_eq!(
        update["affected_components"],
        json!([{ "code": p.api_component, "name": "API", "old_status": "operational", "new_status": "major_outage" }])
    );
    // Only what was written for customers: no internal number, no responder.
    let public_text = summary.to_string();
    assert!(!public_text.contains(&number) && !public_text.contains("rory"), "{public_text}");

    for (path, key) in [
        ("/api/v2/status.json", "status"),
        ("/api/v2/components.json", "components"),
        ("/api/v2/incidents.json", "incidents"),
        ("/api/v2/incidents/unresolved.json", "incidents"),
        ("/api/v2/scheduled-maintenances.json", "scheduled_maintenances"),
        ("/api/v2/scheduled-maintenances/upcoming.json", "scheduled_maintenances"),
        ("/api/v2/scheduled-maintenances/active.json", "scheduled_maintenances"),
    ] {
        let doc = p.doc(path, |_| true).await;
        assert_eq!(keys(&doc), set(&["page", key]), "{path}");
        assert_eq!(keys(&doc["page"]), set(PAGE_FIELDS), "{path}");
    }
    let unresolved = p.doc("/api/v2/incidents/unresolved.json", |_| true).await;
    assert_eq!(unresolved["incidents"][0]["id"], json!(public_id));

    // A feed reader (a parser we did not write) sees the update, in Atom and in RSS.
    let feed = |path: &'static str| {
        let url = p.app.url(path);
        async move {
            let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
            feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
        }
    };
    for path in ["/status/feed.atom", "/status/feed.rss"] {
        let parsed = feed(path).await;
        assert_eq!(parsed.entries.len(), 1, "{path}");
        let entry = &parsed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, "Elevated API errors: Investigating", "{path}");
        assert_eq!(entry.links[0].href, p.app.url(&format!("/status/incidents/{public_id}")), "{path}");
    }
    let atom = feed("/status/feed.atom").await;
    assert!(
        atom.entries[0]
            .content
            .as_ref()
            .unwrap()
            .body
            .as_ref()
            .unwrap()
            .contains("<strong>failed requests</strong>")
    );

    // The post is on the internal incident's timeline, and audited.
    let (_, timeline) =
        p.app.api(Method::GET, &p.viewer, &format!("/api/v1/incidents/{number}/timeline"), None).await;
    assert!(
        timeline.as_array().unwrap().iter().any(|e| e["kind"] == "status_page_update"
            && e["body"].as_str().unwrap().contains("Elevated API errors")),
        "{timeline}"
    );
    assert_eq!(p.app.audit_actions(&public_id).await, vec!["public_incident.create"]);

    // Half an hour later it is resolved: the component is back and today's bar shows the outage.
    p.clock.advance(Duration::minutes(30));
    let (s, b) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            &format!("/api/v1/status-page/incidents/{public_id}/updates"),
            Some(json!({ "status": "resolved", "body": "Fixed.", "components": { p.api_component.clone(): "operational" } })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let status = p.doc("/api/v2/status.json", |d| d["status"]["indicator"] == "none").await;
    assert_eq!(status["status"]["description"], "All Systems Operational");
    let unresolved = p.doc("/api/v2/incidents/unresolved.json", |d| d["incidents"] == json!([])).await;
    assert_eq!(unresolved["incidents"], json!([]));
    let atom = feed("/status/feed.atom").await;
    let titles: Vec<String> =
        atom.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(
        titles,
        vec!["Elevated API errors: Resolved", "Elevated API errors: Investigating"],
        "newest first"
    );
    let incidents = p.doc("/api/v2/incidents.json", |_| true).await;
    let resolved = &incidents["incidents"][0];
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_at"].as_str().map(|t| t.starts_with("2026-11-23T10:30")), Some(true));
    assert_eq!(resolved["incident_updates"].as_array().unwrap().len(), 2);
    assert_eq!(resolved["incident_updates"][0]["status"], "resolved", "newest update first");

    let (s, uptime) = p
        .app
        .api(
            Method::GET,
            &p.viewer,
            &format!("/api/v1/status-page/components/{}/uptime?days=2", p.api_component),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{uptime}");
    let days = uptime["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    let today = &days[1];
    assert_eq!(today["date"], "2026-11-23");
    assert_eq!(today["major_outage_seconds"], 1800);
    assert_eq!(today["incidents"], json!([public_id]));
    assert_eq!(days[0]["uptime"], Value::Null, "the component did not exist yesterday");
    let expected = 1.0 - 1800.0 / today["operational_seconds"].as_f64().map(|o| o + 1800.0).unwrap();
    assert!((today["uptime"].as_f64().unwrap() - expected).abs() < 1e-9, "{today}");
    // The group is down wherever a member is.
    let (_, group) = p
        .app
        .api(
            Method::GET,
            &p.viewer,
            &format!("/api/v1/status-page/components/{}/uptime?days=1", p.group),
            None,
        )
        .await;
    assert_eq!(group["days"][0]["major_outage_seconds"], 1800);
}

#[tokio::test]
async fn documents_carry_an_etag_and_answer_304_to_a_client_that_has_them() {
    let p = page().await;
    // Once the snapshot holds what the setup made (it is rebuilt after each change).
    p.doc("/api/v2/summary.json", |d| d["components"].as_array().is_some_and(|c| c.len() == 3)).await;
    let first = reqwest::get(p.app.url("/api/v2/summary.json")).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    assert_eq!(first.headers()["cache-control"], "public, max-age=10, stale-while-revalidate=30");
    assert_eq!(first.headers()["access-control-allow-origin"], "*");
    let again = reqwest::Client::new()
        .get(p.app.url("/api/v2/summary.json"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    // A change makes a new document and a new tag.
    let (s, _) = p
        .app
        .api(
            Method::PATCH,
            &p.admin,
            &format!("/api/v1/status-page/components/{}", p.db_component),
            Some(json!({ "status": "degraded_performance" })),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    p.doc("/api/v2/status.json", |d| d["status"]["indicator"] == "minor").await;
    let changed = reqwest::Client::new()
        .get(p.app.url("/api/v2/summary.json"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test]
async fn refused_input_writes_nothing_and_only_the_right_roles_change_the_page() {
    let p = page().await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM public_incidents")
            .fetch_one(&p.app.pool)
            .await
            .unwrap()
    };
    let post = |token: String, body: Value| {
        let app = &p.app;
        async move { app.api(Method::POST, &token, "/api/v1/status-page/incidents", Some(body)).await }
    };
    let valid = json!({ "name": "Slow", "body": "Looking.", "components": { p.db_component.clone(): "degraded_performance" } });

    let (s, b) = post(p.viewer.clone(), valid.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let unknown = uuid::Uuid::now_v7();
    let (s, b) = post(
        p.responder.clone(),
        json!({ "name": "Slow", "body": "Looking.", "components": { p.db_component.clone(): "major_outage", unknown.to_string(): "major_outage" } }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["field"], json!(format!("components.{unknown}")));
    let (s, b) =
        post(p.responder.clone(), json!({ "name": "Slow", "body": "x", "status": "in_progress" })).await;
    assert_eq!((s, b["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
    let (s, b) =
        post(p.responder.clone(), json!({ "name": "Slow", "body": "x", "incident": "INC-999" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(count().await, 0, "nothing was written");
    let (_, components) = p.app.api(Method::GET, &p.viewer, "/api/v1/status-page/components", None).await;
    assert!(components.as_array().unwrap().iter().all(|c| c["status"] == "operational"), "{components}");

    // Components and settings are the admins'.
    let (s, _) = p
        .app
        .api(Method::POST, &p.responder, "/api/v1/status-page/components", Some(json!({ "name": "X" })))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = p
        .app
        .api(
            Method::PATCH,
            &p.admin,
            "/api/v1/status-page/settings",
            Some(json!({ "time_zone": "Mars/Olympus" })),
        )
        .await;
    assert_eq!((s, b["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("time_zone")));
    let (s, b) = p
        .app
        .api(
            Method::PATCH,
            &p.admin,
            "/api/v1/status-page/settings",
            Some(json!({ "name": "Acme status", "time_zone": "Europe/London", "partial_weight": 0.5 })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["time_zone"].as_str(), b["partial_weight"].as_f64()), (Some("Europe/London"), Some(0.5)));
    let page_id = b["public_id"].as_str().unwrap().to_owned();
    assert_eq!(p.app.audit_actions(&page_id).await, vec!["status_page.settings"]);
    let status = p.doc("/api/v2/status.json", |d| d["page"]["name"] == "Acme status").await;
    assert_eq!(status["page"]["time_zone"], "Europe/London");

    // A posted incident without an internal one (a third party's outage) is allowed.
    let (s, b) = post(p.responder.clone(), valid).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!((b["impact"].as_str(), b["incident"].is_null()), (Some("minor"), true));
    assert_eq!(count().await, 1);
}

#[tokio::test]
async fn a_maintenance_starts_and_completes_by_itself_once_with_three_engines() {
    let p = page().await;
    let (second, third) =
        (crate::common::spawn_instance(&p.app).await, crate::common::spawn_instance(&p.app).await);
    let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap();
    let (s, m) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            "/api/v1/status-page/maintenances",
            Some(json!({
                "name": "Database upgrade",
                "body": "The API will be read-only.",
                "scheduled_for": at(11, 0).to_rfc3339(),
                "scheduled_until": at(12, 0).to_rfc3339(),
                "components": [p.api_component, p.db_component],
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!((m["status"].as_str(), m["impact"].as_str()), (Some("scheduled"), Some("maintenance")));
    let id = m["public_id"].as_str().unwrap().to_owned();
    let upcoming = p
        .doc("/api/v2/scheduled-maintenances/upcoming.json", |d| {
            d["scheduled_maintenances"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(
        upcoming["scheduled_maintenances"][0]["scheduled_for"]
            .as_str()
            .map(|t| t.starts_with("2026-11-23T11:00")),
        Some(true)
    );

    let tick_all = || async { tokio::join!(p.app.tick(), second.tick(), third.tick()) };
    p.clock.set(at(10, 59));
    tick_all().await;
    let states = || async {
        let (_, c) = p.app.api(Method::GET, &p.viewer, "/api/v1/status-page/components", None).await;
        c.as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(states().await, vec!["operational", "operational"]);

    p.clock.set(at(11, 0));
    tick_all().await;
    tick_all().await;
    assert_eq!(states().await, vec!["under_maintenance", "under_maintenance"]);
    let active = p
        .doc("/api/v2/scheduled-maintenances/active.json", |d| {
            d["scheduled_maintenances"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    let status = p.doc("/api/v2/status.json", |d| d["status"]["indicator"] == "maintenance").await;
    assert_eq!(status["status"]["description"], "Service Under Maintenance");

    // During the window an incident takes the database down: it stays down after the maintenance.
    p.clock.set(at(11, 30));
    let (s, b) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            "/api/v1/status-page/incidents",
            Some(json!({ "name": "Database errors", "body": "Writes fail.", "components": { p.db_component.clone(): "major_outage" } })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    p.clock.set(at(12, 0));
    tick_all().await;
    tick_all().await;
    assert_eq!(states().await, vec!["operational", "major_outage"]);
    let all = p
        .doc("/api/v2/scheduled-maintenances.json", |d| {
            d["scheduled_maintenances"][0]["status"] == "completed"
        })
        .await;
    let updates = all["scheduled_maintenances"][0]["incident_updates"].as_array().unwrap();
    let statuses: Vec<&str> = updates.iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["completed", "in_progress", "scheduled"], "each step once, newest first");
    assert_eq!(
        p.app.audit_actions(&id).await,
        vec!["maintenance.schedule", "maintenance.start", "maintenance.complete"]
    );
    // The maintenance counted as up: today's API uptime is whole.
    let (_, uptime) = p
        .app
        .api(
            Method::GET,
            &p.viewer,
            &format!("/api/v1/status-page/components/{}/uptime?days=1", p.api_component),
            None,
        )
        .await;
    assert_eq!(
        (uptime["days"][0]["under_maintenance_seconds"].as_i64(), uptime["days"][0]["uptime"].as_f64()),
        (Some(3600), Some(1.0))
    );
}

/// The link that follows `after` in an email (quoted-printable soft line breaks undone).
fn link_in(message: &str, after: &str) -> String {
    let joined = message.replace("=\r\n", "").replace("=\n", "");
    let start = joined.find(after).unwrap_or_else(|| panic!("no {after} in {joined}")) + after.len();
    let from = start + joined[start..].find("http").unwrap();
    joined[from..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_subscriber_confirms_by_email_hears_of_its_components_and_leaves_in_one_click() {
    let (mail, smtp) = crate::paging::smtp_sink().await;
    let clock = ManualClock::new(monday());
    let app = crate::common::spawn_app_with(clock.clone(), |c| {
        c.smtp_url = Some(smtp);
        c.smtp_from = "Status <status@example.com>".into();
    })
    .await;
    let p = page_on(app, clock).await;
    let browser = p.app.browser();
    let subscribe = || {
        browser
            .post(p.app.url("/status/subscribe"))
            .form(&[("email", "cust@example.com"), ("component", p.api_component.as_str())])
            .send()
    };
    let first = subscribe().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let first = first.text().await.unwrap();
    assert!(first.contains("Check your inbox"), "{first}");
    // The same address again gets the same answer.
    assert_eq!(subscribe().await.unwrap().text().await.unwrap(), first);
    let bad = browser
        .post(p.app.url("/status/subscribe"))
        .form(&[("email", "not an address")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Nothing but the confirmation goes out before the link is followed.
    let post = |name: &'static str, component: String| {
        let app = &p.app;
        let token = p.responder.clone();
        async move {
            let (s, b) = app
                .api(
                    Method::POST,
                    &token,
                    "/api/v1/status-page/incidents",
                    Some(json!({ "name": name, "body": "Looking into it.", "components": { component: "major_outage" } })),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            b["public_id"].as_str().unwrap().to_owned()
        }
    };
    post("Before confirming", p.api_component.clone()).await;
    p.app.tick().await;
    let sent = mail.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "two confirmations, no update: {sent:?}");
    assert!(
        sent.iter().all(|m| m.contains("Subject: Confirm your subscription to Status status updates")),
        "{sent:?}"
    );
    let manage = link_in(&sent[0], "Confirm:");
    assert_eq!(manage, link_in(&sent[1], "Confirm:"), "a second request keeps the first link");

    // A link preview changes nothing; the button confirms.
    let page = browser.get(&manage).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Confirm your subscription"), "{manage}: {page}");
    let confirmed = browser.post(&manage).send().await.unwrap().text().await.unwrap();
    assert!(confirmed.contains("Subscribed"), "{confirmed}");

    // An update on a component it wants reaches it, with a one-click unsubscribe; one on another
    // component does not.
    mail.lock().unwrap().clear();
    let api_incident = post("API errors", p.api_component.clone()).await;
    post("Database errors", p.db_component.clone()).await;
    p.app.tick().await;
    let sent = mail.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let update = &sent[0];
    assert!(update.contains("Subject: [Status] API errors: Investigating"), "{update}");
    assert!(update.contains("To: cust@example.com"), "{update}");
    assert!(update.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{update}");
    assert!(update.contains(&format!("/status/incidents/{api_incident}")), "{update}");
    let unsubscribe = link_in(update, "List-Unsubscribe:");
    assert!(unsubscribe.ends_with("/unsubscribe"), "{unsubscribe}");

    // A mail client's one-click unsubscribe: a POST with no cookie and no Origin.
    let res = reqwest::Client::new()
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    mail.lock().unwrap().clear();
    let (s, _) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            &format!("/api/v1/status-page/incidents/{api_incident}/updates"),
            Some(json!({ "status": "resolved", "body": "Fixed." })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    p.app.tick().await;
    assert!(mail.lock().unwrap().is_empty(), "no message after unsubscribing");
    let (_, subscribers) = p.app.api(Method::GET, &p.admin, "/api/v1/status-page/subscribers", None).await;
    assert_eq!(subscribers, json!([]));

    // One address may ask only so often.
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = browser
            .post(p.app.url("/status/subscribe"))
            .form(&[("email", "flood@example.com")])
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_webhook_subscriber_gets_each_update_signed() {
    use std::sync::{Arc, Mutex};
    let p = page().await;
    let got: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let kept = got.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                kept.lock().unwrap().push((h("webhook-id"), h("webhook-signature"), body));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let (s, added) = p
        .app
        .api(Method::POST, &p.admin, "/api/v1/status-page/subscribers", Some(json!({ "address": url })))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    let secret = added["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let (s, _) = p
        .app
        .api(Method::POST, &p.responder, "/api/v1/status-page/subscribers", Some(json!({ "address": url })))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "admins add webhooks");

    let (s, b) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            "/api/v1/status-page/incidents",
            Some(json!({ "name": "Slow", "body": "Looking.", "components": { p.db_component.clone(): "degraded_performance" } })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    p.app.tick().await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (id, signature, body) = &got[0];
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["type"], "status_page.update");
    assert_eq!(payload["incident"]["name"], "Slow");
    assert_eq!(payload["update"]["affected_components"][0]["new_status"], "degraded_performance");
    // Standard Webhooks: v1,base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")).
    let ts = p.clock.now().timestamp();
    let expected = backend::notify::webhook::sign(&secret, id, ts, body).unwrap();
    assert_eq!(signature, &expected);
}

#[tokio::test]
async fn logged_out_readers_get_the_page_rendered_once_per_snapshot_with_one_small_script() {
    let p = page().await;
    p.doc("/api/v2/summary.json", |d| d["components"].as_array().is_some_and(|c| c.len() == 3)).await;
    let page_now = || async {
        let res = reqwest::get(p.app.url("/status")).await.unwrap();
        let (headers, status) = (res.headers().clone(), res.status());
        (status, headers, res.text().await.unwrap())
    };
    let (status, headers, html) = page_now().await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Database") && html.contains("All Systems Operational"), "{html}");
    assert!(!html.contains("modulepreload") && !html.contains(".wasm"), "no hydration on the public page");
    assert_eq!(html.matches("<script").count(), 1, "only the script that keeps the page current");
    assert!(html.contains(r#"<script src="/status/live.js" defer></script>"#), "{html}");
    assert!(html.contains(r#"<noscript><meta http-equiv="refresh" content="60"></noscript>"#), "{html}");
    assert!(html.contains(r#"data-live="status""#) && html.contains(r#"id="live-news""#));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'") && csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    let script = reqwest::get(p.app.url("/status/live.js")).await.unwrap();
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(script.text().await.unwrap().contains("data-live"));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let again =
        reqwest::Client::new().get(p.app.url("/status")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // A change is a new snapshot, so a new page.
    let (s, _) = p
        .app
        .api(
            Method::PATCH,
            &p.admin,
            &format!("/api/v1/status-page/components/{}", p.db_component),
            Some(json!({ "status": "major_outage" })),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for _ in 0..100 {
        let (_, headers, html) = page_now().await;
        if html.contains("Major System Outage") {
            assert_ne!(headers["etag"].to_str().unwrap(), etag);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the page never showed the change");
}

fn decode(coding: &str, bytes: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::new();
    match coding {
        "br" => brotli::Decompressor::new(bytes, 4096).read_to_string(&mut out).unwrap(),
        "gzip" => flate2::read::GzDecoder::new(bytes).read_to_string(&mut out).unwrap(),
        other => panic!("unexpected coding {other}"),
    };
    out
}

#[tokio::test]
async fn public_documents_come_precompressed_each_coding_with_its_own_tag() {
    let p = page().await;
    p.doc("/api/v2/summary.json", |d| d["components"].as_array().is_some_and(|c| c.len() == 3)).await;
    let client = reqwest::Client::new();
    for path in ["/api/v2/summary.json", "/status/feed.atom", "/status"] {
        let plain = client.get(p.app.url(path)).header("accept-encoding", "identity").send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain_tag = plain.headers()["etag"].to_str().unwrap().to_owned();
        let text = plain.text().await.unwrap();
        let mut tags = vec![plain_tag];
        for (accept, coding) in
            [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip;q=0.5", "gzip"), ("*", "br")]
        {
            let res = client.get(p.app.url(path)).header("accept-encoding", accept).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path} {accept}");
            assert_eq!(res.headers()["content-encoding"], coding, "{path} {accept}");
            assert_eq!(res.headers()["vary"], "accept-encoding", "{path}");
            let tag = res.headers()["etag"].to_str().unwrap().to_owned();
            let bytes = res.bytes().await.unwrap();
            assert!(bytes.len() < text.len(), "{path} {coding}: compressed");
            assert_eq!(decode(coding, &bytes), text, "{path} {coding}: the same document");
            // Each representation answers 304 to its own tag only.
            let again = client
                .get(p.app.url(path))
                .header("accept-encoding", accept)
                .header("if-none-match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path} {accept}");
            tags.push(tag);
        }
        let identity_with_br_tag = client
            .get(p.app.url(path))
            .header("accept-encoding", "identity")
            .header("if-none-match", &tags[1])
            .send()
            .await
            .unwrap();
        assert_eq!(identity_with_br_tag.status(), StatusCode::OK, "{path}: another representation's tag");
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), 3, "{path}: identity, gzip and brotli tags differ: {tags:?}");
    }
}

#[tokio::test]
async fn the_history_pages_through_every_incident_and_old_ones_keep_their_page() {
    let p = page().await;
    for n in 1..=53 {
        p.clock.set(monday() + Duration::minutes(n));
        let (s, b) = p
            .app
            .api(
                Method::POST,
                &p.responder,
                "/api/v1/status-page/incidents",
                Some(json!({ "name": format!("Past outage {n}"), "status": "resolved", "body": "Fixed.", "components": {} })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let first = p.doc("/api/v2/incidents.json", |d| d["incidents"][0]["name"] == "Past outage 53").await;
    assert_eq!(first["incidents"].as_array().unwrap().len(), 50, "Statuspage's fifty, newest first");
    let second = p
        .doc("/api/v2/incidents.json?page=2", |d| d["incidents"].as_array().is_some_and(|i| i.len() == 3))
        .await;
    let names: Vec<&str> =
        second["incidents"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Past outage 3", "Past outage 2", "Past outage 1"]);
    assert_eq!(keys(&second["page"]), set(PAGE_FIELDS));
    let past = p.doc("/api/v2/incidents.json?page=3", |_| true).await;
    assert_eq!(past["incidents"], json!([]), "past the last page, none");
    let zero = reqwest::get(p.app.url("/api/v2/incidents.json?page=0")).await.unwrap();
    assert_eq!(zero.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let html = |path: &'static str| {
        let url = p.app.url(path);
        async move {
            let res = reqwest::get(url).await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (s, one) = html("/status/history").await;
    assert_eq!(s, StatusCode::OK);
    assert!(one.contains("Past outage 53") && !one.contains("Past outage 3<"), "{one}");
    assert!(one.contains("Page 1 of 2") && one.contains(r#"href="/status/history/2""#), "{one}");
    let (s, two) = html("/status/history/2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(two.contains("Past outage 1<") && !two.contains("Past outage 53"), "{two}");
    assert!(two.contains("Page 2 of 2") && two.contains(r#"href="/status/history""#), "{two}");
    let (s, _) = html("/status/history/3").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The oldest is not in the snapshot any more; its page is still there.
    let oldest = second["incidents"][2]["id"].as_str().unwrap().to_owned();
    let res = reqwest::get(p.app.url(&format!("/status/incidents/{oldest}"))).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Past outage 1<"));
}

/// Waits until the export at `dir` has an `index.html` that `ready` accepts.
async fn exported(dir: &std::path::Path, ready: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        if let Ok(html) = std::fs::read_to_string(dir.join("index.html"))
            && ready(&html)
        {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the export at {} never showed the change", dir.display());
}

#[tokio::test]
async fn every_snapshot_is_exported_as_static_files_swapped_in_whole() {
    let root = std::env::temp_dir().join(format!("tocsin-export-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.join("status");
    let clock = ManualClock::new(monday());
    let export_dir = dir.clone();
    let app =
        crate::common::spawn_app_with(clock.clone(), move |c| c.status_export_dir = Some(export_dir)).await;
    let p = page_on(app, clock).await;
    let html = exported(&dir, |h| h.contains("Database")).await;
    assert!(std::fs::symlink_metadata(&dir).unwrap().file_type().is_symlink(), "published by a link");
    // Links work from the files: relative to the page, or to Tocsin itself for what needs it.
    assert!(html.contains(r#"href="history/index.html""#), "{html}");
    assert!(html.contains(r#"href="api/v2/summary.json""#) && html.contains(r#"href="feed.atom""#), "{html}");
    assert!(html.contains(r#"<script src="live.js" defer>"#), "{html}");
    assert!(html.contains(&format!(r#"action="{}""#, p.app.url("/status/subscribe"))), "{html}");
    assert!(!html.contains(r#"href="/"#) && !html.contains(r#"src="/"#), "no link from the root: {html}");
    for file in [
        "history/index.html",
        "feed.atom",
        "feed.rss",
        "live.js",
        "api/v2/status.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances/upcoming.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} exported");
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("api/v2/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["components"].as_array().unwrap().len(), 3);

    // A change is a new export, published in one step; old ones are cleared away.
    let first = std::fs::read_link(&dir).unwrap();
    let (s, posted) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            "/api/v1/status-page/incidents",
            Some(json!({ "name": "Slow dashboards", "body": "Looking into it.", "components": { p.db_component.clone(): "degraded_performance" } })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{posted}");
    let html = exported(&dir, |h| h.contains("Slow dashboards")).await;
    assert_ne!(std::fs::read_link(&dir).unwrap(), first);
    let id = posted["public_id"].as_str().unwrap();
    assert!(html.contains(&format!(r#"href="incidents/{id}/index.html""#)), "{html}");
    let incident = std::fs::read_to_string(dir.join(format!("incidents/{id}/index.html"))).unwrap();
    assert!(
        incident.contains("Looking into it.") && incident.contains(r#"href="../../index.html""#),
        "{incident}"
    );
    let unresolved: Value =
        serde_json::from_slice(&std::fs::read(dir.join("api/v2/incidents/unresolved.json")).unwrap())
            .unwrap();
    assert_eq!(unresolved["incidents"][0]["name"], "Slow dashboards");
    // Two kept, and perhaps the next being written.
    let kept = std::fs::read_dir(root.join(".status.exports")).unwrap().count();
    assert!(kept <= 3, "{kept} exports kept");
    std::fs::remove_dir_all(&root).unwrap();
}

/// An address subscribed with `form` (besides `email`) and confirmed through the link it was sent.
async fn confirmed(
    p: &Page,
    mail: &std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    email: &str,
    form: &[(&str, &str)],
) {
    let mut fields = vec![("email", email)];
    fields.extend_from_slice(form);
    let res = p.app.browser().post(p.app.url("/status/subscribe")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    p.app.tick().await;
    let message = mail
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m.contains(&format!("To: {email}")))
        .cloned()
        .expect("a confirmation");
    let link = link_in(&message, "Confirm:");
    assert!(p.app.browser().post(&link).send().await.unwrap().text().await.unwrap().contains("Subscribed"));
    mail.lock().unwrap().clear();
}

#[tokio::test]
async fn subscribers_hear_of_a_maintenance_when_scheduled_and_once_a_day_ahead() {
    let (mail, smtp) = crate::paging::smtp_sink().await;
    let clock = ManualClock::new(monday());
    let app = crate::common::spawn_app_with(clock.clone(), |c| c.smtp_url = Some(smtp)).await;
    let p = page_on(app, clock).await;
    confirmed(&p, &mail, "db-watcher@example.com", &[("component", p.db_component.as_str())]).await;
    confirmed(&p, &mail, "api-watcher@example.com", &[("component", p.api_component.as_str())]).await;

    let starts = monday() + Duration::days(3) + Duration::hours(1);
    let m = p.schedule("Database upgrade", starts, &p.db_component).await;
    p.app.tick().await;
    let sent = std::mem::take(&mut *mail.lock().unwrap());
    assert_eq!(sent.len(), 1, "the notice, to the database's subscriber only: {sent:?}");
    assert!(
        sent[0].contains("To: db-watcher@example.com") && sent[0].contains("Database upgrade: Scheduled"),
        "{}",
        sent[0]
    );

    // A minute before the reminder is due: nothing; at 24 hours ahead, once (claimed as the
    // maintenance's start is: once with any number of engines).
    p.clock.set(starts - Duration::hours(24) - Duration::minutes(1));
    p.app.tick().await;
    assert!(mail.lock().unwrap().is_empty());
    p.clock.set(starts - Duration::hours(24));
    p.app.tick().await;
    p.app.tick().await;
    p.clock.set(starts - Duration::hours(2));
    p.app.tick().await;
    // Headers as a mail client reads them (long ones are folded).
    let sent: Vec<String> = std::mem::take(&mut *mail.lock().unwrap())
        .iter()
        .map(|m| m.replace("\r\n ", " ").replace("\n ", " "))
        .collect();
    assert_eq!(sent.len(), 1, "one reminder: {sent:?}");
    assert!(sent[0].contains("To: db-watcher@example.com"), "{}", sent[0]);
    assert!(
        sent[0].contains("Subject: [Status] Reminder: Database upgrade begins Thu 26 Nov 2026, 11:00 UTC"),
        "{}",
        sent[0]
    );
    assert!(sent[0].contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{}", sent[0]);
    let id = m["public_id"].as_str().unwrap();
    assert_eq!(p.app.audit_actions(id).await, vec!["maintenance.schedule", "maintenance.remind"]);

    // The lead time is the page's: an admin may turn reminders off.
    let (s, b) = p
        .app
        .api(Method::PATCH, &p.admin, "/api/v1/status-page/settings", Some(json!({ "reminder_hours": 200 })))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["field"], "reminder_hours", "{b}");
    let (s, b) = p
        .app
        .api(Method::PATCH, &p.admin, "/api/v1/status-page/settings", Some(json!({ "reminder_hours": 0 })))
        .await;
    assert_eq!((s, &b["reminder_hours"]), (StatusCode::OK, &json!(0)), "{b}");
}

#[tokio::test]
async fn a_subscriber_to_one_incident_hears_of_it_alone() {
    let (mail, smtp) = crate::paging::smtp_sink().await;
    let clock = ManualClock::new(monday());
    let app = crate::common::spawn_app_with(clock.clone(), |c| c.smtp_url = Some(smtp)).await;
    let p = page_on(app, clock).await;
    let post = |name: &'static str| {
        let (app, token, component) = (&p.app, p.responder.clone(), p.api_component.clone());
        async move {
            let (s, b) = app
                .api(
                    Method::POST,
                    &token,
                    "/api/v1/status-page/incidents",
                    Some(json!({ "name": name, "body": "Looking into it.", "components": { component: "partial_outage" } })),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            b["public_id"].as_str().unwrap().to_owned()
        }
    };
    let followed = post("Slow checkout").await;
    post("Slow search").await;
    // The incident's own page offers it, without JavaScript.
    for _ in 0..100 {
        let html = reqwest::get(p.app.url(&format!("/status/incidents/{followed}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if html.contains("Get updates on this incident") {
            assert!(html.contains(&format!(r#"name="incident" value="{followed}""#)), "{html}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    confirmed(&p, &mail, "one@example.com", &[("incident", followed.as_str())]).await;
    // The confirmation named the incident.
    let (_, subs) = p.app.api(Method::GET, &p.admin, "/api/v1/status-page/subscribers", None).await;
    assert_eq!(subs[0]["incident"], json!(followed), "{subs}");

    for (id, body) in [(followed.as_str(), "Found it."), (followed.as_str(), "Fixed.")] {
        let (s, b) = p
            .app
            .api(
                Method::POST,
                &p.responder,
                &format!("/api/v1/status-page/incidents/{id}/updates"),
                Some(json!({ "status": "identified", "body": body })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    post("Slow login").await;
    p.app.tick().await;
    let sent = std::mem::take(&mut *mail.lock().unwrap());
    assert_eq!(sent.len(), 2, "the followed incident's two updates only: {sent:?}");
    assert!(sent.iter().all(|m| m.contains("Slow checkout")), "{sent:?}");
    let unknown = p
        .app
        .browser()
        .post(p.app.url("/status/subscribe"))
        .form(&[("email", "x@example.com"), ("incident", "nosuch")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_maintenance_is_moved_before_it_starts_and_cancelled() {
    let p = page().await;
    let starts = monday() + Duration::days(2);
    let m = p.schedule("Network work", starts, &p.api_component).await;
    let id = m["public_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/status-page/maintenances/{id}");

    // Refused changes write nothing.
    let (s, b) = p
        .app
        .api(Method::PATCH, &p.responder, &path, Some(json!({ "scheduled_until": starts.to_rfc3339() })))
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("scheduled_until")),
        "{b}"
    );
    let (s, _) = p.app.api(Method::PATCH, &p.viewer, &path, Some(json!({ "name": "Mine" }))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let later = starts + Duration::days(1);
    let (s, b) = p
        .app
        .api(
            Method::PATCH,
            &p.responder,
            &path,
            Some(json!({ "name": "Network upgrade", "scheduled_for": later.to_rfc3339(),
                         "scheduled_until": (later + Duration::hours(2)).to_rfc3339(),
                         "components": [p.db_component] })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let upcoming = p
        .doc("/api/v2/scheduled-maintenances/upcoming.json", |d| {
            d["scheduled_maintenances"][0]["name"] == "Network upgrade"
        })
        .await;
    let shown = &upcoming["scheduled_maintenances"][0];
    assert_eq!(
        shown["scheduled_for"].as_str().map(|t| t.starts_with("2026-11-26T10:00")),
        Some(true),
        "{shown}"
    );
    assert_eq!(shown["components"][0]["id"], json!(p.db_component), "{shown}");

    let (s, b) = p
        .app
        .api(
            Method::POST,
            &p.responder,
            &format!("{path}/cancel"),
            Some(json!({ "body": "Postponed to January." })),
        )
        .await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("completed")), "{b}");
    p.doc("/api/v2/scheduled-maintenances/upcoming.json", |d| d["scheduled_maintenances"] == json!([])).await;
    let all = p
        .doc("/api/v2/scheduled-maintenances.json", |d| {
            d["scheduled_maintenances"][0]["status"] == "completed"
        })
        .await;
    assert_eq!(all["scheduled_maintenances"][0]["incident_updates"][0]["body"], "Postponed to January.");
    let (s, _) = p.app.api(Method::POST, &p.responder, &format!("{path}/cancel"), Some(json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = p.app.api(Method::PATCH, &p.responder, &path, Some(json!({ "name": "Again" }))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Nothing ran: the components never left operational.
    let (_, c) = p.app.api(Method::GET, &p.viewer, "/api/v1/status-page/components", None).await;
    assert!(c.as_array().unwrap().iter().all(|c| c["status"] == "operational"), "{c}");
    assert_eq!(
        p.app.audit_actions(&id).await,
        vec!["maintenance.schedule", "maintenance.update", "maintenance.cancel"]
    );
}

#[tokio::test]
async fn components_are_put_in_order_by_an_admin() {
    let p = page().await;
    let order = |ids: Vec<&String>| Some(json!({ "ids": ids }));
    let (s, _) = p
        .app
        .api(Method::PUT, &p.responder, "/api/v1/status-page/components/order", order(vec![&p.db_component]))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = p
        .app
        .api(
            Method::PUT,
            &p.admin,
            "/api/v1/status-page/components/order",
            order(vec![&p.db_component, &p.db_component]),
        )
        .await;
    assert_eq!((s, b["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("order")), "{b}");
    let (s, b) = p
        .app
        .api(
            Method::PUT,
            &p.admin,
            "/api/v1/status-page/components/order",
            order(vec![&p.db_component, &p.api_component]),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, c) = p.app.api(Method::GET, &p.viewer, "/api/v1/status-page/components", None).await;
    let listed: Vec<(&str, i64)> = c
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(listed, vec![("Database", 1), ("API", 2)]);
    let summary = p
        .doc("/api/v2/components.json", |d| {
            d["components"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["name"] == "Database" && c["position"] == 1))
        })
        .await;
    assert_eq!(summary["components"].as_array().unwrap().len(), 3);
    assert_eq!(p.app.audit_actions("order").await, vec!["status_component.reorder"]);
}
