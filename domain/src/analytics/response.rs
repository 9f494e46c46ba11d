//! Response figures over a window's incidents: MTTA, MTTM, MTTR, the incidents nobody answered,
//! the escalation rate, grouped by week, month, severity, service or team.

use std::{collections::BTreeMap, str::FromStr, sync::Arc};

use rustc_hash::FxHashMap;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{
    stats::Summary,
    window::{LocalClock, Week, date_of_local_day, local_day},
};
use crate::{FieldError, incident::Severity};

/// What the analytics know about one incident: computed from its row, its timeline and its
/// pages (by the engine, into `incident_facts`).
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentFact {
    pub number: i64,
    pub created_at: DateTime<Utc>,
    /// Slugs of the services it affects, and of the teams that own them (empty for an incident
    /// declared without a service).
    /// Shared: most incidents of a service carry the very same lists.
    pub services: Arc<[String]>,
    pub teams: Arc<[String]>,
    /// The severity it was declared (or opened by an alert) with, its severity now, and the worst
    /// it reached.
    pub declared: Severity,
    pub current: Severity,
    pub highest: Severity,
    /// Whole seconds from creation.
    pub to_acknowledge: Option<u32>,
    pub to_mitigate: Option<u32>,
    pub to_resolve: Option<u32>,
    /// Triaged "no responder": nobody answered the escalation policy.
    pub no_responder: bool,
    /// Its escalation paged level 2 or beyond.
    pub escalated: bool,
    /// Resolved by its alert source with no person acting on it.
    pub resolved_by_source: bool,
    pub alerts: u32,
    /// People paged for it (by the policy or by hand).
    pub pages: u32,
}

/// The figures of one set of incidents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseFigures {
    pub incidents: u64,
    pub mtta_seconds: Summary,
    pub mttm_seconds: Summary,
    pub mttr_seconds: Summary,
    /// Incidents triaged "no responder" (not in MTTA).
    pub no_responder: u64,
    /// Incidents whose escalation reached level 2 or beyond, over all incidents (0 when none).
    pub escalation_rate: f64,
    pub escalated: u64,
    /// Incidents resolved by their source with nobody acting.
    pub resolved_by_source: u64,
    /// Alerts attached, per incident.
    pub alerts_per_incident: f64,
    /// Incidents by current severity, SEV1 first.
    pub by_severity: [u64; 5],
}

impl ResponseFigures {
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a IncidentFact>) -> ResponseFigures {
        let mut t = ResponseTally::default();
        facts.into_iter().for_each(|f| t.add(f));
        t.finish()
    }
}

/// [`ResponseFigures`] gathered one incident at a time (and from several parts of a window
/// merged), so a year is never held as a million facts.
#[derive(Debug, Clone, Default)]
pub struct ResponseTally {
    incidents: u64,
    no_responder: u64,
    escalated: u64,
    resolved_by_source: u64,
    alerts: u64,
    by_severity: [u64; 5],
    tta: Vec<u32>,
    ttm: Vec<u32>,
    ttr: Vec<u32>,
}

impl ResponseTally {
    pub fn add(&mut self, i: &IncidentFact) {
        self.incidents += 1;
        self.alerts += u64::from(i.alerts);
        if i.no_responder {
            self.no_responder += 1;
        } else if let Some(s) = i.to_acknowledge {
            self.tta.push(s);
        }
        self.ttm.extend(i.to_mitigate);
        self.ttr.extend(i.to_resolve);
        self.escalated += u64::from(i.escalated);
        self.by_severity[usize::try_from(i.current.level() - 1).unwrap_or(4).min(4)] += 1;
        self.resolved_by_source += u64::from(i.resolved_by_source);
    }

