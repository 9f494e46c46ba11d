//! What pages and the API show of schedules: the saved schedule with the people it names, who is
//! on call now and next, and how much on-call each person carries.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::fairness::FairnessRules;
use super::input::{LayerInput, ScheduleInput};
use super::rotation::resolve_local;
use super::stack::{
    FinalShift, Gap, LayerId, Override, OverrideId, Schedule, ScheduleId, ScheduleLayer, Scope, Tier,
};
use crate::UserId;
use crate::team::TeamId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleView {
    pub id: ScheduleId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub team_id: Option<TeamId>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub team_name: Option<String>,
    pub time_zone: String,
    /// Bottom to top: a later layer wins where it covers.
    pub layers: Vec<ScheduleLayer>,
    pub overrides: Vec<Override>,
    pub fairness: FairnessRules,
    /// Everyone the layers and overrides name.
    pub people: Vec<PersonRef>,
    /// The caller's own calendar feed of this schedule (secret: it carries their feed token).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub feed_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl ScheduleView {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            time_zone: self.time_zone.parse().unwrap_or(chrono_tz::UTC),
            layers: self.layers.clone(),
            overrides: self.overrides.clone(),
        }
    }

    pub fn person(&self, id: UserId) -> Option<&PersonRef> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn layer_name(&self, id: LayerId) -> Option<&str> {
        self.layers.iter().find(|l| l.id == id).map(|l| l.name.as_str())
    }

    /// The editor's starting point.
    pub fn to_input(&self) -> ScheduleInput {
        ScheduleInput {
            name: self.name.clone(),
            team_id: self.team_id,
            time_zone: self.time_zone.clone(),
            layers: self.layers.iter().map(LayerInput::from_layer).collect(),
            fairness: Some(self.fairness),
        }
    }
}

/// One line of the schedules list: a stack or a layer, who holds it now and who is next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnCallRow {
    /// "Primary", "Secondary", or the layer's name.
    pub label: String,
    pub tier: Tier,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub layer: Option<LayerId>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub now: Option<PersonRef>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub until: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub next: Option<PersonRef>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub next_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleSummary {
    pub id: ScheduleId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub team_name: Option<String>,
    pub time_zone: String,
    /// The final answer of each stack first, then each layer on its own.
    pub rows: Vec<OnCallRow>,
}

/// Someone on call right now, for `/oncall` and `GET /api/v1/oncall`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnCallEntry {
    pub schedule_id: ScheduleId,
    pub schedule_name: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub team_name: Option<String>,
    pub tier: Tier,
    pub user: PersonRef,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// One of my coming shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyShift {
    pub schedule_id: ScheduleId,
    pub schedule_name: String,
    pub tier: Tier,
    pub layer_name: Option<String>,
    pub overridden: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadRow {
    pub person: PersonRef,
    pub last_90: Load,
    pub next_90: Load,
}

/// The personal view: my next shifts and everyone's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnCallOverview {
    pub now: Vec<OnCallEntry>,
    pub mine: Vec<MyShift>,
    pub load: Vec<LoadRow>,
}

/// Who holds a stack or layer now, until when, and who comes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NowNext {
    pub current: Option<FinalShift>,
    pub next: Option<FinalShift>,
}

/// How far ahead "next" and "until" look.
pub const LOOKAHEAD_DAYS: i64 = 120;

impl Schedule {
    pub fn now_and_next(&self, scope: Scope, now: DateTime<Utc>) -> NowNext {
        let t = self.timeline(scope, now, now + Duration::days(LOOKAHEAD_DAYS));
        let mut shifts = t.shifts.into_iter().peekable();
        let mut current = shifts.next_if(|s| s.start <= now);
        // The same person straight on (another turn, or an override of their own shift) is one
        // stretch for "until when".
        if let Some(c) = current.as_mut() {
            while let Some(s) = shifts.next_if(|s| s.user == c.user && s.start == c.end) {
                c.end = s.end;
            }
        }
        NowNext { current, next: shifts.next() }
    }
}

/// On-call load for one person over a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Load {
    pub hours: f64,
    /// Nights with at least an hour on call between 00:00 and 06:00 (the schedule's zone).
    pub nights: u32,
    /// Hours on Saturdays and Sundays (the schedule's zone).
    pub weekend_hours: f64,
}

impl Load {
    pub fn add(&mut self, other: Load) {
        self.hours += other.hours;
        self.nights += other.nights;
        self.weekend_hours += other.weekend_hours;
    }
}

