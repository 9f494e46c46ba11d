//! Authentication: password hashing, session JWTs, API tokens, and the one rule for roles.

pub mod jwt;
pub mod password;

use domain::{Role, UserId};
use rand::{Rng, distributions::Alphanumeric};
use sha2::{Digest, Sha256};

use crate::{Error, db::audit::Actor, db::users::UserRow};

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
}

impl Principal {
    pub fn from_row(row: &UserRow, via: Via) -> Self {
        Principal {
            user_id: row.id,
            email: row.email.clone(),
            name: row.name.clone(),
            role: row.role(),
            time_zone: row.time_zone.clone(),
            via,
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

/// A random string of letters and digits (about 5.95 bits per character).
pub fn random_token(chars: usize) -> String {
    rand::rngs::OsRng.sample_iter(&Alphanumeric).take(chars).map(char::from).collect()
}

pub const API_TOKEN_PREFIX: &str = "tocsin_";

/// A new API token: `tocsin_` and 32 random characters (190 bits).
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_token(32))
}

pub fn hash_api_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
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

    #[test]
    fn api_tokens_are_long_random_and_hash_stably() {
        let a = new_api_token();
        let b = new_api_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), API_TOKEN_PREFIX.len() + 32);
        assert_eq!(hash_api_token(&a), hash_api_token(&a));
        assert_ne!(hash_api_token(&a), hash_api_token(&b));
    }
}
