//! The integration tests that talk to the real server over HTTP, one module per area, in one
//! binary: each test binary links the whole application, and one link is far cheaper than a
//! dozen on a two-core machine. The tests that drive the `tocsin` executable itself live apart
//! (`cli.rs`, `first_run.rs`).

#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

#[path = "../common/mod.rs"]
mod common;

mod alertmanager;
mod alerts;
mod analytics;
mod auth;
mod embedded_pg;
mod incident_work;
mod incidents;
mod pages_and_ops;
mod paging;
mod postmortems;
mod receiver;
mod retros;
mod route_walker;
mod schedules;
mod status_page;
mod teams;
mod users;
