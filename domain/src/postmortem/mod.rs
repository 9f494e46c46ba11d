//! Postmortems: what a team learns from an incident. One per incident at most, written in
//! sections a template chooses, with a timeline prefilled from the incident, corrective actions
//! that outlive the document, reviews, and hints that keep the writing blameless.
//!
//! The workflow is `draft -> in_review -> changes_requested | approved -> published`. Asking for
//! review needs a reviewer; reviews (not requests) move a postmortem to `changes_requested` or, once
//! enough reviewers approve, to `approved`. An approved or published postmortem is locked: editing
//! it starts a new revision, back in `draft`, and the approved text stays readable.

pub mod due;
pub mod hints;
pub mod recurrence;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

named_enum!(
    /// Where a postmortem is in its workflow.
    PostmortemStatus, "to" {
        Draft => "draft",
        InReview => "in_review",
        ChangesRequested => "changes_requested",
        Approved => "approved",
        Published => "published",
    }
);

impl PostmortemStatus {
    pub fn label(self) -> &'static str {
        match self {
            PostmortemStatus::Draft => "Draft",
            PostmortemStatus::InReview => "In review",
            PostmortemStatus::ChangesRequested => "Changes requested",
            PostmortemStatus::Approved => "Approved",
            PostmortemStatus::Published => "Published",
        }
    }

    /// Approved and published text is locked: an edit starts a new revision.
    pub fn is_locked(self) -> bool {
        matches!(self, PostmortemStatus::Approved | PostmortemStatus::Published)
    }
}

/// Why a requested transition is refused (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Checks a transition someone asks for. Reviews, not requests, reach `changes_requested` and
/// `approved`.
pub fn transition(from: PostmortemStatus, to: PostmortemStatus, reviewers: usize) -> Result<(), Refused> {
    use PostmortemStatus::*;
    match (from, to) {
        (Draft | ChangesRequested, InReview) if reviewers == 0 => {
            Err(Refused("a review needs at least one reviewer".into()))
        }
        (Draft | ChangesRequested, InReview) | (InReview, Draft) | (Approved, Published) => Ok(()),
        (_, ChangesRequested | Approved) => {
            Err(Refused(format!("a postmortem becomes {} through reviews", to.label().to_lowercase())))
        }
        (from, to) => Err(Refused(format!(
            "a postmortem that is {} cannot become {}",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        ))),
    }
}

named_enum!(
    /// A reviewer's verdict.
    Verdict, "verdict" {
        Approve => "approve",
        RequestChanges => "request_changes",
    }
);

/// Where a review leaves the postmortem: changes requested by anyone send it back; approvals of
/// the current revision from `required` reviewers approve it. Reviews count only while in review.
pub fn after_review(
    status: PostmortemStatus,
    verdict: Verdict,
    approvals: usize,
    required: usize,
) -> Result<PostmortemStatus, Refused> {
    if status != PostmortemStatus::InReview {
        return Err(Refused(format!("the postmortem is {}, not in review", status.label().to_lowercase())));
    }
    Ok(match verdict {
        Verdict::RequestChanges => PostmortemStatus::ChangesRequested,
        Verdict::Approve if approvals >= required.max(1) => PostmortemStatus::Approved,
        Verdict::Approve => PostmortemStatus::InReview,
    })
}

named_enum!(
    /// The sections a template may choose from.
    SectionKey, "sections" {
        Summary => "summary",
        CustomerImpact => "customer_impact",
        BusinessImpact => "business_impact",
        Timeline => "timeline",
        RootCause => "root_cause",
        Trigger => "trigger",
        Detection => "detection",
        Resolution => "resolution",
        Recurrence => "recurrence",
        WentWell => "went_well",
        CouldImprove => "could_improve",
        Lessons => "lessons",
    }
);

/// One section of a template: its title and the question it asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionSpec {
    pub key: SectionKey,
    pub title: String,
    pub prompt: String,
}

