//! Authentication: password hashing, session JWTs, the secrets Tocsin mints (API tokens,
//! integration keys, webhook signing secrets), the integration key cache both the intake and
//! revocation use, and the one rule for roles.

pub mod jwt;
pub mod key_cache;
pub mod password;
pub mod secrets;

use domain::{Role, UserId};

use crate::{Error, actor::Actor, db::users::UserRow};

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    ApiToken,
}

/// The authenticated caller of a request: an enabled user, as the database says now.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub time_zone: String,
    pub via: Via,
    /// The session's or the API token's id.
    pub credential: uuid::Uuid,
}

impl Principal {
    pub fn from_row(row: &UserRow, via: Via, credential: uuid::Uuid) -> Self {
        Principal {
            user_id: row.id,
            email: row.email.clone(),
            name: row.name.clone(),
            role: row.role(),
            time_zone: row.time_zone.clone(),
            via,
            credential,
        }
    }

    pub fn me(&self) -> domain::Me {
        domain::Me {
            id: self.user_id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            time_zone: self.time_zone.clone(),
        }
    }

    /// Their zone (stored names are checked when set; UTC if one became unknown).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    pub fn actor(&self, request_id: Option<String>) -> Actor {
        Actor { user_id: Some(self.user_id), label: self.email.clone(), request_id }
    }
}

/// The one way to require a role: every server fn and every handler calls it (directly or through
/// its edge helper) and stops on the error it returns.
pub fn require_role(principal: Option<&Principal>, needed: Role) -> Result<&Principal, Error> {
    match principal {
        None => Err(Error::Unauthenticated),
        Some(p) if p.role.includes(needed) => Ok(p),
        Some(_) => Err(Error::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: UserId(uuid::Uuid::nil()),
            email: "a@example.com".into(),
            name: "A".into(),
            role,
            time_zone: "UTC".into(),
            via: Via::Session,
            credential: uuid::Uuid::nil(),
        }
    }

    #[test]
    fn require_role_distinguishes_unauthenticated_from_forbidden() {
        assert!(matches!(require_role(None, Role::Viewer), Err(Error::Unauthenticated)));
        assert!(matches!(
            require_role(Some(&principal(Role::Viewer)), Role::Responder),
            Err(Error::Forbidden)
        ));
        assert!(require_role(Some(&principal(Role::Admin)), Role::Responder).is_ok());
    }
}
