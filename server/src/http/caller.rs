//! Who is calling: the principal the session middleware found, and the request id for the audit log.

use axum::{extract::FromRequestParts, http::request::Parts};
use backend::{actor::Actor, auth::Principal};
use domain::Role;

use crate::http::error::ApiError;

/// The caller of a request, if authenticated. `require` is the one way a handler demands a role.
pub struct Caller {
    principal: Option<Principal>,
    request_id: Option<String>,
}

impl Caller {
    pub fn require(&self, role: Role) -> Result<&Principal, ApiError> {
        Ok(backend::auth::require_role(self.principal.as_ref(), role)?)
    }

    pub fn actor(&self, p: &Principal) -> Actor {
        p.actor(self.request_id.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            principal: parts.extensions.get::<Principal>().cloned(),
            request_id: parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned),
        })
    }
}
