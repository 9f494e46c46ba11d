//! All SQL of the response analytics: the per-incident facts (refreshed from incidents, their
//! timeline and pages), the raw rows a day's rollup is built from (facts, engagements, alerts,
//! page notifications), the rollups themselves, and the small tables read whole per report
//! (people, services, postmortems).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Takes the refresh's lock when no other instance holds it, and returns how far the facts
/// have followed the timeline. `None`: another instance is refreshing now.
pub async fn lock_state(conn: &mut PgConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!("SELECT timeline_id FROM analytics_state FOR UPDATE SKIP LOCKED")
        .fetch_optional(conn)
        .await
}

pub async fn set_state(conn: &mut PgConnection, timeline_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE analytics_state SET timeline_id = $1", timeline_id).execute(conn).await?;
    Ok(())
}

pub struct Touched {
    pub incidents: Vec<Uuid>,
    /// The highest event id read.
    pub last_id: Option<i64>,
    /// The highest id of an event written over a minute ago: safe to move past, since no
    /// transaction that could still commit a lower id runs that long.
    pub settled_id: Option<i64>,
}

/// The incidents with timeline events after `after` (at most `limit` events read).
pub async fn touched_since(conn: &mut PgConnection, after: i64, limit: i64) -> Result<Touched, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH e AS (SELECT id, incident_id, at FROM timeline_events WHERE id > $1 ORDER BY id LIMIT $2)
           SELECT COALESCE(array_agg(DISTINCT incident_id), '{}') AS "incidents!",
                  max(id) AS last_id,
                  max(id) FILTER (WHERE at < now() - interval '1 minute') AS settled_id
           FROM e"#,
        after,
        limit
    )
    .fetch_one(conn)
    .await?;
    Ok(Touched { incidents: r.incidents, last_id: r.last_id, settled_id: r.settled_id })
}

