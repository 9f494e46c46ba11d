//! Tocsin's server-side library: configuration, the embedded PostgreSQL cluster, database access
//! (`db/<concept>.rs`, all SQL of one concept in one file), authentication, and the business
//! operations (`services/<concept>.rs`) that the web app, the HTTP API and the command line share.
//!
//! It must never be compiled into the browser bundle, and it must not hold state that a second
//! server instance would miss: PostgreSQL is the one store.

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
