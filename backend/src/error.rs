//! The error of every business operation. Each kind maps to one HTTP status at the edge; the
//! `Internal` kind keeps its cause for the log and is never shown to a client.

use domain::FieldError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("authentication required")]
    Unauthenticated,
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("{0}")]
    Conflict(String),
    /// The change breaks fairness rules: refused when one of them is hard, otherwise it waits
    /// for the caller to confirm.
    #[error("{}", unfair_message(*.hard))]
    Unfair { violations: Vec<domain::schedule::Violation>, hard: bool },
    /// A save written on an older version: someone saved meanwhile. Carries the current text so
    /// the writer can compare instead of overwriting.
    #[error("someone saved a newer version; compare and save again")]
    Stale(Box<domain::postmortem::PostmortemView>),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

fn unfair_message(hard: bool) -> &'static str {
    if hard {
        "the schedule breaks a hard fairness rule; change it before saving"
    } else {
        "the schedule breaks fairness rules; confirm to save it anyway"
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Internal(e)
    }
}

/// Postgres's code for a unique-constraint violation, which callers turn into a 409.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505"))
}
