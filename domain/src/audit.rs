//! The audit log as people read it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One recorded change. `before` and `after` are the changed entity as JSON text (never secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The acting user's email, or `cli` / `system`.
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub before: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub after: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub request_id: Option<String>,
}

/// A page of the audit log, newest first, with the cursor for the next (older) page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` to get the entries older than this page; None on the last page.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub next_before: Option<i64>,
}

/// Audit pages hold at most this many entries.
pub const AUDIT_PAGE_MAX: i64 = 200;
