//! Fairness rules: limits on how much on-call one person carries, checked on the final shifts of
//! both stacks before a schedule is saved.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::rotation::resolve_local;
use super::stack::{Schedule, Scope, Tier};
use crate::UserId;

/// A limit, and whether breaking it refuses the save (hard) or asks for confirmation (soft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limit {
    pub value: u32,
    #[serde(default)]
    pub hard: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FairnessRules {
    /// Most days (24-hour days of on-call time) in any rolling 30 days.
    pub max_days_in_30: Option<Limit>,
    /// Most nights in a row; a night counts when the person is on call for at least an hour
    /// between 00:00 and 06:00 in the schedule's zone.
    pub max_consecutive_nights: Option<Limit>,
    /// Least rest, in hours, between the end of one stretch on call and the start of the next.
    pub min_rest_hours: Option<Limit>,
}

impl Default for FairnessRules {
    /// "One week per month": a weekly rotation of four people puts each on call one week in
    /// four, which peaks at 9 days in a rolling 30-day window (7 days + 2 of the next turn), so 9
    /// is the limit that lets one week per month through and flags anything heavier. A week of
    /// 24/7 cover is 7 nights in a row; 8 hours is the least rest between two stretches.
    fn default() -> Self {
        FairnessRules {
            max_days_in_30: Some(Limit { value: 9, hard: false }),
            max_consecutive_nights: Some(Limit { value: 7, hard: false }),
            min_rest_hours: Some(Limit { value: 8, hard: false }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FairnessRule {
    #[serde(rename = "max_days_in_30")]
    MaxDaysIn30,
    ConsecutiveNights,
    MinRest,
}

/// One broken rule: who, over which dates, and by how much, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    pub rule: FairnessRule,
    pub hard: bool,
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub message: String,
}

/// A stretch of time, start inclusive, end exclusive.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The days of the window `check` looks at: what the editor previews.
pub const CHECK_WEEKS: i64 = 8;

/// Every violation in the final shifts over `[from, to)`, people in id order, then by date.
pub fn check(
    schedule: &Schedule,
    rules: &FairnessRules,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Violation> {
    let tz = schedule.time_zone;
    let mut per_person: BTreeMap<UserId, Vec<Span>> = BTreeMap::new();
    let mut covered_by_override = Vec::new();
    for tier in Tier::ALL {
        for s in schedule.timeline(Scope::Tier(tier), from, to).shifts {
            if s.override_id.is_some() {
                covered_by_override.push((s.start, s.end));
            }
            per_person.entry(s.user).or_default().push((s.start, s.end));
        }
    }
    let covered_by_override = merge(&mut covered_by_override);
    let date = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %-d %b").to_string();
    let mut out = Vec::new();
    for (user, mut spans) in per_person {
        let spans = merge(&mut spans);
        if let Some(limit) = rules.max_days_in_30 {
            let window = Duration::days(30);
            let cap = Duration::days(i64::from(limit.value));
            let mut reported_until = from;
            // The busiest window starts where a stretch starts or ends where one ends.
            let starts = spans.iter().flat_map(|&(s, e)| [s, e - window]);
            let mut candidates: Vec<DateTime<Utc>> = starts.filter(|&w| w >= from - window).collect();
            candidates.sort();
            for w in candidates {
                if w < reported_until {
                    continue;
                }
                let on = covered(&spans, w, w + window);
                if on > cap {
                    let first = spans.iter().find(|&&(_, e)| e > w).map_or(w, |&(s, _)| s.max(w));
                    let last = spans
                        .iter()
                        .rev()
                        .find(|&&(s, _)| s < w + window)
                        .map_or(w + window, |&(_, e)| e.min(w + window));
                    out.push(Violation {
                        rule: FairnessRule::MaxDaysIn30,
                        hard: limit.hard,
                        user,
                        start: first,
                        end: last,
                        message: format!(
                            "on call {:.1} days in the 30 days from {} (limit {})",
                            on.num_minutes() as f64 / 1440.0,
                            date(w.max(from)),
                            limit.value
                        ),
                    });
                    reported_until = w + window;
                }
            }
        }
        if let Some(limit) = rules.max_consecutive_nights {
            let mut run: Vec<chrono::NaiveDate> = Vec::new();
            let flush = |run: &mut Vec<chrono::NaiveDate>, out: &mut Vec<Violation>| {
                if run.len() > limit.value as usize
                    && let (Some(&a), Some(&b)) = (run.first(), run.last())
                {
                    let midnight = NaiveTime::MIN;
                    out.push(Violation {
                        rule: FairnessRule::ConsecutiveNights,
                        hard: limit.hard,
                        user,
                        start: resolve_local(tz, a.and_time(midnight)),
                        end: resolve_local(tz, b.and_time(midnight)) + Duration::hours(6),
                        message: format!(
                            "{} nights in a row, {} to {} (limit {})",
                            run.len(),
                            a.format("%a %-d %b"),
                            b.format("%a %-d %b"),
                            limit.value
                        ),
                    });
                }
                run.clear();
            };
            let mut day = from.with_timezone(&tz).date_naive();
            let last = to.with_timezone(&tz).date_naive();
            while day <= last {
                let night_start = resolve_local(tz, day.and_time(NaiveTime::MIN));
                let night_end = resolve_local(tz, day.and_hms_opt(6, 0, 0).unwrap_or_default());
                if covered(&spans, night_start, night_end) >= Duration::hours(1) {
                    run.push(day);
                } else {
                    flush(&mut run, &mut out);
                }
                match day.succ_opt() {
                    Some(next) => day = next,
                    None => break,
                }
            }
            flush(&mut run, &mut out);
        }
        if let Some(limit) = rules.min_rest_hours {
            let rest = Duration::hours(i64::from(limit.value));
            for pair in spans.windows(2) {
                let gap = pair[1].0 - pair[0].1;
                // A break in someone's shift because a colleague covers part of it is not a short
                // rest between two shifts: only the person covering is checked.
                let lent = covered(&covered_by_override, pair[0].1, pair[1].0) == gap;
                if gap < rest && !lent {
                    out.push(Violation {
                        rule: FairnessRule::MinRest,
                        hard: limit.hard,
                        user,
                        start: pair[0].1,
                        end: pair[1].0,
                        message: format!(
                            "{} h {:02} min of rest on {} between two stretches (at least {} h)",
                            gap.num_hours(),
                            gap.num_minutes() % 60,
                            date(pair[0].1),
                            limit.value
                        ),
                    });
                }
            }
        }
    }
    out
}

/// What adding `new` to the schedule's overrides breaks that was not already broken (by rule and
/// person), over `[from, to)` widened to the override's end: one confirmed warning must not block
/// every later swap.
pub fn introduced_by(
    schedule: &Schedule,
    rules: &FairnessRules,
    new: super::stack::Override,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Violation> {
    let to = to.max(new.end);
    let before = check(schedule, rules, from, to);
    let mut with = schedule.clone();
    with.overrides.push(new);
    check(&with, rules, from, to)
        .into_iter()
        .filter(|v| !before.iter().any(|b| b.rule == v.rule && b.user == v.user))
        .collect()
}

/// Sorts and joins touching or overlapping spans.
fn merge(spans: &mut [Span]) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::new();
    for &(s, e) in spans.iter() {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// How much of `[a, b)` the sorted, disjoint spans cover.
fn covered(spans: &[Span], a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
    spans
        .iter()
        .map(|&(s, e)| (e.min(b) - s.max(a)).max(Duration::zero()))
        .fold(Duration::zero(), |x, y| x + y)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::schedule::{Override, OverrideId, testing};

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn weekly(people: u128) -> Schedule {
        testing::weekly(chrono_tz::Europe::London, people)
    }

    const NONE: FairnessRules =
        FairnessRules { max_days_in_30: None, max_consecutive_nights: None, min_rest_hours: None };

    fn window() -> (DateTime<Utc>, DateTime<Utc>) {
        let from = Utc.with_ymd_and_hms(2026, 2, 2, 9, 0, 0).unwrap();
        (from, from + Duration::weeks(CHECK_WEEKS))
    }

    #[test]
    fn one_week_in_four_passes_the_defaults() {
        let (from, to) = window();
        assert_eq!(check(&weekly(4), &FairnessRules::default(), from, to), vec![]);
    }

    #[test]
    fn one_week_in_three_breaks_the_monthly_limit_for_everyone() {
        let (from, to) = window();
        let v = check(&weekly(3), &FairnessRules::default(), from, to);
        let users: std::collections::BTreeSet<_> = v.iter().map(|v| v.user).collect();
        assert_eq!(users.len(), 3, "{v:#?}");
        assert!(v.iter().all(|v| v.rule == FairnessRule::MaxDaysIn30 && !v.hard));
        assert!(v[0].message.starts_with("on call 14.0 days in the 30 days from"), "{}", v[0].message);
    }

    #[test]
    fn a_short_gap_between_two_stretches_breaks_the_rest_rule() {
        let (from, to) = window();
        let mut s = weekly(4);
        // Person 2 covers four hours right after their own week ends... with only 2 hours of rest.
        let week_end = Utc.with_ymd_and_hms(2026, 2, 16, 9, 0, 0).unwrap();
        s.overrides.push(Override {
            id: OverrideId(Uuid::from_u128(5)),
            user: user(2),
            start: week_end + Duration::hours(2),
            end: week_end + Duration::hours(6),
            layer: None,
        });
        let rules = FairnessRules { min_rest_hours: Some(Limit { value: 8, hard: false }), ..NONE };
        let v = check(&s, &rules, from, to);
        let found: Vec<_> = v.iter().map(|v| (v.rule, v.user, v.message.as_str())).collect();
        // Person 2 rests two hours. The person whose week it is has four hours off in the middle
        // of it, which is cover, not a short rest.
        assert_eq!(
            found,
            vec![(
                FairnessRule::MinRest,
                user(2),
                "2 h 00 min of rest on Mon 16 Feb between two stretches (at least 8 h)"
            )]
        );
    }

    #[test]
    fn nights_in_a_row_are_counted_in_the_schedule_zone() {
        let (from, to) = window();
        let rules = FairnessRules { max_consecutive_nights: Some(Limit { value: 5, hard: true }), ..NONE };
        let v = check(&weekly(4), &rules, from, to);
        // Every week of 24/7 cover is seven nights (Tuesday to Monday morning).
        assert!(!v.is_empty());
        assert!(v.iter().all(|v| v.hard && v.rule == FairnessRule::ConsecutiveNights));
        assert!(v[0].message.starts_with("7 nights in a row, Tue 3 Feb to Mon 9 Feb"), "{}", v[0].message);
    }
}
