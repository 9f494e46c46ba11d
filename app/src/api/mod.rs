//! Server functions, one module per backend service and named after it (`api/incidents.rs`
//! calls `services::incidents`), mirroring the REST handlers in `server/src/http/api/`. Each
//! authenticates and authorises, parses the input, calls the backend service, maps its error.
//! Each is a public endpoint and is written as one.

pub mod alerts;
pub mod analytics;
pub mod audit;
pub mod catalog;
pub mod contact;
pub mod incidents;
pub mod integration_keys;
pub mod paging;
pub mod policies;
pub mod postmortems;
pub mod retros;
pub mod schedules;
pub mod status_page;
pub mod teams;
pub mod timeline;
pub mod tokens;
pub mod users;
