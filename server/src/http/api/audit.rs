//! `/api/v1/audit-log` (`services::audit`).

use axum::{Json, extract::State};
use backend::services::{self};
use domain::{Role, audit::AuditPage};
use serde::Deserialize;

use crate::http::{openapi::Refusals, query::Query};
use crate::{
    AppState,
    http::{caller::Caller, error::ApiError},
};

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/audit-log?before=&limit=`: newest first; `next_before` pages further back.
#[utoipa::path(
    get,
    path = "/audit-log",
    tag = "audit",
    summary = "The audit log, newest first",
    description = "Role: admin.",
    params(("before" = Option<i64>, Query, description = "the `next_before` of the previous page"), ("limit" = Option<i64>, Query, description = "entries per page")),
    responses((status = 200, description = "a page of the log", body = AuditPage), Refusals)
)]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::audit::audit_page(&state.ctx.pool, q.before, q.limit).await?))
}
