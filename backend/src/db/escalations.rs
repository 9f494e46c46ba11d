//! All SQL about running escalations and the pages they send.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// Starts an escalation for every triggered incident that has none and whose services route to
/// a policy (the first service by name that has one). Concurrent engines insert each once.
pub async fn start_escalations(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO escalations (incident_id, policy_id, policy, urgency, started_at, next_step, next_at)
           SELECT i.id, p.id, p.policy,
                  CASE WHEN i.origin = 'declared' THEN 'high'
                       ELSE COALESCE(r.ingestion->>'urgency', 'high') END,
                  $1, 0, $1
           FROM incidents i
           CROSS JOIN LATERAL (
               SELECT s.escalation_policy_id, s.ingestion FROM incident_services x
               JOIN services s ON s.id = x.service_id
               WHERE x.incident_id = i.id AND s.escalation_policy_id IS NOT NULL
               ORDER BY s.name LIMIT 1
           ) r
           JOIN escalation_policies p ON p.id = r.escalation_policy_id
           WHERE i.status = 'triggered'
             AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = i.id)
           ON CONFLICT (incident_id) DO NOTHING
           RETURNING incident_id"#,
        now
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct DueEscalation {
    pub incident_id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: domain::incident::IncidentStatus,
    pub policy: Value,
    pub urgency: domain::alert::Urgency,
    pub started_at: DateTime<Utc>,
    pub next_step: i32,
}

/// Locks up to `limit` due escalations; other engines skip them.
pub async fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueEscalation>, sqlx::Error> {
    sqlx::query_as!(
        DueEscalation,
        r#"SELECT e.incident_id, i.number, i.title, i.status AS "status: domain::incident::IncidentStatus", e.policy,
                  e.urgency AS "urgency: domain::alert::Urgency", e.started_at, e.next_step
           FROM escalations e JOIN incidents i ON i.id = e.incident_id
           WHERE e.next_at <= $1
           ORDER BY e.next_at
           LIMIT $2
           FOR UPDATE OF e SKIP LOCKED"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn advance(
    conn: &mut PgConnection,
    incident: Uuid,
    next_step: i32,
    next_at: Option<DateTime<Utc>>,
    ended: Option<(DateTime<Utc>, &str)>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escalations SET next_step = $2, next_at = $3, ended_at = $4, end_reason = $5 WHERE incident_id = $1",
        incident,
        next_step,
        next_at,
        ended.map(|e| e.0),
        ended.map(|e| e.1),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends a running escalation (acknowledged, resolved...); false when there was none running.
pub async fn end_escalation(
    conn: &mut PgConnection,
    incident: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE escalations SET next_at = NULL, ended_at = $2, end_reason = $3
         WHERE incident_id = $1 AND next_at IS NOT NULL",
        incident,
        now,
        reason
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub struct NewPage<'a> {
    pub incident: Uuid,
    pub step: i32,
    pub level: Option<i32>,
    pub user: Uuid,
    pub role: Option<&'a str>,
    pub paged_by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Records a page; None when this step already paged this person.
pub async fn insert_page(conn: &mut PgConnection, p: &NewPage<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO pages (incident_id, step, level, user_id, role, paged_by, paged_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (incident_id, step, user_id) DO NOTHING RETURNING id",
        p.incident,
        p.step,
        p.level,
        p.user,
        p.role,
        p.paged_by,
        p.at
    )
    .fetch_optional(conn)
    .await
}

/// A fresh step number for a page by hand: below zero, one less than the last.
pub async fn next_manual_step(conn: &mut PgConnection, incident: Uuid) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(min(step), 0) - 1 AS "step!" FROM pages WHERE incident_id = $1 AND step < 0"#,
        incident
    )
    .fetch_one(conn)
    .await
}

/// For each role pages asked for on this incident, the person most recently paged for it.
pub async fn paged_roles(
    conn: &mut PgConnection,
    incident: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT DISTINCT ON (role) user_id, role AS "role!" FROM pages
           WHERE incident_id = $1 AND role IS NOT NULL ORDER BY role, paged_at DESC, id DESC"#,
        incident
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.user_id, r.role))
    .collect())
}

#[derive(Debug, Clone)]
pub struct PageRow {
    pub id: i64,
    pub step: i32,
    pub level: Option<i32>,
    pub user_id: Uuid,
    pub name: String,
    pub role: Option<String>,
    pub paged_at: DateTime<Utc>,
}

pub async fn pages_of(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<PageRow>, sqlx::Error> {
    sqlx::query_as!(
        PageRow,
        "SELECT p.id, p.step, p.level, p.user_id, u.name, p.role, p.paged_at
         FROM pages p JOIN users u ON u.id = p.user_id WHERE p.incident_id = $1 ORDER BY p.id",
        incident
    )
    .fetch_all(conn)
    .await
}
