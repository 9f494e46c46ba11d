//! The public status page's machine-readable side, all answered from this instance's snapshot
//! (never a query per request): Statuspage-compatible `/api/v2/*.json`, each day's uptime of a
//! component, and the Atom feed. No login: customers and aggregators read them.

use std::sync::Arc;

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use backend::services::status_page::{Coding, JsonDoc, Snapshot, subscribers::Follow};
use domain::status::uptime::DayUptime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    AppState,
    http::{error::ApiError, openapi::Refusals, path::Path, query::Query},
};

/// Public pages may be cached briefly and served stale while a cache refreshes: during an
/// outage everyone reloads at once.
pub const CACHE_CONTROL: &str = "public, max-age=10, stale-while-revalidate=30";

/// The current snapshot; built now only when this instance has none yet (just started).
pub async fn snapshot(state: &AppState) -> Option<Arc<Snapshot>> {
    let ctx = &state.ctx;
    ctx.status.current_or_build(&ctx.pool, &ctx.config.public_url, ctx.now()).await
}

fn unavailable() -> Response {
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({ "error": { "code": "not_ready", "message": "the status page is starting; retry shortly" } })),
    )
        .into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

/// Answers a document in the best coding the client accepts (compressed once per snapshot, so
/// no reader costs compression work) with that representation's ETag; 304 when the client holds
/// it already.
pub fn conditional(
    headers: &HeaderMap,
    doc: &JsonDoc,
    content_type: &'static str,
    built: chrono::DateTime<chrono::Utc>,
) -> Response {
    let coding = Coding::negotiate(headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()));
    let (body, coding, etag) = doc.encoded(coding);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut res = ([(header::CONTENT_TYPE, content_type)], Body::from(body)).into_response();
        if let Some(c) = coding.header() {
            res.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
        }
        res
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    // Status aggregators read these from browsers on other sites.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    if let Ok(v) = HeaderValue::from_str(&built.to_rfc2822()) {
        h.insert(header::LAST_MODIFIED, v);
    }
    res
}

