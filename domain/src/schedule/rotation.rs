//! One layer's rotation: who holds it at an instant, and its shifts over a range.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::UserId;

/// The instant a local date and time in `tz` names: the first valid instant after a skipped time,
/// the first occurrence of a repeated one.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: walk forward a minute at a time to the first local time that exists, which
            // is the transition itself. Gaps are at most a few hours in every zone.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            // No zone has a day-long gap; fall back to reading the time as UTC.
            Utc.from_utc_datetime(&local)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RotationUnit {
    Hours,
    Days,
    Weeks,
}

/// A time-of-day window on one local weekday (e.g. Monday 09:00-15:30). An end at or before the
/// start runs into the next day (Friday 22:00-06:00 ends Saturday morning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Restriction {
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Weekday))]
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Restriction {
    fn window_on(&self, tz: Tz, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if date.weekday() != self.weekday {
            return None;
        }
        let start = resolve_local(tz, date.and_time(self.start));
        let end_date = if self.end <= self.start { date.succ_opt()? } else { date };
        let end = resolve_local(tz, end_date.and_time(self.end));
        (start < end).then_some((start, end))
    }
}

/// A rotation layer: participants take turns, each for `length` units, handing off at a wall-clock
/// time (and weekday, for weekly rotations) in the schedule's zone, from `start_date` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Layer {
    pub participants: Vec<UserId>,
    pub unit: RotationUnit,
    pub length: u32,
    pub handoff_time: NaiveTime,
    /// Weekly rotations only: the weekday of the handoff.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Weekday>, required))]
    pub handoff_weekday: Option<Weekday>,
    pub start_date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub end: Option<DateTime<Utc>>,
    /// When set, the layer covers only these windows. The rotation runs on regardless (as in
    /// PagerDuty): a restriction hides part of a shift, it never changes whose turn it is.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub restrictions: Vec<Restriction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Layer {
    /// The local date-time of the first handoff: the start date at the handoff time, moved to the
    /// handoff weekday for weekly rotations.
    fn anchor(&self) -> NaiveDateTime {
        let mut date = self.start_date;
        if self.unit == RotationUnit::Weeks
            && let Some(day) = self.handoff_weekday
        {
            while date.weekday() != day {
                date = date.succ_opt().unwrap_or(date);
            }
        }
        date.and_time(self.handoff_time)
    }

    /// Whether hour rotations follow the wall clock (N divides a day) or elapsed time.
    fn wall_clock(&self) -> bool {
        self.unit != RotationUnit::Hours || (self.length > 0 && 24 % self.length == 0)
    }

    /// The instant of handoff `k` (handoff 0 starts the first shift).
    pub fn handoff(&self, tz: Tz, k: i64) -> DateTime<Utc> {
        let n = i64::from(self.length.max(1));
        let anchor = self.anchor();
        match self.unit {
            RotationUnit::Days => resolve_local(tz, anchor + Duration::days(k * n)),
            RotationUnit::Weeks => resolve_local(tz, anchor + Duration::weeks(k * n)),
            RotationUnit::Hours if self.wall_clock() => {
                let hours = k * n;
                let days = hours.div_euclid(24);
                let rest = hours.rem_euclid(24);
                resolve_local(tz, anchor + Duration::days(days) + Duration::hours(rest))
            }
            RotationUnit::Hours => resolve_local(tz, anchor) + Duration::hours(k * n),
        }
    }

    /// The index of the shift holding instant `t`: the last handoff at or before it.
    fn index_at(&self, tz: Tz, t: DateTime<Utc>) -> i64 {
        let first = self.handoff(tz, 0);
        let approx_unit = match self.unit {
            RotationUnit::Hours => Duration::hours(i64::from(self.length.max(1))),
            RotationUnit::Days => Duration::days(i64::from(self.length.max(1))),
            RotationUnit::Weeks => Duration::weeks(i64::from(self.length.max(1))),
        };
        let mut k = (t - first).num_seconds().div_euclid(approx_unit.num_seconds().max(1));
        // Offsets shift handoffs by at most a few hours from the estimate: correct by stepping.
        while self.handoff(tz, k) > t {
            k -= 1;
        }
        while self.handoff(tz, k + 1) <= t {
            k += 1;
        }
        k
    }

    /// The restriction windows overlapping `[from, to)`, in order, merged where they touch.
    fn windows(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&tz).date_naive();
        let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        let mut day = first;
        while day <= last {
            for r in &self.restrictions {
                if let Some((s, e)) = r.window_on(tz, day)
                    && e > from
                    && s < to
                {
                    out.push((s.max(from), e.min(to)));
                }
            }
            day += Duration::days(1);
        }
        out.sort();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for (s, e) in out {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }

    /// Who holds this layer at `t`, if anyone (before the start, after the end, outside its
    /// restrictions, no participants).
    pub fn on_call_at(&self, tz: Tz, t: DateTime<Utc>) -> Option<UserId> {
        if self.participants.is_empty() || t < self.handoff(tz, 0) || self.end.is_some_and(|e| t >= e) {
            return None;
        }
        if !self.restrictions.is_empty() {
            let probe = self.windows(tz, t, t + Duration::seconds(1));
            if probe.is_empty() {
                return None;
            }
        }
        let k = self.index_at(tz, t);
        Some(self.participants[k.rem_euclid(self.participants.len() as i64) as usize])
    }

    /// The shifts overlapping `[from, to)`, cut to it and to the layer's end.
    pub fn shifts(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
        let mut out = Vec::new();
        if self.participants.is_empty() || from >= to {
            return out;
        }
        let to = self.end.map_or(to, |e| e.min(to));
        let start = self.handoff(tz, 0).max(from);
        if start >= to {
            return out;
        }
        let mut k = self.index_at(tz, start);
        loop {
            let (s, e) = (self.handoff(tz, k), self.handoff(tz, k + 1));
            if s >= to {
                break;
            }
            let user = self.participants[k.rem_euclid(self.participants.len() as i64) as usize];
            // Two handoffs inside one skipped hour land on the same instant: that turn is empty.
            if s.max(from) < e.min(to) {
                out.push(Shift { user, start: s.max(from), end: e.min(to) });
            }
            k += 1;
        }
        if self.restrictions.is_empty() {
            return out;
        }
        let windows = self.windows(tz, from, to);
        let mut cut = Vec::new();
        for shift in out {
            for &(ws, we) in &windows {
                let (s, e) = (shift.start.max(ws), shift.end.min(we));
                if s < e {
                    cut.push(Shift { user: shift.user, start: s, end: e });
                }
            }
        }
        cut
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn weekly_monday_0900() -> Layer {
        Layer {
            participants: vec![user(1), user(2), user(3)],
            unit: RotationUnit::Weeks,
            length: 1,
            handoff_time: time(9, 0),
            handoff_weekday: Some(Weekday::Mon),
            start_date: date(2026, 3, 1), // a Sunday: the first handoff is Monday 2 March
            end: None,
            restrictions: vec![],
        }
    }

    #[test]
    fn weekly_handoffs_stay_at_0900_local_across_both_changes() {
        let london: Tz = "Europe/London".parse().unwrap();
        let layer = weekly_monday_0900();
        assert_eq!(layer.handoff(london, 0), utc(2026, 3, 2, 9, 0)); // GMT
        // Clocks go forward on Sunday 29 March: the shift from 23 March is 167 hours.
        assert_eq!(layer.handoff(london, 3), utc(2026, 3, 23, 9, 0));
        assert_eq!(layer.handoff(london, 4), utc(2026, 3, 30, 8, 0)); // 09:00 BST
        assert_eq!((layer.handoff(london, 4) - layer.handoff(london, 3)).num_hours(), 167);
        // Back on Sunday 25 October: the shift from 19 October is 169 hours.
        let k = (date(2026, 10, 19) - date(2026, 3, 2)).num_weeks();
        assert_eq!(layer.handoff(london, k), utc(2026, 10, 19, 8, 0));
        assert_eq!(layer.handoff(london, k + 1), utc(2026, 10, 26, 9, 0));
        assert_eq!((layer.handoff(london, k + 1) - layer.handoff(london, k)).num_hours(), 169);
    }

    #[test]
    fn a_skipped_handoff_time_moves_to_the_change_and_a_repeated_one_takes_the_first() {
        let london: Tz = "Europe/London".parse().unwrap();
        // 01:30 does not exist on 29 March 2026 in London: 01:00 GMT jumps to 02:00 BST.
        assert_eq!(resolve_local(london, date(2026, 3, 29).and_time(time(1, 30))), utc(2026, 3, 29, 1, 0));
        // 01:30 happens twice on 25 October: first in BST (00:30 UTC), then in GMT.
        assert_eq!(resolve_local(london, date(2026, 10, 25).and_time(time(1, 30))), utc(2026, 10, 25, 0, 30));
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(resolve_local(ny, date(2026, 3, 8).and_time(time(2, 30))), utc(2026, 3, 8, 7, 0));
        assert_eq!(resolve_local(ny, date(2026, 11, 1).and_time(time(1, 30))), utc(2026, 11, 1, 5, 30));
        // Chatham moves by 45-minute offsets: its gap still resolves to the change.
        let chatham: Tz = "Pacific/Chatham".parse().unwrap();
        let gap = resolve_local(chatham, date(2026, 9, 27).and_time(time(3, 0)));
        assert_eq!(gap.with_timezone(&chatham).time(), time(3, 45));
    }

    #[test]
    fn a_daily_layer_handing_off_in_the_skipped_hour() {
        let london: Tz = "Europe/London".parse().unwrap();
        let layer = Layer {
            unit: RotationUnit::Days,
            handoff_time: time(1, 30),
            handoff_weekday: None,
            start_date: date(2026, 3, 27),
            ..weekly_monday_0900()
        };
        let handoffs: Vec<_> = (0..4).map(|k| layer.handoff(london, k)).collect();
        assert_eq!(
            handoffs,
            vec![
                utc(2026, 3, 27, 1, 30),
                utc(2026, 3, 28, 1, 30),
                utc(2026, 3, 29, 1, 0),
                utc(2026, 3, 30, 0, 30)
            ]
        );
    }

    #[test]
    fn twelve_hour_rotations_stay_on_the_wall_clock() {
        let london: Tz = "Europe/London".parse().unwrap();
        let layer = Layer {
            unit: RotationUnit::Hours,
            length: 12,
            handoff_time: time(8, 0),
            handoff_weekday: None,
            start_date: date(2026, 3, 28),
            ..weekly_monday_0900()
        };
        let local: Vec<_> = (0..6).map(|k| layer.handoff(london, k).with_timezone(&london).time()).collect();
        assert!(local.iter().all(|t| *t == time(8, 0) || *t == time(20, 0)), "{local:?}");
    }

    #[test]
    fn who_is_on_call_matches_the_shift_that_contains_the_instant() {
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        let layer = weekly_monday_0900();
        let (from, to) = (utc(2026, 3, 1, 0, 0), utc(2027, 3, 1, 0, 0));
        let shifts = layer.shifts(sydney, from, to);
        for pair in shifts.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "no gap or overlap");
            assert_ne!(pair[0].user, pair[1].user);
        }
        for s in &shifts {
            assert_eq!(s.start.with_timezone(&sydney).weekday(), Weekday::Mon);
            assert_eq!(layer.on_call_at(sydney, s.start), Some(s.user));
            assert_eq!(layer.on_call_at(sydney, s.end - Duration::seconds(1)), Some(s.user));
        }
        assert_eq!(layer.on_call_at(sydney, utc(2026, 2, 1, 0, 0)), None, "before the first handoff");
    }

    #[test]
    fn business_hours_restrictions_hide_the_rest_and_the_rotation_runs_on() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        let layer = Layer {
            unit: RotationUnit::Days,
            handoff_time: time(0, 0),
            handoff_weekday: None,
            start_date: date(2026, 3, 2),
            restrictions: weekdays
                .iter()
                .map(|&d| Restriction { weekday: d, start: time(9, 0), end: time(15, 30) })
                .collect(),
            ..weekly_monday_0900()
        };
        // Two weeks spanning the change to EDT on Sunday 8 March.
        let shifts = layer.shifts(ny, utc(2026, 3, 2, 0, 0), utc(2026, 3, 16, 0, 0));
        assert_eq!(shifts.len(), 10, "one window per weekday");
        for s in &shifts {
            let (a, b) = (s.start.with_timezone(&ny), s.end.with_timezone(&ny));
            assert_eq!((a.time(), b.time()), (time(9, 0), time(15, 30)), "{a} - {b}");
            assert!(weekdays.contains(&a.weekday()));
        }
        // Day k of the rotation belongs to participant k mod 3, weekend days included.
        assert_eq!(shifts[0].user, user(1)); // Monday 2 March: day 0
        assert_eq!(shifts[5].user, user(2)); // Monday 9 March: day 7
        assert_eq!(layer.on_call_at(ny, utc(2026, 3, 9, 14, 0)), Some(user(2))); // 10:00 EDT
        assert_eq!(layer.on_call_at(ny, utc(2026, 3, 9, 20, 0)), None); // 16:00 EDT
        assert_eq!(layer.on_call_at(ny, utc(2026, 3, 7, 15, 0)), None); // Saturday
    }

    #[test]
    fn an_overnight_window_runs_into_the_next_day() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        let layer = Layer {
            restrictions: vec![Restriction { weekday: Weekday::Fri, start: time(22, 0), end: time(6, 0) }],
            ..weekly_monday_0900()
        };
        let shifts = layer.shifts(kolkata, utc(2026, 3, 2, 0, 0), utc(2026, 3, 9, 0, 0));
        assert_eq!(shifts.len(), 1);
        assert_eq!((shifts[0].end - shifts[0].start).num_hours(), 8);
        assert_eq!(shifts[0].start.with_timezone(&kolkata).weekday(), Weekday::Fri);
    }

    #[test]
    fn a_layer_ends_where_it_is_told() {
        let london: Tz = "Europe/London".parse().unwrap();
        let end = utc(2026, 3, 18, 12, 0);
        let layer = Layer { end: Some(end), ..weekly_monday_0900() };
        let shifts = layer.shifts(london, utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0));
        assert_eq!(shifts.last().map(|s| s.end), Some(end));
        assert_eq!(layer.on_call_at(london, end - Duration::seconds(1)), Some(user(3)));
        assert_eq!(layer.on_call_at(london, end), None);
        assert!(layer.shifts(london, end, utc(2026, 4, 1, 0, 0)).is_empty());
    }
}
