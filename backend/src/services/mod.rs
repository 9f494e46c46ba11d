//! Business operations: each opens one transaction, checks what it must, writes the change and its
//! audit row, and commits once. Callers (server fns, HTTP handlers, the command line) authorise
//! before calling; the operations take the acting `Actor` for the audit log.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod catalog;
pub mod contact;
pub mod demo;
pub mod incidents;
pub mod integration_keys;
pub mod paging;
pub mod policies;
pub mod schedules;
pub mod teams;
pub mod timeline;
pub mod tokens;
pub mod users;
