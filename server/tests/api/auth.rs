//! Authentication and authorisation through the real HTTP stack.

use crate::common;

use backend::auth::jwt::SessionKeys;
use chrono::Duration;
use common::{PASSWORD, spawn_app};
use domain::Role;
use reqwest::{StatusCode, header};

#[tokio::test]
async fn login_sets_a_http_only_session_cookie_and_redirects_to_next() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let client = app.browser();
    let res = client
        .post(app.url("/auth/login"))
        .form(&[("email", "Ada@Example.com"), ("password", PASSWORD), ("next", "/services")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/services");
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("tocsin_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let body: serde_json::Value = me.json().await.unwrap();
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["role"], "responder");
}

#[tokio::test]
async fn next_cannot_send_the_user_to_another_site() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let res = app
        .browser()
        .post(app.url("/auth/login"))
        .form(&[("email", "ada@example.com"), ("password", PASSWORD), ("next", "//evil.example/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn wrong_password_unknown_email_and_disabled_user_look_the_same() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let bob = app.user("bob@example.com", Role::Responder).await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let admin_token = app.token_for(&admin).await;
    let res = app.patch_user(&admin_token, bob.id, serde_json::json!({ "disabled": true })).await;
    assert_eq!(res.status(), StatusCode::OK);

    for (email, password) in [
        ("ada@example.com", "wrong password!"),
        ("nobody@example.com", PASSWORD),
        ("bob@example.com", PASSWORD),
    ] {
        let res = app.login(&app.browser(), email, password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email}");
        assert_eq!(res.headers()[header::LOCATION], "/login?error=invalid&next=/", "{email}");
        assert!(res.headers().get(header::SET_COOKIE).is_none(), "{email}");
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_session_and_tokens_at_once() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let session = app.keys.issue(ada.id, app.now()).unwrap();
    let ada_token = app.token_for(&ada).await;
    assert_eq!(app.me_with_session(&session).await.status(), StatusCode::OK);
    assert_eq!(app.me_with_token(&ada_token).await, StatusCode::OK);

    let admin_token = app.token_for(&admin).await;
    app.patch_user(&admin_token, ada.id, serde_json::json!({ "disabled": true })).await;

    assert_eq!(app.me_with_session(&session).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_with_token(&ada_token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_tampered_and_foreign_session_tokens_are_refused() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let now = app.now();
    let valid = app.keys.issue(ada.id, now).unwrap();
    let expired = app.keys.issue(ada.id, now - Duration::hours(9)).unwrap();
    let mut tampered = valid.clone();
    tampered.insert(tampered.len() - 3, 'x');
    let foreign = SessionKeys::new(b"some other secret key of 32 bytes!!").issue(ada.id, now).unwrap();

    assert_eq!(app.me_with_session(&valid).await.status(), StatusCode::OK);
    for bad in [expired, tampered, foreign] {
        assert_eq!(app.me_with_session(&bad).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_session_in_use_is_renewed() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let old = app.keys.issue(ada.id, app.now() - Duration::minutes(20)).unwrap();
    let fresh = app.keys.issue(ada.id, app.now()).unwrap();
    let renewed = app.me_with_session(&old).await;
    assert_eq!(renewed.status(), StatusCode::OK);
    let cookie = renewed.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("tocsin_session=ey"), "{cookie}");
    assert!(app.me_with_session(&fresh).await.headers().get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_api_answers_401_without_credentials_and_200_with_a_bearer_token() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Viewer).await;
    let token = app.token_for(&ada).await;
    let client = reqwest::Client::new();

    let anonymous = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()[header::WWW_AUTHENTICATE], "Bearer");
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");

    assert_eq!(app.me_with_token("tocsin_not_a_real_token").await, StatusCode::UNAUTHORIZED);

    let ok = client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.json::<serde_json::Value>().await.unwrap()["email"], "ada@example.com");
}

#[tokio::test]
async fn the_wrong_role_gets_403() {
    let app = spawn_app().await;
    let viewer = app.user("vera@example.com", Role::Viewer).await;
    let responder = app.user("rita@example.com", Role::Responder).await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let client = reqwest::Client::new();
    for (user, expected) in
        [(&viewer, StatusCode::FORBIDDEN), (&responder, StatusCode::FORBIDDEN), (&admin, StatusCode::OK)]
    {
        let token = app.token_for(user).await;
        let res = client.get(app.url("/api/v1/users")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), expected, "{}", user.email);
    }
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_account() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    for _ in 0..backend::services::auth::MAX_FAILURES_PER_ACCOUNT {
        let res = app.login(&app.browser(), "ada@example.com", "wrong password!").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // Even the right password is refused until the window passes: the limit stops guessing.
    let res = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert!(res.text().await.unwrap().contains("Too many failed logins"));
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_address() {
    let app = spawn_app().await;
    // Spread over many accounts so only the per-address limit can trigger.
    for i in 0..backend::services::auth::MAX_FAILURES_PER_IP {
        app.login(&app.browser(), &format!("guess{i}@example.com"), "wrong password!").await;
    }
    let res = app.login(&app.browser(), "another@example.com", "wrong password!").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn a_revoked_token_stops_working_and_is_audited() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    let client = reqwest::Client::new();

    let created: serde_json::Value = client
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "label": "deploy" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second = created["token"].as_str().unwrap().to_owned();
    let id = created["view"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.me_with_token(&second).await, StatusCode::OK);

    let listed: serde_json::Value = client
        .get(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = listed.to_string();
    assert!(!text.contains(&second), "the secret is never listed");

    let revoked =
        client.delete(app.url(&format!("/api/v1/me/tokens/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(app.me_with_token(&second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_actions(&id).await, ["api_token.create", "api_token.revoke"]);

    // Someone else's token cannot be revoked by id.
    let bob = app.user("bob@example.com", Role::Responder).await;
    let bob_token = app.token_for(&bob).await;
    let res = client
        .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
        .bearer_auth(&bob_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn logout_clears_the_cookie() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let client = app.browser();
    app.login(&client, "ada@example.com", PASSWORD).await;
    let res = client.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(client.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_wins_over_session_renewal() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    // A session old enough to be renewed on its next request.
    let old = app.keys.issue(ada.id, app.now() - Duration::minutes(30)).unwrap();
    let res = app
        .browser()
        .post(app.url("/auth/logout"))
        .header(header::COOKIE, format!("tocsin_session={old}"))
        .send()
        .await
        .unwrap();
    let cookies: Vec<&str> =
        res.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("Max-Age=0"));
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let post = |origin: String| {
        let url = app.url("/auth/login");
        let client = app.browser();
        async move {
            client
                .post(url)
                .header(header::ORIGIN, origin)
                .form(&[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(post("https://evil.example".into()).await, StatusCode::FORBIDDEN);
    assert_eq!(post(app.base.clone()).await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guesses_sent_at_once_still_count_one_by_one() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let url = app.url("/auth/login");
            let client = app.browser();
            tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[("email", "ada@example.com"), ("password", "wrong password!")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut limited = 0;
    for a in attempts {
        if a.await.unwrap() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_failures").fetch_one(&app.pool).await.unwrap();
    assert_eq!(recorded, backend::services::auth::MAX_FAILURES_PER_ACCOUNT);
    assert_eq!(limited, 10 - backend::services::auth::MAX_FAILURES_PER_ACCOUNT);
}

#[tokio::test]
async fn a_password_change_ends_every_earlier_session() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let earlier = app.keys.issue(ada.id, app.now() - Duration::seconds(5)).unwrap();
    assert_eq!(app.me_with_session(&earlier).await.status(), StatusCode::OK);
    let new_password = domain::Password::parse("a brand new password").unwrap();
    backend::services::users::set_password(
        &app.pool,
        &backend::actor::Actor::cli(),
        "ada@example.com",
        &new_password,
    )
    .await
    .unwrap();
    assert_eq!(app.me_with_session(&earlier).await.status(), StatusCode::UNAUTHORIZED);
    let client = app.browser();
    app.login(&client, "ada@example.com", "a brand new password").await;
    assert_eq!(client.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
}

/// A browser sends `Origin` with every write; one that carries the session cookie and no
/// `Origin` came from something that stripped it, and is refused.
#[tokio::test]
async fn a_cookie_authenticated_write_without_origin_is_refused() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let res = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let post = |origin: Option<String>| {
        let mut req = reqwest::Client::new()
            .post(app.url("/api/v1/me/tokens"))
            .header(header::COOKIE, cookie.clone())
            .json(&serde_json::json!({ "label": "deploy" }));
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(post(None).await, StatusCode::FORBIDDEN);
    assert_eq!(post(Some("https://evil.example".into())).await, StatusCode::FORBIDDEN);
    assert_eq!(post(Some(app.base.clone())).await, StatusCode::CREATED);
}

/// A flood of logins cannot take every core or connection: hashing is capped per instance and
/// beyond that the answer is 429 at once; nothing fails with a 5xx, and logins go on working.
#[tokio::test]
async fn a_flood_of_logins_is_capped_with_429_not_queued() {
    let app = spawn_app().await;
    app.user("ada@example.com", Role::Responder).await;
    let mut tries = Vec::new();
    for _ in 0..40 {
        let (client, url) = (app.browser(), app.url("/auth/login"));
        tries.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let in_ = statuses.iter().filter(|s| s.is_redirection() || s.is_success()).count();
    assert_eq!(limited + in_, 40, "{statuses:?}");
    assert!(limited > 0 && in_ > 0, "{statuses:?}");
    let res = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
}

/// Logins are audited, failures under the address tried (whether or not it has an account).
#[tokio::test]
async fn logins_and_failed_logins_are_audited() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let res = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    assert_eq!(res.headers()[header::LOCATION], "/");
    app.login(&app.browser(), "ada@example.com", "wrong password here").await;
    app.login(&app.browser(), "nobody@example.com", PASSWORD).await;
    assert_eq!(app.audit_actions(&ada.id.to_string()).await, vec!["user.create", "auth.login"]);
    assert_eq!(app.audit_actions("ada@example.com").await, vec!["auth.login_failed"]);
    assert_eq!(app.audit_actions("nobody@example.com").await, vec!["auth.login_failed"]);
}