/// `GET /api/v2/{name}.json`.
pub async fn statuspage_json(state: &AppState, headers: &HeaderMap, name: &str) -> Response {
    let Some(snapshot) = snapshot(state).await else {
        return unavailable();
    };
    match snapshot.json.get(name) {
        Some(doc) => conditional(headers, doc, "application/json", snapshot.built_at),
        None => ApiError::from(backend::Error::NotFound("document")).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// From 1; 50 to a page, newest first.
    pub page: Option<u32>,
}

/// `GET /api/v2/incidents.json[?page=N]`: Statuspage's 50 most recent, and (beyond Statuspage)
/// older ones page by page; past the last page, none. An older page is read once per snapshot.
pub async fn incidents_json(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(domain::FieldError::new("page", "pages count from 1").into());
    }
    let Some(snapshot) = snapshot(&state).await else {
        return Ok(unavailable());
    };
    if page == 1 {
        return Ok(statuspage_json(&state, &headers, "incidents").await);
    }
    let key = format!("/api/v2/incidents.json?page={page}");
    if let Some(doc) = state.status_pages.get(snapshot.version, &key) {
        return Ok(conditional(&headers, &doc, "application/json", snapshot.built_at));
    }
    let items =
        backend::services::status_page::history(&state.ctx.pool, &snapshot, page).await?.unwrap_or_default();
    let source = backend::services::status_page::Source { incidents: &items, ..snapshot.source() };
    let value = serde_json::json!({ "page": source.page(), "incidents": source.incidents(false) });
    let doc = tokio::task::spawn_blocking(move || JsonDoc::of(&value))
        .await
        .map_err(|e| backend::Error::Internal(anyhow::anyhow!("compressing a page of incidents: {e}")))?;
    state.status_pages.put(snapshot.version, key, doc.clone());
    Ok(conditional(&headers, &doc, "application/json", snapshot.built_at))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UptimeQuery {
    /// Days back from today, 1-90 (default 90).
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UptimeDay {
    #[serde(flatten)]
    pub day: DayUptime,
    /// The public incidents (their public ids) that touched the component that day.
    pub incidents: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Uptime {
    pub component: Uuid,
    /// Oldest first, today last; days are local days in the page's time zone.
    pub days: Vec<UptimeDay>,
}

/// `GET /api/v1/status-page/components/{id}/uptime?days=90`: public, like the page that shows it.
#[utoipa::path(
    get,
    path = "/status-page/components/{id}/uptime",
    tag = "status-page",
    summary = "A component's (or group's) uptime per day, with the seconds in each state",
    description = "Role: anyone (public, like the page). uptime = 1 - (major + partial_weight x partial [+ maintenance]) / observed.",
    params(("id" = uuid::Uuid, Path, description = "the component or group"), UptimeQuery),
    responses((status = 200, description = "the days", body = Uptime), Refusals),
    security(())
)]
pub async fn uptime(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<UptimeQuery>,
) -> Result<Response, ApiError> {
    let days = q.days.unwrap_or(90);
    if !(1..=90).contains(&days) {
        return Err(domain::FieldError::new("days", "must be between 1 and 90").into());
    }
    let Some(snapshot) = snapshot(&state).await else {
        return Ok(unavailable());
    };
    let all = snapshot.uptime.get(&id).ok_or(backend::Error::NotFound("component"))?;
    let members: Vec<Uuid> = if snapshot.groups().iter().any(|g| g.id == id) {
        snapshot.data.components.iter().filter(|c| c.group_id == Some(id)).map(|c| c.id).collect()
    } else {
        vec![id]
    };
    let days = all[all.len().saturating_sub(days as usize)..]
        .iter()
        .map(|d| UptimeDay {
            incidents: snapshot
                .data
                .incidents
                .iter()
                .filter(|i| i.components.iter().any(|c| members.contains(c)))
                .filter(|i| i.started_at < d.ends_at && i.resolved_at.is_none_or(|r| r > d.starts_at))
                .map(|i| i.public_id.clone())
                .collect(),
            day: d.clone(),
        })
        .collect();
    let mut res = Json(Uptime { component: id, days }).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    Ok(res)
}

/// `GET /status/feed.atom` and `/status/feed.rss`: one entry per update, newest first.
pub async fn feed(state: &AppState, headers: &HeaderMap, atom: bool) -> Response {
    let Some(snapshot) = snapshot(state).await else {
        return unavailable();
    };
    if atom {
        conditional(headers, &snapshot.atom, "application/atom+xml; charset=utf-8", snapshot.built_at)
    } else {
        conditional(headers, &snapshot.rss, "application/rss+xml; charset=utf-8", snapshot.built_at)
    }
}

/// The script that keeps a customer's page current without a reload (see the file).
pub const LIVE_SCRIPT: &str = include_str!("status_live.js");

/// `GET /status/live.js`.
pub async fn live_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        LIVE_SCRIPT,
    )
        .into_response()
}

