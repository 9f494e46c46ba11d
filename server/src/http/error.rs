//! The HTTP API's error: the app's one error type ([`AppError`], its status and code table), as
//! a JSON body `{"error": {"code", "message", "field"?}}`. Internal causes go to the log, never to
//! the client.

use app::error::AppError;
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<backend::Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(AppError::from(e.into()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = &self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({ "code": e.code(), "message": e.to_string() });
        match e {
            AppError::Invalid { field, reason } => {
                body["field"] = json!(field);
                body["message"] = json!(reason);
            }
            AppError::Unfair { violations, .. } => body["violations"] = json!(violations),
            AppError::Stale(current) => body["current"] = json!(current),
            _ => {}
        }
        let mut response = (status, Json(json!({ "error": body }))).into_response();
        match e {
            AppError::Unauthenticated => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::RateLimited(retry_after_secs) => {
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
    ApiError::from(domain::FieldError::new("body", rejection.body_text()))
}
