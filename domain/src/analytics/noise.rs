//! Noise: which alert rules page people for nothing. A rule is the Alertmanager `alertname`
//! when the alert has one, else the stable prefix of its dedup key (everything before the first
//! digit, so `disk-full/db-07` and `disk-full/db-12` are one rule, `disk-full/db`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

impl NoiseFigures {
    /// `alerts` are the alerts of the window's incidents (`incidents`).
    pub fn of(incidents: &[IncidentFact], alerts: &[AlertFact]) -> NoiseFigures {
        let by_number: HashMap<i64, &IncidentFact> = incidents.iter().map(|f| (f.number, f)).collect();
        let mut groups: BTreeMap<(String, String), (u64, u64, BTreeSet<i64>)> = BTreeMap::new();
        for a in alerts {
            let g =
                groups.entry((rule_of(a.alertname.as_deref(), &a.dedup_key), a.service.clone())).or_default();
            g.0 += 1;
            g.1 += u64::from(a.flapping);
            if let Some(n) = a.incident.filter(|n| by_number.contains_key(n)) {
                g.2.insert(n);
            }
        }
        let mut rules: Vec<NoiseRow> = groups
            .into_iter()
            .map(|((rule, service), (n, flapping, numbers))| {
                let own: Vec<&IncidentFact> =
                    numbers.iter().filter_map(|n| by_number.get(n).copied()).collect();
                let share = |pred: &dyn Fn(&IncidentFact) -> bool| {
                    if own.is_empty() {
                        0.0
                    } else {
                        own.iter().filter(|f| pred(f)).count() as f64 / own.len() as f64
                    }
                };
                NoiseRow {
                    rule,
                    service,
                    alerts: n,
                    flapping,
                    incidents: own.len() as u64,
                    pages: own.iter().map(|f| f.pages.max(0) as u64).sum(),
                    acknowledged_share: share(&|f| f.to_acknowledge.is_some()),
                    nobody_acted_share: share(&|f| f.resolved_by_source),
                }
            })
            .collect();
        rules.sort_by(|a, b| {
            b.pages.cmp(&a.pages).then(b.incidents.cmp(&a.incidents)).then(a.rule.cmp(&b.rule))
        });
        let total_alerts: i64 = incidents.iter().map(|f| f.alerts).sum();
        NoiseFigures {
            incidents: incidents.len() as u64,
            alerts: total_alerts.max(0) as u64,
            alerts_per_incident: if incidents.is_empty() {
                0.0
            } else {
                total_alerts as f64 / incidents.len() as f64
            },
            resolved_by_source: incidents.iter().filter(|f| f.resolved_by_source).count() as u64,
            flapping_alerts: alerts.iter().filter(|a| a.flapping).count() as u64,
            rules,
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
            // Its incident is outside the window: counted as an alert, not as an incident.
            alert(Some("Latency"), "y", Some(99), false),
        ];
        let n = NoiseFigures::of(&[one, two], &alerts);
        assert_eq!((n.incidents, n.alerts, n.resolved_by_source, n.flapping_alerts), (2, 3, 1, 1));
        assert_eq!(n.alerts_per_incident, 1.5);
        assert_eq!(n.rules[0].rule, "disk-full/db");
        assert_eq!((n.rules[0].alerts, n.rules[0].incidents, n.rules[0].pages), (2, 1, 3));
        assert_eq!((n.rules[0].acknowledged_share, n.rules[0].nobody_acted_share), (0.0, 1.0));
        assert_eq!(
            (n.rules[1].rule.as_str(), n.rules[1].alerts, n.rules[1].acknowledged_share),
            ("Latency", 2, 1.0)
        );
    }
}
