//! All SQL about the service catalogue: services, their owners, ingestion settings and routing.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

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
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub team_name: String,
    pub team_slug: String,
}

pub async fn services_with_owners(conn: &mut PgConnection) -> Result<Vec<ServiceWithOwner>, sqlx::Error> {
    sqlx::query_as!(
        ServiceWithOwner,
        "SELECT s.id, s.team_id, s.name, s.slug, s.description, t.name AS team_name, t.slug AS team_slug
         FROM services s JOIN teams t ON t.id = s.team_id ORDER BY lower(s.name)",
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct ServiceIngestion {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub ingestion: Value,
}

pub async fn service_by_slug(
    conn: &mut PgConnection,
    slug: &str,
) -> Result<Option<ServiceIngestion>, sqlx::Error> {
    sqlx::query_as!(ServiceIngestion, "SELECT id, slug, name, ingestion FROM services WHERE slug = $1", slug)
        .fetch_optional(conn)
        .await
}

pub async fn services_by_id(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<ServiceIngestion>, sqlx::Error> {
    sqlx::query_as!(
        ServiceIngestion,
        "SELECT id, slug, name, ingestion FROM services WHERE id = ANY($1)",
        ids
    )
    .fetch_all(conn)
    .await
}

pub async fn set_ingestion(
    conn: &mut PgConnection,
    service: Uuid,
    ingestion: &Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE services SET ingestion = $2 WHERE id = $1", service, ingestion)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_service_policy(
    conn: &mut PgConnection,
    slug: &str,
    policy: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("UPDATE services SET escalation_policy_id = $2 WHERE slug = $1", slug, policy)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// A service with its owner, its ingestion settings and the policy it routes to, in one read.
#[derive(Debug, Clone)]
pub struct ServiceDetailRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub team_slug: String,
    pub team_name: String,
    pub ingestion: Value,
    pub policy_id: Option<Uuid>,
    pub policy_name: Option<String>,
}

pub async fn detail_by_slug(
    conn: &mut PgConnection,
    slug: &str,
) -> Result<Option<ServiceDetailRow>, sqlx::Error> {
    sqlx::query_as!(
        ServiceDetailRow,
        r#"SELECT s.id, s.name, s.slug, s.description, t.slug AS team_slug, t.name AS team_name, s.ingestion,
                  p.id AS "policy_id?", p.name AS "policy_name?"
           FROM services s JOIN teams t ON t.id = s.team_id
           LEFT JOIN escalation_policies p ON p.id = s.escalation_policy_id
           WHERE s.slug = $1"#,
        slug
    )
    .fetch_optional(conn)
    .await
}
