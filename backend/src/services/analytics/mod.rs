//! Response analytics (`domain::analytics`): keeps each incident's facts in step with its
//! timeline, and computes the `/analytics` figures from them, from page notifications,
//! acknowledgements, roles, alerts and schedules. Reads only: nothing here changes an incident.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    UserId,
    analytics::{
        self as a, ActionFact, AlertFact, CompareQuery, CompareReport, Filter, GroupBy, HourOfWeek,
        IncidentFact, InterruptionCounts, InterruptionsReport, LearningFigures, LearningReport, Metric,
        NoiseFigures, NoiseReport, PostmortemFact, PriorityFigures, PriorityReport, ResponderLoad,
        ResponseFigures, ResponseReport, ResponseRow, TeamHours, Window, WorkingHours,
    },
    incident::Severity,
};
use sqlx::{PgConnection, PgPool};

use crate::{
    Result,
    db::{analytics as db, teams},
    services::schedules,
};

/// Events read per refresh batch.
const BATCH: i64 = 20_000;

/// Brings the facts up to date with the timeline. Runs in the engine every 30 s and before each
/// report; when another instance is refreshing, returns at once (its result lands in moments).
pub async fn catch_up(pool: &PgPool) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let Some(mut mark) = db::lock_state(&mut tx).await? else { return Ok(0) };
    let mut refreshed = 0;
    loop {
        let touched = db::touched_since(&mut tx, mark, BATCH).await?;
        if touched.incidents.is_empty() {
            break;
        }
        refreshed += db::refresh_facts(&mut tx, &touched.incidents).await?;
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
    db::set_state(&mut tx, mark).await?;
    tx.commit().await?;
    Ok(refreshed)
}

fn severity(level: i16) -> Severity {
    Severity::from_level(level).unwrap_or(Severity::Sev5)
}

fn fact(r: db::FactRow) -> IncidentFact {
    IncidentFact {
        number: r.number,
        created_at: r.created_at,
        services: r.services,
        teams: r.teams,
        declared: severity(r.declared_severity),
        current: severity(r.current_severity),
        highest: severity(r.highest_severity),
        to_acknowledge: r.to_acknowledge.map(i64::from),
        to_mitigate: r.to_mitigate.map(i64::from),
        to_resolve: r.to_resolve.map(i64::from),
        no_responder: r.no_responder,
        escalated: r.escalated,
        resolved_by_source: r.resolved_by_source,
        alerts: i64::from(r.alerts),
        pages: i64::from(r.pages),
    }
}

async fn facts(conn: &mut PgConnection, f: &Filter, window: &Window) -> Result<Vec<IncidentFact>> {
    let rows = db::facts_between(
        conn,
        window.start(),
        window.end(),
        f.team.as_deref(),
        f.service.as_deref(),
        f.severity.map(Severity::level),
    )
    .await?;
    Ok(rows.into_iter().map(fact).collect())
}

pub async fn response(pool: &PgPool, f: &Filter, by: GroupBy) -> Result<ResponseReport> {
    catch_up(pool).await?;
    let mut conn = pool.acquire().await?;
    let now = facts(&mut conn, f, &f.window).await?;
    let before = facts(&mut conn, f, &f.window.previous()).await?;
    Ok(ResponseReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        total: ResponseFigures::of(&now),
        previous: ResponseFigures::of(&before),
        rows: a::grouped(&now, by, f.window.zone)
            .into_iter()
            .map(|(key, figures)| ResponseRow { key, figures })
            .collect(),
    })
}

pub async fn priority(pool: &PgPool, f: &Filter) -> Result<PriorityReport> {
    catch_up(pool).await?;
    let mut conn = pool.acquire().await?;
    let now = facts(&mut conn, f, &f.window).await?;
    Ok(PriorityReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        figures: PriorityFigures::of(&now),
    })
}

