//! The per-day rollups (`domain::analytics::rollup`): the engine builds a UTC day's row from its
//! incidents' facts (engagements included) and alerts and from the page notifications sent that day; the
//! reports read a window's days back (a year is 365 rows) and cut them exactly to the window.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    hash::Hash,
    sync::Arc,
};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::{
    analytics::{
        Filter, IncidentFact, InterruptionTally, RuleCount, Tallied,
        rollup::{self, EngagementRecord, IncidentRecord, PageRecord, RuleRecord},
        rule_of,
    },
    incident::Severity,
};
use rustc_hash::FxHashMap;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{Result, db::analytics as db};

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// The instant `ms` milliseconds after the start of `day` (UTC): within the day without date
/// arithmetic, which a year of records would otherwise pay three million times.
fn at_ms(day: NaiveDate, ms: u64) -> DateTime<Utc> {
    let secs = u32::try_from(ms / 1000).unwrap_or(u32::MAX);
    let nanos = u32::try_from(ms % 1000).unwrap_or(0) * 1_000_000;
    match NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos) {
        Some(t) => day.and_time(t).and_utc(),
        None => i64::try_from(ms)
            .ok()
            .and_then(|ms| start_of(day).checked_add_signed(Duration::milliseconds(ms)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.num_milliseconds()).unwrap_or(0)
}

/// Values numbered by first appearance: a row's dictionary.
struct Dict<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: Clone + Eq + Hash> Dict<T> {
    fn new() -> Self {
        Dict { values: Vec::new(), index: HashMap::new() }
    }

    fn at(&mut self, v: &T) -> u32 {
        if let Some(i) = self.index.get(v) {
            return *i;
        }
        let i = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(v.clone());
        self.index.insert(v.clone(), i);
        i
    }
}

fn seconds(v: Option<i32>) -> Option<u32> {
    v.and_then(|s| u32::try_from(s).ok())
}

fn level(v: i16) -> u8 {
    u8::try_from(v.clamp(1, 5)).unwrap_or(5)
}

/// Rebuilds one UTC day's row from the facts, engagements, alerts and page notifications.
pub(super) async fn rebuild_day(conn: &mut PgConnection, day: NaiveDate) -> Result<()> {
    let (from, to) = (start_of(day), start_of(day) + Duration::days(1));
    let facts = db::facts_for_rollup(conn, from, to).await?;
    let alerts = db::alerts_for_rollup(conn, from, to).await?;
    let pages = db::pages_for_rollup(conn, from, to).await?;

    let (mut services, mut users, mut rules) = (Dict::new(), Dict::new(), Dict::new());
    let mut position = HashMap::with_capacity(facts.len());
    let mut incidents = Vec::with_capacity(facts.len());
    let mut engagements = Vec::new();
    for (i, f) in facts.iter().enumerate() {
        let incident = u32::try_from(i).unwrap_or(u32::MAX);
        position.insert(f.incident_id, incident);
        let engaged = f.engaged_users.iter().zip(&f.engaged_at).zip(&f.engaged_ack);
        for ((user, at), acknowledged) in engaged {
            engagements.push(EngagementRecord {
                incident,
                user: users.at(user),
                acknowledged: *acknowledged,
                start_ms: ms(*at - f.created_at),
                end_ms: f.resolved_at.map(|r| ms(r - f.created_at)),
            });
        }
        incidents.push(IncidentRecord {
            created_ms: u32::try_from(ms(f.created_at - from)).unwrap_or(0),
            number: f.number,
            to_acknowledge: seconds(f.to_acknowledge),
            to_mitigate: seconds(f.to_mitigate),
            to_resolve: seconds(f.to_resolve),
            declared: level(f.declared_severity),
            current: level(f.current_severity),
            highest: level(f.highest_severity),
            no_responder: f.no_responder,
            escalated: f.escalated,
            resolved_by_source: f.resolved_by_source,
            alerts: u32::try_from(f.alerts).unwrap_or(0),
            pages: u32::try_from(f.pages).unwrap_or(0),
            services: f.service_ids.iter().map(|s| services.at(s)).collect(),
        });
    }
    let mut by_rule: BTreeMap<(u32, u32, u32), (u32, u32)> = BTreeMap::new();
    for a in &alerts {
        let Some(incident) = position.get(&a.incident_id) else { continue };
        let rule = rules.at(&rule_of(a.alertname.as_deref(), &a.dedup_key));
        let g = by_rule.entry((*incident, rule, services.at(&a.service_id))).or_default();
        g.0 += 1;
        g.1 += u32::from(a.flapping);
    }
    let rule_counts: Vec<RuleRecord> = by_rule
        .into_iter()
        .map(|((incident, rule, service), (alerts, flapping))| RuleRecord {
            incident,
            rule,
            service,
            alerts,
            flapping,
        })
        .collect();
    let pages: Vec<PageRecord> = pages
        .iter()
        .map(|p| PageRecord {
            at_ms: u32::try_from(ms(p.at - from)).unwrap_or(0),
            user: users.at(&p.user_id),
            number: p.number,
        })
        .collect();
    let row = db::DayRow {
        day,
        services: services.values,
        users: users.values,
        rules: rules.values,
        incidents: rollup::encode_incidents(&incidents),
        engagements: rollup::encode_engagements(&engagements),
        rule_counts: rollup::encode_rules(&rule_counts),
        pages: rollup::encode_pages(&pages),
    };
    db::write_day(conn, &row).await?;
    Ok(())
}

/// The slugs of an incident's services and of their teams, shared by every incident with the
/// same services.
type Names = (Arc<[String]>, Arc<[String]>);

/// Every service's slug and team's slug.
pub(super) struct Owners(HashMap<Uuid, (String, String)>);

impl Owners {
    pub(super) async fn read(conn: &mut PgConnection) -> Result<Owners> {
        Ok(Owners(db::service_owners(conn).await?.into_iter().map(|s| (s.id, (s.slug, s.team))).collect()))
    }

    /// The slugs of these services, and of their teams, each sorted and distinct.
    fn names(&self, ids: &[Uuid]) -> Names {
        let mut services: Vec<String> = Vec::new();
        let mut teams: Vec<String> = Vec::new();
        for (slug, team) in ids.iter().filter_map(|id| self.0.get(id)) {
            services.push(slug.clone());
            teams.push(team.clone());
        }
        for v in [&mut services, &mut teams] {
            v.sort();
            v.dedup();
        }
        (services.into(), teams.into())
    }
}

/// People's engagements with a window's incidents: each from their first acknowledgement or
/// role on one to its resolution.
#[derive(Default)]
pub(super) struct Engaged {
    index: FxHashMap<Uuid, usize>,
    people: Vec<(Uuid, Engagement)>,
}

/// One person's engagements.
#[derive(Default)]
pub(super) struct Engagement {
    /// Incidents they acknowledged.
    pub acknowledged: u64,
    /// `[start, end)` in milliseconds since 1970, the end `i64::MAX` while unresolved.
    pub spans: Vec<(i64, i64)>,
}

impl Engaged {
    /// Each of a row's users' place in `people`, added when new.
    fn slots(&mut self, users: &[Uuid]) -> Vec<usize> {
        users
            .iter()
            .map(|u| {
                *self.index.entry(*u).or_insert_with(|| {
                    self.people.push((*u, Engagement::default()));
                    self.people.len() - 1
                })
            })
            .collect()
    }

    pub(super) fn merge(&mut self, other: Engaged) {
        for (user, theirs) in other.people {
            let slot = self.slots(&[user])[0];
            let mine = &mut self.people[slot].1;
            mine.acknowledged += theirs.acknowledged;
            mine.spans.extend(theirs.spans);
        }
    }

    pub(super) fn take(&mut self, user: &Uuid) -> Engagement {
        self.index.get(user).map(|i| std::mem::take(&mut self.people[*i].1)).unwrap_or_default()
    }
}

/// A window's incidents, as the rollups hold them.
#[derive(Default)]
pub(super) struct Incidents {
    pub facts: Vec<IncidentFact>,
    /// Alerts by rule, each with the position of its incident in `facts`.
    pub rules: Vec<(usize, RuleCount)>,
    pub engaged: Engaged,
}

impl Incidents {
    /// Keeps the incidents the filter asks about (and their alerts; engagements stay whole:
    /// a person's load is theirs whatever the incident).
    pub(super) fn narrow(&mut self, f: &Filter) {
        if f.team.is_some() || f.narrows_incidents() {
            self.retain(|x| f.keeps(x));
        }
    }

    fn retain(&mut self, keep: impl Fn(&IncidentFact) -> bool) {
        let kept: Vec<bool> = self.facts.iter().map(&keep).collect();
        if kept.iter().all(|k| *k) {
            return;
        }
        let mut new_index = Vec::with_capacity(kept.len());
        let mut n = 0;
        for k in &kept {
            new_index.push(n);
            n += usize::from(*k);
        }
        self.rules.retain(|(i, _)| kept[*i]);
        for (i, _) in &mut self.rules {
            *i = new_index[*i];
        }
        let mut k = kept.iter();
        self.facts.retain(|_| *k.next().unwrap_or(&false));
    }
}

fn corrupt(day: NaiveDate) -> crate::Error {
    crate::Error::Internal(anyhow::anyhow!("the analytics rollup of {day} does not decode"))
}

/// The UTC days a window `[from, to)` touches.
fn days_of(from: DateTime<Utc>, to: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    (from.date_naive(), (to - Duration::milliseconds(1)).date_naive())
}

/// What a window's incidents are decoded into, one at a time.
pub(super) trait Sink {
    /// An incident declared in the window, with its position among them; returns whether its
    /// alerts by rule are wanted.
    fn incident(&mut self, position: usize, fact: IncidentFact) -> bool;
    /// An incident's alerts from one rule and service.
    fn rule(&mut self, position: usize, rule: RuleCount);
    /// The engagements of the row's incidents, when the sink wants them.
    fn engaged(&mut self) -> Option<&mut Engaged> {
        None
    }
}

impl Sink for Incidents {
    fn incident(&mut self, _: usize, fact: IncidentFact) -> bool {
        self.facts.push(fact);
        true
    }

    fn rule(&mut self, position: usize, rule: RuleCount) {
        self.rules.push((position, rule));
    }

    fn engaged(&mut self) -> Option<&mut Engaged> {
        Some(&mut self.engaged)
    }
}

/// A window's rollups, read, to be decoded into a [`Sink`].
pub(super) struct Rows {
    rows: Vec<db::DayRow>,
    owners: Arc<Owners>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Rows {
    /// The rollups of the incidents declared in `[from, to)`; `details`: with engagements and
    /// alerts by rule.
    pub(super) async fn read(
        conn: &mut PgConnection,
        owners: Arc<Owners>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        details: bool,
    ) -> Result<Rows> {
        let rows = if from < to {
            let (first, last) = days_of(from, to);
            let parts =
                db::Parts { incidents: true, engagements: details, rule_counts: details, pages: false };
            db::days(conn, first, last, parts).await?
        } else {
            Vec::new()
        };
        Ok(Rows { rows, owners, from, to })
    }

    /// Splits off the later days so that each part holds about as many bytes as the other:
    /// two parts decode on two cores.
    pub(super) fn split(&mut self) -> Rows {
        Rows {
            rows: split_off_half(&mut self.rows),
            owners: self.owners.clone(),
            from: self.from,
            to: self.to,
        }
    }

    /// Decodes every incident of these rows into `sink`, off the async workers (positions count
    /// from 0 in each part).
    pub(super) async fn decode<S: Sink + Send + 'static>(self, mut sink: S) -> Result<S> {
        tokio::task::spawn_blocking(move || {
            decode(&self.rows, &self.owners, self.from, self.to, &mut sink)?;
            Ok(sink)
        })
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("decoding the analytics rollups failed: {e}")))?
    }
}

