//! Working and sleep hours, and the interruptions a person had.
//!
//! An interruption follows PagerDuty's definition: the notifications a person receives within
//! 60 seconds of the first one count as one. Each is classed in the person's own time zone by
//! the team's working hours (admins may change them; the defaults are weekdays 08:00-18:00 with
//! sleep hours 22:00-08:00). Sleep hours are a part of off-hours: a page inside the working
//! hours never counts as sleep, whatever the sleep window says.

use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::FieldError;

/// How long after a person's first notification the next ones still count as the same
/// interruption.
pub const COALESCE_SECONDS: i64 = 60;

/// A team's hours, in minutes after local midnight. `days` lists working weekdays, Monday = 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingHours {
    /// Working weekdays, 0 = Monday .. 6 = Sunday.
    pub days: Vec<u8>,
    /// Start of the working day, minutes after midnight (480 = 08:00).
    pub start_minute: u16,
    /// End of the working day, minutes after midnight, after the start (1080 = 18:00).
    pub end_minute: u16,
    /// Start of sleep hours (1320 = 22:00); they may run past midnight.
    pub sleep_start_minute: u16,
    /// End of sleep hours (480 = 08:00).
    pub sleep_end_minute: u16,
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            days: vec![0, 1, 2, 3, 4],
            start_minute: 8 * 60,
            end_minute: 18 * 60,
            sleep_start_minute: 22 * 60,
            sleep_end_minute: 8 * 60,
        }
    }
}

/// When a notification reached someone, in their hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HourClass {
    Business,
    OffHours,
    /// Off-hours inside the sleep window.
    Sleep,
}

impl HourClass {
    pub fn is_off_hours(self) -> bool {
        self != HourClass::Business
    }
}

impl WorkingHours {
    /// Checks the hours: at least one working day, minutes within a day, a working day that
    /// ends after it starts, and a sleep window that is not empty.
    pub fn parse(self) -> Result<WorkingHours, FieldError> {
        let mut days = self.days.clone();
        days.sort_unstable();
        days.dedup();
        if days.is_empty() || days.iter().any(|d| *d > 6) {
            return Err(FieldError::new("days", "list the working weekdays as 0 (Monday) to 6 (Sunday)"));
        }
        for (field, minute) in [
            ("start_minute", self.start_minute),
            ("end_minute", self.end_minute),
            ("sleep_start_minute", self.sleep_start_minute),
            ("sleep_end_minute", self.sleep_end_minute),
        ] {
            if minute >= 24 * 60 {
                return Err(FieldError::new(field, "must be a minute of the day, 0 to 1439"));
            }
        }
        if self.end_minute <= self.start_minute {
            return Err(FieldError::new("end_minute", "the working day must end after it starts"));
        }
        if self.sleep_start_minute == self.sleep_end_minute {
            return Err(FieldError::new("sleep_end_minute", "sleep hours must not be empty"));
        }
        Ok(WorkingHours { days, ..self })
    }

