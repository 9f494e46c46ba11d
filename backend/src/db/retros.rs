//! All SQL of the weekly retro: a team's pages of a week with their marks, the retro's notes,
//! actions, mood answers and meeting.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct TeamRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub time_zone: String,
    pub working_hours: serde_json::Value,
}

pub async fn team(conn: &mut PgConnection, slug: &str) -> Result<Option<TeamRow>, sqlx::Error> {
    sqlx::query_as!(
        TeamRow,
        "SELECT id, name, slug, time_zone, working_hours FROM teams WHERE slug = $1",
        slug
    )
    .fetch_optional(conn)
    .await
}

pub struct PageRow {
    pub id: i64,
    pub paged_at: DateTime<Utc>,
    pub level: Option<i32>,
    pub user_id: Uuid,
    pub name: String,
    pub time_zone: String,
    /// The person's first team's hours (they may be paged for a team they are not in).
    pub working_hours: Option<serde_json::Value>,
    pub number: i64,
    pub title: String,
    pub severity: i16,
    pub status: String,
    pub origin: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub escalated: bool,
    pub human_acted: bool,
    pub documented: Option<bool>,
    pub runbook_url: Option<String>,
    pub automation: Option<String>,
    pub note: Option<String>,
}

/// Every page in `[from, to)` of incidents that affect one of the team's services, in order.
pub async fn pages_between(
    conn: &mut PgConnection,
    team: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PageRow>, sqlx::Error> {
    sqlx::query_as!(
        PageRow,
        r#"SELECT p.id, p.paged_at, p.level, p.user_id, u.name, u.time_zone,
                  (SELECT t.working_hours FROM team_members m JOIN teams t ON t.id = m.team_id
                   WHERE m.user_id = u.id ORDER BY lower(t.name) LIMIT 1) AS working_hours,
                  i.number, i.title, i.severity, i.status, i.origin, i.acknowledged_at,
                  EXISTS (SELECT 1 FROM pages e WHERE e.incident_id = i.id AND e.level >= 1) AS "escalated!",
                  EXISTS (SELECT 1 FROM timeline_events t WHERE t.incident_id = i.id AND t.author_id IS NOT NULL)
                      AS "human_acted!",
                  m.documented AS "documented?", m.runbook_url AS "runbook_url?", m.automation AS "automation?",
                  m.note AS "note?"
           FROM pages p
           JOIN incidents i ON i.id = p.incident_id
           JOIN users u ON u.id = p.user_id
           LEFT JOIN retro_page_marks m ON m.page_id = p.id
           WHERE p.paged_at >= $2 AND p.paged_at < $3
             AND EXISTS (SELECT 1 FROM incident_services x JOIN services s ON s.id = x.service_id
                         WHERE x.incident_id = i.id AND s.team_id = $1)
           ORDER BY p.paged_at, p.id"#,
        team,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

/// Whether a page belongs to the team's retro (an incident of its services), and when it was.
pub async fn page_of_team(
    conn: &mut PgConnection,
    page: i64,
    team: Uuid,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT p.paged_at FROM pages p
         WHERE p.id = $1 AND EXISTS (SELECT 1 FROM incident_services x JOIN services s ON s.id = x.service_id
                                     WHERE x.incident_id = p.incident_id AND s.team_id = $2)",
        page,
        team
    )
    .fetch_optional(conn)
    .await
}

pub struct MarkRow {
    pub documented: bool,
    pub runbook_url: Option<String>,
    pub automation: String,
    pub note: String,
}

pub async fn mark_for_update(conn: &mut PgConnection, page: i64) -> Result<Option<MarkRow>, sqlx::Error> {
    sqlx::query_as!(
        MarkRow,
        "SELECT documented, runbook_url, automation, note FROM retro_page_marks WHERE page_id = $1 FOR UPDATE",
        page
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_mark(
    conn: &mut PgConnection,
    page: i64,
    m: &MarkRow,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO retro_page_marks (page_id, documented, runbook_url, automation, note, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (page_id) DO UPDATE SET documented = $2, runbook_url = $3, automation = $4, note = $5,
                                             updated_by = $6, updated_at = $7",
        page,
        m.documented,
        m.runbook_url,
        m.automation,
        m.note,
        by,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NoteRow {
    pub id: Uuid,
    pub body: String,
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_note(
    conn: &mut PgConnection,
    team: Uuid,
    week: &str,
    body: &str,
    author: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO retro_notes (id, team_id, week, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
        Uuid::now_v7(),
        team,
        week,
        body,
        author,
        now
    )
    .fetch_one(conn)
    .await
}

pub async fn notes(conn: &mut PgConnection, team: Uuid, week: &str) -> Result<Vec<NoteRow>, sqlx::Error> {
    sqlx::query_as!(
        NoteRow,
        r#"SELECT n.id, n.body, u.name AS "author?", n.created_at
           FROM retro_notes n LEFT JOIN users u ON u.id = n.author_id
           WHERE n.team_id = $1 AND n.week = $2 ORDER BY n.created_at, n.id"#,
        team,
        week
    )
    .fetch_all(conn)
    .await
}

pub struct ActionRow {
    pub id: Uuid,
    pub week: String,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub owner: Option<String>,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
}

pub struct NewAction<'a> {
    pub team: Uuid,
    pub week: &'a str,
    pub title: &'a str,
    pub owner: Option<Uuid>,
    pub due_on: NaiveDate,
    pub by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

pub async fn insert_action(conn: &mut PgConnection, a: &NewAction<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO retro_actions (id, team_id, week, title, owner_id, due_on, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        Uuid::now_v7(),
        a.team,
        a.week,
        a.title,
        a.owner,
        a.due_on,
        a.by,
        a.at
    )
    .fetch_one(conn)
    .await
}

/// This week's actions, and earlier weeks' that are still open.
pub async fn actions(conn: &mut PgConnection, team: Uuid, week: &str) -> Result<Vec<ActionRow>, sqlx::Error> {
    sqlx::query_as!(
        ActionRow,
        r#"SELECT a.id, a.week, a.title, a.owner_id, u.name AS "owner?", a.due_on, a.done_at
           FROM retro_actions a LEFT JOIN users u ON u.id = a.owner_id
           WHERE a.team_id = $1 AND (a.week = $2 OR (a.done_at IS NULL AND a.week < $2))
           ORDER BY a.due_on, a.created_at"#,
        team,
        week
    )
    .fetch_all(conn)
    .await
}

/// Marks a team's retro action done (or not); false when the team has no such action.
pub async fn set_action_done(
    conn: &mut PgConnection,
    team: Uuid,
    id: Uuid,
    done_at: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE retro_actions SET done_at = $3 WHERE id = $2 AND team_id = $1",
        team,
        id,
        done_at
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_mood(
    conn: &mut PgConnection,
    team: Uuid,
    week: &str,
    user: Uuid,
    mood: i16,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO retro_moods (team_id, week, user_id, mood, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (team_id, week, user_id) DO UPDATE SET mood = $4, updated_at = $5",
        team,
        week,
        user,
        mood,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn moods(conn: &mut PgConnection, team: Uuid, week: &str) -> Result<Vec<(Uuid, i16)>, sqlx::Error> {
    Ok(sqlx::query!("SELECT user_id, mood FROM retro_moods WHERE team_id = $1 AND week = $2", team, week)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.mood))
        .collect())
}

pub async fn set_held(
    conn: &mut PgConnection,
    team: Uuid,
    week: &str,
    by: Option<Uuid>,
    attendees: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO retro_meetings (team_id, week, held_at, held_by, attendees) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (team_id, week) DO UPDATE SET held_at = $3, held_by = $4, attendees = $5",
        team,
        week,
        now,
        by,
        attendees
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct HeldRow {
    pub held_at: DateTime<Utc>,
    pub by: Option<String>,
    pub attendees: Vec<String>,
}

pub async fn held(conn: &mut PgConnection, team: Uuid, week: &str) -> Result<Option<HeldRow>, sqlx::Error> {
    sqlx::query_as!(
        HeldRow,
        r#"SELECT r.held_at, u.name AS "by?",
                  COALESCE((SELECT array_agg(a.name ORDER BY a.name) FROM users a WHERE a.id = ANY(r.attendees)), '{}')
                      AS "attendees!"
           FROM retro_meetings r LEFT JOIN users u ON u.id = r.held_by
           WHERE r.team_id = $1 AND r.week = $2"#,
        team,
        week
    )
    .fetch_optional(conn)
    .await
}

pub struct MemberRow {
    pub id: Uuid,
    pub name: String,
}

pub async fn members(conn: &mut PgConnection, team: Uuid) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as!(
        MemberRow,
        "SELECT u.id, u.name FROM team_members m JOIN users u ON u.id = m.user_id
         WHERE m.team_id = $1 AND NOT u.disabled ORDER BY u.name",
        team
    )
    .fetch_all(conn)
    .await
}

pub async fn schedules(conn: &mut PgConnection, team: Uuid) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as!(MemberRow, "SELECT id, name FROM schedules WHERE team_id = $1 ORDER BY name", team)
        .fetch_all(conn)
        .await
}
