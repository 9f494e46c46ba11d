//! RFC 5545 calendar text for on-call feeds: a VTIMEZONE built from the zone's real transitions
//! and one VEVENT per final shift, times in the schedule's zone.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

pub struct Event {
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
}

pub struct Calendar<'a> {
    pub name: &'a str,
    pub zone: Tz,
    pub stamp: DateTime<Utc>,
    pub events: Vec<Event>,
}

impl Calendar<'_> {
    pub fn render(&self) -> String {
        let mut lines: Vec<String> = vec![
            "BEGIN:VCALENDAR".into(),
            "VERSION:2.0".into(),
            "PRODID:-//Tocsin//On-call schedule//EN".into(),
            "CALSCALE:GREGORIAN".into(),
            "METHOD:PUBLISH".into(),
            format!("X-WR-CALNAME:{}", text(self.name)),
            format!("X-WR-TIMEZONE:{}", self.zone.name()),
            // Calendar apps poll subscribed feeds; ask for hourly (not guaranteed, but respected
            // by the common ones).
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H".into(),
            "X-PUBLISHED-TTL:PT1H".into(),
        ];
        let (first, last) =
            self.events.iter().fold((self.stamp, self.stamp), |(a, b), e| (a.min(e.start), b.max(e.end)));
        lines.extend(vtimezone(self.zone, first - Duration::days(366), last + Duration::days(366)));
        for e in &self.events {
            lines.push("BEGIN:VEVENT".into());
            lines.push(format!("UID:{}", text(&e.uid)));
            lines.push(format!("DTSTAMP:{}", utc_stamp(self.stamp)));
            lines.push(format!("DTSTART{}", self.local_or_utc(e.start)));
            lines.push(format!("DTEND{}", self.local_or_utc(e.end)));
            lines.push(format!("SUMMARY:{}", text(&e.summary)));
            lines.push(format!("DESCRIPTION:{}", text(&e.description)));
            lines.push("TRANSP:OPAQUE".into());
            lines.push("END:VEVENT".into());
        }
        lines.push("END:VCALENDAR".into());
        let mut out = String::new();
        for line in lines {
            fold(&line, &mut out);
        }
        out
    }

    /// `;TZID=Zone:local` unless the local time happens twice and this is the second time, which a
    /// reader would take as the first (RFC 5545 3.3.5): then the exact UTC form.
    fn local_or_utc(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.zone).naive_local();
        match self.zone.from_local_datetime(&local) {
            LocalResult::Ambiguous(a, b) if a.min(b).with_timezone(&Utc) != t => format!(":{}", utc_stamp(t)),
            _ => format!(";TZID={}:{}", self.zone.name(), local.format("%Y%m%dT%H%M%S")),
        }
    }
}

fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds at 75 octets without splitting a character, each line ended by CRLF (RFC 5545 3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn offset_text(d: Duration) -> String {
    let secs = d.num_seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{s:02}") }
}

/// The zone's offset changes in `[from, to)`, found by stepping an hour at a time and narrowing
/// each change to the second.
fn transitions(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let offset = |t: DateTime<Utc>| zone.offset_from_utc_datetime(&t.naive_utc());
    let total = |t: DateTime<Utc>| {
        let o = offset(t);
        o.base_utc_offset() + o.dst_offset()
    };
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        let next = t + Duration::hours(1);
        if total(t) != total(next) || offset(t).abbreviation() != offset(next).abbreviation() {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if total(mid) == total(lo) && offset(mid).abbreviation() == offset(lo).abbreviation() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
        t = next;
    }
    out
}

fn vtimezone(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let offset = |t: DateTime<Utc>| zone.offset_from_utc_datetime(&t.naive_utc());
    let total = |t: DateTime<Utc>| {
        let o = offset(t);
        o.base_utc_offset() + o.dst_offset()
    };
    let mut lines = vec!["BEGIN:VTIMEZONE".into(), format!("TZID:{}", zone.name())];
    let component = |at: DateTime<Utc>, before: Duration, lines: &mut Vec<String>| {
        let after = offset(at);
        let kind = if after.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
        // DTSTART is the local time of the change as read on the clock before it.
        let local: NaiveDateTime = at.naive_utc() + before;
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
        lines.push(format!("TZOFFSETFROM:{}", offset_text(before)));
        lines.push(format!("TZOFFSETTO:{}", offset_text(total(at))));
        if let Some(name) = after.abbreviation() {
            lines.push(format!("TZNAME:{}", text(name)));
        }
        lines.push(format!("END:{kind}"));
    };
    // The offset in force at the start of the range, then every change after it.
    component(from, total(from), &mut lines);
    for at in transitions(zone, from, to) {
        let before = total(at - Duration::seconds(1));
        component(at, before, &mut lines);
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
    }

    #[test]
    fn london_has_both_changes_with_local_start_times() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let t = transitions(tz, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0));
        assert_eq!(t, vec![utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 1, 0)]);
        let lines = vtimezone(tz, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)).join("\n");
        assert!(
            lines.contains(
                "BEGIN:DAYLIGHT\nDTSTART:20260329T010000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0100\nTZNAME:BST"
            ),
            "{lines}"
        );
        assert!(
            lines.contains(
                "BEGIN:STANDARD\nDTSTART:20261025T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000\nTZNAME:GMT"
            ),
            "{lines}"
        );
    }

    #[test]
    fn chatham_changes_at_a_quarter_to_and_kolkata_never_changes() {
        let chatham: Tz = "Pacific/Chatham".parse().unwrap();
        let t = transitions(chatham, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0));
        assert_eq!(t.len(), 2);
        assert!(
            vtimezone(chatham, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0))
                .iter()
                .any(|l| l == "TZOFFSETTO:+1345")
        );
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert!(transitions(kolkata, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)).is_empty());
    }

    #[test]
    fn long_lines_fold_without_splitting_characters_and_text_is_escaped() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", text(&"Привет, мир; ".repeat(10))), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = out.replace("\r\n ", "");
        assert!(unfolded.starts_with("SUMMARY:Привет\\, мир\\; Привет"));
    }

    #[test]
    fn the_second_pass_through_a_repeated_hour_is_written_in_utc() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let cal = Calendar { name: "x", zone: tz, stamp: utc(2026, 10, 1, 0, 0), events: vec![] };
        // 01:30 local happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT) on 25 October.
        assert_eq!(cal.local_or_utc(utc(2026, 10, 25, 0, 30)), ";TZID=Europe/London:20261025T013000");
        assert_eq!(cal.local_or_utc(utc(2026, 10, 25, 1, 30)), ":20261025T013000Z");
    }
}
