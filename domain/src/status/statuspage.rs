//! The page in Atlassian Statuspage's public JSON (`/api/v2/*.json`): its exact field names and
//! enum values, so status aggregators and existing clients read Tocsin unchanged. Built from the
//! views in `page.rs`; nothing internal (incident numbers, people) has a field here to leak into.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{
    ComponentStatus, Impact, Indicator, PublicStatus,
    page::{ComponentView, GroupView, PageSettings, PublicIncidentView, UpdateView},
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub id: String,
    pub name: String,
    pub url: String,
    pub time_zone: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub indicator: Indicator,
    pub description: &'static str,
}

/// A component, or a group (`group: true`, with its members' ids in `components`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub id: Uuid,
    pub name: String,
    pub status: ComponentStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub position: i32,
    pub description: Option<String>,
    pub showcase: bool,
    pub start_date: Option<String>,
    pub group_id: Option<Uuid>,
    pub page_id: String,
    pub group: bool,
    pub only_show_if_degraded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AffectedComponent {
    pub code: Uuid,
    pub name: String,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentUpdate {
    pub id: String,
    pub status: PublicStatus,
    pub body: String,
    pub incident_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub display_at: DateTime<Utc>,
    /// Null when the update set no component state, as Statuspage writes it.
    pub affected_components: Option<Vec<AffectedComponent>>,
    pub deliver_notifications: bool,
    pub custom_tweet: Option<String>,
    pub tweet_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: String,
    pub name: String,
    pub status: PublicStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub monitoring_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub impact: Impact,
    pub shortlink: String,
    pub started_at: DateTime<Utc>,
    pub page_id: String,
    /// Newest first, as Statuspage lists them.
    pub incident_updates: Vec<IncidentUpdate>,
    pub components: Vec<Component>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<Option<DateTime<Utc>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_until: Option<Option<DateTime<Utc>>>,
}

/// `/api/v2/summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub page: Page,
    pub components: Vec<Component>,
    pub incidents: Vec<Incident>,
    pub scheduled_maintenances: Vec<Incident>,
    pub status: Status,
}

/// Everything the public JSON is made from, read once per snapshot.
pub struct Source<'a> {
    pub settings: &'a PageSettings,
    /// Where the page is published, e.g. `https://tocsin.example.com/status`.
    pub url: &'a str,
    pub groups: &'a [GroupView],
    pub components: &'a [ComponentView],
    /// Newest first.
    pub incidents: &'a [PublicIncidentView],
    pub now: DateTime<Utc>,
}

