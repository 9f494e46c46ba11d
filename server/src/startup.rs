//! The composition root: `Application::build` wires the configuration, the database and the
//! clock into the router and the background work, the same way for `tocsin serve`, the tests'
//! `spawn_app()` and the benchmarks. Every route of the server is listed here.

use std::{sync::Arc, time::Duration};

use app::{App, shell};
use axum::{
    Router,
    extract::{FromRef, State},
    middleware,
    routing::{get, post},
};
use backend::{
    AppContext,
    auth::jwt::SessionKeys,
    config::Config,
    engine::{Clock, Engine, Job, Wake},
    notify::Channels,
};
use http::{HeaderName, HeaderValue, StatusCode, header};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnFailure, TraceLayer},
};

use crate::{
    database::Database,
    http::{ack, api, auth, health, ingest, listed::Listed, metrics::Metrics, openapi, session},
};

/// Largest request body accepted anywhere (PagerDuty's event limit is 512 KB).
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, FromRef)]
pub struct AppState {
    pub ctx: AppContext,
    pub leptos_options: LeptosOptions,
    pub metrics: Arc<Metrics>,
    /// Accepting alert events: the group-commit writer, key cache and per-key rate limit.
    pub intake: backend::ingest::Intake,
    /// The public status pages as rendered from the current snapshot.
    pub status_pages: crate::http::status_pages::PageCache,
}

/// The app's routes, generated once per process. Generating them renders the app once with
/// resource loading switched off by a process-wide flag (leptos-rs/leptos#4773): a resource first
/// polled on another thread meanwhile never loads, and its page never finishes rendering. One
/// router per process never meets this; the tests, which build a router per test while other
/// tests' servers render, did (a page in a few hundred hung until the request timeout).
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> =
        std::sync::LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// Every plain endpoint (everything but the pages and server fns), listed so the route walker
/// finds each one; and apart, the endpoints whose bodies may exceed [`BODY_LIMIT`].
fn plain_routes() -> (Listed<AppState>, Listed<AppState>) {
    let limited = Listed::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::http::metrics::metrics))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/v2/enqueue", post(ingest::enqueue))
        .route("/integrations/generic/{key}", post(ingest::generic))
        .route("/schedules/{id}/oncall.ics", get(api::schedules::calendar))
        .route("/ack/{token}", get(ack::ack_link).post(ack::ack_submit))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/docs", get(openapi::docs))
        .route(
            "/status/feed.atom",
            get(|State(state): State<AppState>, headers: http::HeaderMap| async move {
                crate::http::status::feed(&state, &headers, true).await
            }),
        )
        .route(
            "/status/feed.rss",
            get(|State(state): State<AppState>, headers: http::HeaderMap| async move {
                crate::http::status::feed(&state, &headers, false).await
            }),
        )
        .route("/status/live.js", get(crate::http::status::live_script))
        .route("/status/subscribe", post(crate::http::status::subscribe))
        .route(
            "/status/subscriptions/{token}",
            get(crate::http::status::subscription).post(crate::http::status::confirm_subscription),
        )
        .route(
            "/status/subscriptions/{token}/unsubscribe",
            get(crate::http::status::unsubscribe_page).post(crate::http::status::unsubscribe),
        )
        .route("/api/v2/summary.json", statuspage("summary"))
        .route("/api/v2/status.json", statuspage("status"))
        .route("/api/v2/components.json", statuspage("components"))
        .route("/api/v2/incidents.json", get(crate::http::status::incidents_json))
        .route("/api/v2/incidents/unresolved.json", statuspage("incidents/unresolved"))
        .route("/api/v2/scheduled-maintenances.json", statuspage("scheduled-maintenances"))
        .route("/api/v2/scheduled-maintenances/upcoming.json", statuspage("scheduled-maintenances/upcoming"))
        .route("/api/v2/scheduled-maintenances/active.json", statuspage("scheduled-maintenances/active"))
        .nest_documented("/api/v1", api::routes());
    // Every request body is held to 1 MB but an Alertmanager or Grafana batch, which may be
    // 10 MB: a 413 to Alertmanager loses the whole group of alerts.
    let large = Listed::new().route("/integrations/alertmanager/{key}", post(ingest::alertmanager));
    (limited, large)
}

