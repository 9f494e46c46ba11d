//! Postmortems (`domain::postmortem`): created when an incident the policy covers is resolved (or
//! by hand), prefilled from what the responders recorded, saved against the version the writer
//! saw, moved through review, and read with their hints, recurrence candidates and suggestions.
//! Every change is audited and lands on the incident's timeline; the people concerned are told
//! through their contact methods.

mod actions;
mod chase;
mod prefill;
mod read;
mod settings;

pub use actions::{ActionFilter, action_list, add_action, update_action};
pub use chase::{Chased, chase};
pub use read::{ListFilter, get, get_by_incident, list};
pub use settings::{delete_template, policy, save_template, templates, update_policy};

use chrono::{DateTime, Utc};
use domain::{
    incident::{IncidentNumber, TimelineKind},
    postmortem::{
        self as pm, PostmortemSave, PostmortemStatus, PostmortemView, SectionSpec, Sections, Verdict,
    },
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        contact_methods, incidents, notifications,
        postmortems::{self as db},
        timeline,
    },
};

fn severity_name(level: i16) -> String {
    format!("SEV{level}")
}

fn sections_of(value: &serde_json::Value) -> Sections {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

fn template_of(value: &serde_json::Value) -> Vec<SectionSpec> {
    serde_json::from_value(value.clone()).unwrap_or_else(|_| pm::default_sections())
}

/// Records a postmortem event on the incident's timeline.
async fn on_timeline(
    conn: &mut PgConnection,
    incident: Uuid,
    actor: &Actor,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    timeline::append_timeline(conn, incident, actor, now, TimelineKind::Postmortem.as_str(), body, None)
        .await?;
    Ok(())
}

/// Queues a postmortem notice on each of a person's contact methods.
async fn tell(
    conn: &mut PgConnection,
    user: Uuid,
    incident: Uuid,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    for m in contact_methods::contact_methods(conn, user).await? {
        notifications::insert_notification(
            conn,
            &notifications::NewNotification {
                user_id: user,
                contact_method_id: m.id,
                kind: "postmortem",
                page_id: None,
                incident_id: Some(incident),
                due_at: now,
                deferred: false,
                note: Some(note.to_owned()),
            },
        )
        .await?;
    }
    Ok(())
}

/// Creates the incident's postmortem when the policy covers its severity; called as it is
/// resolved, in that transaction. Answers the new postmortem's id, if one was made.
pub(crate) async fn on_resolve(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let policy = db::policy(conn).await?;
    let Some(facts) = db::incident_facts(conn, incident).await? else {
        return Ok(None);
    };
    if !policy.severities.contains(&severity_name(facts.severity)) {
        return Ok(None);
    }
    prefill::create(conn, actor, incident, &facts, &policy, now).await
}

/// Creates a postmortem by hand for any incident; 409 when it has one.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    number: IncidentNumber,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let mut tx = pool.begin().await?;
    let incident = incidents::id_by_number(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
    let facts = db::incident_facts(&mut tx, incident).await?.ok_or(Error::NotFound("incident"))?;
    let policy = db::policy(&mut tx).await?;
    let Some(id) = prefill::create(&mut tx, actor, incident, &facts, &policy, now).await? else {
        return Err(Error::Conflict(format!("{number} has a postmortem already")));
    };
    tx.commit().await?;
    get(pool, id, now).await
}

/// A save: the sections changed, the owner, the review meeting. It must name the version it was
/// written on: an older one is refused with the current text (a colleague saved meanwhile). An
/// edit of approved or published text starts a new revision, back in draft.
pub async fn save(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &PostmortemSave,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("postmortem"));
    }
    let row = db::by_id(&mut tx, id).await?.ok_or(Error::NotFound("postmortem"))?;
    if input.version != row.version {
        drop(tx);
        let current = get(pool, id, now).await?;
        return Err(Error::Stale(Box::new(current)));
    }
    pm::check_sections(&input.sections, &template_of(&row.template))?;
    let before = sections_of(&row.sections);
    let mut after = before.clone();
    for (key, text) in &input.sections {
        after.insert(*key, text.clone());
    }
    let owner = match input.owner_id {
        Some(o) if Some(o) != row.owner_id => {
            if db::writers(&mut tx, &[o]).await?.is_empty() {
                return Err(
                    domain::FieldError::new("owner_id", "must be an active responder or admin").into()
                );
            }
            Some(o)
        }
        _ => row.owner_id,
    };
    let meeting = match input.review_meeting_at.as_deref().map(str::trim) {
        None => row.review_meeting_at,
        Some("") => None,
        Some(t) => Some(domain::schedule::input::parse_instant("review_meeting_at", t)?),
    };
    let status: PostmortemStatus = row.status.parse()?;
    let summary = input.customer_summary.as_deref().map(str::trim);
    if summary.is_some_and(|s| s.len() > 20_000) {
        return Err(domain::FieldError::new("customer_summary", "at most 20000 characters").into());
    }
    let summary_changed = summary.is_some_and(|s| s != row.customer_summary);
    let text_changed = after != before || summary_changed;
    let (status, revision) = if text_changed && status.is_locked() {
        (PostmortemStatus::Draft, row.revision + 1)
    } else {
        (status, row.revision)
    };
    let changed_keys: Vec<&str> =
        after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.as_str()).collect();
    db::save(&mut tx, id, &json!(after), owner, meeting, status.as_str(), revision, now).await?;
    if let Some(s) = summary.filter(|_| summary_changed) {
        db::set_customer_summary(&mut tx, id, s).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.save", "postmortem", id)
            .before(json!({ "version": row.version, "owner_id": row.owner_id, "status": row.status }))
            .after(json!({ "sections": changed_keys, "owner_id": owner, "status": status, "revision": revision })),
    )
    .await?;
    if revision != row.revision {
        on_timeline(
            &mut tx,
            row.incident_id,
            actor,
            &format!("Postmortem revision {revision} started (after approval)"),
            now,
        )
        .await?;
    }
    if owner != row.owner_id
        && let Some(o) = owner
    {
        on_timeline(&mut tx, row.incident_id, actor, "Postmortem owner changed", now).await?;
        let note = format!("You own the postmortem of INC-{}: {}", row.number, row.title);
        tell(&mut tx, o, row.incident_id, &note, now).await?;
    }
    tx.commit().await?;
    get(pool, id, now).await
}

