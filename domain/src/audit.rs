//! The audit log as people read it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One recorded change. `before` and `after` are the changed entity as JSON text (never secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The acting user's email, or `cli` / `system`.
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
}

/// A page of the audit log, newest first, with the cursor for the next (older) page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` to get the entries older than this page; None on the last page.
    pub next_before: Option<i64>,
}

/// Audit pages hold at most this many entries.
pub const AUDIT_PAGE_MAX: i64 = 200;