    pub fn merge(&mut self, other: ResponseTally) {
        self.incidents += other.incidents;
        self.no_responder += other.no_responder;
        self.escalated += other.escalated;
        self.resolved_by_source += other.resolved_by_source;
        self.alerts += other.alerts;
        for (a, b) in self.by_severity.iter_mut().zip(other.by_severity) {
            *a += b;
        }
        self.tta.extend(other.tta);
        self.ttm.extend(other.ttm);
        self.ttr.extend(other.ttr);
    }

    pub fn finish(mut self) -> ResponseFigures {
        let mut f = ResponseFigures {
            incidents: self.incidents,
            mtta_seconds: Summary::of_whole(&mut self.tta),
            mttm_seconds: Summary::of_whole(&mut self.ttm),
            mttr_seconds: Summary::of_whole(&mut self.ttr),
            no_responder: self.no_responder,
            escalated: self.escalated,
            resolved_by_source: self.resolved_by_source,
            by_severity: self.by_severity,
            ..ResponseFigures::default()
        };
        if f.incidents > 0 {
            f.escalation_rate = f.escalated as f64 / f.incidents as f64;
            f.alerts_per_incident = self.alerts as f64 / f.incidents as f64;
        }
        f
    }
}

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Week,
    Month,
    Severity,
    Service,
    Team,
}

impl FromStr for GroupBy {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<GroupBy, FieldError> {
        Ok(match s.trim() {
            "week" => GroupBy::Week,
            "month" => GroupBy::Month,
            "severity" => GroupBy::Severity,
            "service" => GroupBy::Service,
            "team" => GroupBy::Team,
            other => {
                return Err(FieldError::new(
                    "group_by",
                    format!(
                        "'{other}' is not accepted; expected one of week, month, severity, service, team"
                    ),
                ));
            }
        })
    }
}

/// Where an incident with no service or team is counted when grouping by them.
pub const NONE_KEY: &str = "(none)";

/// The figures per key, in key order (weeks and months sort by time as text). An incident
/// counts under one week, month or severity, and under each of its services or teams (an
/// incident affecting two services counts in both rows).
pub fn grouped(facts: &[IncidentFact], by: GroupBy, zone: Tz) -> Vec<(String, ResponseFigures)> {
    let mut t = GroupedTally::new(by, zone);
    facts.iter().for_each(|f| t.add(f));
    t.finish()
}

/// [`grouped`] one incident at a time.
pub struct GroupedTally {
    by: GroupBy,
    clock: LocalClock,
    /// The local day of the last incident and its group: the key changes with the day only,
    /// so it is looked up once per day, not per incident.
    current: Option<(i64, usize)>,
    /// Each list of services or teams (shared by the incidents that have it), by its address,
    /// with its groups; held, so no other list takes its address while the tally lives.
    lists: FxHashMap<usize, (Arc<[String]>, Vec<usize>)>,
    index: BTreeMap<String, usize>,
    groups: Vec<ResponseTally>,
}

impl GroupedTally {
    pub fn new(by: GroupBy, zone: Tz) -> GroupedTally {
        GroupedTally {
            by,
            clock: LocalClock::new(zone),
            current: None,
            lists: FxHashMap::default(),
            index: BTreeMap::new(),
            groups: Vec::new(),
        }
    }

    fn group_of(&mut self, key: &str) -> usize {
        if let Some(i) = self.index.get(key) {
            return *i;
        }
        self.index.insert(key.to_owned(), self.groups.len());
        self.groups.push(ResponseTally::default());
        self.groups.len() - 1
    }

