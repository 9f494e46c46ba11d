//! All SQL about incidents: the incident row, the services it affects, its roles, links and
//! relations, and the facts the alert processor decides on. The change channel for live pages.

use chrono::{DateTime, Utc};
use domain::incident::{IncidentFilter, IncidentStatus, LinkView, RelatedView, RoleHolder, Severity};
use sqlx::{PgConnection, types::Json};
use uuid::Uuid;

/// An incident as `incident_details` shows it.
#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub customer_impact: bool,
    pub declared_by: Option<String>,
    pub services: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub impact_ended_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub root_cause_tags: Vec<String>,
    pub roles: Json<Vec<RoleHolder>>,
    pub links: Json<Vec<LinkView>>,
    pub related: Json<Vec<RelatedView>>,
    pub dashboard_key: i64,
}

pub struct NewIncidentRow<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub severity: i16,
    pub customer_impact: bool,
    pub declared_by: Option<Uuid>,
    /// `declared`, `alert` or `storm`.
    pub origin: &'a str,
}

/// Inserts an incident as triggered at `now`; returns its id and number.
pub async fn insert(
    conn: &mut PgConnection,
    new: &NewIncidentRow<'_>,
    now: DateTime<Utc>,
) -> Result<(Uuid, i64), sqlx::Error> {
    let row = sqlx::query!(
        "INSERT INTO incidents (id, title, description, severity, status, customer_impact, declared_by,
                                origin, created_at, updated_at, impact_started_at)
         VALUES ($1, $2, $3, $4, 'triggered', $5, $6, $7, $8::timestamptz, $8, CASE WHEN $5 THEN $8 END)
         RETURNING id, number",
        Uuid::now_v7(),
        new.title,
        new.description,
        new.severity,
        new.customer_impact,
        new.declared_by,
        new.origin,
        now,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.number))
}

/// An incident that already happened, with its own timestamps: demo history and imports.
pub struct PastIncidentRow<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub severity: i16,
    pub status: &'a str,
    pub customer_impact: bool,
    pub declared_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub impact_ended_at: Option<DateTime<Utc>>,
    pub root_cause_tags: &'a [String],
    /// `declared`, `alert` or `storm`.
    pub origin: &'a str,
}

pub async fn insert_past(
    conn: &mut PgConnection,
    p: &PastIncidentRow<'_>,
) -> Result<(Uuid, i64), sqlx::Error> {
    let row = sqlx::query!(
        "INSERT INTO incidents (id, title, description, severity, status, customer_impact, declared_by,
                                created_at, acknowledged_at, mitigated_at, resolved_at,
                                impact_started_at, impact_ended_at, root_cause_tags, origin, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 COALESCE($11::timestamptz, $10::timestamptz, $9::timestamptz, $8::timestamptz))
         RETURNING id, number",
        Uuid::now_v7(),
        p.title,
        p.description,
        p.severity,
        p.status,
        p.customer_impact,
        p.declared_by,
        p.created_at,
        p.acknowledged_at,
        p.mitigated_at,
        p.resolved_at,
        p.impact_started_at,
        p.impact_ended_at,
        p.root_cause_tags,
        p.origin,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.number))
}

/// Of the given service slugs, those that do not exist.
pub async fn unknown_services(conn: &mut PgConnection, slugs: &[String]) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT s AS "slug!" FROM unnest($1::text[]) AS s WHERE s NOT IN (SELECT slug FROM services)"#,
        slugs,
    )
    .fetch_all(conn)
    .await
}