/// A Statuspage-compatible document of the public page, from the snapshot.
fn statuspage(name: &'static str) -> axum::routing::MethodRouter<AppState> {
    get(move |State(state): State<AppState>, headers: http::HeaderMap| async move {
        crate::http::status::statuspage_json(&state, &headers, name).await
    })
}

/// The path of every route the router serves but the server fns (which
/// `server_fn::axum::server_fn_paths` lists): plain endpoints, then the app's pages, in axum's
/// `{param}` syntax. The route walker calls each as every role.
pub fn route_paths() -> Vec<String> {
    let (limited, large) = plain_routes();
    let mut paths: Vec<String> = limited.paths().iter().chain(large.paths()).cloned().collect();
    paths.extend(app_routes().iter().map(|r| r.path().to_owned()));
    paths
}

pub fn build_router(state: AppState) -> Router {
    let routes = app_routes();
    let ctx = state.ctx.clone();
    let options = state.leptos_options.clone();
    let (limited, large) = plain_routes();

    let x_request_id = HeaderName::from_static("x-request-id");
    limited
        .into_router()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx.clone()),
            move || shell(options.clone()),
        )
        .route_layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(large.into_router())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), crate::http::status_pages::public_pages))
        .layer(middleware::from_fn_with_state(state.clone(), session::authenticate))
        .layer(middleware::from_fn_with_state(state.clone(), crate::http::host::guard))
        .layer(middleware::from_fn_with_state(state.clone(), crate::http::metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(x_request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &axum::extract::Request| {
                            let request_id = req
                                .headers()
                                .get("x-request-id")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-");
                            tracing::info_span!(
                                "request",
                                method = %req.method(),
                                path = %loggable_path(req.uri().path()),
                                request_id
                            )
                        })
                        // Handlers log real failures with their cause at ERROR; a 503 from /readyz
                        // while migrations run is expected and should not page anyone.
                        .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
                )
                .layer(PropagateRequestIdLayer::new(x_request_id))
                .layer(CompressionLayer::new())
                .layer(RequestBodyLimitLayer::new(domain::alert::event::MAX_BATCH_BYTES))
                // 503, not 408: browsers may silently resend a request that got a 408.
                .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                )),
        )
        .with_state(state)
}

/// The request path as logs may show it: the secrets some paths carry (an integration key, a
/// signed acknowledge token) are replaced by the parameter's name.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for (prefix, name) in [
        ("/integrations/alertmanager/", "{key}"),
        ("/integrations/generic/", "{key}"),
        ("/ack/", "{token}"),
        ("/status/subscriptions/", "{token}"),
    ] {
        if path.starts_with(prefix) {
            return format!("{prefix}{name}").into();
        }
    }
    path.into()
}

/// Serves the router until `shutdown` resolves; in-flight requests finish first. Client addresses
/// are made available to handlers (the login rate limit counts per address).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// What an application is built with besides its configuration and database.
pub struct Options {
    /// The one clock of this application: handlers, server fns and background work read it.
    pub clock: Arc<dyn Clock>,
    /// The engine jobs this instance runs on their own timers: all of them for `tocsin serve`,
    /// none for an API-only instance (`--no-engine`). Tests run the alerts job and tick the
    /// rest themselves after moving the clock.
    pub jobs: Vec<Job>,
}

