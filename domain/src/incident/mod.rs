//! Incidents: severity, the status machine, responder roles, the human number and the kinds of
//! timeline event. Pure rules, shared by the API, the server fns and the browser.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{FieldError, UserId};

mod edit;
mod query;

pub use edit::*;
pub use query::*;

/// How bad it is. SEV1 is the worst; the derived order sorts SEV1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    #[serde(rename = "SEV1")]
    Sev1,
    #[serde(rename = "SEV2")]
    Sev2,
    #[serde(rename = "SEV3")]
    Sev3,
    #[serde(rename = "SEV4")]
    Sev4,
    #[serde(rename = "SEV5")]
    Sev5,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Sev1, Severity::Sev2, Severity::Sev3, Severity::Sev4, Severity::Sev5];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
            Severity::Sev5 => "SEV5",
        }
    }

    /// The definition shown wherever a severity is picked.
    pub fn definition(self) -> &'static str {
        match self {
            Severity::Sev1 => "Unavailable: most users affected",
            Severity::Sev2 => "Significant problems: many users affected",
            Severity::Sev3 => "Performance problems: some users affected",
            Severity::Sev4 => "Performance problems: no users affected",
            Severity::Sev5 => "Low-level annoyance: no users affected",
        }
    }

    /// 1 for SEV1 .. 5 for SEV5, as stored.
    pub fn level(self) -> i16 {
        match self {
            Severity::Sev1 => 1,
            Severity::Sev2 => 2,
            Severity::Sev3 => 3,
            Severity::Sev4 => 4,
            Severity::Sev5 => 5,
        }
    }

    pub fn from_level(level: i16) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.level() == level)
    }

    /// Major incidents get a postmortem by default.
    pub fn needs_postmortem(self) -> bool {
        self <= Severity::Sev2
    }
}

string_schema!(
    Severity,
    crate::openapi::names(Severity::ALL.map(Severity::as_str))
        .description(Some("How bad an incident is, from SEV1 (worst: most users affected) to SEV5."))
);

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = FieldError;
    /// Accepts `SEV2`, `sev2` or `2`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t
            .strip_prefix("SEV")
            .or_else(|| t.strip_prefix("sev"))
            .or_else(|| t.strip_prefix("Sev"))
            .unwrap_or(t);
        digits.parse::<i16>().ok().and_then(Severity::from_level).ok_or_else(|| {
            FieldError::new("severity", format!("'{t}' is not a severity; expected SEV1 (worst) to SEV5"))
        })
    }
}

// Stored as its level (1-5, a smallint); a level outside SEV1-SEV5 fails the read.
#[cfg(feature = "sqlx")]
impl sqlx::Type<sqlx::Postgres> for Severity {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <i16 as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <i16 as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

#[cfg(feature = "sqlx")]
impl<'r> sqlx::Decode<'r, sqlx::Postgres> for Severity {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let level = <i16 as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        Severity::from_level(level).ok_or_else(|| format!("severity level {level} is not SEV1-SEV5").into())
    }
}

