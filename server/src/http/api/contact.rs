//! Contact methods, notification rules and deliveries (`services::contact`).

use axum::{
    Json,
    extract::{Query, State, rejection::JsonRejection},
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
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let number = q.incident.as_deref().map(str::parse::<IncidentNumber>).transpose()?;
    // Anyone may read an incident's page log; the whole log is for admins.
    caller.require(if number.is_some() { Role::Viewer } else { Role::Admin })?;
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
    Ok(Json(services::contact::contact_methods(&state.ctx.pool, user).await?))
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
        Json(services::contact::add_contact_method(&state.ctx.pool, &actor, user, &input).await?),
    ))
}

pub async fn remove_my_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    services::contact::remove_contact_method(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
pub async fn test_my_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    services::contact::test_contact_method(&state.ctx.pool, &actor, user, id, state.ctx.now()).await?;
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
    Ok(Json(services::contact::rules(&state.ctx.pool, user).await?))
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
    Ok((StatusCode::CREATED, Json(services::contact::add_rule(&state.ctx.pool, &actor, user, &input).await?)))
}

pub async fn remove_my_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, None)?;
    services::contact::remove_rule(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_user_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let (user, actor) = subject(&caller, Some(user))?;
    services::contact::remove_rule(&state.ctx.pool, &actor, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
