//! Server functions, one module per concept: authenticate and authorise, parse the input, call the
//! backend service, map its error. Each is a public endpoint and is written as one.

pub mod alerts;
pub mod audit;
pub mod incidents;
pub mod paging;
pub mod schedules;
pub mod teams;
pub mod tokens;
pub mod users;
