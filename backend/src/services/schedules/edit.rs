//! Changing schedules: saving one (layers, the fairness check and its confirmation), deleting
//! it, and adding or removing overrides.

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        schedules::{self as db, LayerWrite, OverrideRow},
        teams, users,
    },
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    FieldError, Role,
    schedule::{
        Override, OverrideInput, OverrideRefusal, ParsedSchedule, Schedule, ScheduleInput, Violation,
        fairness, may_override,
    },
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::*;

/// Checks the people, team and layer ids the input names, and the fairness rules.
async fn vet(
    conn: &mut PgConnection,
    parsed: &ParsedSchedule,
    overrides: Vec<Override>,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(team) = parsed.team_id
        && !db::team_exists(conn, team.0).await?
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
    db::insert(&mut tx, id, &parsed.name, parsed.team_id.map(|t| t.0), parsed.time_zone.name(), fairness)
        .await?;
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
    db::update(&mut tx, id, &parsed.name, parsed.team_id.map(|t| t.0), parsed.time_zone.name(), fairness)
        .await?;
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

/// Whether the actor may change the schedule's overrides as a member of its team: an admin
/// always; anyone else when they are in the schedule's team (a schedule without one has none).
async fn may_act_on(conn: &mut PgConnection, actor: &Actor, by: Role, team: Option<Uuid>) -> Result<bool> {
    Ok(match (by, team, actor.user_id) {
        (Role::Admin, ..) => true,
        (_, Some(team), Some(user)) => teams::is_member(conn, team, user.0).await?,
        _ => false,
    })
}

/// Adds an override as someone of role `by`: see [`domain::schedule::may_override`] for who
/// may put whom on call, for how long.
pub async fn add_override(
    pool: &PgPool,
    actor: &Actor,
    by: Role,
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
    let Some(covering) = users::active_role(&mut tx, parsed.user.0).await? else {
        return Err(FieldError::new("user_id", "is not an active user").into());
    };
    let member = may_act_on(&mut tx, actor, by, l.row.team_id).await?;
    may_override(by, member, covering, parsed.start, parsed.end).map_err(|r| match r {
        OverrideRefusal::NotTheirTeam => Error::Forbidden,
        OverrideRefusal::Field(f) => Error::Invalid(f),
    })?;
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

/// Removes an override: an admin any, a responder only on their own team's schedules.
pub async fn delete_override(
    pool: &PgPool,
    actor: &Actor,
    by: Role,
    id: Uuid,
    override_id: Uuid,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("schedule"));
    }
    let team = db::team_of(&mut tx, id).await?;
    if !may_act_on(&mut tx, actor, by, team).await? {
        return Err(Error::Forbidden);
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
