//! All SQL of the public status page: its settings, groups, components and their status log,
//! public incidents and maintenances with their updates.

use chrono::{DateTime, Utc};
use domain::{
    incident::IncidentNumber,
    status::{
        ComponentStatus, Impact, PublicStatus,
        page::{AffectedComponent, ComponentView, GroupView, PageSettings, PublicIncidentView, UpdateView},
        uptime::StatusSpan,
    },
};
use sqlx::PgConnection;
use uuid::Uuid;

/// The channel a change to the page is announced on (in the change's transaction), so every
/// instance rebuilds its snapshot.
pub const CHANGES_CHANNEL: &str = "tocsin_status_page";

pub async fn announce(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_notify($1, '')", CHANGES_CHANNEL).execute(conn).await?;
    Ok(())
}

pub async fn settings(conn: &mut PgConnection) -> Result<PageSettings, sqlx::Error> {
    sqlx::query_as!(
        PageSettings,
        "SELECT public_id, name, time_zone, support_url, banner, maintenance_counts, partial_weight, reminder_hours,
                updated_at
         FROM status_page"
    )
    .fetch_one(conn)
    .await
}

#[allow(clippy::too_many_arguments, reason = "one column each")]
pub async fn update_settings(
    conn: &mut PgConnection,
    name: &str,
    time_zone: &str,
    support_url: Option<&str>,
    banner: Option<&str>,
    maintenance_counts: bool,
    partial_weight: f64,
    reminder_hours: i32,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_page SET name = $1, time_zone = $2, support_url = $3, banner = $4,
                maintenance_counts = $5, partial_weight = $6, reminder_hours = $7, updated_at = $8",
        name,
        time_zone,
        support_url,
        banner,
        maintenance_counts,
        partial_weight,
        reminder_hours,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn groups(conn: &mut PgConnection) -> Result<Vec<GroupView>, sqlx::Error> {
    sqlx::query_as!(
        GroupView,
        "SELECT id, name, position, collapsed, created_at, updated_at FROM status_groups ORDER BY position, lower(name)"
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_group(
    conn: &mut PgConnection,
    name: &str,
    position: i32,
    collapsed: bool,
    at: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO status_groups (id, name, position, collapsed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        Uuid::now_v7(),
        name,
        position,
        collapsed,
        at
    )
    .fetch_one(conn)
    .await
}

pub async fn group_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Option<GroupView>, sqlx::Error> {
    sqlx::query_as!(
        GroupView,
        "SELECT id, name, position, collapsed, created_at, updated_at FROM status_groups WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn update_group(conn: &mut PgConnection, g: &GroupView) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_groups SET name = $2, position = $3, collapsed = $4, updated_at = $5 WHERE id = $1",
        g.id,
        g.name,
        g.position,
        g.collapsed,
        g.updated_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_group(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM status_groups WHERE id = $1", id).execute(conn).await?.rows_affected() > 0)
}

/// Every component with the slugs of the services it stands for, in page order.
pub async fn components(conn: &mut PgConnection) -> Result<Vec<ComponentView>, sqlx::Error> {
    sqlx::query_as!(
        ComponentView,
        r#"SELECT c.id, c.group_id, c.name, c.description, c.position, c.only_show_if_degraded,
                  c.status AS "status: ComponentStatus",
                  coalesce(array_agg(s.slug ORDER BY s.slug) FILTER (WHERE s.slug IS NOT NULL), '{}') AS "services!",
                  c.created_at, c.updated_at
           FROM status_components c
           LEFT JOIN status_component_services cs ON cs.component_id = c.id
           LEFT JOIN services s ON s.id = cs.service_id
           GROUP BY c.id
           ORDER BY c.position, lower(c.name)"#
    )
    .fetch_all(conn)
    .await
}

/// The components, locked, so concurrent updates set their states one after the other.
pub async fn lock_components(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, ComponentStatus)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, name, status AS "status: ComponentStatus" FROM status_components
           WHERE id = ANY($1) ORDER BY id FOR UPDATE"#,
        ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name, r.status)).collect())
}

#[allow(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_component(
    conn: &mut PgConnection,
    name: &str,
    description: &str,
    group_id: Option<Uuid>,
    position: i32,
    only_show_if_degraded: bool,
    status: ComponentStatus,
    at: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO status_components (id, name, description, group_id, position, only_show_if_degraded, status,
                                        created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        id,
        name,
        description,
        group_id,
        position,
        only_show_if_degraded,
        status.as_str(),
        at
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO status_component_log (component_id, status, from_at) VALUES ($1, $2, $3)",
        id,
        status.as_str(),
        at
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update_component(conn: &mut PgConnection, c: &ComponentView) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_components SET name = $2, description = $3, group_id = $4, position = $5,
                only_show_if_degraded = $6, updated_at = $7 WHERE id = $1",
        c.id,
        c.name,
        c.description,
        c.group_id,
        c.position,
        c.only_show_if_degraded,
        c.updated_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Numbers the components 1, 2, 3... in the order given.
pub async fn set_positions(
    conn: &mut PgConnection,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_components c SET position = o.n, updated_at = $2
         FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) WHERE c.id = o.id",
        ids,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_component(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM status_components WHERE id = $1", id).execute(conn).await?.rows_affected()
        > 0)
}

/// Makes the component stand for exactly these services; answers the slugs that name none.
pub async fn set_component_services(
    conn: &mut PgConnection,
    id: Uuid,
    slugs: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let found: Vec<(Uuid, String)> =
        sqlx::query!("SELECT id, slug FROM services WHERE slug = ANY($1)", slugs)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.slug))
            .collect();
    let unknown: Vec<String> =
        slugs.iter().filter(|s| !found.iter().any(|(_, f)| f == *s)).cloned().collect();
    if !unknown.is_empty() {
        return Ok(unknown);
    }
    let ids: Vec<Uuid> = found.iter().map(|(id, _)| *id).collect();
    sqlx::query!("DELETE FROM status_component_services WHERE component_id = $1", id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO status_component_services (component_id, service_id) SELECT $1, unnest($2::uuid[])",
        id,
        &ids
    )
    .execute(conn)
    .await?;
    Ok(Vec::new())
}

