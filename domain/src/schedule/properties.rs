//! Property tests: random rotations in zones with every kind of clock change, over ten years.
//!
//! The checks are written against local wall-clock time read back from chrono-tz, not against the
//! functions under test, so a wrong handoff or a wrong window cannot agree with itself.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::UserId;

/// DST forward and back, southern hemisphere, no DST, 45-minute offsets, 30-minute DST
/// (Lord Howe), a zone that dropped DST (Tehran, 2022), Santiago's midnight changes.
const ZONES: &[&str] = &[
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Tehran",
    "Australia/Lord_Howe",
    "America/St_Johns",
];

const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(ZONES).prop_map(|z| z.parse::<Tz>().expect("known zone"))
}

fn time_of_day() -> impl Strategy<Value = NaiveTime> {
    // Quarter hours, weighted to the small hours where the clocks change.
    prop_oneof![
        (0u32..4, prop::sample::select(&[0u32, 15, 30, 45][..])),
        (0u32..24, prop::sample::select(&[0u32, 15, 30, 45][..])),
    ]
    .prop_map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).expect("valid time"))
}

fn restriction() -> impl Strategy<Value = Restriction> {
    (prop::sample::select(&WEEKDAYS[..]), time_of_day(), time_of_day())
        .prop_map(|(weekday, start, end)| Restriction { weekday, start, end })
}

fn layer() -> impl Strategy<Value = Layer> {
    let unit = prop_oneof![
        prop::sample::select(&[1u32, 2, 3, 4, 6, 8, 12, 5, 7, 36][..]).prop_map(|n| (RotationUnit::Hours, n)),
        (1u32..15).prop_map(|n| (RotationUnit::Days, n)),
        (1u32..5).prop_map(|n| (RotationUnit::Weeks, n)),
    ];
    (
        1u128..6,
        unit,
        time_of_day(),
        prop::sample::select(&WEEKDAYS[..]),
        0i64..3650,
        prop::collection::vec(restriction(), 0..4),
    )
        .prop_map(|(people, (unit, length), handoff_time, weekday, start, restrictions)| Layer {
            participants: (1..=people).map(|n| UserId(Uuid::from_u128(n))).collect(),
            unit,
            length,
            handoff_time,
            handoff_weekday: (unit == RotationUnit::Weeks).then_some(weekday),
            start_date: NaiveDate::from_ymd_opt(2016, 1, 1).expect("date") + Duration::days(start),
            end: None,
            restrictions,
        })
}

/// Whether local wall-clock time at `t` falls in one of the restriction windows.
fn inside_restrictions(tz: Tz, restrictions: &[Restriction], t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&tz).naive_local();
    let (day, x) = (local.date().weekday(), local.time());
    restrictions.iter().any(|r| {
        let overnight = r.end <= r.start;
        (r.weekday == day && r.start <= x && (overnight || x < r.end))
            || (overnight && r.weekday == day.pred() && x < r.end)
    })
}

/// Local times that happen twice: a window ending in one is ambiguous by nature, so coverage is
/// not sampled there (the rule "first occurrence" is tested by the named tests).
fn repeated(tz: Tz, t: DateTime<Utc>) -> bool {
    matches!(tz.from_local_datetime(&t.with_timezone(&tz).naive_local()), LocalResult::Ambiguous(..))
}

