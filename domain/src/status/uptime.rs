//! Uptime per component and per day, from the component status log (the only source of uptime).
//!
//! A day is a local day in the status page's time zone: midnight to midnight there, so the day
//! the clocks go forward has 23 hours and the day they go back 25. Each day reports the seconds
//! spent in every state and one figure:
//!
//! ```text
//! uptime = 1 - (major_outage + partial_weight x partial_outage [+ under_maintenance]) / observed
//! ```
//!
//! where `observed` is the part of the day the component existed (up to now, for today),
//! `partial_weight` is 0.3 by default (as Statuspage weighs a partial outage), and maintenance
//! counts only when the page says it should. Degraded performance is up. Time the log does not
//! cover (there is none for a component made through Tocsin) counts as operational. A day before
//! the component existed has no figure.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ComponentStatus;
use crate::schedule::rotation::resolve_local;

/// A stretch of one state: `until` is `None` while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSpan {
    pub status: ComponentStatus,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// How a day's states become one figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UptimeRules {
    /// The share of a partial outage that counts as down (0 to 1).
    pub partial_weight: f64,
    /// Whether planned maintenance counts as down.
    pub maintenance_counts: bool,
}

impl Default for UptimeRules {
    fn default() -> Self {
        UptimeRules { partial_weight: 0.3, maintenance_counts: false }
    }
}

/// One local day of one component (or group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayUptime {
    pub date: NaiveDate,
    /// Between 0 and 1; `None` for a day before the component existed (or still to come).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub uptime: Option<f64>,
    pub operational_seconds: i64,
    pub degraded_performance_seconds: i64,
    pub partial_outage_seconds: i64,
    pub major_outage_seconds: i64,
    pub under_maintenance_seconds: i64,
    /// When the day began and ended, as instants (its edges in the page's zone).
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl DayUptime {
    fn seconds_mut(&mut self, s: ComponentStatus) -> &mut i64 {
        match s {
            ComponentStatus::Operational => &mut self.operational_seconds,
            ComponentStatus::DegradedPerformance => &mut self.degraded_performance_seconds,
            ComponentStatus::PartialOutage => &mut self.partial_outage_seconds,
            ComponentStatus::MajorOutage => &mut self.major_outage_seconds,
            ComponentStatus::UnderMaintenance => &mut self.under_maintenance_seconds,
        }
    }

    /// Seconds in any state: the part of the day that was observed.
    pub fn observed_seconds(&self) -> i64 {
        self.operational_seconds
            + self.degraded_performance_seconds
            + self.partial_outage_seconds
            + self.major_outage_seconds
            + self.under_maintenance_seconds
    }

    /// The worst state the day saw, for the colour of its bar.
    pub fn worst(&self) -> Option<ComponentStatus> {
        [
            (ComponentStatus::MajorOutage, self.major_outage_seconds),
            (ComponentStatus::PartialOutage, self.partial_outage_seconds),
            (ComponentStatus::DegradedPerformance, self.degraded_performance_seconds),
            (ComponentStatus::UnderMaintenance, self.under_maintenance_seconds),
            (ComponentStatus::Operational, self.operational_seconds),
        ]
        .into_iter()
        .find(|(_, secs)| *secs > 0)
        .map(|(s, _)| s)
    }
}

/// The instant a local date begins in `zone` (the first valid instant where midnight is skipped).
pub fn day_start(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(zone, date.and_time(NaiveTime::MIN))
}

