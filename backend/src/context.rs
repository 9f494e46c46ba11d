//! What every request handler and server fn needs from the server: the pool, the session keys and
//! the configuration. Cheap to clone; holds nothing a second instance would miss.

use std::sync::Arc;

use sqlx::PgPool;

use crate::{auth::jwt::SessionKeys, config::Config};

#[derive(Clone, Debug)]
pub struct AppContext {
    pub pool: PgPool,
    pub keys: SessionKeys,
    pub config: Arc<Config>,
}