/// A small page of its own for the subscription links: they are opened from a mailbox, by
/// someone who may never have seen Tocsin, and must work without JavaScript.
fn subscription_page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/tocsin.css\"></head>\
         <body><main class=\"ack-page\"><h1>{title}</h1>{body}<p><a href=\"/status\">Back to the status page</a></p></main></body></html>",
        title = esc(title)
    );
    let csp =
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    (status, [(header::CONTENT_SECURITY_POLICY, csp)], axum::response::Html(html)).into_response()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `POST /status/subscribe` (a form: `email`, and `component` once per component wanted, none
/// meaning all; or `incident`, a public incident's id, for its updates alone). The answer is the
/// same whether the address is new or known.
pub async fn subscribe(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ctx = &state.ctx;
    let ip = crate::http::client_ip::client_ip(peer.ip(), &headers, &ctx.config.trusted_proxies).to_string();
    let email = fields.iter().find(|(k, _)| k == "email").map(|(_, v)| v.as_str()).unwrap_or_default();
    let email = match domain::Email::parse(email) {
        Ok(e) => e,
        Err(e) => {
            return subscription_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "That address will not do",
                &format!("<p>The email address {}.</p>", esc(&e.reason)),
            );
        }
    };
    let components: Result<Vec<Uuid>, _> =
        fields.iter().filter(|(k, _)| k == "component").map(|(_, v)| v.parse::<Uuid>()).collect();
    let Ok(components) = components else {
        return subscription_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unknown component",
            "<p>Choose components from the page.</p>",
        );
    };
    let incident = fields.iter().find(|(k, _)| k == "incident").map(|(_, v)| v.as_str());
    let follow = match incident {
        Some(id) => Follow::Incident(id),
        None => Follow::Components(&components),
    };
    let result = backend::services::status_page::subscribers::subscribe(
        &ctx.pool,
        &email,
        follow,
        &ip,
        &ctx.config.public_url,
        ctx.now(),
    )
    .await;
    match result {
        Ok(()) => subscription_page(
            StatusCode::OK,
            "Check your inbox",
            "<p>If that address can be subscribed, a message with a confirmation link is on its way to it. Nothing else is sent until the link is followed.</p>",
        ),
        Err(backend::Error::RateLimited { .. }) => subscription_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "<p>Too many subscription requests came from your address in the last hour. Please try again later.</p>",
        ),
        Err(backend::Error::Invalid(e)) => subscription_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That will not do",
            &format!("<p>{}: {}</p>", esc(&e.field), esc(&e.reason)),
        ),
        Err(e) => {
            tracing::error!(error = ?e, "could not take a subscription");
            subscription_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "<p>The subscription could not be saved. Please try again shortly.</p>",
            )
        }
    }
}

fn not_found_link() -> Response {
    subscription_page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<p>This subscription link is not valid any more: the subscription may have ended already.</p>",
    )
}

/// `GET /status/subscriptions/{token}`: what the link in a confirmation message opens. Only the
/// button's POST confirms, so a mail scanner fetching the link subscribes nobody.
pub async fn subscription(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match backend::services::status_page::subscribers::by_token(&state.ctx.pool, &token).await {
        Ok(s) if s.confirmed => subscription_page(
            StatusCode::OK,
            "You are subscribed",
            &format!(
                "<p>Updates go to {}.</p><form method=\"post\" action=\"/status/subscriptions/{}/unsubscribe\"><button type=\"submit\" class=\"button\">Unsubscribe</button></form>",
                esc(&s.address),
                esc(&token)
            ),
        ),
        Ok(s) => subscription_page(
            StatusCode::OK,
            "Confirm your subscription",
            &format!(
                "<p>Send status updates to {}?</p><form method=\"post\"><button type=\"submit\" class=\"button primary\">Confirm</button></form>",
                esc(&s.address)
            ),
        ),
        Err(_) => not_found_link(),
    }
}

/// `POST /status/subscriptions/{token}`: confirms.
pub async fn confirm_subscription(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let ctx = &state.ctx;
    match backend::services::status_page::subscribers::confirm(&ctx.pool, &token, ctx.now()).await {
        Ok(s) => subscription_page(
            StatusCode::OK,
            "Subscribed",
            &format!(
                "<p>Status updates will go to {}. Every message has a link to stop them.</p>",
                esc(&s.address)
            ),
        ),
        Err(_) => not_found_link(),
    }
}

/// `GET /status/subscriptions/{token}/unsubscribe`: a button, so link previews change nothing.
pub async fn unsubscribe_page(Path(token): Path<String>) -> Response {
    subscription_page(
        StatusCode::OK,
        "Unsubscribe",
        &format!(
            "<p>Stop receiving status updates?</p><form method=\"post\" action=\"/status/subscriptions/{}/unsubscribe\"><button type=\"submit\" class=\"button primary\">Unsubscribe</button></form>",
            esc(&token)
        ),
    )
}

/// `POST /status/subscriptions/{token}/unsubscribe`: the button, and a mail client's one-click
/// unsubscribe (RFC 8058: a POST with `List-Unsubscribe=One-Click`, no cookie, no confirmation).
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match backend::services::status_page::subscribers::unsubscribe(&state.ctx.pool, &token).await {
        Ok(()) => subscription_page(
            StatusCode::OK,
            "Unsubscribed",
            "<p>No more status updates will be sent to you.</p>",
        ),
        Err(_) => not_found_link(),
    }
}
