use domain::audit::AuditPage;
use leptos::prelude::*;

use crate::error::AppError;

#[server]
pub async fn list_audit(before: Option<i64>) -> Result<AuditPage, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::audit::audit_page(&ctx.pool, before, None).await)
}
