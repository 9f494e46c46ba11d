//! Priority inflation: the severity an incident was declared with against its final severity
//! and the worst it reached. A team that declares SEV1 and settles at SEV3 most of the time is
//! waking people for less than it says.

use std::{collections::BTreeMap, sync::Arc};

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::response::{IncidentFact, NONE_KEY};
use crate::incident::Severity;

/// Counts of incidents by declared (rows, SEV1 first) and final severity (columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityFigures {
    pub incidents: u64,
    /// `declared_x_final[d][f]`: declared SEV(d+1), final SEV(f+1).
    pub declared_x_final: Vec<Vec<u64>>,
    /// `declared_x_highest[d][h]`: declared SEV(d+1), worst reached SEV(h+1).
    pub declared_x_highest: Vec<Vec<u64>>,
    /// Settled less severe than declared.
    pub de_escalated: u64,
    /// Became more severe than declared at some point.
    pub escalated: u64,
    pub de_escalated_share: f64,
    pub by_team: Vec<InflationRow>,
    pub by_service: Vec<InflationRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InflationRow {
    pub key: String,
    pub incidents: u64,
    pub de_escalated: u64,
    pub share: f64,
}

fn index(s: Severity) -> usize {
    usize::try_from(s.level() - 1).unwrap_or(0)
}

fn de_escalated(f: &IncidentFact) -> bool {
    // SEV1 sorts first: "less severe" is greater.
    f.current > f.declared
}

/// Incidents and de-escalations per list of keys (services or teams), by the list's address;
/// the list is held, so no other takes its address while the tally lives.
type PerList = FxHashMap<usize, (Arc<[String]>, u64, u64)>;

fn count_list(per_list: &mut PerList, keys: &Arc<[String]>, down: bool) {
    let e =
        per_list.entry(Arc::as_ptr(keys).cast::<String>() as usize).or_insert_with(|| (keys.clone(), 0, 0));
    e.1 += 1;
    e.2 += u64::from(down);
}

fn rows(per_list: PerList) -> Vec<InflationRow> {
    let mut map: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (ks, n, d) in per_list.into_values() {
        let mut count = |k: &str| {
            let e = map.entry(k.to_owned()).or_default();
            e.0 += n;
            e.1 += d;
        };
        if ks.is_empty() {
            count(NONE_KEY);
        }
        ks.iter().for_each(|k| count(k));
    }
    let mut rows: Vec<InflationRow> = map
        .into_iter()
        .map(|(key, (n, d))| InflationRow { key, incidents: n, de_escalated: d, share: d as f64 / n as f64 })
        .collect();
    // The most inflated first: the list a lead reads.
    rows.sort_by(|a, b| {
        b.share.total_cmp(&a.share).then(b.incidents.cmp(&a.incidents)).then(a.key.cmp(&b.key))
    });
    rows
}

impl PriorityFigures {
    pub fn of(facts: &[IncidentFact]) -> PriorityFigures {
        let mut t = PriorityTally::default();
        facts.iter().for_each(|f| t.add(f));
        t.finish()
    }
}

/// [`PriorityFigures`] gathered one incident at a time.
#[derive(Debug, Clone, Default)]
pub struct PriorityTally {
    incidents: u64,
    declared_x_final: [[u64; 5]; 5],
    declared_x_highest: [[u64; 5]; 5],
    down: u64,
    up: u64,
    teams: PerList,
    services: PerList,
}

impl PriorityTally {
    pub fn add(&mut self, f: &IncidentFact) {
        self.incidents += 1;
        self.declared_x_final[index(f.declared)][index(f.current)] += 1;
        self.declared_x_highest[index(f.declared)][index(f.highest)] += 1;
        let down = de_escalated(f);
        self.down += u64::from(down);
        self.up += u64::from(f.highest < f.declared);
        count_list(&mut self.teams, &f.teams, down);
        count_list(&mut self.services, &f.services, down);
    }

    pub fn merge(&mut self, other: PriorityTally) {
        self.incidents += other.incidents;
        for d in 0..5 {
            for x in 0..5 {
                self.declared_x_final[d][x] += other.declared_x_final[d][x];
                self.declared_x_highest[d][x] += other.declared_x_highest[d][x];
            }
        }
        self.down += other.down;
        self.up += other.up;
        for (mine, theirs) in [(&mut self.teams, other.teams), (&mut self.services, other.services)] {
            for (address, (keys, n, d)) in theirs {
                let e = mine.entry(address).or_insert_with(|| (keys, 0, 0));
                e.1 += n;
                e.2 += d;
            }
        }
    }

    pub fn finish(self) -> PriorityFigures {
        let n = self.incidents;
        PriorityFigures {
            incidents: n,
            declared_x_final: self.declared_x_final.iter().map(|r| r.to_vec()).collect(),
            declared_x_highest: self.declared_x_highest.iter().map(|r| r.to_vec()).collect(),
            de_escalated: self.down,
            escalated: self.up,
            de_escalated_share: if n == 0 { 0.0 } else { self.down as f64 / n as f64 },
            by_team: rows(self.teams),
            by_service: rows(self.services),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::analytics::response::tests::fact;

    #[test]
    fn the_matrix_and_the_inflated_teams() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let with = |n, declared, current, highest, team: &str| IncidentFact {
            declared,
            current,
            highest,
            teams: [team.to_owned()].into(),
            ..fact(n, t)
        };
        use Severity::*;
        let facts = [
            with(1, Sev1, Sev3, Sev1, "payments"),
            with(2, Sev1, Sev1, Sev1, "payments"),
            with(3, Sev3, Sev2, Sev1, "platform"),
            with(4, Sev2, Sev4, Sev2, "payments"),
        ];
        let p = PriorityFigures::of(&facts);
        assert_eq!(p.incidents, 4);
        assert_eq!(p.declared_x_final[0], vec![1, 0, 1, 0, 0]);
        assert_eq!(p.declared_x_final[2], vec![0, 1, 0, 0, 0]);
        assert_eq!(p.declared_x_highest[2], vec![1, 0, 0, 0, 0]);
        assert_eq!((p.de_escalated, p.escalated), (2, 1));
        assert_eq!(p.de_escalated_share, 0.5);
        assert_eq!(
            p.by_team[0],
            InflationRow { key: "payments".into(), incidents: 3, de_escalated: 2, share: 2.0 / 3.0 }
        );
        assert_eq!(p.by_team[1].key, "platform");
        assert_eq!(p.by_service[0].incidents, 4);
    }
}
