//! Response analytics (`domain::analytics`): keeps each incident's facts in step with its
//! timeline and each day's rollup in step with the facts and the pages sent, and computes the
//! `/analytics` figures from the rollups (a year is 365 rows), from people, their teams' hours
//! and the schedules. Reads only: nothing here changes an incident.

mod rollup;

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    UserId,
    analytics::{
        self as a, ActionFact, CompareQuery, CompareReport, Filter, GroupBy, GroupedTally, HourOfWeek,
        IncidentFact, InterruptionTally, InterruptionsReport, LearningFigures, LearningReport, Metric,
        NoiseReport, NoiseTally, PostmortemFact, PriorityReport, PriorityTally, ResponderLoad,
        ResponseReport, ResponseRow, ResponseTally, RuleCount, Tallied, TalliedPerson, TeamHours, Window,
        WorkingHours,
    },
    incident::Severity,
};
use rollup::{Engaged, Owners, Pages};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use uuid::Uuid;

use crate::{
    Result,
    db::{analytics as db, teams},
    services::schedules,
};

/// Events read per refresh batch.
const BATCH: i64 = 20_000;

/// Brings the facts up to date with the timeline, and the rollups of the days whose incidents
/// or pages changed. Runs in the engine every 30 s and before each report; when another
/// instance is refreshing, returns at once (its result lands in moments).
pub async fn catch_up(pool: &PgPool) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let Some(mut mark) = db::lock_state(&mut tx).await? else { return Ok(0) };
    let mut refreshed = 0;
    let mut days = BTreeSet::new();
    loop {
        let touched = db::touched_since(&mut tx, mark, BATCH).await?;
        if touched.incidents.is_empty() {
            break;
        }
        let created = db::refresh_facts(&mut tx, &touched.incidents).await?;
        refreshed += created.len() as u64;
        days.extend(created);
        // Events of the last minute are read again next time: a transaction that took a lower
        // id may not have committed yet.
        match touched.settled_id {
            Some(settled) if settled > mark => mark = settled,
            _ => break,
        }
        if touched.settled_id != touched.last_id {
            break;
        }
    }
    days.extend(db::take_dirty_days(&mut tx).await?);
    for day in days {
        rollup::rebuild_day(&mut tx, day).await?;
    }
    db::set_state(&mut tx, mark).await?;
    tx.commit().await?;
    Ok(refreshed)
}

/// Which figures a window's incidents are tallied into.
#[derive(Clone, Copy, Default)]
struct Wants {
    grouped: Option<GroupBy>,
    priority: bool,
    noise: bool,
    engaged: bool,
}

/// A window's figures, tallied as its incidents are decoded: a year is never held as a million
/// facts, and the two halves of a window decode on two cores.
struct Figures {
    filter: Filter,
    /// Whether the filter leaves incidents out (by team, service or severity).
    narrows: bool,
    response: ResponseTally,
    grouped: Option<GroupedTally>,
    priority: Option<PriorityTally>,
    noise: Option<NoiseTally>,
    engaged: Option<Engaged>,
    /// Under a service or severity filter, whether it keeps each incident, by number: whose pages
    /// count.
    decided: FxHashMap<i64, bool>,
}

impl Figures {
    fn new(f: &Filter, wants: Wants) -> Figures {
        Figures {
            filter: f.clone(),
            narrows: f.team.is_some() || f.narrows_incidents(),
            response: ResponseTally::default(),
            grouped: wants.grouped.map(|by| GroupedTally::new(by, f.window.zone)),
            priority: wants.priority.then(PriorityTally::default),
            noise: wants.noise.then(NoiseTally::default),
            engaged: wants.engaged.then(Engaged::default),
            decided: FxHashMap::default(),
        }
    }

    fn merge(&mut self, other: Figures) {
        self.response.merge(other.response);
        if let (Some(a), Some(b)) = (&mut self.grouped, other.grouped) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.priority, other.priority) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.noise, other.noise) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.engaged, other.engaged) {
            a.merge(b);
        }
        self.decided.extend(other.decided);
    }
}

impl rollup::Sink for Figures {
    fn incident(&mut self, _: usize, fact: IncidentFact) -> bool {
        if self.filter.narrows_incidents() {
            self.decided.insert(fact.number, self.filter.keeps(&fact));
        }
        if self.narrows && !self.filter.keeps(&fact) {
            return false;
        }
        self.response.add(&fact);
        if let Some(g) = &mut self.grouped {
            g.add(&fact);
        }
        if let Some(p) = &mut self.priority {
            p.add(&fact);
        }
        if let Some(n) = &mut self.noise {
            n.add_incident(&fact);
        }
        self.noise.is_some()
    }

