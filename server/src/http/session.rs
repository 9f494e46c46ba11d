//! Authenticates every request: a bearer API token or the session cookie becomes a `Principal`
//! in the request's extensions. Handlers and server fns then decide what the principal may do;
//! this layer only adds two conveniences: a page request without a session is sent to the login
//! page, and a session in use is renewed before it expires.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use backend::auth::jwt::{LIFETIME, cookie_name};

use crate::AppState;

/// Paths anyone may load without logging in; everything else that is a page needs a session.
const PUBLIC_PREFIXES: &[&str] = &[
    "/login",
    "/auth/",
    "/status",
    "/api/",
    "/pkg/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/v2/",
    "/integrations/",
    // The acknowledge link in a page: its signed token is the credential.
    "/ack/",
];

pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The Set-Cookie value for a session token (or, with `None`, one that deletes it).
pub fn session_cookie(token: Option<&str>, https: bool) -> HeaderValue {
    let name = cookie_name(https);
    let secure = if https { "; Secure" } else { "" };
    let value = match token {
        Some(t) => {
            format!("{name}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", LIFETIME.num_seconds())
        }
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn is_page_request(req: &Request) -> bool {
    let path = req.uri().path();
    let last = path.rsplit('/').next().unwrap_or_default();
    (req.method() == Method::GET || req.method() == Method::HEAD)
        && !PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
        // Static files (favicon.svg, robots.txt) are public.
        && !last.contains('.')
}

/// Whether a request that changes something may come from another site. Browsers send `Origin`
/// with every POST; it must be this server (as the browser reached it, or its public URL).
/// SameSite=Lax already keeps the session cookie off cross-site posts, but not off a login form,
/// which would otherwise let another site log a victim into the attacker's account. A write that
/// carries the session cookie and no `Origin` counts as cross-site: a browser always sends one, so
/// only something that stripped it would not.
fn cross_site(req: &Request, public_url: &str) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return cookie(req.headers(), cookie_name(public_url.starts_with("https://")))
            .is_some_and(|t| !t.is_empty());
    };
    if origin == public_url {
        return false;
    }
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    host.is_none() || origin_host != host
}

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ctx = &state.ctx;
    if bearer_token(req.headers()).is_none() && cross_site(&req, &ctx.config.public_url) {
        tracing::warn!("refused a cross-site request");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    let now = ctx.now();
    let mut renewed = None;
    let mut had_session = false;
    let principal = if let Some(token) = bearer_token(req.headers()) {
        match backend::services::auth::principal_from_api_token(&ctx.pool, token, now).await {
            Ok(p) => p,
            Err(e) => return crate::http::error::ApiError::from(e).into_response(),
        }
    } else if let Some(token) =
        cookie(req.headers(), cookie_name(ctx.config.https())).filter(|t| !t.is_empty())
    {
        had_session = true;
        match backend::services::auth::principal_from_session(&ctx.pool, &ctx.keys, token, now).await {
            Ok(Some((p, renewal))) => {
                renewed = renewal;
                Some(p)
            }
            Ok(None) => None,
            Err(e) => return crate::http::error::ApiError::from(e).into_response(),
        }
    } else {
        None
    };

    if principal.is_none() && is_page_request(&req) {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let mut location = format!("/login?next={}", encode_component(target));
        if had_session {
            location.push_str("&error=expired");
        }
        let mut response = Redirect::to(&location).into_response();
        if had_session {
            response.headers_mut().append(header::SET_COOKIE, session_cookie(None, ctx.config.https()));
        }
        return response;
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(p);
    }
    let mut response = next.run(req).await;
    // A handler that set the session cookie itself (login, logout) has the last word.
    let handler_set_session =
        response.headers().get_all(header::SET_COOKIE).iter().any(|v| {
            v.to_str().is_ok_and(|v| v.starts_with(&format!("{}=", cookie_name(ctx.config.https()))))
        });
    if let Some(token) = renewed
        && !handler_set_session
    {
        response.headers_mut().append(header::SET_COOKIE, session_cookie(Some(&token), ctx.config.https()));
    }
    response
}

/// Percent-encodes a URL component (RFC 3986 unreserved characters pass through).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_tokens_and_cookies() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; tocsin_session=xyz; b=2"));
        assert_eq!(bearer_token(&h), Some("abc"));
        assert_eq!(cookie(&h, "tocsin_session"), Some("xyz"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn session_cookie_is_http_only_lax_and_secure_on_https() {
        let c = session_cookie(Some("t"), true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(c.starts_with("__Host-tocsin_session=t; Path=/;"), "{c}");
        assert!(!session_cookie(Some("t"), false).to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn encodes_next_targets() {
        assert_eq!(encode_component("/incidents?a=1&b=2"), "/incidents%3Fa%3D1%26b%3D2");
    }
}