/// The `days` local days ending with `today` (oldest first), each with its seconds per state and
/// its uptime, for a component that exists from `created_at` and whose log is `spans` (in any
/// order; where two overlap, the later-starting one holds).
pub fn daily_uptime(
    spans: &[StatusSpan],
    created_at: DateTime<Utc>,
    zone: Tz,
    today: NaiveDate,
    days: u32,
    now: DateTime<Utc>,
    rules: UptimeRules,
) -> Vec<DayUptime> {
    let mut spans = spans.to_vec();
    spans.sort_by_key(|s| s.from);
    (0..days)
        .rev()
        .map(|back| {
            let date = today - Duration::days(i64::from(back));
            let starts_at = day_start(zone, date);
            let ends_at = day_start(zone, date + Duration::days(1));
            let mut day = DayUptime {
                date,
                uptime: None,
                operational_seconds: 0,
                degraded_performance_seconds: 0,
                partial_outage_seconds: 0,
                major_outage_seconds: 0,
                under_maintenance_seconds: 0,
                starts_at,
                ends_at,
            };
            let from = starts_at.max(created_at);
            let until = ends_at.min(now);
            if from >= until {
                return day;
            }
            // Walk the day through the spans: each second belongs to the latest span that has
            // begun and not ended, or is operational where none covers it.
            let mut at = from;
            while at < until {
                let current = spans.iter().rev().find(|s| s.from <= at && s.until.is_none_or(|u| u > at));
                let next_edge = spans
                    .iter()
                    .flat_map(|s| [Some(s.from), s.until])
                    .flatten()
                    .filter(|t| *t > at)
                    .min()
                    .unwrap_or(until)
                    .min(until);
                let status = current.map_or(ComponentStatus::Operational, |s| s.status);
                *day.seconds_mut(status) += (next_edge - at).num_seconds();
                at = next_edge;
            }
            let observed = day.observed_seconds();
            if observed > 0 {
                let maintenance =
                    if rules.maintenance_counts { day.under_maintenance_seconds as f64 } else { 0.0 };
                let down = day.major_outage_seconds as f64
                    + rules.partial_weight * day.partial_outage_seconds as f64
                    + maintenance;
                day.uptime = Some((1.0 - down / observed as f64).clamp(0.0, 1.0));
            }
            day
        })
        .collect()
}

