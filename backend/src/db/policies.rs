//! All SQL about escalation policies.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub id: Uuid,
    pub name: String,
    pub policy: Value,
    pub services: Vec<String>,
}

pub async fn list_policies(conn: &mut PgConnection) -> Result<Vec<PolicyRow>, sqlx::Error> {
    sqlx::query_as!(
        PolicyRow,
        r#"SELECT p.id, p.name, p.policy,
                  COALESCE(array_agg(s.slug ORDER BY s.slug) FILTER (WHERE s.slug IS NOT NULL), '{}') AS "services!"
           FROM escalation_policies p LEFT JOIN services s ON s.escalation_policy_id = p.id
           GROUP BY p.id ORDER BY p.name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_policy(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    policy: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO escalation_policies (id, name, policy) VALUES ($1, $2, $3)", id, name, policy)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_policy(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    policy: Value,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE escalation_policies SET name = $2, policy = $3, updated_at = now() WHERE id = $1",
        id,
        name,
        policy
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn delete_policy(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM escalation_policies WHERE id = $1", id).execute(conn).await?.rows_affected()
        == 1)
}
