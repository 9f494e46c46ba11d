//! Password hashing with argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
//! Hashing is slow on purpose, so it runs on the blocking pool, never on the async runtime.

use anyhow::Context;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

fn hasher() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1 for argon2id.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    })
    .await
    .context("password hashing task")?
}

/// Whether `password` matches `stored`. A malformed stored hash never matches.
pub async fn verify(password: String, stored: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        hasher().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .context("password verification task")
}

/// How many password hashes one instance computes at once. Each takes 19 MiB and most of a core
/// for tens of milliseconds: beyond this, a login is answered 429 at once rather than queueing
/// behind a flood of guesses.
#[derive(Clone)]
pub struct Hashers(std::sync::Arc<tokio::sync::Semaphore>);

impl Hashers {
    pub fn new(at_once: usize) -> Hashers {
        Hashers(std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1))))
    }

    /// A turn to hash, if one is free now.
    pub fn try_turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

impl Default for Hashers {
    /// Two per core.
    fn default() -> Hashers {
        Hashers::new(std::thread::available_parallelism().map_or(2, |n| n.get()) * 2)
    }
}

/// Checks `password` against `stored`, or, when there is no such account, against a hash of a
/// password nobody knows, so that a wrong email takes as long as a wrong password.
pub async fn verify_or_waste_time(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match stored {
        Some(stored) => verify(password, stored).await,
        None => {
            let dummy = match DUMMY.get() {
                Some(d) => d.clone(),
                None => {
                    let h = hash(crate::auth::secrets::random_token(32)).await?;
                    DUMMY.get_or_init(|| h).clone()
                }
            };
            verify(password, dummy).await?;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_with_owasp_parameters() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), h.clone()).await.unwrap());
        assert!(!verify("wrong horse battery".into(), h).await.unwrap());
    }

    #[tokio::test]
    async fn garbage_and_the_dummy_hash_never_match() {
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
        assert!(!verify_or_waste_time("x".into(), None).await.unwrap());
    }
}
