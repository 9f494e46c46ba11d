//! Alert intake at request time: what an instance needs to accept events durably and fast. The
//! events are applied later by the engine's alerts job (`engine::alerts`).
//!
//! - [`writer`]: the group commit ([`Ingestor`]).
//! - the integration key cache it reads ([`KeyCache`], in `auth`: revoking a key clears it).
//! - [`limiter`]: a token bucket per key ([`RateLimiter`]).

pub mod limiter;
pub mod writer;

use sqlx::PgPool;

pub use crate::auth::key_cache::{KEY_CACHE_TTL, KeyCache};
pub use limiter::RateLimiter;
pub use writer::{Ingestor, NotStored};

/// Everything an instance needs to accept events: the writer, the key cache, the rate limit.
#[derive(Clone)]
pub struct Intake {
    pub ingestor: Ingestor,
    pub keys: KeyCache,
    pub limiter: RateLimiter,
}

impl Intake {
    /// `keys` is the cache the instance's context holds, so revoking through either edge clears it.
    pub fn start(pool: PgPool, rate_per_key: u32, keys: KeyCache) -> Intake {
        Intake { ingestor: Ingestor::start(pool), keys, limiter: RateLimiter::new(rate_per_key) }
    }
}
