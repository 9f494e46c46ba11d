//! All SQL about schedules: the schedule, its layers, its overrides, and calendar feed tokens.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub team_name: Option<String>,
    pub time_zone: String,
    pub fairness: Value,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct LayerRow {
    pub id: Uuid,
    pub schedule_id: Uuid,
    pub name: String,
    pub tier: domain::schedule::Tier,
    pub rotation: Value,
}

#[derive(Debug, Clone)]
pub struct OverrideRow {
    pub id: Uuid,
    pub schedule_id: Uuid,
    pub layer_id: Option<Uuid>,
    pub user_id: Uuid,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub time_zone: String,
}

/// One layer to be written: position is its index, bottom first.
pub struct LayerWrite<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub tier: &'a str,
    pub rotation: Value,
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<ScheduleRow>, sqlx::Error> {
    sqlx::query_as!(
        ScheduleRow,
        r#"SELECT s.id, s.name, s.team_id, t.name AS "team_name?", s.time_zone, s.fairness, s.updated_at
           FROM schedules s LEFT JOIN teams t ON t.id = s.team_id
           ORDER BY s.name, s.id"#
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<ScheduleRow>, sqlx::Error> {
    sqlx::query_as!(
        ScheduleRow,
        r#"SELECT s.id, s.name, s.team_id, t.name AS "team_name?", s.time_zone, s.fairness, s.updated_at
           FROM schedules s LEFT JOIN teams t ON t.id = s.team_id WHERE s.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Locks the schedule row: every change to a schedule, its layers or its overrides takes it
/// first, so a fairness check always sees the state it is about to change.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT id FROM schedules WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// The schedule's team, if it has one.
pub async fn team_of(conn: &mut PgConnection, id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT team_id FROM schedules WHERE id = $1", id)
        .fetch_optional(conn)
        .await?
        .flatten())
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    team_id: Option<Uuid>,
    time_zone: &str,
    fairness: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO schedules (id, name, team_id, time_zone, fairness) VALUES ($1, $2, $3, $4, $5)",
        id,
        name,
        team_id,
        time_zone,
        fairness
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    team_id: Option<Uuid>,
    time_zone: &str,
    fairness: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE schedules SET name = $2, team_id = $3, time_zone = $4, fairness = $5, updated_at = now()
         WHERE id = $1",
        id,
        name,
        team_id,
        time_zone,
        fairness
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn touch(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE schedules SET updated_at = now() WHERE id = $1", id).execute(conn).await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM schedules WHERE id = $1", id).execute(conn).await?.rows_affected() == 1)
}

/// Makes the schedule's layers exactly `layers`, in order: removed layers go (with their
/// overrides), kept ones keep their ids.
pub async fn replace_layers(
    conn: &mut PgConnection,
    schedule_id: Uuid,
    layers: &[LayerWrite<'_>],
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = layers.iter().map(|l| l.id).collect();
    sqlx::query!("DELETE FROM schedule_layers WHERE schedule_id = $1 AND id <> ALL($2)", schedule_id, &ids)
        .execute(&mut *conn)
        .await?;
    for (position, l) in layers.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO schedule_layers (id, schedule_id, position, name, tier, rotation)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE
             SET position = EXCLUDED.position, name = EXCLUDED.name, tier = EXCLUDED.tier,
                 rotation = EXCLUDED.rotation
             WHERE schedule_layers.schedule_id = EXCLUDED.schedule_id",
            l.id,
            schedule_id,
            position as i32,
            l.name,
            l.tier,
            l.rotation
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The layers of the given schedules, each schedule's bottom first.
pub async fn layers_of(conn: &mut PgConnection, schedules: &[Uuid]) -> Result<Vec<LayerRow>, sqlx::Error> {
    sqlx::query_as!(
        LayerRow,
        r#"SELECT id, schedule_id, name, tier AS "tier: domain::schedule::Tier", rotation FROM schedule_layers
           WHERE schedule_id = ANY($1) ORDER BY schedule_id, position"#,
        schedules
    )
    .fetch_all(conn)
    .await
}

/// Overrides of the given schedules still in effect after `since`, oldest added first (a later
/// one wins where they overlap).
pub async fn overrides_of(
    conn: &mut PgConnection,
    schedules: &[Uuid],
    since: DateTime<Utc>,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    sqlx::query_as!(
        OverrideRow,
        "SELECT id, schedule_id, layer_id, user_id, start_at, end_at FROM schedule_overrides
         WHERE schedule_id = ANY($1) AND end_at > $2 ORDER BY created_at, id",
        schedules,
        since
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_override(
    conn: &mut PgConnection,
    schedule_id: Uuid,
    o: &OverrideRow,
    created_by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO schedule_overrides (id, schedule_id, layer_id, user_id, start_at, end_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        o.id,
        schedule_id,
        o.layer_id,
        o.user_id,
        o.start_at,
        o.end_at,
        created_by
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_override(
    conn: &mut PgConnection,
    schedule_id: Uuid,
    id: Uuid,
) -> Result<Option<OverrideRow>, sqlx::Error> {
    sqlx::query_as!(
        OverrideRow,
        "DELETE FROM schedule_overrides WHERE schedule_id = $1 AND id = $2
         RETURNING id, schedule_id, layer_id, user_id, start_at, end_at",
        schedule_id,
        id
    )
    .fetch_optional(conn)
    .await
}

/// The named people; with `active_only`, those not disabled (a saved rotation may still name a
/// disabled person, so pages read them all).
pub async fn people(
    conn: &mut PgConnection,
    ids: &[Uuid],
    active_only: bool,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        r#"SELECT id, name, email::text AS "email!", time_zone FROM users
           WHERE id = ANY($1) AND (NOT disabled OR NOT $2)"#,
        ids,
        active_only
    )
    .fetch_all(conn)
    .await
}

/// The current generation of the user's calendar feed token (1 until first rotated).
pub async fn feed_generation(conn: &mut PgConnection, user: Uuid) -> Result<i32, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT generation FROM calendar_feeds WHERE user_id = $1", user)
        .fetch_optional(conn)
        .await?
        .unwrap_or(1))
}

pub async fn rotate_feed(conn: &mut PgConnection, user: Uuid) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO calendar_feeds (user_id, generation) VALUES ($1, 2)
         ON CONFLICT (user_id) DO UPDATE SET generation = calendar_feeds.generation + 1, rotated_at = now()
         RETURNING generation",
        user
    )
    .fetch_one(conn)
    .await
}

/// Everyone who may be paged or put on call: active responders and admins.
pub async fn pageable_people(conn: &mut PgConnection) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        r#"SELECT id, name, email::text AS "email!", time_zone FROM users
           WHERE NOT disabled AND role <> 'viewer' ORDER BY name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn team_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1) AS "e!""#, id)
        .fetch_one(conn)
        .await
}

/// Records a handoff once; false when another engine already did.
pub async fn record_handoff(
    conn: &mut PgConnection,
    schedule: Uuid,
    at: DateTime<Utc>,
    outgoing: Option<Uuid>,
    incoming: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "INSERT INTO shift_handoffs (schedule_id, at, outgoing, incoming) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        schedule,
        at,
        outgoing,
        incoming
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// How many roles `user` holds on open incidents.
pub async fn open_roles_held(conn: &mut PgConnection, user: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM incident_roles r JOIN incidents i ON i.id = r.incident_id
           WHERE r.user_id = $1 AND i.status IN ('triggered', 'acknowledged', 'mitigated')"#,
        user
    )
    .fetch_one(conn)
    .await
}
