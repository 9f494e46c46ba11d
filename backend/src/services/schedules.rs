//! Schedules: saving them (with the fairness check), overrides, who is on call, final shifts,
//! the personal overview, and the calendar feed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use domain::{
    FieldError, UserId,
    schedule::{
        FairnessRules, FinalShift, Gap, Layer, LayerId, Load, LoadRow, MyShift, OnCallEntry, OnCallOverview,
        OnCallRow, Override, OverrideId, OverrideInput, ParsedSchedule, PersonRef, Schedule, ScheduleInput,
        ScheduleLayer, ScheduleSummary, ScheduleView, Scope, Tier, Violation, fairness, view,
    },
};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    auth::jwt::SessionKeys,
    db::{
        audit::{self, Entry},
        schedules::{self as db, LayerWrite, OverrideRow, PersonRow, ScheduleRow},
    },
    ical,
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

pub fn feed_url(keys: &SessionKeys, base_url: &str, schedule: Uuid, user: UserId, generation: i32) -> String {
    format!(
        "{}/schedules/{schedule}/oncall.ics?token={}",
        base_url.trim_end_matches('/'),
        keys.feed_token(user, generation)
    )
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
        id,
        name: l.row.name,
        team_id: l.row.team_id,
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
                id: l.row.id,
                name: l.row.name,
                team_name: l.row.team_name,
                time_zone: l.row.time_zone,
                rows,
            }
        })
        .collect())
}

/// Checks the people, team and layer ids the input names, and the fairness rules.
async fn vet(
    conn: &mut PgConnection,
    parsed: &ParsedSchedule,
    overrides: Vec<Override>,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(team) = parsed.team_id
        && !db::team_exists(conn, team).await?
    {
        return Err(FieldError::new("team_id", "no such team").into());
    }
    let mut ids: Vec<Uuid> =
        parsed.layers.iter().flat_map(|l| l.rotation.participants.iter().map(|u| u.0)).collect();
    ids.sort();
    ids.dedup();
    let active: Vec<Uuid> = db::people(conn, &ids, true).await?.into_iter().map(|p| p.id).collect();
    for (i, l) in parsed.layers.iter().enumerate() {
        if let Some(u) = l.rotation.participants.iter().find(|u| !active.contains(&u.0)) {
            return Err(FieldError::new(
                format!("layers[{i}].participants"),
                format!("{u} is not an active user"),
            )
            .into());
        }
    }
    let schedule = Schedule { time_zone: parsed.time_zone, layers: parsed.layers.clone(), overrides };
    judge(
        fairness::check(&schedule, &parsed.fairness, now, now + Duration::weeks(fairness::CHECK_WEEKS)),
        confirm,
    )
}

fn judge(violations: Vec<Violation>, confirm: bool) -> Result<()> {
    if violations.iter().any(|v| v.hard) {
        return Err(Error::Unfair { violations, hard: true });
    }
    if !violations.is_empty() && !confirm {
        return Err(Error::Unfair { violations, hard: false });
    }
    Ok(())
}

fn layer_writes(parsed: &ParsedSchedule) -> Result<Vec<(Uuid, String, &'static str, serde_json::Value)>> {
    parsed
        .layers
        .iter()
        .map(|l| {
            let rotation = serde_json::to_value(&l.rotation).map_err(|e| Error::Internal(e.into()))?;
            Ok((l.id.0, l.name.clone(), l.tier.as_str(), rotation))
        })
        .collect()
}

async fn write_layers(conn: &mut PgConnection, id: Uuid, parsed: &ParsedSchedule) -> Result<()> {
    let writes = layer_writes(parsed)?;
    let layers: Vec<LayerWrite<'_>> = writes
        .iter()
        .map(|(lid, name, tier, rotation)| LayerWrite { id: *lid, name, tier, rotation: rotation.clone() })
        .collect();
    db::replace_layers(conn, id, &layers).await?;
    Ok(())
}

fn audit_doc(parsed: &ParsedSchedule) -> serde_json::Value {
    json!({
        "name": parsed.name,
        "team_id": parsed.team_id,
        "time_zone": parsed.time_zone.name(),
        "layers": parsed.layers,
        "fairness": parsed.fairness,
    })
}

pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    input: &ScheduleInput,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    if let Some(i) = input.layers.iter().position(|l| l.id.is_some()) {
        return Err(
            FieldError::new(format!("layers[{i}].id"), "a new schedule's layers have no id yet").into()
        );
    }
    let parsed = input.parse(Uuid::now_v7)?;
    let mut tx = pool.begin().await?;
    vet(&mut tx, &parsed, vec![], confirm, now).await?;
    let id = Uuid::now_v7();
    let fairness = serde_json::to_value(parsed.fairness).map_err(|e| Error::Internal(e.into()))?;
    db::insert(&mut tx, id, &parsed.name, parsed.team_id, parsed.time_zone.name(), fairness).await?;
    write_layers(&mut tx, id, &parsed).await?;
    audit::record(&mut tx, actor, Entry::new("schedule.create", "schedule", id).after(audit_doc(&parsed)))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &ScheduleInput,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("schedule"));
    }
    let before = load_one(&mut tx, id, now).await?;
    for (i, l) in input.layers.iter().enumerate() {
        if let Some(lid) = l.id
            && !before.schedule.layers.iter().any(|x| x.id.0 == lid)
        {
            return Err(FieldError::new(format!("layers[{i}].id"), "is not a layer of this schedule").into());
        }
    }
    let parsed = input.parse(Uuid::now_v7)?;
    // Overrides of removed layers go with them.
    let overrides: Vec<Override> = before
        .schedule
        .overrides
        .iter()
        .filter(|o| o.layer.is_none_or(|l| parsed.layers.iter().any(|x| x.id == l)))
        .cloned()
        .collect();
    vet(&mut tx, &parsed, overrides, confirm, now).await?;
    let fairness = serde_json::to_value(parsed.fairness).map_err(|e| Error::Internal(e.into()))?;
    db::update(&mut tx, id, &parsed.name, parsed.team_id, parsed.time_zone.name(), fairness).await?;
    write_layers(&mut tx, id, &parsed).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("schedule.update", "schedule", id)
            .before(json!({
                "name": before.row.name,
                "team_id": before.row.team_id,
                "time_zone": before.row.time_zone,
                "layers": before.schedule.layers,
                "fairness": before.fairness,
            }))
            .after(audit_doc(&parsed)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("schedule"));
    }
    let before = db::get(&mut tx, id).await?.ok_or(Error::NotFound("schedule"))?;
    db::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("schedule.delete", "schedule", id)
            .before(json!({ "name": before.name, "time_zone": before.time_zone })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_override(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &OverrideInput,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let parsed = input.parse(now)?;
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("schedule"));
    }
    let l = load_one(&mut tx, id, now).await?;
    if let Some(layer) = parsed.layer
        && !l.schedule.layers.iter().any(|x| x.id == layer)
    {
        return Err(FieldError::new("layer_id", "is not a layer of this schedule").into());
    }
    if db::people(&mut tx, &[parsed.user.0], true).await?.is_empty() {
        return Err(FieldError::new("user_id", "is not an active user").into());
    }
    let row = OverrideRow {
        id: Uuid::now_v7(),
        schedule_id: id,
        layer_id: parsed.layer.map(|x| x.0),
        user_id: parsed.user.0,
        start_at: parsed.start,
        end_at: parsed.end,
    };
    let horizon = now + Duration::weeks(fairness::CHECK_WEEKS);
    let new = fairness::introduced_by(&l.schedule, &l.fairness, override_of(&row), now, horizon);
    judge(new, confirm)?;
    db::insert_override(&mut tx, id, &row, actor.user_id.map(|u| u.0)).await?;
    db::touch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("schedule.override.create", "schedule", id).after(json!({
            "override_id": row.id, "user_id": row.user_id, "layer_id": row.layer_id,
            "start": row.start_at, "end": row.end_at,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn delete_override(pool: &PgPool, actor: &Actor, id: Uuid, override_id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("schedule"));
    }
    let row = db::delete_override(&mut tx, id, override_id).await?.ok_or(Error::NotFound("override"))?;
    db::touch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("schedule.override.delete", "schedule", id).before(json!({
            "override_id": row.id, "user_id": row.user_id, "layer_id": row.layer_id,
            "start": row.start_at, "end": row.end_at,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    pub user: PersonRef,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerHolder {
    pub layer_id: LayerId,
    pub name: String,
    pub tier: Tier,
    pub user: Option<PersonRef>,
    pub until: Option<DateTime<Utc>>,
}

/// `GET /api/v1/schedules/{id}/oncall?at=`.
#[derive(Debug, Clone, Serialize)]
pub struct OnCallAt {
    pub schedule_id: Uuid,
    pub at: DateTime<Utc>,
    pub primary: Option<Holder>,
    pub secondary: Option<Holder>,
    pub layers: Vec<LayerHolder>,
}

pub async fn oncall_at(pool: &PgPool, id: Uuid, at: DateTime<Utc>) -> Result<OnCallAt> {
    let mut conn = pool.acquire().await?;
    let l = load_one(&mut conn, id, at).await?;
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let s = &l.schedule;
    let holder = |scope| {
        s.now_and_next(scope, at)
            .current
            .map(|c: FinalShift| Holder { user: who(&people, c.user), until: c.end })
    };
    let layers = s
        .layers
        .iter()
        .map(|x| {
            let h = holder(Scope::Layer(x.id));
            LayerHolder {
                layer_id: x.id,
                name: x.name.clone(),
                tier: x.tier,
                until: h.as_ref().map(|h| h.until),
                user: h.map(|h| h.user),
            }
        })
        .collect();
    Ok(OnCallAt {
        schedule_id: id,
        at,
        primary: holder(Scope::Tier(Tier::Primary)),
        secondary: holder(Scope::Tier(Tier::Secondary)),
        layers,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct ShiftOut {
    pub user: PersonRef,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub layer_id: Option<LayerId>,
    pub layer_name: Option<String>,
    pub override_id: Option<OverrideId>,
}

/// `GET /api/v1/schedules/{id}/shifts`.
#[derive(Debug, Clone, Serialize)]
pub struct ShiftsOut {
    pub schedule_id: Uuid,
    pub time_zone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub shifts: Vec<ShiftOut>,
    pub gaps: Vec<Gap>,
}

pub const MAX_RANGE_DAYS: i64 = 366;

pub async fn shifts(
    pool: &PgPool,
    id: Uuid,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ShiftsOut> {
    if to <= from {
        return Err(FieldError::new("to", "must be after from").into());
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(FieldError::new("to", format!("a range covers at most {MAX_RANGE_DAYS} days")).into());
    }
    let mut conn = pool.acquire().await?;
    let l = load_one(&mut conn, id, from).await?;
    if let Scope::Layer(layer) = scope
        && !l.schedule.layers.iter().any(|x| x.id == layer)
    {
        return Err(Error::NotFound("layer"));
    }
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let t = l.schedule.timeline(scope, from, to);
    let layer_name = |id: Option<LayerId>| {
        id.and_then(|id| l.schedule.layers.iter().find(|x| x.id == id)).map(|x| x.name.clone())
    };
    Ok(ShiftsOut {
        schedule_id: id,
        time_zone: l.row.time_zone.clone(),
        from,
        to,
        shifts: t
            .shifts
            .into_iter()
            .map(|s| ShiftOut {
                user: who(&people, s.user),
                start: s.start,
                end: s.end,
                layer_id: s.layer,
                layer_name: layer_name(s.layer),
                override_id: s.override_id,
            })
            .collect(),
        gaps: t.gaps,
    })
}

/// Who is on call right now in every schedule, stack by stack.
pub async fn everyone_now(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<OnCallEntry>> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now - Duration::days(31)).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    Ok(now_entries(&all, &people, now))
}

fn now_entries(all: &[Loaded], people: &HashMap<UserId, PersonRef>, now: DateTime<Utc>) -> Vec<OnCallEntry> {
    let mut out = Vec::new();
    for l in all {
        for tier in Tier::ALL {
            // Look back a month so "since" is the real start of the current shift.
            let t = l.schedule.timeline(
                Scope::Tier(tier),
                now - Duration::days(31),
                now + Duration::days(view::LOOKAHEAD_DAYS),
            );
            if let Some(i) = t.shifts.iter().position(|s| s.start <= now && now < s.end) {
                // Since and until span the person's whole stretch, across turns and overrides.
                let user = t.shifts[i].user;
                let same =
                    |a: &FinalShift, b: &FinalShift| a.user == user && b.user == user && a.end == b.start;
                let first =
                    (0..i).rev().take_while(|&j| same(&t.shifts[j], &t.shifts[j + 1])).last().unwrap_or(i);
                let last = (i + 1..t.shifts.len())
                    .take_while(|&j| same(&t.shifts[j - 1], &t.shifts[j]))
                    .last()
                    .unwrap_or(i);
                out.push(OnCallEntry {
                    schedule_id: l.row.id,
                    schedule_name: l.row.name.clone(),
                    team_name: l.row.team_name.clone(),
                    tier,
                    user: who(people, user),
                    since: t.shifts[first].start,
                    until: t.shifts[last].end,
                });
            }
        }
    }
    out
}

/// The `/oncall` page: everyone on call now, my next shifts, and each person's load over the
/// last and next 90 days.
pub async fn overview(pool: &PgPool, me: UserId, now: DateTime<Utc>) -> Result<OnCallOverview> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now - Duration::days(HISTORY_DAYS)).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    let quarter = Duration::days(90);
    let mut mine = Vec::new();
    let mut loads: BTreeMap<UserId, (Load, Load)> = BTreeMap::new();
    for l in &all {
        let s = &l.schedule;
        for tier in Tier::ALL {
            for shift in
                s.timeline(Scope::Tier(tier), now, now + quarter).shifts.into_iter().filter(|x| x.user == me)
            {
                mine.push(MyShift {
                    schedule_id: l.row.id,
                    schedule_name: l.row.name.clone(),
                    tier,
                    layer_name: shift
                        .layer
                        .and_then(|id| s.layers.iter().find(|x| x.id == id))
                        .map(|x| x.name.clone()),
                    overridden: shift.override_id.is_some(),
                    start: shift.start,
                    end: shift.end,
                });
            }
        }
        for (user, load) in view::load(s, now - quarter, now) {
            loads.entry(user).or_default().0.add(load);
        }
        for (user, load) in view::load(s, now, now + quarter) {
            loads.entry(user).or_default().1.add(load);
        }
    }
    mine.sort_by_key(|m| m.start);
    mine.truncate(20);
    let mut load: Vec<LoadRow> = loads
        .into_iter()
        .map(|(user, (last_90, next_90))| LoadRow { person: who(&people, user), last_90, next_90 })
        .collect();
    load.sort_by(|a, b| {
        b.next_90.hours.total_cmp(&a.next_90.hours).then_with(|| a.person.name.cmp(&b.person.name))
    });
    Ok(OnCallOverview { now: now_entries(&all, &people, now), mine, load })
}

/// The people who may be put in a rotation or an override: every active user.
pub async fn candidates(pool: &PgPool) -> Result<Vec<PersonRef>> {
    let mut conn = pool.acquire().await?;
    Ok(db::all_active_people(&mut conn).await?.into_iter().map(person).collect())
}

/// A calendar feed: the token's owner's shifts in the schedule, or (with `layer`) everyone's
/// shifts in that layer, from 30 days back to 180 ahead. Unknown, stale and rotated tokens all
/// answer the same not-found.
pub async fn calendar(
    pool: &PgPool,
    keys: &SessionKeys,
    base_url: &str,
    id: Uuid,
    token: &str,
    layer: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<String> {
    let not_found = Error::NotFound("calendar feed");
    let user = SessionKeys::feed_token_user(token).ok_or(Error::NotFound("calendar feed"))?;
    let mut conn = pool.acquire().await?;
    let generation = db::feed_generation(&mut conn, user.0).await?;
    if !keys.feed_token_matches(token, user, generation)
        || db::people(&mut conn, &[user.0], true).await?.is_empty()
    {
        return Err(not_found);
    }
    let (from, to) = (now - Duration::days(30), now + Duration::days(180));
    let l = load_one(&mut conn, id, from).await?;
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let s = &l.schedule;
    let link = format!("{}/schedules/{id}", base_url.trim_end_matches('/'));
    let mut events = Vec::new();
    let (name, scopes): (String, Vec<(Scope, String)>) = match layer {
        Some(layer) => {
            let x = s.layers.iter().find(|x| x.id.0 == layer).ok_or(Error::NotFound("layer"))?;
            (format!("{} — {}", l.row.name, x.name), vec![(Scope::Layer(x.id), x.name.clone())])
        }
        None => (
            format!("{} — my on-call shifts", l.row.name),
            Tier::ALL
                .into_iter()
                .map(|t| {
                    (Scope::Tier(t), if t == Tier::Primary { "primary" } else { "secondary" }.to_owned())
                })
                .collect(),
        ),
    };
    for (scope, label) in scopes {
        for shift in s.timeline(scope, from, to).shifts {
            if layer.is_none() && shift.user != user {
                continue;
            }
            let holder = who(&people, shift.user);
            let summary = match layer {
                Some(_) => format!("{} on call: {} ({label})", holder.name, l.row.name),
                None => format!("On call: {} ({label})", l.row.name),
            };
            events.push(ical::Event {
                uid: format!("{id}-{label}-{}-{}@tocsin", shift.start.timestamp(), shift.user),
                start: shift.start,
                end: shift.end,
                summary,
                description: format!(
                    "{} is on call for {} ({label}){}.\n{link}",
                    holder.name,
                    l.row.name,
                    if shift.override_id.is_some() { ", covering by override" } else { "" }
                ),
            });
        }
    }
    events.sort_by_key(|e| e.start);
    Ok(ical::Calendar { name: &name, zone: s.time_zone, stamp: now, events }.render())
}

/// Voids the user's calendar feed URLs and returns the new generation.
pub async fn rotate_feed(pool: &PgPool, actor: &Actor, user: UserId) -> Result<i32> {
    let mut tx = pool.begin().await?;
    let generation = db::rotate_feed(&mut tx, user.0).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("calendar_feed.rotate", "user", user)
            .before(json!({ "generation": generation - 1 }))
            .after(json!({ "generation": generation })),
    )
    .await?;
    tx.commit().await?;
    Ok(generation)
}

/// Whom I most likely hand over to: the person after me in a stack I hold now (or held in the
/// last 12 hours), primary stacks first. With the schedule's name, for the suggestion's wording.
pub async fn successor(pool: &PgPool, me: UserId, now: DateTime<Utc>) -> Result<Option<(PersonRef, String)>> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now - Duration::days(1)).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    let recent = now - Duration::hours(12);
    for tier in Tier::ALL {
        for l in &all {
            let t =
                l.schedule.timeline(Scope::Tier(tier), recent, now + Duration::days(view::LOOKAHEAD_DAYS));
            let Some(mine) = t.shifts.iter().rposition(|s| s.user == me && s.start <= now) else {
                continue;
            };
            if let Some(next) = t.shifts[mine..].iter().find(|s| s.user != me) {
                return Ok(Some((who(&people, next.user), l.row.name.clone())));
            }
        }
    }
    Ok(None)
}

/// Who holds `scope` of a schedule at `now`, for the paging engine (None for an unknown
/// schedule or a gap).
pub async fn on_call(
    conn: &mut PgConnection,
    id: Uuid,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    match load(conn, Some(id), now).await?.pop() {
        Some(l) => Ok(l.schedule.on_call_at(scope, now).map(|u| u.0)),
        None => Ok(None),
    }
}

/// A shift that started in a range: who took over from whom.
pub struct Handoff {
    pub schedule_id: Uuid,
    pub schedule_name: String,
    pub at: DateTime<Utc>,
    pub outgoing: Option<(UserId, String)>,
    pub incoming: UserId,
}

/// The starts of primary shifts in `(from, to]` in every schedule, each with the person it
/// follows when there was no gap (a new person only: another turn of the same one is no handoff).
pub async fn handoffs_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Handoff>> {
    let all = load(conn, None, from - Duration::days(1)).await?;
    let people = people_of(conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    let mut out = Vec::new();
    for l in &all {
        let t = l.schedule.timeline(
            Scope::Tier(Tier::Primary),
            from - Duration::minutes(1),
            to + Duration::seconds(1),
        );
        for (i, s) in t.shifts.iter().enumerate() {
            if s.start <= from || s.start > to {
                continue;
            }
            let before = i.checked_sub(1).map(|j| &t.shifts[j]).filter(|p| p.end == s.start);
            if before.is_some_and(|p| p.user == s.user) {
                continue;
            }
            out.push(Handoff {
                schedule_id: l.row.id,
                schedule_name: l.row.name.clone(),
                at: s.start,
                outgoing: before.map(|p| (p.user, who(&people, p.user).name)),
                incoming: s.user,
            });
        }
    }
    Ok(out)
}
