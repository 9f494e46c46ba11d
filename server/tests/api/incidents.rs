//! The incidents API against a real database: declaring, numbering, the status machine, roles.

use crate::common;

use common::{TestApp, spawn_app};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn with_demo_services(app: &TestApp) {
    let admin = app.user("root@example.com", Role::Admin).await;
    let token = app.token_for(&admin).await;
    let client = reqwest::Client::new();
    client
        .post(app.url("/api/v1/teams"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Platform" }))
        .send()
        .await
        .unwrap();
    for name in ["Core API", "Billing"] {
        let res = client
            .post(app.url("/api/v1/services"))
            .bearer_auth(&token)
            .json(&json!({ "name": name, "team": "platform" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
}

async fn declare(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/v1/incidents"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn transition(app: &TestApp, token: &str, number: &str, to: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/incidents/{number}/transitions")))
        .bearer_auth(token)
        .json(&json!({ "to": to, "reason": "testing" }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_responder_declares_an_incident_and_walks_it_to_resolved() {
    let app = spawn_app().await;
    with_demo_services(&app).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;

    let res = declare(
        &app,
        &token,
        json!({ "title": "Checkout returns 500s", "severity": "SEV2", "services": ["core-api", "billing"],
                "description": "Since 14:02", "customer_impact": true }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let incident: Value = res.json().await.unwrap();
    assert_eq!(incident["number"], "INC-1");
    assert_eq!(incident["status"], "triggered");
    assert_eq!(incident["severity"], "SEV2");
    assert_eq!(incident["services"], json!(["billing", "core-api"]));
    assert_eq!(incident["customer_impact"], true);
    assert!(incident["impact_started_at"].is_string());

    for to in ["acknowledged", "mitigated", "resolved"] {
        let res = transition(&app, &token, "INC-1", to).await;
        assert_eq!(res.status(), StatusCode::OK, "{to}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], to);
        assert!(body[format!("{to}_at")].is_string(), "{to}_at is stamped");
    }

    let timeline: Value = reqwest::Client::new()
        .get(app.url("/api/v1/incidents/1/timeline"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> =
        timeline.as_array().unwrap().iter().map(|e| e["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 5);
    assert!(bodies[0].starts_with("Declared as SEV2"));
    assert_eq!(bodies[3], "mitigated -> resolved: testing");
    assert!(bodies[4].starts_with("Postmortem opened"), "a SEV2 gets its postmortem on resolution");
    assert!(timeline.as_array().unwrap().iter().all(|e| e["author"] == "Ada"));
}

#[tokio::test]
async fn an_illegal_transition_is_refused_with_the_allowed_ones() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    declare(&app, &token, json!({ "title": "Slow search", "severity": "SEV4" })).await;
    transition(&app, &token, "INC-1", "acknowledged").await;
    let res = transition(&app, &token, "INC-1", "triggered").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        err["error"]["message"],
        "cannot go from acknowledged to triggered; from acknowledged it can go to: mitigated, resolved"
    );
    let res = transition(&app, &token, "INC-1", "closed").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = transition(&app, &token, "INC-99", "resolved").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Refusals wrote nothing: one declaration and one acknowledgement.
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM timeline_events").fetch_one(&app.pool).await.unwrap();
    assert_eq!(events, 2);
}

#[tokio::test]
async fn many_incidents_declared_at_once_get_distinct_numbers() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    let runs: Vec<_> = (0..20)
        .map(|i| {
            let url = app.url("/api/v1/incidents");
            let token = token.clone();
            tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "title": format!("Storm {i}"), "severity": "SEV3" }))
                    .send()
                    .await
                    .unwrap();
                res.json::<Value>().await.unwrap()["number"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for run in runs {
        numbers.push(run.await.unwrap());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 20);
}

#[tokio::test]
async fn bad_input_and_viewers_change_nothing() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let vera = app.user("vera@example.com", Role::Viewer).await;
    let token = app.token_for(&ada).await;
    let viewer = app.token_for(&vera).await;

    for (body, field) in [
        (json!({ "title": "", "severity": "SEV2" }), "title"),
        (json!({ "title": "X", "severity": "SEV9" }), "severity"),
        (json!({ "title": "X", "severity": "SEV2", "services": ["nope"] }), "services"),
    ] {
        let res = declare(&app, &token, body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], field);
    }
    assert_eq!(
        declare(&app, &viewer, json!({ "title": "X", "severity": "SEV2" })).await.status(),
        StatusCode::FORBIDDEN
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 0);

    declare(&app, &token, json!({ "title": "Real", "severity": "SEV3" })).await;
    assert_eq!(transition(&app, &viewer, "INC-1", "acknowledged").await.status(), StatusCode::FORBIDDEN);
    let listed: Value = reqwest::Client::new()
        .get(app.url("/api/v1/incidents"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["incidents"][0]["status"], "triggered");
}

#[tokio::test]
async fn a_bad_incident_number_in_the_path_names_the_field() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    let (status, body) = app.api(reqwest::Method::GET, &token, "/api/v1/incidents/INC-x", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "number");
    let (status, body) =
        app.api(reqwest::Method::GET, &token, "/api/v1/escalation-policies/nope", None).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("id")),
        "{body}"
    );
}

/// A value the domain does not know, written behind the application's back, is an internal
/// error on read, never silently read as "triggered".
#[tokio::test]
async fn a_corrupt_stored_status_is_an_internal_error_not_a_default() {
    let app = spawn_app().await;
    with_demo_services(&app).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    let res =
        declare(&app, &token, json!({ "title": "Disk full", "severity": "SEV3", "services": ["core-api"] }))
            .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let constraints: Vec<String> = sqlx::query_scalar(
        "SELECT conname::text FROM pg_constraint
         WHERE conrelid = 'incidents'::regclass AND pg_get_constraintdef(oid) LIKE '%status%'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for c in constraints {
        sqlx::query(&format!("ALTER TABLE incidents DROP CONSTRAINT {c}")).execute(&app.pool).await.unwrap();
    }
    sqlx::query("UPDATE incidents SET status = 'paused'").execute(&app.pool).await.unwrap();
    let (status, body) = app.api(reqwest::Method::GET, &token, "/api/v1/incidents/1", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(body["error"]["code"], "internal");
}
