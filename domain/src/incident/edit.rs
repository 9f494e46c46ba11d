//! Changes to a running incident: field edits, roles, notes, pins, links, related incidents and
//! root-cause tags. Each input has one `parse` used by the API and the forms alike.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::{IncidentNumber, IncidentRole, IncidentTitle, NewIncidentInput, Pin, Severity};
use crate::{FieldError, UserId};

/// `Some(None)` when the field is present and `null` (clear it), `None` when absent (keep it).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/incidents/{number}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentPatchInput {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    /// Why the severity changed; recorded on the timeline.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub customer_impact: Option<bool>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub impact_started_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub impact_ended_at: Option<Option<DateTime<Utc>>>,
    #[serde(default)]
    pub root_cause_tags: Option<Vec<String>>,
}

/// A parsed patch. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentPatch {
    pub title: Option<IncidentTitle>,
    pub description: Option<String>,
    pub severity: Option<Severity>,
    pub reason: Option<String>,
    pub customer_impact: Option<bool>,
    pub impact_started_at: Option<Option<DateTime<Utc>>>,
    pub impact_ended_at: Option<Option<DateTime<Utc>>>,
    pub root_cause_tags: Option<Vec<String>>,
}

impl IncidentPatchInput {
    pub fn parse(&self) -> Result<IncidentPatch, FieldError> {
        let patch = IncidentPatch {
            title: self.title.as_deref().map(IncidentTitle::parse).transpose()?,
            description: self.description.as_deref().map(parse_description).transpose()?,
            severity: self.severity.as_deref().map(str::parse).transpose()?,
            reason: parse_reason(self.reason.as_deref())?,
            customer_impact: self.customer_impact,
            impact_started_at: self.impact_started_at,
            impact_ended_at: self.impact_ended_at,
            root_cause_tags: self.root_cause_tags.as_deref().map(parse_tags).transpose()?,
        };
        if patch == IncidentPatch::default() {
            return Err(FieldError::new("body", "names no field to change"));
        }
        if let (Some(Some(start)), Some(Some(end))) = (patch.impact_started_at, patch.impact_ended_at)
            && end < start
        {
            return Err(FieldError::new("impact_ended_at", "must not be before the impact started"));
        }
        Ok(patch)
    }
}

fn parse_description(d: &str) -> Result<String, FieldError> {
    let d = d.trim();
    if d.chars().count() > NewIncidentInput::MAX_DESCRIPTION {
        return Err(FieldError::new(
            "description",
            format!("must be at most {} characters", NewIncidentInput::MAX_DESCRIPTION),
        ));
    }
    Ok(d.to_owned())
}

/// An optional free-text reason: blank means none.
pub fn parse_reason(reason: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if r.chars().count() > 500 {
        return Err(FieldError::new("reason", "must be at most 500 characters"));
    }
    Ok(Some(r.to_owned()))
}

pub const MAX_TAGS: usize = 10;

/// Root-cause tags: lower-case words joined by dashes ("config-change", "dependency"), so the
/// same cause is spelled the same way across incidents and analytics can count it.
pub fn parse_tags(tags: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for raw in tags {
        let tag = raw.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
        if tag.is_empty() {
            continue;
        }
        if tag.len() > 40 || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(FieldError::new(
                "root_cause_tags",
                format!("'{}' is not a tag: use letters, digits and dashes, at most 40", raw.trim()),
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(FieldError::new("root_cause_tags", format!("at most {MAX_TAGS} tags")));
    }
    Ok(out)
}

/// `POST /api/v1/incidents/{number}/roles`: give a role to a person, or take it away (`user_id`
/// null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleInput {
    pub role: String,
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

impl RoleInput {
    pub fn parse(&self) -> Result<(IncidentRole, Option<UserId>), FieldError> {
        Ok((self.role.parse()?, self.user_id.map(UserId)))
    }
}

/// Hand every role one person holds on open incidents to another, as at the end of a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverInput {
    /// Whose roles move; the caller when absent.
    #[serde(default)]
    pub from: Option<Uuid>,
    pub to: Uuid,
}

/// What a handover moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverView {
    pub to: String,
    /// One entry per role moved: the incident and the role.
    pub moved: Vec<(IncidentNumber, IncidentRole)>,
}

