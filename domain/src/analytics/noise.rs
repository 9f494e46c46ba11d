//! Noise: which alert rules page people for nothing. A rule is the Alertmanager `alertname`
//! when the alert has one, else the stable prefix of its dedup key (everything before the first
//! digit, so `disk-full/db-07` and `disk-full/db-12` are one rule, `disk-full/db`).

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::response::IncidentFact;

/// One alert, as the noise figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFact {
    pub alertname: Option<String>,
    pub dedup_key: String,
    pub service: String,
    /// The incident it opened or joined.
    pub incident: Option<i64>,
    pub flapping: bool,
}

/// The rule an alert belongs to.
pub fn rule_of(alertname: Option<&str>, dedup_key: &str) -> String {
    if let Some(name) = alertname.map(str::trim).filter(|n| !n.is_empty()) {
        return name.to_owned();
    }
    let cut = dedup_key.find(|c: char| c.is_ascii_digit()).unwrap_or(dedup_key.len());
    let prefix = dedup_key[..cut].trim_end_matches(|c: char| !c.is_alphanumeric());
    if prefix.is_empty() { dedup_key.to_owned() } else { prefix.to_owned() }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoiseRow {
    pub rule: String,
    pub service: String,
    pub alerts: u64,
    pub flapping: u64,
    pub incidents: u64,
    /// People paged for those incidents.
    pub pages: u64,
    /// Share of those incidents someone acknowledged.
    pub acknowledged_share: f64,
    /// Share resolved by their source with nobody acting.
    pub nobody_acted_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoiseFigures {
    pub incidents: u64,
    pub alerts: u64,
    pub alerts_per_incident: f64,
    pub resolved_by_source: u64,
    pub flapping_alerts: u64,
    /// The noisiest first: most pages, then most incidents.
    pub rules: Vec<NoiseRow>,
}

/// One incident's alerts from one rule and service, with what became of the incident: the unit
/// the noise figures add up (the engine keeps them per day, so a year is never re-read alert by
/// alert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    pub rule: Arc<str>,
    pub service: Arc<str>,
    pub alerts: u64,
    pub flapping: u64,
    /// The incident's pages, whether someone acknowledged it, and whether its source resolved it
    /// with nobody acting.
    pub pages: u64,
    pub acknowledged: bool,
    pub resolved_by_source: bool,
}

impl RuleCount {
    /// The counts of `alerts` that belong to `incidents`.
    pub fn tally(incidents: &[IncidentFact], alerts: &[AlertFact]) -> Vec<RuleCount> {
        let by_number: HashMap<i64, &IncidentFact> = incidents.iter().map(|f| (f.number, f)).collect();
        let mut groups: BTreeMap<(i64, String, String), (u64, u64)> = BTreeMap::new();
        for a in alerts {
            let Some(n) = a.incident.filter(|n| by_number.contains_key(n)) else { continue };
            let g = groups
                .entry((n, rule_of(a.alertname.as_deref(), &a.dedup_key), a.service.clone()))
                .or_default();
            g.0 += 1;
            g.1 += u64::from(a.flapping);
        }
        groups
            .into_iter()
            .map(|((n, rule, service), (alerts, flapping))| {
                let f = by_number[&n];
                RuleCount {
                    rule: rule.into(),
                    service: service.into(),
                    alerts,
                    flapping,
                    pages: u64::from(f.pages),
                    acknowledged: f.to_acknowledge.is_some(),
                    resolved_by_source: f.resolved_by_source,
                }
            })
            .collect()
    }
}

impl NoiseFigures {
    /// `rules` are the alerts of the window's incidents (`incidents`), counted by rule.
    pub fn of<'a>(
        incidents: &[IncidentFact],
        rules: impl IntoIterator<Item = &'a RuleCount>,
    ) -> NoiseFigures {
        let mut t = NoiseTally::default();
        incidents.iter().for_each(|f| t.add_incident(f));
        rules.into_iter().for_each(|r| t.add_rule(r));
        t.finish()
    }
}

#[derive(Debug, Clone, Default)]
struct Group {
    alerts: u64,
    flapping: u64,
    incidents: u64,
    pages: u64,
    acknowledged: u64,
    nobody_acted: u64,
}

impl Group {
    fn merge(&mut self, s: &Group) {
        self.alerts += s.alerts;
        self.flapping += s.flapping;
        self.incidents += s.incidents;
        self.pages += s.pages;
        self.acknowledged += s.acknowledged;
        self.nobody_acted += s.nobody_acted;
    }
}

/// A rule's and a service's strings, held, and their counts.
type Shared = (Arc<str>, Arc<str>, Group);

/// [`NoiseFigures`] gathered one incident and one rule count at a time.
#[derive(Debug, Clone, Default)]
pub struct NoiseTally {
    incidents: u64,
    alerts: u64,
    resolved_by_source: u64,
    flapping: u64,
    /// Counts share their rule's and service's strings: tallied by those strings' addresses
    /// first (each held, so its address stays its own), then by name.
    shared: FxHashMap<(usize, usize), Shared>,
}

