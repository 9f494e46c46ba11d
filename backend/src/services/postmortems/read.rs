//! Reading postmortems: one with everything the editor shows (hints, recurrence candidates with
//! what became of their actions, pins made since), and the queue's lists.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use domain::{
    incident::{IncidentNumber, Pin},
    postmortem::{
        self as pm, ActionBrief, CommentView, Person, PinSuggestion, PostmortemStatus, PostmortemSummary,
        PostmortemView, RecurrenceView, ReviewView, TimelineEntry,
    },
};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{actions::action_view, sections_of, severity_name, template_of};
use crate::{
    Error, Result,
    db::{incidents, postmortems as db},
};

fn person(id: Option<Uuid>, name: Option<String>) -> Option<Person> {
    Some(Person { id: id?, name: name.unwrap_or_default() })
}

async fn candidates(conn: &mut PgConnection, row: &db::Row) -> Result<Vec<RecurrenceView>> {
    let services = db::services_of(conn, row.incident_id).await?;
    let earlier = db::earlier_alike(conn, row.incident_id).await?;
    let past: Vec<pm::recurrence::Past> = earlier
        .iter()
        .map(|e| pm::recurrence::Past {
            number: e.number,
            title: e.title.clone(),
            services: e.services.clone(),
            root_causes: e.root_causes.clone(),
        })
        .collect();
    let ranked = pm::recurrence::rank(&row.title, &services, &row.root_causes, &past);
    let decisions: BTreeMap<i64, bool> = db::decisions(conn, row.id).await?.into_iter().collect();
    let numbers: Vec<i64> = ranked.iter().map(|m| m.number).collect();
    let actions = db::actions_of_incidents(conn, &numbers).await?;
    Ok(ranked
        .into_iter()
        .take(10)
        .filter_map(|m| {
            let e = earlier.iter().find(|e| e.number == m.number)?;
            Some(RecurrenceView {
                incident: e.number,
                title: e.title.clone(),
                created_at: e.created_at,
                postmortem: e.postmortem_status.as_deref().and_then(|s| s.parse::<PostmortemStatus>().ok()),
                actions: actions
                    .iter()
                    .filter(|a| a.number == e.number)
                    .filter_map(|a| {
                        Some(ActionBrief { title: a.title.clone(), status: a.status.parse().ok()? })
                    })
                    .collect(),
                confirmed: decisions.get(&e.number).copied(),
                why: m,
            })
        })
        .collect())
}

/// The names hints know as people: the incident's role holders, the owner, the reviewers.
async fn people_names(conn: &mut PgConnection, row: &db::Row, reviewers: &[Person]) -> Result<Vec<String>> {
    let mut names: Vec<String> = incidents::role_holder_names(conn, row.incident_id).await?;
    names.extend(row.owner_name.clone());
    names.extend(reviewers.iter().map(|r| r.name.clone()));
    names.sort();
    names.dedup();
    Ok(names)
}

