//! All SQL about escalation policies, running escalations, pages, contact methods, notification
//! rules and notifications.

use chrono::{DateTime, Utc};
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
    pub status: String,
    pub policy: Value,
    pub urgency: String,
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
        r#"SELECT e.incident_id, i.number, i.title, i.status, e.policy, e.urgency, e.started_at, e.next_step
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

/// Active users among `ids`, with their zones.
pub async fn active_users(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    Ok(sqlx::query!("SELECT id, name, time_zone FROM users WHERE id = ANY($1) AND NOT disabled", ids)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name, r.time_zone))
        .collect())
}

pub async fn team_leads(conn: &mut PgConnection, team: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT user_id FROM team_members WHERE team_id = $1 AND role = 'lead' ORDER BY user_id",
        team
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub label: String,
    pub address: String,
    pub secret: Option<String>,
}

pub async fn contact_methods(conn: &mut PgConnection, user: Uuid) -> Result<Vec<ContactRow>, sqlx::Error> {
    sqlx::query_as!(
        ContactRow,
        "SELECT id, user_id, kind, label, address, secret FROM contact_methods WHERE user_id = $1 ORDER BY created_at, id",
        user
    )
    .fetch_all(conn)
    .await
}

pub async fn contact_method(conn: &mut PgConnection, id: Uuid) -> Result<Option<ContactRow>, sqlx::Error> {
    sqlx::query_as!(
        ContactRow,
        "SELECT id, user_id, kind, label, address, secret FROM contact_methods WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert_contact_method(conn: &mut PgConnection, c: &ContactRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO contact_methods (id, user_id, kind, label, address, secret) VALUES ($1, $2, $3, $4, $5, $6)",
        c.id,
        c.user_id,
        c.kind,
        c.label,
        c.address,
        c.secret
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_contact_method(
    conn: &mut PgConnection,
    user: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM contact_methods WHERE id = $1 AND user_id = $2", id, user)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

#[derive(Debug, Clone)]
pub struct RuleRow {
    pub id: Uuid,
    pub contact_method_id: Uuid,
    pub delay_secs: i32,
}

pub async fn rules(conn: &mut PgConnection, user: Uuid) -> Result<Vec<RuleRow>, sqlx::Error> {
    sqlx::query_as!(
        RuleRow,
        "SELECT id, contact_method_id, delay_secs FROM notification_rules WHERE user_id = $1 ORDER BY delay_secs, id",
        user
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_rule(conn: &mut PgConnection, user: Uuid, r: &RuleRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notification_rules (id, user_id, contact_method_id, delay_secs) VALUES ($1, $2, $3, $4)",
        r.id,
        user,
        r.contact_method_id,
        r.delay_secs
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_rule(conn: &mut PgConnection, user: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM notification_rules WHERE id = $1 AND user_id = $2", id, user)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

pub struct NewNotification {
    pub user_id: Uuid,
    pub contact_method_id: Uuid,
    pub kind: &'static str,
    pub page_id: Option<i64>,
    pub incident_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub deferred: bool,
    pub note: Option<String>,
}

pub async fn insert_notification(conn: &mut PgConnection, n: &NewNotification) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO notifications (user_id, contact_method_id, kind, page_id, incident_id, due_at, deferred, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        n.user_id,
        n.contact_method_id,
        n.kind,
        n.page_id,
        n.incident_id,
        n.due_at,
        n.deferred,
        n.note
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub user_id: Uuid,
    pub contact_method_id: Uuid,
    pub kind: String,
    pub incident_id: Option<Uuid>,
    pub attempts: i32,
    pub note: Option<String>,
}

/// Leases up to `limit` due notifications for `lease`; a crashed sender's lease runs out and the
/// rows come back.
pub async fn claim_notifications(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        "UPDATE notifications n SET lease_until = $2, attempts = n.attempts + 1
         WHERE n.id IN (
             SELECT id FROM notifications
             WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
             ORDER BY due_at, id LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING n.id, n.user_id, n.contact_method_id, n.kind, n.incident_id, n.attempts, n.note",
        now,
        lease_until,
        limit
    )
    .fetch_all(conn)
    .await
}

/// When this person was last sent something on this method, if within the bundling window.
pub async fn last_sent(
    conn: &mut PgConnection,
    user: Uuid,
    method: Uuid,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT max(sent_at) FROM notifications
         WHERE user_id = $1 AND contact_method_id = $2 AND status = 'sent' AND sent_at > $3",
        user,
        method,
        since
    )
    .fetch_one(conn)
    .await
}

pub async fn postpone(
    conn: &mut PgConnection,
    ids: &[i64],
    due_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET due_at = $2, lease_until = NULL, attempts = attempts - 1 WHERE id = ANY($1)",
        ids,
        due_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn finish(
    conn: &mut PgConnection,
    ids: &[i64],
    status: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET status = $2, last_error = $3, lease_until = NULL,
                sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END
         WHERE id = ANY($1)",
        ids,
        status,
        error,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn bundle(
    conn: &mut PgConnection,
    ids: &[i64],
    into: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET status = 'bundled', bundled_into = $2, lease_until = NULL, sent_at = $3
         WHERE id = ANY($1)",
        ids,
        into,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn retry_later(
    conn: &mut PgConnection,
    id: i64,
    due_at: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notifications SET due_at = $2, last_error = $3, lease_until = NULL WHERE id = $1",
        id,
        due_at,
        error
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct IncidentBrief {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: String,
    pub severity: i16,
}

pub async fn incident_briefs(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<IncidentBrief>, sqlx::Error> {
    sqlx::query_as!(
        IncidentBrief,
        "SELECT id, number, title, status, severity FROM incidents WHERE id = ANY($1) ORDER BY number",
        ids
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: i64,
    pub user_name: String,
    pub kind: String,
    pub method: String,
    pub label: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub deferred: bool,
    pub incident_number: Option<i64>,
}

/// The delivery log, newest first: of one incident, or of everything.
pub async fn deliveries(
    conn: &mut PgConnection,
    incident: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        r#"SELECT n.id, u.name AS user_name, n.kind, c.kind AS method, c.label, n.status, n.attempts, n.last_error,
                  n.due_at, n.sent_at, n.deferred, i.number AS "incident_number?"
           FROM notifications n
           JOIN users u ON u.id = n.user_id
           JOIN contact_methods c ON c.id = n.contact_method_id
           LEFT JOIN incidents i ON i.id = n.incident_id
           WHERE ($1::uuid IS NULL OR n.incident_id = $1)
           ORDER BY n.id DESC LIMIT $2"#,
        incident,
        limit
    )
    .fetch_all(conn)
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