    /// Hours from a form: weekdays (0 = Monday) and "HH:MM" times, each error naming its field.
    pub fn from_form(
        days: &[u8],
        start: &str,
        end: &str,
        sleep_start: &str,
        sleep_end: &str,
    ) -> Result<WorkingHours, FieldError> {
        let minute = |field: &'static str, s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map(|t| (t.hour() * 60 + t.minute()) as u16)
                .map_err(|_| FieldError::new(field, format!("'{}' is not a time such as 08:00", s.trim())))
        };
        WorkingHours {
            days: days.to_vec(),
            start_minute: minute("start_minute", start)?,
            end_minute: minute("end_minute", end)?,
            sleep_start_minute: minute("sleep_start_minute", sleep_start)?,
            sleep_end_minute: minute("sleep_end_minute", sleep_end)?,
        }
        .parse()
    }

    /// "08:00": a minute of the day as a form shows it.
    pub fn clock(minute: u16) -> String {
        clock(minute)
    }

    /// The class of an instant for someone living in `zone`.
    pub fn classify(&self, at: DateTime<Utc>, zone: Tz) -> HourClass {
        self.classify_local(at.with_timezone(&zone).naive_local())
    }

    /// The class of a local wall-clock time.
    pub fn classify_local(&self, local: NaiveDateTime) -> HourClass {
        let minute = (local.hour() * 60 + local.minute()) as u16;
        self.classify_parts(local.weekday().num_days_from_monday() as u8, minute)
    }

    /// The class of wall-clock seconds from [`super::LocalClock::local_seconds`].
    pub fn classify_seconds(&self, local: i64) -> HourClass {
        let (weekday, minute) = weekday_and_minute(local);
        self.classify_parts(weekday, minute)
    }

    fn classify_parts(&self, weekday: u8, minute: u16) -> HourClass {
        let working = self.days.contains(&weekday) && minute >= self.start_minute && minute < self.end_minute;
        if working {
            return HourClass::Business;
        }
        let (s, e) = (self.sleep_start_minute, self.sleep_end_minute);
        let asleep = if s < e { minute >= s && minute < e } else { minute >= s || minute < e };
        if asleep { HourClass::Sleep } else { HourClass::OffHours }
    }

    /// "weekdays 08:00-18:00, sleep 22:00-08:00", for the page that states its formulas.
    pub fn describe(&self) -> String {
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let days = if self.days == [0, 1, 2, 3, 4] {
            "weekdays".to_owned()
        } else {
            self.days.iter().map(|d| NAMES[usize::from(*d)]).collect::<Vec<_>>().join(", ")
        };
        format!(
            "{days} {}-{}, sleep {}-{}",
            clock(self.start_minute),
            clock(self.end_minute),
            clock(self.sleep_start_minute),
            clock(self.sleep_end_minute)
        )
    }
}

fn clock(minute: u16) -> String {
    NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The start of each interruption among one person's notification times: a notification opens
/// one unless it came within [`COALESCE_SECONDS`] of the one that opened the current one.
pub fn interruptions(notified: &[DateTime<Utc>]) -> Vec<DateTime<Utc>> {
    let mut times = notified.to_vec();
    times.sort_unstable();
    let mut starts: Vec<DateTime<Utc>> = Vec::new();
    for t in times {
        match starts.last() {
            Some(open) if (t - *open).num_seconds() < COALESCE_SECONDS => {}
            _ => starts.push(t),
        }
    }
    starts
}

/// One person as [`InterruptionTally`] sees them.
#[derive(Debug, Clone)]
pub struct TalliedPerson {
    pub zone: Tz,
    pub hours: WorkingHours,
    /// Whether their interruptions count in the totals, the hours of the week and the days (a
    /// team filter leaves the others out; their pages still merge among themselves).
    pub in_scope: bool,
}

/// Interruptions counted as the pages arrive, in time order, without keeping the pages: the
/// same figures as [`interruptions`] and a class per start, at the cost of one comparison per
/// page. Each person's starts are classed in their own hours and zone; the hour of the week and
/// the day of each start are the viewer's.
pub struct InterruptionTally {
    clocks: Vec<super::LocalClock>,
    hours: Vec<WorkingHours>,
    in_scope: Vec<bool>,
    /// Each person's open interruption: when it started, in milliseconds since 1970.
    open_since: Vec<Option<i64>>,
    viewer: super::LocalClock,
    first_day: i64,
    counted: Tallied,
}

/// What an [`InterruptionTally`] counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tallied {
    /// Per person, in the order they were given (counted whether in scope or not).
    pub per_person: Vec<InterruptionCounts>,
    /// Over the people in scope.
    pub total: InterruptionCounts,
    /// Over the people in scope, by the viewer's hour of the week (0 = Monday 00:00).
    pub hour_of_week: Vec<u64>,
    /// Over the people in scope, by the viewer's day, from the window's first.
    pub per_day: Vec<u64>,
}

impl InterruptionTally {
    /// A tally of people, for a window of `days` days from `first` in the viewer's `zone`.
    pub fn new(
        people: impl IntoIterator<Item = TalliedPerson>,
        viewer: Tz,
        first: chrono::NaiveDate,
        days: usize,
    ) -> InterruptionTally {
        let (mut clocks, mut hours, mut in_scope) = (Vec::new(), Vec::new(), Vec::new());
        for p in people {
            clocks.push(super::LocalClock::new(p.zone));
            hours.push(p.hours);
            in_scope.push(p.in_scope);
        }
        let n = clocks.len();
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        InterruptionTally {
            clocks,
            hours,
            in_scope,
            open_since: vec![None; n],
            viewer: super::LocalClock::new(viewer),
            first_day: (first - epoch).num_days(),
            counted: Tallied {
                per_person: vec![InterruptionCounts::default(); n],
                total: InterruptionCounts::default(),
                hour_of_week: vec![0; 168],
                per_day: vec![0; days],
            },
        }
    }

