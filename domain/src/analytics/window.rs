//! The days and weeks figures are counted over: local days in a viewer's or a team's zone, as
//! UTC instants. An incident belongs to a window by when it was declared (`created_at`), in
//! `[start, end)`.

use std::{fmt, str::FromStr};

use chrono::{
    DateTime, Datelike, Duration, IsoWeek, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use crate::{FieldError, postmortem::due::end_of_day};

/// The longest window a figure is computed over.
pub const MAX_DAYS: i64 = 3 * 366;
/// The years a window or week may fall in: far wider than any incident, narrower than what a
/// database timestamp holds.
pub const MIN_YEAR: i32 = 1970;
pub const MAX_YEAR: i32 = 9998;

/// Local days `[from, to)` in `zone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    /// The first day not included.
    pub to: NaiveDate,
    pub zone: Tz,
}

/// The first instant of a local day (where midnight does not exist, the day's first instant).
pub fn start_of_day(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    end_of_day(day.pred_opt().unwrap_or(day), zone)
}

impl Window {
    /// A window from the API's or a form's `from` and `to` (ISO dates; `to` excluded).
    pub fn parse(from: &str, to: &str, zone: Tz) -> Result<Window, FieldError> {
        let day = |field: &'static str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                FieldError::new(field, format!("'{}' is not a date such as 2026-11-23", s.trim()))
            })
        };
        let (from, to) = (day("from", from)?, day("to", to)?);
        Window::new(from, to, zone)
    }

    pub fn new(from: NaiveDate, to: NaiveDate, zone: Tz) -> Result<Window, FieldError> {
        for (field, day) in [("from", from), ("to", to)] {
            if !(MIN_YEAR..=MAX_YEAR).contains(&day.year()) {
                return Err(FieldError::new(field, format!("must be a day from {MIN_YEAR} to {MAX_YEAR}")));
            }
        }
        if to <= from {
            return Err(FieldError::new("to", "must be after from"));
        }
        if (to - from).num_days() > MAX_DAYS {
            return Err(FieldError::new("to", format!("a window is at most {MAX_DAYS} days")));
        }
        Ok(Window { from, to, zone })
    }

    /// The `days` local days ending with the day before `today`'s... i.e. the last `days` whole
    /// days up to and including `today`.
    pub fn last_days(today: NaiveDate, days: i64, zone: Tz) -> Window {
        let to = today.succ_opt().unwrap_or(today);
        Window { from: to - Duration::days(days.clamp(1, MAX_DAYS)), to, zone }
    }

    pub fn start(&self) -> DateTime<Utc> {
        start_of_day(self.from, self.zone)
    }

    pub fn end(&self) -> DateTime<Utc> {
        start_of_day(self.to, self.zone)
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.start() && at < self.end()
    }

    /// The window of the same number of days just before this one.
    pub fn previous(&self) -> Window {
        Window { from: self.from - Duration::days(self.days()), to: self.from, zone: self.zone }
    }
}

/// An ISO week ("2026-W48"): Monday to Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    pub fn of_day(day: NaiveDate) -> Week {
        let w: IsoWeek = day.iso_week();
        Week { year: w.year(), week: w.week() }
    }

    pub fn of(at: DateTime<Utc>, zone: Tz) -> Week {
        Week::of_day(at.with_timezone(&zone).date_naive())
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or_default()
    }

    /// The week as a window of local days in `zone` (167 or 169 hours when the clocks change).
    pub fn window(self, zone: Tz) -> Window {
        let monday = self.monday();
        Window { from: monday, to: monday + Duration::days(7), zone }
    }

    pub fn previous(self) -> Week {
        Week::of_day(self.monday() - Duration::days(7))
    }

    pub fn next(self) -> Week {
        Week::of_day(self.monday() + Duration::days(7))
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl FromStr for Week {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Week, FieldError> {
        let bad =
            || FieldError::new("iso_week", format!("'{}' is not an ISO week such as 2026-W48", s.trim()));
        let (y, w) = s.trim().split_once("-W").ok_or_else(bad)?;
        let (year, week) = (y.parse::<i32>().map_err(|_| bad())?, w.parse::<u32>().map_err(|_| bad())?);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(FieldError::new("iso_week", format!("must be a week from {MIN_YEAR} to {MAX_YEAR}")));
        }
        let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(Week::of_day(monday))
    }
}

/// "2026-11": the calendar month of an instant in `zone`.
pub fn month_key(at: DateTime<Utc>, zone: Tz) -> String {
    let d = at.with_timezone(&zone).date_naive();
    format!("{}-{:02}", d.year(), d.month())
}

/// Turns instants into wall-clock times of one zone, fast: the zone's offset is looked up once
/// per UTC day, and per instant only on a day when it changes (the time zone database never
/// changes an offset twice in one day in the years analytics accept), so a million instants cost
/// a few hundred zone lookups and the answer is exact.
pub struct LocalClock {
    zone: Tz,
    day: i64,
    /// The offset in seconds throughout `day`, or `None` when it changes that day.
    offset: Option<i64>,
}

impl LocalClock {
    pub fn new(zone: Tz) -> LocalClock {
        LocalClock { zone, day: i64::MIN, offset: None }
    }

    fn offset_at(&self, timestamp: i64) -> i64 {
        let at = DateTime::from_timestamp(timestamp, 0).unwrap_or_default().naive_utc();
        i64::from(self.zone.offset_from_utc_datetime(&at).fix().local_minus_utc())
    }

