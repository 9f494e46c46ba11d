//! A monitored service as its page and `GET /api/v1/services/{slug}` show it: who owns it, how
//! its alerts become incidents, and the escalation policy its incidents page through. One type
//! for both edges, read by one backend operation.

use serde::{Deserialize, Serialize};

use crate::{alert::IngestionSettings, team::ServiceView};

uuid_id!(ServiceId, "service_id");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceDetail {
    #[serde(flatten)]
    pub service: ServiceView,
    pub ingestion: IngestionSettings,
    /// The escalation policy new incidents of this service page through.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub escalation_policy: Option<PolicyRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyRef {
    pub id: crate::escalation::PolicyId,
    pub name: String,
}