/// `POST .../timeline`: a note in Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteInput {
    pub body: String,
}

impl NoteInput {
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(&self) -> Result<String, FieldError> {
        let body = self.body.trim();
        if body.is_empty() {
            return Err(FieldError::new("body", "is required: write what happened or what you found"));
        }
        if body.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("body", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        Ok(body.to_owned())
    }
}

/// `PUT .../timeline/{id}/pin`: pin as papertrail or follow-up, or unpin with `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinInput {
    #[serde(default)]
    pub pin: Option<String>,
}

impl PinInput {
    pub fn parse(&self) -> Result<Option<Pin>, FieldError> {
        self.pin.as_deref().filter(|p| !p.trim().is_empty()).map(str::parse).transpose()
    }
}

/// A link to an external ticket or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInput {
    pub url: String,
    #[serde(default)]
    pub label: String,
}

impl LinkInput {
    /// Only http(s) URLs with a host: anything else would be a script or a local file when
    /// clicked. Without a label, the host is the label.
    pub fn parse(&self) -> Result<super::LinkView, FieldError> {
        let url = self.url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| FieldError::new("url", "must start with https:// or http://"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new(
                "url",
                "is not a web address such as https://tickets.example.com/OPS-12",
            ));
        }
        let label = self.label.trim();
        if label.chars().count() > 200 || label.chars().any(char::is_control) {
            return Err(FieldError::new("label", "must be one line of at most 200 characters"));
        }
        let label = if label.is_empty() { host.to_owned() } else { label.to_owned() };
        Ok(super::LinkView { url: url.to_owned(), label })
    }
}

/// Relate this incident to another, saying why ("same root cause", "duplicate").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedInput {
    pub number: String,
    pub reason: String,
}

impl RelatedInput {
    pub fn parse(&self) -> Result<(IncidentNumber, String), FieldError> {
        let number = self.number.parse()?;
        let reason = parse_reason(Some(&self.reason))?
            .ok_or_else(|| FieldError::new("reason", "is required, e.g. \"same root cause\""))?;
        Ok((number, reason))
    }
}

/// Reads a form's `datetime-local` value ("2026-03-29T01:30") as wall-clock time in `zone`.
/// Blank means none. A time the clocks skip moves to the first valid minute after it; a time
/// they repeat takes its first occurrence.
pub fn local_input_to_utc(field: &str, input: &str, zone: &str) -> Result<Option<DateTime<Utc>>, FieldError> {
    use chrono::{LocalResult, NaiveDateTime, TimeZone};
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            FieldError::new(field, format!("'{input}' is not a date and time such as 2026-11-21T14:30"))
        })?;
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let mut candidate = naive;
    // Gaps are at most a few hours; a day of minutes is a generous bound.
    for _ in 0..24 * 60 {
        match tz.from_local_datetime(&candidate) {
            LocalResult::Single(t) => return Ok(Some(t.with_timezone(&Utc))),
            LocalResult::Ambiguous(first, _) => return Ok(Some(first.with_timezone(&Utc))),
            LocalResult::None => candidate += chrono::Duration::minutes(1),
        }
    }
    Err(FieldError::new(field, "is not a time that exists in your time zone"))
}