    fn rule(&mut self, _: usize, rule: RuleCount) {
        if let Some(n) = &mut self.noise {
            n.add_rule(&rule);
        }
    }

    fn engaged(&mut self) -> Option<&mut Engaged> {
        self.engaged.as_mut()
    }
}

/// Tallies a window's incidents on a connection of its own (so two windows are read at once),
/// decoding its two halves on two cores.
async fn figures(
    pool: &PgPool,
    owners: &Arc<Owners>,
    f: &Filter,
    window: &Window,
    wants: Wants,
) -> Result<Figures> {
    let details = wants.noise || wants.engaged;
    let mut conn = pool.acquire().await?;
    let mut first =
        rollup::Rows::read(&mut conn, owners.clone(), window.start(), window.end(), details).await?;
    drop(conn);
    let second = first.split();
    let (mut a, b) =
        tokio::try_join!(first.decode(Figures::new(f, wants)), second.decode(Figures::new(f, wants)))?;
    a.merge(b);
    Ok(a)
}

fn response_report(f: &Filter, now: &mut Figures, before: Figures) -> ResponseReport {
    ResponseReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        total: std::mem::take(&mut now.response).finish(),
        previous: before.response.finish(),
        rows: now
            .grouped
            .take()
            .map(GroupedTally::finish)
            .unwrap_or_default()
            .into_iter()
            .map(|(key, figures)| ResponseRow { key, figures })
            .collect(),
    }
}

pub async fn response(pool: &PgPool, f: &Filter, by: GroupBy) -> Result<ResponseReport> {
    catch_up(pool).await?;
    let owners = Arc::new(Owners::read(&mut *pool.acquire().await?).await?);
    let previous = f.window.previous();
    let wants = Wants { grouped: Some(by), ..Wants::default() };
    let (mut now, before) = tokio::try_join!(
        figures(pool, &owners, f, &f.window, wants),
        figures(pool, &owners, f, &previous, Wants::default())
    )?;
    Ok(response_report(f, &mut now, before))
}

fn priority_report(f: &Filter, now: &mut Figures) -> PriorityReport {
    PriorityReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        figures: now.priority.take().unwrap_or_default().finish(),
    }
}

pub async fn priority(pool: &PgPool, f: &Filter) -> Result<PriorityReport> {
    catch_up(pool).await?;
    let owners = Arc::new(Owners::read(&mut *pool.acquire().await?).await?);
    let wants = Wants { priority: true, ..Wants::default() };
    Ok(priority_report(f, &mut figures(pool, &owners, f, &f.window, wants).await?))
}

fn noise_report(f: &Filter, now: &mut Figures) -> NoiseReport {
    NoiseReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        figures: now.noise.take().unwrap_or_default().finish(),
    }
}

pub async fn noise(pool: &PgPool, f: &Filter) -> Result<NoiseReport> {
    catch_up(pool).await?;
    let owners = Arc::new(Owners::read(&mut *pool.acquire().await?).await?);
    let wants = Wants { noise: true, ..Wants::default() };
    Ok(noise_report(f, &mut figures(pool, &owners, f, &f.window, wants).await?))
}

/// A person as the interruption figures see them.
struct Person {
    id: UserId,
    name: String,
    zone: Tz,
    time_zone: String,
    hours: WorkingHours,
    teams: Vec<String>,
}

async fn people(conn: &mut PgConnection) -> Result<Vec<Person>> {
    Ok(db::people(conn)
        .await?
        .into_iter()
        .map(|p| Person {
            id: UserId(p.id),
            zone: p.time_zone.parse().unwrap_or(chrono_tz::UTC),
            time_zone: p.time_zone,
            name: p.name,
            hours: p.working_hours.and_then(|h| serde_json::from_value(h).ok()).unwrap_or_default(),
            teams: p.teams,
        })
        .collect())
}