/// The incidents declared in `[from, to)`; `details`: with engagements and alerts by rule.
pub(super) async fn incidents(
    conn: &mut PgConnection,
    owners: Arc<Owners>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    details: bool,
) -> Result<Incidents> {
    Rows::read(conn, owners, from, to, details).await?.decode(Incidents::default()).await
}

/// Splits off the later rows holding about half of the bytes, to decode on the other core.
fn split_off_half(rows: &mut Vec<db::DayRow>) -> Vec<db::DayRow> {
    let size = |r: &db::DayRow| r.incidents.len() + r.engagements.len() + r.rule_counts.len();
    let total: usize = rows.iter().map(size).sum();
    let (mut seen, mut at) = (0, rows.len());
    for (i, r) in rows.iter().enumerate() {
        if seen >= total / 2 {
            at = i;
            break;
        }
        seen += size(r);
    }
    rows.split_off(at)
}

fn decode(
    rows: &[db::DayRow],
    owners: &Owners,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    sink: &mut impl Sink,
) -> Result<()> {
    let mut named: HashMap<Vec<Uuid>, Names> = HashMap::new();
    let mut names: HashMap<String, Arc<str>> = HashMap::new();
    let mut position = 0;
    for row in rows {
        // This row's service lists, by the positions its records use.
        let mut sets: HashMap<Vec<u32>, Names> = HashMap::new();
        // The usual case, one service, without hashing.
        let mut single: Vec<Option<Names>> = vec![None; row.services.len()];
        // Each record's position in the window and what its alerts' counts repeat (none:
        // outside the window or not wanted), and its creation (none: outside the window).
        let mut placed: Vec<Option<(usize, u64, bool, bool)>> = Vec::new();
        let mut created: Vec<Option<u64>> = Vec::new();
        rollup::each_incident(&row.incidents, |r| {
            let created_at = at_ms(row.day, u64::from(r.created_ms));
            if created_at < from || created_at >= to {
                placed.push(None);
                created.push(None);
                return;
            }
            created.push(Some(u64::from(r.created_ms)));
            let one = match r.services.as_slice() {
                [only] => single.get(*only as usize).and_then(Option::as_ref),
                _ => None,
            };
            let (services, teams) = match one.or_else(|| sets.get(r.services.as_slice())) {
                Some(names) => names.clone(),
                None => {
                    let ids: Vec<Uuid> =
                        r.services.iter().filter_map(|i| row.services.get(*i as usize).copied()).collect();
                    let names = named.entry(ids).or_insert_with_key(|ids| owners.names(ids)).clone();
                    match r.services.as_slice() {
                        [only] if (*only as usize) < single.len() => {
                            single[*only as usize] = Some(names.clone())
                        }
                        _ => {
                            sets.insert(r.services.clone(), names.clone());
                        }
                    }
                    names
                }
            };
            let severity = |l: u8| Severity::from_level(i16::from(l)).unwrap_or(Severity::Sev5);
            let wanted = sink.incident(
                position,
                IncidentFact {
                    number: r.number,
                    created_at,
                    services,
                    teams,
                    declared: severity(r.declared),
                    current: severity(r.current),
                    highest: severity(r.highest),
                    to_acknowledge: r.to_acknowledge,
                    to_mitigate: r.to_mitigate,
                    to_resolve: r.to_resolve,
                    no_responder: r.no_responder,
                    escalated: r.escalated,
                    resolved_by_source: r.resolved_by_source,
                    alerts: r.alerts,
                    pages: r.pages,
                },
            );
            placed.push(wanted.then_some((
                position,
                u64::from(r.pages),
                r.to_acknowledge.is_some(),
                r.resolved_by_source,
            )));
            position += 1;
        })
        .map_err(|_| corrupt(row.day))?;
        if let Some(engaged) = sink.engaged() {
            engaged_of(row, &created, engaged)?;
        }
        if row.rule_counts.is_empty() {
            continue;
        }
        let mut failed = false;
        // One string per name across the rows: the noise tally counts by the strings' addresses.
        let mut intern = |name: &str| -> Arc<str> {
            match names.get(name) {
                Some(n) => n.clone(),
                None => {
                    let n: Arc<str> = Arc::from(name);
                    names.insert(name.to_owned(), n.clone());
                    n
                }
            }
        };
        let rules: Vec<Arc<str>> = row.rules.iter().map(|r| intern(r)).collect();
        let service_names: Vec<Arc<str>> = row
            .services
            .iter()
            .map(|id| intern(owners.0.get(id).map_or("(deleted)", |(slug, _)| slug.as_str())))
            .collect();
        rollup::each_rule(&row.rule_counts, |r| {
            let Some((position, pages, acknowledged, resolved_by_source)) =
                placed.get(r.incident as usize).copied().flatten()
            else {
                return;
            };
            let (Some(rule), Some(service)) =
                (rules.get(r.rule as usize), service_names.get(r.service as usize))
            else {
                failed = true;
                return;
            };
            sink.rule(
                position,
                RuleCount {
                    rule: rule.clone(),
                    service: service.clone(),
                    alerts: u64::from(r.alerts),
                    flapping: u64::from(r.flapping),
                    pages,
                    acknowledged,
                    resolved_by_source,
                },
            );
        })
        .map_err(|_| corrupt(row.day))?;
        if failed {
            return Err(corrupt(row.day));
        }
    }
    Ok(())
}

