//! Plain axum endpoints: the REST API, login and logout, the acknowledge link, alert intake,
//! health, metrics, live updates, and the middleware that authenticates every request.

pub mod ack;
pub mod api;
pub mod auth;
pub mod caller;
pub mod client_ip;
pub mod error;
pub mod health;
pub mod host;
pub mod ingest;
pub mod listed;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod path;
pub mod query;
pub mod session;
pub mod status;
pub mod status_pages;
