//! `/healthz`: the process is up. `/readyz`: the database answers and every migration is applied,
//! so a load balancer sends traffic only to instances that can serve it.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

use crate::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if backend::db::migrations_applied(&state.ctx.pool).await {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": "database unreachable or migrations pending" })),
        )
    }
}