impl Source<'_> {
    pub fn page(&self) -> Page {
        Page {
            id: self.settings.public_id.clone(),
            name: self.settings.name.clone(),
            url: self.url.to_owned(),
            time_zone: self.settings.time_zone.clone(),
            updated_at: self.updated_at(),
        }
    }

    /// The latest change anywhere on the page.
    pub fn updated_at(&self) -> DateTime<Utc> {
        std::iter::once(self.settings.updated_at)
            .chain(self.components.iter().map(|c| c.updated_at))
            .chain(self.groups.iter().map(|g| g.updated_at))
            .chain(self.incidents.iter().map(|i| i.updated_at))
            .max()
            .unwrap_or(self.settings.updated_at)
    }

    fn component(&self, c: &ComponentView) -> Component {
        Component {
            id: c.id,
            name: c.name.clone(),
            status: c.status,
            created_at: c.created_at,
            updated_at: c.updated_at,
            position: c.position,
            description: (!c.description.is_empty()).then(|| c.description.clone()),
            showcase: true,
            start_date: Some(c.created_at.date_naive().to_string()),
            group_id: c.group_id,
            page_id: self.settings.public_id.clone(),
            group: false,
            only_show_if_degraded: c.only_show_if_degraded,
            components: None,
        }
    }

    /// Components and groups in page order: each group (its state the worst of its members')
    /// followed by nothing else of its own; members carry `group_id`.
    pub fn components(&self) -> Vec<Component> {
        let mut out: Vec<Component> = Vec::new();
        for g in self.groups {
            let members: Vec<&ComponentView> =
                self.components.iter().filter(|c| c.group_id == Some(g.id)).collect();
            out.push(Component {
                id: g.id,
                name: g.name.clone(),
                status: members
                    .iter()
                    .map(|c| c.status)
                    .fold(ComponentStatus::Operational, ComponentStatus::worst),
                created_at: g.created_at,
                updated_at: g.updated_at,
                position: g.position,
                description: None,
                showcase: false,
                start_date: None,
                group_id: None,
                page_id: self.settings.public_id.clone(),
                group: true,
                only_show_if_degraded: false,
                components: Some(members.iter().map(|c| c.id).collect()),
            });
        }
        out.extend(self.components.iter().map(|c| self.component(c)));
        out.sort_by_key(|c| (c.group_id.is_some(), c.position));
        out
    }

    pub fn status(&self) -> Status {
        let states: Vec<ComponentStatus> = self.components.iter().map(|c| c.status).collect();
        let impacts: Vec<Impact> = self
            .incidents
            .iter()
            .filter(|i| !i.maintenance && !i.status.is_closed())
            .map(|i| i.impact)
            .collect();
        let indicator = super::indicator(&states, &impacts);
        Status { indicator, description: indicator.description() }
    }

    fn update(&self, incident: &PublicIncidentView, u: &UpdateView) -> IncidentUpdate {
        IncidentUpdate {
            id: u.public_id.clone(),
            status: u.status,
            body: u.body.clone(),
            incident_id: incident.public_id.clone(),
            created_at: u.created_at,
            updated_at: u.created_at,
            display_at: u.display_at,
            affected_components: (!u.affected.is_empty()).then(|| {
                u.affected
                    .iter()
                    .map(|a| AffectedComponent {
                        code: a.component_id,
                        name: a.name.clone(),
                        old_status: a.old_status,
                        new_status: a.new_status,
                    })
                    .collect()
            }),
            deliver_notifications: true,
            custom_tweet: None,
            tweet_id: None,
        }
    }

    pub fn incident(&self, i: &PublicIncidentView) -> Incident {
        let base = self.url.trim_end_matches('/');
        Incident {
            id: i.public_id.clone(),
            name: i.name.clone(),
            status: i.status,
            created_at: i.created_at,
            updated_at: i.updated_at,
            monitoring_at: i.monitoring_at,
            resolved_at: i.resolved_at,
            impact: i.impact,
            shortlink: format!("{base}/incidents/{}", i.public_id),
            started_at: i.started_at,
            page_id: self.settings.public_id.clone(),
            incident_updates: i.updates.iter().rev().map(|u| self.update(i, u)).collect(),
            components: self
                .components
                .iter()
                .filter(|c| i.components.contains(&c.id))
                .map(|c| self.component(c))
                .collect(),
            scheduled_for: i.maintenance.then_some(i.scheduled_for),
            scheduled_until: i.maintenance.then_some(i.scheduled_until),
        }
    }

    /// Incidents (not maintenances), newest first.
    pub fn incidents(&self, unresolved_only: bool) -> Vec<Incident> {
        self.incidents
            .iter()
            .filter(|i| !i.maintenance && (!unresolved_only || !i.status.is_closed()))
            .map(|i| self.incident(i))
            .collect()
    }

    /// Maintenances; `which` picks upcoming (`scheduled`), active (`in_progress`, `verifying`)
    /// or all of them.
    pub fn maintenances(&self, which: Maintenances) -> Vec<Incident> {
        self.incidents
            .iter()
            .filter(|i| i.maintenance)
            .filter(|i| match which {
                Maintenances::All => true,
                Maintenances::Upcoming => i.status == PublicStatus::Scheduled,
                Maintenances::Active => {
                    matches!(i.status, PublicStatus::InProgress | PublicStatus::Verifying)
                }
                Maintenances::Open => !i.status.is_closed(),
            })
            .map(|i| self.incident(i))
            .collect()
    }

    pub fn summary(&self) -> Summary {
        Summary {
            page: self.page(),
            components: self.components(),
            incidents: self.incidents(true),
            scheduled_maintenances: self.maintenances(Maintenances::Open),
            status: self.status(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maintenances {
    All,
    Upcoming,
    Active,
    /// Upcoming or active: what `summary.json` lists.
    Open,
}
