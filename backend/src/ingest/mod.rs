//! Alert intake at request time: what an instance needs to accept events durably and fast. The
//! events are applied later by the engine's alerts job (`engine::alerts`).
//!
//! - [`writer`]: the group commit ([`Ingestor`]).
//! - the integration key cache it reads ([`KeyCache`], in `auth`: revoking a key clears it).
//! - [`limiter`]: token buckets per key ([`RateLimiter`]): events per second and bytes per hour.
//! - [`admission`]: the bound on requests and bytes held at once ([`Admission`]).

pub mod admission;
pub mod limiter;
pub mod writer;

use sqlx::PgPool;

pub use crate::auth::key_cache::{KEY_CACHE_TTL, KeyCache};
pub use admission::{Admission, Admitted};
pub use limiter::RateLimiter;

use crate::config::IngestLimits;
pub use writer::{Ingestor, NotStored};

/// Everything an instance needs to accept events: the writer, the key cache, the limits.
#[derive(Clone)]
pub struct Intake {
    pub ingestor: Ingestor,
    pub keys: KeyCache,
    /// Events per second per key.
    pub limiter: RateLimiter,
    /// Request bytes per hour per key.
    pub budget: RateLimiter,
    pub admission: Admission,
}

impl Intake {
    /// `keys` is the cache the instance's context holds, so revoking through either edge clears it.
    pub fn start(pool: PgPool, limits: &IngestLimits, keys: KeyCache) -> Intake {
        Intake {
            ingestor: Ingestor::start(pool),
            keys,
            limiter: RateLimiter::new(limits.rate_per_key),
            budget: RateLimiter::per_hour(limits.bytes_per_key_hour),
            admission: Admission::new(limits.max_requests, limits.max_inflight_bytes),
        }
    }
}
