//! The `tocsin` server: assembles the web app, the REST API and the operational endpoints into one
//! axum router, and runs it. Handlers live in `http/`, thin: authenticate, authorise, call the
//! backend, map the error.

pub mod backup;
pub mod cli;
pub mod database;
pub mod embedded_pg;
pub mod http;
pub mod startup;
pub mod status_export;

pub use startup::{AppState, build_router};