/// Recomputes the facts of these incidents and returns the (UTC) days of those that changed.
/// Times are whole seconds from creation; the declared severity is the one before the first
/// severity change; "by its source" means resolved, opened by an alert, and no timeline event
/// written by a person; each person's engagement is their first acknowledgement or role.
pub async fn refresh_facts(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO incident_facts AS f
             (incident_id, number, created_at, services, teams, declared_severity, current_severity,
              highest_severity, to_acknowledge, to_mitigate, to_resolve, no_responder, escalated,
              resolved_by_source, alerts, pages, resolved_at, engaged_users, engaged_at, engaged_ack,
              last_event)
           SELECT i.id, i.number, i.created_at,
                  COALESCE(sv.services, '{}'), COALESCE(sv.teams, '{}'),
                  COALESCE(t.first_from, i.severity), i.severity,
                  LEAST(COALESCE(t.first_from, i.severity), i.severity, COALESCE(t.worst_to, 5)),
                  floor(extract(epoch FROM i.acknowledged_at - i.created_at))::integer,
                  floor(extract(epoch FROM i.mitigated_at - i.created_at))::integer,
                  CASE WHEN i.status = 'resolved'
                       THEN floor(extract(epoch FROM i.resolved_at - i.created_at))::integer END,
                  i.status = 'no_responder' OR COALESCE(t.no_responder, false),
                  EXISTS (SELECT 1 FROM pages p WHERE p.incident_id = i.id AND p.level >= 1),
                  i.status = 'resolved' AND i.origin <> 'declared' AND NOT COALESCE(t.human, false),
                  (SELECT count(*) FROM alerts a WHERE a.incident_id = i.id)::integer,
                  (SELECT count(*) FROM pages p WHERE p.incident_id = i.id)::integer,
                  i.resolved_at,
                  COALESCE(g.users, '{}'), COALESCE(g.ats, '{}'), COALESCE(g.acks, '{}'),
                  COALESCE(t.last_event, 0)
           FROM incidents i
           LEFT JOIN LATERAL (
               SELECT array_agg(DISTINCT s.slug ORDER BY s.slug) AS services,
                      array_agg(DISTINCT tm.slug ORDER BY tm.slug) AS teams
               FROM incident_services x
               JOIN services s ON s.id = x.service_id
               JOIN teams tm ON tm.id = s.team_id
               WHERE x.incident_id = i.id) sv ON true
           LEFT JOIN LATERAL (
               SELECT bool_or(e.author_id IS NOT NULL) AS human,
                      bool_or(e.kind = 'status_change' AND e.data->>'to' = 'no_responder') AS no_responder,
                      (array_agg(substring(e.data->>'from' FROM 4)::smallint ORDER BY e.id)
                           FILTER (WHERE e.kind = 'severity_change'))[1] AS first_from,
                      min(substring(e.data->>'to' FROM 4)::smallint)
                           FILTER (WHERE e.kind = 'severity_change') AS worst_to,
                      max(e.id) AS last_event
               FROM timeline_events e WHERE e.incident_id = i.id) t ON true
           LEFT JOIN LATERAL (
               SELECT array_agg(y.user_id ORDER BY y.user_id) AS users, array_agg(y.at ORDER BY y.user_id) AS ats,
                      array_agg(y.ack ORDER BY y.user_id) AS acks
               FROM (SELECT x.user_id, min(x.at) AS at, bool_or(x.ack) AS ack
                     FROM (SELECT e.author_id AS user_id, e.at, true AS ack FROM timeline_events e
                           WHERE e.incident_id = i.id AND e.kind = 'status_change'
                             AND e.data->>'to' = 'acknowledged' AND e.author_id IS NOT NULL
                           UNION ALL
                           SELECT r.user_id, r.assigned_at, false FROM incident_roles r
                           WHERE r.incident_id = i.id) x
                     GROUP BY x.user_id) y) g ON true
           WHERE i.id = ANY($1)
           ON CONFLICT (incident_id) DO UPDATE SET
               services = EXCLUDED.services, teams = EXCLUDED.teams,
               declared_severity = EXCLUDED.declared_severity, current_severity = EXCLUDED.current_severity,
               highest_severity = EXCLUDED.highest_severity, to_acknowledge = EXCLUDED.to_acknowledge,
               to_mitigate = EXCLUDED.to_mitigate, to_resolve = EXCLUDED.to_resolve,
               no_responder = EXCLUDED.no_responder, escalated = EXCLUDED.escalated,
               resolved_by_source = EXCLUDED.resolved_by_source, alerts = EXCLUDED.alerts,
               pages = EXCLUDED.pages, resolved_at = EXCLUDED.resolved_at,
               engaged_users = EXCLUDED.engaged_users, engaged_at = EXCLUDED.engaged_at,
               engaged_ack = EXCLUDED.engaged_ack, last_event = EXCLUDED.last_event
           -- The last minute's events are read again each time: an incident whose facts did not
           -- change leaves its day's rollup alone.
           WHERE (f.*) IS DISTINCT FROM (EXCLUDED.*)
           RETURNING (f.created_at AT TIME ZONE 'UTC')::date AS "day!""#,
        ids
    )
    .fetch_all(conn)
    .await
}

pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    /// The working hours of their first team (by name), if they are in one.
    pub working_hours: Option<serde_json::Value>,
    pub teams: Vec<String>,
}

/// Everyone, with their zone and their teams' hours.
pub async fn people(conn: &mut PgConnection) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        r#"SELECT u.id, u.name, u.time_zone,
                  (SELECT t.working_hours FROM team_members m JOIN teams t ON t.id = m.team_id
                   WHERE m.user_id = u.id ORDER BY lower(t.name) LIMIT 1) AS working_hours,
                  COALESCE((SELECT array_agg(t.slug ORDER BY t.slug) FROM team_members m
                            JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id), '{}') AS "teams!"
           FROM users u ORDER BY u.name"#
    )
    .fetch_all(conn)
    .await
}

