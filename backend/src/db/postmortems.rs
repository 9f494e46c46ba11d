//! All SQL about postmortems: the policy and templates, the documents, their reviewers, reviews,
//! comments, timeline, corrective actions and confirmed recurrences.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

pub struct PolicyRow {
    pub severities: Vec<String>,
    pub business_days: i32,
    pub required_approvals: i32,
    pub high_days: i32,
    pub other_days: i32,
}

pub async fn policy(conn: &mut PgConnection) -> Result<PolicyRow, sqlx::Error> {
    sqlx::query_as!(
        PolicyRow,
        "SELECT severities, business_days, required_approvals, high_days, other_days FROM postmortem_policy"
    )
    .fetch_one(conn)
    .await
}

/// The sections of the template for `severity` (`SEV2`): one naming it, else the one naming none.
pub async fn template_for(conn: &mut PgConnection, severity: &str) -> Result<Option<Value>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT sections FROM postmortem_templates
         WHERE $1 = ANY(severities) OR severities = '{}'
         ORDER BY ($1 = ANY(severities)) DESC, updated_at DESC LIMIT 1",
        severity
    )
    .fetch_optional(conn)
    .await
}

/// What a postmortem is prefilled from.
pub struct IncidentFacts {
    pub number: i64,
    pub title: String,
    pub severity: i16,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub impact_started_at: Option<DateTime<Utc>>,
    pub impact_ended_at: Option<DateTime<Utc>>,
    pub commander: Option<Uuid>,
}

pub async fn incident_facts(
    conn: &mut PgConnection,
    incident: Uuid,
) -> Result<Option<IncidentFacts>, sqlx::Error> {
    sqlx::query_as!(
        IncidentFacts,
        r#"SELECT i.number, i.title, i.severity, i.created_at, i.resolved_at, i.impact_started_at, i.impact_ended_at,
                  (SELECT user_id FROM incident_roles r WHERE r.incident_id = i.id AND r.role = 'commander') AS commander
           FROM incidents i WHERE i.id = $1"#,
        incident
    )
    .fetch_optional(conn)
    .await
}

pub async fn time_zone_of(conn: &mut PgConnection, user: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT time_zone FROM users WHERE id = $1", user).fetch_optional(conn).await
}

pub struct NewPostmortem<'a> {
    pub incident: Uuid,
    pub owner: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub template: &'a Value,
    pub sections: &'a Value,
    pub at: DateTime<Utc>,
}

/// Creates the incident's postmortem unless it has one; answers its id when created.
pub async fn insert(conn: &mut PgConnection, p: &NewPostmortem<'_>) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO postmortems (id, incident_id, owner_id, due_at, template, sections, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (incident_id) DO NOTHING RETURNING id",
        Uuid::now_v7(),
        p.incident,
        p.owner,
        p.due_at,
        p.template,
        p.sections,
        p.at
    )
    .fetch_optional(conn)
    .await
}

/// An incident timeline event a postmortem may take up.
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub body: String,
    pub pin: Option<String>,
}

/// The incident's events worth a postmortem's timeline: pinned ones and the status, severity,
/// role, paging and status page entries, oldest first.
pub async fn timeline_sources(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        "SELECT id, at, kind, body, pin FROM timeline_events
         WHERE incident_id = $1
           AND (pin IS NOT NULL OR kind IN ('status_change', 'severity_change', 'role_change', 'page_sent',
                                             'page_acknowledged', 'page_escalated', 'status_page_update'))
         ORDER BY at, id",
        incident
    )
    .fetch_all(conn)
    .await
}

/// Pinned events of the incident, oldest first.
pub async fn pins(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        "SELECT id, at, kind, body, pin FROM timeline_events WHERE incident_id = $1 AND pin IS NOT NULL ORDER BY at, id",
        incident
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_timeline(
    conn: &mut PgConnection,
    postmortem: Uuid,
    at: DateTime<Utc>,
    text: &str,
    source: Option<i64>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO postmortem_timeline (id, postmortem_id, at, text, source) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        Uuid::now_v7(),
        postmortem,
        at,
        text,
        source
    )
    .fetch_one(conn)
    .await
}

