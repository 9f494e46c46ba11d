//! The public status page's machine-readable side, all answered from this instance's snapshot
//! (never a query per request): Statuspage-compatible `/api/v2/*.json`, each day's uptime of a
//! component, and the Atom feed. No login: customers and aggregators read them.

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use backend::services::status_page::{JsonDoc, Snapshot};
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

/// Answers a document with its ETag; 304 when the client holds it already.
pub fn conditional(
    headers: &HeaderMap,
    doc: &JsonDoc,
    content_type: &'static str,
    built: chrono::DateTime<chrono::Utc>,
) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == doc.etag || t.trim() == "*"));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], doc.body.to_string()).into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&doc.etag) {
        h.insert(header::ETAG, v);
    }
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
