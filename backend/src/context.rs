//! What every request handler and server fn needs from the server: the pool, the session keys,
//! the configuration, the clock, the integration key cache, the live hub and the status page. Cheap to clone;
//! holds nothing a second instance would miss (the key cache only remembers for seconds).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::{
    auth::{jwt::SessionKeys, key_cache::KeyCache, password::Hashers},
    config::Config,
    engine::Clock,
    live::Live,
    services::status_page::Snapshots,
};

#[derive(Clone)]
pub struct AppContext {
    pub pool: PgPool,
    pub keys: SessionKeys,
    pub config: Arc<Config>,
    /// The application's one clock (see `engine::clock`): never the wall clock in an edge.
    pub clock: Arc<dyn Clock>,
    /// Integration keys looked up by the intake; revoking one clears it.
    pub integration_keys: KeyCache,
    /// This instance's fan-out of incident changes heard from Postgres.
    pub live: Live,
    /// Turns at hashing a login's password, so a flood of logins cannot take every core.
    pub hashers: Hashers,
    /// The public status page as customers read it, rebuilt when it changes (a read model,
    /// rebuilt from PostgreSQL by every instance: nothing another instance would miss).
    pub status: Snapshots,
}

impl AppContext {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

impl std::fmt::Debug for AppContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppContext").field("config", &self.config).finish_non_exhaustive()
    }
}
