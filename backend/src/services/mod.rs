//! Business operations: each opens one transaction, checks what it must, writes the change and its
//! audit row, and commits once. Callers (server fns, HTTP handlers, the command line) authorise
//! before calling; the operations take the acting `Actor` for the audit log.

pub mod alerts;
pub mod analytics;
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
pub mod postmortems;
pub mod retros;
pub mod schedules;
pub mod status_page;
pub mod teams;
pub mod timeline;
pub mod tokens;
pub mod users;

/// A time zone read back from the database. The columns are written only from parsed zones, so
/// one that no longer parses is corruption: an internal error, never a silent UTC.
pub(crate) fn stored_zone(zone: &str) -> crate::Result<chrono_tz::Tz> {
    zone.parse()
        .map_err(|_| crate::Error::Internal(anyhow::anyhow!("stored time zone {zone:?} is not an IANA zone")))
}
