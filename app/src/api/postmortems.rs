//! Server fns of the postmortem pages (`services::postmortems`): the queue, the editor's reads and
//! writes, corrective actions. Each authorises and calls the same operation as the REST API.

use domain::postmortem::{ActionView, PostmortemSummary, PostmortemView};
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[cfg(feature = "ssr")]
fn responder() -> Result<(backend::AppContext, backend::actor::Actor), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&me);
    Ok((ctx, actor))
}

/// Every postmortem (the queue sorts them into tabs), soonest due first.
#[server]
pub async fn postmortem_queue() -> Result<Vec<PostmortemSummary>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let filter = backend::services::postmortems::ListFilter::default();
    crate::ssr::edge(backend::services::postmortems::list(&ctx.pool, &filter, ctx.now()).await)
}

#[server]
pub async fn get_postmortem(id: Uuid) -> Result<PostmortemView, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::postmortems::get(&ctx.pool, id, ctx.now()).await)
}

/// The incident's postmortem (its id and status), if it has one.
#[server]
pub async fn incident_postmortem(
    number: String,
) -> Result<Option<(Uuid, domain::postmortem::PostmortemStatus)>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let number = super::incidents::number(&number)?;
    match backend::services::postmortems::get_by_incident(&ctx.pool, number, ctx.now()).await {
        Ok(p) => Ok(Some((p.id, p.status))),
        Err(backend::Error::NotFound("postmortem")) => Ok(None),
        Err(e) => Err(crate::ssr::fail(e.into())),
    }
}

#[server]
pub async fn start_postmortem(number: String) -> Result<Uuid, AppError> {
    let (ctx, actor) = responder()?;
    let number = super::incidents::number(&number)?;
    let p =
        crate::ssr::edge(backend::services::postmortems::create(&ctx.pool, &actor, number, ctx.now()).await)?;
    leptos_axum::redirect(&format!("/postmortems/{}", p.id));
    Ok(p.id)
}

/// Saves one section, on the version the writer saw (a stale one answers 409 with the current text).
#[server]
pub async fn save_postmortem_section(
    id: Uuid,
    version: i32,
    section: String,
    text: String,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let key = section.parse::<domain::postmortem::SectionKey>().map_err(|e| crate::ssr::fail(e.into()))?;
    let save = domain::postmortem::PostmortemSave {
        sections: [(key, text)].into_iter().collect(),
        version,
        ..Default::default()
    };
    crate::ssr::edge(backend::services::postmortems::save(&ctx.pool, &actor, id, &save, ctx.now()).await)
}

/// Moves it: `to`, and for review the reviewers' ids separated by commas.
#[server]
pub async fn move_postmortem(
    id: Uuid,
    to: String,
    #[server(default)] reviewers: Vec<Uuid>,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::postmortem::TransitionInput { to, reviewers };
    crate::ssr::edge(
        backend::services::postmortems::transition(
            &ctx.pool,
            &actor,
            id,
            &input,
            &ctx.config.public_url,
            ctx.now(),
        )
        .await,
    )
}

#[server]
pub async fn review_postmortem(
    id: Uuid,
    verdict: String,
    #[server(default)] comment: String,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::postmortem::ReviewInput { verdict, comment };
    crate::ssr::edge(backend::services::postmortems::review(&ctx.pool, &actor, id, &input, ctx.now()).await)
}

#[server]
pub async fn comment_postmortem(
    id: Uuid,
    body: String,
    #[server(default)] section: String,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::postmortem::CommentInput { body, section: Some(section) };
    crate::ssr::edge(backend::services::postmortems::comment(&ctx.pool, &actor, id, &input, ctx.now()).await)
}

/// Adds a timeline line; `source` takes up a suggested pin.
#[server]
pub async fn add_postmortem_line(
    id: Uuid,
    at: String,
    text: String,
    #[server(default)] source: Option<i64>,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::postmortem::TimelineInput { at, text, source };
    crate::ssr::edge(
        backend::services::postmortems::add_timeline(&ctx.pool, &actor, id, &input, ctx.now()).await,
    )
}

/// Corrects a timeline line.
#[server]
pub async fn edit_postmortem_line(
    id: Uuid,
    entry: Uuid,
    at: String,
    text: String,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::postmortem::TimelineInput { at, text, source: None };
    crate::ssr::edge(
        backend::services::postmortems::update_timeline(&ctx.pool, &actor, id, entry, &input, ctx.now())
            .await,
    )
}

#[server]
pub async fn remove_postmortem_line(id: Uuid, entry: Uuid) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    crate::ssr::edge(
        backend::services::postmortems::delete_timeline(&ctx.pool, &actor, id, entry, ctx.now()).await,
    )
}

#[server]
pub async fn decide_postmortem_recurrence(
    id: Uuid,
    incident: String,
    confirmed: bool,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let earlier = super::incidents::number(&incident)?;
    crate::ssr::edge(
        backend::services::postmortems::decide_recurrence(
            &ctx.pool,
            &actor,
            id,
            earlier,
            confirmed,
            ctx.now(),
        )
        .await,
    )
}

/// Adds a corrective action; `from_event` makes one from a follow-up pin.
#[server]
#[allow(clippy::too_many_arguments, reason = "one form field each")]
pub async fn add_postmortem_action(
    id: Uuid,
    title: String,
    #[server(default)] owner_id: Option<Uuid>,
    #[server(default)] due_on: String,
    #[server(default)] priority: String,
    #[server(default)] tracker_url: String,
    #[server(default)] from_event: Option<i64>,
) -> Result<ActionView, AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::postmortem::ActionInput {
        title,
        owner_id,
        due_on: Some(due_on),
        priority: Some(priority),
        tracker_url: Some(tracker_url),
        from_event,
    };
    crate::ssr::edge(
        backend::services::postmortems::add_action(&ctx.pool, &actor, id, &input, ctx.now()).await,
    )
}

