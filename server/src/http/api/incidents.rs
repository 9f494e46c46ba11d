//! `/api/v1/incidents` and `/api/v1/handovers`: declaring and running incidents (`services::incidents`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
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

use crate::http::{openapi::Refusals, query::Query};
use crate::{
    AppState,
    http::{
        caller::Caller,
        error::{ApiError, bad_json},
        path::Path,
    },
};

/// `GET /api/v1/incidents`: the dashboard list with its filters, a page at a time (`next`).
#[utoipa::path(
    get,
    path = "/incidents",
    tag = "incidents",
    summary = "The dashboard list: open first, most severe first, then newest",
    description = "Role: viewer.",
    params(("status" = Option<String>, Query, description = "open, closed, or statuses separated by commas"), ("severity" = Option<String>, Query, description = "severities separated by commas, e.g. SEV1,SEV2"), ("service" = Option<String>, Query, description = "a service slug"), ("team" = Option<String>, Query, description = "a team slug"), ("mine" = Option<bool>, Query, description = "only incidents where you hold a role"), ("q" = Option<String>, Query, description = "words in the title or description, each a prefix"), ("after" = Option<String>, Query, description = "the `next` cursor of the previous page"), ("limit" = Option<u32>, Query, description = "1-200, default 50")),
    responses((status = 200, description = "a page of incidents; `next` is absent on the last", body = IncidentPage), Refusals)
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<IncidentFilterInput>,
) -> Result<Json<IncidentPage>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    let filter = q.parse()?;
    Ok(Json(services::incidents::list_incidents(&state.ctx.pool, &filter, Some(me.user_id)).await?))
}

#[utoipa::path(
    post,
    path = "/incidents",
    tag = "incidents",
    summary = "Declare an incident",
    description = "Role: responder.",
    request_body = NewIncidentInput,
    responses((status = 201, description = "declared", body = IncidentView), Refusals)
)]
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

#[utoipa::path(
    get,
    path = "/incidents/{number}",
    tag = "incidents",
    summary = "One incident",
    description = "Role: viewer.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    responses((status = 200, description = "the incident", body = IncidentView), Refusals)
)]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Json<IncidentView>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::incidents::get_incident(&state.ctx.pool, number).await?))
}

/// `POST /api/v1/incidents/{number}/transitions {"to", "reason"?}`; 409 names the allowed moves.
#[utoipa::path(
    post,
    path = "/incidents/{number}/transitions",
    tag = "incidents",
    summary = "Move the incident to another status; 409 names the allowed ones",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = TransitionInput,
    responses((status = 200, description = "the incident", body = IncidentView), Refusals)
)]
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
#[utoipa::path(
    patch,
    path = "/incidents/{number}",
    tag = "incidents",
    summary = "Change fields: only those present change, null clears a time",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = IncidentPatchInput,
    responses((status = 200, description = "the incident", body = IncidentView), Refusals)
)]
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
    Ok(Json(
        services::incidents::update_incident(&state.ctx.pool, &actor, number, &patch, state.ctx.now())
            .await?,
    ))
}

/// `POST /api/v1/incidents/{number}/roles {"role", "user_id"}`: assign or reassign; a null
/// `user_id` leaves the role unheld.
#[utoipa::path(
    post,
    path = "/incidents/{number}/roles",
    tag = "incidents",
    summary = "Assign or reassign commander, communicator, scribe or fixer (null unassigns)",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = RoleInput,
    responses((status = 200, description = "the incident", body = IncidentView), Refusals)
)]
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
    Ok(Json(
        services::incidents::assign_role(&state.ctx.pool, &actor, number, role, user, state.ctx.now())
            .await?,
    ))
}

/// `POST /api/v1/handovers {"to", "from"?}`: every role `from` (default: the caller) holds on
/// open incidents moves to `to`.
#[utoipa::path(
    post,
    path = "/handovers",
    tag = "incidents",
    summary = "Move every role someone holds on open incidents to another person",
    description = "Role: responder.",
    request_body = HandoverInput,
    responses((status = 200, description = "what moved", body = HandoverView), Refusals)
)]
pub async fn handover(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<HandoverInput>, JsonRejection>,
) -> Result<Json<HandoverView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let from = input.from.map_or(responder.user_id, UserId);
    let actor = caller.actor(responder);
    let done = services::incidents::handover(
        &state.ctx.pool,
        &actor,
        responder.role,
        from,
        UserId(input.to),
        state.ctx.now(),
    )
    .await?;
    Ok(Json(done))
}

/// `POST /api/v1/incidents/{number}/links {"url", "label"?}`.
#[utoipa::path(
    post,
    path = "/incidents/{number}/links",
    tag = "incidents",
    summary = "Link a ticket or document",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = LinkInput,
    responses((status = 201, description = "the incident", body = IncidentView), Refusals)
)]
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
        Json(services::incidents::add_link(&state.ctx.pool, &actor, number, &link, state.ctx.now()).await?),
    ))
}

/// `POST /api/v1/incidents/{number}/related {"number", "reason"}`.
#[utoipa::path(
    post,
    path = "/incidents/{number}/related",
    tag = "incidents",
    summary = "Relate two incidents; both show it",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    request_body = RelatedInput,
    responses((status = 201, description = "the incident", body = IncidentView), Refusals)
)]
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
    let updated =
        services::incidents::relate(&state.ctx.pool, &actor, number, other, &reason, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(updated)))
}

/// `POST /api/v1/incidents/{number}/acknowledge`: stops the escalation.
#[utoipa::path(
    post,
    path = "/incidents/{number}/acknowledge",
    tag = "paging",
    summary = "Acknowledge: stops the escalation",
    description = "Role: responder.",
    params(("number" = String, Path, description = "the incident: INC-42 or 42")),
    responses((status = 200, description = "the incident", body = IncidentView), Refusals)
)]
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
