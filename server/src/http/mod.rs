//! Plain axum endpoints: the REST API, login and logout, health, metrics, and the middleware that
//! authenticates every request.

pub mod api;
pub mod auth;
pub mod error;
pub mod health;
pub mod live;
pub mod metrics;
pub mod session;
