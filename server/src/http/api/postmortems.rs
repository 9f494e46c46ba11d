//! `/api/v1/postmortems`, `/api/v1/incidents/{number}/postmortem` and
//! `/api/v1/postmortem-actions` (`services::postmortems`). Viewers read; responders write.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::postmortems as service;
use domain::{
    Role,
    incident::IncidentNumber,
    postmortem::{
        ActionChange, ActionInput, ActionView, CommentInput, Policy, PostmortemSave, PostmortemStatus,
        PostmortemSummary, PostmortemView, ReviewInput, Template, TemplateInput, TimelineInput,
        TransitionInput,
    },
};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::openapi::Refusals;
use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
        query::Query,
    },
};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `draft`, `in_review`, `changes_requested`, `approved` or `published`.
    pub status: Option<String>,
    /// `me`: the ones the caller reviews.
    pub reviewer: Option<String>,
    /// `me`: the ones the caller owns.
    pub owner: Option<String>,
    /// Past due and not published.
    pub overdue: Option<bool>,
    /// A team's slug (by the incident's services).
    pub team: Option<String>,
    /// A service's slug.
    pub service: Option<String>,
    /// `SEV1`..`SEV5`.
    pub severity: Option<String>,
}

fn me(value: Option<&str>, field: &str, caller: Uuid) -> Result<Option<Uuid>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some("me") => Ok(Some(caller)),
        Some(v) => v
            .parse::<Uuid>()
            .map(Some)
            .map_err(|_| domain::FieldError::new(field, "must be me or a user id").into()),
    }
}

#[utoipa::path(
    get,
    path = "/postmortems",
    tag = "postmortems",
    summary = "The review queue: postmortems, soonest due first",
    description = "Role: viewer.",
    params(ListQuery),
    responses((status = 200, description = "the postmortems", body = Vec<PostmortemSummary>), Refusals)
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<PostmortemSummary>>, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let filter = service::ListFilter {
        status: q
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::parse::<PostmortemStatus>)
            .transpose()?,
        reviewer: me(q.reviewer.as_deref(), "reviewer", p.user_id.0)?,
        owner: me(q.owner.as_deref(), "owner", p.user_id.0)?,
        overdue: q.overdue.unwrap_or(false),
        team: q.team.filter(|t| !t.is_empty()),
        service: q.service.filter(|s| !s.is_empty()),
        severity: q
            .severity
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<domain::incident::Severity>().map(|s| s.level()))
            .transpose()?,
    };
    Ok(Json(service::list(&state.ctx.pool, &filter, state.ctx.now()).await?))
}

#[utoipa::path(
    get,
    path = "/incidents/{number}/postmortem",
    tag = "postmortems",
    summary = "An incident's postmortem",
    description = "Role: viewer. 404 when it has none.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    responses((status = 200, description = "the postmortem", body = PostmortemView), Refusals)
)]
pub async fn for_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<PostmortemView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::get_by_incident(&state.ctx.pool, number, state.ctx.now()).await?))
}

#[utoipa::path(
    post,
    path = "/incidents/{number}/postmortem",
    tag = "postmortems",
    summary = "Start the incident's postmortem by hand (resolving one the policy covers starts it by itself)",
    description = "Role: responder. 409 when it has one.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    responses((status = 201, description = "created, prefilled from the incident", body = PostmortemView), Refusals)
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<(StatusCode, Json<PostmortemView>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let created = service::create(&state.ctx.pool, &caller.actor(p), number, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    get,
    path = "/postmortems/{id}",
    tag = "postmortems",
    summary = "A postmortem with its hints, recurrence candidates, reviews and actions",
    description = "Role: viewer.",
    params(("id" = Uuid, Path, description = "the postmortem")),
    responses((status = 200, description = "the postmortem", body = PostmortemView), Refusals)
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<PostmortemView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::get(&state.ctx.pool, id, state.ctx.now()).await?))
}

#[utoipa::path(
    get,
    path = "/postmortems/{id}/markdown",
    tag = "postmortems",
    summary = "The postmortem as a Markdown file, to download",
    description = "Role: viewer.",
    params(("id" = Uuid, Path, description = "the postmortem")),
    responses((status = 200, description = "the Markdown", content_type = "text/markdown", body = String), Refusals)
)]
pub async fn markdown(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    caller.require(Role::Viewer)?;
    let p = service::get(&state.ctx.pool, id, state.ctx.now()).await?;
    let file = format!("attachment; filename=\"postmortem-INC-{}.md\"", p.incident);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/markdown; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, file),
        ],
        domain::postmortem::to_markdown(&p),
    )
        .into_response())
}

