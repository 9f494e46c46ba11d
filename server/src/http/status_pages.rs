//! The public status pages, rendered once per snapshot. A logged-out reader's `/status`,
//! `/status/history` and `/status/incidents/{id}` are the app's server render of the snapshot,
//! kept as bytes until the snapshot changes: the first reader after a change renders, every other
//! one is served the bytes, compressed once (with an ETag, so a reader holding them gets 304),
//! as the JSON is. The scripts that would hydrate the page are left out: customers' pages are
//! plain HTML (their links and forms work without JavaScript); their one script is
//! `/status/live.js`, a few lines that fetch the page again and swap what changed.
//!
//! A cache of what the snapshot renders to, on each instance: nothing another instance would miss.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use backend::services::status_page::JsonDoc;

use crate::{AppState, http::session};

/// Pages larger than this are served as rendered, uncached.
const MAX_PAGE: usize = 8 * 1024 * 1024;
/// Distinct incident pages kept per snapshot: enough for every one the snapshot holds.
const MAX_PAGES: usize = 256;

/// A rendered page, compressed once, with its ETag.
type Page = JsonDoc;

/// The pages (and older pages of history as JSON) of one snapshot, by path; `version` is that snapshot's.
#[derive(Default)]
struct Pages {
    version: Option<u64>,
    by_path: HashMap<String, Page>,
}

#[derive(Clone, Default)]
pub struct PageCache {
    pages: Arc<Mutex<Pages>>,
}

impl PageCache {
    pub fn get(&self, version: u64, path: &str) -> Option<Page> {
        let pages = self.pages.lock().ok()?;
        if pages.version != Some(version) {
            return None;
        }
        pages.by_path.get(path).cloned()
    }

    pub fn put(&self, version: u64, path: String, page: Page) {
        if let Ok(mut pages) = self.pages.lock() {
            if pages.version != Some(version) {
                *pages = Pages { version: Some(version), by_path: HashMap::new() };
            }
            if pages.by_path.len() < MAX_PAGES {
                pages.by_path.insert(path, page);
            }
        }
    }
}

fn is_public_page(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && req.uri().query().is_none()
        && (path == "/status"
            || path.starts_with("/status/history")
            || path.starts_with("/status/incidents/"))
}

fn anonymous(headers: &HeaderMap) -> bool {
    session::bearer_token(headers).is_none()
        && !headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("tocsin_session="))
}

/// What a customer is served: the page without the hydration, with the one small script that
/// keeps it current (and a refresh every minute where scripts do not run).
pub fn for_customers(html: &str) -> String {
    without_scripts(html).replacen(
        "</head>",
        r#"<script src="/status/live.js" defer></script><noscript><meta http-equiv="refresh" content="60"></noscript></head>"#,
        1,
    )
}

/// The page without the scripts and preloads that would hydrate it.
fn without_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</script>") {
            Some(end) => rest = &rest[start + end + "</script>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.split_inclusive('>')
        .filter(|tag| {
            !(tag.contains("<link rel=\"modulepreload\"")
                || tag.contains("as=\"fetch\" type=\"application/wasm\""))
        })
        .collect()
}

fn serve(headers: &HeaderMap, page: &Page, built: chrono::DateTime<chrono::Utc>) -> Response {
    let mut res = crate::http::status::conditional(headers, page, "text/html; charset=utf-8", built);
    // The page's only script is the one that keeps it current.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    res.headers_mut().remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    res
}

pub async fn public_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_public_page(&req) || !anonymous(req.headers()) {
        return next.run(req).await;
    }
    let Some(snapshot) = state.ctx.status.current() else {
        return next.run(req).await;
    };
    let (version, path, headers) = (snapshot.version, req.uri().path().to_owned(), req.headers().clone());
    if let Some(page) = state.status_pages.get(version, &path) {
        return serve(&headers, &page, snapshot.built_at);
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let Ok(bytes) = axum::body::to_bytes(res.into_body(), MAX_PAGE).await else {
        return (StatusCode::SERVICE_UNAVAILABLE, "the page could not be rendered; retry").into_response();
    };
    let html = for_customers(&String::from_utf8_lossy(&bytes));
    // Compression is CPU work: off the request threads, once per page and snapshot.
    let Ok(page) = tokio::task::spawn_blocking(move || JsonDoc::text(html)).await else {
        return (StatusCode::SERVICE_UNAVAILABLE, "the page could not be rendered; retry").into_response();
    };
    state.status_pages.put(version, path, page.clone());
    serve(&headers, &page, snapshot.built_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hydration_scripts_and_preloads_are_left_out() {
        let html = r#"<head><link rel="modulepreload" href="/pkg/t.js" crossorigin="n"><link rel="preload" href="/pkg/t.wasm" as="fetch" type="application/wasm" crossorigin="n"><link rel="stylesheet" href="/pkg/t.css"><script type="module" nonce="n">import x</script></head><body><h1>Status</h1><script nonce="n">a<b</script><p>ok</p></body>"#;
        let out = without_scripts(html);
        assert_eq!(
            out,
            r#"<head><link rel="stylesheet" href="/pkg/t.css"></head><body><h1>Status</h1><p>ok</p></body>"#
        );
    }
}
