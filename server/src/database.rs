//! Where the database comes from: `DATABASE_URL` if set, else the embedded cluster in the data
//! folder. Every command goes through here, so they all see the same database as `serve`.

use backend::config::Config;

pub use crate::embedded_pg::write_private;
use crate::embedded_pg::{EmbeddedPostgres, Mode};
use sqlx::PgPool;

pub struct Database {
    pub pool: PgPool,
    /// The URL the pool connects with, for the tools that need it (backups); it holds the
    /// password, so it is never printed. Empty for a pool made elsewhere.
    pub url: String,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    pub async fn open(config: &Config, mode: Mode) -> anyhow::Result<Database> {
        let (url, embedded) = match &config.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let pg = EmbeddedPostgres::start(&config.data_dir, mode).await?;
                (pg.url().to_owned(), Some(pg))
            }
        };
        Ok(Database { pool: backend::db::pool(&url)?, url, embedded })
    }

    /// A database someone else runs and connected already (tests, benchmarks).
    pub fn from_pool(pool: PgPool) -> Database {
        Database { pool, url: String::new(), embedded: None }
    }

    /// Closes the pool, then stops the embedded cluster if this process owns it.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(pg) = self.embedded
            && let Err(e) = pg.stop().await
        {
            tracing::warn!(error = %e, "the embedded PostgreSQL did not stop cleanly");
        }
    }
}