pub async fn update_timeline(
    conn: &mut PgConnection,
    postmortem: Uuid,
    entry: Uuid,
    at: DateTime<Utc>,
    text: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE postmortem_timeline SET at = $3, text = $4 WHERE id = $2 AND postmortem_id = $1",
        postmortem,
        entry,
        at,
        text
    )
    .execute(conn)
    .await?
    .rows_affected()
        > 0)
}

pub async fn delete_timeline(
    conn: &mut PgConnection,
    postmortem: Uuid,
    entry: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "DELETE FROM postmortem_timeline WHERE id = $2 AND postmortem_id = $1",
        postmortem,
        entry
    )
    .execute(conn)
    .await?
    .rows_affected()
        > 0)
}

pub struct TimelineRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub text: String,
    pub source: Option<i64>,
}

pub async fn timeline(conn: &mut PgConnection, postmortem: Uuid) -> Result<Vec<TimelineRow>, sqlx::Error> {
    sqlx::query_as!(
        TimelineRow,
        "SELECT id, at, text, source FROM postmortem_timeline WHERE postmortem_id = $1 ORDER BY at, id",
        postmortem
    )
    .fetch_all(conn)
    .await
}

/// A postmortem's own columns, with its incident's number, title and severity.
pub struct Row {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub number: i64,
    pub title: String,
    pub severity: i16,
    pub root_causes: Vec<String>,
    pub status: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub due_at: DateTime<Utc>,
    pub review_meeting_at: Option<DateTime<Utc>>,
    pub template: Value,
    pub sections: Value,
    pub version: i32,
    pub revision: i32,
    pub approved_revision: Option<i32>,
    pub approved_sections: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub customer_summary: String,
}

/// `Row`'s columns, written once: `postmortem_rows!("WHERE ...", args)`.
macro_rules! postmortem_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Row,
            r#"SELECT p.id, p.incident_id, i.number, i.title, i.severity, i.root_cause_tags AS root_causes,
                      p.status, p.owner_id, u.name AS "owner_name?", p.due_at, p.review_meeting_at, p.template,
                      p.sections, p.version, p.revision, p.approved_revision, p.approved_sections, p.created_at,
                      p.updated_at, p.published_at, p.customer_summary
               FROM postmortems p JOIN incidents i ON i.id = p.incident_id
               LEFT JOIN users u ON u.id = p.owner_id "# + $rest
            $(, $arg)*
        )
    };
}

pub async fn by_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<Row>, sqlx::Error> {
    postmortem_rows!("WHERE p.id = $1", id).fetch_optional(conn).await
}

/// Locks the postmortem for a change in this transaction.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT id FROM postmortems WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await?
        .is_some())
}

pub async fn id_by_incident(conn: &mut PgConnection, incident: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM postmortems WHERE incident_id = $1", incident)
        .fetch_optional(conn)
        .await
}

/// Writes a save: the sections, owner and meeting, a new version; the status and revision the
/// save leaves it in (an edit of an approved text is a new revision, back in draft).
#[allow(clippy::too_many_arguments, reason = "one column each")]
pub async fn save(
    conn: &mut PgConnection,
    id: Uuid,
    sections: &Value,
    owner: Option<Uuid>,
    review_meeting_at: Option<DateTime<Utc>>,
    status: &str,
    revision: i32,
    at: DateTime<Utc>,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE postmortems SET sections = $2, owner_id = $3, review_meeting_at = $4, status = $5, revision = $6,
                version = version + 1, updated_at = $7
         WHERE id = $1 RETURNING version",
        id,
        sections,
        owner,
        review_meeting_at,
        status,
        revision,
        at
    )
    .fetch_one(conn)
    .await
}