#[utoipa::path(
    patch,
    path = "/postmortems/{id}",
    tag = "postmortems",
    summary = "Save sections, owner or review meeting, naming the version edited",
    description = "Role: responder. A save on an older version answers 409 with `error.current`, the postmortem as it is now. Editing approved text starts a new revision (back to draft).",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = PostmortemSave,
    responses((status = 200, description = "saved", body = PostmortemView), Refusals)
)]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<PostmortemSave>, JsonRejection>,
) -> Result<Json<PostmortemView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(service::save(&state.ctx.pool, &caller.actor(p), id, &input, state.ctx.now()).await?))
}

#[utoipa::path(
    post,
    path = "/postmortems/{id}/transitions",
    tag = "postmortems",
    summary = "Ask for review (with reviewers), withdraw to draft, or publish an approved postmortem",
    description = "Role: responder. Refused transitions answer 409 and write nothing; approval comes from reviews.",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = TransitionInput,
    responses((status = 200, description = "moved", body = PostmortemView), Refusals)
)]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<TransitionInput>, JsonRejection>,
) -> Result<Json<PostmortemView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(
        service::transition(
            &state.ctx.pool,
            &caller.actor(p),
            id,
            &input,
            &state.ctx.config.public_url,
            state.ctx.now(),
        )
        .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/postmortems/{id}/reviews",
    tag = "postmortems",
    summary = "Approve the current revision or request changes (with a comment)",
    description = "Role: responder, and one of its reviewers; only while in review (409 otherwise).",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = ReviewInput,
    responses((status = 200, description = "reviewed", body = PostmortemView), Refusals)
)]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<ReviewInput>, JsonRejection>,
) -> Result<Json<PostmortemView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(service::review(&state.ctx.pool, &caller.actor(p), id, &input, state.ctx.now()).await?))
}

#[utoipa::path(
    post,
    path = "/postmortems/{id}/comments",
    tag = "postmortems",
    summary = "Comment on the postmortem or one of its sections",
    description = "Role: responder.",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = CommentInput,
    responses((status = 201, description = "commented", body = PostmortemView), Refusals)
)]
pub async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<CommentInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PostmortemView>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let view = service::comment(&state.ctx.pool, &caller.actor(p), id, &input, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    post,
    path = "/postmortems/{id}/timeline",
    tag = "postmortems",
    summary = "Add a timeline entry (by hand, or a suggested pin with `source`)",
    description = "Role: responder.",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = TimelineInput,
    responses((status = 201, description = "added", body = PostmortemView), Refusals)
)]
pub async fn add_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<TimelineInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PostmortemView>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let view = service::add_timeline(&state.ctx.pool, &caller.actor(p), id, &input, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    patch,
    path = "/postmortems/{id}/timeline/{entry}",
    tag = "postmortems",
    summary = "Correct a timeline entry",
    description = "Role: responder.",
    params(("id" = Uuid, Path, description = "the postmortem"), ("entry" = Uuid, Path, description = "the entry")),
    request_body = TimelineInput,
    responses((status = 200, description = "corrected", body = PostmortemView), Refusals)
)]
pub async fn update_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, entry)): Path<(Uuid, Uuid)>,
    body: Result<Json<TimelineInput>, JsonRejection>,
) -> Result<Json<PostmortemView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(
        service::update_timeline(&state.ctx.pool, &caller.actor(p), id, entry, &input, state.ctx.now())
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/postmortems/{id}/timeline/{entry}",
    tag = "postmortems",
    summary = "Remove a timeline entry",
    description = "Role: responder.",
    params(("id" = Uuid, Path, description = "the postmortem"), ("entry" = Uuid, Path, description = "the entry")),
    responses((status = 200, description = "removed", body = PostmortemView), Refusals)
)]
pub async fn delete_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, entry)): Path<(Uuid, Uuid)>,
) -> Result<Json<PostmortemView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    Ok(Json(service::delete_timeline(&state.ctx.pool, &caller.actor(p), id, entry, state.ctx.now()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RecurrenceInput {
    /// The earlier incident: INC-13 or 13.
    pub incident: String,
    /// true confirms (linking both incidents), false dismisses.
    pub confirmed: bool,
}

#[utoipa::path(
    post,
    path = "/postmortems/{id}/recurrences",
    tag = "postmortems",
    summary = "Confirm or dismiss an earlier incident as the same problem recurring",
    description = "Role: responder.",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = RecurrenceInput,
    responses((status = 200, description = "decided", body = PostmortemView), Refusals)
)]
pub async fn decide_recurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<RecurrenceInput>, JsonRejection>,
) -> Result<Json<PostmortemView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let earlier: IncidentNumber =
        input.incident.parse().map_err(|e: domain::FieldError| e.in_field("incident"))?;
    Ok(Json(
        service::decide_recurrence(
            &state.ctx.pool,
            &caller.actor(p),
            id,
            earlier,
            input.confirmed,
            state.ctx.now(),
        )
        .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/postmortems/{id}/actions",
    tag = "postmortems",
    summary = "Add a corrective action (from a follow-up pin with `from_event`)",
    description = "Role: responder. Without `due_on`, the priority's window from today (high 4 weeks, others 8).",
    params(("id" = Uuid, Path, description = "the postmortem")),
    request_body = ActionInput,
    responses((status = 201, description = "added", body = ActionView), Refusals)
)]
pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<ActionInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ActionView>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let action = service::add_action(&state.ctx.pool, &caller.actor(p), id, &input, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(action)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ActionQuery {
    /// `me` or a user id.
    pub owner: Option<String>,
    /// A team's slug (its members' actions).
    pub team: Option<String>,
    /// `open`, `in_progress`, `done` or `wont_do`.
    pub status: Option<String>,
    pub overdue: Option<bool>,
}

#[utoipa::path(
    get,
    path = "/postmortem-actions",
    tag = "postmortems",
    summary = "Every corrective action, overdue first",
    description = "Role: viewer.",
    params(ActionQuery),
    responses((status = 200, description = "the actions", body = Vec<ActionView>), Refusals)
)]
pub async fn list_actions(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActionQuery>,
) -> Result<Json<Vec<ActionView>>, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let filter = service::ActionFilter {
        owner: me(q.owner.as_deref(), "owner", p.user_id.0)?,
        team: q.team.filter(|t| !t.is_empty()),
        status: q.status.as_deref().filter(|s| !s.is_empty()).map(str::parse).transpose()?,
        overdue: q.overdue.unwrap_or(false),
    };
    Ok(Json(service::action_list(&state.ctx.pool, &filter, state.ctx.now()).await?))
}

