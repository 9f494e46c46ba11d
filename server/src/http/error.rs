//! The one error type of the HTTP API. Each kind maps to a status and a JSON body
//! `{"error": {"code", "message", "field"?}}`; internal causes go to the log, never to the client.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError(pub backend::Error);

impl<E: Into<backend::Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use backend::Error as E;
        let (status, code) = match &self.0 {
            E::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            E::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            E::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            E::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            E::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            E::Unfair { hard: true, .. } => (StatusCode::UNPROCESSABLE_ENTITY, "unfair"),
            E::Unfair { hard: false, .. } => (StatusCode::CONFLICT, "unfair_needs_confirmation"),
            E::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error in an API handler");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let mut body = json!({ "code": code, "message": self.0.to_string() });
        if let E::Invalid(f) = &self.0 {
            body["field"] = json!(f.field);
            body["message"] = json!(f.reason);
        }
        if let E::Unfair { violations, .. } = &self.0 {
            body["violations"] = json!(violations);
        }
        let mut response = (status, Json(json!({ "error": body }))).into_response();
        match &self.0 {
            E::Unauthenticated => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            E::RateLimited { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}

/// A JSON body that failed to parse, reported in the API's error shape rather than axum's text.
pub fn bad_json(rejection: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError(backend::Error::Invalid(domain::FieldError::new("body", rejection.body_text())))
}
