//! Managing users through the API: validation, conflicts, the last admin, and the audit log.

use crate::common;

use common::spawn_app;
use domain::Role;
use reqwest::StatusCode;
use serde_json::json;

async fn user_count(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_log_in() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let token = app.token_for(&admin).await;
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({ "email": "New@Example.com", "name": "New Person", "role": "viewer", "time_zone": "Australia/Sydney", "password": "a long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["email"], "new@example.com");
    assert_eq!(body["time_zone"], "Australia/Sydney");
    assert!(body.get("password_hash").is_none());
    let id = body["id"].as_str().unwrap();
    assert_eq!(app.audit_actions(id).await, ["user.create"]);
    let audit: (Option<uuid::Uuid>, serde_json::Value) =
        sqlx::query_as("SELECT actor_id, after FROM audit_log WHERE entity_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit.0, Some(admin.id.0));
    assert!(!audit.1.to_string().contains("argon2"), "no hash in the audit log");

    let res = app.login(&app.browser(), "new@example.com", "a long enough password").await;
    assert_eq!(res.headers()[reqwest::header::LOCATION], "/");
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let token = app.token_for(&admin).await;
    let before = user_count(&app.pool).await;
    let good = json!({ "email": "x@example.com", "name": "X", "role": "viewer", "time_zone": "UTC", "password": "a long enough password" });
    for (field, value, expect_field) in [
        ("email", json!("not-an-email"), "email"),
        ("role", json!("overlord"), "role"),
        ("time_zone", json!("Mars/Base"), "time_zone"),
        ("password", json!("short"), "password"),
        ("name", json!("   "), "name"),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let res = reqwest::Client::new()
            .post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let err: serde_json::Value = res.json().await.unwrap();
        assert_eq!(err["error"]["field"], expect_field);
        assert!(!err["error"]["message"].as_str().unwrap().is_empty());
    }
    let malformed = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(user_count(&app.pool).await, before);
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_whatever_its_case() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&admin).await;
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({ "email": "ADA@example.com", "name": "Ada 2", "role": "viewer", "time_zone": "UTC", "password": "a long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn role_changes_are_audited_and_the_last_admin_stays() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let ada = app.user("ada@example.com", Role::Viewer).await;
    let token = app.token_for(&admin).await;

    let res = app.patch_user(&token, ada.id, json!({ "role": "responder" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["role"], "responder");
    let (before, after): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("SELECT before, after FROM audit_log WHERE action = 'user.set_role'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(before["role"], "viewer");
    assert_eq!(after["role"], "responder");

    let demote_self = app.patch_user(&token, admin.id, json!({ "role": "viewer" })).await;
    assert_eq!(demote_self.status(), StatusCode::CONFLICT);
    let disable_self = app.patch_user(&token, admin.id, json!({ "disabled": true })).await;
    assert_eq!(disable_self.status(), StatusCode::CONFLICT);

    // A change that fails half-way writes nothing: the role stays even though it was valid alone.
    let mixed = app.patch_user(&token, admin.id, json!({ "role": "admin", "disabled": true })).await;
    assert_eq!(mixed.status(), StatusCode::CONFLICT);
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(admin.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(role, "admin");
}

#[tokio::test]
async fn first_admin_is_created_once_and_demo_data_only_into_an_empty_database() {
    let app = spawn_app().await;
    let pool = app.pool.clone();
    let email = domain::Email::parse("boss@example.com").unwrap();
    let first =
        backend::services::bootstrap::ensure_first_admin(&pool, Some(&email), None).await.unwrap().unwrap();
    assert_eq!(first.email, "boss@example.com");
    assert!(first.generated_password.as_deref().is_some_and(|p| p.len() >= 16));
    assert!(
        backend::services::bootstrap::ensure_first_admin(&pool, Some(&email), None).await.unwrap().is_none()
    );
    let demo = backend::services::demo::load_demo(&pool, None, None, app.now()).await;
    assert!(matches!(demo, Err(backend::Error::Conflict(_))));
}

#[tokio::test]
async fn demo_data_has_people_in_three_time_zones_teams_and_services() {
    let app = spawn_app().await;
    let pool = app.pool.clone();
    let creds = backend::services::demo::load_demo(&pool, None, None, app.now()).await.unwrap();
    let zones: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT time_zone FROM users ORDER BY 1").fetch_all(&pool).await.unwrap();
    assert_eq!(zones, ["America/New_York", "Australia/Sydney", "Europe/London"]);
    let admins: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin'").fetch_one(&pool).await.unwrap();
    assert_eq!(admins, 1);
    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams").fetch_one(&pool).await.unwrap();
    let services: i64 = sqlx::query_scalar("SELECT count(*) FROM services").fetch_one(&pool).await.unwrap();
    assert!(teams >= 2 && services >= 2);
    let open: i64 =
        sqlx::query_scalar("SELECT count(*) FROM incidents WHERE status IN ('triggered', 'acknowledged')")
            .fetch_one(&pool)
            .await
            .unwrap();
    let resolved: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents WHERE status = 'resolved'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(open >= 1 && resolved >= 1, "open {open}, resolved {resolved}");
    let res = app.login(&app.browser(), &creds.admin_email, &creds.password).await;
    assert_eq!(res.headers()[reqwest::header::LOCATION], "/");
}

#[tokio::test]
async fn admins_read_the_audit_log_newest_first_page_by_page() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&admin).await;
    app.patch_user(&token, ada.id, json!({ "role": "viewer" })).await;

    let client = reqwest::Client::new();
    let first: serde_json::Value = client
        .get(app.url("/api/v1/audit-log?limit=2"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["action"], "user.set_role");
    assert_eq!(entries[0]["actor"], "root@example.com");
    assert!(entries[0]["after"].as_str().unwrap().contains("viewer"));
    let next = first["next_before"].as_i64().unwrap();

    let rest: serde_json::Value = client
        .get(app.url(&format!("/api/v1/audit-log?limit=2&before={next}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // user.create x2 and the admin's token: 4 entries in all, so the second page has the last 2.
    let actions: Vec<&str> =
        rest["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.create", "user.create"]);
    assert!(rest["next_before"].is_null());

    let responder_token = app.token_for(&ada).await;
    let refused =
        client.get(app.url("/api/v1/audit-log")).bearer_auth(&responder_token).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let browser = app.browser();
    app.login(&browser, "root@example.com", common::PASSWORD).await;
    let page = browser.get(app.url("/admin/audit")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("user.set_role"));
}
