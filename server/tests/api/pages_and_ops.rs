//! Server-rendered pages, status codes, security headers, health, readiness and metrics.

use crate::common;

use common::{PASSWORD, spawn_app, spawn_app_unmigrated};
use domain::Role;
use reqwest::{StatusCode, header};

#[tokio::test]
async fn a_page_without_a_session_redirects_to_login_with_next() {
    let app = spawn_app().await;
    let res = app.browser().get(app.url("/admin/users?x=1")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login?next=/admin/users%3Fx%3D1");
}

#[tokio::test]
async fn the_login_page_is_a_plain_form() {
    let app = spawn_app().await;
    let res = app.browser().get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{csp}");
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(res.headers().contains_key(header::REFERRER_POLICY));
    assert!(res.headers().contains_key("x-request-id"));
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<form method="post" action="/auth/login""#), "{html}");
    assert!(html.contains(r#"name="password""#));
}

#[tokio::test]
async fn pages_render_for_the_right_role_and_refuse_the_wrong_one() {
    let app = spawn_app().await;
    app.user("vera@example.com", Role::Viewer).await;
    app.user("root@example.com", Role::Admin).await;

    let viewer = app.browser();
    app.login(&viewer, "vera@example.com", PASSWORD).await;
    let dashboard = viewer.get(app.url("/")).send().await.unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    let html = dashboard.text().await.unwrap();
    assert!(html.contains("Dashboard") && html.contains("No incidents match"), "{html}");
    assert!(!html.contains("Hand over my incident roles"), "viewers hold no roles");
    let refused = viewer.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("do not have permission"));

    let admin = app.browser();
    app.login(&admin, "root@example.com", PASSWORD).await;
    // The admin area's front page is its user list.
    let index = admin.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    assert!(index.text().await.unwrap().contains("vera@example.com"));
    let users = admin.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(users.status(), StatusCode::OK);
    let html = users.text().await.unwrap();
    assert!(html.contains("vera@example.com") && html.contains("root@example.com"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let client = app.browser();
    app.login(&client, "ada@example.com", PASSWORD).await;
    let res = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));
    let api = client.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_status_page_is_public() {
    let app = spawn_app().await;
    let res = app.browser().get(app.url("/status")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    assert_eq!(app.status_of("/healthz").await, StatusCode::OK);
    assert_eq!(app.status_of("/readyz").await, StatusCode::OK);
    client.get(app.url("/api/v1/me")).send().await.unwrap();
    let metrics = client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"tocsin_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("tocsin_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("tocsin_db_pool_connections"));
}

#[tokio::test]
async fn readiness_is_503_until_migrations_are_applied() {
    let app = spawn_app_unmigrated().await;
    let pool = app.pool.clone();
    assert_eq!(app.status_of("/healthz").await, StatusCode::OK);
    assert_eq!(app.status_of("/readyz").await, StatusCode::SERVICE_UNAVAILABLE);
    backend::db::migrate(&pool).await.unwrap();
    assert_eq!(app.status_of("/readyz").await, StatusCode::OK);
}

#[tokio::test]
async fn instances_starting_together_apply_migrations_once() {
    let app = spawn_app_unmigrated().await;
    let pool = app.pool.clone();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { backend::db::migrate(&pool).await })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    assert!(backend::db::migrations_applied(&pool).await);
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = spawn_app().await;
    let res = reqwest::Client::new()
        .get(app.url("/login"))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
}

#[tokio::test]
async fn every_admin_page_refuses_a_non_admin() {
    let app = spawn_app().await;
    app.user("rita@example.com", Role::Responder).await;
    let client = app.browser();
    app.login(&client, "rita@example.com", PASSWORD).await;
    for path in [
        "/admin/integrations",
        "/admin/teams",
        "/admin/audit",
        "/admin/users",
        "/admin/teams",
        "/admin/integrations",
    ] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

/// Every signed-in page renders to the end under concurrent load, for both an admin and a
/// non-admin. (A resource awaited in two Suspense boundaries once left a few admin pages in a
/// hundred hanging until the request timeout; see `CurrentUser`.) A hung render ends in the
/// server's 30-second request timeout (a 503), which fails the test; the client's own limit is
/// above that, so a slow, shared CI machine is not mistaken for a hang (speed is the benchmark's
/// business, not this test's).
#[tokio::test]
async fn signed_in_pages_always_finish_rendering_under_concurrency() {
    let app = spawn_app().await;
    app.user("root@example.com", Role::Admin).await;
    app.user("rita@example.com", Role::Responder).await;
    let admin = app.browser();
    app.login(&admin, "root@example.com", PASSWORD).await;
    let responder = app.browser();
    app.login(&responder, "rita@example.com", PASSWORD).await;

    let paths =
        ["/", "/incidents", "/incidents/new", "/services", "/admin/users", "/admin/teams", "/admin/audit"];
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..30 {
        for path in paths {
            let (client, url) =
                (if round % 2 == 0 { admin.clone() } else { responder.clone() }, app.url(path));
            tasks.spawn(async move {
                let res = tokio::time::timeout(std::time::Duration::from_secs(45), async {
                    let res = client.get(&url).send().await.unwrap();
                    let status = res.status();
                    (status, res.text().await.unwrap())
                })
                .await;
                (url, res)
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (url, res) = done.unwrap();
        let (status, body) = res.unwrap_or_else(|_| panic!("{url} did not finish within 45 s"));
        assert!(status == StatusCode::OK || status == StatusCode::FORBIDDEN, "{url}: {status}");
        assert!(body.contains("</html>"), "{url}: the body is cut short");
    }
}

/// The server's connections stop any statement after 30 s, and its advisory locks each live in
/// their purpose's own key space (PostgreSQL's two-key form), apart from sqlx's migration lock.
#[tokio::test]
async fn the_servers_connections_time_out_statements_and_its_locks_have_their_own_spaces() {
    let app = common::spawn_app().await;
    let pool = backend::db::pool(&app.database_url).unwrap();
    let timeout: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&pool).await.unwrap();
    assert_eq!(timeout, "30s");
    let mut tx = pool.begin().await.unwrap();
    assert!(backend::db::alert_events::try_processor_lock(&mut tx).await.unwrap());
    let locks: Vec<(i64, i64, i16)> = sqlx::query_as(
        "SELECT classid::int8, objid::int8, objsubid FROM pg_locks
         WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert_eq!(locks, vec![(backend::db::LockSpace::AlertProcessor as i64, 0, 2)]);
}

/// The OpenAPI document describes every `/api/v1` route the router serves, each with its
/// refusals and a reference for every schema it names; `/api/docs` renders it.
#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = spawn_app().await;
    let doc: serde_json::Value =
        reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    let served: Vec<String> =
        server::startup::route_paths().into_iter().filter(|p| p.starts_with("/api/v1/")).collect();
    assert_eq!(paths.len(), served.len(), "one document path per served path");
    for path in &served {
        let item = paths.get(path).unwrap_or_else(|| panic!("{path} is not in the document"));
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("401") && responses.contains_key("403"), "{method} {path}");
            assert!(op["description"].as_str().unwrap_or("").starts_with("Role: "), "{method} {path}");
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "{name} is referenced but not defined");
    }

    let res = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("<code>/api/v1/incidents/{number}/transitions</code>"), "the docs list operations");
    assert!(html.contains("id=\"schema-IncidentView\""), "the docs list schemas");
}