/// The default template: the reason-for-outage questions (reason, mitigation, what could be
/// better, timeline, business impact, prevention), with the summary and customer impact first.
pub fn default_sections() -> Vec<SectionSpec> {
    let s = |key, title: &str, prompt: &str| SectionSpec { key, title: title.into(), prompt: prompt.into() };
    vec![
        s(SectionKey::Summary, "Summary", "What happened, in two or three sentences a newcomer understands."),
        s(SectionKey::CustomerImpact, "Customer impact", "Who was affected, how, and for how long?"),
        s(
            SectionKey::RootCause,
            "Reason for the outage",
            "What conditions made this possible, and what set it off?",
        ),
        s(SectionKey::Resolution, "Mitigation and resolution", "What stopped the harm, and what fixed it?"),
        s(
            SectionKey::Timeline,
            "Timeline",
            "The incident as it unfolded: prefilled from its timeline; correct and add.",
        ),
        s(SectionKey::BusinessImpact, "Business impact", "Revenue, contracts, reputation, people's time."),
        s(
            SectionKey::CouldImprove,
            "What could have gone better",
            "What made detection, response or recovery harder?",
        ),
        s(SectionKey::WentWell, "What went well", "What helped, and should be kept?"),
        s(
            SectionKey::Lessons,
            "Prevention",
            "What will keep this from happening again, or make it smaller next time?",
        ),
    ]
}

/// The text of each section, by key.
pub type Sections = BTreeMap<SectionKey, String>;

/// Largest section, in bytes.
pub const MAX_SECTION: usize = 50_000;

/// Checks a save's sections: known to the template, not too long. Sections left out keep their text.
pub fn check_sections(sections: &Sections, template: &[SectionSpec]) -> Result<(), FieldError> {
    for (key, text) in sections {
        if !template.iter().any(|s| s.key == *key) {
            return Err(FieldError::new("sections", format!("'{key}' is not a section of this postmortem")));
        }
        if text.len() > MAX_SECTION {
            return Err(FieldError::new("sections", format!("'{key}' is longer than {MAX_SECTION} bytes")));
        }
    }
    Ok(())
}

/// One line of the postmortem's timeline, keeping a link to the incident's event it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub text: String,
    /// The incident timeline event it was taken from, if any.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub source: Option<i64>,
}

named_enum!(
    /// A corrective action's state.
    ActionStatus, "status" {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        WontDo => "wont_do",
    }
);

impl ActionStatus {
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::WontDo)
    }
}

named_enum!(
    /// How urgent a corrective action is; it sets the default due window.
    Priority, "priority" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

/// Days to do an action of each priority (Atlassian's: high 4 weeks, the rest 8), which admins
/// change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueWindows {
    pub high_days: u32,
    pub other_days: u32,
}

impl Default for DueWindows {
    fn default() -> Self {
        DueWindows { high_days: 28, other_days: 56 }
    }
}

impl DueWindows {
    pub fn days(self, p: Priority) -> u32 {
        if p == Priority::High { self.high_days } else { self.other_days }
    }
}

/// A corrective action as the API and the editor send it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionInput {
    pub title: String,
    pub owner_id: Option<Uuid>,
    /// `YYYY-MM-DD`; default: today plus the priority's window.
    pub due_on: Option<String>,
    /// `high`, `medium` (default) or `low`.
    pub priority: Option<String>,
    /// A link to the ticket in any tracker.
    pub tracker_url: Option<String>,
    /// The follow-up pin (incident timeline event) it was made from.
    pub from_event: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub due_on: NaiveDate,
    pub priority: Priority,
    pub tracker_url: Option<String>,
    pub from_event: Option<i64>,
}

fn parse_date(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    s.trim().parse::<NaiveDate>().map_err(|_| FieldError::new(field, "must be a date such as 2026-12-31"))
}

fn tracker(url: Option<&str>) -> Result<Option<String>, FieldError> {
    match url.map(str::trim) {
        None | Some("") => Ok(None),
        Some(u) => {
            let link = crate::incident::LinkInput { url: u.to_owned(), label: String::new() };
            Ok(Some(link.parse().map_err(|e| e.in_field("tracker_url"))?.url))
        }
    }
}

fn title(s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new("title", "must not be empty"));
    }
    if t.chars().count() > 300 {
        return Err(FieldError::new("title", "at most 300 characters"));
    }
    Ok(t.to_owned())
}

impl ActionInput {
    /// The action; `today` is the day it is made, in the owner's zone.
    pub fn parse(&self, today: NaiveDate, windows: DueWindows) -> Result<NewAction, FieldError> {
        let priority = match self.priority.as_deref().map(str::trim) {
            None | Some("") => Priority::Medium,
            Some(p) => p.parse()?,
        };
        let due_on = match self.due_on.as_deref().map(str::trim) {
            None | Some("") => today + chrono::Duration::days(i64::from(windows.days(priority))),
            Some(d) => parse_date("due_on", d)?,
        };
        Ok(NewAction {
            title: title(&self.title)?,
            owner_id: self.owner_id,
            due_on,
            priority,
            tracker_url: tracker(self.tracker_url.as_deref())?,
            from_event: self.from_event,
        })
    }
}

