//! The public status page's vocabulary and its pure rules: component states and the page
//! indicator (Statuspage's enums and words, so existing clients read Tocsin unchanged), public
//! incident and maintenance statuses, impacts, and uptime per local day.
//!
//! Nothing here knows about internal incidents or people: the public side shows only what was
//! written for it.

pub mod feed;
pub mod page;
pub mod public;
pub mod statuspage;
pub mod uptime;

use crate::FieldError;

named_enum!(
    /// A component's state, in Statuspage's words.
    ComponentStatus, "status" {
        Operational => "operational",
        DegradedPerformance => "degraded_performance",
        PartialOutage => "partial_outage",
        MajorOutage => "major_outage",
        UnderMaintenance => "under_maintenance",
    }
);

impl ComponentStatus {
    /// How a customer reads it.
    pub fn label(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "Operational",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
            ComponentStatus::UnderMaintenance => "Under maintenance",
        }
    }

    /// How bad it is for customers: planned maintenance is better than any unplanned trouble
    /// and worse than none, so a group shows an outage over a maintenance.
    pub fn badness(self) -> u8 {
        match self {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => 1,
            ComponentStatus::DegradedPerformance => 2,
            ComponentStatus::PartialOutage => 3,
            ComponentStatus::MajorOutage => 4,
        }
    }

    /// The worse of two states.
    pub fn worst(self, other: ComponentStatus) -> ComponentStatus {
        if other.badness() > self.badness() { other } else { self }
    }
}

named_enum!(
    /// How much a public incident hurts customers (Statuspage's impact; `maintenance` is a
    /// scheduled maintenance's).
    Impact, "impact" {
        None => "none",
        Minor => "minor",
        Major => "major",
        Critical => "critical",
        Maintenance => "maintenance",
    }
);

named_enum!(
    /// A public incident's or a maintenance's status. Incidents move through the first five,
    /// maintenances through the last four.
    PublicStatus, "status" {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
        Postmortem => "postmortem",
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Verifying => "verifying",
        Completed => "completed",
    }
);

impl PublicStatus {
    pub const INCIDENT: &'static [PublicStatus] = &[
        PublicStatus::Investigating,
        PublicStatus::Identified,
        PublicStatus::Monitoring,
        PublicStatus::Resolved,
        PublicStatus::Postmortem,
    ];
    pub const MAINTENANCE: &'static [PublicStatus] = &[
        PublicStatus::Scheduled,
        PublicStatus::InProgress,
        PublicStatus::Verifying,
        PublicStatus::Completed,
    ];

    /// Over: nothing more is expected to happen to customers.
    pub fn is_closed(self) -> bool {
        matches!(self, PublicStatus::Resolved | PublicStatus::Postmortem | PublicStatus::Completed)
    }

    pub fn label(self) -> &'static str {
        match self {
            PublicStatus::Investigating => "Investigating",
            PublicStatus::Identified => "Identified",
            PublicStatus::Monitoring => "Monitoring",
            PublicStatus::Resolved => "Resolved",
            PublicStatus::Postmortem => "Postmortem",
            PublicStatus::Scheduled => "Scheduled",
            PublicStatus::InProgress => "In progress",
            PublicStatus::Verifying => "Verifying",
            PublicStatus::Completed => "Completed",
        }
    }

    /// Checks that `self` is a status for the kind of thing it is given to.
    pub fn for_kind(self, maintenance: bool) -> Result<PublicStatus, FieldError> {
        let allowed = if maintenance { PublicStatus::MAINTENANCE } else { PublicStatus::INCIDENT };
        if allowed.contains(&self) {
            Ok(self)
        } else {
            let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            let what = if maintenance { "a maintenance" } else { "an incident" };
            Err(FieldError::new(
                "status",
                format!("'{self}' is not a status of {what}; expected one of {}", names.join(", ")),
            ))
        }
    }
}

named_enum!(
    /// The whole page's state in one word, as Statuspage's `status.json` gives it.
    Indicator, "indicator" {
        None => "none",
        Minor => "minor",
        Major => "major",
        Critical => "critical",
        Maintenance => "maintenance",
    }
);

impl Indicator {
    /// Statuspage's words for it, which clients show verbatim.
    pub fn description(self) -> &'static str {
        match self {
            Indicator::None => "All Systems Operational",
            Indicator::Minor => "Minor Service Outage",
            Indicator::Major => "Partial System Outage",
            Indicator::Critical => "Major System Outage",
            Indicator::Maintenance => "Service Under Maintenance",
        }
    }
}

