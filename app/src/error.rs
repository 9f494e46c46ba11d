//! The one error type at the edges: what a server fn may answer, and what the REST API's
//! `ApiError` wraps. Each kind has one status code, one machine-readable code and a message a
//! person can act on; internal causes stay in the server log.

use leptos::{prelude::*, server_fn::codec::JsonEncoding};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthenticated,
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(String),
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{}", if *.hard { "a hard fairness rule is broken" } else { "fairness rules are broken: confirm to save anyway" })]
    Unfair { violations: Vec<domain::schedule::Violation>, hard: bool },
    #[error("someone saved a newer version; compare and save again")]
    Stale(Box<domain::postmortem::PostmortemView>),
    #[error("too many attempts; try again in {0} seconds")]
    RateLimited(u64),
    #[error("something went wrong on the server; it has been logged")]
    Internal,
    #[error("could not talk to the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) | AppError::Stale(_) => 409,
            AppError::Unfair { hard: true, .. } => 422,
            AppError::Unfair { hard: false, .. } => 409,
            AppError::RateLimited(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The machine-readable code the REST API answers with (`{"error": {"code": ...}}`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::Stale(_) => "stale",
            AppError::Unfair { hard: true, .. } => "unfair",
            AppError::Unfair { hard: false, .. } => "unfair_needs_confirmation",
            AppError::RateLimited(_) => "rate_limited",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }

    /// The field a form should mark, if the error is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server, arguments that do not decode are the caller's mistake: a 422 naming
        // them, not a 500 that pages someone.
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Args(why) | ServerFnErrorErr::MissingArg(why) = &value {
            tracing::warn!(error = %value, "a server function call could not be read");
            return crate::ssr::fail(AppError::Invalid { field: "arguments".into(), reason: why.clone() });
        }
        #[cfg(feature = "ssr")]
        tracing::warn!(error = %value, "a server function failed outside its body");
        AppError::Transport(value.to_string())
    }
}

impl From<domain::FieldError> for AppError {
    fn from(e: domain::FieldError) -> Self {
        AppError::Invalid { field: e.field, reason: e.reason }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::Error> for AppError {
    fn from(e: backend::Error) -> Self {
        use backend::Error as E;
        match e {
            E::Unauthenticated => AppError::Unauthenticated,
            E::Forbidden => AppError::Forbidden,
            E::NotFound(what) => AppError::NotFound(what.to_owned()),
            E::Invalid(f) => f.into(),
            E::Conflict(m) => AppError::Conflict(m),
            E::Stale(current) => AppError::Stale(current),
            E::RateLimited { retry_after_secs } => AppError::RateLimited(retry_after_secs),
            E::Unfair { violations, hard } => AppError::Unfair { violations, hard },
            E::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                AppError::Internal
            }
        }
    }
}