/// Moves the postmortem to `status`; approving keeps the approved text, publishing stamps when.
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE postmortems SET status = $2, updated_at = $3, version = version + 1,
                review_round = CASE WHEN $2 = 'in_review' AND status <> 'in_review' THEN review_round + 1 ELSE review_round END,
                approved_revision = CASE WHEN $2 = 'approved' THEN revision ELSE approved_revision END,
                approved_sections = CASE WHEN $2 = 'approved' THEN sections ELSE approved_sections END,
                published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, $3) ELSE published_at END
         WHERE id = $1",
        id,
        status,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_reviewers(conn: &mut PgConnection, id: Uuid, reviewers: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM postmortem_reviewers WHERE postmortem_id = $1", id).execute(&mut *conn).await?;
    sqlx::query!(
        "INSERT INTO postmortem_reviewers (postmortem_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        id,
        reviewers
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
}

pub async fn reviewers(conn: &mut PgConnection, id: Uuid) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        "SELECT u.id, u.name FROM postmortem_reviewers r JOIN users u ON u.id = r.user_id
         WHERE r.postmortem_id = $1 ORDER BY u.name",
        id
    )
    .fetch_all(conn)
    .await
}

/// Active users among `ids` who may write (responders and admins).
pub async fn writers(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        "SELECT id, name FROM users WHERE id = ANY($1) AND NOT disabled AND role IN ('responder', 'admin') ORDER BY name",
        ids
    )
    .fetch_all(conn)
    .await
}

