//! `POST /auth/login` and `POST /auth/logout`: plain form posts, so logging in works with
//! JavaScript off. Failures all look alike; repeated failures answer 429 with Retry-After.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use backend::auth::jwt::cookie_name;
use serde::Deserialize;

use crate::{
    AppState,
    http::{
        client_ip::client_ip,
        session::{cookie, encode_component, session_cookie},
    },
};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let ctx = &state.ctx;
    let next = app::routes::login::safe_next(form.next);
    let ip = client_ip(peer.ip(), &headers, &ctx.config.trusted_proxies).to_string();
    match backend::services::auth::login(&ctx.pool, &ctx.hashers, &ip, &form.email, &form.password, ctx.now())
        .await
    {
        Ok(user) => {
            match backend::services::auth::start_session(&ctx.pool, &ctx.keys, user.id, &ip, ctx.now()).await
            {
                Ok(token) => {
                    let mut response = Redirect::to(&next).into_response();
                    response
                        .headers_mut()
                        .append(header::SET_COOKIE, session_cookie(Some(&token), ctx.config.https()));
                    response
                }
                Err(e) => {
                    tracing::error!(error = ?e, "issuing a session token");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        Err(backend::Error::Unauthenticated) => {
            Redirect::to(&format!("/login?error=invalid&next={}", encode_component(&next))).into_response()
        }
        Err(backend::Error::RateLimited { retry_after_secs }) => {
            let body = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · Tocsin</title>\
                 <link rel=\"stylesheet\" href=\"/pkg/tocsin.css\"></head><body><main class=\"login-page\">\
                 <section class=\"panel login-form\"><h1>Too many attempts</h1>\
                 <p role=\"alert\">Too many failed logins. Try again in {retry_after_secs} seconds.</p>\
                 <p><a href=\"/login\">Back to the login page</a></p></section></main></body></html>"
            );
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(body)).into_response();
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(e) => crate::http::error::ApiError::from(e).into_response(),
    }
}

/// Ends the session on the server (its cookie is worthless from now on, wherever a copy of it
/// is) and clears the cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let ctx = &state.ctx;
    if let Some(token) = cookie(&headers, cookie_name(ctx.config.https())).filter(|t| !t.is_empty())
        && let Err(e) = backend::services::auth::end_session(&ctx.pool, &ctx.keys, token, ctx.now()).await
    {
        return crate::http::error::ApiError::from(e).into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, session_cookie(None, state.ctx.config.https()));
    response
}