/// Moves an action on: `status`, with a `reason` for `wont_do`.
#[server]
pub async fn set_postmortem_action(
    id: Uuid,
    status: String,
    #[server(default)] reason: String,
) -> Result<ActionView, AppError> {
    let (ctx, actor) = responder()?;
    let change =
        domain::postmortem::ActionChange { status: Some(status), reason: Some(reason), ..Default::default() };
    crate::ssr::edge(
        backend::services::postmortems::update_action(&ctx.pool, &actor, id, &change, ctx.now()).await,
    )
}

/// What waits on the caller: postmortems to review or to write, and their overdue actions.
#[server]
pub async fn waiting_on_me() -> Result<(Vec<PostmortemSummary>, Vec<ActionView>), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let services = backend::services::postmortems::ListFilter::default();
    let all = crate::ssr::edge(backend::services::postmortems::list(&ctx.pool, &services, ctx.now()).await)?;
    let mine = me.user_id.0;
    use domain::postmortem::PostmortemStatus as S;
    let postmortems = all
        .into_iter()
        .filter(|p| {
            (p.status == S::InReview && p.reviewers.iter().any(|r| r.id == mine))
                || (p.owner.as_ref().is_some_and(|o| o.id == mine)
                    && matches!(p.status, S::Draft | S::ChangesRequested | S::Approved))
        })
        .collect();
    let filter = backend::services::postmortems::ActionFilter {
        owner: Some(mine),
        overdue: true,
        ..Default::default()
    };
    let actions =
        crate::ssr::edge(backend::services::postmortems::action_list(&ctx.pool, &filter, ctx.now()).await)?;
    Ok((postmortems, actions))
}

/// Saves what customers are told on publication.
#[server]
pub async fn save_postmortem_summary(
    id: Uuid,
    version: i32,
    text: String,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let save =
        domain::postmortem::PostmortemSave { version, customer_summary: Some(text), ..Default::default() };
    crate::ssr::edge(backend::services::postmortems::save(&ctx.pool, &actor, id, &save, ctx.now()).await)
}

/// Sets (or, empty, clears) the review meeting: RFC 3339.
#[server]
pub async fn save_postmortem_meeting(
    id: Uuid,
    version: i32,
    #[server(default)] at: String,
) -> Result<PostmortemView, AppError> {
    let (ctx, actor) = responder()?;
    let save =
        domain::postmortem::PostmortemSave { version, review_meeting_at: Some(at), ..Default::default() };
    crate::ssr::edge(backend::services::postmortems::save(&ctx.pool, &actor, id, &save, ctx.now()).await)
}

/// The policy and the templates, for the admin page.
#[server]
pub async fn postmortem_settings()
-> Result<(domain::postmortem::Policy, Vec<domain::postmortem::Template>), AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    let policy = crate::ssr::edge(backend::services::postmortems::policy(&ctx.pool).await)?;
    let templates = crate::ssr::edge(backend::services::postmortems::templates(&ctx.pool).await)?;
    Ok((policy, templates))
}

#[server]
pub async fn save_postmortem_policy(
    #[server(default)] severities: Vec<String>,
    business_days: i32,
    required_approvals: i32,
    high_days: i32,
    other_days: i32,
) -> Result<domain::postmortem::Policy, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let policy =
        domain::postmortem::Policy { severities, business_days, required_approvals, high_days, other_days };
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(
        backend::services::postmortems::update_policy(&ctx.pool, &actor, policy, ctx.now()).await,
    )
}

/// Saves a template (new without `id`); `sections` has one line per section, in order:
/// `key | title | prompt`.
#[server]
pub async fn save_postmortem_template(
    #[server(default)] id: Option<Uuid>,
    name: String,
    #[server(default)] severities: Vec<String>,
    sections: String,
) -> Result<domain::postmortem::Template, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let mut specs = Vec::new();
    for line in sections.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.splitn(3, '|').map(str::trim);
        let key = parts
            .next()
            .unwrap_or_default()
            .parse::<domain::postmortem::SectionKey>()
            .map_err(|e| crate::ssr::fail(e.into()))?;
        let title = parts.next().unwrap_or_default().to_owned();
        let prompt = parts.next().unwrap_or_default().to_owned();
        specs.push(domain::postmortem::SectionSpec { key, title, prompt });
    }
    let input = domain::postmortem::TemplateInput { name, severities, sections: specs };
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(
        backend::services::postmortems::save_template(&ctx.pool, &actor, id, &input, ctx.now()).await,
    )
}

#[server]
pub async fn delete_postmortem_template(id: Uuid) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::postmortems::delete_template(&ctx.pool, &actor, id).await)
}

/// Every corrective action, overdue first; `mine` keeps the caller's, `team` (a slug) its members',
/// `status` one status, `overdue` the overdue ones.
#[server]
pub async fn postmortem_actions(
    #[server(default)] mine: bool,
    #[server(default)] team: String,
    #[server(default)] status: String,
    #[server(default)] overdue: bool,
) -> Result<Vec<ActionView>, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let status = match status.trim() {
        "" => None,
        s => Some(s.parse::<domain::postmortem::ActionStatus>().map_err(|e| crate::ssr::fail(e.into()))?),
    };
    let filter = backend::services::postmortems::ActionFilter {
        owner: mine.then_some(me.user_id.0),
        team: Some(team.trim().to_owned()).filter(|t| !t.is_empty()),
        status,
        overdue,
    };
    crate::ssr::edge(backend::services::postmortems::action_list(&ctx.pool, &filter, ctx.now()).await)
}
