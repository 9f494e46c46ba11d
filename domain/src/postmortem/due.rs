//! Due dates counted in business days in a person's own time zone: a postmortem resolved late on
//! a Friday in Sydney is due five working days later in Sydney, whatever the server's zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Whether a day is a working day (Monday to Friday; holidays are not modelled).
pub fn is_business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `days`-th business day after the local day of `from` in `zone` (the day itself does not
/// count, as "five business days after" is read).
pub fn business_days_after(from: DateTime<Utc>, zone: Tz, days: u32) -> NaiveDate {
    let mut day = from.with_timezone(&zone).date_naive();
    let mut left = days;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if is_business_day(day) {
            left -= 1;
        }
    }
    day
}

/// The end of a local day in `zone` (the instant the next day begins), as UTC. Where the next
/// day's midnight does not exist (a zone that springs forward at midnight) the first instant of
/// that day is taken; where it happens twice, the first.
pub fn end_of_day(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    let mut t = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(at) = zone.from_local_datetime(&t).earliest() {
            return at.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&t)
}

/// When a postmortem is due: the end of the `days`-th business day after `resolved`, in the
/// owner's zone.
pub fn due_at(resolved: DateTime<Utc>, zone: Tz, days: u32) -> DateTime<Utc> {
    end_of_day(business_days_after(resolved, zone, days), zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_are_skipped() {
        // Friday 27 Nov 2026, 16:00 in London: Mon, Tue, Wed, Thu, Fri -> Friday 4 Dec.
        let friday = utc("2026-11-27T16:00:00Z");
        assert_eq!(business_days_after(friday, chrono_tz::Europe::London, 5), date("2026-12-04"));
        // Resolved on a Saturday: the count starts on Monday.
        let saturday = utc("2026-11-28T10:00:00Z");
        assert_eq!(business_days_after(saturday, chrono_tz::Europe::London, 1), date("2026-11-30"));
        assert_eq!(business_days_after(saturday, chrono_tz::Europe::London, 0), date("2026-11-28"));
    }

    #[test]
    fn the_day_is_the_owners_day() {
        // 23:30 UTC on Thursday is already Friday in Sydney: five business days from Friday.
        let t = utc("2026-11-26T23:30:00Z");
        assert_eq!(business_days_after(t, chrono_tz::UTC, 5), date("2026-12-03"));
        assert_eq!(business_days_after(t, chrono_tz::Australia::Sydney, 5), date("2026-12-04"));
        // Due at the end of that day in Sydney (UTC+11 in December).
        assert_eq!(due_at(t, chrono_tz::Australia::Sydney, 5), utc("2026-12-04T13:00:00Z"));
    }

    #[test]
    fn due_dates_cross_daylight_saving_both_ways() {
        // London falls back on Sunday 25 Oct 2026: resolved Thursday 22 Oct (BST), due Thursday 29
        // Oct at midnight GMT.
        let t = utc("2026-10-22T12:00:00Z");
        assert_eq!(due_at(t, chrono_tz::Europe::London, 5), utc("2026-10-30T00:00:00Z"));
        // New York springs forward on Sunday 8 Mar 2026: resolved Thursday 5 Mar (EST), due
        // Thursday 12 Mar, ending at midnight EDT (04:00 UTC).
        let t = utc("2026-03-05T15:00:00Z");
        assert_eq!(due_at(t, chrono_tz::America::New_York, 5), utc("2026-03-13T04:00:00Z"));
    }

    #[test]
    fn a_midnight_that_does_not_exist_ends_at_the_first_instant_of_the_day() {
        // Santiago springs forward at midnight on Sunday 6 Sep 2026: Saturday's end is 01:00
        // local on Sunday, 04:00 UTC.
        assert_eq!(end_of_day(date("2026-09-05"), chrono_tz::America::Santiago), utc("2026-09-06T04:00:00Z"));
    }
}
