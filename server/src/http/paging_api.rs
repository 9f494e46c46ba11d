//! Escalation policies, acknowledging and paging from the API, contact methods and notification
//! rules (your own, or anyone's for admins), the delivery log, and the one-click acknowledge link.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use backend::services::{self, escalation};
use domain::{
    Role, UserId,
    escalation::{
        ContactMethodInput, ContactMethodView, DeliveryView, ManualPage, PageView, PolicyInput, PolicyView,
        RuleInput, RuleView,
    },
    incident::{IncidentNumber, IncidentStatus, IncidentView},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    AppState,
    http::{
        api::Caller,
        error::{ApiError, bad_json},
    },
};

pub async fn list_policies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PolicyView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(escalation::list_policies(&state.ctx.pool).await?))
}

pub async fn get_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<PolicyView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(escalation::get_policy(&state.ctx.pool, id).await?))
}

pub async fn create_policy(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PolicyInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PolicyView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok((
        StatusCode::CREATED,
        Json(escalation::save_policy(&state.ctx.pool, &caller.actor(admin), None, &input).await?),
    ))
}

pub async fn update_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<PolicyInput>, JsonRejection>,
) -> Result<Json<PolicyView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(escalation::save_policy(&state.ctx.pool, &caller.actor(admin), Some(id), &input).await?))
}

