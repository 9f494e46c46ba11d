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
    let session = app.session_for(&ada, app.now()).await;
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
    let valid = app.session_for(&ada, now).await;
    let expired = app.session_for(&ada, now - Duration::hours(9)).await;
    let mut tampered = valid.clone();
    tampered.insert(tampered.len() - 3, 'x');
    let sid = app.keys.verify(&valid, now).unwrap().sid;
    let foreign = SessionKeys::new(b"some other secret key of 32 bytes!!")
        .issue(ada.id, sid, now, now + Duration::days(1))
        .unwrap();

    assert_eq!(app.me_with_session(&valid).await.status(), StatusCode::OK);
    for bad in [expired, tampered, foreign] {
        assert_eq!(app.me_with_session(&bad).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_session_in_use_is_renewed() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let old = app.session_for(&ada, app.now() - Duration::minutes(20)).await;
    let fresh = app.session_for(&ada, app.now()).await;
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
async fn repeated_failures_slow_an_account_down_without_locking_its_owner_out() {
    use backend::services::auth::{MAX_ACCOUNT_DELAY_SECS, MAX_FAILURES_PER_ACCOUNT};
    let clock = backend::engine::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 10, 0, 0).unwrap(),
    );
    let app = common::spawn_app_at(clock.clone()).await;
    app.user("ada@example.com", Role::Responder).await;
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        let res = app.login(&app.browser(), "ada@example.com", "wrong password!").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // Someone keeps guessing, each guess waiting for the one before: the waits grow...
    let mut waits = Vec::new();
    for _ in 0..10 {
        let res = app.login(&app.browser(), "ada@example.com", "wrong password!").await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.text().await.unwrap().contains("Too many failed logins"));
        let wait: i64 = app.login(&app.browser(), "ada@example.com", "wrong password!").await.headers()
            [header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        waits.push(wait);
        clock.advance(Duration::seconds(wait));
        assert_eq!(
            app.login(&app.browser(), "ada@example.com", "wrong password!").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    // ...but never past a minute, and then the owner is in.
    assert_eq!(*waits.last().unwrap(), MAX_ACCOUNT_DELAY_SECS);
    clock.advance(Duration::seconds(MAX_ACCOUNT_DELAY_SECS));
    assert_eq!(app.login(&app.browser(), "ada@example.com", PASSWORD).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_per_address_limit_is_per_client() {
    let clock = backend::engine::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 10, 0, 0).unwrap(),
    );
    let app =
        common::spawn_app_with(clock, |c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let attempt = |client: &'static str, i: i64| {
        let req = app
            .browser()
            .post(app.url("/auth/login"))
            .header("x-forwarded-for", client)
            .form(&[("email", format!("guess{i}@example.com")), ("password", "wrong password!".into())]);
        async move { req.send().await.unwrap().status() }
    };
    for i in 0..backend::services::auth::MAX_FAILURES_PER_IP {
        assert_eq!(attempt("203.0.113.7", i).await, StatusCode::SEE_OTHER);
    }
    assert_eq!(attempt("203.0.113.7", 100).await, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not held back by the first.
    assert_eq!(attempt("198.51.100.9", 101).await, StatusCode::SEE_OTHER);
    let ips: Vec<String> = sqlx::query_scalar("SELECT DISTINCT ip FROM login_failures ORDER BY ip")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(ips, ["198.51.100.9", "203.0.113.7"]);
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

/// The session cookie a login set.
fn session_of(res: &reqwest::Response) -> String {
    let set = res.headers()[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let client = app.browser();
    let session = session_of(&app.login(&client, "ada@example.com", PASSWORD).await);
    let res = client.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(client.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // A copy of the cookie kept from before (another tab, a stolen copy) is worthless too.
    assert_eq!(app.me_with_session(&session).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_actions(&ada.id.to_string()).await, ["user.create", "auth.login", "auth.logout"]);
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_often_it_is_used() {
    let clock = backend::engine::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 10, 0, 0).unwrap(),
    );
    let app = common::spawn_app_at(clock.clone()).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let mut session = app.session_for(&ada, app.now()).await;
    // Used every seven hours, within the idle limit each time, and renewed each time...
    for _ in 0..23 {
        clock.advance(Duration::hours(7));
        let res = app.me_with_session(&session).await;
        assert_eq!(res.status(), StatusCode::OK, "at {}", app.now());
        session = session_of(&res);
    }
    // ...until the week is up (7 × 23 = 161 h; one more step passes 168 h).
    clock.advance(Duration::hours(7));
    assert_eq!(app.me_with_session(&session).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_ones_password_ends_the_other_sessions_only() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let (laptop, phone) = (app.browser(), app.browser());
    app.login(&laptop, "ada@example.com", PASSWORD).await;
    let phone_session = session_of(&app.login(&phone, "ada@example.com", PASSWORD).await);
    let change = |current: &str, new: &str| {
        let req = laptop
            .put(app.url("/api/v1/me/password"))
            .json(&serde_json::json!({ "current_password": current, "new_password": new }));
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (status, err) = change("not my password at all", "a brand new password").await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password"))
    );
    let (status, err) = change(PASSWORD, "short").await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password"))
    );
    assert_eq!(
        app.me_with_session(&phone_session).await.status(),
        StatusCode::OK,
        "failed changes end nothing"
    );

    assert_eq!(change(PASSWORD, "a brand new password").await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.me_with_session(&phone_session).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(laptop.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        app.login(&app.browser(), "ada@example.com", PASSWORD).await.headers()[header::LOCATION],
        "/login?error=invalid&next=/"
    );
    assert!(app.audit_actions(&ada.id.to_string()).await.contains(&"user.change_password".to_owned()));
}

#[tokio::test]
async fn an_api_token_may_expire_and_shows_when_it_was_last_used() {
    let clock = backend::engine::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 10, 0, 0).unwrap(),
    );
    let app = common::spawn_app_at(clock.clone()).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    let (status, err) = app
        .api(
            reqwest::Method::POST,
            &token,
            "/api/v1/me/tokens",
            Some(serde_json::json!({ "label": "ci", "expires_in_days": 0 })),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_in_days"))
    );
    let (status, created) = app
        .api(
            reqwest::Method::POST,
            &token,
            "/api/v1/me/tokens",
            Some(serde_json::json!({ "label": "ci", "expires_in_days": 1 })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let short = created["token"].as_str().unwrap().to_owned();
    assert_eq!(
        created["view"]["expires_at"],
        serde_json::json!(
            (app.now() + Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        )
    );
    clock.advance(Duration::hours(2));
    assert_eq!(app.me_with_token(&short).await, StatusCode::OK);
    let (_, list) = app.api(reqwest::Method::GET, &token, "/api/v1/me/tokens", None).await;
    let listed = list.as_array().unwrap().iter().find(|t| t["label"] == "ci").unwrap().clone();
    assert_eq!(
        listed["last_used_at"],
        serde_json::json!(app.now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    );
    clock.advance(Duration::hours(23));
    assert_eq!(app.me_with_token(&short).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_with_token(&token).await, StatusCode::OK, "a token without an end keeps working");
}

#[tokio::test]
async fn disabling_a_user_ends_their_live_event_stream() {
    let app = spawn_app().await;
    let admin = app.user("root@example.com", Role::Admin).await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let token = app.token_for(&ada).await;
    let mut stream =
        reqwest::Client::new().get(app.url("/api/v1/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    // Someone else being disabled ends nothing.
    let bo = app.user("bo@example.com", Role::Responder).await;
    let admin_token = app.token_for(&admin).await;
    app.patch_user(&admin_token, bo.id, serde_json::json!({ "disabled": true })).await;
    let still = tokio::time::timeout(std::time::Duration::from_millis(500), async {
        while stream.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(still.is_err(), "the stream ended when someone else was disabled");
    app.patch_user(&admin_token, ada.id, serde_json::json!({ "disabled": true })).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while stream.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the disabled user's stream stayed open");
}

#[tokio::test]
async fn logout_wins_over_session_renewal() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    // A session old enough to be renewed on its next request.
    let old = app.session_for(&ada, app.now() - Duration::minutes(30)).await;
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
    // Never more than the limit are checked; on a busy machine the cap on concurrent hashing
    // may refuse some of them before they count.
    assert!((1..=backend::services::auth::MAX_FAILURES_PER_ACCOUNT).contains(&recorded), "{recorded}");
    assert_eq!(limited, 10 - recorded);
}

#[tokio::test]
async fn a_password_change_ends_every_earlier_session() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let earlier = app.session_for(&ada, app.now() - Duration::seconds(5)).await;
    assert_eq!(app.me_with_session(&earlier).await.status(), StatusCode::OK);
    let new_password = domain::Password::parse("a brand new password").unwrap();
    backend::services::users::set_password(
        &app.pool,
        &backend::actor::Actor::cli(),
        "ada@example.com",
        &new_password,
        app.now(),
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

#[tokio::test]
async fn a_browser_request_for_another_host_is_refused_and_machines_are_not() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com", Role::Responder).await;
    let get = |path: &str, host: &str| {
        let req = reqwest::Client::new().get(app.url(path)).header(header::HOST, host);
        async move { req.send().await.unwrap().status() }
    };
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    // A page reached through a name rebound to this server's address.
    assert_eq!(get("/login", &format!("rebind.evil.example:{port}")).await, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(
        get("/login", &format!("127.0.0.1:{}", port.parse::<u16>().unwrap() + 1)).await,
        StatusCode::MISDIRECTED_REQUEST
    );
    // Every loopback name of the public URL's port answers.
    assert_eq!(get("/login", &format!("localhost:{port}")).await, StatusCode::OK);
    // Monitoring and alert sources use whatever name their network has.
    assert_eq!(get("/healthz", "tocsin.internal").await, StatusCode::OK);
    let enqueue = reqwest::Client::new()
        .post(app.url("/v2/enqueue"))
        .header(header::HOST, "tocsin.internal")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_ne!(enqueue.status(), StatusCode::MISDIRECTED_REQUEST);
    // So do scripts with a token, which no other site's page holds.
    let token = app.token_for(&ada).await;
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(header::HOST, "tocsin.internal")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed_and_hsts_is_sent() {
    let clock = backend::engine::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 10, 0, 0).unwrap(),
    );
    let app = common::spawn_app_with(clock, |c| c.public_url = "https://tocsin.example.com".into()).await;
    app.user("ada@example.com", Role::Responder).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/auth/login"))
        .header(header::HOST, "tocsin.example.com")
        .header(header::ORIGIN, "https://tocsin.example.com")
        .form(&[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-tocsin_session=")
            && cookie.contains("; Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(res.headers()[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    // The prefixed cookie is the one read back.
    let session = cookie.split(';').next().unwrap().to_owned();
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(header::HOST, "tocsin.example.com")
        .header(header::COOKIE, session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}