/// A change to an action; fields left out keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionChange {
    pub title: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<String>,
    pub priority: Option<String>,
    /// Empty to clear.
    pub tracker_url: Option<String>,
    pub status: Option<String>,
    /// Required when the status becomes `wont_do`.
    pub reason: Option<String>,
}

/// A corrective action as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionView {
    pub id: Uuid,
    pub postmortem_id: Uuid,
    pub incident: i64,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub owner_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub owner_name: Option<String>,
    pub due_on: NaiveDate,
    pub priority: Priority,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub tracker_url: Option<String>,
    pub status: ActionStatus,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub reason: Option<String>,
    /// Past its due day and not closed.
    pub overdue: bool,
    pub created_at: DateTime<Utc>,
}

impl ActionChange {
    /// The action `current` becomes.
    pub fn apply(&self, current: &ActionView) -> Result<ActionView, FieldError> {
        let mut next = current.clone();
        if let Some(t) = &self.title {
            next.title = title(t)?;
        }
        if self.owner_id.is_some() {
            next.owner_id = self.owner_id;
        }
        if let Some(d) = &self.due_on {
            next.due_on = parse_date("due_on", d)?;
        }
        if let Some(p) = &self.priority {
            next.priority = p.parse()?;
        }
        if self.tracker_url.is_some() {
            next.tracker_url = tracker(self.tracker_url.as_deref())?;
        }
        if let Some(s) = &self.status {
            next.status = s.parse()?;
            next.reason = None;
        }
        if next.status == ActionStatus::WontDo {
            let reason = self.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            match (reason, &current.reason) {
                (Some(r), _) => next.reason = Some(r.chars().take(1000).collect()),
                (None, Some(r)) if current.status == ActionStatus::WontDo => next.reason = Some(r.clone()),
                _ => return Err(FieldError::new("reason", "say why it will not be done")),
            }
        }
        Ok(next)
    }
}

/// Whether an action is overdue on `today`.
pub fn overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    !status.is_closed() && due_on < today
}

/// The postmortem policy: which severities get one on resolution, how long it may take, how many
/// approvals it needs, and the due windows of corrective actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    /// `SEV1`..`SEV5`.
    pub severities: Vec<String>,
    pub business_days: i32,
    pub required_approvals: i32,
    pub high_days: i32,
    pub other_days: i32,
}

impl Policy {
    /// Checks a policy an admin sends: known severities (each once), sensible numbers.
    pub fn parse(mut self) -> Result<Policy, FieldError> {
        for s in &mut self.severities {
            *s = s.trim().parse::<crate::incident::Severity>()?.to_string();
        }
        self.severities.sort();
        self.severities.dedup();
        let within = |field: &str, v: i32, lo: i32, hi: i32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(FieldError::new(field, format!("between {lo} and {hi}")))
            }
        };
        within("business_days", self.business_days, 1, 60)?;
        within("required_approvals", self.required_approvals, 1, 10)?;
        within("high_days", self.high_days, 1, 365)?;
        within("other_days", self.other_days, 1, 365)?;
        Ok(self)
    }
}

/// A template: the sections (their order, titles and prompts) of the postmortems of some
/// severities; the one with no severities serves the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub id: Uuid,
    pub name: String,
    pub severities: Vec<String>,
    pub sections: Vec<SectionSpec>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateInput {
    pub name: String,
    #[serde(default)]
    pub severities: Vec<String>,
    pub sections: Vec<SectionSpec>,
}