#[utoipa::path(
    patch,
    path = "/postmortem-actions/{id}",
    tag = "postmortems",
    summary = "Change a corrective action; `wont_do` needs a `reason`",
    description = "Role: responder.",
    params(("id" = Uuid, Path, description = "the action")),
    request_body = ActionChange,
    responses((status = 200, description = "changed", body = ActionView), Refusals)
)]
pub async fn update_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<ActionChange>, JsonRejection>,
) -> Result<Json<ActionView>, ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(change) = body.map_err(bad_json)?;
    Ok(Json(service::update_action(&state.ctx.pool, &caller.actor(p), id, &change, state.ctx.now()).await?))
}

#[utoipa::path(
    get,
    path = "/postmortem-policy",
    tag = "postmortems",
    summary = "Which severities get a postmortem on resolution, its business days, approvals, action windows",
    description = "Role: viewer.",
    responses((status = 200, description = "the policy", body = Policy), Refusals)
)]
pub async fn get_policy(State(state): State<AppState>, caller: Caller) -> Result<Json<Policy>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::policy(&state.ctx.pool).await?))
}

#[utoipa::path(
    put,
    path = "/postmortem-policy",
    tag = "postmortems",
    summary = "Change the postmortem policy",
    description = "Role: admin.",
    request_body = Policy,
    responses((status = 200, description = "the policy as saved", body = Policy), Refusals)
)]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Policy>, JsonRejection>,
) -> Result<Json<Policy>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(service::update_policy(&state.ctx.pool, &caller.actor(admin), input, state.ctx.now()).await?))
}

#[utoipa::path(
    get,
    path = "/postmortem-templates",
    tag = "postmortems",
    summary = "The templates: sections per range of severities (none stored: the built-in default serves all)",
    description = "Role: viewer.",
    responses((status = 200, description = "the templates", body = Vec<Template>), Refusals)
)]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Template>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::templates(&state.ctx.pool).await?))
}

#[utoipa::path(
    post,
    path = "/postmortem-templates",
    tag = "postmortems",
    summary = "Add a template; a severity belongs to one template at most (409 otherwise)",
    description = "Role: admin.",
    request_body = TemplateInput,
    responses((status = 201, description = "added", body = Template), Refusals)
)]
pub async fn create_template(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TemplateInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let t =
        service::save_template(&state.ctx.pool, &caller.actor(admin), None, &input, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(
    put,
    path = "/postmortem-templates/{id}",
    tag = "postmortems",
    summary = "Replace a template (postmortems already made keep the sections they started with)",
    description = "Role: admin.",
    params(("id" = Uuid, Path, description = "the template")),
    request_body = TemplateInput,
    responses((status = 200, description = "replaced", body = Template), Refusals)
)]
pub async fn put_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<TemplateInput>, JsonRejection>,
) -> Result<Json<Template>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(
        service::save_template(&state.ctx.pool, &caller.actor(admin), Some(id), &input, state.ctx.now())
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/postmortem-templates/{id}",
    tag = "postmortems",
    summary = "Remove a template",
    description = "Role: admin.",
    params(("id" = Uuid, Path, description = "the template")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn delete_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    service::delete_template(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
