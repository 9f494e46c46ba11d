//! Integration key lookups, cached for a few seconds: a revoked key stops working on every
//! instance within [`KEY_CACHE_TTL`], and on the instance that revoked it at once.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sqlx::PgPool;

use crate::db::integration_keys;
use integration_keys::KeyGrant;

pub const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// A key's hash, when it was looked up, and what it grants (`None`: no such live key).
type KeyEntries = HashMap<Vec<u8>, (Instant, Option<KeyGrant>)>;

/// Integration keys by hash, including "no such key", for a few seconds.
#[derive(Clone, Default)]
pub struct KeyCache {
    entries: Arc<Mutex<KeyEntries>>,
}

/// Past this many entries the cache starts over, so random keys cannot grow it without bound.
const KEY_CACHE_MAX: usize = 10_000;

impl KeyCache {
    pub async fn lookup(&self, pool: &PgPool, key: &str) -> Result<Option<KeyGrant>, sqlx::Error> {
        let hash = crate::auth::secrets::hash_secret(key);
        if let Ok(entries) = self.entries.lock()
            && let Some((at, grant)) = entries.get(&hash)
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(grant.clone());
        }
        let mut conn = pool.acquire().await?;
        let grant = integration_keys::live_key_by_hash(&mut conn, &hash).await?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= KEY_CACHE_MAX {
                entries.clear();
            }
            entries.insert(hash, (Instant::now(), grant.clone()));
        }
        Ok(grant)
    }

    /// Forgets every entry: this instance sees a revocation at once.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