fn ten_years(layer: &Layer) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = Utc.from_utc_datetime(&layer.start_date.and_time(NaiveTime::MIN)) - Duration::days(2);
    (from, from + Duration::days(3653))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn layer_shifts_never_overlap_and_cover_what_the_restrictions_allow(
        tz in zone(),
        layer in layer(),
        samples in prop::collection::vec(0i64..3653 * 24 * 60, 300),
    ) {
        let (from, to) = ten_years(&layer);
        let shifts = layer.shifts(tz, from, to);
        prop_assert!(!shifts.is_empty());
        for s in &shifts {
            prop_assert!(s.start < s.end, "empty shift {s:?}");
        }
        for pair in shifts.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "overlap {:?} {:?}", pair[0], pair[1]);
            if layer.restrictions.is_empty() {
                prop_assert_eq!(pair[0].end, pair[1].start, "gap without a restriction");
            }
        }
        let first = layer.handoff(tz, 0);
        if layer.restrictions.is_empty() {
            prop_assert_eq!(shifts[0].start, first.max(from));
            prop_assert_eq!(shifts.last().map(|s| s.end), Some(to));
        }
        // Sampled instants: covered exactly when the local time is inside a window (or always,
        // without restrictions), and the holder is the one `on_call_at` names.
        let mut idx = 0;
        let mut instants: Vec<DateTime<Utc>> = samples.iter().map(|m| from + Duration::minutes(*m)).collect();
        instants.extend(shifts.iter().take(500).flat_map(|s| [s.start, s.end - Duration::seconds(1)]));
        instants.sort();
        for t in instants {
            while idx < shifts.len() && shifts[idx].end <= t {
                idx += 1;
            }
            let holder = shifts.get(idx).filter(|s| s.start <= t).map(|s| s.user);
            prop_assert_eq!(layer.on_call_at(tz, t), holder, "at {}", t);
            if t >= first && !repeated(tz, t) {
                let expected = layer.restrictions.is_empty() || inside_restrictions(tz, &layer.restrictions, t);
                prop_assert_eq!(holder.is_some(), expected, "coverage at {} ({})", t, t.with_timezone(&tz));
            }
        }
    }

    #[test]
    fn handoffs_land_on_the_wall_clock_time(tz in zone(), layer in layer()) {
        let wall_clock = layer.unit != RotationUnit::Hours || 24 % layer.length == 0;
        prop_assume!(wall_clock);
        let step_days = match layer.unit {
            RotationUnit::Hours => 0,
            RotationUnit::Days => i64::from(layer.length),
            RotationUnit::Weeks => 7 * i64::from(layer.length),
        };
        let first_date = layer.handoff(tz, 0).with_timezone(&tz).date_naive();
        let mut k = 0;
        let end = ten_years(&layer).1;
        while layer.handoff(tz, k) < end {
            let h = layer.handoff(tz, k);
            let local = h.with_timezone(&tz).naive_local();
            let wanted_time = if layer.unit == RotationUnit::Hours {
                let hours = (layer.handoff_time.hour() as i64 + k * i64::from(layer.length)).rem_euclid(24);
                layer.handoff_time.with_hour(hours as u32).expect("hour")
            } else {
                layer.handoff_time
            };
            let wanted_date = (step_days > 0).then(|| first_date + Duration::days(k * step_days));
            let named = wanted_date.unwrap_or(local.date()).and_time(wanted_time);
            match tz.from_local_datetime(&named) {
                LocalResult::Single(t) => prop_assert_eq!(t.with_timezone(&Utc), h, "handoff {} at {}", k, local),
                LocalResult::Ambiguous(a, b) => prop_assert_eq!(a.min(b).with_timezone(&Utc), h, "repeated hour, handoff {}", k),
                LocalResult::None => {
                    // Skipped: the handoff is the change itself, the first valid instant after.
                    let before = (h - Duration::minutes(1)).with_timezone(&tz).naive_local();
                    prop_assert!(before < named && local > named, "skipped handoff {} at {} for {}", k, local, named);
                }
            }
            k += if layer.unit == RotationUnit::Hours { 7 } else { 1 };
        }
    }

    #[test]
    fn final_shifts_and_gaps_partition_time_and_agree_with_who_is_on_call(
        tz in zone(),
        layers in prop::collection::vec((layer(), any::<bool>()), 1..4),
        overrides in prop::collection::vec((0i64..3650 * 24, 1i64..200, 1u128..6, 0usize..5), 0..6),
        samples in prop::collection::vec(0i64..3653 * 24 * 60, 300),
    ) {
        let layers: Vec<ScheduleLayer> = layers
            .into_iter()
            .enumerate()
            .map(|(i, (rotation, secondary))| ScheduleLayer {
                id: LayerId(Uuid::from_u128(100 + i as u128)),
                name: format!("L{i}"),
                tier: if secondary { Tier::Secondary } else { Tier::Primary },
                rotation,
            })
            .collect();
        let from = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).single().expect("date");
        let to = from + Duration::days(3653);
        let overrides: Vec<Override> = overrides
            .into_iter()
            .enumerate()
            .map(|(i, (at, hours, person, layer))| Override {
                id: OverrideId(Uuid::from_u128(200 + i as u128)),
                user: UserId(Uuid::from_u128(person)),
                start: from + Duration::hours(at),
                end: from + Duration::hours(at + hours),
                layer: layers.get(layer).map(|l| l.id),
            })
            .collect();
        let scopes: Vec<Scope> = [Scope::Tier(Tier::Primary), Scope::Tier(Tier::Secondary)]
            .into_iter()
            .chain(layers.iter().map(|l| Scope::Layer(l.id)))
            .collect();
        let schedule = Schedule { time_zone: tz, layers, overrides };
        for scope in scopes {
            let t = schedule.timeline(scope, from, to);
            // Shifts and gaps, in order, tile [from, to) exactly.
            let mut pieces: Vec<(DateTime<Utc>, DateTime<Utc>, Option<UserId>)> =
                t.shifts.iter().map(|s| (s.start, s.end, Some(s.user))).collect();
            pieces.extend(t.gaps.iter().map(|g| (g.start, g.end, None)));
            pieces.sort_by_key(|p| p.0);
            prop_assert_eq!(pieces.first().map(|p| p.0), Some(from));
            prop_assert_eq!(pieces.last().map(|p| p.1), Some(to));
            for pair in pieces.windows(2) {
                prop_assert_eq!(pair[0].1, pair[1].0, "{:?}: not tiled at {:?}", scope, pair);
            }
            let mut instants: Vec<DateTime<Utc>> = samples.iter().map(|m| from + Duration::minutes(*m)).collect();
            instants.extend(schedule.overrides.iter().flat_map(|o| [o.start, o.end]));
            instants.sort();
            let mut idx = 0;
            for at in instants.into_iter().filter(|&at| at < to) {
                while idx < pieces.len() && pieces[idx].1 <= at {
                    idx += 1;
                }
                prop_assert_eq!(schedule.on_call_at(scope, at), pieces[idx].2, "{:?} at {}", scope, at);
            }
        }
    }
}