/// Sets a component's state from `at`: the open stretch of its log ends and a new one begins.
/// The caller has locked the component and checked the state changes.
pub async fn set_component_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: ComponentStatus,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_components SET status = $2, updated_at = $3 WHERE id = $1",
        id,
        status.as_str(),
        at
    )
    .execute(&mut *conn)
    .await?;
    // A stretch never ends before it began, even when a clock moved back between two changes.
    sqlx::query!(
        "UPDATE status_component_log SET until_at = greatest($2, from_at) WHERE component_id = $1 AND until_at IS NULL",
        id,
        at
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO status_component_log (component_id, status, from_at) VALUES ($1, $2, $3)",
        id,
        status.as_str(),
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every component's log since `since` (stretches still open then included), oldest first.
pub async fn logs_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> Result<Vec<(Uuid, StatusSpan)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT component_id, status AS "status: ComponentStatus", from_at, until_at
           FROM status_component_log WHERE until_at IS NULL OR until_at > $1 ORDER BY from_at, id"#,
        since
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.component_id, StatusSpan { status: r.status, from: r.from_at, until: r.until_at }))
        .collect())
}

/// The components that stand for any of these services.
pub async fn components_of_services(
    conn: &mut PgConnection,
    services: &[Uuid],
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT DISTINCT component_id AS \"id!\" FROM status_component_services WHERE service_id = ANY($1)",
        services
    )
    .fetch_all(conn)
    .await
}

pub struct NewPublicIncident<'a> {
    pub public_id: &'a str,
    pub maintenance: bool,
    pub name: &'a str,
    pub status: PublicStatus,
    pub impact: Impact,
    pub incident_id: Option<Uuid>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub scheduled_until: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