/// Only the engagements with incidents declared in `[from, to)`: what the interruptions report
/// needs, without building a fact per incident.
pub(super) async fn engagements(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Engaged> {
    if from >= to {
        return Ok(Engaged::default());
    }
    let (first, last) = days_of(from, to);
    let parts = db::Parts { incidents: true, engagements: true, ..db::Parts::default() };
    let mut first = db::days(conn, first, last, parts).await?;
    // Each incident's creation must be decoded to place its engagements: half the days on each core.
    let second = split_off_half(&mut first);
    let half = |rows: Vec<db::DayRow>| async move {
        tokio::task::spawn_blocking(move || engaged_in(&rows, from, to)).await.map_err(|e| {
            crate::Error::Internal(anyhow::anyhow!("decoding the analytics rollups failed: {e}"))
        })?
    };
    let (mut a, b) = tokio::try_join!(half(first), half(second))?;
    a.merge(b);
    Ok(a)
}

/// The engagements with the incidents of `rows` declared in `[from, to)`.
fn engaged_in(rows: &[db::DayRow], from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Engaged> {
    let mut out = Engaged::default();
    for row in rows {
        // Each incident's creation, when it is in the window.
        let mut created: Vec<Option<u64>> = Vec::new();
        rollup::each_incident(&row.incidents, |r| {
            let at = at_ms(row.day, u64::from(r.created_ms));
            created.push((at >= from && at < to).then_some(u64::from(r.created_ms)));
        })
        .map_err(|_| corrupt(row.day))?;
        engaged_of(row, &created, &mut out)?;
    }
    Ok(out)
}

/// A row's engagements with the incidents at hand (`created`: each incident's creation in
/// milliseconds of the day, or none when it is outside the window).
fn engaged_of(row: &db::DayRow, created: &[Option<u64>], out: &mut Engaged) -> Result<()> {
    let slots = out.slots(&row.users);
    let midnight = day_ms(row.day);
    rollup::each_engagement(&row.engagements, |e| {
        let (Some(Some(created)), Some(slot)) =
            (created.get(e.incident as usize), slots.get(e.user as usize))
        else {
            return;
        };
        let after =
            |ms: u64| midnight.saturating_add(i64::try_from(created.saturating_add(ms)).unwrap_or(i64::MAX));
        let person = &mut out.people[*slot].1;
        person.acknowledged += u64::from(e.acknowledged);
        person.spans.push((after(e.start_ms), e.end_ms.map_or(i64::MAX, after)));
    })
    .map_err(|_| corrupt(row.day))
}

/// A window's page notifications, as the rollups hold them.
pub(super) struct Pages {
    rows: Vec<db::DayRow>,
    from_ms: i64,
    to_ms: i64,
}

/// Milliseconds since 1970 of a day's UTC midnight.
fn day_ms(day: NaiveDate) -> i64 {
    start_of(day).timestamp_millis()
}

impl Pages {
    /// The page notifications that reached someone in `[from, to)`.
    pub(super) async fn read(
        conn: &mut PgConnection,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Pages> {
        let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
        if from >= to {
            return Ok(Pages { rows: Vec::new(), from_ms, to_ms });
        }
        let (first, last) = days_of(from, to);
        let rows = db::days(conn, first, last, db::Parts { pages: true, ..db::Parts::default() }).await?;
        Ok(Pages { rows, from_ms, to_ms })
    }

    /// Calls `each` with each page's person (their position in the row's users), time
    /// (milliseconds since 1970) and incident, in time order.
    fn each(&self, mut each: impl FnMut(&db::DayRow, u32, i64, Option<i64>)) -> Result<()> {
        for row in &self.rows {
            let midnight = day_ms(row.day);
            rollup::each_page(&row.pages, |p| {
                let at = midnight + i64::from(p.at_ms);
                if at >= self.from_ms && at < self.to_ms {
                    each(row, p.user, at, p.number);
                }
            })
            .map_err(|_| corrupt(row.day))?;
        }
        Ok(())
    }

    /// The incidents paged for.
    pub(super) fn incidents(&self) -> Result<BTreeSet<i64>> {
        let mut out = BTreeSet::new();
        self.each(|_, _, _, number| {
            out.extend(number);
        })?;
        Ok(out)
    }

    /// Counts the interruptions of the people `tally` was given (`people`: each one's position
    /// by id; pages to anyone else are left out), of the pages `counted` keeps (all when none).
    pub(super) fn tally(
        &self,
        people: &FxHashMap<Uuid, usize>,
        mut tally: InterruptionTally,
        counted: Option<&HashSet<i64>>,
    ) -> Result<Tallied> {
        // Each row's users as positions in `people`, looked up once per row.
        let mut day = None;
        let mut persons: Vec<Option<usize>> = Vec::new();
        self.each(|row, user, at, number| {
            if day != Some(row.day) {
                day = Some(row.day);
                persons = row.users.iter().map(|u| people.get(u).copied()).collect();
            }
            if counted.is_some_and(|c| !number.is_some_and(|n| c.contains(&n))) {
                return;
            }
            if let Some(Some(person)) = persons.get(user as usize) {
                tally.page(*person, at);
            }
        })?;
        Ok(tally.finish())
    }
}
