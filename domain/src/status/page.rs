//! The status page as Tocsin keeps it (views for the admin pages and the REST API) and what forms
//! and the API send to change it, parsed through one constructor each.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ComponentStatus, Impact, PublicStatus};
use crate::{FieldError, incident::IncidentNumber};

/// The longest update body: a status update is read on a phone in the middle of an outage.
pub const MAX_BODY: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageSettings {
    /// The page's id in Statuspage-shaped JSON.
    pub public_id: String,
    pub name: String,
    /// IANA zone: uptime days are days here.
    pub time_zone: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub support_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub banner: Option<String>,
    pub maintenance_counts: bool,
    pub partial_weight: f64,
    /// Hours before a maintenance's window its subscribers are reminded; 0: never.
    pub reminder_hours: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupView {
    pub id: Uuid,
    pub name: String,
    pub position: i32,
    pub collapsed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentView {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub group_id: Option<Uuid>,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub only_show_if_degraded: bool,
    pub status: ComponentStatus,
    /// The services it stands for (slugs).
    pub services: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A state one update set on one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AffectedComponent {
    pub component_id: Uuid,
    pub name: String,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateView {
    pub id: Uuid,
    pub public_id: String,
    pub status: PublicStatus,
    /// Markdown as written.
    pub body: String,
    /// The body rendered and sanitised.
    pub body_html: String,
    pub display_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub affected: Vec<AffectedComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicIncidentView {
    pub id: Uuid,
    /// The id in public URLs and JSON.
    pub public_id: String,
    pub maintenance: bool,
    pub name: String,
    pub status: PublicStatus,
    pub impact: Impact,
    /// The internal incident it tells customers about: for responders, never published.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub incident: Option<IncidentNumber>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub scheduled_for: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub scheduled_until: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub monitoring_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub components: Vec<Uuid>,
    /// Oldest first.
    pub updates: Vec<UpdateView>,
}

/// A subscriber as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriberView {
    pub id: Uuid,
    /// `email` or `webhook`.
    pub kind: String,
    pub address: String,
    /// Empty: every component.
    pub components: Vec<Uuid>,
    /// The public incident (its public id) it follows alone, if it follows one.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub incident: Option<String>,
    pub confirmed: bool,
    pub created_at: DateTime<Utc>,
}

/// A message to a status page subscriber, as the admin delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriberMessageView {
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    pub to: String,
    /// `confirm`, `update` or `reminder`.
    pub kind: String,
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub error: Option<String>,
    pub due_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub sent_at: Option<DateTime<Utc>>,
}

/// What the incident page's "Update status page" form starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPageForm {
    /// Every component, in page order.
    pub components: Vec<ComponentView>,
    /// The components of the incident's services: affected unless the communicator says not.
    pub preselected: Vec<Uuid>,
    /// The public incident already telling customers about it: the form posts an update to it.
    pub existing: Option<PublicIncidentView>,
}

/// The page's settings as the admin form and the API send them; fields left out keep their value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsInput {
    pub name: Option<String>,
    /// IANA zone, e.g. Europe/London.
    pub time_zone: Option<String>,
    /// An http(s) address, or empty for none.
    pub support_url: Option<String>,
    /// A line shown above everything, or empty for none.
    pub banner: Option<String>,
    pub maintenance_counts: Option<bool>,
    /// The share of a partial outage that counts as down, 0 to 1.
    pub partial_weight: Option<f64>,
    /// Hours before a maintenance that subscribers are reminded of it, 0 (never) to 168.
    pub reminder_hours: Option<i32>,
}

impl SettingsInput {
    /// The settings `current` becomes.
    pub fn apply(&self, current: &PageSettings) -> Result<PageSettings, FieldError> {
        let mut next = current.clone();
        if let Some(n) = &self.name {
            next.name = name("name", n, 100)?;
        }
        if let Some(z) = &self.time_zone {
            next.time_zone = crate::TimeZoneName::parse(z)?.as_str().to_owned();
        }
        if let Some(u) = &self.support_url {
            next.support_url = match u.trim() {
                "" => None,
                url => {
                    let link = crate::incident::LinkInput { url: url.to_owned(), label: String::new() };
                    Some(link.parse().map_err(|e| e.in_field("support_url"))?.url)
                }
            };
        }
        if let Some(b) = &self.banner {
            next.banner = match b.trim() {
                "" => None,
                text => Some(name("banner", text, 300)?),
            };
        }
        if let Some(m) = self.maintenance_counts {
            next.maintenance_counts = m;
        }
        if let Some(w) = self.partial_weight {
            if !(0.0..=1.0).contains(&w) {
                return Err(FieldError::new("partial_weight", "must be between 0 and 1"));
            }
            next.partial_weight = w;
        }
        if let Some(h) = self.reminder_hours {
            if !(0..=168).contains(&h) {
                return Err(FieldError::new(
                    "reminder_hours",
                    "must be between 0 (no reminder) and 168 (a week)",
                ));
            }
            next.reminder_hours = h;
        }
        Ok(next)
    }
}

/// A component as the admin form and the API send it; fields left out keep their value (or take
/// the default when creating).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentInput {
    pub name: Option<String>,
    pub description: Option<String>,
    /// A group id, or null for none.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub group_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
    pub only_show_if_degraded: Option<bool>,
    /// Service slugs the component stands for.
    pub services: Option<Vec<String>>,
    /// A state to set by hand (logged like any other).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ComponentStatus>))]
    pub status: Option<String>,
}