/// The page's indicator from what customers see: the worst component state and the worst impact
/// of the unresolved incidents. Trouble outranks maintenance; maintenance outranks nothing.
pub fn indicator(components: &[ComponentStatus], open_impacts: &[Impact]) -> Indicator {
    let from_component = |s: ComponentStatus| match s {
        ComponentStatus::Operational => Indicator::None,
        ComponentStatus::UnderMaintenance => Indicator::Maintenance,
        ComponentStatus::DegradedPerformance => Indicator::Minor,
        ComponentStatus::PartialOutage => Indicator::Major,
        ComponentStatus::MajorOutage => Indicator::Critical,
    };
    let from_impact = |i: Impact| match i {
        Impact::None => Indicator::None,
        Impact::Minor => Indicator::Minor,
        Impact::Major => Indicator::Major,
        Impact::Critical => Indicator::Critical,
        Impact::Maintenance => Indicator::Maintenance,
    };
    let rank = |i: Indicator| match i {
        Indicator::None => 0,
        Indicator::Maintenance => 1,
        Indicator::Minor => 2,
        Indicator::Major => 3,
        Indicator::Critical => 4,
    };
    components
        .iter()
        .copied()
        .map(from_component)
        .chain(open_impacts.iter().copied().map(from_impact))
        .max_by_key(|i| rank(*i))
        .unwrap_or(Indicator::None)
}

/// The impact a new public incident takes from the states it sets, when the communicator does
/// not choose one: the worst of them.
pub fn impact_of(states: &[ComponentStatus]) -> Impact {
    match states.iter().copied().fold(ComponentStatus::Operational, ComponentStatus::worst) {
        ComponentStatus::MajorOutage => Impact::Critical,
        ComponentStatus::PartialOutage => Impact::Major,
        ComponentStatus::DegradedPerformance => Impact::Minor,
        ComponentStatus::Operational | ComponentStatus::UnderMaintenance => Impact::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus as C;

    #[test]
    fn the_indicator_is_the_worst_of_components_and_open_incidents() {
        assert_eq!(indicator(&[], &[]), Indicator::None);
        assert_eq!(indicator(&[C::Operational, C::Operational], &[]), Indicator::None);
        assert_eq!(indicator(&[C::Operational, C::UnderMaintenance], &[]), Indicator::Maintenance);
        assert_eq!(indicator(&[C::UnderMaintenance, C::DegradedPerformance], &[]), Indicator::Minor);
        assert_eq!(indicator(&[C::PartialOutage, C::DegradedPerformance], &[]), Indicator::Major);
        assert_eq!(indicator(&[C::MajorOutage, C::UnderMaintenance], &[]), Indicator::Critical);
        // An incident with no component down still shows.
        assert_eq!(indicator(&[C::Operational], &[Impact::Major]), Indicator::Major);
        assert_eq!(indicator(&[C::UnderMaintenance], &[Impact::None]), Indicator::Maintenance);
        assert_eq!(Indicator::Critical.description(), "Major System Outage");
        assert_eq!(Indicator::None.description(), "All Systems Operational");
    }

    #[test]
    fn names_are_statuspages() {
        assert_eq!(serde_json::to_string(&C::DegradedPerformance).unwrap(), "\"degraded_performance\"");
        assert_eq!(serde_json::to_string(&PublicStatus::InProgress).unwrap(), "\"in_progress\"");
        assert_eq!("under_maintenance".parse::<C>(), Ok(C::UnderMaintenance));
        let err = "down".parse::<C>().unwrap_err();
        assert_eq!(err.field, "status");
        assert!(err.reason.contains("major_outage"), "{}", err.reason);
    }

    #[test]
    fn statuses_belong_to_incidents_or_maintenances() {
        assert!(PublicStatus::Identified.for_kind(false).is_ok());
        assert!(PublicStatus::InProgress.for_kind(true).is_ok());
        let err = PublicStatus::InProgress.for_kind(false).unwrap_err();
        assert!(err.reason.contains("investigating"), "{}", err.reason);
        assert!(PublicStatus::Resolved.for_kind(true).is_err());
        assert!(PublicStatus::Completed.is_closed() && !PublicStatus::Monitoring.is_closed());
    }

    #[test]
    fn an_outage_outranks_maintenance_and_sets_the_impact() {
        assert_eq!(C::UnderMaintenance.worst(C::DegradedPerformance), C::DegradedPerformance);
        assert_eq!(C::Operational.worst(C::UnderMaintenance), C::UnderMaintenance);
        assert_eq!(impact_of(&[C::DegradedPerformance, C::MajorOutage]), Impact::Critical);
        assert_eq!(impact_of(&[C::UnderMaintenance]), Impact::None);
        assert_eq!(impact_of(&[]), Impact::None);
    }
}
