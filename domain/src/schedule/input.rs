//! Schedule input as forms and the API send it, and the one parser both use (the editor's live
//! preview runs the same parser in the browser).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fairness::FairnessRules;
use super::rotation::{Layer, Restriction, RotationUnit};
use super::stack::{LayerId, ScheduleLayer, Tier};
use crate::{FieldError, UserId};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleInput {
    pub name: String,
    #[serde(default)]
    pub team_id: Option<crate::team::TeamId>,
    pub time_zone: String,
    pub layers: Vec<LayerInput>,
    /// Absent: the default rules.
    #[serde(default)]
    pub fairness: Option<FairnessRules>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LayerInput {
    /// Present when the layer already exists: keeps its id (escalation levels point at it).
    #[serde(default)]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(default = "primary")]
    #[cfg_attr(feature = "openapi", schema(default = primary))]
    pub tier: String,
    pub participants: Vec<Uuid>,
    /// `hours`, `days` or `weeks`.
    pub unit: String,
    pub length: u32,
    /// `HH:MM` in the schedule's zone.
    pub handoff_time: String,
    /// Weekly rotations: `Mon` .. `Sun`.
    #[serde(default)]
    pub handoff_weekday: Option<String>,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// RFC 3339, optional.
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub restrictions: Vec<RestrictionInput>,
}

fn primary() -> String {
    "primary".into()
}

impl Default for LayerInput {
    fn default() -> Self {
        LayerInput {
            id: None,
            name: "Primary".into(),
            tier: primary(),
            participants: vec![],
            unit: "weeks".into(),
            length: 1,
            handoff_time: "09:00".into(),
            handoff_weekday: Some("Mon".into()),
            start_date: String::new(),
            end: None,
            restrictions: vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictionInput {
    pub weekday: String,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverrideInput {
    pub user_id: Uuid,
    /// RFC 3339.
    pub start: String,
    pub end: String,
    /// Absent: the whole schedule (its primary stack).
    #[serde(default)]
    pub layer_id: Option<Uuid>,
}

/// A schedule's settings after parsing.
#[derive(Debug, Clone)]
pub struct ParsedSchedule {
    pub name: String,
    pub team_id: Option<crate::team::TeamId>,
    pub time_zone: Tz,
    pub layers: Vec<ScheduleLayer>,
    pub fairness: FairnessRules,
}

pub const MAX_LAYERS: usize = 10;
pub const MAX_PARTICIPANTS: usize = 100;

pub fn parse_time(field: &str, s: &str) -> Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .map_err(|_| FieldError::new(field, format!("'{s}' is not a time of day such as 09:00")))
}

pub fn parse_weekday(field: &str, s: &str) -> Result<Weekday, FieldError> {
    s.trim()
        .parse::<Weekday>()
        .map_err(|_| FieldError::new(field, format!("'{s}' is not a weekday such as Mon")))
}

pub fn parse_instant(field: &str, s: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(s.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        FieldError::new(field, format!("'{s}' is not an RFC 3339 time such as 2026-05-03T14:00:00Z"))
    })
}

impl ScheduleInput {
    /// Parses every field; the first bad one is reported with its path (`layers[1].length`).
    /// `new_id` names layers that do not exist yet.
    pub fn parse(&self, mut new_id: impl FnMut() -> Uuid) -> Result<ParsedSchedule, FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(FieldError::new("name", "must be 1 to 100 characters"));
        }
        let time_zone: Tz = self.time_zone.trim().parse().map_err(|_| {
            FieldError::new(
                "time_zone",
                format!("'{}' is not an IANA time zone such as Europe/London", self.time_zone),
            )
        })?;
        if self.layers.is_empty() {
            return Err(FieldError::new("layers", "a schedule needs at least one layer"));
        }
        if self.layers.len() > MAX_LAYERS {
            return Err(FieldError::new("layers", format!("at most {MAX_LAYERS} layers")));
        }
        let mut layers = Vec::with_capacity(self.layers.len());
        for (i, l) in self.layers.iter().enumerate() {
            let id = l.id.unwrap_or_else(&mut new_id);
            if layers.iter().any(|x: &ScheduleLayer| x.id.0 == id) {
                return Err(FieldError::new(format!("layers[{i}].id"), "appears twice"));
            }
            layers.push(l.parse(&format!("layers[{i}]"), LayerId(id))?);
        }
        let fairness = self.fairness.unwrap_or_default();
        for (field, limit) in [
            ("fairness.max_days_in_30", fairness.max_days_in_30.map(|l| (l.value, 1, 30))),
            ("fairness.max_consecutive_nights", fairness.max_consecutive_nights.map(|l| (l.value, 1, 60))),
            ("fairness.min_rest_hours", fairness.min_rest_hours.map(|l| (l.value, 1, 72))),
        ] {
            if let Some((v, lo, hi)) = limit
                && !(lo..=hi).contains(&v)
            {
                return Err(FieldError::new(field, format!("must be between {lo} and {hi}")));
            }
        }
        Ok(ParsedSchedule { name: name.to_owned(), team_id: self.team_id, time_zone, layers, fairness })
    }
}

impl LayerInput {
    fn parse(&self, at: &str, id: LayerId) -> Result<ScheduleLayer, FieldError> {
        let field = |f: &str| format!("{at}.{f}");
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(FieldError::new(field("name"), "must be 1 to 60 characters"));
        }
        let tier = Tier::parse(self.tier.trim())
            .ok_or_else(|| FieldError::new(field("tier"), "must be primary or secondary"))?;
        if self.participants.is_empty() {
            return Err(FieldError::new(field("participants"), "a layer needs at least one person"));
        }
        if self.participants.len() > MAX_PARTICIPANTS {
            return Err(FieldError::new(field("participants"), format!("at most {MAX_PARTICIPANTS} people")));
        }
        let (unit, max) = match self.unit.trim() {
            "hours" => (RotationUnit::Hours, 24 * 7 * 4),
            "days" => (RotationUnit::Days, 365),
            "weeks" => (RotationUnit::Weeks, 52),
            other => {
                return Err(FieldError::new(field("unit"), format!("'{other}' is not hours, days or weeks")));
            }
        };
        if self.length == 0 || self.length > max {
            return Err(FieldError::new(
                field("length"),
                format!("must be between 1 and {max} {}", self.unit.trim()),
            ));
        }
        let handoff_time = parse_time(&field("handoff_time"), &self.handoff_time)?;
        let handoff_weekday = match (unit, self.handoff_weekday.as_deref().map(str::trim)) {
            (RotationUnit::Weeks, Some(d)) if !d.is_empty() => {
                Some(parse_weekday(&field("handoff_weekday"), d)?)
            }
            (RotationUnit::Weeks, _) => {
                return Err(FieldError::new(
                    field("handoff_weekday"),
                    "weekly rotations need a handoff weekday",
                ));
            }
            _ => None,
        };
        let start_date = NaiveDate::parse_from_str(self.start_date.trim(), "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                field("start_date"),
                format!("'{}' is not a date such as 2026-05-04", self.start_date),
            )
        })?;
        let end = match self.end.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => Some(parse_instant(&field("end"), e)?),
            _ => None,
        };
        let mut restrictions = Vec::with_capacity(self.restrictions.len());
        if self.restrictions.len() > 50 {
            return Err(FieldError::new(field("restrictions"), "at most 50 windows"));
        }
        for (j, r) in self.restrictions.iter().enumerate() {
            let rf = |f: &str| format!("{at}.restrictions[{j}].{f}");
            restrictions.push(Restriction {
                weekday: parse_weekday(&rf("weekday"), &r.weekday)?,
                start: parse_time(&rf("start"), &r.start)?,
                end: parse_time(&rf("end"), &r.end)?,
            });
        }
        let rotation = Layer {
            participants: self.participants.iter().map(|&u| UserId(u)).collect(),
            unit,
            length: self.length,
            handoff_time,
            handoff_weekday,
            start_date,
            end,
            restrictions,
        };
        Ok(ScheduleLayer { id, name: name.to_owned(), tier, rotation })
    }

    /// The input that parses back to `layer` (for editing a saved schedule).
    pub fn from_layer(layer: &ScheduleLayer) -> LayerInput {
        let r = &layer.rotation;
        LayerInput {
            id: Some(layer.id.0),
            name: layer.name.clone(),
            tier: layer.tier.as_str().into(),
            participants: r.participants.iter().map(|u| u.0).collect(),
            unit: match r.unit {
                RotationUnit::Hours => "hours",
                RotationUnit::Days => "days",
                RotationUnit::Weeks => "weeks",
            }
            .into(),
            length: r.length,
            handoff_time: r.handoff_time.format("%H:%M").to_string(),
            handoff_weekday: r.handoff_weekday.map(|d| d.to_string()),
            start_date: r.start_date.format("%Y-%m-%d").to_string(),
            end: r.end.map(|e| e.to_rfc3339()),
            restrictions: r
                .restrictions
                .iter()
                .map(|x| RestrictionInput {
                    weekday: x.weekday.to_string(),
                    start: x.start.format("%H:%M").to_string(),
                    end: x.end.format("%H:%M").to_string(),
                })
                .collect(),
        }
    }
}