impl NoiseTally {
    pub fn add_incident(&mut self, f: &IncidentFact) {
        self.incidents += 1;
        self.alerts += u64::from(f.alerts);
        self.resolved_by_source += u64::from(f.resolved_by_source);
    }

    pub fn add_rule(&mut self, r: &RuleCount) {
        self.flapping += r.flapping;
        let key = (r.rule.as_ptr() as usize, r.service.as_ptr() as usize);
        let (_, _, g) =
            self.shared.entry(key).or_insert_with(|| (r.rule.clone(), r.service.clone(), Group::default()));
        g.alerts += r.alerts;
        g.flapping += r.flapping;
        g.incidents += 1;
        g.pages += r.pages;
        g.acknowledged += u64::from(r.acknowledged);
        g.nobody_acted += u64::from(r.resolved_by_source);
    }

    pub fn merge(&mut self, other: NoiseTally) {
        self.incidents += other.incidents;
        self.alerts += other.alerts;
        self.resolved_by_source += other.resolved_by_source;
        self.flapping += other.flapping;
        for (key, (rule, service, g)) in other.shared {
            self.shared.entry(key).or_insert_with(|| (rule, service, Group::default())).2.merge(&g);
        }
    }

    pub fn finish(self) -> NoiseFigures {
        let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
        for (rule, service, s) in self.shared.values() {
            groups.entry((rule, service)).or_default().merge(s);
        }
        let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
        let mut rules_out: Vec<NoiseRow> = groups
            .into_iter()
            .map(|((rule, service), g)| NoiseRow {
                rule: rule.to_owned(),
                service: service.to_owned(),
                alerts: g.alerts,
                flapping: g.flapping,
                incidents: g.incidents,
                pages: g.pages,
                acknowledged_share: share(g.acknowledged, g.incidents),
                nobody_acted_share: share(g.nobody_acted, g.incidents),
            })
            .collect();
        rules_out.sort_by(|a, b| {
            b.pages.cmp(&a.pages).then(b.incidents.cmp(&a.incidents)).then(a.rule.cmp(&b.rule))
        });
        NoiseFigures {
            incidents: self.incidents,
            alerts: self.alerts,
            alerts_per_incident: if self.incidents == 0 {
                0.0
            } else {
                self.alerts as f64 / self.incidents as f64
            },
            resolved_by_source: self.resolved_by_source,
            flapping_alerts: self.flapping,
            rules: rules_out,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::analytics::response::tests::fact;

    #[test]
    fn rules_come_from_the_alertname_or_the_key_prefix() {
        assert_eq!(rule_of(Some("HighLatency"), "abc-1"), "HighLatency");
        assert_eq!(rule_of(Some("  "), "disk-full/db-07"), "disk-full/db");
        assert_eq!(rule_of(None, "disk-full/db-12"), "disk-full/db");
        assert_eq!(rule_of(None, "cpu-high"), "cpu-high");
        assert_eq!(rule_of(None, "42"), "42");
    }

    #[test]
    fn the_noisiest_rules_come_first_with_their_shares() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let mut one = fact(1, t);
        one.pages = 3;
        one.alerts = 2;
        one.resolved_by_source = true;
        let mut two = fact(2, t);
        two.pages = 1;
        two.alerts = 1;
        two.to_acknowledge = Some(30);
        let alert = |name: Option<&str>, key: &str, incident, flapping| AlertFact {
            alertname: name.map(str::to_owned),
            dedup_key: key.to_owned(),
            service: "checkout".to_owned(),
            incident,
            flapping,
        };
        let alerts = [
            alert(None, "disk-full/db-07", Some(1), true),
            alert(None, "disk-full/db-12", Some(1), false),
            alert(Some("Latency"), "x", Some(2), false),
            // Its incident is outside the window: not counted.
            alert(Some("Latency"), "y", Some(99), false),
        ];
        let incidents = [one, two];
        let n = NoiseFigures::of(&incidents, &RuleCount::tally(&incidents, &alerts));
        assert_eq!((n.incidents, n.alerts, n.resolved_by_source, n.flapping_alerts), (2, 3, 1, 1));
        assert_eq!(n.alerts_per_incident, 1.5);
        assert_eq!(n.rules[0].rule, "disk-full/db");
        assert_eq!((n.rules[0].alerts, n.rules[0].incidents, n.rules[0].pages), (2, 1, 3));
        assert_eq!((n.rules[0].acknowledged_share, n.rules[0].nobody_acted_share), (0.0, 1.0));
        assert_eq!(
            (n.rules[1].rule.as_str(), n.rules[1].alerts, n.rules[1].acknowledged_share),
            ("Latency", 1, 1.0)
        );
    }
}