/// Each person's load in both stacks of `schedule` over `[from, to)`.
pub fn load(schedule: &Schedule, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeMap<UserId, Load> {
    let tz = schedule.time_zone;
    let mut out: BTreeMap<UserId, Load> = BTreeMap::new();
    let mut shifts = Vec::new();
    for tier in Tier::ALL {
        shifts.extend(schedule.timeline(Scope::Tier(tier), from, to).shifts);
    }
    let hours = |d: Duration| d.num_minutes() as f64 / 60.0;
    let overlap = |s: &FinalShift, a: DateTime<Utc>, b: DateTime<Utc>| {
        (s.end.min(b) - s.start.max(a)).max(Duration::zero())
    };
    let mut day = from.with_timezone(&tz).date_naive();
    let last = to.with_timezone(&tz).date_naive();
    // Per local day: weekend hours, and whether each person worked that night.
    while day <= last {
        let start = resolve_local(tz, day.and_time(NaiveTime::MIN));
        let six = resolve_local(tz, day.and_hms_opt(6, 0, 0).unwrap_or_default());
        let end = day.succ_opt().map_or(to, |d| resolve_local(tz, d.and_time(NaiveTime::MIN)));
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let mut night: BTreeMap<UserId, Duration> = BTreeMap::new();
        for s in &shifts {
            if weekend {
                out.entry(s.user).or_default().weekend_hours +=
                    hours(overlap(s, start.max(from), end.min(to)));
            }
            *night.entry(s.user).or_insert_with(Duration::zero) += overlap(s, start.max(from), six.min(to));
        }
        for (user, d) in night {
            if d >= Duration::hours(1) {
                out.entry(user).or_default().nights += 1;
            }
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    for s in &shifts {
        out.entry(s.user).or_default().hours += hours(s.end - s.start);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use uuid::Uuid;

    use super::*;
    use crate::schedule::testing;

    fn weekly(people: u128) -> Schedule {
        testing::weekly(chrono_tz::America::New_York, people)
    }

    #[test]
    fn now_and_next_name_the_holder_until_the_handoff_and_the_next_person() {
        let s = weekly(2);
        let now = Utc.with_ymd_and_hms(2026, 1, 7, 12, 0, 0).unwrap();
        let nn = s.now_and_next(Scope::Tier(Tier::Primary), now);
        let current = nn.current.unwrap();
        assert_eq!(current.user, UserId(Uuid::from_u128(1)));
        // Monday 12 January 09:00 EST.
        assert_eq!(current.end, Utc.with_ymd_and_hms(2026, 1, 12, 14, 0, 0).unwrap());
        assert_eq!(nn.next.unwrap().user, UserId(Uuid::from_u128(2)));
    }

    #[test]
    fn until_runs_through_an_override_of_the_same_person() {
        let mut s = weekly(2);
        let handoff = Utc.with_ymd_and_hms(2026, 1, 12, 14, 0, 0).unwrap();
        // Person 1 also covers the first hours of person 2's week.
        s.overrides.push(crate::schedule::Override {
            id: crate::schedule::OverrideId(Uuid::from_u128(9)),
            user: UserId(Uuid::from_u128(1)),
            start: handoff,
            end: handoff + Duration::hours(5),
            layer: None,
        });
        let nn =
            s.now_and_next(Scope::Tier(Tier::Primary), Utc.with_ymd_and_hms(2026, 1, 7, 12, 0, 0).unwrap());
        assert_eq!(nn.current.unwrap().end, handoff + Duration::hours(5));
        let next = nn.next.unwrap();
        assert_eq!((next.user, next.start), (UserId(Uuid::from_u128(2)), handoff + Duration::hours(5)));
    }

    #[test]
    fn a_week_of_cover_is_168_hours_seven_nights_and_a_weekend() {
        let s = weekly(1);
        let from = Utc.with_ymd_and_hms(2026, 1, 12, 14, 0, 0).unwrap();
        let l = load(&s, from, from + Duration::weeks(1));
        let me = l[&UserId(Uuid::from_u128(1))];
        assert_eq!(me.hours, 168.0);
        assert_eq!(me.nights, 7);
        assert_eq!(me.weekend_hours, 48.0);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holder {
    pub user: PersonRef,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LayerHolder {
    pub layer_id: LayerId,
    pub name: String,
    pub tier: Tier,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub user: Option<PersonRef>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub until: Option<DateTime<Utc>>,
}

/// `GET /api/v1/schedules/{id}/oncall?at=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnCallAt {
    pub schedule_id: ScheduleId,
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub primary: Option<Holder>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub secondary: Option<Holder>,
    pub layers: Vec<LayerHolder>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftOut {
    pub user: PersonRef,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub layer_id: Option<LayerId>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub layer_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub override_id: Option<OverrideId>,
}

/// `GET /api/v1/schedules/{id}/shifts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftsOut {
    pub schedule_id: ScheduleId,
    pub time_zone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub shifts: Vec<ShiftOut>,
    pub gaps: Vec<Gap>,
}
