//! Plain axum endpoints: the REST API, login and logout, health, metrics, and the middleware that
//! authenticates every request.

pub mod alerts_api;
pub mod api;
pub mod auth;
pub mod error;
pub mod health;
pub mod ingest;
pub mod live;
pub mod metrics;
pub mod paging_api;
pub mod schedules_api;
pub mod session;
