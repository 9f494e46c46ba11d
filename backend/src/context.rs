//! What every request handler and server fn needs from the server: the pool, the session keys,
//! the configuration and the clock. Cheap to clone; holds nothing a second instance would miss.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::{auth::jwt::SessionKeys, config::Config, engine::Clock};

#[derive(Clone)]
pub struct AppContext {
    pub pool: PgPool,
    pub keys: SessionKeys,
    pub config: Arc<Config>,
    /// The application's one clock (see `engine::clock`): never the wall clock in an edge.
    pub clock: Arc<dyn Clock>,
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