#[cfg(feature = "sqlx")]
impl<'q> sqlx::Encode<'q, sqlx::Postgres> for Severity {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i16 as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.level(), buf)
    }
}

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Triggered,
    Acknowledged,
    Mitigated,
    Resolved,
    /// Triaged: whoever reported it needs no responder.
    NoResponder,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 5] = [
        IncidentStatus::Triggered,
        IncidentStatus::Acknowledged,
        IncidentStatus::Mitigated,
        IncidentStatus::Resolved,
        IncidentStatus::NoResponder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Triggered => "triggered",
            IncidentStatus::Acknowledged => "acknowledged",
            IncidentStatus::Mitigated => "mitigated",
            IncidentStatus::Resolved => "resolved",
            IncidentStatus::NoResponder => "no_responder",
        }
    }

    /// The verb on the button that moves an incident into this status.
    pub fn action(self) -> &'static str {
        match self {
            IncidentStatus::Triggered => "Reopen",
            IncidentStatus::Acknowledged => "Acknowledge",
            IncidentStatus::Mitigated => "Mitigate",
            IncidentStatus::Resolved => "Resolve",
            IncidentStatus::NoResponder => "No responder needed",
        }
    }

    /// Open incidents are on the dashboard and keep paging.
    pub fn is_open(self) -> bool {
        matches!(self, IncidentStatus::Triggered | IncidentStatus::Acknowledged | IncidentStatus::Mitigated)
    }

    /// The statuses this one may move to. Work moves forward (a step may be skipped: an incident
    /// can be resolved straight from triggered, as when its alerts clear); a closed incident can be
    /// reopened; a triaged one can still be resolved.
    pub fn allowed_next(self) -> &'static [IncidentStatus] {
        use IncidentStatus::*;
        match self {
            Triggered => &[Acknowledged, Mitigated, Resolved, NoResponder],
            Acknowledged => &[Mitigated, Resolved],
            Mitigated => &[Resolved],
            Resolved => &[Triggered],
            NoResponder => &[Triggered, Resolved],
        }
    }

    /// Checks a transition; the error names the current status and the allowed next ones.
    pub fn transition(self, to: IncidentStatus) -> Result<IncidentStatus, TransitionError> {
        if self.allowed_next().contains(&to) { Ok(to) } else { Err(TransitionError { from: self, to }) }
    }
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IncidentStatus {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        IncidentStatus::ALL.into_iter().find(|st| st.as_str() == t).ok_or_else(|| {
            FieldError::new(
                "status",
                format!(
                    "'{t}' is not a status; expected one of {}",
                    IncidentStatus::ALL.map(IncidentStatus::as_str).join(", ")
                ),
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct TransitionError {
    pub from: IncidentStatus,
    pub to: IncidentStatus,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            return write!(f, "the incident is already {}", self.from);
        }
        let allowed = self.from.allowed_next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        write!(f, "cannot go from {} to {}; from {} it can go to: {allowed}", self.from, self.to, self.from)
    }
}

uuid_id!(
    /// An incident's id; people and URLs use its number.
    IncidentId, "incident_id"
);

/// The human number of an incident, shown as `INC-42`. Numbers are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IncidentNumber(pub i64);

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "INC-{}", self.0)
    }
}

impl FromStr for IncidentNumber {
    type Err = FieldError;
    /// Accepts `INC-42`, `inc-42` or `42`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        // `get`, not indexing: the fourth byte may fall inside a character ("aéé").
        let digits = match (t.get(..4), t.get(4..)) {
            (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("INC-") => rest,
            _ => t,
        };
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(IncidentNumber(n)),
            _ => Err(FieldError::new("number", format!("'{t}' is not an incident number such as INC-42"))),
        }
    }
}

impl TryFrom<String> for IncidentNumber {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IncidentNumber> for String {
    fn from(value: IncidentNumber) -> Self {
        value.to_string()
    }
}

// The pattern is what `from_str` accepts: the prefix in any case or none, then a positive integer
// as `i64` reads it (a leading `+` or zeros included). Only the upper bound is left to words.
string_schema!(
    IncidentNumber,
    crate::openapi::string(
        "An incident's number, written INC-42; inc-42 and 42 are read as the same. A positive whole \
         number, at most 9223372036854775807."
    )
    .pattern(Some(r"^([Ii][Nn][Cc]-)?\+?0*[1-9][0-9]*$"))
    .examples(["INC-42"])
);

/// Who does what during an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentRole {
    Commander,
    Communicator,
    Scribe,
    Fixer,
}

impl IncidentRole {
    pub const ALL: [IncidentRole; 4] =
        [IncidentRole::Commander, IncidentRole::Communicator, IncidentRole::Scribe, IncidentRole::Fixer];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentRole::Commander => "commander",
            IncidentRole::Communicator => "communicator",
            IncidentRole::Scribe => "scribe",
            IncidentRole::Fixer => "fixer",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            IncidentRole::Commander => "decides and coordinates",
            IncidentRole::Communicator => "keeps the status page and stakeholders informed",
            IncidentRole::Scribe => "documents what happens",
            IncidentRole::Fixer => "finds and fixes the problem",
        }
    }
}

impl fmt::Display for IncidentRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IncidentRole {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        IncidentRole::ALL.into_iter().find(|r| r.as_str() == t).ok_or_else(|| {
            FieldError::new(
                "role",
                format!("'{t}' is not an incident role; expected commander, communicator, scribe or fixer"),
            )
        })
    }
}

/// An incident's title: what is wrong, in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IncidentTitle(String);

impl IncidentTitle {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(FieldError::new(
                "title",
                "is required: say what is wrong, e.g. \"Checkout returns 500s\"",
            ));
        }
        if t.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("title", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        if t.chars().any(char::is_control) {
            return Err(FieldError::new("title", "must be one line"));
        }
        Ok(IncidentTitle(t.to_owned()))
    }
}

text_newtype!(
    IncidentTitle,
    crate::openapi::string(
        "What is wrong, in one line of 1 to 200 characters once spaces around it are trimmed."
    )
    .min_length(Some(1))
);

