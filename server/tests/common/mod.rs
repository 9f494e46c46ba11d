//! Spawns the real server (router, middleware, handlers) on a random port against a fresh test
//! database, and talks to it over HTTP like any client.

// Shared by the api, cli and first_run binaries, each using a different part: an `expect` would
// fail in whichever binary uses all of it.
#![allow(dead_code)]

use std::{collections::HashMap, sync::Arc};

use backend::{
    actor::Actor,
    auth::jwt::SessionKeys,
    config::Config,
    engine::{Clock, Engine, Job, ManualClock, Pass, SystemClock},
    services,
};
use domain::{Email, NewUser, Password, PersonName, Role, TimeZoneName, UserView};
use server::{
    database::Database,
    startup::{Application, Options},
};
use sqlx::PgPool;

pub const SECRET: &[u8] = b"test secret key with at least 32 bytes";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    pub keys: SessionKeys,
    /// The test's own database, for running the `tocsin` binary against it.
    pub database_url: String,
    /// The application's clock.
    pub clock: Arc<dyn Clock>,
    engine: Engine,
    /// Dropped with the test: the server shuts down and closes its connections.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// One pass of this instance's paging engine at the clock's time, run where the server runs.
    pub async fn tick(&self) -> Pass {
        let engine = self.engine.clone();
        SERVERS.spawn(async move { engine.tick().await }).await.expect("engine pass").expect("engine pass")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies, does not follow redirects (so tests see them) and, like a
    /// browser, sends its `Origin` with every request.
    pub fn browser(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, self.base.parse().expect("origin"));
        reqwest::Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// The status of an anonymous GET.
    pub async fn status_of(&self, path: &str) -> reqwest::StatusCode {
        reqwest::get(self.url(path)).await.expect("request").status()
    }

    /// The status of `GET /api/v1/me` with a bearer token.
    pub async fn me_with_token(&self, token: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .get(self.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
            .status()
    }

    /// `GET /api/v1/me` with a session cookie holding `jwt`.
    pub async fn me_with_session(&self, jwt: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url("/api/v1/me"))
            .header(reqwest::header::COOKIE, format!("tocsin_session={jwt}"))
            .send()
            .await
            .expect("request")
    }

    /// A request with the admin token for `PATCH /api/v1/users/{id}`.
    pub async fn patch_user(
        &self,
        token: &str,
        id: domain::UserId,
        body: serde_json::Value,
    ) -> reqwest::Response {
        reqwest::Client::new()
            .patch(self.url(&format!("/api/v1/users/{id}")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// A user named after their address: ada@example.com is "Ada".
    pub async fn user(&self, email: &str, role: Role) -> UserView {
        let local = email.split('@').next().unwrap_or(email);
        let name = local[..1].to_uppercase() + &local[1..];
        let user = NewUser {
            email: Email::parse(email).expect("email"),
            name: PersonName::parse(&name).expect("name"),
            role,
            time_zone: TimeZoneName::parse("Europe/London").expect("tz"),
        };
        services::users::create_user(
            &self.pool,
            &Actor::cli(),
            &user,
            &Password::parse(PASSWORD).expect("pw"),
        )
        .await
        .expect("create user")
    }

    /// Logs in through the form endpoint; returns the response (a redirect on success).
    pub async fn login(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        client
            .post(self.url("/auth/login"))
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("login request")
    }

    /// A session for `user` started at `at`, as a login would start it; answers its cookie token.
    pub async fn session_for(&self, user: &UserView, at: chrono::DateTime<chrono::Utc>) -> String {
        services::auth::start_session(&self.pool, &self.keys, user.id, "127.0.0.1", at)
            .await
            .expect("session")
    }

    pub async fn token_for(&self, user: &UserView) -> String {
        let label = domain::ApiTokenLabel::parse("test").expect("label");
        services::tokens::create_token(&self.pool, &Actor::cli(), user.id, &label, None, self.now())
            .await
            .expect("token")
            .token
    }

    /// Calls the JSON API with a bearer token; answers the status and the body (`null` if none).
    pub async fn api(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut req = reqwest::Client::new().request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    pub async fn audit_actions(&self, entity_id: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id")
            .bind(entity_id)
            .fetch_all(&self.pool)
            .await
            .expect("audit rows")
    }
}

/// A fresh, migrated database and the real server on a random port in front of it.
pub async fn spawn_app() -> TestApp {
    serve(fresh_database(true).await, Arc::new(SystemClock), |_| {}).await
}

/// The same on a clock the test moves (`app.clock.advance`), with the paging engine ticked by
/// the test (`app.tick()`) rather than by its timer.
pub async fn spawn_app_at(clock: ManualClock) -> TestApp {
    serve(fresh_database(true).await, Arc::new(clock), |_| {}).await
}

/// The real clock with a configuration changed by `configure` (e.g. tighter intake limits).
pub async fn spawn_app_configured(configure: impl FnOnce(&mut Config)) -> TestApp {
    serve(fresh_database(true).await, Arc::new(SystemClock), configure).await
}

/// The same with a configuration changed by `configure` (e.g. an SMTP server).
pub async fn spawn_app_with(clock: ManualClock, configure: impl FnOnce(&mut Config)) -> TestApp {
    serve(fresh_database(true).await, Arc::new(clock), configure).await
}

/// The same on the real clock with every engine job running on its own timer, as `tocsin serve`
/// runs them: for what must happen without anyone ticking.
pub async fn spawn_app_running() -> TestApp {
    serve_with_jobs(fresh_database(true).await, Arc::new(SystemClock), |_| {}, Job::ALL.to_vec()).await
}

/// The same with an empty database: no migrations applied.
pub async fn spawn_app_unmigrated() -> TestApp {
    serve(fresh_database(false).await, Arc::new(SystemClock), |_| {}).await
}

/// Creates a database of its own for one test in the cluster of DATABASE_URL (the throwaway
/// cluster `make test` starts). Each test builds its own pool on its own runtime: pools shared
/// across tests' runtimes stall.
async fn fresh_database(migrate: bool) -> (PgPool, String) {
    use sqlx::{Connection, Executor};
    let base = std::env::var("DATABASE_URL").expect("tests need DATABASE_URL (make test sets it)");
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect to the test cluster");
    admin.execute(format!(r#"CREATE DATABASE "{name}""#).as_str()).await.expect("create test database");
    let (server, _) = base.rsplit_once('/').expect("DATABASE_URL names a database");
    let url = format!("{server}/{name}");
    let pool = PgPool::connect(&url).await.expect("connect to the test database");
    if migrate {
        backend::db::migrate(&pool).await.expect("migrate");
    }
    (pool, url)
}

/// Another server instance in front of `app`'s database, with its own pool and engine, on the
/// same clock, as when several instances run against one Postgres.
pub async fn spawn_instance(app: &TestApp) -> TestApp {
    let pool = PgPool::connect(&app.database_url).await.expect("connect to the test database");
    serve((pool, app.database_url.clone()), app.clock.clone(), |_| {}).await
}

/// Every test's server runs on this one multi-threaded runtime, as `tocsin serve` runs on one.
/// (Page renders that never finished were once blamed on servers spread over the tests' own
/// runtimes; the cause was route-list generation racing other tests' renders, see
/// `server::startup::app_routes`.)
static SERVERS: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime")
});

/// The production wiring (`Application::build`) with the test's clock; the engine's alerts job
/// runs in the background and the other jobs wait for `TestApp::tick`.
async fn serve(
    database: (PgPool, String),
    clock: Arc<dyn Clock>,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    serve_with_jobs(database, clock, configure, vec![Job::Alerts]).await
}

async fn serve_with_jobs(
    (pool, database_url): (PgPool, String),
    clock: Arc<dyn Clock>,
    configure: impl FnOnce(&mut Config),
    jobs: Vec<Job>,
) -> TestApp {
    let mut config = Config::from_sources(|_| None, &HashMap::new()).expect("default config");
    config.secret_key = Some(String::from_utf8(SECRET.to_vec()).expect("secret"));
    // The tests' receivers listen on loopback, which a real server refuses unless allowed.
    config.outbound_allow = backend::notify::outbound::OutboundAllow::parse("127.0.0.1").expect("allow");
    configure(&mut config);
    let (ready, started) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (url, server_clock) = (database_url.clone(), clock.clone());
    SERVERS.spawn(async move {
        // The server's own pool, made as `tocsin serve` makes it, on the server's runtime (a
        // pool's connections belong to the runtime that opened them).
        let pool = backend::db::pool(&url).expect("the test database's URL");
        let options = Options { clock: server_clock, jobs };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // The server answers as where it listens, as `tocsin serve` does by default, unless the
        // test chose another public URL.
        if config.public_url == Config::from_sources(|_| None, &HashMap::new()).expect("defaults").public_url
        {
            config.public_url = base.clone();
        }
        let app = Application::build(config, Database::from_pool(pool), options).expect("build the app");
        let _ = ready.send((base, app.engine().clone()));
        let _ = app
            .run(listener, async move {
                let _ = stopped.await;
            })
            .await;
    });
    let (base, engine) = started.await.expect("the test server started");
    TestApp { base, pool, keys: SessionKeys::new(SECRET), database_url, clock, engine, _stop: stop }
}