pub async fn attach_services(
    conn: &mut PgConnection,
    incident: Uuid,
    slugs: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO incident_services (incident_id, service_id)
         SELECT $1, id FROM services WHERE slug = ANY($2::text[]) ON CONFLICT DO NOTHING",
        incident,
        slugs,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// `query_as!` for [`IncidentRow`] from the `incident_details` view: the one column list (a view's
/// columns all read as nullable, hence the `!`), then the caller's `FROM incident_details ...`.
macro_rules! incident_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            IncidentRow,
            r#"SELECT id AS "id!", number AS "number!", title AS "title!", description AS "description!",
                      severity AS "severity!: Severity", status AS "status!: IncidentStatus",
                      customer_impact AS "customer_impact!", declared_by, services AS "services!",
                      created_at AS "created_at!", acknowledged_at, mitigated_at, resolved_at, impact_started_at,
                      impact_ended_at, updated_at AS "updated_at!", root_cause_tags AS "root_cause_tags!",
                      roles AS "roles!: Json<Vec<RoleHolder>>", links AS "links!: Json<Vec<LinkView>>",
                      related AS "related!: Json<Vec<RelatedView>>", dashboard_key AS "dashboard_key!" "#
                + $rest
            $(, $arg)*
        )
    };
}

pub async fn by_number(conn: &mut PgConnection, number: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    incident_rows!(r#"FROM incident_details WHERE number = $1"#, number,).fetch_optional(conn).await
}

/// Incidents in dashboard order (open first, most severe first, newest first), after the
/// `after` cursor, at most `limit`. Empty filter lists and `None` mean "any".
pub async fn list(
    conn: &mut PgConnection,
    filter: &IncidentFilter,
    holder: Option<Uuid>,
    limit: i64,
) -> Result<Vec<IncidentRow>, sqlx::Error> {
    let statuses: Vec<String> = filter.statuses.iter().map(|s| s.as_str().to_owned()).collect();
    let severities: Vec<i16> = filter.severities.iter().map(|s| s.level()).collect();
    incident_rows!(
        r#"FROM incident_details d
           WHERE ($1::bigint IS NULL OR d.dashboard_key > $1)
             AND (cardinality($2::text[]) = 0 OR d.status = ANY($2))
             AND (cardinality($3::int2[]) = 0 OR d.severity = ANY($3))
             AND ($4::text IS NULL OR d.id IN (
                    SELECT x.incident_id FROM incident_services x JOIN services s ON s.id = x.service_id
                    WHERE s.slug = $4))
             AND ($5::text IS NULL OR d.id IN (
                    SELECT x.incident_id FROM incident_services x JOIN services s ON s.id = x.service_id
                    JOIN teams t ON t.id = s.team_id WHERE t.slug = $5))
             AND ($6::uuid IS NULL OR d.id IN (SELECT r.incident_id FROM incident_roles r WHERE r.user_id = $6))
             AND ($7::text IS NULL OR d.search @@ to_tsquery('simple', $7))
           ORDER BY d.dashboard_key
           LIMIT $8"#,
        filter.after,
        &statuses,
        &severities,
        filter.service.as_ref().map(|s| s.as_str()),
        filter.team.as_ref().map(|s| s.as_str()),
        holder,
        filter.text.as_deref(),
        limit,
    )
    .fetch_all(conn)
    .await
}

pub async fn id_by_number(conn: &mut PgConnection, number: i64) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM incidents WHERE number = $1", number).fetch_optional(conn).await
}

/// The services an incident is about.
/// The numbers of the latest resolved SEV1 and SEV2 incidents, newest first.
pub async fn recent_resolved_numbers(conn: &mut PgConnection, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT number FROM incidents WHERE status = 'resolved' AND severity <= 2 ORDER BY resolved_at DESC LIMIT $1",
        limit
    )
    .fetch_all(conn)
    .await
}

/// The names of the people holding the incident's roles.
pub async fn role_holder_names(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT u.name FROM incident_roles r JOIN users u ON u.id = r.user_id WHERE r.incident_id = $1 ORDER BY u.name",
        incident
    )
    .fetch_all(conn)
    .await
}

pub async fn service_ids(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT service_id FROM incident_services WHERE incident_id = $1", incident)
        .fetch_all(conn)
        .await
}

/// Locks the incident for the rest of the transaction and returns its id and status.
pub async fn lock_status(
    conn: &mut PgConnection,
    number: i64,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let row = sqlx::query!("SELECT id, status FROM incidents WHERE number = $1 FOR UPDATE", number)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| (r.id, r.status)))
}

