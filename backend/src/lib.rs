//! Tocsin's server-side library: everything the web app, the HTTP API and the command line share,
//! and the engine that works in the background.
//!
//! The layers, and the one rule between them:
//!
//! ```text
//! engine -> services -> {db, notify, auth, live} -> domain      (never back)
//! ```
//!
//! - `engine/`: the background jobs (alerts, escalation, delivery, handoffs, cleanup) and the clock.
//! - `services/`: one file per concept; each operation is one transaction with its audit row.
//!   Services take the time as a parameter; only the engine and the edges hold the clock.
//! - `db/`: one file per table family holding all of its SQL.
//! - `notify/`: the channels a page goes out by (email, webhook, Slack) and their messages.
//! - `auth/`: passwords, sessions, minted secrets and the integration key cache.
//! - `ingest/`: request-time alert intake (group-commit writer, rate limiter), used by the edges.
//!
//! `scripts/lint.sh` fails the build when a layer reaches up. It must never be compiled into the
//! browser bundle, and it must not hold state that a second server instance would miss:
//! PostgreSQL is the one store.

pub mod actor;
pub mod auth;
pub mod config;
pub mod context;
pub mod db;
pub mod engine;
pub mod error;
pub mod ical;
pub mod ingest;
pub mod live;
pub mod markdown;
pub mod notify;
pub mod services;
pub mod telemetry;

pub use context::AppContext;
pub use error::{Error, Result};