/// A built server: its router, its engine, and the background tasks it started.
pub struct Application {
    state: AppState,
    engine: Engine,
    database: Database,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Wires everything together and starts the background tasks on the current runtime.
    pub fn build(config: Config, database: Database, options: Options) -> anyhow::Result<Application> {
        let pool = database.pool.clone();
        let keys = SessionKeys::new(secret_key(&config)?.as_bytes());
        let integration_keys = backend::auth::key_cache::KeyCache::default();
        let live = backend::live::Live::start(pool.clone());
        // The public status page is built here and kept fresh on every instance, engine or not.
        let status = backend::services::status_page::Snapshots::default();
        let clock = options.clock.clone();
        status.start(pool.clone(), live.clone(), move || clock.now(), config.public_url.clone());
        let state = AppState {
            ctx: AppContext {
                pool: pool.clone(),
                keys: keys.clone(),
                config: Arc::new(config.clone()),
                clock: options.clock.clone(),
                integration_keys: integration_keys.clone(),
                live: live.clone(),
                hashers: backend::auth::password::Hashers::default(),
                status: status.clone(),
            },
            leptos_options: leptos_options(&config),
            metrics: Default::default(),
            intake: backend::ingest::Intake::start(pool.clone(), &config.ingest, integration_keys),
            status_pages: Default::default(),
        };
        let channels =
            Channels::new(config.smtp_url.as_deref(), &config.smtp_from, config.outbound_allow.clone())?;
        let engine = Engine::new(pool, options.clock, channels, keys, config.public_url.clone());
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        if !options.jobs.is_empty() {
            let wake =
                Wake { events_stored: state.intake.ingestor.processed.clone(), live: state.ctx.live.clone() };
            let until_stopped = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            tasks.push(tokio::spawn(engine.clone().run(options.jobs, wake, until_stopped)));
        }
        if let Some(dir) = config.status_export_dir.clone() {
            let router = build_router(state.clone());
            tasks.push(tokio::spawn(crate::status_export::run(state.clone(), router, dir, stop.subscribe())));
        }
        Ok(Application { state, engine, database, stop, tasks })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The paging engine as this application runs it (tests tick it by hand).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn router(&self) -> Router {
        build_router(self.state.clone())
    }

    /// Serves until `shutdown` resolves (in-flight requests finish, open event streams end), then
    /// stops the background work and closes the database.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let live = self.state.ctx.live.clone();
        let served = serve(listener, self.router(), async move {
            shutdown.await;
            live.close();
        })
        .await;
        tracing::info!("stopped accepting requests; shutting down");
        self.stop().await;
        served
    }

    /// Stops the background tasks, waits for them, and closes the database.
    pub async fn stop(self) {
        self.state.ctx.live.close();
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        self.database.close().await;
    }
}

/// The session signing key: TOCSIN_SECRET_KEY, or one generated into the data folder once.
fn secret_key(config: &Config) -> anyhow::Result<String> {
    use anyhow::Context;
    if let Some(key) = &config.secret_key {
        return Ok(key.clone());
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data folder {}", config.data_dir.display()))?;
    let path = config.data_dir.join("secret_key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        let key = key.trim().to_owned();
        if key.len() >= 32 {
            return Ok(key);
        }
    }
    let key = backend::auth::secrets::random_token(64);
    crate::database::write_private(&path, &key)?;
    tracing::info!(path = %path.display(), "generated a new secret key");
    Ok(key)
}

fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = leptos::prelude::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("tocsin").build());
    if options.output_name.is_empty() {
        options.output_name = "tocsin".into();
    }
    options.site_addr = config.listen;
    options
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn secrets_in_paths_are_not_logged() {
        let key = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        assert_eq!(
            loggable_path(&format!("/integrations/alertmanager/{key}")),
            "/integrations/alertmanager/{key}"
        );
        assert_eq!(loggable_path(&format!("/integrations/generic/{key}")), "/integrations/generic/{key}");
        assert_eq!(loggable_path("/ack/0193.abc.123.mac"), "/ack/{token}");
        assert_eq!(loggable_path("/api/v1/incidents/42"), "/api/v1/incidents/42");
    }
}