/// A transition someone asks for (`in_review` with reviewers, back to `draft`, `published`).
/// Refusals answer 409 and write nothing.
pub async fn transition(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &pm::TransitionInput,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let to: PostmortemStatus = input.to.parse()?;
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("postmortem"));
    }
    let row = db::by_id(&mut tx, id).await?.ok_or(Error::NotFound("postmortem"))?;
    let from: PostmortemStatus = row.status.parse()?;
    let mut reviewers: Vec<Uuid> = db::reviewers(&mut tx, id).await?.into_iter().map(|r| r.id).collect();
    if to == PostmortemStatus::InReview && !input.reviewers.is_empty() {
        let mut wanted = input.reviewers.clone();
        wanted.sort();
        wanted.dedup();
        let found = db::writers(&mut tx, &wanted).await?;
        if let Some(missing) = wanted.iter().find(|w| !found.iter().any(|f| f.id == **w)) {
            return Err(domain::FieldError::new(
                "reviewers",
                format!("{missing} is not an active responder or admin"),
            )
            .into());
        }
        reviewers = wanted;
    }
    pm::transition(from, to, reviewers.len()).map_err(|r| Error::Conflict(r.0))?;
    // Customers hear the summary as the last word on the public incident, if there is one: posted
    // before this transaction touches anything of the incident (the post locks the incident), and
    // before publication commits, so a publication never claims a post that failed.
    let summary = row.customer_summary.trim();
    if to == PostmortemStatus::Published && !summary.is_empty() {
        let number = domain::incident::IncidentNumber(row.number);
        if let (_, Some(public)) = crate::services::status_page::for_incident(pool, number).await? {
            let update = domain::status::page::ParsedUpdate {
                status: domain::status::PublicStatus::Postmortem,
                body: summary.to_owned(),
                components: Default::default(),
            };
            crate::services::status_page::post_update(
                pool,
                actor,
                &public.public_id,
                &update,
                public_url,
                now,
            )
            .await?;
            on_timeline(&mut tx, row.incident_id, actor, "Postmortem summary posted to the status page", now)
                .await?;
        }
    }
    if to == PostmortemStatus::InReview {
        db::set_reviewers(&mut tx, id, &reviewers).await?;
    }
    db::set_status(&mut tx, id, to.as_str(), now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.transition", "postmortem", id)
            .before(json!({ "status": from }))
            .after(json!({ "status": to, "reviewers": reviewers })),
    )
    .await?;
    on_timeline(
        &mut tx,
        row.incident_id,
        actor,
        &format!("Postmortem {} -> {}", from.label(), to.label()),
        now,
    )
    .await?;
    let what = format!("INC-{}: {}", row.number, row.title);
    match to {
        PostmortemStatus::InReview => {
            for r in &reviewers {
                tell(
                    &mut tx,
                    *r,
                    row.incident_id,
                    &format!("Your review is requested on the postmortem of {what}"),
                    now,
                )
                .await?;
            }
        }
        PostmortemStatus::Published => {
            if let Some(o) = row.owner_id {
                tell(&mut tx, o, row.incident_id, &format!("The postmortem of {what} is published"), now)
                    .await?;
            }
        }
        _ => {}
    }
    tx.commit().await?;
    get(pool, id, now).await
}