/// The log of a group: at every instant, the worst state of its members (a group is up only
/// where every member is). Members' logs are given whole; the result starts with the earliest.
pub fn worst_of(members: &[Vec<StatusSpan>]) -> Vec<StatusSpan> {
    let mut edges: Vec<DateTime<Utc>> =
        members.iter().flatten().flat_map(|s| [Some(s.from), s.until]).flatten().collect();
    edges.sort();
    edges.dedup();
    let state_at = |member: &Vec<StatusSpan>, t: DateTime<Utc>| {
        member
            .iter()
            .filter(|s| s.from <= t && s.until.is_none_or(|u| u > t))
            .max_by_key(|s| s.from)
            .map_or(ComponentStatus::Operational, |s| s.status)
    };
    let mut out: Vec<StatusSpan> = Vec::new();
    for (i, &t) in edges.iter().enumerate() {
        let status =
            members.iter().map(|m| state_at(m, t)).fold(ComponentStatus::Operational, ComponentStatus::worst);
        let until = edges.get(i + 1).copied();
        match out.last_mut() {
            Some(last) if last.status == status => last.until = until,
            _ => out.push(StatusSpan { status, from: t, until }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use ComponentStatus as C;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn span(status: ComponentStatus, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> StatusSpan {
        StatusSpan { status, from, until }
    }

    #[test]
    fn a_day_with_a_major_outage_and_a_partial_one() {
        let london: Tz = "Europe/London".parse().unwrap();
        // 1 hour major, 2 hours partial on 2026-06-10 (BST, UTC+1).
        let spans = [
            span(C::Operational, utc(2026, 1, 1, 0, 0), None),
            span(C::MajorOutage, utc(2026, 6, 10, 9, 0), Some(utc(2026, 6, 10, 10, 0))),
            span(C::PartialOutage, utc(2026, 6, 10, 10, 0), Some(utc(2026, 6, 10, 12, 0))),
        ];
        let days = daily_uptime(
            &spans,
            utc(2026, 1, 1, 0, 0),
            london,
            date(2026, 6, 11),
            2,
            utc(2026, 6, 11, 12, 0),
            UptimeRules::default(),
        );
        let d = &days[0];
        assert_eq!(d.date, date(2026, 6, 10));
        assert_eq!(d.starts_at, utc(2026, 6, 9, 23, 0), "midnight in London in summer");
        assert_eq!((d.major_outage_seconds, d.partial_outage_seconds), (3600, 7200));
        assert_eq!(d.observed_seconds(), 86_400);
        let expected = 1.0 - (3600.0 + 0.3 * 7200.0) / 86_400.0;
        assert!((d.uptime.unwrap() - expected).abs() < 1e-12, "{:?}", d.uptime);
        assert_eq!(d.worst(), Some(C::MajorOutage));
        // Today so far: 13 hours since local midnight, all up.
        assert_eq!(days[1].operational_seconds, 13 * 3600);
        assert_eq!(days[1].uptime, Some(1.0));
    }

    #[test]
    fn dst_days_have_23_and_25_hours_in_both_zones() {
        for (zone, spring, autumn) in [
            ("Europe/London", date(2026, 3, 29), date(2026, 10, 25)),
            ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
        ] {
            let tz: Tz = zone.parse().unwrap();
            let created = utc(2026, 1, 1, 0, 0);
            let now = utc(2027, 1, 1, 0, 0);
            for (day, hours) in [(spring, 23), (autumn, 25)] {
                // A major outage over the whole local day.
                let spans =
                    [span(C::MajorOutage, day_start(tz, day), Some(day_start(tz, day + Duration::days(1))))];
                let d = &daily_uptime(&spans, created, tz, day, 1, now, UptimeRules::default())[0];
                assert_eq!(d.observed_seconds(), hours * 3600, "{zone} {day}");
                assert_eq!(d.major_outage_seconds, hours * 3600, "{zone} {day}");
                assert_eq!(d.uptime, Some(0.0));
                // The next day is untouched: the outage ended at the local midnight.
                let next = &daily_uptime(
                    &spans,
                    created,
                    tz,
                    day + Duration::days(1),
                    1,
                    now,
                    UptimeRules::default(),
                )[0];
                assert_eq!(next.major_outage_seconds, 0, "{zone} {day}");
                assert_eq!(next.observed_seconds(), 24 * 3600);
            }
        }
    }

    #[test]
    fn maintenance_counts_only_when_the_page_says_so() {
        let utc_tz: Tz = "UTC".parse().unwrap();
        let spans = [span(C::UnderMaintenance, utc(2026, 5, 1, 0, 0), Some(utc(2026, 5, 1, 6, 0)))];
        let at = |rules| {
            daily_uptime(
                &spans,
                utc(2026, 1, 1, 0, 0),
                utc_tz,
                date(2026, 5, 1),
                1,
                utc(2026, 6, 1, 0, 0),
                rules,
            )[0]
            .uptime
            .unwrap()
        };
        assert_eq!(at(UptimeRules::default()), 1.0);
        assert_eq!(at(UptimeRules { maintenance_counts: true, ..UptimeRules::default() }), 0.75);
        assert_eq!(at(UptimeRules { partial_weight: 1.0, maintenance_counts: false }), 1.0);
    }

    #[test]
    fn days_before_the_component_existed_have_no_figure_and_its_first_day_counts_from_its_creation() {
        let tz: Tz = "UTC".parse().unwrap();
        let created = utc(2026, 5, 2, 18, 0);
        let days = daily_uptime(
            &[],
            created,
            tz,
            date(2026, 5, 3),
            3,
            utc(2026, 5, 3, 6, 0),
            UptimeRules::default(),
        );
        assert_eq!(days[0].uptime, None);
        assert_eq!(days[0].observed_seconds(), 0);
        assert_eq!(days[1].operational_seconds, 6 * 3600, "from 18:00");
        assert_eq!(days[1].uptime, Some(1.0));
        assert_eq!(days[2].operational_seconds, 6 * 3600, "until now");
    }

    #[test]
    fn a_group_is_down_wherever_any_member_is() {
        let a = vec![span(C::PartialOutage, utc(2026, 5, 1, 1, 0), Some(utc(2026, 5, 1, 3, 0)))];
        let b = vec![
            span(C::MajorOutage, utc(2026, 5, 1, 2, 0), Some(utc(2026, 5, 1, 4, 0))),
            span(C::UnderMaintenance, utc(2026, 5, 1, 5, 0), Some(utc(2026, 5, 1, 6, 0))),
        ];
        let group = worst_of(&[a, b]);
        let states: Vec<(C, u32, Option<u32>)> = group
            .iter()
            .map(|s| {
                (
                    s.status,
                    s.from.format("%H").to_string().parse().unwrap(),
                    s.until.map(|u| u.format("%H").to_string().parse().unwrap()),
                )
            })
            .collect();
        assert_eq!(
            states,
            vec![
                (C::PartialOutage, 1, Some(2)),
                (C::MajorOutage, 2, Some(4)),
                (C::Operational, 4, Some(5)),
                (C::UnderMaintenance, 5, Some(6)),
                (C::Operational, 6, None),
            ]
        );
        let tz: Tz = "UTC".parse().unwrap();
        let d = &daily_uptime(
            &group,
            utc(2026, 1, 1, 0, 0),
            tz,
            date(2026, 5, 1),
            1,
            utc(2026, 6, 1, 0, 0),
            UptimeRules::default(),
        )[0];
        assert_eq!(
            (d.partial_outage_seconds, d.major_outage_seconds, d.under_maintenance_seconds),
            (3600, 7200, 3600)
        );
    }
}
