//! Database access: the pool, migrations, and one file per table family holding all of its SQL
//! (`incidents.rs` for incidents, their services and roles; `timeline.rs` for their timeline...).
//! Functions take an executor (`&mut PgConnection`, usually a transaction) so that callers compose
//! several writes and commit once.

pub mod alert_events;
pub mod alerts;
pub mod analytics;
pub mod api_tokens;
pub mod audit;
pub mod contact_methods;
pub mod escalations;
pub mod incidents;
pub mod integration_keys;
pub mod login_failures;
pub mod notifications;
pub mod policies;
pub mod postmortems;
pub mod rejected_events;
pub mod retros;
pub mod schedules;
pub mod services;
pub mod sessions;
pub mod status_page;
pub mod teams;
pub mod timeline;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use sqlx::{PgPool, postgres::PgPoolOptions};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// No statement runs longer than this: a runaway query (a search of every word in a million
/// incidents) gives its connection back instead of holding one of the pool's few for minutes.
pub const STATEMENT_TIMEOUT: &str = "30s";

/// A pool that connects on first use, so the server can answer `/healthz` and `/readyz` (503)
/// before the database is reachable. Every connection carries the statement timeout.
pub fn pool(url: &str) -> anyhow::Result<PgPool> {
    let options: sqlx::postgres::PgConnectOptions =
        url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let options = options.options([("statement_timeout", STATEMENT_TIMEOUT)]);
    Ok(PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options))
}

/// Applies pending migrations. sqlx holds a Postgres advisory lock while it migrates, so several
/// instances starting together apply each migration once and the others wait.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await.context("applying database migrations")
}

/// Where the database's schema stands against the migrations this binary knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    Unreachable,
    /// Migrations this binary knows are not applied yet.
    Behind,
    Current,
    /// A newer binary migrated it further than this one knows.
    Newer {
        applied: i64,
        known: i64,
    },
}

pub async fn schema_state(pool: &PgPool) -> SchemaState {
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success").fetch_one(pool).await;
    match applied {
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => SchemaState::Behind,
        Err(_) => SchemaState::Unreachable,
        Ok(None) => SchemaState::Behind,
        Ok(Some(v)) if v < known => SchemaState::Behind,
        Ok(Some(v)) if v > known => SchemaState::Newer { applied: v, known },
        Ok(Some(_)) => SchemaState::Current,
    }
}

/// Whether the database is reachable and every migration this binary knows is applied.
pub async fn migrations_applied(pool: &PgPool) -> bool {
    matches!(schema_state(pool).await, SchemaState::Current | SchemaState::Newer { .. })
}

/// What an advisory lock is for. Each purpose is its own key space (the first key of
/// PostgreSQL's two-key form), so locks of different purposes never collide, and none collides
/// with sqlx's migration lock (the one-key form, a separate space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum LockSpace {
    /// Creating the first user, demoting admins: changes to who administers.
    Users = 1,
    /// Login attempts on one account, which take turns.
    Login = 2,
    /// The alert processor: one instance applies events at a time.
    AlertProcessor = 3,
    /// One person's test pages, counted against their cap.
    TestPages = 4,
}

/// Takes a transaction-scoped advisory lock on `key` in its purpose's space: operations that
/// must not interleave across instances serialise on it.
pub async fn lock(conn: &mut sqlx::PgConnection, space: LockSpace, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"SELECT 1 AS "locked!" FROM pg_advisory_xact_lock($1::int4, hashtext($2))"#,
        space as i32,
        key
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}