pub struct PostmortemRow {
    pub due_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

pub struct ActionRow {
    pub status: String,
    pub due_on: chrono::NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// The postmortems of incidents declared in `[from, to)`, narrowed like the facts.
pub async fn postmortems_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    team: Option<&str>,
    service: Option<&str>,
    severity: Option<i16>,
) -> Result<Vec<PostmortemRow>, sqlx::Error> {
    sqlx::query_as!(
        PostmortemRow,
        "SELECT p.due_at, p.published_at, i.resolved_at
         FROM incident_facts f JOIN postmortems p ON p.incident_id = f.incident_id
         JOIN incidents i ON i.id = f.incident_id
         WHERE f.created_at >= $1 AND f.created_at < $2
           AND ($3::text IS NULL OR $3 = ANY(f.teams))
           AND ($4::text IS NULL OR $4 = ANY(f.services))
           AND ($5::smallint IS NULL OR f.current_severity = $5)",
        from,
        to,
        team,
        service,
        severity
    )
    .fetch_all(conn)
    .await
}

/// The corrective actions of those postmortems.
pub async fn actions_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    team: Option<&str>,
    service: Option<&str>,
    severity: Option<i16>,
) -> Result<Vec<ActionRow>, sqlx::Error> {
    sqlx::query_as!(
        ActionRow,
        "SELECT a.status, a.due_on, a.created_at
         FROM incident_facts f JOIN postmortems p ON p.incident_id = f.incident_id
         JOIN postmortem_actions a ON a.postmortem_id = p.id
         WHERE f.created_at >= $1 AND f.created_at < $2
           AND ($3::text IS NULL OR $3 = ANY(f.teams))
           AND ($4::text IS NULL OR $4 = ANY(f.services))
           AND ($5::smallint IS NULL OR f.current_severity = $5)",
        from,
        to,
        team,
        service,
        severity
    )
    .fetch_all(conn)
    .await
}

/// The days whose rollup is stale because page notifications changed, forgotten as they are
/// returned (the caller rebuilds them in the same transaction).
pub async fn take_dirty_days(conn: &mut PgConnection) -> Result<Vec<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar!("DELETE FROM analytics_dirty_days RETURNING day").fetch_all(conn).await
}

pub struct DayFactRow {
    pub incident_id: Uuid,
    pub number: i64,
    pub created_at: DateTime<Utc>,
    pub service_ids: Vec<Uuid>,
    pub declared_severity: i16,
    pub current_severity: i16,
    pub highest_severity: i16,
    pub to_acknowledge: Option<i32>,
    pub to_mitigate: Option<i32>,
    pub to_resolve: Option<i32>,
    pub no_responder: bool,
    pub escalated: bool,
    pub resolved_by_source: bool,
    pub alerts: i32,
    pub pages: i32,
    pub resolved_at: Option<DateTime<Utc>>,
    pub engaged_users: Vec<Uuid>,
    pub engaged_at: Vec<DateTime<Utc>>,
    pub engaged_ack: Vec<bool>,
}