/// The `datetime-local` value for an instant, in `zone`.
pub fn utc_to_local_input(t: DateTime<Utc>, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_convert_in_the_users_zone_across_dst_both_ways() {
        let utc = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        let london = "Europe/London";
        assert_eq!(local_input_to_utc("f", "2026-07-01T12:00", london).unwrap(), utc("2026-07-01T11:00:00Z"));
        assert_eq!(local_input_to_utc("f", "2026-12-01T12:00", london).unwrap(), utc("2026-12-01T12:00:00Z"));
        // Spring forward: 01:30 does not exist on 29 March 2026 in London; 02:00 BST is next.
        assert_eq!(local_input_to_utc("f", "2026-03-29T01:30", london).unwrap(), utc("2026-03-29T01:00:00Z"));
        // Fall back: 01:30 happens twice on 25 October 2026; the first (BST) is taken.
        assert_eq!(local_input_to_utc("f", "2026-10-25T01:30", london).unwrap(), utc("2026-10-25T00:30:00Z"));
        assert_eq!(local_input_to_utc("f", "  ", london).unwrap(), None);
        assert_eq!(local_input_to_utc("impact", "tomorrow", london).unwrap_err().field, "impact");
        let t = "2026-10-25T00:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(utc_to_local_input(t, london), "2026-10-25T01:30");
        assert_eq!(utc_to_local_input(t, "Australia/Sydney"), "2026-10-25T11:30");
    }

    #[test]
    fn a_patch_tells_absent_from_null() {
        let p: IncidentPatchInput = serde_json::from_str(r#"{"impact_ended_at": null}"#).unwrap();
        assert_eq!(p.impact_ended_at, Some(None));
        assert_eq!(p.impact_started_at, None);
        let parsed = p.parse().unwrap();
        assert_eq!(parsed.impact_ended_at, Some(None));
        assert_eq!(parsed.title, None);
    }

    #[test]
    fn an_empty_patch_or_a_backwards_window_is_refused() {
        assert_eq!(IncidentPatchInput::default().parse().unwrap_err().field, "body");
        let p: IncidentPatchInput = serde_json::from_str(
            r#"{"impact_started_at": "2026-11-21T10:00:00Z", "impact_ended_at": "2026-11-21T09:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(p.parse().unwrap_err().field, "impact_ended_at");
        let p = IncidentPatchInput { severity: Some("SEV9".into()), ..Default::default() };
        assert_eq!(p.parse().unwrap_err().field, "severity");
    }

    #[test]
    fn tags_are_normalised_and_bounded() {
        let tags =
            parse_tags(&["Config Change".into(), "config-change".into(), " ".into(), "dns".into()]).unwrap();
        assert_eq!(tags, ["config-change", "dns"]);
        assert!(parse_tags(&["rm -rf /".into()]).is_err());
        let many: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
        assert!(parse_tags(&many).is_err());
    }

    #[test]
    fn links_must_be_web_addresses() {
        let l = LinkInput { url: "https://tickets.example.com/OPS-12".into(), label: String::new() }
            .parse()
            .unwrap();
        assert_eq!(l.label, "tickets.example.com");
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "https://", "https://a b", "ftp://x"] {
            let err = LinkInput { url: bad.into(), label: "x".into() }.parse().unwrap_err();
            assert_eq!(err.field, "url", "{bad}");
        }
    }

    #[test]
    fn notes_pins_roles_and_relations_parse() {
        assert!(NoteInput { body: "  ".into() }.parse().is_err());
        assert_eq!(NoteInput { body: " found it ".into() }.parse().unwrap(), "found it");
        assert_eq!(PinInput { pin: Some("papertrail".into()) }.parse().unwrap(), Some(Pin::Papertrail));
        assert_eq!(PinInput { pin: None }.parse().unwrap(), None);
        assert_eq!(PinInput { pin: Some("later".into()) }.parse().unwrap_err().field, "pin");
        assert_eq!(
            RoleInput { role: "scribe".into(), user_id: None }.parse().unwrap().0,
            IncidentRole::Scribe
        );
        assert_eq!(
            RelatedInput { number: "INC-3".into(), reason: " ".into() }.parse().unwrap_err().field,
            "reason"
        );
        assert_eq!(
            RelatedInput { number: "x".into(), reason: "dup".into() }.parse().unwrap_err().field,
            "number"
        );
    }
}