impl TemplateInput {
    pub fn parse(&self) -> Result<TemplateInput, FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(FieldError::new("name", "between 1 and 100 characters"));
        }
        let mut severities = Vec::new();
        for s in &self.severities {
            severities.push(s.trim().parse::<crate::incident::Severity>()?.to_string());
        }
        severities.sort();
        severities.dedup();
        if self.sections.is_empty() {
            return Err(FieldError::new("sections", "a template needs at least one section"));
        }
        let mut seen = Vec::new();
        let mut sections = Vec::new();
        for s in &self.sections {
            if seen.contains(&s.key) {
                return Err(FieldError::new("sections", format!("'{}' appears twice", s.key)));
            }
            seen.push(s.key);
            let title = s.title.trim();
            if title.is_empty() || title.chars().count() > 100 {
                return Err(FieldError::new(
                    "sections",
                    format!("the title of '{}' must be 1 to 100 characters", s.key),
                ));
            }
            if s.prompt.chars().count() > 500 {
                return Err(FieldError::new(
                    "sections",
                    format!("the prompt of '{}' is longer than 500 characters", s.key),
                ));
            }
            sections.push(SectionSpec {
                key: s.key,
                title: title.to_owned(),
                prompt: s.prompt.trim().to_owned(),
            });
        }
        Ok(TemplateInput { name: name.to_owned(), severities, sections })
    }
}

/// Someone named on a postmortem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewView {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub reviewer: Option<Person>,
    /// The revision it reviewed.
    pub revision: i32,
    pub verdict: Verdict,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentView {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub author: Option<Person>,
    /// The section it is about, if any.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub section: Option<SectionKey>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// An earlier incident offered as the same problem recurring, with what became of its lessons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecurrenceView {
    pub incident: i64,
    pub title: String,
    pub created_at: DateTime<Utc>,
    #[serde(flatten)]
    pub why: recurrence::Match,
    /// Its postmortem's status, if it has one.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub postmortem: Option<PostmortemStatus>,
    /// Its corrective actions, done or not.
    pub actions: Vec<ActionBrief>,
    /// `None` until the author confirms or dismisses it.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub confirmed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionBrief {
    pub title: String,
    pub status: ActionStatus,
}

/// A pin made on the incident after the postmortem was written: offered for its timeline (a
/// papertrail pin) or as an action (a follow-up pin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinSuggestion {
    pub event: i64,
    pub at: DateTime<Utc>,
    pub text: String,
    /// `papertrail` or `follow_up`.
    pub pin: String,
}

/// A postmortem as the API and the editor read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostmortemView {
    pub id: Uuid,
    /// The incident's number.
    pub incident: i64,
    pub incident_title: String,
    /// `SEV1`..`SEV5`.
    pub severity: String,
    pub status: PostmortemStatus,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub owner: Option<Person>,
    pub due_at: DateTime<Utc>,
    /// Past due and not published.
    pub overdue: bool,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub review_meeting_at: Option<DateTime<Utc>>,
    /// Every save increments it; a save names the version it edited.
    pub version: i32,
    /// Every edit after approval starts a new revision.
    pub revision: i32,
    /// The sections in order, with their prompts.
    pub template: Vec<SectionSpec>,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub sections: Sections,
    /// Each section rendered from Markdown and sanitised on the server, for the read view.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub sections_html: Sections,
    /// The text last approved, kept readable while a new revision is written.
    #[cfg_attr(feature = "openapi", schema(required, value_type = Option<BTreeMap<String, String>>))]
    pub approved_sections: Option<Sections>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub approved_revision: Option<i32>,
    pub required_approvals: i32,
    pub reviewers: Vec<Person>,
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionView>,
    pub reviews: Vec<ReviewView>,
    pub comments: Vec<CommentView>,
    /// Blameless-writing hints per section.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Vec<hints::Hint>>))]
    pub hints: BTreeMap<SectionKey, Vec<hints::Hint>>,
    pub recurrence_candidates: Vec<RecurrenceView>,
    /// Pins made since: papertrail ones for the timeline, follow-ups as candidate actions.
    pub suggestions: Vec<PinSuggestion>,
    /// The incident's root-cause tags (recurrence matches on them).
    pub root_causes: Vec<String>,
    /// What customers are told on publication, as the public incident's last update (if any).
    pub customer_summary: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub published_at: Option<DateTime<Utc>>,
}

/// A line of the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostmortemSummary {
    pub id: Uuid,
    pub incident: i64,
    pub incident_title: String,
    pub severity: String,
    pub status: PostmortemStatus,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub owner: Option<Person>,
    pub reviewers: Vec<Person>,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub teams: Vec<String>,
    pub services: Vec<String>,
    pub open_actions: i64,
    pub updated_at: DateTime<Utc>,
}