/// The facts of incidents declared in `[from, to)`, in order, with their services' ids.
pub async fn facts_for_rollup(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DayFactRow>, sqlx::Error> {
    sqlx::query_as!(
        DayFactRow,
        r#"SELECT f.incident_id, f.number, f.created_at,
                  COALESCE((SELECT array_agg(x.service_id ORDER BY x.service_id) FROM incident_services x
                            WHERE x.incident_id = f.incident_id), '{}') AS "service_ids!",
                  f.declared_severity, f.current_severity, f.highest_severity, f.to_acknowledge,
                  f.to_mitigate, f.to_resolve, f.no_responder, f.escalated, f.resolved_by_source,
                  f.alerts, f.pages, f.resolved_at, f.engaged_users, f.engaged_at, f.engaged_ack
           FROM incident_facts f
           WHERE f.created_at >= $1 AND f.created_at < $2
           ORDER BY f.created_at, f.number"#,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

pub struct DayAlertRow {
    pub incident_id: Uuid,
    pub alertname: Option<String>,
    pub dedup_key: String,
    pub service_id: Uuid,
    pub flapping: bool,
}

/// The alerts of incidents declared in `[from, to)`.
pub async fn alerts_for_rollup(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DayAlertRow>, sqlx::Error> {
    sqlx::query_as!(
        DayAlertRow,
        r#"SELECT f.incident_id, a.alertname, a.dedup_key AS "dedup_key!", a.service_id AS "service_id!",
                  a.flapping AS "flapping!"
           FROM incident_facts f CROSS JOIN LATERAL (
               SELECT a.payload->'details'->'labels'->>'alertname' AS alertname, a.dedup_key, a.service_id,
                      a.flapping
               FROM alerts a WHERE a.incident_id = f.incident_id OFFSET 0) a
           WHERE f.created_at >= $1 AND f.created_at < $2"#,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

pub struct DayPageRow {
    pub user_id: Uuid,
    pub at: DateTime<Utc>,
    pub number: Option<i64>,
}

/// Page notifications that reached someone in `[from, to)`, oldest first: those sent, and
/// those bundled into one that was sent (at its time, with their own incident, so a filter by
/// incident still sees a page that travelled in someone else's bundle).
pub async fn pages_for_rollup(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DayPageRow>, sqlx::Error> {
    sqlx::query_as!(
        DayPageRow,
        r#"SELECT p.user_id AS "user_id!", p.at AS "at!", i.number AS "number?"
           FROM (SELECT n.user_id, n.sent_at AS at, n.incident_id FROM notifications n
                 WHERE n.status = 'sent' AND n.kind = 'page' AND n.sent_at >= $1 AND n.sent_at < $2
                 UNION ALL
                 SELECT n.user_id, c.sent_at, n.incident_id FROM notifications c
                 JOIN notifications n ON n.bundled_into = c.id AND n.status = 'bundled' AND n.kind = 'page'
                 WHERE c.status = 'sent' AND c.sent_at >= $1 AND c.sent_at < $2) p
           LEFT JOIN incidents i ON i.id = p.incident_id
           ORDER BY p.at"#,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

/// One day's rollup (`domain::analytics::rollup`).
pub struct DayRow {
    pub day: NaiveDate,
    pub services: Vec<Uuid>,
    pub users: Vec<Uuid>,
    pub rules: Vec<String>,
    pub incidents: Vec<u8>,
    pub engagements: Vec<u8>,
    pub rule_counts: Vec<u8>,
    pub pages: Vec<u8>,
}

/// Replaces a day's rollup; a day with nothing in it has no row.
pub async fn write_day(conn: &mut PgConnection, d: &DayRow) -> Result<(), sqlx::Error> {
    if d.incidents.is_empty() && d.pages.is_empty() {
        sqlx::query!("DELETE FROM analytics_days WHERE day = $1", d.day).execute(conn).await?;
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO analytics_days (day, services, users, rules, incidents, engagements, rule_counts, pages)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (day) DO UPDATE SET services = EXCLUDED.services, users = EXCLUDED.users,
             rules = EXCLUDED.rules, incidents = EXCLUDED.incidents, engagements = EXCLUDED.engagements,
             rule_counts = EXCLUDED.rule_counts, pages = EXCLUDED.pages",
        d.day,
        &d.services,
        &d.users,
        &d.rules,
        &d.incidents,
        &d.engagements,
        &d.rule_counts,
        &d.pages
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Which parts of a day's rollup to read; the others come back empty, unread (a year of one part
/// is megabytes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Parts {
    pub incidents: bool,
    pub engagements: bool,
    pub rule_counts: bool,
    pub pages: bool,
}

/// The rollups of days `[from, to]`, those parts of them.
pub async fn days(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
    parts: Parts,
) -> Result<Vec<DayRow>, sqlx::Error> {
    sqlx::query_as!(
        DayRow,
        r#"SELECT day, services, users, rules,
                  CASE WHEN $3 THEN incidents ELSE '' END AS "incidents!",
                  CASE WHEN $4 THEN engagements ELSE '' END AS "engagements!",
                  CASE WHEN $5 THEN rule_counts ELSE '' END AS "rule_counts!",
                  CASE WHEN $6 THEN pages ELSE '' END AS "pages!"
           FROM analytics_days WHERE day BETWEEN $1 AND $2 ORDER BY day"#,
        from,
        to,
        parts.incidents,
        parts.engagements,
        parts.rule_counts,
        parts.pages
    )
    .fetch_all(conn)
    .await
}

pub struct ServiceOwnerRow {
    pub id: Uuid,
    pub slug: String,
    pub team: String,
}

/// Every service with its team, as they are now.
pub async fn service_owners(conn: &mut PgConnection) -> Result<Vec<ServiceOwnerRow>, sqlx::Error> {
    sqlx::query_as!(
        ServiceOwnerRow,
        "SELECT s.id, s.slug, t.slug AS team FROM services s JOIN teams t ON t.id = s.team_id"
    )
    .fetch_all(conn)
    .await
}

pub struct NumberedFactRow {
    pub number: i64,
    pub services: Vec<String>,
    pub current_severity: i16,
}

/// The services and severity of these incidents (those a page in a window was for, declared
/// before it).
pub async fn facts_by_number(
    conn: &mut PgConnection,
    numbers: &[i64],
) -> Result<Vec<NumberedFactRow>, sqlx::Error> {
    sqlx::query_as!(
        NumberedFactRow,
        "SELECT number, services, current_severity FROM incident_facts WHERE number = ANY($1)",
        numbers
    )
    .fetch_all(conn)
    .await
}