    /// A page to person `person` (their position) at `at_ms` milliseconds since 1970; pages
    /// come in time order.
    pub fn page(&mut self, person: usize, at_ms: i64) {
        let Some(open) = self.open_since.get_mut(person) else { return };
        if open.is_some_and(|since| at_ms - since < COALESCE_SECONDS * 1000) {
            return;
        }
        *open = Some(at_ms);
        let seconds = at_ms.div_euclid(1000);
        let class = self.hours[person].classify_seconds(self.clocks[person].local_seconds_at(seconds));
        let c = &mut self.counted;
        c.per_person[person].add(class);
        if !self.in_scope[person] {
            return;
        }
        c.total.add(class);
        let local = self.viewer.local_seconds_at(seconds);
        c.hour_of_week[hour_of_week_seconds(local)] += 1;
        let day = super::local_day(local) - self.first_day;
        if let Some(slot) = usize::try_from(day).ok().and_then(|d| c.per_day.get_mut(d)) {
            *slot += 1;
        }
    }

    pub fn finish(self) -> Tallied {
        self.counted
    }
}

impl Tallied {
    /// Adds the counts of a tally over other people (or other pages) of the same window.
    pub fn merge(&mut self, other: Tallied) {
        for (a, b) in self.per_person.iter_mut().zip(&other.per_person) {
            a.merge(b);
        }
        self.total.merge(&other.total);
        for (a, b) in self.hour_of_week.iter_mut().zip(other.hour_of_week) {
            *a += b;
        }
        for (a, b) in self.per_day.iter_mut().zip(other.per_day) {
            *a += b;
        }
    }
}

/// Counts by class; `off_hours` includes `sleep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterruptionCounts {
    pub total: u64,
    pub business: u64,
    pub off_hours: u64,
    pub sleep: u64,
}

impl InterruptionCounts {
    pub fn merge(&mut self, other: &InterruptionCounts) {
        self.total += other.total;
        self.business += other.business;
        self.off_hours += other.off_hours;
        self.sleep += other.sleep;
    }

    pub fn add(&mut self, class: HourClass) {
        self.total += 1;
        match class {
            HourClass::Business => self.business += 1,
            HourClass::OffHours => self.off_hours += 1,
            HourClass::Sleep => {
                self.off_hours += 1;
                self.sleep += 1;
            }
        }
    }
}

/// The hour of the week in `zone`, 0 = Monday 00:00-01:00 .. 167 = Sunday 23:00-24:00.
pub fn hour_of_week(at: DateTime<Utc>, zone: Tz) -> usize {
    hour_of_week_local(at.with_timezone(&zone).naive_local())
}

/// Monday = 0, and minutes after midnight, of wall-clock seconds since 1970-01-01 (a Thursday).
fn weekday_and_minute(local: i64) -> (u8, u16) {
    let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7) as u8;
    (weekday, (local.rem_euclid(86_400) / 60) as u16)
}

/// The hour of the week of wall-clock seconds from [`super::LocalClock::local_seconds`].
pub fn hour_of_week_seconds(local: i64) -> usize {
    let (weekday, minute) = weekday_and_minute(local);
    usize::from(weekday) * 24 + usize::from(minute / 60)
}

