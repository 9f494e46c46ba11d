//! Reading the audit log. Writing happens inside each operation's own transaction.

use domain::audit::{AUDIT_PAGE_MAX, AuditPage};
use sqlx::PgPool;

use crate::{Result, db::audit};

/// A page of the newest entries older than `before`; `limit` is clamped to 1..=200.
pub async fn audit_page(pool: &PgPool, before: Option<i64>, limit: Option<i64>) -> Result<AuditPage> {
    let limit = limit.unwrap_or(50).clamp(1, AUDIT_PAGE_MAX);
    let mut conn = pool.acquire().await?;
    // One extra row tells whether an older page exists without a count.
    let mut rows = audit::page(&mut conn, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_before = if more { rows.last().map(|r| r.id) } else { None };
    Ok(AuditPage { entries: rows.iter().map(audit::AuditRow::view).collect(), next_before })
}