/// Tells a field given as null (Some(None)) from one left out (None).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// A checked component change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub group_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
    pub only_show_if_degraded: Option<bool>,
    pub services: Option<Vec<String>>,
    pub status: Option<ComponentStatus>,
}

fn name(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let t = value.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(FieldError::new(field, format!("must be 1 to {max} characters on one line")));
    }
    Ok(t.to_owned())
}

fn no_nul(field: &str, value: &str) -> Result<(), FieldError> {
    if value.contains('\0') {
        return Err(FieldError::new(field, "must not contain U+0000 (a NUL character)"));
    }
    Ok(())
}

impl ComponentInput {
    /// `creating`: a name is required.
    pub fn parse(&self, creating: bool) -> Result<ComponentChange, FieldError> {
        let name = match (&self.name, creating) {
            (Some(n), _) => Some(name("name", n, 100)?),
            (None, true) => return Err(FieldError::new("name", "is required")),
            (None, false) => None,
        };
        let description = match &self.description {
            Some(d) if d.chars().count() > 500 => {
                return Err(FieldError::new("description", "must be at most 500 characters"));
            }
            Some(d) => {
                no_nul("description", d)?;
                Some(d.trim().to_owned())
            }
            None => None,
        };
        if let Some(p) = self.position
            && !(0..=10_000).contains(&p)
        {
            return Err(FieldError::new("position", "must be between 0 and 10000"));
        }
        let services = match &self.services {
            Some(slugs) => Some(
                slugs
                    .iter()
                    .map(|s| {
                        crate::team::Slug::parse(s).map(String::from).map_err(|e| e.in_field("services"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        let status = self.status.as_deref().map(str::parse::<ComponentStatus>).transpose()?;
        Ok(ComponentChange {
            name,
            description,
            group_id: self.group_id,
            position: self.position,
            only_show_if_degraded: self.only_show_if_degraded,
            services,
            status,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupInput {
    pub name: Option<String>,
    pub position: Option<i32>,
    pub collapsed: Option<bool>,
}

impl GroupInput {
    pub fn parse(&self, creating: bool) -> Result<GroupInput, FieldError> {
        let name = match (&self.name, creating) {
            (Some(n), _) => Some(name("name", n, 100)?),
            (None, true) => return Err(FieldError::new("name", "is required")),
            (None, false) => None,
        };
        if let Some(p) = self.position
            && !(0..=10_000).contains(&p)
        {
            return Err(FieldError::new("position", "must be between 0 and 10000"));
        }
        Ok(GroupInput { name, position: self.position, collapsed: self.collapsed })
    }
}

/// A new public incident: its first update says what is known and sets the components' states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPublicIncidentInput {
    pub name: String,
    /// Default `investigating`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<PublicStatus>))]
    pub status: Option<String>,
    /// Default: from the worst state it sets.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Impact>))]
    pub impact: Option<String>,
    /// Markdown.
    pub body: String,
    /// Component id to the state this update sets.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<Uuid, ComponentStatus>))]
    pub components: BTreeMap<Uuid, String>,
    /// The internal incident it tells customers about, e.g. `INC-42`.
    pub incident: Option<String>,
}

/// A later update to a public incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateInput {
    #[cfg_attr(feature = "openapi", schema(value_type = PublicStatus))]
    pub status: String,
    /// Markdown.
    pub body: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<Uuid, ComponentStatus>))]
    pub components: BTreeMap<Uuid, String>,
}

/// A checked update: status, body and the states it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUpdate {
    pub status: PublicStatus,
    pub body: String,
    pub components: BTreeMap<Uuid, ComponentStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublicIncident {
    pub name: String,
    pub impact: Impact,
    pub update: ParsedUpdate,
    pub incident: Option<IncidentNumber>,
}

fn body(value: &str) -> Result<String, FieldError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(FieldError::new("body", "is required: tell customers what is happening"));
    }
    if t.chars().count() > MAX_BODY {
        return Err(FieldError::new("body", format!("must be at most {MAX_BODY} characters")));
    }
    no_nul("body", t)?;
    Ok(t.to_owned())
}

fn states(components: &BTreeMap<Uuid, String>) -> Result<BTreeMap<Uuid, ComponentStatus>, FieldError> {
    components
        .iter()
        .map(|(id, s)| {
            s.parse::<ComponentStatus>().map(|s| (*id, s)).map_err(|e| e.in_field(format!("components.{id}")))
        })
        .collect()
}

impl UpdateInput {
    /// Whether the status fits what it updates (an incident or a maintenance, each with its own
    /// statuses) is checked against that: `PublicStatus::for_kind`.
    pub fn parse(&self) -> Result<ParsedUpdate, FieldError> {
        let status = self.status.parse::<PublicStatus>()?;
        Ok(ParsedUpdate { status, body: body(&self.body)?, components: states(&self.components)? })
    }
}

impl NewPublicIncidentInput {
    pub fn parse(&self) -> Result<NewPublicIncident, FieldError> {
        let name = name("name", &self.name, 200)?;
        let status = match &self.status {
            Some(s) => s.parse::<PublicStatus>()?.for_kind(false)?,
            None => PublicStatus::Investigating,
        };
        let components = states(&self.components)?;
        let impact = match &self.impact {
            Some(i) => i.parse()?,
            None => super::impact_of(&components.values().copied().collect::<Vec<_>>()),
        };
        let incident = match self.incident.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(n.parse::<IncidentNumber>().map_err(|e| e.in_field("incident"))?),
        };
        Ok(NewPublicIncident {
            name,
            impact,
            update: ParsedUpdate { status, body: body(&self.body)?, components },
            incident,
        })
    }
}

/// A maintenance to schedule: the window customers are told about, and the components it takes
/// down (they show `under_maintenance` while it is in progress).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceInput {
    pub name: String,
    /// Markdown: what will happen and what customers will notice.
    pub body: String,
    /// RFC 3339.
    pub scheduled_for: String,
    /// RFC 3339, after `scheduled_for`.
    pub scheduled_until: String,
    #[serde(default)]
    pub components: Vec<Uuid>,
    /// Start by itself at `scheduled_for` (default true).
    pub auto_start: Option<bool>,
    /// Complete by itself at `scheduled_until` (default true).
    pub auto_complete: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMaintenance {
    pub name: String,
    pub body: String,
    pub scheduled_for: DateTime<Utc>,
    pub scheduled_until: DateTime<Utc>,
    pub components: Vec<Uuid>,
    pub auto_start: bool,
    pub auto_complete: bool,
}

impl MaintenanceInput {
    pub fn parse(&self) -> Result<NewMaintenance, FieldError> {
        let from = crate::schedule::input::parse_instant("scheduled_for", &self.scheduled_for)?;
        let until = crate::schedule::input::parse_instant("scheduled_until", &self.scheduled_until)?;
        if until <= from {
            return Err(FieldError::new("scheduled_until", "must be after scheduled_for"));
        }
        if until - from > chrono::Duration::days(30) {
            return Err(FieldError::new("scheduled_until", "a maintenance lasts at most 30 days"));
        }
        let mut components = self.components.clone();
        components.sort();
        components.dedup();
        Ok(NewMaintenance {
            name: name("name", &self.name, 200)?,
            body: body(&self.body)?,
            scheduled_for: from,
            scheduled_until: until,
            components,
            auto_start: self.auto_start.unwrap_or(true),
            auto_complete: self.auto_complete.unwrap_or(true),
        })
    }
}

/// A change to a maintenance; fields left out keep their value. Before it starts anything may
/// change; once it runs only its name, its end and whether it completes by itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceChange {
    pub name: Option<String>,
    /// RFC 3339.
    pub scheduled_for: Option<String>,
    /// RFC 3339.
    pub scheduled_until: Option<String>,
    pub components: Option<Vec<Uuid>>,
    pub auto_start: Option<bool>,
    pub auto_complete: Option<bool>,
}

impl MaintenanceChange {
    /// What `current` becomes; `started` once its window has begun.
    pub fn apply(&self, current: &NewMaintenance, started: bool) -> Result<NewMaintenance, FieldError> {
        let mut next = current.clone();
        let before_start = |field: &str| {
            if started {
                Err(FieldError::new(field, "cannot change once the maintenance has started"))
            } else {
                Ok(())
            }
        };
        if let Some(n) = &self.name {
            next.name = name("name", n, 200)?;
        }
        if let Some(f) = &self.scheduled_for {
            before_start("scheduled_for")?;
            next.scheduled_for = crate::schedule::input::parse_instant("scheduled_for", f)?;
        }
        if let Some(u) = &self.scheduled_until {
            next.scheduled_until = crate::schedule::input::parse_instant("scheduled_until", u)?;
        }
        if let Some(c) = &self.components {
            before_start("components")?;
            let mut c = c.clone();
            c.sort();
            c.dedup();
            next.components = c;
        }
        if let Some(a) = self.auto_start {
            before_start("auto_start")?;
            next.auto_start = a;
        }
        if let Some(a) = self.auto_complete {
            next.auto_complete = a;
        }
        if next.scheduled_until <= next.scheduled_for {
            return Err(FieldError::new("scheduled_until", "must be after scheduled_for"));
        }
        if next.scheduled_until - next.scheduled_for > chrono::Duration::days(30) {
            return Err(FieldError::new("scheduled_until", "a maintenance lasts at most 30 days"));
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maintenance_changes_freely_before_it_starts_and_only_its_end_after() {
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let current = NewMaintenance {
            name: "Upgrade".into(),
            body: "Read-only.".into(),
            scheduled_for: t("2026-12-10T02:00:00Z"),
            scheduled_until: t("2026-12-10T03:00:00Z"),
            components: vec![],
            auto_start: true,
            auto_complete: true,
        };
        let later = MaintenanceChange {
            scheduled_for: Some("2026-12-11T02:00:00Z".into()),
            scheduled_until: Some("2026-12-11T04:00:00Z".into()),
            ..Default::default()
        };
        let moved = later.apply(&current, false).unwrap();
        assert_eq!(
            (moved.scheduled_for, moved.scheduled_until),
            (t("2026-12-11T02:00:00Z"), t("2026-12-11T04:00:00Z"))
        );
        assert_eq!(later.apply(&current, true).unwrap_err().field, "scheduled_for");
        let longer =
            MaintenanceChange { scheduled_until: Some("2026-12-10T05:00:00Z".into()), ..Default::default() };
        assert_eq!(longer.apply(&current, true).unwrap().scheduled_until, t("2026-12-10T05:00:00Z"));
        let backwards =
            MaintenanceChange { scheduled_until: Some("2026-12-10T01:00:00Z".into()), ..Default::default() };
        assert_eq!(backwards.apply(&current, false).unwrap_err().field, "scheduled_until");
    }

    #[test]
    fn a_new_public_incident_takes_its_impact_from_the_worst_state_it_sets() {
        let id = Uuid::nil();
        let input = NewPublicIncidentInput {
            name: " Checkout errors ".into(),
            body: "We are looking into failed payments.".into(),
            components: BTreeMap::from([(id, "partial_outage".into())]),
            incident: Some("INC-7".into()),
            ..Default::default()
        };
        let parsed = input.parse().unwrap();
        assert_eq!(parsed.name, "Checkout errors");
        assert_eq!(parsed.impact, Impact::Major);
        assert_eq!(parsed.update.status, PublicStatus::Investigating);
        assert_eq!(parsed.incident, Some("7".parse().unwrap()));
    }

    #[test]
    fn a_maintenance_window_runs_forward() {
        let m = MaintenanceInput {
            name: "Database upgrade".into(),
            body: "The API will be read-only.".into(),
            scheduled_for: "2026-12-10T02:00:00Z".into(),
            scheduled_until: "2026-12-10T01:00:00Z".into(),
            ..Default::default()
        };
        assert_eq!(m.parse().unwrap_err().field, "scheduled_until");
        let ok = MaintenanceInput { scheduled_until: "2026-12-10T04:00:00+01:00".into(), ..m };
        let parsed = ok.parse().unwrap();
        assert_eq!((parsed.scheduled_until - parsed.scheduled_for).num_hours(), 1);
        assert!(parsed.auto_start && parsed.auto_complete);
    }

    #[test]
    fn bad_input_names_its_field() {
        let bad_state = NewPublicIncidentInput {
            name: "x".into(),
            body: "y".into(),
            components: BTreeMap::from([(Uuid::nil(), "down".into())]),
            ..Default::default()
        };
        assert_eq!(bad_state.parse().unwrap_err().field, format!("components.{}", Uuid::nil()));
        let no_body = NewPublicIncidentInput { name: "x".into(), body: "  ".into(), ..Default::default() };
        assert_eq!(no_body.parse().unwrap_err().field, "body");
        let maintenance_status = NewPublicIncidentInput {
            name: "x".into(),
            body: "y".into(),
            status: Some("in_progress".into()),
            ..Default::default()
        };
        assert_eq!(maintenance_status.parse().unwrap_err().field, "status");
        let update = UpdateInput { status: "resolved".into(), body: "Fixed.".into(), ..Default::default() };
        assert_eq!(update.parse().unwrap().status, PublicStatus::Resolved);
        let bad = UpdateInput { status: "fixed".into(), body: "Fixed.".into(), ..Default::default() };
        assert_eq!(bad.parse().unwrap_err().field, "status");
        assert_eq!(ComponentInput::default().parse(true).unwrap_err().field, "name");
        let services = ComponentInput {
            name: Some("API".into()),
            services: Some(vec!["Not A Slug".into()]),
            ..Default::default()
        };
        assert_eq!(services.parse(true).unwrap_err().field, "services");
    }
}
