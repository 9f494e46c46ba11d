//! Contact methods, notification rules and deliveries (`services::contact`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{
    Role, UserId,
    incident::IncidentNumber,
    notification::{ContactMethodInput, ContactMethodView, DeliveryView, RuleInput, RuleView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::{openapi::Refusals, query::Query};
use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

#[derive(Debug, Deserialize)]
pub struct DeliveryQuery {
    pub incident: Option<String>,
    pub limit: Option<i64>,
}

/// The delivery log: every message handed to a channel, its status and last error.
#[utoipa::path(
    get,
    path = "/deliveries",
    tag = "paging",
    summary = "Every message handed to a channel, its status and last error",
    description = "Role: viewer for one incident's, admin for the whole log.",
    params(("incident" = Option<String>, Query, description = "only this incident's messages"), ("limit" = Option<i64>, Query, description = "default 100")),
    responses((status = 200, description = "the messages", body = Vec<DeliveryView>), Refusals)
)]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    // Anyone may read an incident's page log; the whole log is for admins. Who is asking is
    // settled before what they asked is read.
    caller.require(if q.incident.is_some() { Role::Viewer } else { Role::Admin })?;
    let number = q.incident.as_deref().map(str::parse::<IncidentNumber>).transpose()?;
    Ok(Json(services::contact::deliveries(&state.ctx.pool, number, q.limit.unwrap_or(100)).await?))
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

#[utoipa::path(
    get,
    path = "/me/contact-methods",
    tag = "me",
    summary = "How you are reached",
    description = "Role: viewer.",
    responses((status = 200, description = "your contact methods", body = Vec<ContactMethodView>), Refusals)
)]
pub async fn my_methods(
    state: State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ContactMethodView>>, ApiError> {
    methods_of(state, caller, None).await
}

#[utoipa::path(
    get,
    path = "/users/{id}/contact-methods",
    tag = "users",
    summary = "How someone is reached",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user")),
    responses((status = 200, description = "their contact methods", body = Vec<ContactMethodView>), Refusals)
)]
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
    Ok(Json(services::contact::contact_methods(&state.ctx.pool, user).await?))
}

#[utoipa::path(
    post,
    path = "/me/contact-methods",
    tag = "me",
    summary = "Add a contact method",
    description = "Role: viewer.",
    request_body = ContactMethodInput,
    responses((status = 201, description = "added", body = ContactMethodView), Refusals)
)]
pub async fn add_my_method(
    state: State<AppState>,
    caller: Caller,
    body: Result<Json<ContactMethodInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactMethodView>), ApiError> {
    add_method(state, caller, None, body).await
}

#[utoipa::path(
    post,
    path = "/users/{id}/contact-methods",
    tag = "users",
    summary = "Add a contact method for someone",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user")),
    request_body = ContactMethodInput,
    responses((status = 201, description = "added", body = ContactMethodView), Refusals)
)]
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
        Json(services::contact::add_contact_method(&state.ctx.pool, &actor, user, &input).await?),
    ))
}

#[utoipa::path(
    delete,
    path = "/me/contact-methods/{id}",
    tag = "me",
    summary = "Remove a contact method",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the contact method")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn remove_my_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    services::contact::remove_contact_method(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/users/{id}/contact-methods/{method}",
    tag = "users",
    summary = "Remove someone's contact method",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user"), ("method" = uuid::Uuid, Path, description = "the contact method")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn remove_user_method(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, Some(user))?;
    services::contact::remove_contact_method(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a test page on one of your contact methods; the engine sends it within a second.
#[utoipa::path(
    post,
    path = "/me/contact-methods/{id}/test",
    tag = "me",
    summary = "Send a test page (at most 5 an hour)",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the contact method")),
    responses((status = 202, description = "queued: the engine sends it within a second"), Refusals)
)]
pub async fn test_my_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    services::contact::test_contact_method(&state.ctx.pool, &actor, user, id, state.ctx.now()).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    get,
    path = "/me/notification-rules",
    tag = "me",
    summary = "When each of your methods is used after a page",
    description = "Role: viewer.",
    responses((status = 200, description = "your rules", body = Vec<RuleView>), Refusals)
)]
pub async fn my_rules(state: State<AppState>, caller: Caller) -> Result<Json<Vec<RuleView>>, ApiError> {
    rules_of(state, caller, None).await
}

#[utoipa::path(
    get,
    path = "/users/{id}/notification-rules",
    tag = "users",
    summary = "Someone's notification rules",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user")),
    responses((status = 200, description = "their rules", body = Vec<RuleView>), Refusals)
)]
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
    Ok(Json(services::contact::rules(&state.ctx.pool, user).await?))
}

#[utoipa::path(
    post,
    path = "/me/notification-rules",
    tag = "me",
    summary = "Add a notification rule",
    description = "Role: viewer.",
    request_body = RuleInput,
    responses((status = 201, description = "added", body = RuleView), Refusals)
)]
pub async fn add_my_rule(
    state: State<AppState>,
    caller: Caller,
    body: Result<Json<RuleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    add_rule(state, caller, None, body).await
}

#[utoipa::path(
    post,
    path = "/users/{id}/notification-rules",
    tag = "users",
    summary = "Add a notification rule for someone",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user")),
    request_body = RuleInput,
    responses((status = 201, description = "added", body = RuleView), Refusals)
)]
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
    Ok((StatusCode::CREATED, Json(services::contact::add_rule(&state.ctx.pool, &actor, user, &input).await?)))
}

#[utoipa::path(
    delete,
    path = "/me/notification-rules/{id}",
    tag = "me",
    summary = "Remove a notification rule",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the rule")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn remove_my_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    services::contact::remove_rule(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/users/{id}/notification-rules/{rule}",
    tag = "users",
    summary = "Remove someone's notification rule",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the user"), ("rule" = uuid::Uuid, Path, description = "the rule")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn remove_user_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, Some(user))?;
    services::contact::remove_rule(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
