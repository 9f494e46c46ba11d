//! The service catalogue: the monitored services (Core API, Billing), each owned by a team,
//! routed to an escalation policy, and turning alerts into incidents by its ingestion settings.

use domain::alert::IngestionSettings;

use crate::db::alerts::ServiceIngestion;

/// A service's stored ingestion settings; unreadable ones (written by a newer version, or by
/// hand) fall back to the defaults with a warning rather than stop its alerts.
pub fn settings_of(row: &ServiceIngestion) -> IngestionSettings {
    IngestionSettings::parse(&row.ingestion).unwrap_or_else(|e| {
        tracing::warn!(service = %row.slug, error = %e, "stored ingestion settings are invalid; using defaults");
        IngestionSettings::default()
    })
}