/// A parsed override (the caller checks the person and the layer exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedOverride {
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub layer: Option<LayerId>,
}

impl OverrideInput {
    pub fn parse(&self, now: DateTime<Utc>) -> Result<ParsedOverride, FieldError> {
        let start = parse_instant("start", &self.start)?;
        let end = parse_instant("end", &self.end)?;
        if end <= start {
            return Err(FieldError::new("end", "must be after the start"));
        }
        if end <= now {
            return Err(FieldError::new(
                "end",
                "is in the past: an override changes who is on call from now on",
            ));
        }
        if end - start > chrono::Duration::days(366) {
            return Err(FieldError::new("end", "an override lasts at most a year"));
        }
        Ok(ParsedOverride { user: UserId(self.user_id), start, end, layer: self.layer_id.map(LayerId) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ScheduleInput {
        ScheduleInput {
            name: "Payments".into(),
            team_id: None,
            time_zone: "Europe/London".into(),
            layers: vec![LayerInput {
                participants: vec![Uuid::from_u128(1), Uuid::from_u128(2)],
                start_date: "2026-06-01".into(),
                restrictions: vec![RestrictionInput {
                    weekday: "Mon".into(),
                    start: "09:00".into(),
                    end: "15:30".into(),
                }],
                ..LayerInput::default()
            }],
            fairness: None,
        }
    }

    #[test]
    fn a_valid_schedule_parses_and_round_trips_through_the_editor_form() {
        let parsed = input().parse(|| Uuid::from_u128(42)).unwrap();
        assert_eq!(parsed.layers[0].id, LayerId(Uuid::from_u128(42)));
        assert_eq!(parsed.layers[0].rotation.handoff_weekday, Some(Weekday::Mon));
        assert_eq!(parsed.fairness, FairnessRules::default());
        let back = LayerInput::from_layer(&parsed.layers[0]);
        assert_eq!(back, LayerInput { id: Some(Uuid::from_u128(42)), ..input().layers[0].clone() });
    }

    type Change = Box<dyn Fn(&mut ScheduleInput)>;

    #[test]
    fn each_bad_field_is_named_with_its_path() {
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|i| i.name = " ".into()), "name"),
            (Box::new(|i| i.time_zone = "Mars/Olympus".into()), "time_zone"),
            (Box::new(|i| i.layers.clear()), "layers"),
            (Box::new(|i| i.layers[0].participants.clear()), "layers[0].participants"),
            (Box::new(|i| i.layers[0].unit = "fortnights".into()), "layers[0].unit"),
            (Box::new(|i| i.layers[0].length = 0), "layers[0].length"),
            (Box::new(|i| i.layers[0].handoff_time = "9am".into()), "layers[0].handoff_time"),
            (Box::new(|i| i.layers[0].handoff_weekday = None), "layers[0].handoff_weekday"),
            (Box::new(|i| i.layers[0].start_date = "01/06/2026".into()), "layers[0].start_date"),
            (Box::new(|i| i.layers[0].end = Some("tomorrow".into())), "layers[0].end"),
            (Box::new(|i| i.layers[0].tier = "tertiary".into()), "layers[0].tier"),
            (
                Box::new(|i| i.layers[0].restrictions[0].weekday = "Funday".into()),
                "layers[0].restrictions[0].weekday",
            ),
            (
                Box::new(|i| {
                    i.fairness = Some(FairnessRules {
                        max_days_in_30: Some(super::super::fairness::Limit { value: 31, hard: false }),
                        ..FairnessRules::default()
                    })
                }),
                "fairness.max_days_in_30",
            ),
        ];
        for (change, field) in cases {
            let mut i = input();
            change(&mut i);
            let err = i.parse(|| Uuid::from_u128(99)).unwrap_err();
            assert_eq!(err.field, field, "{err}");
        }
    }

