//! Server-side helpers for server fns: who is calling, with which role, from which request.
//! Every server fn starts with `authorize(role)?` and stops on its error.

use backend::{AppContext, actor::Actor, auth::Principal};
use domain::Role;
use leptos::prelude::*;

use crate::error::AppError;

fn parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The authenticated caller of this request, as the session middleware found them.
pub fn principal() -> Option<Principal> {
    parts()?.extensions.get::<Principal>().cloned()
}

pub fn context() -> Result<AppContext, AppError> {
    use_context::<AppContext>().ok_or_else(|| {
        tracing::error!("AppContext missing from the Leptos context");
        AppError::Internal
    })
}

/// Requires a caller with at least `role`; sets the HTTP status of a refusal.
pub fn authorize(role: Role) -> Result<(AppContext, Principal), AppError> {
    let principal = principal();
    match backend::auth::require_role(principal.as_ref(), role) {
        Ok(p) => Ok((context()?, p.clone())),
        Err(e) => Err(fail(e.into())),
    }
}

/// Sets the response status for an error and hands it back, for `map_err(fail)`.
pub fn fail(e: AppError) -> AppError {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(
            http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    e
}

/// The audit-log actor for a principal, tagged with this request's id.
pub fn actor(p: &Principal) -> Actor {
    let request_id =
        parts().and_then(|p| p.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned));
    p.actor(request_id)
}

/// Maps a backend result to the edge error, setting the status on failure.
pub fn edge<T>(r: backend::Result<T>) -> Result<T, AppError> {
    r.map_err(|e| fail(e.into()))
}