/// A reviewer's verdict on the current revision: changes requested send it back to the author;
/// enough approvals approve it. Only a named reviewer reviews, and only while in review.
pub async fn review(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &pm::ReviewInput,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let verdict: Verdict = input.verdict.parse()?;
    let comment = input.comment.trim();
    if comment.len() > 20_000 {
        return Err(domain::FieldError::new("comment", "at most 20000 characters").into());
    }
    if verdict == Verdict::RequestChanges && comment.is_empty() {
        return Err(domain::FieldError::new("comment", "say what should change").into());
    }
    let reviewer = actor.user_id.ok_or(Error::Forbidden)?.0;
    let mut tx = pool.begin().await?;
    if !db::lock(&mut tx, id).await? {
        return Err(Error::NotFound("postmortem"));
    }
    let row = db::by_id(&mut tx, id).await?.ok_or(Error::NotFound("postmortem"))?;
    if !db::reviewers(&mut tx, id).await?.iter().any(|r| r.id == reviewer) {
        return Err(Error::Conflict("only the postmortem's reviewers review it".into()));
    }
    let status: PostmortemStatus = row.status.parse()?;
    // Refused before anything is written.
    pm::after_review(status, verdict, 0, 1).map_err(|r| Error::Conflict(r.0))?;
    db::insert_review(&mut tx, id, reviewer, row.revision, verdict.as_str(), comment, now).await?;
    let approvals = db::approvals(&mut tx, id).await?;
    let required = db::policy(&mut tx).await?.required_approvals;
    let next = pm::after_review(status, verdict, approvals as usize, required.max(1) as usize)
        .map_err(|r| Error::Conflict(r.0))?;
    if next != status {
        db::set_status(&mut tx, id, next.as_str(), now).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.review", "postmortem", id)
            .after(json!({ "verdict": verdict, "revision": row.revision, "status": next })),
    )
    .await?;
    let words = match verdict {
        Verdict::Approve => "approved",
        Verdict::RequestChanges => "requested changes to",
    };
    on_timeline(&mut tx, row.incident_id, actor, &format!("{} {words} the postmortem", actor.label), now)
        .await?;
    if let Some(o) = row.owner_id
        && next != status
    {
        let note = format!("The postmortem of INC-{} is now {}", row.number, next.label().to_lowercase());
        tell(&mut tx, o, row.incident_id, &note, now).await?;
    }
    tx.commit().await?;
    get(pool, id, now).await
}

