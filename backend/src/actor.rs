//! Who acts: the person (or the command line, or the system itself) that every change, timeline
//! entry and audit row is attributed to.

use domain::UserId;

/// Who acts, as recorded in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// A readable name for the log: the user's email, or "cli", or "system".
    pub label: String,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Actor { user_id: None, label: "cli".into(), request_id: None }
    }

    pub fn system() -> Self {
        Actor { user_id: None, label: "system".into(), request_id: None }
    }
}