    #[test]
    fn overrides_must_end_after_they_start_and_after_now() {
        let now = "2026-06-01T00:00:00Z".parse().unwrap();
        let o = |start: &str, end: &str| OverrideInput {
            user_id: Uuid::from_u128(1),
            start: start.into(),
            end: end.into(),
            layer_id: None,
        };
        assert!(o("2026-06-02T14:00:00+01:00", "2026-06-02T18:00:00+01:00").parse(now).is_ok());
        assert_eq!(o("2026-06-02T14:00:00Z", "2026-06-02T14:00:00Z").parse(now).unwrap_err().field, "end");
        assert_eq!(o("2026-05-02T14:00:00Z", "2026-05-02T18:00:00Z").parse(now).unwrap_err().field, "end");
        assert_eq!(o("May 2", "2026-06-02T18:00:00Z").parse(now).unwrap_err().field, "start");
    }
}

/// The longest override a responder may add; longer ones need an admin.
pub const RESPONDER_OVERRIDE_DAYS: i64 = 14;

/// Why someone may not add an override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideRefusal {
    /// Not a member of the schedule's team (or the schedule has none), and not an admin.
    NotTheirTeam,
    /// Invalid for this caller or anyone: the field and the reason.
    Field(FieldError),
}

/// Who may put whom on call by override: anyone may only put responders and admins on call (a
/// viewer takes no pages); a responder only on their own team's schedules and for at most
/// [`RESPONDER_OVERRIDE_DAYS`]; an admin anywhere, for any length.
pub fn may_override(
    by: crate::Role,
    member_of_schedules_team: bool,
    covering: crate::Role,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(), OverrideRefusal> {
    if covering == crate::Role::Viewer {
        return Err(OverrideRefusal::Field(FieldError::new(
            "user_id",
            "is a viewer; only responders and admins go on call",
        )));
    }
    if by == crate::Role::Admin {
        return Ok(());
    }
    if !member_of_schedules_team {
        return Err(OverrideRefusal::NotTheirTeam);
    }
    if end - start > chrono::Duration::days(RESPONDER_OVERRIDE_DAYS) {
        return Err(OverrideRefusal::Field(FieldError::new(
            "end",
            format!(
                "a responder's override covers at most {RESPONDER_OVERRIDE_DAYS} days; longer ones need an admin"
            ),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod override_rules {
    use super::*;
    use crate::Role::{Admin, Responder, Viewer};
    use chrono::TimeZone;

    fn days(n: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        (start, start + chrono::Duration::days(n))
    }

    #[test]
    fn responders_cover_their_teams_schedules_for_two_weeks_at_most() {
        let (s, e) = days(14);
        assert_eq!(may_override(Responder, true, Responder, s, e), Ok(()));
        assert_eq!(may_override(Responder, false, Responder, s, e), Err(OverrideRefusal::NotTheirTeam));
        let (s, e) = days(15);
        assert!(
            matches!(may_override(Responder, true, Admin, s, e), Err(OverrideRefusal::Field(f)) if f.field == "end")
        );
        assert_eq!(may_override(Admin, false, Responder, s, e), Ok(()));
    }

    #[test]
    fn nobody_puts_a_viewer_on_call() {
        let (s, e) = days(1);
        for by in [Responder, Admin] {
            assert!(
                matches!(may_override(by, true, Viewer, s, e), Err(OverrideRefusal::Field(f)) if f.field == "user_id")
            );
        }
    }
}