pub async fn delete_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    escalation::delete_policy(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/incidents/{number}/acknowledge`: stops the escalation.
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let actor = caller.actor(responder);
    Ok(Json(
        services::incidents::transition_incident(
            &state.ctx.pool,
            &actor,
            number,
            IncidentStatus::Acknowledged,
            None,
        )
        .await?,
    ))
}

#[derive(Debug, Serialize)]
pub struct Paged {
    pub paged: Vec<String>,
}

/// `POST /api/v1/incidents/{number}/page {"kind": "user"|"team"|"policy", "id"}`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    body: Result<Json<ManualPage>, JsonRejection>,
) -> Result<Json<Paged>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let Json(whom) = body.map_err(bad_json)?;
    let paged = services::paging::page_manually(
        &state.ctx.pool,
        &caller.actor(responder),
        number,
        &whom,
        state.ctx.now(),
    )
    .await?;
    Ok(Json(Paged { paged }))
}

pub async fn pages(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Json<Vec<PageView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::paging::pages(&state.ctx.pool, number.parse()?).await?))
}

#[derive(Debug, Deserialize)]
pub struct DeliveryQuery {
    pub incident: Option<String>,
    pub limit: Option<i64>,
}

/// The delivery log: every message handed to a channel, its status and last error.
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let number = q.incident.as_deref().map(str::parse::<IncidentNumber>).transpose()?;
    // Anyone may read an incident's page log; the whole log is for admins.
    caller.require(if number.is_some() { Role::Viewer } else { Role::Admin })?;
    Ok(Json(escalation::deliveries(&state.ctx.pool, number, q.limit.unwrap_or(100)).await?))
}

/// Whose contact settings a request is about: `me`, or (admins only) anyone's.
fn subject(caller: &Caller, user: Option<Uuid>) -> Result<(UserId, backend::actor::Actor), ApiError> {
    let me = caller.require(Role::Viewer)?;
    match user {
        Some(u) if UserId(u) != me.user_id => {
            let admin = caller.require(Role::Admin)?;
            Ok((UserId(u), caller.actor(admin)))
        }
        _ => Ok((me.user_id, caller.actor(me))),
    }
}

pub async fn my_methods(
    state: State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ContactMethodView>>, ApiError> {
    methods_of(state, caller, None).await
}

pub async fn user_methods(
    state: State<AppState>,
    caller: Caller,
    Path(user): Path<Uuid>,
) -> Result<Json<Vec<ContactMethodView>>, ApiError> {
    methods_of(state, caller, Some(user)).await
}

async fn methods_of(
    State(state): State<AppState>,
    caller: Caller,
    user: Option<Uuid>,
) -> Result<Json<Vec<ContactMethodView>>, ApiError> {
    let (user, _) = subject(&caller, user)?;
    Ok(Json(escalation::contact_methods(&state.ctx.pool, user).await?))
}

pub async fn add_my_method(
    state: State<AppState>,
    caller: Caller,
    body: Result<Json<ContactMethodInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactMethodView>), ApiError> {
    add_method(state, caller, None, body).await
}

pub async fn add_user_method(
    state: State<AppState>,
    caller: Caller,
    Path(user): Path<Uuid>,
    body: Result<Json<ContactMethodInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactMethodView>), ApiError> {
    add_method(state, caller, Some(user), body).await
}

async fn add_method(
    State(state): State<AppState>,
    caller: Caller,
    user: Option<Uuid>,
    body: Result<Json<ContactMethodInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactMethodView>), ApiError> {
    let (user, actor) = subject(&caller, user)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok((
        StatusCode::CREATED,
        Json(escalation::add_contact_method(&state.ctx.pool, &actor, user, &input).await?),
    ))
}

pub async fn remove_my_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    escalation::remove_contact_method(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_user_method(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, Some(user))?;
    escalation::remove_contact_method(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a test page on one of your contact methods; the engine sends it within a second.
pub async fn test_my_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, _) = subject(&caller, None)?;
    escalation::test_contact_method(&state.ctx.pool, user, id, state.ctx.now()).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn my_rules(state: State<AppState>, caller: Caller) -> Result<Json<Vec<RuleView>>, ApiError> {
    rules_of(state, caller, None).await
}

pub async fn user_rules(
    state: State<AppState>,
    caller: Caller,
    Path(user): Path<Uuid>,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    rules_of(state, caller, Some(user)).await
}

async fn rules_of(
    State(state): State<AppState>,
    caller: Caller,
    user: Option<Uuid>,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    let (user, _) = subject(&caller, user)?;
    Ok(Json(escalation::rules(&state.ctx.pool, user).await?))
}

pub async fn add_my_rule(
    state: State<AppState>,
    caller: Caller,
    body: Result<Json<RuleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    add_rule(state, caller, None, body).await
}

pub async fn add_user_rule(
    state: State<AppState>,
    caller: Caller,
    Path(user): Path<Uuid>,
    body: Result<Json<RuleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    add_rule(state, caller, Some(user), body).await
}

async fn add_rule(
    State(state): State<AppState>,
    caller: Caller,
    user: Option<Uuid>,
    body: Result<Json<RuleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    let (user, actor) = subject(&caller, user)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok((StatusCode::CREATED, Json(escalation::add_rule(&state.ctx.pool, &actor, user, &input).await?)))
}

pub async fn remove_my_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    escalation::remove_rule(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_user_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, Some(user))?;
    escalation::remove_rule(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn ack_page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} · Tocsin</title><link rel=\"stylesheet\" href=\"/pkg/tocsin.css\"></head>\
         <body><main class=\"ack-page\"><h1>{title}</h1>{body}</main></body></html>"
    );
    // The app's stylesheet and a form posting back here; nothing else.
    let csp =
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    ([(axum::http::header::CONTENT_SECURITY_POLICY, csp)], Html(html)).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /ack/{token}`: the page behind the link in a page. Acknowledging is a POST (one click on
/// this page), so a link preview or a mail scanner fetching the URL acknowledges nothing.
pub async fn ack_link(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some((incident, _)) = state.ctx.keys.verify_action("ack", &token, state.ctx.now()) else {
        return (
            StatusCode::NOT_FOUND,
            ack_page(
                "Link expired",
                "<p>This acknowledge link is not valid any more. Open Tocsin to acknowledge.</p>",
            ),
        )
            .into_response();
    };
    let Ok(Some(brief)) = backend::services::escalation::incident_brief(&state.ctx.pool, incident).await
    else {
        return (StatusCode::NOT_FOUND, ack_page("Not found", "<p>This incident no longer exists.</p>"))
            .into_response();
    };
    let title = format!("INC-{} {}", brief.number, escape(&brief.title));
    let body = format!(
        "<p>Status: <strong>{}</strong></p><form method=\"post\"><button type=\"submit\" class=\"button primary\">Acknowledge INC-{}</button></form>",
        brief.status, brief.number
    );
    ack_page(&title, &body)
}

/// `POST /ack/{token}`: acknowledges as the person the link was sent to.
pub async fn ack_submit(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some((incident, user)) = state.ctx.keys.verify_action("ack", &token, state.ctx.now()) else {
        return (
            StatusCode::NOT_FOUND,
            ack_page("Link expired", "<p>This acknowledge link is not valid any more.</p>"),
        )
            .into_response();
    };
    match backend::services::escalation::acknowledge_by_link(&state.ctx.pool, incident, user).await {
        Ok(number) => ack_page(
            "Acknowledged",
            &format!(
                "<p>You acknowledged INC-{number}. Escalation has stopped.</p><p><a href=\"/incidents/{number}\">Open the incident</a></p>"
            ),
        ),
        Err(backend::Error::Conflict(m)) => {
            (StatusCode::CONFLICT, ack_page("Not acknowledged", &format!("<p>{}</p>", escape(&m))))
                .into_response()
        }
        Err(e) => ApiError(e).into_response(),
    }
}