/// Records a review in the postmortem's current review round.
pub async fn insert_review(
    conn: &mut PgConnection,
    id: Uuid,
    reviewer: Uuid,
    revision: i32,
    verdict: &str,
    comment: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO postmortem_reviews (id, postmortem_id, reviewer_id, revision, round, verdict, comment, created_at)
         SELECT $1, $2, $3, $4, review_round, $5, $6, $7 FROM postmortems WHERE id = $2",
        Uuid::now_v7(),
        id,
        reviewer,
        revision,
        verdict,
        comment,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Reviewers who approved in the current review round (a request for changes ends a round, so
/// within one a reviewer's approval stands).
pub async fn approvals(conn: &mut PgConnection, id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(DISTINCT r.reviewer_id) AS "n!" FROM postmortem_reviews r JOIN postmortems p ON p.id = r.postmortem_id
           WHERE r.postmortem_id = $1 AND r.round = p.review_round AND r.verdict = 'approve'"#,
        id
    )
    .fetch_one(conn)
    .await
}

pub struct ReviewRow {
    pub id: Uuid,
    pub reviewer_id: Option<Uuid>,
    pub reviewer_name: Option<String>,
    pub revision: i32,
    pub verdict: String,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

pub async fn reviews(conn: &mut PgConnection, id: Uuid) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as!(
        ReviewRow,
        r#"SELECT r.id, r.reviewer_id, u.name AS "reviewer_name?", r.revision, r.verdict, r.comment, r.created_at
           FROM postmortem_reviews r LEFT JOIN users u ON u.id = r.reviewer_id
           WHERE r.postmortem_id = $1 ORDER BY r.created_at, r.id"#,
        id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_comment(
    conn: &mut PgConnection,
    id: Uuid,
    author: Option<Uuid>,
    section: Option<&str>,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO postmortem_comments (id, postmortem_id, author_id, section, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::now_v7(),
        id,
        author,
        section,
        body,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct CommentRow {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub section: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn comments(conn: &mut PgConnection, id: Uuid) -> Result<Vec<CommentRow>, sqlx::Error> {
    sqlx::query_as!(
        CommentRow,
        r#"SELECT c.id, c.author_id, u.name AS "author_name?", c.section, c.body, c.created_at
           FROM postmortem_comments c LEFT JOIN users u ON u.id = c.author_id
           WHERE c.postmortem_id = $1 ORDER BY c.created_at, c.id"#,
        id
    )
    .fetch_all(conn)
    .await
}

pub struct NewActionRow<'a> {
    pub postmortem: Uuid,
    pub title: &'a str,
    pub owner: Option<Uuid>,
    pub due_on: NaiveDate,
    pub priority: &'a str,
    pub tracker_url: Option<&'a str>,
    pub from_event: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn insert_action(conn: &mut PgConnection, a: &NewActionRow<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO postmortem_actions (id, postmortem_id, title, owner_id, due_on, priority, tracker_url, from_event,
                                         created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        Uuid::now_v7(),
        a.postmortem,
        a.title,
        a.owner,
        a.due_on,
        a.priority,
        a.tracker_url,
        a.from_event,
        a.at
    )
    .fetch_one(conn)
    .await
}

pub struct ActionRow {
    pub id: Uuid,
    pub postmortem_id: Uuid,
    pub number: i64,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub due_on: NaiveDate,
    pub priority: String,
    pub tracker_url: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `ActionRow`'s columns, written once.
macro_rules! action_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            ActionRow,
            r#"SELECT a.id, a.postmortem_id, i.number, a.title, a.owner_id, u.name AS "owner_name?", a.due_on, a.priority,
                      a.tracker_url, a.status, a.reason, a.created_at
               FROM postmortem_actions a JOIN postmortems p ON p.id = a.postmortem_id
               JOIN incidents i ON i.id = p.incident_id
               LEFT JOIN users u ON u.id = a.owner_id "# + $rest
            $(, $arg)*
        )
    };
}

pub async fn actions_of(conn: &mut PgConnection, postmortem: Uuid) -> Result<Vec<ActionRow>, sqlx::Error> {
    action_rows!("WHERE a.postmortem_id = $1 ORDER BY a.created_at, a.id", postmortem).fetch_all(conn).await
}

pub async fn action(conn: &mut PgConnection, id: Uuid) -> Result<Option<ActionRow>, sqlx::Error> {
    action_rows!("WHERE a.id = $1", id).fetch_optional(conn).await
}

/// The follow-up pins a postmortem's actions were made from.
pub async fn action_sources(conn: &mut PgConnection, postmortem: Uuid) -> Result<Vec<i64>, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "SELECT from_event FROM postmortem_actions WHERE postmortem_id = $1 AND from_event IS NOT NULL",
        postmortem
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .flatten()
    .collect())
}

pub async fn lock_action(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT id FROM postmortem_actions WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// Every action across postmortems: overdue first (by due day), then open by due day, then the
/// closed; optionally one owner's, one team's (by its members), only overdue ones, one status.
pub async fn actions(
    conn: &mut PgConnection,
    owner: Option<Uuid>,
    team: Option<&str>,
    status: Option<&str>,
    overdue_on: Option<NaiveDate>,
    limit: i64,
) -> Result<Vec<ActionRow>, sqlx::Error> {
    action_rows!(
        "WHERE ($1::uuid IS NULL OR a.owner_id = $1)
           AND ($2::text IS NULL OR a.owner_id IN (SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id
                                                     WHERE t.slug = $2))
           AND ($3::text IS NULL OR a.status = $3)
           AND ($4::date IS NULL OR (a.due_on < $4 AND a.status IN ('open', 'in_progress')))
         ORDER BY (a.status IN ('done', 'wont_do')), a.due_on, a.id LIMIT $5",
        owner,
        team,
        status,
        overdue_on,
        limit
    )
    .fetch_all(conn)
    .await
}

#[allow(clippy::too_many_arguments, reason = "one column each")]
pub async fn update_action(
    conn: &mut PgConnection,
    id: Uuid,
    title: &str,
    owner: Option<Uuid>,
    due_on: NaiveDate,
    priority: &str,
    tracker_url: Option<&str>,
    status: &str,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE postmortem_actions SET title = $2, owner_id = $3, due_on = $4, priority = $5, tracker_url = $6,
                status = $7, reason = $8, updated_at = $9,
                escalated_at = CASE WHEN due_on = $4 THEN escalated_at END
         WHERE id = $1",
        id,
        title,
        owner,
        due_on,
        priority,
        tracker_url,
        status,
        reason,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An earlier incident that may be the same problem.
pub struct PastRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub services: Vec<String>,
    pub root_causes: Vec<String>,
    pub postmortem_status: Option<String>,
}

/// Incidents opened before `incident` that share a root-cause tag or a service with it (the most
/// recent 200), with their services and postmortem status.
pub async fn earlier_alike(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<PastRow>, sqlx::Error> {
    sqlx::query_as!(
        PastRow,
        r#"WITH this AS (
               SELECT i.id, i.created_at, i.root_cause_tags,
                      array(SELECT service_id FROM incident_services WHERE incident_id = i.id) AS services
               FROM incidents i WHERE i.id = $1)
           SELECT e.id, e.number, e.title, e.created_at,
                  array(SELECT s.slug FROM incident_services x JOIN services s ON s.id = x.service_id
                        WHERE x.incident_id = e.id ORDER BY s.slug) AS "services!",
                  e.root_cause_tags AS root_causes,
                  (SELECT p.status FROM postmortems p WHERE p.incident_id = e.id) AS postmortem_status
           FROM incidents e, this
           WHERE e.id <> this.id AND e.created_at < this.created_at
             AND (e.root_cause_tags && this.root_cause_tags
                  OR EXISTS (SELECT 1 FROM incident_services x WHERE x.incident_id = e.id AND x.service_id = ANY(this.services)))
           ORDER BY e.created_at DESC LIMIT 200"#,
        incident
    )
    .fetch_all(conn)
    .await
}

/// The service slugs of an incident.
pub async fn services_of(conn: &mut PgConnection, incident: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT s.slug FROM incident_services x JOIN services s ON s.id = x.service_id WHERE x.incident_id = $1 ORDER BY s.slug",
        incident
    )
    .fetch_all(conn)
    .await
}

pub struct ActionBriefRow {
    pub number: i64,
    pub title: String,
    pub status: String,
}

/// The corrective actions of the postmortems of the incidents numbered `numbers`.
pub async fn actions_of_incidents(
    conn: &mut PgConnection,
    numbers: &[i64],
) -> Result<Vec<ActionBriefRow>, sqlx::Error> {
    sqlx::query_as!(
        ActionBriefRow,
        "SELECT i.number, a.title, a.status FROM postmortem_actions a JOIN postmortems p ON p.id = a.postmortem_id
         JOIN incidents i ON i.id = p.incident_id WHERE i.number = ANY($1) ORDER BY a.created_at",
        numbers
    )
    .fetch_all(conn)
    .await
}

/// The author's decisions on candidates: earlier incident number -> confirmed.
pub async fn decisions(conn: &mut PgConnection, postmortem: Uuid) -> Result<Vec<(i64, bool)>, sqlx::Error> {
    Ok(sqlx::query!(
        "SELECT i.number, r.confirmed FROM postmortem_recurrences r JOIN incidents i ON i.id = r.incident_id
         WHERE r.postmortem_id = $1",
        postmortem
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.number, r.confirmed))
    .collect())
}

pub async fn decide(
    conn: &mut PgConnection,
    postmortem: Uuid,
    incident: Uuid,
    confirmed: bool,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO postmortem_recurrences (postmortem_id, incident_id, confirmed, decided_by, decided_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (postmortem_id, incident_id) DO UPDATE SET confirmed = $3, decided_by = $4, decided_at = $5",
        postmortem,
        incident,
        confirmed,
        by,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The queue: every postmortem with what the queue's tabs and filters need.
pub struct SummaryRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub severity: i16,
    pub status: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub reviewer_ids: Vec<Uuid>,
    pub reviewer_names: Vec<String>,
    pub due_at: DateTime<Utc>,
    pub teams: Vec<String>,
    pub services: Vec<String>,
    pub open_actions: i64,
    pub updated_at: DateTime<Utc>,
}

/// Postmortems newest first, filtered: a status, a reviewer, an owner, overdue at `overdue_at`,
/// a team (by its services), a service, a severity.
#[allow(clippy::too_many_arguments, reason = "one filter each")]
pub async fn summaries(
    conn: &mut PgConnection,
    status: Option<&str>,
    reviewer: Option<Uuid>,
    owner: Option<Uuid>,
    overdue_at: Option<DateTime<Utc>>,
    team: Option<&str>,
    service: Option<&str>,
    severity: Option<i16>,
    limit: i64,
) -> Result<Vec<SummaryRow>, sqlx::Error> {
    sqlx::query_as!(
        SummaryRow,
        r#"SELECT p.id, i.number, i.title, i.severity, p.status, p.owner_id, u.name AS "owner_name?",
                  array(SELECT r.user_id FROM postmortem_reviewers r JOIN users ru ON ru.id = r.user_id
                        WHERE r.postmortem_id = p.id ORDER BY ru.name) AS "reviewer_ids!",
                  array(SELECT ru.name FROM postmortem_reviewers r JOIN users ru ON ru.id = r.user_id
                        WHERE r.postmortem_id = p.id ORDER BY ru.name) AS "reviewer_names!",
                  p.due_at,
                  array(SELECT DISTINCT t.slug FROM incident_services x JOIN services s ON s.id = x.service_id
                        JOIN teams t ON t.id = s.team_id WHERE x.incident_id = i.id) AS "teams!",
                  array(SELECT s.slug FROM incident_services x JOIN services s ON s.id = x.service_id
                        WHERE x.incident_id = i.id ORDER BY s.slug) AS "services!",
                  (SELECT count(*) FROM postmortem_actions a WHERE a.postmortem_id = p.id
                     AND a.status IN ('open', 'in_progress')) AS "open_actions!",
                  p.updated_at
           FROM postmortems p JOIN incidents i ON i.id = p.incident_id LEFT JOIN users u ON u.id = p.owner_id
           WHERE ($1::text IS NULL OR p.status = $1)
             AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM postmortem_reviewers r WHERE r.postmortem_id = p.id AND r.user_id = $2))
             AND ($3::uuid IS NULL OR p.owner_id = $3)
             AND ($4::timestamptz IS NULL OR (p.due_at < $4 AND p.status <> 'published'))
             AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM incident_services x JOIN services s ON s.id = x.service_id
                                              JOIN teams t ON t.id = s.team_id WHERE x.incident_id = i.id AND t.slug = $5))
             AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM incident_services x JOIN services s ON s.id = x.service_id
                                              WHERE x.incident_id = i.id AND s.slug = $6))
             AND ($7::smallint IS NULL OR i.severity = $7)
           ORDER BY p.due_at, p.id LIMIT $8"#,
        status,
        reviewer,
        owner,
        overdue_at,
        team,
        service,
        severity,
        limit
    )
    .fetch_all(conn)
    .await
}