/// A save: the sections changed (others keep their text) and the version they were written on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostmortemSave {
    /// Section key -> its new text.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub sections: Sections,
    pub version: i32,
    pub owner_id: Option<Uuid>,
    /// `YYYY-MM-DDTHH:MM:SSZ`; empty to clear.
    pub review_meeting_at: Option<String>,
    /// What customers are told on publication.
    pub customer_summary: Option<String>,
}

/// A transition asked for: `to`, and (asking for review) the reviewers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionInput {
    pub to: String,
    #[serde(default)]
    pub reviewers: Vec<Uuid>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    /// `approve` or `request_changes`.
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    pub body: String,
    /// A section key, to comment on that section.
    pub section: Option<String>,
}

/// A timeline entry added or corrected by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineInput {
    /// RFC 3339.
    pub at: String,
    pub text: String,
    /// An incident timeline event it comes from (a suggested pin).
    pub source: Option<i64>,
}

impl TimelineInput {
    pub fn parse(&self) -> Result<(DateTime<Utc>, String), FieldError> {
        let at = crate::schedule::input::parse_instant("at", &self.at)?;
        let text = self.text.trim();
        if text.is_empty() || text.len() > 5000 {
            return Err(FieldError::new("text", "between 1 and 5000 characters"));
        }
        Ok((at, text.to_owned()))
    }
}

/// A comment's text, checked.
pub fn comment_body(body: &str, max: usize) -> Result<String, FieldError> {
    let b = body.trim();
    if b.is_empty() || b.len() > max {
        return Err(FieldError::new("body", format!("between 1 and {max} characters")));
    }
    Ok(b.to_owned())
}

/// Every section's hints, naming the people the caller knows.
pub fn section_hints(sections: &Sections, names: &[&str]) -> BTreeMap<SectionKey, Vec<hints::Hint>> {
    sections.iter().map(|(k, text)| (*k, hints::hints(text, names))).filter(|(_, h)| !h.is_empty()).collect()
}

