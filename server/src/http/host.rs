//! The `Host` a request names, checked against the public URL, and HSTS when that URL is https.
//!
//! A page on another site can make a browser send requests to a Tocsin it cannot reach itself
//! by pointing its own name at Tocsin's address (DNS rebinding): the browser then treats Tocsin
//! as that site, and `Origin` checks pass because origin and host agree. The host is the tell:
//! it names the attacker's domain. So requests a browser makes (pages, forms, server functions,
//! cookie-authenticated API calls) must name the public URL's host. What browsers do not send is
//! left alone: alert sources and monitoring reach the server by whatever name their network uses
//! (`/v2/`, `/integrations/`, `/healthz`, `/readyz`, `/metrics`), and so do scripts with an API
//! token, which no other site's page holds.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{AppState, http::session::bearer_token};

/// Paths browsers do not use, reached by machines under any name.
const ANY_HOST: &[&str] = &["/v2/", "/integrations/", "/healthz", "/readyz", "/metrics"];

/// A year: browsers keep using https for the public URL's host, even if told `http://` later.
const HSTS: &str = "max-age=31536000";

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let public_url = &state.ctx.config.public_url;
    let named = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    let machine =
        ANY_HOST.iter().any(|p| req.uri().path().starts_with(p)) || bearer_token(req.headers()).is_some();
    if !machine
        && let Some(host) = named
        && !host_matches(host, public_url)
    {
        tracing::warn!(host, "refused a request for another host");
        return (
            StatusCode::MISDIRECTED_REQUEST,
            format!("This server answers as {public_url}. If that is wrong, set TOCSIN_PUBLIC_URL.\n"),
        )
            .into_response();
    }
    let mut response = next.run(req).await;
    if state.ctx.config.https() {
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

/// Whether a `Host` value names the public URL's host and port. A public URL on a loopback
/// address accepts every loopback name (`localhost`, `127.0.0.1`, `[::1]`) for the same port:
/// the newcomer's `make run` answers at whichever they type.
pub fn host_matches(host: &str, public_url: &str) -> bool {
    let Some((scheme, rest)) = public_url.split_once("://") else {
        return false;
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let authority = rest.split('/').next().unwrap_or_default();
    let (Some(want), Some(got)) = (split(authority, default_port), split(host, default_port)) else {
        return false;
    };
    want.1 == got.1 && (want.0 == got.0 || (is_loopback(&want.0) && is_loopback(&got.0)))
}

/// (lower-case host, port) of `host[:port]` or `[v6][:port]`.
fn split(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let authority = authority.rsplit('@').next()?.trim();
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default_port,
    };
    (!host.is_empty()).then(|| (host.trim_end_matches('.').to_ascii_lowercase(), port))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_must_be_the_public_urls() {
        let public = "https://tocsin.example.com";
        assert!(host_matches("tocsin.example.com", public));
        assert!(host_matches("Tocsin.Example.com:443", public));
        assert!(!host_matches("tocsin.example.com:8443", public));
        assert!(!host_matches("evil.example", public));
        assert!(!host_matches("tocsin.example.com.evil.example", public));
    }

    #[test]
    fn a_loopback_public_url_answers_to_every_loopback_name_on_its_port() {
        let public = "http://127.0.0.1:3000";
        for ok in ["127.0.0.1:3000", "localhost:3000", "[::1]:3000"] {
            assert!(host_matches(ok, public), "{ok}");
        }
        for bad in ["127.0.0.1:3001", "rebind.evil.example:3000", "192.168.1.5:3000", "127.0.0.1"] {
            assert!(!host_matches(bad, public), "{bad}");
        }
    }
}
