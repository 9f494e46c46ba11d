//! Schedules: loading them with the people they name and reading one (here); changing them
//! (`edit`), who is on call (`oncall`), the calendar feed (`calendar`).

mod calendar;
mod edit;
mod oncall;

pub use calendar::*;
pub use edit::*;
pub use oncall::*;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::{
    UserId,
    schedule::{
        FairnessRules, Holder, Layer, LayerHolder, LayerId, OnCallAt, OnCallRow, Override, OverrideId,
        PersonRef, Schedule, ScheduleId, ScheduleLayer, ScheduleSummary, ScheduleView, Scope, ShiftOut,
        ShiftsOut, Tier,
    },
    team::TeamId,
};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    auth::jwt::SessionKeys,
    db::schedules::{self as db, OverrideRow, PersonRow, ScheduleRow},
};

/// How far back overrides are loaded: the load table looks 90 days back.
const HISTORY_DAYS: i64 = 91;

struct Loaded {
    row: ScheduleRow,
    schedule: Schedule,
    fairness: FairnessRules,
}

fn person(p: PersonRow) -> PersonRef {
    PersonRef { id: UserId(p.id), name: p.name, email: p.email, time_zone: p.time_zone }
}

fn unknown(id: UserId) -> PersonRef {
    PersonRef { id, name: "(unknown person)".into(), email: String::new(), time_zone: "UTC".into() }
}

/// Schedules with their layers and overrides (those ending after `since`), by id or all.
async fn load(conn: &mut PgConnection, only: Option<Uuid>, since: DateTime<Utc>) -> Result<Vec<Loaded>> {
    let rows = match only {
        Some(id) => db::get(conn, id).await?.into_iter().collect(),
        None => db::list(conn).await?,
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut layers: HashMap<Uuid, Vec<ScheduleLayer>> = HashMap::new();
    for l in db::layers_of(conn, &ids).await? {
        let rotation: Layer = serde_json::from_value(l.rotation).map_err(|e| {
            Error::Internal(anyhow::anyhow!("layer {} has an unreadable rotation: {e}", l.id))
        })?;
        layers.entry(l.schedule_id).or_default().push(ScheduleLayer {
            id: LayerId(l.id),
            name: l.name,
            tier: l.tier,
            rotation,
        });
    }
    let mut overrides: HashMap<Uuid, Vec<Override>> = HashMap::new();
    for o in db::overrides_of(conn, &ids, since).await? {
        overrides.entry(o.schedule_id).or_default().push(override_of(&o));
    }
    rows.into_iter()
        .map(|row| {
            Ok(Loaded {
                schedule: Schedule {
                    time_zone: super::stored_zone(&row.time_zone)?,
                    layers: layers.remove(&row.id).unwrap_or_default(),
                    overrides: overrides.remove(&row.id).unwrap_or_default(),
                },
                fairness: serde_json::from_value(row.fairness.clone()).unwrap_or_default(),
                row,
            })
        })
        .collect()
}

fn override_of(o: &OverrideRow) -> Override {
    Override {
        id: OverrideId(o.id),
        user: UserId(o.user_id),
        start: o.start_at,
        end: o.end_at,
        layer: o.layer_id.map(LayerId),
    }
}

async fn load_one(conn: &mut PgConnection, id: Uuid, since: DateTime<Utc>) -> Result<Loaded> {
    load(conn, Some(id), since).await?.pop().ok_or(Error::NotFound("schedule"))
}

/// Everyone the schedules name, by id.
async fn people_of(conn: &mut PgConnection, loaded: &[&Schedule]) -> Result<HashMap<UserId, PersonRef>> {
    let mut ids: Vec<Uuid> = Vec::new();
    for s in loaded {
        ids.extend(s.layers.iter().flat_map(|l| l.rotation.participants.iter().map(|u| u.0)));
        ids.extend(s.overrides.iter().map(|o| o.user.0));
    }
    ids.sort();
    ids.dedup();
    Ok(db::people(conn, &ids, false).await?.into_iter().map(|p| (UserId(p.id), person(p))).collect())
}

fn who(people: &HashMap<UserId, PersonRef>, id: UserId) -> PersonRef {
    people.get(&id).cloned().unwrap_or_else(|| unknown(id))
}

pub async fn get(
    pool: &PgPool,
    keys: &SessionKeys,
    base_url: &str,
    id: Uuid,
    caller: UserId,
    now: DateTime<Utc>,
) -> Result<ScheduleView> {
    let mut conn = pool.acquire().await?;
    let l = load_one(&mut conn, id, now - Duration::days(HISTORY_DAYS)).await?;
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let generation = db::feed_generation(&mut conn, caller.0).await?;
    let mut people: Vec<PersonRef> = people.into_values().collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ScheduleView {
        id: ScheduleId(id),
        name: l.row.name,
        team_id: l.row.team_id.map(TeamId),
        team_name: l.row.team_name,
        time_zone: l.row.time_zone,
        layers: l.schedule.layers,
        overrides: l.schedule.overrides,
        fairness: l.fairness,
        people,
        feed_url: Some(feed_url(keys, base_url, id, caller, generation)),
        updated_at: l.row.updated_at,
    })
}

fn now_next_row(
    s: &Schedule,
    people: &HashMap<UserId, PersonRef>,
    scope: Scope,
    label: String,
    tier: Tier,
    now: DateTime<Utc>,
) -> OnCallRow {
    let nn = s.now_and_next(scope, now);
    OnCallRow {
        label,
        tier,
        layer: match scope {
            Scope::Layer(id) => Some(id),
            Scope::Tier(_) => None,
        },
        now: nn.current.as_ref().map(|c| who(people, c.user)),
        until: nn.current.as_ref().map(|c| c.end),
        next: nn.next.as_ref().map(|n| who(people, n.user)),
        next_at: nn.next.as_ref().map(|n| n.start),
    }
}

/// Every schedule with who is on call now and next: each stack's final answer, then each layer.
pub async fn list(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<ScheduleSummary>> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    Ok(all
        .into_iter()
        .map(|l| {
            let s = &l.schedule;
            let mut rows = Vec::new();
            for tier in Tier::ALL {
                if s.layers.iter().any(|x| x.tier == tier) {
                    let label = if tier == Tier::Primary { "Primary" } else { "Secondary" };
                    rows.push(now_next_row(s, &people, Scope::Tier(tier), label.into(), tier, now));
                }
            }
            for layer in s.layers.iter().rev() {
                rows.push(now_next_row(
                    s,
                    &people,
                    Scope::Layer(layer.id),
                    layer.name.clone(),
                    layer.tier,
                    now,
                ));
            }
            ScheduleSummary {
                id: ScheduleId(l.row.id),
                name: l.row.name,
                team_name: l.row.team_name,
                time_zone: l.row.time_zone,
                rows,
            }
        })
        .collect())
}
