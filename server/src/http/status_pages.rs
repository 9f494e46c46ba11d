//! The public status pages, rendered once per snapshot. A logged-out reader's `/status`,
//! `/status/history` and `/status/incidents/{id}` are the app's server render of the snapshot,
//! kept as bytes until the snapshot changes: the first reader after a change renders, every other
//! one is served the bytes (with an ETag, so a reader holding them gets 304), as the JSON is. The
//! scripts that would hydrate the page are left out: customers' pages are plain HTML (their links
//! and forms work without JavaScript), and so the page runs no script at all.
//!
//! A cache of what the snapshot renders to, on each instance: nothing another instance would miss.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::{AppState, http::session};

/// Pages larger than this are served as rendered, uncached.
const MAX_PAGE: usize = 8 * 1024 * 1024;
/// Distinct incident pages kept per snapshot: enough for every one the snapshot holds.
const MAX_PAGES: usize = 256;

/// A rendered page and its ETag.
type Page = (Bytes, String);

/// The pages of one snapshot, by path; `version` is that snapshot's.
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
    fn get(&self, version: u64, path: &str) -> Option<Page> {
        let pages = self.pages.lock().ok()?;
        if pages.version != Some(version) {
            return None;
        }
        pages.by_path.get(path).cloned()
    }

    fn put(&self, version: u64, path: String, page: Page) {
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
        && (path == "/status" || path == "/status/history" || path.starts_with("/status/incidents/"))
}

fn anonymous(headers: &HeaderMap) -> bool {
    session::bearer_token(headers).is_none()
        && !headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("tocsin_session="))
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

fn serve(headers: &HeaderMap, (body, etag): Page) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res =
        if fresh { StatusCode::NOT_MODIFIED.into_response() } else { Body::from(body).into_response() };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(crate::http::status::CACHE_CONTROL));
    // No script at all on these pages.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
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
        return serve(&headers, page);
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        return (StatusCode::SERVICE_UNAVAILABLE, "the page could not be rendered; retry").into_response();
    };
    let html = without_scripts(&String::from_utf8_lossy(&bytes));
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(html.as_bytes()))[..32]);
    let page = (Bytes::from(html), etag);
    state.status_pages.put(version, path, page.clone());
    let _ = parts;
    serve(&headers, page)
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