/// The people to tell about a postmortem: its owner and reviewers (user ids).
pub async fn concerned(conn: &mut PgConnection, id: Uuid) -> Result<(Option<Uuid>, Vec<Uuid>), sqlx::Error> {
    let owner = sqlx::query_scalar!("SELECT owner_id FROM postmortems WHERE id = $1", id)
        .fetch_one(&mut *conn)
        .await?;
    let reviewers =
        sqlx::query_scalar!("SELECT user_id FROM postmortem_reviewers WHERE postmortem_id = $1", id)
            .fetch_all(conn)
            .await?;
    Ok((owner, reviewers))
}

/// A postmortem the engine tells its owner about.
pub struct DueRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub number: i64,
    pub title: String,
    pub owner_id: Option<Uuid>,
}

/// Unpublished postmortems due within a day and not yet announced as such, locked (another engine
/// skips them); marked told in the same transaction.
pub async fn due_soon(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<DueRow>, sqlx::Error> {
    sqlx::query_as!(
        DueRow,
        "UPDATE postmortems p SET due_soon_told_at = $1
         FROM incidents i
         WHERE i.id = p.incident_id AND p.id IN (
             SELECT id FROM postmortems WHERE status <> 'published' AND due_soon_told_at IS NULL
               AND due_at > $1 AND due_at <= $1 + interval '1 day'
             FOR UPDATE SKIP LOCKED)
         RETURNING p.id, p.incident_id, i.number, i.title, p.owner_id",
        now
    )
    .fetch_all(conn)
    .await
}

/// Unpublished postmortems past due and not yet announced as overdue, marked told.
pub async fn newly_overdue(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<DueRow>, sqlx::Error> {
    sqlx::query_as!(
        DueRow,
        "UPDATE postmortems p SET overdue_told_at = $1
         FROM incidents i
         WHERE i.id = p.incident_id AND p.id IN (
             SELECT id FROM postmortems WHERE status <> 'published' AND overdue_told_at IS NULL AND due_at <= $1
             FOR UPDATE SKIP LOCKED)
         RETURNING p.id, p.incident_id, i.number, i.title, p.owner_id",
        now
    )
    .fetch_all(conn)
    .await
}

/// An overdue action to escalate.
pub struct OverdueActionRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub number: i64,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub due_on: NaiveDate,
}

/// Open actions past their due day not yet escalated, marked escalated.
pub async fn newly_overdue_actions(
    conn: &mut PgConnection,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<OverdueActionRow>, sqlx::Error> {
    sqlx::query_as!(
        OverdueActionRow,
        "UPDATE postmortem_actions a SET escalated_at = $2
         FROM postmortems p JOIN incidents i ON i.id = p.incident_id
         WHERE p.id = a.postmortem_id AND a.id IN (
             SELECT id FROM postmortem_actions WHERE status IN ('open', 'in_progress') AND escalated_at IS NULL
               AND due_on < $1
             FOR UPDATE SKIP LOCKED)
         RETURNING a.id, p.incident_id, i.number, a.title, a.owner_id, a.due_on",
        today,
        now
    )
    .fetch_all(conn)
    .await
}

/// The leads of every team `user` belongs to.
pub async fn leads_of(conn: &mut PgConnection, user: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT DISTINCT l.user_id FROM team_members m JOIN team_members l ON l.team_id = m.team_id AND l.role = 'lead'
         WHERE m.user_id = $1 AND l.user_id <> $1",
        user
    )
    .fetch_all(conn)
    .await
}

pub async fn update_policy(
    conn: &mut PgConnection,
    p: &PolicyRow,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE postmortem_policy SET severities = $1, business_days = $2, required_approvals = $3, high_days = $4,
                other_days = $5, updated_at = $6",
        &p.severities,
        p.business_days,
        p.required_approvals,
        p.high_days,
        p.other_days,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct TemplateRow {
    pub id: Uuid,
    pub name: String,
    pub severities: Vec<String>,
    pub sections: Value,
}

pub async fn templates(conn: &mut PgConnection) -> Result<Vec<TemplateRow>, sqlx::Error> {
    sqlx::query_as!(
        TemplateRow,
        "SELECT id, name, severities, sections FROM postmortem_templates ORDER BY severities = '{}', name"
    )
    .fetch_all(conn)
    .await
}

/// Inserts or replaces a template (by id).
pub async fn upsert_template(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    severities: &[String],
    sections: &Value,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO postmortem_templates (id, name, severities, sections, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (id) DO UPDATE SET name = $2, severities = $3, sections = $4, updated_at = $5",
        id,
        name,
        severities,
        sections,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_template(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM postmortem_templates WHERE id = $1", id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

/// Serialises template changes: two admins saving overlapping templates at once cannot both pass
/// the overlap check.
pub async fn lock_templates(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("LOCK TABLE postmortem_templates IN SHARE ROW EXCLUSIVE MODE").execute(conn).await?;
    Ok(())
}

pub async fn set_customer_summary(conn: &mut PgConnection, id: Uuid, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE postmortems SET customer_summary = $2 WHERE id = $1", id, text)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn customer_summary(conn: &mut PgConnection, id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT customer_summary FROM postmortems WHERE id = $1", id).fetch_one(conn).await
}
