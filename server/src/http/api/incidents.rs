//! `/api/v1/incidents` and `/api/v1/handovers`: declaring and running incidents (`services::incidents`).

use axum::{
    Json,
    extract::{Query, State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::{self};
use domain::{
    Role, UserId,
    incident::{
        HandoverInput, HandoverView, IncidentFilterInput, IncidentNumber, IncidentPage, IncidentPatchInput,
        IncidentStatus, IncidentView, LinkInput, NewIncidentInput, RelatedInput, RoleInput, TransitionInput,
    },
};

use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

/// `GET /api/v1/incidents`: the dashboard list with its filters, a page at a time (`next`).
pub async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<IncidentFilterInput>,
) -> Result<Json<IncidentPage>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    let filter = q.parse()?;
    Ok(Json(services::incidents::list_incidents(&state.ctx.pool, &filter, Some(me.user_id)).await?))
}

pub async fn declare_incident(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewIncidentInput>, JsonRejection>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let new = input.parse()?;
    let created = services::incidents::declare_incident(
        &state.ctx.pool,
        &caller.actor(responder),
        &new,
        state.ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<IncidentView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::incidents::get_incident(&state.ctx.pool, number).await?))
}

/// `POST /api/v1/incidents/{number}/transitions {"to", "reason"?}`; 409 names the allowed moves.
pub async fn transition_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<TransitionInput>, JsonRejection>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let to: IncidentStatus = input.to.parse()?;
    let actor = caller.actor(responder);
    let updated = services::incidents::transition_incident(
        &state.ctx.pool,
        &actor,
        number,
        to,
        input.reason.as_deref(),
        state.ctx.now(),
    )
    .await?;
    Ok(Json(updated))
}

/// `PATCH /api/v1/incidents/{number}`: only the fields present change; `severity` may come with
/// a `reason`.
pub async fn update_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<IncidentPatchInput>, JsonRejection>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let patch = input.parse()?;
    let actor = caller.actor(responder);
    Ok(Json(services::incidents::update_incident(&state.ctx.pool, &actor, number, &patch).await?))
}

/// `POST /api/v1/incidents/{number}/roles {"role", "user_id"}`: assign or reassign; a null
/// `user_id` leaves the role unheld.
pub async fn assign_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<RoleInput>, JsonRejection>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let (role, user) = input.parse()?;
    let actor = caller.actor(responder);
    Ok(Json(services::incidents::assign_role(&state.ctx.pool, &actor, number, role, user).await?))
}

/// `POST /api/v1/handovers {"to", "from"?}`: every role `from` (default: the caller) holds on
/// open incidents moves to `to`.
pub async fn handover(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<HandoverInput>, JsonRejection>,
) -> Result<Json<HandoverView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let from = input.from.map_or(responder.user_id, UserId);
    let actor = caller.actor(responder);
    let done = services::incidents::handover(&state.ctx.pool, &actor, responder.role, from, UserId(input.to))
        .await?;
    Ok(Json(done))
}

/// `POST /api/v1/incidents/{number}/links {"url", "label"?}`.
pub async fn add_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<LinkInput>, JsonRejection>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let link = input.parse()?;
    let actor = caller.actor(responder);
    Ok((
        StatusCode::CREATED,
        Json(services::incidents::add_link(&state.ctx.pool, &actor, number, &link).await?),
    ))
}

/// `POST /api/v1/incidents/{number}/related {"number", "reason"}`.
pub async fn relate(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
    body: Result<Json<RelatedInput>, JsonRejection>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let (other, reason) = input.parse()?;
    let actor = caller.actor(responder);
    let updated = services::incidents::relate(&state.ctx.pool, &actor, number, other, &reason).await?;
    Ok((StatusCode::CREATED, Json(updated)))
}

/// `POST /api/v1/incidents/{number}/acknowledge`: stops the escalation.
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let actor = caller.actor(responder);
    Ok(Json(
        services::incidents::transition_incident(
            &state.ctx.pool,
            &actor,
            number,
            IncidentStatus::Acknowledged,
            None,
            state.ctx.now(),
        )
        .await?,
    ))
}
