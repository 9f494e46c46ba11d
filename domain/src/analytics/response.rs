//! Response figures over a window's incidents: MTTA, MTTM, MTTR, the incidents nobody answered,
//! the escalation rate, grouped by week, month, severity, service or team.

use std::{collections::BTreeMap, str::FromStr, sync::Arc};

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
        let (mut tta, mut ttm, mut ttr): (Vec<i64>, Vec<i64>, Vec<i64>) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut f = ResponseFigures::default();
        let mut alerts = 0i64;
        for i in facts {
            f.incidents += 1;
            alerts += i64::from(i.alerts);
            if i.no_responder {
                f.no_responder += 1;
            } else if let Some(s) = i.to_acknowledge {
                tta.push(i64::from(s));
            }
            if let Some(s) = i.to_mitigate {
                ttm.push(i64::from(s));
            }
            if let Some(s) = i.to_resolve {
                ttr.push(i64::from(s));
            }
            f.escalated += u64::from(i.escalated);
            f.by_severity[usize::try_from(i.current.level() - 1).unwrap_or(4).min(4)] += 1;
            f.resolved_by_source += u64::from(i.resolved_by_source);
        }
        f.mtta_seconds = Summary::of_whole(&mut tta);
        f.mttm_seconds = Summary::of_whole(&mut ttm);
        f.mttr_seconds = Summary::of_whole(&mut ttr);
        if f.incidents > 0 {
            f.escalation_rate = f.escalated as f64 / f.incidents as f64;
            f.alerts_per_incident = alerts as f64 / f.incidents as f64;
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
    let mut groups: Vec<Vec<&IncidentFact>> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut group_of = |key: &str| match index.get(key) {
        Some(i) => *i,
        None => {
            index.insert(key.to_owned(), groups.len());
            groups.push(Vec::new());
            groups.len() - 1
        }
    };
    let mut placed: Vec<(usize, &IncidentFact)> = Vec::with_capacity(facts.len());
    match by {
        GroupBy::Week | GroupBy::Month => {
            // The key changes with the local day only: looked up once per day, not per incident.
            let mut clock = LocalClock::new(zone);
            let mut current: Option<(i64, usize)> = None;
            for f in facts {
                let n = local_day(clock.local_seconds(f.created_at));
                let group = match current {
                    Some((d, g)) if d == n => g,
                    _ => {
                        let day = date_of_local_day(n);
                        let g = group_of(&if by == GroupBy::Week {
                            Week::of_day(day).to_string()
                        } else {
                            format!("{}-{:02}", day.year(), day.month())
                        });
                        current = Some((n, g));
                        g
                    }
                };
                placed.push((group, f));
            }
        }
        GroupBy::Severity => facts.iter().for_each(|f| placed.push((group_of(f.current.as_str()), f))),
        GroupBy::Service | GroupBy::Team => {
            for f in facts {
                let keys = if by == GroupBy::Service { &f.services } else { &f.teams };
                if keys.is_empty() {
                    placed.push((group_of(NONE_KEY), f));
                }
                keys.iter().for_each(|k| placed.push((group_of(k), f)));
            }
        }
    }
    for (g, f) in placed {
        groups[g].push(f);
    }
    index.into_iter().map(|(k, i)| (k, ResponseFigures::of(std::mem::take(&mut groups[i])))).collect()
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
