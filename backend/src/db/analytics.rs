//! All SQL of the response analytics: the per-incident facts (refreshed from incidents, their
//! timeline and pages), and the raw rows the figures are computed from (page notifications,
//! acknowledgements and roles, alerts), each read once per request for a whole window.

use chrono::{DateTime, Utc};
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

/// Recomputes the facts of these incidents. Times are whole seconds from creation; the declared
/// severity is the one before the first severity change; "by its source" means resolved, opened
/// by an alert, and no timeline event written by a person.
pub async fn refresh_facts(conn: &mut PgConnection, ids: &[Uuid]) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        r#"INSERT INTO incident_facts AS f
             (incident_id, number, created_at, services, teams, declared_severity, current_severity,
              highest_severity, to_acknowledge, to_mitigate, to_resolve, no_responder, escalated,
              resolved_by_source, alerts, pages)
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
                  (SELECT count(*) FROM pages p WHERE p.incident_id = i.id)::integer
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
                           FILTER (WHERE e.kind = 'severity_change') AS worst_to
               FROM timeline_events e WHERE e.incident_id = i.id) t ON true
           WHERE i.id = ANY($1)
           ON CONFLICT (incident_id) DO UPDATE SET
               services = EXCLUDED.services, teams = EXCLUDED.teams,
               declared_severity = EXCLUDED.declared_severity, current_severity = EXCLUDED.current_severity,
               highest_severity = EXCLUDED.highest_severity, to_acknowledge = EXCLUDED.to_acknowledge,
               to_mitigate = EXCLUDED.to_mitigate, to_resolve = EXCLUDED.to_resolve,
               no_responder = EXCLUDED.no_responder, escalated = EXCLUDED.escalated,
               resolved_by_source = EXCLUDED.resolved_by_source, alerts = EXCLUDED.alerts,
               pages = EXCLUDED.pages"#,
        ids
    )
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

pub struct FactRow {
    pub number: i64,
    pub created_at: DateTime<Utc>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
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
}

/// The facts of incidents declared in `[from, to)`, narrowed by team, service and severity.
pub async fn facts_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    team: Option<&str>,
    service: Option<&str>,
    severity: Option<i16>,
) -> Result<Vec<FactRow>, sqlx::Error> {
    sqlx::query_as!(
        FactRow,
        "SELECT number, created_at, services, teams, declared_severity, current_severity, highest_severity,
                to_acknowledge, to_mitigate, to_resolve, no_responder, escalated, resolved_by_source,
                alerts, pages
         FROM incident_facts
         WHERE created_at >= $1 AND created_at < $2
           AND ($3::text IS NULL OR $3 = ANY(teams))
           AND ($4::text IS NULL OR $4 = ANY(services))
           AND ($5::smallint IS NULL OR current_severity = $5)
         ORDER BY created_at",
        from,
        to,
        team,
        service,
        severity
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

pub struct NotifiedRow {
    pub user_id: Uuid,
    pub sent_at: DateTime<Utc>,
}

/// Page notifications that reached someone in `[from, to)`, oldest first: those sent, and
/// those bundled into one that was sent (at its time, with their own incident, so a filter by
/// incident still sees a page that travelled in someone else's bundle), narrowed to incidents of
/// a service and of a (current) severity.
pub async fn page_notifications(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    service: Option<&str>,
    severity: Option<i16>,
) -> Result<Vec<NotifiedRow>, sqlx::Error> {
    sqlx::query_as!(
        NotifiedRow,
        r#"SELECT n.user_id, COALESCE(c.sent_at, n.sent_at) AS "sent_at!"
           FROM notifications n
           LEFT JOIN notifications c ON c.id = n.bundled_into AND c.status = 'sent'
           WHERE n.kind = 'page'
             AND (n.status = 'sent' OR (n.status = 'bundled' AND c.id IS NOT NULL))
             AND COALESCE(c.sent_at, n.sent_at) >= $1 AND COALESCE(c.sent_at, n.sent_at) < $2
             AND ($3::text IS NULL AND $4::smallint IS NULL
                  OR EXISTS (SELECT 1 FROM incident_facts f WHERE f.incident_id = n.incident_id
                             AND ($3::text IS NULL OR $3 = ANY(f.services))
                             AND ($4::smallint IS NULL OR f.current_severity = $4)))
           ORDER BY 2"#,
        from,
        to,
        service,
        severity
    )
    .fetch_all(conn)
    .await
}

pub struct EngagedRow {
    pub user_id: Uuid,
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Whether they acknowledged it (else they took a role).
    pub acknowledged: bool,
}

/// For incidents declared in `[from, to)`: each person's first acknowledgement or role
/// assignment on it, and when the incident was resolved.
pub async fn engagements(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<EngagedRow>, sqlx::Error> {
    sqlx::query_as!(
        EngagedRow,
        r#"WITH i AS (SELECT id, number, resolved_at FROM incidents WHERE created_at >= $1 AND created_at < $2),
           acks AS (SELECT e.incident_id, e.author_id AS user_id, min(e.at) AS at
                    FROM timeline_events e JOIN i ON i.id = e.incident_id
                    WHERE e.kind = 'status_change' AND e.data->>'to' = 'acknowledged' AND e.author_id IS NOT NULL
                    GROUP BY 1, 2),
           roles AS (SELECT r.incident_id, r.user_id, min(r.assigned_at) AS at
                     FROM incident_roles r JOIN i ON i.id = r.incident_id GROUP BY 1, 2),
           both_ AS (SELECT incident_id, user_id, at, true AS ack FROM acks
                     UNION ALL SELECT incident_id, user_id, at, false FROM roles)
           SELECT b.user_id AS "user_id!", i.number, min(b.at) AS "started_at!", i.resolved_at,
                  bool_or(b.ack) AS "acknowledged!"
           FROM both_ b JOIN i ON i.id = b.incident_id
           GROUP BY b.user_id, i.number, i.resolved_at"#,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

pub struct AlertRow {
    pub alertname: Option<String>,
    pub dedup_key: String,
    pub service: String,
    pub incident_number: Option<i64>,
    pub flapping: bool,
}

/// The alerts of incidents declared in `[from, to)`.
pub async fn alerts_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    sqlx::query_as!(
        AlertRow,
        r#"SELECT a.payload->'details'->'labels'->>'alertname' AS alertname,
                  a.dedup_key, s.slug AS service, f.number AS "incident_number?", a.flapping
           FROM incident_facts f
           JOIN alerts a ON a.incident_id = f.incident_id
           JOIN services s ON s.id = a.service_id
           WHERE f.created_at >= $1 AND f.created_at < $2"#,
        from,
        to
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