    pub fn add(&mut self, f: &IncidentFact) {
        match self.by {
            GroupBy::Week | GroupBy::Month => {
                let n = local_day(self.clock.local_seconds(f.created_at));
                let g = match self.current {
                    Some((d, g)) if d == n => g,
                    _ => {
                        let day = date_of_local_day(n);
                        let key = if self.by == GroupBy::Week {
                            Week::of_day(day).to_string()
                        } else {
                            format!("{}-{:02}", day.year(), day.month())
                        };
                        let g = self.group_of(&key);
                        self.current = Some((n, g));
                        g
                    }
                };
                self.groups[g].add(f);
            }
            GroupBy::Severity => {
                let g = self.group_of(f.current.as_str());
                self.groups[g].add(f);
            }
            GroupBy::Service | GroupBy::Team => {
                let keys = if self.by == GroupBy::Service { &f.services } else { &f.teams };
                let address = Arc::as_ptr(keys).cast::<String>() as usize;
                if !self.lists.contains_key(&address) {
                    let g: Vec<usize> = if keys.is_empty() {
                        vec![self.group_of(NONE_KEY)]
                    } else {
                        keys.iter().map(|k| self.group_of(k)).collect()
                    };
                    self.lists.insert(address, (keys.clone(), g));
                }
                for g in &self.lists[&address].1 {
                    self.groups[*g].add(f);
                }
            }
        }
    }

    pub fn merge(&mut self, mut other: GroupedTally) {
        for (key, i) in std::mem::take(&mut other.index) {
            let g = self.group_of(&key);
            self.groups[g].merge(std::mem::take(&mut other.groups[i]));
        }
    }

    pub fn finish(mut self) -> Vec<(String, ResponseFigures)> {
        let index = std::mem::take(&mut self.index);
        index.into_iter().map(|(k, i)| (k, std::mem::take(&mut self.groups[i]).finish())).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;

    use super::*;

    pub fn fact(number: i64, created: DateTime<Utc>) -> IncidentFact {
        IncidentFact {
            number,
            created_at: created,
            services: ["checkout".to_owned()].into(),
            teams: ["payments".to_owned()].into(),
            declared: Severity::Sev3,
            current: Severity::Sev3,
            highest: Severity::Sev3,
            to_acknowledge: None,
            to_mitigate: None,
            to_resolve: None,
            no_responder: false,
            escalated: false,
            resolved_by_source: false,
            alerts: 0,
            pages: 0,
        }
    }

    #[test]
    fn figures_over_hand_built_incidents() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let mut a = fact(1, t);
        a.to_acknowledge = Some(60);
        a.to_resolve = Some(3600);
        a.alerts = 3;
        let mut b = fact(2, t);
        b.to_acknowledge = Some(300);
        b.to_mitigate = Some(600);
        b.to_resolve = Some(1200);
        b.escalated = true;
        b.alerts = 1;
        // Nobody answered: counted apart and kept out of MTTA even though acknowledged later.
        let mut c = fact(3, t);
        c.no_responder = true;
        c.to_acknowledge = Some(7200);
        let mut d = fact(4, t);
        d.resolved_by_source = true;
        d.to_resolve = Some(120);
        let f = ResponseFigures::of(&[a, b, c, d]);
        assert_eq!(f.incidents, 4);
        assert_eq!(
            f.mtta_seconds,
            Summary { mean: Some(180.0), p50: Some(180.0), p90: Some(276.0), count: 2 }
        );
        assert_eq!(f.mttm_seconds.count, 1);
        assert_eq!(f.mttr_seconds.p50, Some(1200.0));
        assert_eq!(f.mttr_seconds.mean, Some(1640.0));
        assert_eq!((f.no_responder, f.escalated, f.resolved_by_source), (1, 1, 1));
        assert_eq!(f.escalation_rate, 0.25);
        assert_eq!(f.alerts_per_incident, 1.0);
        assert_eq!(f.by_severity, [0, 0, 4, 0, 0]);
    }