/// The postmortem as Markdown, for download: its sections in the template's order, then the
/// timeline and the actions.
pub fn to_markdown(p: &PostmortemView) -> String {
    let mut out = format!("# Postmortem: INC-{} {}\n\n", p.incident, p.incident_title);
    out.push_str(&format!(
        "Severity {} · {} · owner {} · due {}\n\n",
        p.severity,
        p.status.label(),
        p.owner.as_ref().map_or("nobody", |o| o.name.as_str()),
        p.due_at.format("%Y-%m-%d")
    ));
    for spec in &p.template {
        out.push_str(&format!("## {}\n\n", spec.title));
        if spec.key == SectionKey::Timeline {
            for e in &p.timeline {
                out.push_str(&format!("- {} UTC: {}\n", e.at.format("%Y-%m-%d %H:%M"), e.text));
            }
            out.push('\n');
        }
        if let Some(text) = p.sections.get(&spec.key).filter(|t| !t.trim().is_empty()) {
            out.push_str(text.trim());
            out.push_str("\n\n");
        }
    }
    if !p.actions.is_empty() {
        out.push_str("## Corrective actions\n\n");
        for a in &p.actions {
            out.push_str(&format!(
                "- [{}] {} ({}, {}, due {}){}\n",
                if a.status == ActionStatus::Done { "x" } else { " " },
                a.title,
                a.priority,
                a.owner_name.as_deref().unwrap_or("no owner"),
                a.due_on,
                a.tracker_url.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostmortemStatus::*;

    #[test]
    fn every_requested_transition_is_allowed_or_refused_by_the_workflow() {
        let allowed =
            [(Draft, InReview), (ChangesRequested, InReview), (InReview, Draft), (Approved, Published)];
        for from in PostmortemStatus::ALL {
            for to in PostmortemStatus::ALL {
                let ok = transition(*from, *to, 1).is_ok();
                assert_eq!(ok, allowed.contains(&(*from, *to)), "{from} -> {to}");
            }
        }
        assert_eq!(
            transition(Draft, InReview, 0),
            Err(Refused("a review needs at least one reviewer".into()))
        );
        assert!(transition(InReview, Approved, 2).unwrap_err().0.contains("through reviews"));
    }

    #[test]
    fn reviews_request_changes_or_approve_once_enough_reviewers_have() {
        assert_eq!(after_review(InReview, Verdict::RequestChanges, 0, 1), Ok(ChangesRequested));
        assert_eq!(after_review(InReview, Verdict::Approve, 1, 2), Ok(InReview));
        assert_eq!(after_review(InReview, Verdict::Approve, 2, 2), Ok(Approved));
        assert_eq!(after_review(InReview, Verdict::Approve, 1, 0), Ok(Approved), "at least one approval");
        assert!(after_review(Draft, Verdict::Approve, 1, 1).is_err());
        assert!(Approved.is_locked() && Published.is_locked() && !ChangesRequested.is_locked());
    }

    #[test]
    fn an_action_takes_its_due_day_from_its_priority() {
        let today: NaiveDate = "2026-12-07".parse().unwrap();
        let high = ActionInput {
            title: "Add a rate limiter".into(),
            priority: Some("high".into()),
            ..Default::default()
        };
        assert_eq!(high.parse(today, DueWindows::default()).unwrap().due_on, "2027-01-04".parse().unwrap());
        let plain = ActionInput { title: "Document the failover".into(), ..Default::default() };
        let a = plain.parse(today, DueWindows::default()).unwrap();
        assert_eq!((a.priority, a.due_on), (Priority::Medium, "2027-02-01".parse().unwrap()));
        let bad = ActionInput { title: " ".into(), ..Default::default() };
        assert_eq!(bad.parse(today, DueWindows::default()).unwrap_err().field, "title");
        let bad = ActionInput {
            title: "x".into(),
            tracker_url: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        assert_eq!(bad.parse(today, DueWindows::default()).unwrap_err().field, "tracker_url");
    }

    #[test]
    fn wont_do_needs_a_reason_and_overdue_means_open_and_past_due() {
        let current = ActionView {
            id: Uuid::nil(),
            postmortem_id: Uuid::nil(),
            incident: 7,
            title: "Add a rate limiter".into(),
            owner_id: None,
            owner_name: None,
            due_on: "2026-12-01".parse().unwrap(),
            priority: Priority::High,
            tracker_url: None,
            status: ActionStatus::Open,
            reason: None,
            overdue: true,
            created_at: Utc::now(),
        };
        let no_reason = ActionChange { status: Some("wont_do".into()), ..Default::default() };
        assert_eq!(no_reason.apply(&current).unwrap_err().field, "reason");
        let with_reason = ActionChange {
            status: Some("wont_do".into()),
            reason: Some("Superseded by INC-9's fix".into()),
            ..Default::default()
        };
        assert_eq!(with_reason.apply(&current).unwrap().reason.as_deref(), Some("Superseded by INC-9's fix"));
        let today: NaiveDate = "2026-12-07".parse().unwrap();
        assert!(overdue(ActionStatus::Open, current.due_on, today));
        assert!(!overdue(ActionStatus::Done, current.due_on, today));
        assert!(!overdue(ActionStatus::Open, today, today), "due today is not yet overdue");
    }

    #[test]
    fn policies_and_templates_are_checked() {
        let p = Policy {
            severities: vec!["sev2".into(), "SEV1".into(), "SEV2".into()],
            business_days: 5,
            required_approvals: 1,
            high_days: 28,
            other_days: 56,
        };
        assert_eq!(p.clone().parse().unwrap().severities, ["SEV1", "SEV2"]);
        assert_eq!(Policy { business_days: 0, ..p.clone() }.parse().unwrap_err().field, "business_days");
        assert_eq!(Policy { severities: vec!["SEV9".into()], ..p }.parse().unwrap_err().field, "severity");
        let t = TemplateInput {
            name: "Major".into(),
            severities: vec!["SEV1".into()],
            sections: default_sections(),
        };
        assert_eq!(t.parse().unwrap().sections.len(), 9);
        let mut twice = t.clone();
        twice.sections.push(twice.sections[0].clone());
        assert_eq!(twice.parse().unwrap_err().field, "sections");
        assert_eq!(TemplateInput { sections: vec![], ..t }.parse().unwrap_err().field, "sections");
    }

    #[test]
    fn a_save_names_only_the_templates_sections() {
        let template = default_sections();
        let ok = Sections::from([(SectionKey::Summary, "It broke.".into())]);
        assert!(check_sections(&ok, &template).is_ok());
        let unknown = Sections::from([(SectionKey::Trigger, "x".into())]);
        assert_eq!(check_sections(&unknown, &template).unwrap_err().field, "sections");
    }
}
