//! The paging engine against a real database with a clock the tests move: levels, delays,
//! repeats, acknowledgement, pairs, low urgency, bundling, several engines at once, manual
//! pages, the one-click link, and webhook deliveries checked by a receiver that verifies the
//! Standard Webhooks signature.

use crate::{common, receiver::Receiver};

use std::sync::{Arc, Mutex};

use axum::{Router, routing::post};
use backend::{engine::ManualClock, notify::outbound::OutboundAllow};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{TestApp, spawn_app_at, spawn_app_running, spawn_app_with, spawn_instance};
use domain::{Role, UserView};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct World {
    app: TestApp,
    admin: String,
    people: Vec<UserView>,
    receiver: Receiver,
    clock: ManualClock,
}

/// A Monday morning in London, so high and low urgency both page at once unless a test moves it.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

async fn world() -> World {
    let clock = ManualClock::new(monday());
    world_of(spawn_app_at(clock.clone()).await, clock).await
}

async fn world_of(app: TestApp, clock: ManualClock) -> World {
    let admin_user = app.user("root@example.com", Role::Admin).await;
    let admin = app.token_for(&admin_user).await;
    let (receiver, url) = Receiver::start().await;
    let mut people = Vec::new();
    for name in ["ada", "bo", "cy"] {
        let user = app.user(&format!("{name}@example.com"), Role::Responder).await;
        let token = app.token_for(&user).await;
        let (status, method) = app
            .api(
                Method::POST,
                &token,
                "/api/v1/me/contact-methods",
                Some(json!({ "kind": "webhook", "label": "pager", "address": format!("{url}/hook/{name}") })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{method}");
        receiver
            .secrets
            .lock()
            .unwrap()
            .push((name.to_owned(), method["secret"].as_str().unwrap().to_owned()));
        people.push(user);
    }
    let (status, _) =
        app.api(Method::POST, &admin, "/api/v1/teams", Some(json!({ "name": "Core", "slug": "core" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .api(
            Method::POST,
            &admin,
            "/api/v1/services",
            Some(json!({ "name": "Core API", "slug": "core-api", "team": "core" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    World { app, admin, people, receiver, clock }
}

impl World {
    fn user(&self, name: &str) -> &UserView {
        self.people.iter().find(|p| p.email.as_str().starts_with(name)).unwrap()
    }

    /// Creates a policy and routes core-api to it.
    async fn policy(&self, levels: Value, repeat: u32) -> String {
        let (status, p) = self
            .app
            .api(
                Method::POST,
                &self.admin,
                "/api/v1/escalation-policies",
                Some(json!({ "name": "Core", "levels": levels, "repeat": repeat })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let id = p["id"].as_str().unwrap().to_owned();
        let (status, s) = self
            .app
            .api(
                Method::PATCH,
                &self.admin,
                "/api/v1/services/core-api",
                Some(json!({ "escalation_policy_id": id })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["escalation_policy"]["name"], "Core");
        id
    }

    fn level(&self, names: &[&str], minutes: u32) -> Value {
        let targets: Vec<Value> =
            names.iter().map(|n| json!({ "kind": "user", "id": self.user(n).id })).collect();
        json!({ "targets": targets, "delay_secs": minutes * 60 })
    }

    async fn declare(&self, title: &str) -> i64 {
        let (status, i) = self
            .app
            .api(
                Method::POST,
                &self.admin,
                "/api/v1/incidents",
                Some(json!({ "title": title, "severity": "SEV2", "services": ["core-api"] })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{i}");
        i["number"].as_str().unwrap().trim_start_matches("INC-").parse().unwrap()
    }

    async fn tick(&self) {
        self.app.tick().await;
    }

    async fn after(&self, minutes: i64) {
        self.clock.advance(Duration::minutes(minutes));
        self.tick().await;
    }

    async fn timeline(&self, n: i64) -> Vec<String> {
        let (_, t) =
            self.app.api(Method::GET, &self.admin, &format!("/api/v1/incidents/{n}/timeline"), None).await;
        // Oldest first.
        t.as_array().unwrap().iter().map(|e| e["body"].as_str().unwrap().to_owned()).collect()
    }
}

#[tokio::test]
async fn level_one_at_once_level_two_after_its_delay_and_nothing_after_acknowledge() {
    let w = world().await;
    w.policy(json!([w.level(&["ada"], 5), w.level(&["bo"], 5)]), 1).await;
    let n = w.declare("Checkout down").await;
    w.tick().await;
    let to_ada = w.receiver.to("ada");
    assert_eq!(to_ada.len(), 1);
    assert_eq!(to_ada[0]["type"], "incident.page");
    assert_eq!(to_ada[0]["incidents"][0]["number"], format!("INC-{n}"));
    assert!(to_ada[0]["incidents"][0]["acknowledge_url"].as_str().unwrap().contains("/ack/"));
    w.after(4).await;
    assert!(w.receiver.to("bo").is_empty(), "level 2 waits for its delay");
    w.after(1).await;
    assert_eq!(w.receiver.to("bo").len(), 1);

    let ada = w.app.token_for(w.user("ada")).await;
    let (status, inc) =
        w.app.api(Method::POST, &ada, &format!("/api/v1/incidents/{n}/acknowledge"), None).await;
    assert_eq!(status, StatusCode::OK, "{inc}");
    assert_eq!(inc["status"], "acknowledged");
    w.after(60).await;
    assert_eq!((w.receiver.to("ada").len(), w.receiver.to("bo").len()), (1, 1));
    let timeline = w.timeline(n).await;
    for expected in [
        "Escalation level 1: paged Ada",
        "Page delivered to Ada by webhook (pager)",
        "Escalation level 2: paged Bo",
        "Escalation stopped: acknowledged",
    ] {
        assert!(timeline.iter().any(|b| b.starts_with(expected)), "{expected} in {timeline:#?}");
    }
    let (_, pages) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/incidents/{n}/pages"), None).await;
    assert_eq!(pages.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn repeats_are_honoured_and_the_end_is_noted() {
    let w = world().await;
    w.policy(json!([w.level(&["ada"], 5)]), 2).await;
    let n = w.declare("Disk full").await;
    w.tick().await;
    for _ in 0..4 {
        w.after(5).await;
    }
    assert_eq!(w.receiver.to("ada").len(), 3, "the first run and two repeats");
    let timeline = w.timeline(n).await;
    assert!(timeline.iter().any(|b| b == "Escalation level 1, repeat 2: paged Ada"), "{timeline:#?}");
    assert_eq!(
        timeline.last().unwrap(),
        "Every level of the escalation policy has been paged and no one acknowledged"
    );
}

#[tokio::test]
async fn a_pair_gets_its_roles_when_acknowledged() {
    let w = world().await;
    let level = json!({
        "targets": [
            { "kind": "user", "id": w.user("ada").id, "role": "communicator" },
            { "kind": "user", "id": w.user("bo").id, "role": "fixer" }
        ],
        "delay_secs": 600
    });
    w.policy(json!([level]), 0).await;
    let n = w.declare("Payments failing").await;
    w.tick().await;
    assert_eq!((w.receiver.to("ada").len(), w.receiver.to("bo").len()), (1, 1));
    let bo = w.app.token_for(w.user("bo")).await;
    let (_, inc) = w.app.api(Method::POST, &bo, &format!("/api/v1/incidents/{n}/acknowledge"), None).await;
    let roles: Vec<(String, String)> = inc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].as_str().unwrap().to_owned(), r["name"].as_str().unwrap().to_owned()))
        .collect();
    assert!(
        roles.contains(&("communicator".into(), "Ada".into()))
            && roles.contains(&("fixer".into(), "Bo".into())),
        "{roles:?}"
    );
}

#[tokio::test]
async fn low_urgency_waits_for_the_persons_working_hours() {
    let w = world().await;
    w.policy(json!([w.level(&["ada"], 5)]), 0).await;
    let (status, _) = w
        .app
        .api(
            Method::PATCH,
            &w.admin,
            "/api/v1/services/core-api",
            Some(json!({ "ingestion": { "urgency": "low" } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Ada works in Sydney. Saturday 28 November 2026 10:00 UTC is 21:00 there.
    sqlx::query("UPDATE users SET time_zone = 'Australia/Sydney' WHERE email = 'ada@example.com'")
        .execute(&w.app.pool)
        .await
        .unwrap();
    w.clock.advance(Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap() - monday());
    let n = w.declare("Nightly report late").await;
    // Low urgency is a property of incidents from alerts; this one stands in for one.
    sqlx::query("UPDATE incidents SET origin = 'alert' WHERE number = $1")
        .bind(n)
        .execute(&w.app.pool)
        .await
        .unwrap();
    w.tick().await;
    assert!(w.receiver.to("ada").is_empty());
    let (_, log) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/deliveries?incident={n}"), None).await;
    assert_eq!(log[0]["deferred"], true, "{log}");
    // Monday 30 November 09:00 in Sydney is Sunday 29 November 22:00 UTC.
    assert_eq!(log[0]["due_at"], "2026-11-29T22:00:00Z");
    w.clock.advance(
        Utc.with_ymd_and_hms(2026, 11, 29, 22, 0, 0).unwrap()
            - Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap(),
    );
    w.tick().await;
    assert_eq!(w.receiver.to("ada").len(), 1);
}

#[tokio::test]
async fn pages_to_one_person_within_a_minute_come_as_one() {
    let w = world().await;
    w.policy(json!([w.level(&["ada"], 30)]), 0).await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(w.declare(&format!("Storm {i}")).await);
    }
    w.tick().await;
    let first = w.receiver.to("ada");
    assert_eq!(first.len(), 1, "three pages due together are one message");
    assert_eq!(first[0]["incidents"].as_array().unwrap().len(), 3);
    assert!(first[0]["text"].as_str().unwrap().starts_with("3 incidents need you"));
    // One more 20 s later waits for the end of the minute, then goes alone.
    w.clock.advance(Duration::seconds(20));
    let late = w.declare("Storm 3").await;
    w.tick().await;
    assert_eq!(w.receiver.to("ada").len(), 1);
    w.clock.advance(Duration::seconds(41));
    w.tick().await;
    assert_eq!(w.receiver.incidents_to("ada").last().unwrap(), &format!("INC-{late}"));
    assert_eq!(w.receiver.to("ada").len(), 2);
    let timeline = w.timeline(numbers[0]).await;
    assert!(timeline.iter().any(|b| b.contains("bundled with 2 other incident(s)")), "{timeline:#?}");
}

#[tokio::test]
async fn three_engines_page_every_step_exactly_once() {
    let w = world().await;
    w.policy(json!([w.level(&["ada"], 5), w.level(&["bo"], 5)]), 1).await;
    let total = 200;
    for i in 0..total {
        w.declare(&format!("Incident {i}")).await;
    }
    let mut engines = Vec::new();
    for _ in 0..3 {
        engines.push(spawn_instance(&w.app).await);
    }
    // Four steps each, five minutes apart; all three engines run every pass at once.
    for _ in 0..25 {
        let passes: Vec<_> = engines.iter().map(|e| e.tick()).collect();
        join_all(passes).await;
        w.clock.advance(Duration::minutes(1));
    }
    let steps: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT count(*), count(DISTINCT (incident_id, body)) FROM timeline_events WHERE kind = 'page_escalated' AND body LIKE 'Escalation level%'",
    )
    .fetch_all(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(steps[0], (total * 4, total * 4), "each incident's four steps, once each");
    // Every page reached its person once, however the messages were bundled.
    let mut ada = w.receiver.incidents_to("ada");
    ada.sort();
    let mut expected: Vec<String> = Vec::new();
    let numbers: Vec<i64> =
        sqlx::query_scalar("SELECT number FROM incidents").fetch_all(&w.app.pool).await.unwrap();
    for n in numbers {
        expected.push(format!("INC-{n}"));
        expected.push(format!("INC-{n}"));
    }
    expected.sort();
    assert_eq!(ada, expected);
    assert_eq!(w.receiver.incidents_to("bo").len(), (total * 2) as usize);
}

/// A webhook endpoint on a port of its own that takes every request and never answers; counts
/// the requests it is holding.
async fn black_hole(holding: Arc<std::sync::atomic::AtomicUsize>) -> String {
    let app = Router::new().route(
        "/{who}",
        post(move || {
            let holding = holding.clone();
            async move {
                holding.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::future::pending::<&str>().await
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn forty_hanging_webhooks_do_not_hold_up_a_page_to_a_working_one() {
    // The real clock and the engine on its own timers: nobody ticks it.
    let w = world_of(spawn_app_running().await, ManualClock::new(monday())).await;
    let n = w.declare("Everything is down").await;
    let holding = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for i in 0..40 {
        let user = w.app.user(&format!("hang{i}@example.com"), Role::Responder).await;
        let token = w.app.token_for(&user).await;
        let hole = black_hole(holding.clone()).await;
        let (status, m) = w
            .app
            .api(
                Method::POST,
                &token,
                "/api/v1/me/contact-methods",
                Some(json!({ "kind": "webhook", "label": "pager", "address": format!("{hole}/p{i}") })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        let (status, paged) = w
            .app
            .api(
                Method::POST,
                &w.admin,
                &format!("/api/v1/incidents/{n}/page"),
                Some(json!({ "kind": "user", "id": user.id })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{paged}");
    }
    // All forty are being sent at once, each waiting for its endpoint.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(8);
    while holding.load(std::sync::atomic::Ordering::SeqCst) < 40 {
        assert!(std::time::Instant::now() < deadline, "only {holding:?} of 40 hanging pages were started");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let asked = std::time::Instant::now();
    let (status, _) = w
        .app
        .api(
            Method::POST,
            &w.admin,
            &format!("/api/v1/incidents/{n}/page"),
            Some(json!({ "kind": "user", "id": w.user("ada").id })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    while w.receiver.to("ada").is_empty() {
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(2),
            "a page to a working webhook waited behind forty hanging ones"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    println!("page to the working webhook arrived after {:?}", asked.elapsed());
}

/// The last error of each of `email`'s deliveries.
async fn delivery_errors(w: &World, email: &str) -> Vec<String> {
    let (_, log) = w.app.api(Method::GET, &w.admin, "/api/v1/deliveries", None).await;
    let name = w.people.iter().find(|p| p.email == email).unwrap().name.clone();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|d| d["to"] == name.as_str())
        .map(|d| d["error"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn pages_never_reach_internal_addresses_unless_an_admin_allows_them() {
    let clock = ManualClock::new(monday());
    // The production default: nothing internal allowed.
    let app = spawn_app_with(clock.clone(), |c| c.outbound_allow = OutboundAllow::default()).await;
    let w = world_of(app, clock).await;
    let ada = w.app.token_for(w.user("ada")).await;
    let (_, methods) = w.app.api(Method::GET, &ada, "/api/v1/me/contact-methods", None).await;
    let numeric = methods[0]["id"].as_str().unwrap().to_owned();
    let port = methods[0]["address"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // The same receiver by name, and the cloud metadata address.
    let mut ids = vec![numeric];
    for address in
        [format!("http://localhost:{port}/hook/ada"), "http://169.254.169.254/latest/meta-data".to_owned()]
    {
        let (status, m) = w
            .app
            .api(
                Method::POST,
                &ada,
                "/api/v1/me/contact-methods",
                Some(json!({ "kind": "webhook", "label": "other", "address": address })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        ids.push(m["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let path = format!("/api/v1/me/contact-methods/{id}/test");
        assert_eq!(w.app.api(Method::POST, &ada, &path, None).await.0, StatusCode::ACCEPTED);
    }
    w.tick().await;
    assert!(w.receiver.to("ada").is_empty(), "a page reached a loopback address");
    let errors = delivery_errors(&w, "ada@example.com").await;
    assert_eq!(errors.len(), 3, "{errors:?}");
    for e in &errors {
        assert!(e.contains("internal address") && e.contains("TOCSIN_OUTBOUND_ALLOW"), "{e}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let w = world().await;
    // An endpoint that sends every request on to ada's receiver.
    let (_, methods) = w
        .app
        .api(Method::GET, &w.app.token_for(w.user("ada")).await, "/api/v1/me/contact-methods", None)
        .await;
    let target = methods[0]["address"].as_str().unwrap().to_owned();
    let app = Router::new().route(
        "/go",
        post(move || {
            let target = target.clone();
            async move { axum::response::Redirect::temporary(&target) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector = format!("http://{}/go", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let bo = w.app.token_for(w.user("bo")).await;
    let (status, m) = w
        .app
        .api(
            Method::POST,
            &bo,
            "/api/v1/me/contact-methods",
            Some(json!({ "kind": "webhook", "label": "moved", "address": redirector })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let path = format!("/api/v1/me/contact-methods/{}/test", m["id"].as_str().unwrap());
    assert_eq!(w.app.api(Method::POST, &bo, &path, None).await.0, StatusCode::ACCEPTED);
    w.tick().await;
    assert!(w.receiver.to("ada").is_empty(), "the redirect was followed");
    let errors = delivery_errors(&w, "bo@example.com").await;
    assert!(errors.iter().any(|e| e.contains("HTTP 307 (redirects are not followed)")), "{errors:?}");
}

#[tokio::test]
async fn test_pages_are_capped_per_person() {
    let w = world().await;
    let ada = w.app.token_for(w.user("ada")).await;
    let (_, methods) = w.app.api(Method::GET, &ada, "/api/v1/me/contact-methods", None).await;
    let path = format!("/api/v1/me/contact-methods/{}/test", methods[0]["id"].as_str().unwrap());
    for _ in 0..5 {
        assert_eq!(w.app.api(Method::POST, &ada, &path, None).await.0, StatusCode::ACCEPTED);
    }
    let (status, err) = w.app.api(Method::POST, &ada, &path, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    // Others are not held back by ada's tests, and an hour later ada may test again.
    let bo = w.app.token_for(w.user("bo")).await;
    let (_, methods) = w.app.api(Method::GET, &bo, "/api/v1/me/contact-methods", None).await;
    let bo_path = format!("/api/v1/me/contact-methods/{}/test", methods[0]["id"].as_str().unwrap());
    assert_eq!(w.app.api(Method::POST, &bo, &bo_path, None).await.0, StatusCode::ACCEPTED);
    w.clock.advance(Duration::minutes(61));
    assert_eq!(w.app.api(Method::POST, &ada, &path, None).await.0, StatusCode::ACCEPTED);
}

/// Polls the futures together, so each engine's pass runs concurrently with the others.
async fn join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = fs.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}

impl World {
    /// A PagerDuty integration key on core-api.
    async fn pagerduty_key(&self) -> String {
        let (status, k) = self
            .app
            .api(
                Method::POST,
                &self.admin,
                "/api/v1/services/core-api/integration-keys",
                Some(json!({ "kind": "events_v2", "label": "prometheus" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{k}");
        k["key"].as_str().unwrap().to_owned()
    }

    async fn pagerduty(&self, key: &str, action: &str) {
        let mut body = json!({ "routing_key": key, "event_action": action, "dedup_key": "disk/db-1" });
        if action == "trigger" {
            body["payload"] =
                json!({ "summary": "Disk full on db-1", "source": "db-1", "severity": "critical" });
        }
        let res = reqwest::Client::new().post(self.app.url("/v2/enqueue")).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }

    async fn escalation_end(&self, n: i64) -> (Option<DateTime<Utc>>, Option<String>) {
        sqlx::query_as(
            "SELECT e.ended_at, e.end_reason FROM escalations e JOIN incidents i ON i.id = e.incident_id
             WHERE i.number = $1",
        )
        .bind(n)
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
    }
}

/// Every path that changes an incident's status applies the same effects: an acknowledge at the
/// alert source ends the escalation at once, says so, and gives the paged roles.
#[tokio::test]
async fn an_acknowledge_at_the_alert_source_stops_the_escalation_like_a_person_would() {
    let w = world().await;
    let first = json!({
        "targets": [{ "kind": "user", "id": w.user("ada").id, "role": "communicator" }],
        "delay_secs": 300
    });
    w.policy(json!([first, w.level(&["bo"], 5)]), 0).await;
    let key = w.pagerduty_key().await;
    w.pagerduty(&key, "trigger").await;
    w.tick().await;
    w.tick().await;
    let n: i64 = sqlx::query_scalar("SELECT number FROM incidents").fetch_one(&w.app.pool).await.unwrap();
    assert_eq!(w.receiver.to("ada").len(), 1, "level 1 paged");

    w.clock.advance(Duration::minutes(1));
    w.pagerduty(&key, "acknowledge").await;
    w.tick().await;
    let (_, inc) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/incidents/{n}"), None).await;
    assert_eq!(inc["status"], "acknowledged");
    assert_eq!(inc["roles"][0]["role"], "communicator", "{inc}");
    assert_eq!(inc["roles"][0]["name"], "Ada", "{inc}");
    let (ended, reason) = w.escalation_end(n).await;
    assert_eq!(ended, Some(w.app.now()), "the escalation ends in the transaction of the change");
    assert_eq!(reason.as_deref(), Some("acknowledged"));
    let timeline = w.timeline(n).await;
    assert!(timeline.iter().any(|b| b == "Escalation stopped: acknowledged by alerts"), "{timeline:#?}");
    w.after(10).await;
    assert!(w.receiver.to("bo").is_empty(), "level 2 is never paged");
}

/// Auto-resolve (the last alert resolved, no one acted) ends the escalation the same way.
#[tokio::test]
async fn an_automatic_resolve_stops_the_escalation() {
    let w = world().await;
    w.policy(json!([w.level(&["ada"], 5), w.level(&["bo"], 5)]), 0).await;
    let key = w.pagerduty_key().await;
    w.pagerduty(&key, "trigger").await;
    w.tick().await;
    w.tick().await;
    let n: i64 = sqlx::query_scalar("SELECT number FROM incidents").fetch_one(&w.app.pool).await.unwrap();
    w.pagerduty(&key, "resolve").await;
    w.tick().await;
    let (_, inc) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/incidents/{n}"), None).await;
    assert_eq!(inc["status"], "resolved");
    assert_eq!(w.escalation_end(n).await.1.as_deref(), Some("resolved"));
    let timeline = w.timeline(n).await;
    assert!(timeline.iter().any(|b| b == "Escalation stopped: resolved by alerts"), "{timeline:#?}");
}

#[tokio::test]
async fn a_manual_page_and_the_one_click_link() {
    let w = world().await;
    let n = w.declare("Search is slow").await;
    let cy = w.app.token_for(w.user("cy")).await;
    let (status, paged) = w
        .app
        .api(
            Method::POST,
            &cy,
            &format!("/api/v1/incidents/{n}/page"),
            Some(json!({ "kind": "user", "id": w.user("bo").id })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paged}");
    assert_eq!(paged["paged"], json!(["Bo"]));
    w.tick().await;
    let link = w.receiver.to("bo")[0]["incidents"][0]["acknowledge_url"].as_str().unwrap().to_owned();
    let path = &link[link.find("/ack/").unwrap()..];
    let page = reqwest::get(w.app.url(path)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(&format!("Acknowledge INC-{n}")));
    // Fetching the link acknowledges nothing; the button does.
    let (_, inc) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/incidents/{n}"), None).await;
    assert_eq!(inc["status"], "triggered");
    let done = reqwest::Client::new().post(w.app.url(path)).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let (_, inc) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/incidents/{n}"), None).await;
    assert_eq!(inc["status"], "acknowledged");
    let again = reqwest::Client::new().post(w.app.url(path)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // The same link with its last MAC digit changed.
    let last = if path.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &path[..path.len() - 1]);
    assert_eq!(
        reqwest::Client::new().post(w.app.url(&forged)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let timeline = w.timeline(n).await;
    assert!(timeline.iter().any(|b| b == "cy@example.com paged Bo"), "{timeline:#?}");
    assert!(timeline.iter().any(|b| b.contains("acknowledged from the link in a page")), "{timeline:#?}");
}

#[tokio::test]
async fn contact_methods_rules_and_test_pages() {
    let w = world().await;
    let ada = w.app.token_for(w.user("ada")).await;
    let (status, err) = w
        .app
        .api(
            Method::POST,
            &ada,
            "/api/v1/me/contact-methods",
            Some(json!({ "kind": "webhook", "label": "x", "address": "not a url" })),
        )
        .await;
    assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("address")));
    let (_, methods) = w.app.api(Method::GET, &ada, "/api/v1/me/contact-methods", None).await;
    let method = methods[0]["id"].as_str().unwrap().to_owned();
    assert!(methods[0]["secret"].as_str().unwrap().starts_with("whsec_"));
    let (status, rule) = w
        .app
        .api(
            Method::POST,
            &ada,
            "/api/v1/me/notification-rules",
            Some(json!({ "contact_method_id": method, "delay_minutes": 2 })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    assert_eq!(rule["delay_secs"], 120);
    // Someone else's contact methods are for admins only.
    let bo = w.app.token_for(w.user("bo")).await;
    let path = format!("/api/v1/users/{}/contact-methods", w.user("ada").id);
    assert_eq!(w.app.api(Method::GET, &bo, &path, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(w.app.api(Method::GET, &w.admin, &path, None).await.0, StatusCode::OK);

    let (status, _) =
        w.app.api(Method::POST, &ada, &format!("/api/v1/me/contact-methods/{method}/test"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    w.tick().await;
    assert_eq!(w.receiver.to("ada")[0]["type"], "test");

    // The rule's delay holds a page two minutes.
    w.policy(json!([w.level(&["ada"], 10)]), 0).await;
    w.after(5).await;
    w.declare("Queue backing up").await;
    w.tick().await;
    assert_eq!(w.receiver.to("ada").len(), 1);
    w.after(2).await;
    assert_eq!(w.receiver.to("ada").len(), 2);
    assert_eq!(
        w.app.audit_actions(&w.user("ada").id.to_string()).await,
        vec!["user.create", "contact_method.create", "notification_rule.create", "contact_method.test"]
    );
}

#[tokio::test]
async fn policies_are_checked_and_admin_only() {
    let w = world().await;
    let ada = w.app.token_for(w.user("ada")).await;
    let body = json!({ "name": "P", "levels": [w.level(&["ada"], 5)] });
    assert_eq!(
        w.app.api(Method::POST, &ada, "/api/v1/escalation-policies", Some(body.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let bad = json!({ "name": "P", "levels": [{ "targets": [{ "kind": "schedule", "id": uuid::Uuid::nil() }], "delay_secs": 300 }] });
    let (status, err) = w.app.api(Method::POST, &w.admin, "/api/v1/escalation-policies", Some(bad)).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("levels[0].targets"))
    );
    let short = json!({ "name": "P", "levels": [w.level(&["ada"], 0)] });
    let (status, err) = w.app.api(Method::POST, &w.admin, "/api/v1/escalation-policies", Some(short)).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("levels[0].delay_secs"))
    );
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM escalation_policies").fetch_one(&w.app.pool).await.unwrap();
    assert_eq!(count, 0);
    let id = w.policy(json!([w.level(&["ada"], 5)]), 0).await;
    let (_, list) = w.app.api(Method::GET, &ada, "/api/v1/escalation-policies", None).await;
    assert_eq!(list[0]["services"], json!(["core-api"]));
    assert_eq!(w.app.audit_actions(&id).await, vec!["escalation_policy.create"]);
}

/// A minimal SMTP server: accepts one message per connection and keeps its DATA.
pub(crate) async fn smtp_sink() -> (Arc<Mutex<Vec<String>>>, String) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let got = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let kept = got.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (got, url)
}

#[tokio::test]
async fn email_pages_go_through_smtp_with_the_acknowledge_link() {
    let (mail, smtp) = smtp_sink().await;
    let clock = ManualClock::new(monday());
    let app = spawn_app_with(clock.clone(), |c| {
        c.smtp_url = Some(smtp);
        c.smtp_from = "Tocsin <pager@example.com>".into();
    })
    .await;
    let w = world_of(app, clock).await;
    let cy = w.app.token_for(w.user("cy")).await;
    let (status, _) = w
        .app
        .api(
            Method::POST,
            &cy,
            "/api/v1/me/contact-methods",
            Some(json!({ "kind": "email", "label": "mail", "address": "cy@example.com" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    w.policy(json!([w.level(&["cy"], 5)]), 0).await;
    let n = w.declare("Mail me").await;
    w.tick().await;
    let got = mail.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one email");
    let message = &got[0];
    assert!(message.contains(&format!("Subject: [SEV2] INC-{n} Mail me")), "{message}");
    assert!(message.contains("To: cy@example.com"), "{message}");
    assert!(message.contains("Content-Type: text/html"), "{message}");
    assert!(message.contains("/ack/"), "{message}");
    let (_, log) = w.app.api(Method::GET, &w.admin, &format!("/api/v1/deliveries?incident={n}"), None).await;
    assert!(log.as_array().unwrap().iter().any(|d| d["method"] == "email" && d["status"] == "sent"), "{log}");
}

#[tokio::test]
async fn the_incoming_person_is_told_when_their_shift_starts_once() {
    let w = world().await;
    let ids: Vec<String> = ["ada", "bo"].iter().map(|n| w.user(n).id.to_string()).collect();
    let body = json!({
        "name": "Core rota", "time_zone": "Europe/London", "confirm": true,
        "layers": [{ "name": "Weekly", "participants": ids, "unit": "weeks", "length": 1,
                     "handoff_time": "09:00", "handoff_weekday": "Mon", "start_date": "2026-11-02" }]
    });
    let (status, _) = w.app.api(Method::POST, &w.admin, "/api/v1/schedules", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
    // Ada commands an open incident as her shift ends.
    let n = w.declare("Lingering").await;
    let (status, _) = w
        .app
        .api(
            Method::POST,
            &w.admin,
            &format!("/api/v1/incidents/{n}/roles"),
            Some(json!({ "role": "commander", "user_id": w.user("ada").id })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Monday 23 November 09:00 GMT: Bo takes over from Ada (the fourth week from 2 November).
    w.clock.advance(Duration::seconds(-(59 * 60 + 30)));
    w.tick().await;
    let to_bo = w.receiver.to("bo");
    assert_eq!(to_bo.len(), 1, "{to_bo:?}");
    assert_eq!(to_bo[0]["type"], "shift.handoff");
    assert!(
        to_bo[0]["text"].as_str().unwrap().contains(
            "You are on call for Core rota (primary) from 2026-11-23 09:00 UTC, taking over from Ada"
        )
    );
    // A second engine, or the next pass, does not tell Bo again; Ada is not told.
    let other = spawn_instance(&w.app).await;
    other.tick().await;
    w.after(1).await;
    assert_eq!(w.receiver.to("bo").len(), 1);
    // Ada is offered the handover once.
    let to_ada = w.receiver.to("ada");
    assert_eq!(to_ada.len(), 1, "{to_ada:?}");
    assert!(
        to_ada[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Your shift on Core rota has ended and Bo is on call now. You hold 1 role(s)")
    );
}

/// A webhook or Slack URL is a secret (whoever has it can post there): a failed delivery names
/// the host it could not reach, never the URL.
#[tokio::test]
async fn a_failed_delivery_names_the_host_not_the_secret_url() {
    let w = world().await;
    let cy = w.app.token_for(w.user("cy")).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}/services/T000/B000/s3cr3tXYZ");
    let (status, method) = w
        .app
        .api(
            Method::POST,
            &cy,
            "/api/v1/me/contact-methods",
            Some(json!({ "kind": "slack", "label": "chat", "address": address })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{method}");
    let id = method["id"].as_str().unwrap();
    let (status, _) =
        w.app.api(Method::POST, &cy, &format!("/api/v1/me/contact-methods/{id}/test"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    w.tick().await;
    let (_, log) = w.app.api(Method::GET, &w.admin, "/api/v1/deliveries", None).await;
    let failed = log.as_array().unwrap().iter().find(|d| d["label"] == "chat").unwrap().clone();
    let error = failed["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "names the host: {error}");
    assert!(!error.contains("s3cr3tXYZ") && !error.contains("/services/"), "no URL: {error}");
    assert!(!log.to_string().contains("s3cr3tXYZ"), "{log}");
}
