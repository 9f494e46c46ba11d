//! All SQL about teams and their members.

use sqlx::PgConnection;
use uuid::Uuid;

pub async fn insert_team(conn: &mut PgConnection, name: &str, slug: &str) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO teams (id, name, slug) VALUES ($1, $2, $3) RETURNING id",
        Uuid::now_v7(),
        name,
        slug
    )
    .fetch_one(conn)
    .await
}

/// Adds members in one statement: `members` pairs a user id with `lead` or `member`.
pub async fn add_members(
    conn: &mut PgConnection,
    team: Uuid,
    members: &[(Uuid, &str)],
) -> Result<(), sqlx::Error> {
    let users: Vec<Uuid> = members.iter().map(|(u, _)| *u).collect();
    let roles: Vec<String> = members.iter().map(|(_, r)| (*r).to_owned()).collect();
    sqlx::query!(
        "INSERT INTO team_members (team_id, user_id, role) SELECT $1, * FROM unnest($2::uuid[], $3::text[])",
        team,
        &users,
        &roles,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

pub async fn list_teams(conn: &mut PgConnection) -> Result<Vec<TeamRow>, sqlx::Error> {
    sqlx::query_as!(TeamRow, "SELECT id, name, slug FROM teams ORDER BY lower(name)").fetch_all(conn).await
}

pub async fn team_by_slug(conn: &mut PgConnection, slug: &str) -> Result<Option<TeamRow>, sqlx::Error> {
    sqlx::query_as!(TeamRow, "SELECT id, name, slug FROM teams WHERE slug = $1", slug)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub team_id: Uuid,
    pub user_id: domain::UserId,
    pub name: String,
    pub email: String,
    pub role: domain::team::TeamRole,
}

/// The members of every team in one query, leads first.
pub async fn all_members(conn: &mut PgConnection) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as!(
        MemberRow,
        r#"SELECT m.team_id, m.user_id AS "user_id: domain::UserId", u.name, u.email::text AS "email!",
                  m.role AS "role: domain::team::TeamRole"
           FROM team_members m JOIN users u ON u.id = m.user_id
           ORDER BY m.role = 'member', lower(u.name)"#,
    )
    .fetch_all(conn)
    .await
}

/// Adds a member or changes their role in the team.
pub async fn upsert_member(
    conn: &mut PgConnection,
    team: Uuid,
    user: Uuid,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role",
        team,
        user,
        role,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a member; false when they were not in the team.
pub async fn remove_member(conn: &mut PgConnection, team: Uuid, user: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2", team, user)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn team_leads(conn: &mut PgConnection, team: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT user_id FROM team_members WHERE team_id = $1 AND role = 'lead' ORDER BY user_id",
        team
    )
    .fetch_all(conn)
    .await
}

/// Whether the user is in the team (as a lead or a member).
pub async fn is_member(conn: &mut PgConnection, team: Uuid, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2) AS "exists!""#,
        team,
        user
    )
    .fetch_one(conn)
    .await
}

pub struct TeamHoursRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub time_zone: String,
    pub working_hours: serde_json::Value,
}

pub async fn list_teams_with_hours(conn: &mut PgConnection) -> Result<Vec<TeamHoursRow>, sqlx::Error> {
    sqlx::query_as!(
        TeamHoursRow,
        "SELECT id, name, slug, time_zone, working_hours FROM teams ORDER BY lower(name)"
    )
    .fetch_all(conn)
    .await
}

/// Sets a team's zone and working hours; returns the previous ones (for the audit log), or
/// `None` when there is no such team.
pub async fn set_hours(
    conn: &mut PgConnection,
    team: Uuid,
    time_zone: &str,
    hours: &serde_json::Value,
) -> Result<Option<TeamHoursRow>, sqlx::Error> {
    sqlx::query_as!(
        TeamHoursRow,
        "UPDATE teams t SET time_zone = $2, working_hours = $3
         FROM (SELECT id, time_zone, working_hours FROM teams WHERE id = $1 FOR UPDATE) old
         WHERE t.id = old.id
         RETURNING t.id, t.name, t.slug, old.time_zone, old.working_hours",
        team,
        time_zone,
        hours
    )
    .fetch_optional(conn)
    .await
}