/// One postmortem with everything the editor shows.
pub async fn get(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<PostmortemView> {
    let mut conn = pool.acquire().await?;
    let row = db::by_id(&mut conn, id).await?.ok_or(Error::NotFound("postmortem"))?;
    let status: PostmortemStatus = row.status.parse()?;
    let reviewers: Vec<Person> =
        db::reviewers(&mut conn, id).await?.into_iter().map(|r| Person { id: r.id, name: r.name }).collect();
    let timeline: Vec<TimelineEntry> = db::timeline(&mut conn, id)
        .await?
        .into_iter()
        .map(|t| TimelineEntry { id: t.id, at: t.at, text: t.text, source: t.source })
        .collect();
    let today = now.date_naive();
    let actions: Vec<pm::ActionView> =
        db::actions_of(&mut conn, id).await?.into_iter().filter_map(|a| action_view(a, today)).collect();
    let reviews = db::reviews(&mut conn, id)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(ReviewView {
                id: r.id,
                reviewer: person(r.reviewer_id, r.reviewer_name),
                revision: r.revision,
                verdict: r.verdict.parse().ok()?,
                comment: r.comment,
                created_at: r.created_at,
            })
        })
        .collect();
    let comments = db::comments(&mut conn, id)
        .await?
        .into_iter()
        .map(|c| CommentView {
            id: c.id,
            author: person(c.author_id, c.author_name),
            section: c.section.and_then(|s| s.parse().ok()),
            body: c.body,
            created_at: c.created_at,
        })
        .collect();
    let sections = sections_of(&row.sections);
    let sections_html = sections.iter().map(|(k, text)| (*k, crate::markdown::render(text))).collect();
    let names = people_names(&mut conn, &row, &reviewers).await?;
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let hints = pm::section_hints(&sections, &name_refs);
    let recurrence_candidates = candidates(&mut conn, &row).await?;
    // Pins made since the postmortem took its timeline, and follow-ups not yet actions.
    let used: HashSet<i64> = timeline.iter().filter_map(|t| t.source).collect();
    let made: HashSet<i64> = db::action_sources(&mut conn, id).await?.into_iter().collect();
    let suggestions = db::pins(&mut conn, row.incident_id)
        .await?
        .into_iter()
        .filter(|p| match p.pin.as_deref() {
            Some(k) if k == Pin::Papertrail.as_str() => !used.contains(&p.id),
            Some(_) => !made.contains(&p.id),
            None => false,
        })
        .map(|p| PinSuggestion { event: p.id, at: p.at, text: p.body, pin: p.pin.unwrap_or_default() })
        .collect();
    let required = db::policy(&mut conn).await?.required_approvals;
    Ok(PostmortemView {
        id: row.id,
        incident: row.number,
        incident_title: row.title,
        severity: severity_name(row.severity),
        status,
        owner: person(row.owner_id, row.owner_name),
        due_at: row.due_at,
        overdue: row.due_at < now && status != PostmortemStatus::Published,
        review_meeting_at: row.review_meeting_at,
        version: row.version,
        revision: row.revision,
        template: template_of(&row.template),
        sections,
        sections_html,
        approved_sections: row.approved_sections.as_ref().map(sections_of),
        approved_revision: row.approved_revision,
        required_approvals: required,
        reviewers,
        timeline,
        actions,
        reviews,
        comments,
        hints,
        recurrence_candidates,
        suggestions,
        root_causes: row.root_causes,
        customer_summary: row.customer_summary,
        created_at: row.created_at,
        updated_at: row.updated_at,
        published_at: row.published_at,
    })
}

/// The incident's postmortem, if it has one.
pub async fn get_by_incident(
    pool: &PgPool,
    number: IncidentNumber,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let id = {
        let mut conn = pool.acquire().await?;
        let incident =
            incidents::id_by_number(&mut conn, number.0).await?.ok_or(Error::NotFound("incident"))?;
        db::id_by_incident(&mut conn, incident).await?.ok_or(Error::NotFound("postmortem"))?
    };
    get(pool, id, now).await
}

/// What the queue asks for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<PostmortemStatus>,
    pub reviewer: Option<Uuid>,
    pub owner: Option<Uuid>,
    pub overdue: bool,
    pub team: Option<String>,
    pub service: Option<String>,
    /// 1 to 5.
    pub severity: Option<i16>,
}

/// The queue's postmortems, soonest due first.
pub async fn list(pool: &PgPool, f: &ListFilter, now: DateTime<Utc>) -> Result<Vec<PostmortemSummary>> {
    let mut conn = pool.acquire().await?;
    let rows = db::summaries(
        &mut conn,
        f.status.map(|s| s.as_str()),
        f.reviewer,
        f.owner,
        f.overdue.then_some(now),
        f.team.as_deref(),
        f.service.as_deref(),
        f.severity,
        500,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let status: PostmortemStatus = r.status.parse().ok()?;
            Some(PostmortemSummary {
                id: r.id,
                incident: r.number,
                incident_title: r.title,
                severity: severity_name(r.severity),
                status,
                owner: person(r.owner_id, r.owner_name),
                reviewers: r
                    .reviewer_ids
                    .into_iter()
                    .zip(r.reviewer_names)
                    .map(|(id, name)| Person { id, name })
                    .collect(),
                due_at: r.due_at,
                overdue: r.due_at < now && status != PostmortemStatus::Published,
                teams: r.teams,
                services: r.services,
                open_actions: r.open_actions,
                updated_at: r.updated_at,
            })
        })
        .collect())
}
