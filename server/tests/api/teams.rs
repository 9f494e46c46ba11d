//! Teams, members and services through the API and the pages.

use crate::common;

use common::{PASSWORD, spawn_app};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn an_admin_builds_a_team_with_a_lead_and_a_service() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&admin).await;
    let client = reqwest::Client::new();

    let res = client
        .post(app.url("/api/v1/teams"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Search Infra" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let team: Value = res.json().await.unwrap();
    assert_eq!(team["slug"], "search-infra");

    let res = client
        .put(app.url(&format!("/api/v1/teams/search-infra/members/{}", ada.id)))
        .bearer_auth(&token)
        .json(&json!({ "role": "lead" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let res = client
        .post(app.url("/api/v1/services"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Search API", "team": "search-infra", "description": "Full-text search" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["team_name"], "Search Infra");

    let teams: Value =
        client.get(app.url("/api/v1/teams")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let search = teams.as_array().unwrap().iter().find(|t| t["slug"] == "search-infra").unwrap();
    assert_eq!(search["members"][0]["email"], "ada@example.com");
    assert_eq!(search["members"][0]["role"], "lead");
    assert_eq!(search["services"], json!(["search-api"]));

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'team.%' OR action LIKE 'service.%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, ["team.create", "team.set_member", "service.create"]);

    // The catalogue page shows the owner.
    let browser = app.browser();
    app.login(&browser, "ada@example.com", PASSWORD).await;
    let html = browser.get(app.url("/services")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Search API") && html.contains("Search Infra"));

    let res = client
        .delete(app.url(&format!("/api/v1/teams/search-infra/members/{}", ada.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn refused_input_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let viewer = app.user("vera@example.com", Role::Viewer).await;
    let token = app.token_for(&admin).await;
    let viewer_token = app.token_for(&viewer).await;
    let client = reqwest::Client::new();
    let count = |table: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };

    let post = |path: &'static str, token: String, body: Value| {
        let req = client.post(app.url(path)).bearer_auth(token).json(&body);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(
        post("/api/v1/teams", viewer_token.clone(), json!({ "name": "X" })).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("/api/v1/teams", token.clone(), json!({ "name": "  " })).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post("/api/v1/teams", token.clone(), json!({ "name": "X", "slug": "Bad Slug" })).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(post("/api/v1/teams", token.clone(), json!({ "name": "Core" })).await, StatusCode::CREATED);
    assert_eq!(post("/api/v1/teams", token.clone(), json!({ "name": "Core" })).await, StatusCode::CONFLICT);
    assert_eq!(
        post("/api/v1/services", token.clone(), json!({ "name": "Api", "team": "nobody" })).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post("/api/v1/services", viewer_token.clone(), json!({ "name": "Api", "team": "core" })).await,
        StatusCode::FORBIDDEN
    );
    let res = client
        .put(app.url("/api/v1/teams/core/members/00000000-0000-0000-0000-000000000000"))
        .bearer_auth(&token)
        .json(&json!({ "role": "lead" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = client
        .put(app.url(&format!("/api/v1/teams/core/members/{}", viewer.id)))
        .bearer_auth(&token)
        .json(&json!({ "role": "boss" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(count("teams").await, 1);
    assert_eq!(count("services").await, 0);
    assert_eq!(count("team_members").await, 0);
}