/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Note,
    StatusChange,
    SeverityChange,
    RoleChange,
    LinkAdded,
    FieldEdit,
    PageSent,
    PageAcknowledged,
    PageEscalated,
    /// A notification could not be delivered (it is retried; the escalation goes on).
    PageFailed,
    AlertAttached,
    StatusPageUpdate,
    /// The postmortem was created, reviewed, approved, published...
    Postmortem,
}

/// How a timeline entry is pinned for later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pin {
    /// Evidence for the postmortem.
    Papertrail,
    /// An idea for a corrective action.
    FollowUp,
}

impl Pin {
    pub const ALL: [Pin; 2] = [Pin::Papertrail, Pin::FollowUp];

    pub fn as_str(self) -> &'static str {
        match self {
            Pin::Papertrail => "papertrail",
            Pin::FollowUp => "follow_up",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Pin::Papertrail => "Papertrail",
            Pin::FollowUp => "Follow-up",
        }
    }
}

impl FromStr for Pin {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Pin::ALL.into_iter().find(|p| p.as_str() == t).ok_or_else(|| {
            FieldError::new("pin", format!("'{t}' is not a pin; expected papertrail or follow_up"))
        })
    }
}

impl TimelineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Note => "note",
            TimelineKind::StatusChange => "status_change",
            TimelineKind::SeverityChange => "severity_change",
            TimelineKind::RoleChange => "role_change",
            TimelineKind::LinkAdded => "link_added",
            TimelineKind::FieldEdit => "field_edit",
            TimelineKind::PageSent => "page_sent",
            TimelineKind::PageAcknowledged => "page_acknowledged",
            TimelineKind::PageEscalated => "page_escalated",
            TimelineKind::PageFailed => "page_failed",
            TimelineKind::AlertAttached => "alert_attached",
            TimelineKind::StatusPageUpdate => "status_page_update",
            TimelineKind::Postmortem => "postmortem",
        }
    }
}

/// Input for declaring an incident, before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewIncidentInput {
    pub title: String,
    pub severity: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub customer_impact: bool,
}

/// A parsed incident declaration.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: IncidentTitle,
    pub severity: Severity,
    pub services: Vec<crate::team::Slug>,
    pub description: String,
    pub customer_impact: bool,
}

impl NewIncidentInput {
    pub const MAX_DESCRIPTION: usize = 20_000;

    pub fn parse(&self) -> Result<NewIncident, FieldError> {
        let title = IncidentTitle::parse(&self.title)?;
        let severity = self.severity.parse()?;
        let services = self
            .services
            .iter()
            .map(|s| crate::team::Slug::parse(s).map_err(|e| FieldError::new("services", e.reason)))
            .collect::<Result<Vec<_>, _>>()?;
        let description = self.description.trim().to_owned();
        if description.chars().count() > Self::MAX_DESCRIPTION {
            return Err(FieldError::new(
                "description",
                format!("must be at most {} characters", Self::MAX_DESCRIPTION),
            ));
        }
        Ok(NewIncident { title, severity, services, description, customer_impact: self.customer_impact })
    }
}

/// An incident as the API and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentView {
    pub number: IncidentNumber,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    /// Slugs of the affected services.
    pub services: Vec<String>,
    pub customer_impact: bool,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub declared_by: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub acknowledged_at: Option<chrono::DateTime<chrono::Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub mitigated_at: Option<chrono::DateTime<chrono::Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub impact_started_at: Option<chrono::DateTime<chrono::Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub impact_ended_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who holds which role, in the order of `IncidentRole::ALL`.
    pub roles: Vec<RoleHolder>,
    pub root_cause_tags: Vec<String>,
    pub links: Vec<LinkView>,
    pub related: Vec<RelatedView>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl IncidentView {
    pub fn holder(&self, role: IncidentRole) -> Option<&RoleHolder> {
        self.roles.iter().find(|h| h.role == role)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleHolder {
    pub role: IncidentRole,
    pub user_id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkView {
    pub url: String,
    pub label: String,
}

/// Another incident this one is related to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedView {
    pub number: IncidentNumber,
    pub title: String,
    pub reason: String,
}

/// One timeline entry as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntryView {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub author: String,
    pub kind: String,
    /// Plain text, except for notes, whose Markdown source this is.
    pub body: String,
    /// A note's Markdown rendered to sanitised HTML on the server; `None` for other kinds.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub body_html: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub pin: Option<Pin>,
}

/// What live pages are told when an incident changes: which one, and how. Sent through Postgres
/// NOTIFY to every server instance, then as a Server-Sent Event to every open page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentChange {
    pub number: IncidentNumber,
    /// `declared`, `status`, `severity`, `roles`, `fields`, `timeline`, ...
    pub change: String,
}

