//! All SQL about teams, their members, and the services they own.

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

pub async fn insert_service(
    conn: &mut PgConnection,
    name: &str,
    slug: &str,
    team: Uuid,
    description: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO services (id, name, slug, team_id, description) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        Uuid::now_v7(),
        name,
        slug,
        team,
        description,
    )
    .fetch_one(conn)
    .await
}

/// A service with the name of its owning team, for the catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServiceWithOwner {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub team_name: String,
    pub team_slug: String,
}

pub async fn services_with_owners(conn: &mut PgConnection) -> Result<Vec<ServiceWithOwner>, sqlx::Error> {
    sqlx::query_as!(
        ServiceWithOwner,
        "SELECT s.name, s.slug, s.description, t.name AS team_name, t.slug AS team_slug
         FROM services s JOIN teams t ON t.id = s.team_id ORDER BY lower(s.name)",
    )
    .fetch_all(conn)
    .await
}