    #[test]
    fn tallies_of_two_halves_merged_equal_the_tally_of_the_whole() {
        use super::super::{NoiseFigures, NoiseTally, PriorityFigures, PriorityTally, RuleCount};
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let lists: [Arc<[String]>; 3] =
            [["api".to_owned()].into(), ["api".to_owned(), "web".to_owned()].into(), [].into()];
        let facts: Vec<IncidentFact> = (0..60)
            .map(|i| {
                let mut f = fact(i, t0 + chrono::Duration::hours(i * 7));
                f.services = lists[(i % 3) as usize].clone();
                f.teams = lists[((i + 1) % 3) as usize].clone();
                f.to_acknowledge = (i % 4 != 0).then_some((i * 37 % 600) as u32);
                f.to_resolve = Some((i * 911 % 7200) as u32);
                f.declared = Severity::from_level(1 + (i % 5) as i16).unwrap();
                f.current = Severity::from_level(1 + (i * 3 % 5) as i16).unwrap();
                f.escalated = i % 6 == 0;
                f.alerts = (i % 4) as u32;
                f
            })
            .collect();
        let rules: Vec<RuleCount> = facts
            .iter()
            .map(|f| RuleCount {
                rule: Arc::from(if f.number % 2 == 0 { "DiskFull" } else { "Latency" }),
                service: Arc::from("api"),
                alerts: u64::from(f.alerts),
                flapping: u64::from(f.number % 5 == 0),
                pages: 1,
                acknowledged: f.to_acknowledge.is_some(),
                resolved_by_source: false,
            })
            .collect();
        let london = chrono_tz::Europe::London;
        for by in [GroupBy::Week, GroupBy::Service, GroupBy::Team, GroupBy::Severity] {
            let (mut a, mut b) = (GroupedTally::new(by, london), GroupedTally::new(by, london));
            facts[..25].iter().for_each(|f| a.add(f));
            facts[25..].iter().for_each(|f| b.add(f));
            a.merge(b);
            assert_eq!(a.finish(), grouped(&facts, by, london), "{by:?}");
        }
        let (mut a, mut b) = (ResponseTally::default(), ResponseTally::default());
        facts[..31].iter().for_each(|f| a.add(f));
        facts[31..].iter().for_each(|f| b.add(f));
        a.merge(b);
        assert_eq!(a.finish(), ResponseFigures::of(&facts));
        let (mut a, mut b) = (PriorityTally::default(), PriorityTally::default());
        facts[..12].iter().for_each(|f| a.add(f));
        facts[12..].iter().for_each(|f| b.add(f));
        a.merge(b);
        assert_eq!(a.finish(), PriorityFigures::of(&facts));
        let (mut a, mut b) = (NoiseTally::default(), NoiseTally::default());
        facts[..40].iter().for_each(|f| a.add_incident(f));
        rules[..40].iter().for_each(|r| a.add_rule(r));
        facts[40..].iter().for_each(|f| b.add_incident(f));
        rules[40..].iter().for_each(|r| b.add_rule(r));
        a.merge(b);
        assert_eq!(a.finish(), NoiseFigures::of(&facts, &rules));
    }

    #[test]
    fn groups_by_local_week_and_by_each_service() {
        let london = chrono_tz::Europe::London;
        // Sunday 22 Nov 23:30 UTC is Sunday in London (W47) but Monday in Sydney (W48).
        let late_sunday = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        let mut two = fact(1, late_sunday);
        two.services = ["api".to_owned(), "checkout".to_owned()].into();
        let none = IncidentFact { services: [].into(), teams: [].into(), ..fact(2, late_sunday) };
        let weeks = grouped(&[two.clone(), none.clone()], GroupBy::Week, london);
        assert_eq!(
            weeks.iter().map(|(k, f)| (k.as_str(), f.incidents)).collect::<Vec<_>>(),
            [("2026-W47", 2)]
        );
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        assert_eq!(grouped(&[two.clone()], GroupBy::Week, sydney)[0].0, "2026-W48");
        let services = grouped(&[two, none], GroupBy::Service, london);
        let keys: Vec<_> = services.iter().map(|(k, f)| (k.as_str(), f.incidents)).collect();
        assert_eq!(keys, [("(none)", 1), ("api", 1), ("checkout", 1)]);
        assert_eq!("fortnight".parse::<GroupBy>().unwrap_err().field, "group_by");
    }
}