/// The hour of the week of a local wall-clock time.
pub fn hour_of_week_local(local: NaiveDateTime) -> usize {
    local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn notifications_within_a_minute_of_the_first_are_one_interruption() {
        let t0 = utc(2026, 11, 23, 10, 0, 0);
        let at = |s: i64| t0 + chrono::Duration::seconds(s);
        // 0, 30 and 59 s: one; 60 s opens a second (a minute after the first), 100 s joins it;
        // 300 s is a third. Order of arrival does not matter.
        let starts = interruptions(&[at(300), at(30), at(0), at(59), at(60), at(100)]);
        assert_eq!(starts, vec![at(0), at(60), at(300)]);
        assert!(interruptions(&[]).is_empty());
    }

    #[test]
    fn a_tally_of_pages_in_order_counts_what_the_starts_and_classes_say() {
        // Two people in different zones; pages every 5 s to 5 min over two weeks spanning
        // London's autumn change; the second person is out of scope.
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        let london = chrono_tz::Europe::London;
        let hours = WorkingHours::default();
        let person = |zone, in_scope| TalliedPerson { zone, hours: hours.clone(), in_scope };
        let first = chrono::NaiveDate::from_ymd_opt(2026, 10, 19).unwrap();
        let mut tally =
            InterruptionTally::new([person(london, true), person(sydney, false)], london, first, 14);
        let mut pages: [Vec<DateTime<Utc>>; 2] = [Vec::new(), Vec::new()];
        let mut at = utc(2026, 10, 18, 23, 0, 0);
        let mut step = 0i64;
        while at < utc(2026, 11, 2, 0, 0, 0) {
            step += 1;
            let who = usize::from(step % 3 == 0);
            pages[who].push(at);
            tally.page(who, at.timestamp_millis());
            at += chrono::Duration::seconds(5 + (step * 7919) % 300);
        }
        let tally = tally.finish();
        let zones = [london, sydney];
        let mut hour_of_week_expected = vec![0u64; 168];
        let mut per_day_expected = vec![0u64; 14];
        for (who, times) in pages.iter().enumerate() {
            let mut expected = InterruptionCounts::default();
            let starts = interruptions(times);
            for t in &starts {
                expected.add(hours.classify(*t, zones[who]));
                if who == 0 {
                    hour_of_week_expected[hour_of_week(*t, london)] += 1;
                    let day = (t.with_timezone(&london).date_naive() - first).num_days();
                    if let Some(slot) = usize::try_from(day).ok().and_then(|d| per_day_expected.get_mut(d)) {
                        *slot += 1;
                    }
                }
            }
            assert!(who == 1 || starts.len() < times.len(), "some of the first person's pages merge");
            assert_eq!(tally.per_person[who], expected, "person {who}");
        }
        assert_eq!(tally.total, tally.per_person[0]);
        assert_eq!(tally.hour_of_week, hour_of_week_expected);
        assert_eq!(tally.per_day, per_day_expected);
        // The page of 23:00 UTC on the 18th is the 19th in London (BST): day 0, counted.
        assert!(tally.per_day[0] > 0);
        // Each person counted by a tally of their own, the two merged: the same figures.
        let mut halves = [0, 1].map(|_| {
            InterruptionTally::new([person(london, true), person(sydney, false)], london, first, 14)
        });
        for (who, times) in pages.iter().enumerate() {
            times.iter().for_each(|t| halves[who].page(who, t.timestamp_millis()));
        }
        let [a, b] = halves;
        let mut merged = a.finish();
        merged.merge(b.finish());
        assert_eq!(merged, tally);
    }

    #[test]
    fn classes_and_hours_from_local_seconds_match_the_calendar() {
        let hours = WorkingHours { days: vec![0, 2, 6], ..WorkingHours::default() };
        for zone in ["Australia/Sydney", "Europe/London", "America/New_York"] {
            let zone: Tz = zone.parse().unwrap();
            let mut clock = super::super::LocalClock::new(zone);
            let mut at = utc(2026, 3, 1, 0, 0, 0);
            while at < utc(2026, 11, 30, 0, 0, 0) {
                let local = clock.local_seconds(at);
                assert_eq!(hours.classify_seconds(local), hours.classify(at, zone), "{zone} {at}");
                assert_eq!(hour_of_week_seconds(local), hour_of_week(at, zone), "{zone} {at}");
                at += chrono::Duration::minutes(37);
            }
        }
    }

    #[test]
    fn a_sydney_responder_paged_at_three_in_their_night_is_woken() {
        let hours = WorkingHours::default();
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        // 16:00 UTC on Tuesday 24 Nov 2026 is 03:00 on Wednesday in Sydney (AEDT, +11).
        let at = utc(2026, 11, 24, 16, 0, 0);
        assert_eq!(hours.classify(at, sydney), HourClass::Sleep);
        // The same instant is 16:00 on a Tuesday in London: business hours there.
        assert_eq!(hours.classify(at, chrono_tz::Europe::London), HourClass::Business);
        // 20:00 in London is off-hours but not sleep; 08:00 on a Saturday is off-hours.
        assert_eq!(
            hours.classify(utc(2026, 11, 24, 20, 0, 0), chrono_tz::Europe::London),
            HourClass::OffHours
        );
        assert_eq!(
            hours.classify(utc(2026, 11, 28, 8, 0, 0), chrono_tz::Europe::London),
            HourClass::OffHours
        );
        // The edges: 08:00 on a weekday is work, 18:00 is not, 22:00 is sleep, 07:59 is sleep.
        let london = chrono_tz::Europe::London;
        assert_eq!(hours.classify(utc(2026, 11, 24, 8, 0, 0), london), HourClass::Business);
        assert_eq!(hours.classify(utc(2026, 11, 24, 18, 0, 0), london), HourClass::OffHours);
        assert_eq!(hours.classify(utc(2026, 11, 24, 22, 0, 0), london), HourClass::Sleep);
        assert_eq!(hours.classify(utc(2026, 11, 24, 7, 59, 0), london), HourClass::Sleep);
    }

    #[test]
    fn classes_follow_the_local_clock_across_a_dst_change() {
        let hours = WorkingHours::default();
        let london = chrono_tz::Europe::London;
        // Monday 30 March 2026 (BST, +1): 07:30 UTC is 08:30 local, business hours.
        assert_eq!(hours.classify(utc(2026, 3, 30, 7, 30, 0), london), HourClass::Business);
        // Monday 23 March 2026 (GMT): 07:30 UTC is 07:30 local, still asleep.
        assert_eq!(hours.classify(utc(2026, 3, 23, 7, 30, 0), london), HourClass::Sleep);
        // Monday 26 October 2026 (GMT again): 07:30 UTC is 07:30 local.
        assert_eq!(hours.classify(utc(2026, 10, 26, 7, 30, 0), london), HourClass::Sleep);
    }

    #[test]
    fn counts_put_sleep_inside_off_hours() {
        let mut c = InterruptionCounts::default();
        for class in [HourClass::Business, HourClass::Sleep, HourClass::OffHours, HourClass::Sleep] {
            c.add(class);
        }
        assert_eq!(c, InterruptionCounts { total: 4, business: 1, off_hours: 3, sleep: 2 });
    }

    #[test]
    fn hours_are_checked_and_described() {
        assert_eq!(WorkingHours::default().describe(), "weekdays 08:00-18:00, sleep 22:00-08:00");
        let bad = WorkingHours { end_minute: 400, ..WorkingHours::default() };
        assert_eq!(bad.parse().unwrap_err().field, "end_minute");
        let none = WorkingHours { days: vec![], ..WorkingHours::default() };
        assert_eq!(none.parse().unwrap_err().field, "days");
        let late = WorkingHours { sleep_start_minute: 1440, ..WorkingHours::default() };
        assert_eq!(late.parse().unwrap_err().field, "sleep_start_minute");
        let weekend = WorkingHours { days: vec![6, 5, 5], ..WorkingHours::default() }.parse().unwrap();
        assert_eq!(weekend.days, vec![5, 6]);
        assert!(weekend.describe().starts_with("Sat, Sun "));
    }

    #[test]
    fn hours_come_from_a_form() {
        let h = WorkingHours::from_form(&[0, 1, 2, 3], "09:30", "17:00", "23:00", "07:00").unwrap();
        assert_eq!(
            (h.start_minute, h.end_minute, h.sleep_start_minute, h.sleep_end_minute),
            (570, 1020, 1380, 420)
        );
        assert_eq!(WorkingHours::clock(570), "09:30");
        assert_eq!(
            WorkingHours::from_form(&[0], "nine", "17:00", "23:00", "07:00").unwrap_err().field,
            "start_minute"
        );
        assert_eq!(
            WorkingHours::from_form(&[], "09:00", "17:00", "23:00", "07:00").unwrap_err().field,
            "days"
        );
    }

    #[test]
    fn the_hour_of_the_week_is_local() {
        // Monday 00:30 in Sydney is Sunday 13:30 UTC.
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        assert_eq!(hour_of_week(utc(2026, 11, 22, 13, 30, 0), sydney), 0);
        assert_eq!(hour_of_week(utc(2026, 11, 22, 13, 30, 0), chrono_tz::UTC), 6 * 24 + 13);
    }
}