/// Which incidents' pages count when the filter narrows incidents by service or severity:
/// decided from the facts at hand, and for pages of incidents declared before them, from the
/// facts table. `None`: every page counts.
async fn counted_incidents(
    conn: &mut PgConnection,
    f: &Filter,
    pages: &[&Pages],
    known: &[&FxHashMap<i64, bool>],
) -> Result<Option<HashSet<i64>>> {
    if !f.narrows_incidents() {
        return Ok(None);
    }
    let mut decided: HashMap<i64, bool> = HashMap::new();
    for k in known {
        decided.extend(k.iter().map(|(n, keep)| (*n, *keep)));
    }
    let mut paged = BTreeSet::new();
    for p in pages {
        paged.extend(p.incidents()?);
    }
    let unknown: Vec<i64> = paged.into_iter().filter(|n| !decided.contains_key(n)).collect();
    for r in db::facts_by_number(conn, &unknown).await? {
        let keep = f.service.as_ref().is_none_or(|s| r.services.contains(s))
            && f.severity.is_none_or(|s| s.level() == r.current_severity);
        decided.insert(r.number, keep);
    }
    Ok(Some(decided.into_iter().filter(|(_, keep)| *keep).map(|(n, _)| n).collect()))
}

/// What the interruption figures are computed from.
struct LoadInputs<'a> {
    pages: Pages,
    before: Pages,
    counted: Option<HashSet<i64>>,
    engaged: &'a mut Engaged,
}

/// The people a tally counts and their positions, by id.
struct Tallying {
    people: Vec<TalliedPerson>,
    index: FxHashMap<Uuid, usize>,
}

impl Tallying {
    fn of(everyone: &[Person], in_scope: impl Fn(&Person) -> bool) -> Tallying {
        Tallying {
            people: everyone
                .iter()
                .map(|p| TalliedPerson { zone: p.zone, hours: p.hours.clone(), in_scope: in_scope(p) })
                .collect(),
            index: everyone.iter().enumerate().map(|(i, p)| (p.id.0, i)).collect(),
        }
    }

    /// Counts a window's interruptions (days in `zone`) off the async workers, half of the
    /// people on each core: a person's interruptions depend on their own pages only.
    async fn count(
        &self,
        pages: Pages,
        zone: Tz,
        window: &Window,
        counted: Option<Arc<HashSet<i64>>>,
    ) -> Result<Tallied> {
        let pages = Arc::new(pages);
        let days = usize::try_from(window.days()).unwrap_or(0);
        let half = |parity: usize| {
            let index: FxHashMap<Uuid, usize> =
                self.index.iter().filter(|(_, i)| **i % 2 == parity).map(|(u, i)| (*u, *i)).collect();
            let counter = InterruptionTally::new(self.people.clone(), zone, window.from, days);
            let (pages, counted) = (pages.clone(), counted.clone());
            async move {
                tokio::task::spawn_blocking(move || pages.tally(&index, counter, counted.as_deref()))
                    .await
                    .map_err(|e| {
                        crate::Error::Internal(anyhow::anyhow!("counting interruptions failed: {e}"))
                    })?
            }
        };
        let (mut a, b) = tokio::try_join!(half(0), half(1))?;
        a.merge(b);
        Ok(a)
    }
}