    /// Seconds since 1970-01-01 00:00 on the local wall clock.
    pub fn local_seconds(&mut self, at: DateTime<Utc>) -> i64 {
        self.local_seconds_at(at.timestamp())
    }

    /// The same, of seconds since 1970 (UTC).
    pub fn local_seconds_at(&mut self, t: i64) -> i64 {
        let day = t.div_euclid(86_400);
        if day != self.day {
            self.day = day;
            let (a, b) = (self.offset_at(day * 86_400), self.offset_at(day * 86_400 + 86_399));
            self.offset = (a == b).then_some(a);
        }
        t + self.offset.unwrap_or_else(|| self.offset_at(t))
    }

    pub fn local(&mut self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + Duration::seconds(self.local_seconds(at) - at.timestamp())
    }
}

/// The local day of wall-clock seconds from [`LocalClock::local_seconds`], as days since
/// 1970-01-01, and that day as a date.
pub fn local_day(local_seconds: i64) -> i64 {
    local_seconds.div_euclid(86_400)
}

pub fn date_of_local_day(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + Duration::days(day)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_local_clock_agrees_with_the_zone_through_every_change_of_offset() {
        // London's changes both ways, Lord Howe's half-hour change, Newfoundland's -03:30 (its
        // changes fall on half past a UTC hour) and Kathmandu's +05:45.
        for zone in ["Europe/London", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu"] {
            let zone: Tz = zone.parse().unwrap();
            let mut clock = LocalClock::new(zone);
            let mut at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            let end = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
            while at < end {
                assert_eq!(clock.local(at), at.with_timezone(&zone).naive_local(), "{zone} at {at}");
                at += Duration::seconds(7 * 60 + 13);
            }
            // Out of order, too; and the day of the local seconds is the local date.
            for s in [5_000_000, 3, 19_000_000, 7_000_000] {
                let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(s);
                assert_eq!(clock.local(at), at.with_timezone(&zone).naive_local());
                let day = date_of_local_day(local_day(clock.local_seconds(at)));
                assert_eq!(day, at.with_timezone(&zone).date_naive());
            }
        }
    }

    #[test]
    fn london_weeks_have_167_and_169_hours_when_the_clocks_change() {
        let london = chrono_tz::Europe::London;
        let spring: Week = "2026-W13".parse().unwrap();
        assert_eq!(spring.monday(), day(2026, 3, 23));
        let w = spring.window(london);
        assert_eq!((w.end() - w.start()).num_hours(), 167);
        let autumn = Week::of_day(day(2026, 10, 25));
        assert_eq!(autumn.to_string(), "2026-W43");
        let w = autumn.window(london);
        assert_eq!((w.end() - w.start()).num_hours(), 169);
        assert_eq!(w.start(), Utc.with_ymd_and_hms(2026, 10, 18, 23, 0, 0).unwrap());
        let plain = Week::of_day(day(2026, 11, 23)).window(london);
        assert_eq!((plain.end() - plain.start()).num_hours(), 168);
    }

    #[test]
    fn a_window_is_local_days_and_its_previous_is_as_long() {
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        let w = Window::parse("2026-11-01", "2026-11-08", sydney).unwrap();
        // Midnight on 1 November in Sydney (AEDT, +11) is 13:00 UTC the day before.
        assert_eq!(w.start(), Utc.with_ymd_and_hms(2026, 10, 31, 13, 0, 0).unwrap());
        assert!(w.contains(Utc.with_ymd_and_hms(2026, 10, 31, 13, 0, 0).unwrap()));
        assert!(!w.contains(Utc.with_ymd_and_hms(2026, 11, 7, 13, 0, 0).unwrap()));
        assert_eq!(w.previous(), Window { from: day(2026, 10, 25), to: day(2026, 11, 1), zone: sydney });
        assert_eq!(Window::last_days(day(2026, 11, 30), 30, sydney).from, day(2026, 11, 1));
    }

    #[test]
    fn bad_windows_and_weeks_say_which_field() {
        let utc = chrono_tz::UTC;
        assert_eq!(Window::parse("2026-11-08", "2026-11-01", utc).unwrap_err().field, "to");
        assert_eq!(Window::parse("yesterday", "2026-11-01", utc).unwrap_err().field, "from");
        assert_eq!(Window::parse("2020-01-01", "2026-11-01", utc).unwrap_err().field, "to");
        assert!("2026-W54".parse::<Week>().is_err());
        assert!("99999-W01".parse::<Week>().is_err());
        assert_eq!(Window::parse("0001-01-01", "0001-02-01", utc).unwrap_err().field, "from");
        assert!("2026-48".parse::<Week>().is_err());
        let w: Week = "2026-W01".parse().unwrap();
        assert_eq!(w.previous().to_string(), "2025-W52");
        assert_eq!(w.next().to_string(), "2026-W02");
    }

    #[test]
    fn a_midnight_that_does_not_exist_starts_the_day_at_its_first_instant() {
        // Santiago springs forward at midnight on 6 September 2026: the day begins at 01:00 local.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let start = start_of_day(day(2026, 9, 6), santiago);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 9, 6, 4, 0, 0).unwrap());
        assert_eq!(month_key(start, santiago), "2026-09");
    }
}