/// A comment on the postmortem or on one of its sections.
pub async fn comment(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &pm::CommentInput,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let body = pm::comment_body(&input.body, 20_000)?;
    let section = match input.section.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<pm::SectionKey>()?),
    };
    let mut tx = pool.begin().await?;
    let row = db::by_id(&mut tx, id).await?.ok_or(Error::NotFound("postmortem"))?;
    if let Some(s) = section
        && !template_of(&row.template).iter().any(|t| t.key == s)
    {
        return Err(
            domain::FieldError::new("section", format!("'{s}' is not a section of this postmortem")).into()
        );
    }
    db::insert_comment(&mut tx, id, actor.user_id.map(|u| u.0), section.map(|s| s.as_str()), &body, now)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.comment", "postmortem", id).after(json!({ "section": section })),
    )
    .await?;
    tx.commit().await?;
    get(pool, id, now).await
}

/// Adds a timeline entry (by hand, or a suggested pin taken up).
pub async fn add_timeline(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &pm::TimelineInput,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let (at, text) = input.parse()?;
    let mut tx = pool.begin().await?;
    let row = db::by_id(&mut tx, id).await?.ok_or(Error::NotFound("postmortem"))?;
    let source = match input.source {
        Some(event) if db::pins(&mut tx, row.incident_id).await?.iter().any(|p| p.id == event) => Some(event),
        Some(_) => return Err(domain::FieldError::new("source", "is not a pin of this incident").into()),
        None => None,
    };
    let entry = db::insert_timeline(&mut tx, id, at, &text, source).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.timeline_add", "postmortem", id)
            .after(json!({ "entry": entry, "source": source })),
    )
    .await?;
    tx.commit().await?;
    get(pool, id, now).await
}

/// Corrects a timeline entry.
pub async fn update_timeline(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    entry: Uuid,
    input: &pm::TimelineInput,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let (at, text) = input.parse()?;
    let mut tx = pool.begin().await?;
    if !db::update_timeline(&mut tx, id, entry, at, &text).await? {
        return Err(Error::NotFound("timeline entry"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.timeline_edit", "postmortem", id).after(json!({ "entry": entry })),
    )
    .await?;
    tx.commit().await?;
    get(pool, id, now).await
}

pub async fn delete_timeline(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    entry: Uuid,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let mut tx = pool.begin().await?;
    if !db::delete_timeline(&mut tx, id, entry).await? {
        return Err(Error::NotFound("timeline entry"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.timeline_remove", "postmortem", id).after(json!({ "entry": entry })),
    )
    .await?;
    tx.commit().await?;
    get(pool, id, now).await
}

/// The author confirms (linking both incidents) or dismisses an earlier incident as the same
/// problem recurring.
pub async fn decide_recurrence(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    earlier: IncidentNumber,
    confirmed: bool,
    now: DateTime<Utc>,
) -> Result<PostmortemView> {
    let mut tx = pool.begin().await?;
    let row = db::by_id(&mut tx, id).await?.ok_or(Error::NotFound("postmortem"))?;
    let other = incidents::id_by_number(&mut tx, earlier.0).await?.ok_or(Error::NotFound("incident"))?;
    if other == row.incident_id {
        return Err(domain::FieldError::new("incident", "an incident does not recur as itself").into());
    }
    db::decide(&mut tx, id, other, confirmed, actor.user_id.map(|u| u.0), now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem.recurrence", "postmortem", id)
            .after(json!({ "incident": earlier, "confirmed": confirmed })),
    )
    .await?;
    if confirmed {
        let body = format!("Recurrence confirmed: INC-{} and INC-{} share a cause", row.number, earlier.0);
        on_timeline(&mut tx, row.incident_id, actor, &body, now).await?;
        on_timeline(&mut tx, other, actor, &body, now).await?;
    }
    tx.commit().await?;
    get(pool, id, now).await
}
