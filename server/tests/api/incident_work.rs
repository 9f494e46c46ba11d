//! Running an incident through the API against a real database: filters and keyset pages,
//! roles and handover, severity and field edits, notes, pins, links, related incidents, and live
//! updates across two server instances.

use crate::common;

use std::time::Duration;

use common::{TestApp, spawn_app};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn setup() -> (TestApp, String, Value) {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    (app, token, serde_json::to_value(ada).unwrap())
}

async fn declare(app: &TestApp, token: &str, title: &str, severity: &str) -> String {
    let (status, body) = app
        .api(Method::POST, token, "/api/v1/incidents", Some(json!({ "title": title, "severity": severity })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["number"].as_str().unwrap().to_owned()
}

fn numbers(page: &Value) -> Vec<&str> {
    page["incidents"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_list_puts_open_incidents_first_by_severity_and_pages_by_cursor() {
    let (app, token, _) = setup().await;
    let a = declare(&app, &token, "Disk full on db-1", "SEV3").await; // INC-1
    let b = declare(&app, &token, "Checkout down", "SEV1").await; // INC-2
    let c = declare(&app, &token, "Old noise", "SEV1").await; // INC-3
    let d = declare(&app, &token, "Slow search", "SEV3").await; // INC-4
    app.api(
        Method::POST,
        &token,
        &format!("/api/v1/incidents/{c}/transitions"),
        Some(json!({ "to": "resolved" })),
    )
    .await;

    let (_, all) = app.api(Method::GET, &token, "/api/v1/incidents", None).await;
    // Open: SEV1 (INC-2), then SEV3 newest first (INC-4, INC-1); then closed (INC-3).
    assert_eq!(numbers(&all), [b.as_str(), d.as_str(), a.as_str(), c.as_str()]);
    assert_eq!(all["next"], Value::Null);

    let (_, first) = app.api(Method::GET, &token, "/api/v1/incidents?limit=3", None).await;
    assert_eq!(numbers(&first), [b.as_str(), d.as_str(), a.as_str()]);
    let next = first["next"].as_str().unwrap();
    let (_, second) =
        app.api(Method::GET, &token, &format!("/api/v1/incidents?limit=3&after={next}"), None).await;
    assert_eq!(numbers(&second), [c.as_str()]);
    assert_eq!(second["next"], Value::Null);
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let (app, token, ada) = setup().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let admin_token = app.token_for(&admin).await;
    app.api(Method::POST, &admin_token, "/api/v1/teams", Some(json!({ "name": "Payments" }))).await;
    app.api(Method::POST, &admin_token, "/api/v1/teams", Some(json!({ "name": "Search" }))).await;
    for (name, team) in [("Checkout", "payments"), ("Search API", "search")] {
        let (s, _) = app
            .api(Method::POST, &admin_token, "/api/v1/services", Some(json!({ "name": name, "team": team })))
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, one) = app
        .api(
            Method::POST,
            &token,
            "/api/v1/incidents",
            Some(json!({ "title": "Checkout timeouts", "severity": "SEV2", "services": ["checkout"],
                         "description": "payment provider answers slowly" })),
        )
        .await;
    let (_, two) = app
        .api(
            Method::POST,
            &token,
            "/api/v1/incidents",
            Some(json!({ "title": "Index lag", "severity": "SEV4", "services": ["search-api"] })),
        )
        .await;
    let (one, two) = (one["number"].as_str().unwrap(), two["number"].as_str().unwrap());
    app.api(
        Method::POST,
        &token,
        &format!("/api/v1/incidents/{two}/roles"),
        Some(json!({ "role": "commander", "user_id": ada["id"] })),
    )
    .await;

    let list = |q: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let (status, page) = app.api(Method::GET, &token, &format!("/api/v1/incidents?{q}"), None).await;
            assert_eq!(status, StatusCode::OK, "{q}: {page}");
            numbers(&page).into_iter().map(str::to_owned).collect::<Vec<_>>()
        }
    };
    assert_eq!(list("severity=SEV2").await, [one]);
    assert_eq!(list("severity=SEV1,SEV4").await, [two]);
    assert_eq!(list("service=checkout").await, [one]);
    assert_eq!(list("team=search").await, [two]);
    assert_eq!(list("mine=true").await, [two]);
    assert_eq!(list("q=PAYMENT").await, [one], "prefix, case-insensitive, over the description");
    assert_eq!(list("q=index%20la").await, [two]);
    assert_eq!(list("q=%27%26%7C").await.len(), 2, "a query of symbols only filters nothing");
    assert_eq!(list("status=open").await.len(), 2);
    assert!(list("status=closed").await.is_empty());

    let (status, err) = app.api(Method::GET, &token, "/api/v1/incidents?status=done", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "status");
}

#[tokio::test]
async fn roles_are_assigned_reassigned_and_handed_over() {
    let (app, token, ada) = setup().await;
    let bob = serde_json::to_value(app.user("bob@example.com", Role::Responder).await).unwrap();
    let vera = serde_json::to_value(app.user("vera@example.com", Role::Viewer).await).unwrap();
    let one = declare(&app, &token, "One", "SEV2").await;
    let two = declare(&app, &token, "Two", "SEV3").await;
    let roles = |n: &str| format!("/api/v1/incidents/{n}/roles");

    let (status, inc) = app
        .api(Method::POST, &token, &roles(&one), Some(json!({ "role": "commander", "user_id": ada["id"] })))
        .await;
    assert_eq!(status, StatusCode::OK, "{inc}");
    assert_eq!(inc["roles"], json!([{ "role": "commander", "user_id": ada["id"], "name": "Ada" }]));
    app.api(Method::POST, &token, &roles(&one), Some(json!({ "role": "scribe", "user_id": ada["id"] })))
        .await;
    app.api(Method::POST, &token, &roles(&two), Some(json!({ "role": "fixer", "user_id": ada["id"] }))).await;

    // A viewer cannot hold a role, and an unknown role is named.
    let (status, err) = app
        .api(Method::POST, &token, &roles(&one), Some(json!({ "role": "fixer", "user_id": vera["id"] })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "user_id");
    let (status, err) = app
        .api(Method::POST, &token, &roles(&one), Some(json!({ "role": "boss", "user_id": ada["id"] })))
        .await;
    assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")));

    // Ada's shift ends: all three roles on both incidents move to Bob in one call.
    let (status, done) =
        app.api(Method::POST, &token, "/api/v1/handovers", Some(json!({ "to": bob["id"] }))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["to"], "Bob");
    assert_eq!(done["moved"].as_array().unwrap().len(), 3);
    let (_, inc) = app.api(Method::GET, &token, &format!("/api/v1/incidents/{one}"), None).await;
    assert!(inc["roles"].as_array().unwrap().iter().all(|h| h["name"] == "Bob"), "{inc}");
    let (_, timeline) =
        app.api(Method::GET, &token, &format!("/api/v1/incidents/{one}/timeline"), None).await;
    let last = timeline.as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "role_change");
    assert!(last["body"].as_str().unwrap().contains("handed over at shift end"), "{last}");

    // Unassigning leaves the role empty; a responder cannot hand over someone else's roles.
    app.api(Method::POST, &token, &roles(&two), Some(json!({ "role": "fixer", "user_id": null }))).await;
    let (_, inc) = app.api(Method::GET, &token, &format!("/api/v1/incidents/{two}"), None).await;
    assert_eq!(inc["roles"], json!([]));
    let (status, _) = app
        .api(Method::POST, &token, "/api/v1/handovers", Some(json!({ "from": bob["id"], "to": ada["id"] })))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_actions(&one).await.iter().filter(|a| *a == "incident.role").count(), 2);
}

#[tokio::test]
async fn severity_and_fields_change_with_their_timeline_and_audit() {
    let (app, token, _) = setup().await;
    let n = declare(&app, &token, "Checkout slow", "SEV3").await;
    let path = format!("/api/v1/incidents/{n}");

    let (status, inc) = app
        .api(Method::PATCH, &token, &path, Some(json!({ "severity": "SEV1", "reason": "all regions now" })))
        .await;
    assert_eq!(status, StatusCode::OK, "{inc}");
    assert_eq!(inc["severity"], "SEV1");
    let (_, inc) = app.api(Method::PATCH, &token, &path, Some(json!({ "severity": "SEV2" }))).await;
    assert_eq!(inc["severity"], "SEV2");
    let (status, inc) = app
        .api(
            Method::PATCH,
            &token,
            &path,
            Some(json!({ "description": "EU only", "customer_impact": true,
                         "impact_started_at": "2026-11-21T09:58:00Z", "impact_ended_at": "2026-11-21T10:40:00Z",
                         "root_cause_tags": ["Config Change", "dns"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{inc}");
    assert_eq!(inc["impact_started_at"], "2026-11-21T09:58:00Z");
    assert_eq!(inc["root_cause_tags"], json!(["config-change", "dns"]));
    let (_, inc) = app.api(Method::PATCH, &token, &path, Some(json!({ "impact_ended_at": null }))).await;
    assert_eq!(inc["impact_ended_at"], Value::Null);

    let (_, timeline) = app.api(Method::GET, &token, &format!("{path}/timeline"), None).await;
    let bodies: Vec<&str> =
        timeline.as_array().unwrap().iter().map(|e| e["body"].as_str().unwrap()).collect();
    assert_eq!(bodies[1], "Escalated SEV3 -> SEV1: all regions now");
    assert_eq!(bodies[2], "De-escalated SEV1 -> SEV2");
    assert_eq!(
        bodies[3],
        "Edited description, customer impact, impact started at, impact ended at, root cause tags"
    );
    assert_eq!(bodies[4], "Edited impact ended at");
    assert_eq!(
        app.audit_actions(&n).await,
        ["incident.declare", "incident.update", "incident.update", "incident.update", "incident.update"]
    );

    // Refused input writes nothing: a window ending before it starts, an unknown field value.
    let before = timeline.as_array().unwrap().len();
    let (status, err) = app
        .api(Method::PATCH, &token, &path, Some(json!({ "impact_ended_at": "2026-11-21T09:00:00Z" })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "impact_ended_at");
    let (status, _) = app.api(Method::PATCH, &token, &path, Some(json!({ "severity": "SEV0" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.api(Method::PATCH, &token, &path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, timeline) = app.api(Method::GET, &token, &format!("{path}/timeline"), None).await;
    assert_eq!(timeline.as_array().unwrap().len(), before);
    assert_eq!(app.audit_actions(&n).await.len(), 5);
}

#[tokio::test]
async fn notes_are_safe_markdown_and_entries_pin_and_unpin() {
    let (app, token, _) = setup().await;
    let n = declare(&app, &token, "Queue backlog", "SEV3").await;
    let (status, note) = app
        .api(
            Method::POST,
            &token,
            &format!("/api/v1/incidents/{n}/timeline"),
            Some(json!({ "body": "**Found it**: <script>alert(1)</script> [x](javascript:alert(1))" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["kind"], "note");
    assert_eq!(note["author"], "Ada");
    let html = note["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>Found it</strong>"), "{html}");
    assert!(!html.contains("<script") && !html.contains("javascript:"), "{html}");

    let id = note["id"].as_i64().unwrap();
    let pin = format!("/api/v1/incidents/{n}/timeline/{id}/pin");
    let (status, pinned) = app.api(Method::PUT, &token, &pin, Some(json!({ "pin": "papertrail" }))).await;
    assert_eq!(status, StatusCode::OK, "{pinned}");
    assert_eq!(pinned["pin"], "papertrail");
    let (_, pinned) = app.api(Method::POST, &token, &pin, Some(json!({ "pin": "follow_up" }))).await;
    assert_eq!(pinned["pin"], "follow_up");
    let (_, unpinned) = app.api(Method::DELETE, &token, &pin, None).await;
    assert_eq!(unpinned["pin"], Value::Null);
    let (status, err) = app.api(Method::PUT, &token, &pin, Some(json!({ "pin": "someday" }))).await;
    assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("pin")));
    let (status, _) = app
        .api(
            Method::PUT,
            &token,
            &format!("/api/v1/incidents/{n}/timeline/999999/pin"),
            Some(json!({ "pin": "papertrail" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .api(Method::POST, &token, &format!("/api/v1/incidents/{n}/timeline"), Some(json!({ "body": "  " })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let actions = app.audit_actions(&n).await;
    assert_eq!(actions.iter().filter(|a| *a == "incident.pin").count(), 3);
}

#[tokio::test]
async fn links_and_related_incidents_show_on_both_sides() {
    let (app, token, _) = setup().await;
    let one = declare(&app, &token, "DNS failures", "SEV2").await;
    let two = declare(&app, &token, "Login errors", "SEV3").await;
    let (status, inc) = app
        .api(
            Method::POST,
            &token,
            &format!("/api/v1/incidents/{one}/links"),
            Some(json!({ "url": "https://tickets.example.com/OPS-12", "label": "OPS-12" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inc}");
    assert_eq!(inc["links"], json!([{ "url": "https://tickets.example.com/OPS-12", "label": "OPS-12" }]));
    let (status, err) = app
        .api(
            Method::POST,
            &token,
            &format!("/api/v1/incidents/{one}/links"),
            Some(json!({ "url": "javascript:x" })),
        )
        .await;
    assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("url")));

    let (status, inc) = app
        .api(
            Method::POST,
            &token,
            &format!("/api/v1/incidents/{two}/related"),
            Some(json!({ "number": one, "reason": "same root cause" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inc}");
    assert_eq!(
        inc["related"],
        json!([{ "number": one, "title": "DNS failures", "reason": "same root cause" }])
    );
    let (_, other) = app.api(Method::GET, &token, &format!("/api/v1/incidents/{one}"), None).await;
    assert_eq!(other["related"][0]["number"], two.as_str());
    let (status, _) = app
        .api(
            Method::POST,
            &token,
            &format!("/api/v1/incidents/{two}/related"),
            Some(json!({ "number": two, "reason": "me" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .api(
            Method::POST,
            &token,
            &format!("/api/v1/incidents/{two}/related"),
            Some(json!({ "number": "INC-77", "reason": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_viewer_changes_nothing() {
    let (app, token, ada) = setup().await;
    let vera = app.user("vera@example.com", Role::Viewer).await;
    let viewer = app.token_for(&vera).await;
    let n = declare(&app, &token, "Something", "SEV3").await;
    let p = |s: &str| format!("/api/v1/incidents/{n}{s}");
    for (method, path, body) in [
        (Method::PATCH, p(""), json!({ "severity": "SEV1" })),
        (Method::POST, p("/roles"), json!({ "role": "commander", "user_id": ada["id"] })),
        (Method::POST, p("/timeline"), json!({ "body": "hi" })),
        (Method::PUT, p("/timeline/1/pin"), json!({ "pin": "papertrail" })),
        (Method::POST, p("/links"), json!({ "url": "https://x.example" })),
        (Method::POST, p("/related"), json!({ "number": "INC-1", "reason": "x" })),
        (Method::POST, "/api/v1/handovers".to_owned(), json!({ "to": ada["id"] })),
    ] {
        let (status, _) = app.api(method.clone(), &viewer, &path, Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    assert_eq!(app.audit_actions(&n).await, ["incident.declare"]);
}

/// Reads Server-Sent Events from `/api/v1/events` until one of type `incident` arrives.
async fn next_incident_event(res: &mut reqwest::Response) -> Value {
    let mut buffer = String::new();
    loop {
        let chunk = res.chunk().await.unwrap().expect("the stream stays open");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if event.lines().any(|l| l == "event: incident") {
                let data = event.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
                return serde_json::from_str(data).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn a_change_made_on_one_instance_reaches_pages_on_another() {
    let (app, token, _) = setup().await;
    // A second server on the same database: it hears of changes only through Postgres.
    let other = common::spawn_instance(&app).await;
    let mut events =
        reqwest::Client::new().get(other.url("/api/v1/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    // Give the other instance's LISTEN connection a moment to be up before the change.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let n = declare(&app, &token, "Seen elsewhere", "SEV2").await;
    let event =
        tokio::time::timeout(Duration::from_secs(10), next_incident_event(&mut events)).await.unwrap();
    assert_eq!(event, json!({ "number": n, "change": "declared" }));
    app.api(
        Method::POST,
        &token,
        &format!("/api/v1/incidents/{n}/transitions"),
        Some(json!({ "to": "acknowledged" })),
    )
    .await;
    let event =
        tokio::time::timeout(Duration::from_secs(10), next_incident_event(&mut events)).await.unwrap();
    assert_eq!(event, json!({ "number": n, "change": "status" }));

    let anonymous = reqwest::get(other.url("/api/v1/events")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