pub async fn insert_public_incident(
    conn: &mut PgConnection,
    n: &NewPublicIncident<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO public_incidents (id, public_id, kind, name, status, impact, incident_id, scheduled_for,
                                       scheduled_until, started_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        id,
        n.public_id,
        if n.maintenance { "maintenance" } else { "incident" },
        n.name,
        n.status.as_str(),
        n.impact.as_str(),
        n.incident_id,
        n.scheduled_for,
        n.scheduled_until,
        n.started_at,
        n.at
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The row of a public incident, locked for an update.
pub struct PublicIncidentRow {
    pub id: Uuid,
    pub public_id: String,
    pub maintenance: bool,
    pub name: String,
    pub status: PublicStatus,
    pub incident_id: Option<Uuid>,
}

pub async fn public_incident_for_update(
    conn: &mut PgConnection,
    public_id: &str,
) -> Result<Option<PublicIncidentRow>, sqlx::Error> {
    sqlx::query_as!(
        PublicIncidentRow,
        r#"SELECT id, public_id, kind = 'maintenance' AS "maintenance!", name, status AS "status: PublicStatus",
                  incident_id
           FROM public_incidents WHERE public_id = $1 FOR UPDATE"#,
        public_id
    )
    .fetch_optional(conn)
    .await
}

/// Moves a public incident to `status` at `at`, stamping when it began monitoring or was resolved.
pub async fn set_public_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: PublicStatus,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE public_incidents SET status = $2, updated_at = $3,
                monitoring_at = CASE WHEN $2 = 'monitoring' THEN coalesce(monitoring_at, $3) ELSE monitoring_at END,
                resolved_at = CASE WHEN $2 IN ('resolved', 'postmortem', 'completed') THEN coalesce(resolved_at, $3)
                                   ELSE NULL END
         WHERE id = $1",
        id,
        status.as_str(),
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A maintenance as it can be changed, locked for this transaction.
pub struct MaintenanceRow {
    pub id: Uuid,
    pub status: PublicStatus,
    pub name: String,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub scheduled_until: Option<DateTime<Utc>>,
    pub auto_start: bool,
    pub auto_complete: bool,
}

pub async fn maintenance_for_update(
    conn: &mut PgConnection,
    public_id: &str,
) -> Result<Option<MaintenanceRow>, sqlx::Error> {
    sqlx::query_as!(
        MaintenanceRow,
        r#"SELECT id, status AS "status: PublicStatus", name, scheduled_for, scheduled_until, auto_start, auto_complete
           FROM public_incidents WHERE public_id = $1 AND kind = 'maintenance' FOR UPDATE"#,
        public_id
    )
    .fetch_optional(conn)
    .await
}

/// Changes a maintenance's name and window; a new start asks for a new reminder.
pub async fn update_maintenance(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    scheduled_for: DateTime<Utc>,
    scheduled_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE public_incidents SET name = $2, scheduled_until = $4, updated_at = $5,
                reminded_at = CASE WHEN scheduled_for = $3 THEN reminded_at END, scheduled_for = $3,
                started_at = CASE WHEN status = 'scheduled' THEN $3 ELSE started_at END
         WHERE id = $1",
        id,
        name,
        scheduled_for,
        scheduled_until,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_public_components(
    conn: &mut PgConnection,
    id: Uuid,
    components: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM public_incident_components WHERE public_incident_id = $1", id)
        .execute(&mut *conn)
        .await?;
    add_public_components(conn, id, components).await
}

pub async fn set_maintenance_flags(
    conn: &mut PgConnection,
    id: Uuid,
    auto_start: bool,
    auto_complete: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE public_incidents SET auto_start = $2, auto_complete = $3 WHERE id = $1",
        id,
        auto_start,
        auto_complete
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_public_components(
    conn: &mut PgConnection,
    id: Uuid,
    components: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO public_incident_components (public_incident_id, component_id)
         SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        id,
        components
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewUpdate<'a> {
    pub public_id: &'a str,
    pub public_incident_id: Uuid,
    pub status: PublicStatus,
    pub body: &'a str,
    pub body_html: &'a str,
    pub at: DateTime<Utc>,
    pub author_id: Option<Uuid>,
    pub affected: &'a [AffectedComponent],
}

pub async fn insert_update(conn: &mut PgConnection, u: &NewUpdate<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let affected = serde_json::to_value(u.affected).unwrap_or_default();
    sqlx::query!(
        "INSERT INTO public_incident_updates (id, public_id, public_incident_id, status, body, body_html, display_at,
                                              created_at, author_id, affected)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
        id,
        u.public_id,
        u.public_incident_id,
        u.status.as_str(),
        u.body,
        u.body_html,
        u.at,
        u.author_id,
        affected
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Public incidents and maintenances, newest first: the `limit` most recent after skipping
/// `offset`, every open one whatever its age, with their components and updates (three queries).
/// With `only`, just the one with that public id.
pub async fn public_incidents(
    conn: &mut PgConnection,
    limit: i64,
    offset: i64,
    only: Option<&str>,
) -> Result<Vec<PublicIncidentView>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT p.id, p.public_id, p.kind = 'maintenance' AS "maintenance!", p.name,
                  p.status AS "status: PublicStatus", p.impact AS "impact: Impact", i.number AS "number?",
                  p.scheduled_for, p.scheduled_until, p.started_at, p.monitoring_at, p.resolved_at,
                  p.created_at, p.updated_at
           FROM public_incidents p LEFT JOIN incidents i ON i.id = p.incident_id
           WHERE CASE WHEN $3::text IS NOT NULL THEN p.public_id = $3
                 ELSE p.id IN (SELECT id FROM public_incidents ORDER BY started_at DESC, id DESC LIMIT $1 OFFSET $2)
                      OR ($2 = 0 AND p.status NOT IN ('resolved', 'postmortem', 'completed')) END
           ORDER BY p.started_at DESC, p.id DESC"#,
        limit,
        offset,
        only
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let components = sqlx::query!(
        "SELECT public_incident_id, component_id FROM public_incident_components WHERE public_incident_id = ANY($1)",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let updates = sqlx::query!(
        r#"SELECT id, public_id, public_incident_id, status AS "status: PublicStatus", body, body_html, display_at,
                  created_at, affected
           FROM public_incident_updates WHERE public_incident_id = ANY($1) ORDER BY display_at, id"#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PublicIncidentView {
            components: components
                .iter()
                .filter(|c| c.public_incident_id == r.id)
                .map(|c| c.component_id)
                .collect(),
            updates: updates
                .iter()
                .filter(|u| u.public_incident_id == r.id)
                .map(|u| UpdateView {
                    id: u.id,
                    public_id: u.public_id.clone(),
                    status: u.status,
                    body: u.body.clone(),
                    body_html: u.body_html.clone(),
                    display_at: u.display_at,
                    created_at: u.created_at,
                    affected: serde_json::from_value(u.affected.clone()).unwrap_or_default(),
                })
                .collect(),
            id: r.id,
            public_id: r.public_id,
            maintenance: r.maintenance,
            name: r.name,
            status: r.status,
            impact: r.impact,
            incident: r.number.map(IncidentNumber),
            scheduled_for: r.scheduled_for,
            scheduled_until: r.scheduled_until,
            started_at: r.started_at,
            monitoring_at: r.monitoring_at,
            resolved_at: r.resolved_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// How many public incidents and maintenances there are, for paging the history.
pub async fn count_public_incidents(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM public_incidents"#).fetch_one(conn).await
}

/// A maintenance the engine moves on.
pub struct DueMaintenance {
    pub id: Uuid,
    pub public_id: String,
    pub name: String,
}

/// Maintenances due to start (scheduled, starting by themselves, their time come), locked for
/// this transaction; another engine skips them.
pub async fn due_to_start(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<Vec<DueMaintenance>, sqlx::Error> {
    sqlx::query_as!(
        DueMaintenance,
        "SELECT id, public_id, name FROM public_incidents
         WHERE kind = 'maintenance' AND status = 'scheduled' AND auto_start AND scheduled_for <= $1
         ORDER BY scheduled_for FOR UPDATE SKIP LOCKED",
        now
    )
    .fetch_all(conn)
    .await
}

/// Scheduled maintenances whose reminder is due (the page's `reminder_hours` before the window,
/// the window not begun, no reminder sent), locked; the caller marks them reminded. One scheduled
/// inside that lead time is not reminded of: the notice that it was scheduled was just sent.
pub async fn due_for_reminder(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<Vec<DueMaintenance>, sqlx::Error> {
    sqlx::query_as!(
        DueMaintenance,
        "SELECT p.id, p.public_id, p.name FROM public_incidents p, status_page s
         WHERE p.kind = 'maintenance' AND p.status = 'scheduled' AND p.reminded_at IS NULL
           AND s.reminder_hours > 0 AND p.scheduled_for > $1
           AND p.scheduled_for - make_interval(hours => s.reminder_hours) <= $1
           AND p.created_at < p.scheduled_for - make_interval(hours => s.reminder_hours)
         ORDER BY p.scheduled_for FOR UPDATE OF p SKIP LOCKED",
        now
    )
    .fetch_all(conn)
    .await
}

pub async fn mark_reminded(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE public_incidents SET reminded_at = $2 WHERE id = $1", id, at).execute(conn).await?;
    Ok(())
}

/// A maintenance's window, for its reminder.
pub async fn window(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>), sqlx::Error> {
    let r = sqlx::query!("SELECT scheduled_for, scheduled_until FROM public_incidents WHERE id = $1", id)
        .fetch_one(conn)
        .await?;
    Ok((r.scheduled_for, r.scheduled_until))
}

/// Maintenances in progress whose window has ended and that complete by themselves, locked.
pub async fn due_to_complete(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<Vec<DueMaintenance>, sqlx::Error> {
    sqlx::query_as!(
        DueMaintenance,
        "SELECT id, public_id, name FROM public_incidents
         WHERE kind = 'maintenance' AND status IN ('in_progress', 'verifying') AND auto_complete AND scheduled_until <= $1
         ORDER BY scheduled_until FOR UPDATE SKIP LOCKED",
        now
    )
    .fetch_all(conn)
    .await
}

pub async fn public_components(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT component_id FROM public_incident_components WHERE public_incident_id = $1",
        id
    )
    .fetch_all(conn)
    .await
}

/// The state the open incidents (not maintenances) last set on a component, if any does: what
/// it would be without a maintenance.
pub async fn state_from_open_incidents(
    conn: &mut PgConnection,
    component: Uuid,
) -> Result<Option<ComponentStatus>, sqlx::Error> {
    let state = sqlx::query_scalar!(
        r#"SELECT a->>'new_status' AS "state!"
           FROM public_incident_updates u
           JOIN public_incidents p ON p.id = u.public_incident_id
           CROSS JOIN LATERAL jsonb_array_elements(u.affected) a
           WHERE p.kind = 'incident' AND p.status NOT IN ('resolved', 'postmortem', 'completed')
             AND a->>'component_id' = $1::text
           ORDER BY u.display_at DESC, u.id DESC LIMIT 1"#,
        component.to_string()
    )
    .fetch_optional(conn)
    .await?;
    Ok(state.and_then(|s| s.parse().ok()))
}

/// Counts a subscription request from `ip` and answers how many it made in the last hour.
pub async fn count_subscribe_attempt(
    conn: &mut PgConnection,
    ip: &str,
    at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query!("DELETE FROM status_subscribe_attempts WHERE at < $1", at - chrono::Duration::hours(1))
        .execute(&mut *conn)
        .await?;
    sqlx::query!("INSERT INTO status_subscribe_attempts (ip, at) VALUES ($1, $2)", ip, at)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM status_subscribe_attempts WHERE ip = $1"#, ip)
        .fetch_one(conn)
        .await
}

/// `SubscriberRow`'s columns, written once: `subscriber_rows!("FROM status_subscribers WHERE ...", args)`.
macro_rules! subscriber_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            SubscriberRow,
            "SELECT id, kind, address, secret, components, confirmed_at, created_at, token,
                    (SELECT public_id FROM public_incidents p WHERE p.id = status_subscribers.incident_id) AS incident " + $rest
            $(, $arg)*
        )
    };
}

pub struct SubscriberRow {
    pub id: Uuid,
    pub kind: String,
    pub address: String,
    pub secret: Option<String>,
    pub components: Vec<Uuid>,
    /// The public id of the one incident it follows, if any.
    pub incident: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub token: String,
}

/// Adds a subscriber (to the page, or to the one incident `incident`), or (the same address
/// again) takes its new components; answers its id, its link's token (the first one it was given:
/// links already sent keep working) and whether it was confirmed already.
#[allow(clippy::too_many_arguments, reason = "one column each")]
pub async fn upsert_subscriber(
    conn: &mut PgConnection,
    kind: &str,
    address: &str,
    secret: Option<&str>,
    components: &[Uuid],
    incident: Option<Uuid>,
    token: &str,
    at: DateTime<Utc>,
) -> Result<(Uuid, String, bool), sqlx::Error> {
    let row = sqlx::query!(
        r#"INSERT INTO status_subscribers (id, kind, address, secret, components, incident_id, token, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (kind, address, (coalesce(incident_id, '00000000-0000-0000-0000-000000000000'::uuid)))
           DO UPDATE SET components = EXCLUDED.components
           RETURNING id, token, confirmed_at IS NOT NULL AS "confirmed!""#,
        Uuid::now_v7(),
        kind,
        address,
        secret,
        components,
        incident,
        token,
        at
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.token, row.confirmed))
}

pub async fn subscriber_by_token(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<SubscriberRow>, sqlx::Error> {
    subscriber_rows!("FROM status_subscribers WHERE token = $1", token).fetch_optional(conn).await
}

pub async fn confirm_subscriber(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_subscribers SET confirmed_at = coalesce(confirmed_at, $2) WHERE id = $1",
        id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_subscriber(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM status_subscribers WHERE id = $1", id).execute(conn).await?.rows_affected()
        > 0)
}

pub async fn subscribers(conn: &mut PgConnection) -> Result<Vec<SubscriberRow>, sqlx::Error> {
    subscriber_rows!("FROM status_subscribers ORDER BY created_at DESC").fetch_all(conn).await
}

/// Confirmed subscribers who want to hear about any of `components` (or about everything), or
/// about the public incident `public_id` alone; each address once (by its page subscription when
/// it has both).
pub async fn subscribers_for(
    conn: &mut PgConnection,
    components: &[Uuid],
    public_id: &str,
) -> Result<Vec<SubscriberRow>, sqlx::Error> {
    let mut rows = subscriber_rows!(
        "FROM status_subscribers
         WHERE confirmed_at IS NOT NULL
           AND ((incident_id IS NULL AND (components = '{}' OR components && $1))
                OR incident_id = (SELECT id FROM public_incidents WHERE public_id = $2))
         ORDER BY kind, address, incident_id NULLS FIRST",
        components,
        public_id
    )
    .fetch_all(conn)
    .await?;
    rows.dedup_by(|a, b| a.kind == b.kind && a.address == b.address);
    Ok(rows)
}

/// The id of a public incident by its public id.
pub async fn public_incident_id(
    conn: &mut PgConnection,
    public_id: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM public_incidents WHERE public_id = $1", public_id)
        .fetch_optional(conn)
        .await
}

pub struct MessageRow {
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The latest messages to subscribers, newest first.
pub async fn messages(conn: &mut PgConnection, limit: i64) -> Result<Vec<MessageRow>, sqlx::Error> {
    sqlx::query_as!(
        MessageRow,
        "SELECT m.id, s.kind AS channel, s.address, m.kind, m.subject, m.status, m.attempts, m.last_error, m.due_at,
                m.sent_at
         FROM status_messages m JOIN status_subscribers s ON s.id = m.subscriber_id
         ORDER BY m.id DESC LIMIT $1",
        limit
    )
    .fetch_all(conn)
    .await
}

pub struct NewMessage<'a> {
    pub subscriber: Uuid,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub html: &'a str,
    pub unsubscribe: &'a str,
    pub payload: Option<serde_json::Value>,
}

pub async fn queue_message(
    conn: &mut PgConnection,
    m: &NewMessage<'_>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO status_messages (subscriber_id, kind, subject, body, html, unsubscribe, payload, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        m.subscriber,
        m.kind,
        m.subject,
        m.body,
        m.html,
        m.unsubscribe,
        m.payload,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A message leased for sending, with where it goes.
pub struct DueMessage {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub html: String,
    pub unsubscribe: String,
    pub payload: Option<serde_json::Value>,
    pub attempts: i32,
    pub subscriber_kind: String,
    pub address: String,
    pub secret: Option<String>,
}

/// Leases up to `limit` due messages until `lease_until`: another instance skips them, and a
/// crashed sender's come back when the lease runs out.
pub async fn lease_messages(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueMessage>, sqlx::Error> {
    sqlx::query_as!(
        DueMessage,
        r#"UPDATE status_messages m SET lease_until = $2, attempts = m.attempts + 1
           FROM status_subscribers s
           WHERE s.id = m.subscriber_id AND m.id IN (
               SELECT id FROM status_messages
               WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
               ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING m.id, m.kind, m.subject, m.body, m.html, m.unsubscribe, m.payload, m.attempts,
                     s.kind AS subscriber_kind, s.address, s.secret"#,
        now,
        lease_until,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Records a send: sent, or failed and due again at `retry_at` (or given up on when `None`).
pub async fn message_done(
    conn: &mut PgConnection,
    id: i64,
    error: Option<&str>,
    retry_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE status_messages SET lease_until = NULL, last_error = $2,
                status = CASE WHEN $2::text IS NULL THEN 'sent' WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                due_at = coalesce($3, due_at), sent_at = CASE WHEN $2::text IS NULL THEN $4 ELSE sent_at END
         WHERE id = $1",
        id,
        error,
        retry_at,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}