pub async fn noise(pool: &PgPool, f: &Filter) -> Result<NoiseReport> {
    catch_up(pool).await?;
    let mut conn = pool.acquire().await?;
    let incidents = facts(&mut conn, f, &f.window).await?;
    let numbers: HashSet<i64> = incidents.iter().map(|i| i.number).collect();
    let alerts: Vec<AlertFact> = db::alerts_between(&mut conn, f.window.start(), f.window.end())
        .await?
        .into_iter()
        .filter(|r| r.incident_number.is_some_and(|n| numbers.contains(&n)))
        .map(|r| AlertFact {
            alertname: r.alertname,
            dedup_key: r.dedup_key,
            service: r.service,
            incident: r.incident_number,
            flapping: r.flapping,
        })
        .collect();
    Ok(NoiseReport {
        from: f.window.from,
        to: f.window.to,
        time_zone: f.window.zone.name().to_owned(),
        figures: NoiseFigures::of(&incidents, &alerts),
    })
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

/// Each person's interruption starts in `[from, to)`: their page notifications there, of the
/// incidents the filter keeps (all of them when it names no service or severity).
async fn interruption_starts(
    conn: &mut PgConnection,
    f: &Filter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<UserId, Vec<DateTime<Utc>>>> {
    let mut by_person: HashMap<UserId, Vec<DateTime<Utc>>> = HashMap::new();
    let severity = f.severity.map(Severity::level);
    for n in db::page_notifications(conn, from, to, f.service.as_deref(), severity).await? {
        by_person.entry(UserId(n.user_id)).or_default().push(n.sent_at);
    }
    Ok(by_person.into_iter().map(|(u, times)| (u, a::interruptions(&times))).collect())
}

pub async fn interruptions(pool: &PgPool, f: &Filter) -> Result<InterruptionsReport> {
    catch_up(pool).await?;
    let (start, end) = (f.window.start(), f.window.end());
    let mut conn = pool.acquire().await?;
    let everyone = people(&mut conn).await?;
    let in_scope = |p: &Person| f.team.as_ref().is_none_or(|t| p.teams.contains(t));
    let starts = interruption_starts(&mut conn, f, start, end).await?;
    let previous = f.window.previous();
    let before = interruption_starts(&mut conn, f, previous.start(), previous.end()).await?;
    let engaged = db::engagements(&mut conn, start, end).await?;
    let team_rows = teams::list_teams_with_hours(&mut conn).await?;
    drop(conn);
    let on_call = schedules::on_call_stretches(pool, start, end).await?;

    let mut total = InterruptionCounts::default();
    let mut before_total = InterruptionCounts::default();
    let mut hour_of_week = vec![0u64; 168];
    let mut responders = Vec::new();
    for p in everyone.iter().filter(|p| in_scope(p)) {
        let mut counts = InterruptionCounts::default();
        for t in starts.get(&p.id).into_iter().flatten() {
            let class = p.hours.classify(*t, p.zone);
            counts.add(class);
            total.add(class);
            hour_of_week[a::hour_of_week(*t, f.window.zone)] += 1;
        }
        for t in before.get(&p.id).into_iter().flatten() {
            before_total.add(p.hours.classify(*t, p.zone));
        }
        let mine: Vec<_> = engaged.iter().filter(|e| e.user_id == p.id.0).collect();
        let spans: Vec<_> = mine.iter().map(|e| (e.started_at, e.resolved_at.unwrap_or(end))).collect();
        let engaged_seconds = a::covered_seconds(&spans, start, end);
        let on_call_seconds = on_call.get(&p.id).map_or(0, |s| a::covered_seconds(s, start, end));
        if counts.total == 0 && engaged_seconds == 0 && on_call_seconds == 0 {
            continue;
        }
        responders.push(ResponderLoad {
            user_id: p.id,
            name: p.name.clone(),
            time_zone: p.time_zone.clone(),
            interruptions: counts,
            acknowledged: mine.iter().filter(|e| e.acknowledged).count() as u64,
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
        total,
        previous: before_total,
        responders,
        hour_of_week: hour_of_week
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

/// The values one side of a comparison is made of: each incident's duration for the time
/// metrics, each day's interruptions for `interruptions`.
async fn values(conn: &mut PgConnection, metric: Metric, f: &Filter) -> Result<Vec<f64>> {
    if metric == Metric::Interruptions {
        let starts = interruption_starts(conn, f, f.window.start(), f.window.end()).await?;
        let in_team: Option<HashSet<UserId>> = match &f.team {
            Some(t) => {
                Some(people(conn).await?.into_iter().filter(|p| p.teams.contains(t)).map(|p| p.id).collect())
            }
            None => None,
        };
        let mut per_day = vec![0.0; usize::try_from(f.window.days()).unwrap_or(0)];
        for (user, times) in starts {
            if in_team.as_ref().is_some_and(|s| !s.contains(&user)) {
                continue;
            }
            for t in times {
                let day = (t.with_timezone(&f.window.zone).date_naive() - f.window.from).num_days();
                if let Some(slot) = usize::try_from(day).ok().and_then(|d| per_day.get_mut(d)) {
                    *slot += 1.0;
                }
            }
        }
        return Ok(per_day);
    }
    let facts = facts(conn, f, &f.window).await?;
    Ok(facts
        .iter()
        .filter_map(|i| match metric {
            Metric::Mtta => i.to_acknowledge.filter(|_| !i.no_responder),
            Metric::Mttm => i.to_mitigate,
            _ => i.to_resolve,
        })
        .map(|s| s as f64)
        .collect())
}

pub async fn compare(pool: &PgPool, q: &CompareQuery) -> Result<CompareReport> {
    catch_up(pool).await?;
    let mut conn = pool.acquire().await?;
    let before = values(&mut conn, q.metric, &q.before).await?;
    let after = values(&mut conn, q.metric, &q.after).await?;
    drop(conn);
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
    let (start, end) = (f.window.start(), f.window.end());
    let (team, service, severity) =
        (f.team.as_deref(), f.service.as_deref(), f.severity.map(Severity::level));
    let pms: Vec<PostmortemFact> = db::postmortems_between(&mut conn, start, end, team, service, severity)
        .await?
        .into_iter()
        .map(|r| PostmortemFact {
            due_at: r.due_at,
            published_at: r.published_at,
            resolved_at: r.resolved_at,
        })
        .collect();
    let actions: Vec<ActionFact> = db::actions_between(&mut conn, start, end, team, service, severity)
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