/// Locks the incident for the rest of the transaction and returns its number.
pub async fn lock_by_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!("SELECT number FROM incidents WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await
}

/// Moves an incident to `status` at `now`, stamping the time of the first acknowledgement and
/// mitigation, and of the latest resolution (cleared when it is reopened).
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET
             status = $2,
             acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN COALESCE(acknowledged_at, $3) ELSE acknowledged_at END,
             mitigated_at = CASE WHEN $2 = 'mitigated' THEN COALESCE(mitigated_at, $3) ELSE mitigated_at END,
             resolved_at = CASE WHEN $2 IN ('resolved', 'no_responder') THEN $3
                                WHEN $2 = 'triggered' THEN NULL ELSE resolved_at END,
             updated_at = $3
         WHERE id = $1",
        id,
        status,
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct FieldsUpdate<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub severity: i16,
    pub customer_impact: bool,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub impact_ended_at: Option<DateTime<Utc>>,
    pub root_cause_tags: &'a [String],
}

/// Writes an incident's editable fields (all of them: the service merges a patch into the
/// current values first, so the CHECKs see the final state).
pub async fn update_fields(
    conn: &mut PgConnection,
    id: Uuid,
    f: &FieldsUpdate<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET title = $2, description = $3, severity = $4, customer_impact = $5,
                impact_started_at = $6, impact_ended_at = $7, root_cause_tags = $8, updated_at = now()
         WHERE id = $1",
        id,
        f.title,
        f.description,
        f.severity,
        f.customer_impact,
        f.impact_started_at,
        f.impact_ended_at,
        f.root_cause_tags,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn touch(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE incidents SET updated_at = now() WHERE id = $1", id).execute(conn).await?;
    Ok(())
}

/// Gives `role` to `user`, replacing its holder; `None` leaves the role unheld.
pub async fn set_role(
    conn: &mut PgConnection,
    incident: Uuid,
    role: &str,
    user: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    match user {
        Some(user) => {
            sqlx::query!(
                "INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (incident_id, role) DO UPDATE SET user_id = $3, assigned_at = $4",
                incident,
                role,
                user,
                now,
            )
            .execute(conn)
            .await?;
        }
        None => {
            sqlx::query!("DELETE FROM incident_roles WHERE incident_id = $1 AND role = $2", incident, role)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

pub struct HeldRole {
    pub incident_id: Uuid,
    pub number: i64,
    pub role: String,
}

/// The roles `user` holds on open incidents, with those incidents locked.
pub async fn roles_held_on_open(conn: &mut PgConnection, user: Uuid) -> Result<Vec<HeldRole>, sqlx::Error> {
    sqlx::query_as!(
        HeldRole,
        "SELECT i.id AS incident_id, i.number, r.role
         FROM incident_roles r JOIN incidents i ON i.id = r.incident_id
         WHERE r.user_id = $1 AND i.status IN ('triggered', 'acknowledged', 'mitigated')
         ORDER BY i.number, r.role
         FOR UPDATE OF i",
        user,
    )
    .fetch_all(conn)
    .await
}

/// The name of an active user who may hold incident roles (responders and admins).
/// The roles someone holds on the incident.
pub async fn held_roles(conn: &mut PgConnection, id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT role FROM incident_roles WHERE incident_id = $1", id).fetch_all(conn).await
}

pub async fn responder_name(conn: &mut PgConnection, user: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT name FROM users WHERE id = $1 AND NOT disabled AND role IN ('responder', 'admin')",
        user,
    )
    .fetch_optional(conn)
    .await
}

pub async fn add_link(
    conn: &mut PgConnection,
    incident: Uuid,
    url: &str,
    label: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO incident_links (incident_id, url, label) VALUES ($1, $2, $3)",
        incident,
        url,
        label
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Relates two incidents (either direction is the same relation); a second call updates the
/// reason.
pub async fn relate(conn: &mut PgConnection, a: Uuid, b: Uuid, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO incident_relations (incident_id, related_id, reason) VALUES (least($1::uuid, $2::uuid), greatest($1::uuid, $2::uuid), $3)
         ON CONFLICT (incident_id, related_id) DO UPDATE SET reason = $3",
        a,
        b,
        reason,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The channel that carries incident changes to every server instance (see `live`).
pub const CHANGES_CHANNEL: &str = "tocsin_incidents";

/// Announces a change to listeners; Postgres delivers it when the transaction commits, and not
/// at all if it rolls back.
pub async fn notify_change(conn: &mut PgConnection, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_notify($1, $2)", CHANGES_CHANNEL, payload).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub struct OpenIncident {
    pub id: Uuid,
    pub number: i64,
    pub created_at: DateTime<Utc>,
}

/// The service's newest open incident, locked so no one resolves it while alerts join it.
pub async fn newest_open_incident(
    conn: &mut PgConnection,
    service: Uuid,
) -> Result<Option<OpenIncident>, sqlx::Error> {
    sqlx::query_as!(
        OpenIncident,
        "SELECT i.id, i.number, i.created_at FROM incidents i
         JOIN incident_services x ON x.incident_id = i.id AND x.service_id = $1
         WHERE i.status IN ('triggered', 'acknowledged', 'mitigated')
         ORDER BY i.number DESC LIMIT 1 FOR UPDATE OF i",
        service
    )
    .fetch_optional(conn)
    .await
}

pub async fn open_storm_incident(
    conn: &mut PgConnection,
    service: Uuid,
) -> Result<Option<OpenIncident>, sqlx::Error> {
    sqlx::query_as!(
        OpenIncident,
        "SELECT i.id, i.number, i.created_at FROM incidents i
         JOIN incident_services x ON x.incident_id = i.id AND x.service_id = $1
         WHERE i.origin = 'storm' AND i.status IN ('triggered', 'acknowledged', 'mitigated')
         ORDER BY i.number DESC LIMIT 1 FOR UPDATE OF i",
        service
    )
    .fetch_optional(conn)
    .await
}

/// Incidents opened from alerts (storm incidents included) for the service since `since`.
pub async fn incidents_from_alerts_since(
    conn: &mut PgConnection,
    service: Uuid,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM incidents i
           JOIN incident_services x ON x.incident_id = i.id AND x.service_id = $1
           WHERE i.origin <> 'declared' AND i.created_at >= $2"#,
        service,
        since
    )
    .fetch_one(conn)
    .await
}

/// Locks incidents in id order. The processor locks an alert's incident before the alert, the
/// same order as a person resolving an incident (incident, then its alerts), so the two never
/// deadlock.
pub async fn lock_incidents(conn: &mut PgConnection, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM incidents WHERE id = ANY($1) ORDER BY id FOR UPDATE", ids)
        .fetch_all(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub number: i64,
    pub status: IncidentStatus,
    pub severity: Severity,
    /// Whether any person has acted on it (acknowledged, noted, took a role...).
    pub human_acted: bool,
}

/// Locks the incident and reads what the processor decides on.
pub async fn lock_incident_facts(
    conn: &mut PgConnection,
    incident: Uuid,
) -> Result<Option<IncidentFacts>, sqlx::Error> {
    sqlx::query_as!(
        IncidentFacts,
        r#"SELECT number, status AS "status: IncidentStatus", severity AS "severity: Severity",
                  EXISTS (SELECT 1 FROM timeline_events t
                          WHERE t.incident_id = i.id AND t.author_id IS NOT NULL) AS "human_acted!"
           FROM incidents i WHERE id = $1 FOR UPDATE"#,
        incident
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_severity(conn: &mut PgConnection, incident: Uuid, severity: i16) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE incidents SET severity = $2, updated_at = now() WHERE id = $1", incident, severity)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct IncidentBrief {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub severity: Severity,
}

pub async fn incident_briefs(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<IncidentBrief>, sqlx::Error> {
    sqlx::query_as!(
        IncidentBrief,
        r#"SELECT id, number, title, status AS "status: IncidentStatus", severity AS "severity: Severity"
           FROM incidents WHERE id = ANY($1) ORDER BY number"#,
        ids
    )
    .fetch_all(conn)
    .await
}