/// A request to move an incident to another status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionInput {
    pub to: String,
    #[serde(default)]
    pub reason: Option<String>,
}

stored_as_text!(IncidentStatus, IncidentRole, Pin);

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus::*;

    #[test]
    fn every_transition_is_allowed_or_refused_as_the_table_says() {
        let allowed = [
            (Triggered, Acknowledged),
            (Triggered, Mitigated),
            (Triggered, Resolved),
            (Triggered, NoResponder),
            (Acknowledged, Mitigated),
            (Acknowledged, Resolved),
            (Mitigated, Resolved),
            (Resolved, Triggered),
            (NoResponder, Triggered),
            (NoResponder, Resolved),
        ];
        for from in IncidentStatus::ALL {
            for to in IncidentStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.transition(to).is_ok(), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn a_refused_transition_names_the_current_state_and_the_allowed_ones() {
        let err = Acknowledged.transition(Triggered).unwrap_err().to_string();
        assert_eq!(
            err,
            "cannot go from acknowledged to triggered; from acknowledged it can go to: mitigated, resolved"
        );
        assert_eq!(
            Resolved.transition(Resolved).unwrap_err().to_string(),
            "the incident is already resolved"
        );
    }

    #[test]
    fn open_means_still_being_worked() {
        assert!(Triggered.is_open() && Acknowledged.is_open() && Mitigated.is_open());
        assert!(!Resolved.is_open() && !NoResponder.is_open());
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in IncidentStatus::ALL {
            assert_eq!(s.as_str().parse::<IncidentStatus>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert_eq!("closed".parse::<IncidentStatus>().unwrap_err().field, "status");
    }

    #[test]
    fn severities_parse_sort_and_say_what_they_mean() {
        assert_eq!("SEV2".parse::<Severity>(), Ok(Severity::Sev2));
        assert_eq!("sev3".parse::<Severity>(), Ok(Severity::Sev3));
        assert_eq!("1".parse::<Severity>(), Ok(Severity::Sev1));
        assert!("SEV0".parse::<Severity>().is_err());
        assert!("SEV6".parse::<Severity>().is_err());
        let mut all = vec![Severity::Sev4, Severity::Sev1, Severity::Sev3];
        all.sort();
        assert_eq!(all, [Severity::Sev1, Severity::Sev3, Severity::Sev4]);
        assert_eq!(serde_json::to_string(&Severity::Sev1).unwrap(), "\"SEV1\"");
        assert!(Severity::Sev2.needs_postmortem() && !Severity::Sev3.needs_postmortem());
        assert!(Severity::Sev1.definition().contains("most users"));
        for s in Severity::ALL {
            assert_eq!(Severity::from_level(s.level()), Some(s));
        }
    }

    #[test]
    fn incident_numbers_read_as_people_write_them() {
        assert_eq!("INC-42".parse::<IncidentNumber>(), Ok(IncidentNumber(42)));
        assert_eq!("inc-7".parse::<IncidentNumber>(), Ok(IncidentNumber(7)));
        assert_eq!("12".parse::<IncidentNumber>(), Ok(IncidentNumber(12)));
        assert!("INC-0".parse::<IncidentNumber>().is_err());
        assert!("INC-x".parse::<IncidentNumber>().is_err());
        // The fourth byte inside a character once panicked the parser.
        assert!("aéé".parse::<IncidentNumber>().is_err());
        assert!("INC\u{e9}1".parse::<IncidentNumber>().is_err());
        assert_eq!(IncidentNumber(42).to_string(), "INC-42");
        assert_eq!(serde_json::to_string(&IncidentNumber(3)).unwrap(), "\"INC-3\"");
    }

    #[test]
    fn titles_are_one_bounded_line() {
        assert_eq!(IncidentTitle::parse("  Checkout 500s ").unwrap().as_str(), "Checkout 500s");
        assert_eq!(IncidentTitle::parse("").unwrap_err().field, "title");
        assert!(IncidentTitle::parse("a\nb").is_err());
        assert!(IncidentTitle::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn roles_parse_and_describe_themselves() {
        assert_eq!("Commander".parse::<IncidentRole>(), Ok(IncidentRole::Commander));
        assert_eq!("boss".parse::<IncidentRole>().unwrap_err().field, "role");
        assert!(IncidentRole::Communicator.describe().contains("status page"));
    }
}