async fn interruptions_report(
    pool: &PgPool,
    conn: &mut PgConnection,
    f: &Filter,
    inputs: LoadInputs<'_>,
) -> Result<InterruptionsReport> {
    let (start, end) = (f.window.start(), f.window.end());
    let everyone = people(conn).await?;
    let team_rows = teams::list_teams_with_hours(conn).await?;
    let on_call = schedules::on_call_stretches(pool, start, end).await?;
    let in_scope = |p: &Person| f.team.as_ref().is_none_or(|t| p.teams.contains(t));
    let tallying = Tallying::of(&everyone, in_scope);
    let previous = f.window.previous();
    let counted = inputs.counted.map(Arc::new);
    // Each person's engaged time (overlaps merged: a sort per person) while the pages are counted.
    let engagements: Vec<_> = everyone
        .iter()
        .map(|p| if in_scope(p) { inputs.engaged.take(&p.id.0) } else { Default::default() })
        .collect();
    let (from_ms, to_ms) = (start.timestamp_millis(), end.timestamp_millis());
    let engaged = async move {
        tokio::task::spawn_blocking(move || {
            engagements
                .into_iter()
                .map(|mut e| (e.acknowledged, a::covered_seconds_ms(&mut e.spans, from_ms, to_ms)))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("adding up engaged time failed: {e}")))
    };
    let (now, before, engaged) = tokio::try_join!(
        tallying.count(inputs.pages, f.window.zone, &f.window, counted.clone()),
        tallying.count(inputs.before, f.window.zone, &previous, counted),
        engaged,
    )?;

    let mut responders = Vec::new();
    for (i, p) in everyone.iter().enumerate().filter(|(_, p)| in_scope(p)) {
        let counts = now.per_person[i];
        let (acknowledged, engaged_seconds) = engaged[i];
        let on_call_seconds = on_call.get(&p.id).map_or(0, |s| a::covered_seconds(s, start, end));
        if counts.total == 0 && engaged_seconds == 0 && on_call_seconds == 0 {
            continue;
        }
        responders.push(ResponderLoad {
            user_id: p.id,
            name: p.name.clone(),
            time_zone: p.time_zone.clone(),
            interruptions: counts,
            acknowledged,
            engaged_hours: engaged_seconds as f64 / 3600.0,
            on_call_hours: on_call_seconds as f64 / 3600.0,
        });
    }
    responders.sort_by(|a, b| {
        b.interruptions
            .total
            .cmp(&a.interruptions.total)
            .then(b.engaged_hours.total_cmp(&a.engaged_hours))
            .then(a.name.cmp(&b.name))
    });
    Ok(InterruptionsReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        total: now.total,
        previous: before.total,
        responders,
        hour_of_week: now
            .hour_of_week
            .into_iter()
            .enumerate()
            .map(|(hour, n)| HourOfWeek { hour: hour as u16, interruptions: n })
            .collect(),
        hours: team_rows
            .into_iter()
            .filter(|t| f.team.as_ref().is_none_or(|s| *s == t.slug))
            .map(|t| {
                let hours: WorkingHours = serde_json::from_value(t.working_hours).unwrap_or_default();
                TeamHours {
                    team: t.name,
                    time_zone: t.time_zone,
                    description: hours.describe(),
                    working_hours: hours,
                }
            })
            .collect(),
    })
}

pub async fn interruptions(pool: &PgPool, f: &Filter) -> Result<InterruptionsReport> {
    catch_up(pool).await?;
    let owners = Arc::new(Owners::read(&mut *pool.acquire().await?).await?);
    let previous = f.window.previous();
    // Engagements are counted over every incident of the window; the facts of both windows
    // decide, under a service or severity filter, whose pages count (else they are not read).
    let known = |window: Window| {
        let owners = owners.clone();
        async move {
            if f.narrows_incidents() {
                Ok(figures(pool, &owners, f, &window, Wants::default()).await?.decided)
            } else {
                Ok(FxHashMap::default())
            }
        }
    };
    let (pages, before, mut engaged, now, earlier) = tokio::try_join!(
        read_pages(pool, f.window.start(), f.window.end()),
        read_pages(pool, previous.start(), previous.end()),
        async { rollup::engagements(&mut *pool.acquire().await?, f.window.start(), f.window.end()).await },
        known(f.window),
        known(previous),
    )?;
    let mut conn = pool.acquire().await?;
    let counted = counted_incidents(&mut conn, f, &[&pages, &before], &[&now, &earlier]).await?;
    let inputs = LoadInputs { pages, before, counted, engaged: &mut engaged };
    interruptions_report(pool, &mut conn, f, inputs).await
}

async fn read_pages(pool: &PgPool, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Pages> {
    Pages::read(&mut *pool.acquire().await?, from, to).await
}

/// Every report of `/analytics` at once: each window's rollups read once and shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub response: ResponseReport,
    pub interruptions: InterruptionsReport,
    pub priority: PriorityReport,
    pub noise: NoiseReport,
    pub learning: LearningReport,
}

pub async fn overview(pool: &PgPool, f: &Filter, by: GroupBy, now_at: DateTime<Utc>) -> Result<Overview> {
    catch_up(pool).await?;
    let owners = Arc::new(Owners::read(&mut *pool.acquire().await?).await?);
    let previous = f.window.previous();
    // Each window's rollups on a connection of their own: PostgreSQL sends one while we decode
    // another.
    let wants = Wants { grouped: Some(by), priority: true, noise: true, engaged: true };
    let (mut now, before, pages, pages_before) = tokio::try_join!(
        figures(pool, &owners, f, &f.window, wants),
        figures(pool, &owners, f, &previous, Wants::default()),
        read_pages(pool, f.window.start(), f.window.end()),
        read_pages(pool, previous.start(), previous.end()),
    )?;
    let mut conn = pool.acquire().await?;
    let counted =
        counted_incidents(&mut conn, f, &[&pages, &pages_before], &[&now.decided, &before.decided]).await?;
    let mut engaged = now.engaged.take().unwrap_or_default();
    // The percentiles on one core while the interruption figures take the other.
    let filter = f.clone();
    let incident_reports = tokio::task::spawn_blocking(move || {
        let response = response_report(&filter, &mut now, before);
        (response, priority_report(&filter, &mut now), noise_report(&filter, &mut now))
    });
    let inputs = LoadInputs { pages, before: pages_before, counted, engaged: &mut engaged };
    let interruptions = interruptions_report(pool, &mut conn, f, inputs).await?;
    let learning = learning_report(&mut conn, f, now_at).await?;
    let (response, priority, noise) = incident_reports
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("computing the analytics failed: {e}")))?;
    Ok(Overview { response, priority, noise, interruptions, learning })
}

/// The values one side of a comparison is made of: each incident's duration for the time
/// metrics, each day's interruptions for `interruptions`.
async fn values(pool: &PgPool, metric: Metric, f: &Filter) -> Result<Vec<f64>> {
    let owners = Arc::new(Owners::read(&mut *pool.acquire().await?).await?);
    if metric == Metric::Interruptions {
        let conn = &mut *pool.acquire().await?;
        let pages = Pages::read(conn, f.window.start(), f.window.end()).await?;
        let known = if f.narrows_incidents() {
            figures(pool, &owners, f, &f.window, Wants::default()).await?.decided
        } else {
            FxHashMap::default()
        };
        let counted = counted_incidents(conn, f, &[&pages], &[&known]).await?;
        let everyone = people(conn).await?;
        let tallying = Tallying::of(&everyone, |p| f.team.as_ref().is_none_or(|t| p.teams.contains(t)));
        let per_day = tallying.count(pages, f.window.zone, &f.window, counted.map(Arc::new)).await?.per_day;
        return Ok(per_day.into_iter().map(|n| n as f64).collect());
    }
    let mut incidents =
        rollup::incidents(&mut *pool.acquire().await?, owners, f.window.start(), f.window.end(), false)
            .await?;
    incidents.narrow(f);
    Ok(incidents
        .facts
        .iter()
        .filter_map(|i| match metric {
            Metric::Mtta => i.to_acknowledge.filter(|_| !i.no_responder),
            Metric::Mttm => i.to_mitigate,
            _ => i.to_resolve,
        })
        .map(f64::from)
        .collect())
}

pub async fn compare(pool: &PgPool, q: &CompareQuery) -> Result<CompareReport> {
    catch_up(pool).await?;
    let (before, after) =
        tokio::try_join!(values(pool, q.metric, &q.before), values(pool, q.metric, &q.after))?;
    let metric = q.metric;
    // The bootstrap is CPU work: off the async workers.
    let comparison = tokio::task::spawn_blocking(move || a::compare(metric, &before, &after))
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("comparison failed: {e}")))?;
    Ok(CompareReport {
        metric,
        at: q.at,
        days: q.days,
        time_zone: q.before.window.zone.name().to_owned(),
        comparison,
    })
}

pub async fn learning(pool: &PgPool, f: &Filter, now: DateTime<Utc>) -> Result<LearningReport> {
    catch_up(pool).await?;
    let mut conn = pool.acquire().await?;
    learning_report(&mut conn, f, now).await
}

async fn learning_report(conn: &mut PgConnection, f: &Filter, now: DateTime<Utc>) -> Result<LearningReport> {
    let (start, end) = (f.window.start(), f.window.end());
    let (team, service, severity) =
        (f.team.as_deref(), f.service.as_deref(), f.severity.map(Severity::level));
    let pms: Vec<PostmortemFact> = db::postmortems_between(&mut *conn, start, end, team, service, severity)
        .await?
        .into_iter()
        .map(|r| PostmortemFact {
            due_at: r.due_at,
            published_at: r.published_at,
            resolved_at: r.resolved_at,
        })
        .collect();
    let actions: Vec<ActionFact> = db::actions_between(conn, start, end, team, service, severity)
        .await?
        .into_iter()
        .map(|r| ActionFact { status: r.status, due_on: r.due_on, created_at: r.created_at })
        .collect();
    let today = now.with_timezone(&f.window.zone).date_naive();
    Ok(LearningReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        figures: LearningFigures::of(&pms, &actions, now, today),
    })
}
