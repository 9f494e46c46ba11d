//! `/api/v1/schedules`, `/api/v1/oncall` and the calendar feed (`services::schedules`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use backend::services::schedules;
use chrono::{DateTime, Duration, Utc};
use domain::schedule::{OnCallAt, ShiftsOut};
use domain::{
    FieldError, Role,
    schedule::{
        LayerId, OnCallEntry, OverrideInput, ScheduleInput, ScheduleSummary, ScheduleView, Scope, Tier, input,
    },
};
use serde::{Deserialize, Serialize};
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

/// A schedule to save; `confirm` accepts soft fairness warnings (hard rules still refuse).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SaveSchedule {
    #[serde(flatten)]
    pub schedule: ScheduleInput,
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SaveOverride {
    #[serde(flatten)]
    pub input: OverrideInput,
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: Uuid,
}

fn when(field: &str, value: Option<&str>, default: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    match value {
        Some(v) => Ok(input::parse_instant(field, v)?),
        None => Ok(default),
    }
}

#[utoipa::path(
    get,
    path = "/schedules",
    tag = "schedules",
    summary = "Schedules with who is on call now and next",
    description = "Role: viewer.",
    responses((status = 200, description = "every schedule", body = Vec<ScheduleSummary>), Refusals)
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ScheduleSummary>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(schedules::list(&state.ctx.pool, state.ctx.now()).await?))
}

#[utoipa::path(
    get,
    path = "/schedules/{id}",
    tag = "schedules",
    summary = "One schedule with layers, overrides, fairness rules and your calendar feed URL",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the schedule")),
    responses((status = 200, description = "the schedule", body = ScheduleView), Refusals)
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<ScheduleView>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    let ctx = &state.ctx;
    Ok(Json(
        schedules::get(&ctx.pool, &ctx.keys, &ctx.config.public_url, id, me.user_id, state.ctx.now()).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/schedules",
    tag = "schedules",
    summary = "Make a schedule; broken fairness rules answer 409 until confirmed",
    description = "Role: admin.",
    request_body = SaveSchedule,
    responses((status = 201, description = "created", body = ScheduleView), Refusals)
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<SaveSchedule>, JsonRejection>,
) -> Result<(StatusCode, Json<ScheduleView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(save) = body.map_err(bad_json)?;
    let ctx = &state.ctx;
    let now = state.ctx.now();
    let id = schedules::create(&ctx.pool, &caller.actor(admin), &save.schedule, save.confirm, now).await?;
    let view = schedules::get(&ctx.pool, &ctx.keys, &ctx.config.public_url, id, admin.user_id, now).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    put,
    path = "/schedules/{id}",
    tag = "schedules",
    summary = "Replace a schedule; broken fairness rules answer 409 until confirmed",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the schedule")),
    request_body = SaveSchedule,
    responses((status = 200, description = "the schedule as saved", body = ScheduleView), Refusals)
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<SaveSchedule>, JsonRejection>,
) -> Result<Json<ScheduleView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(save) = body.map_err(bad_json)?;
    let ctx = &state.ctx;
    let now = state.ctx.now();
    schedules::update(&ctx.pool, &caller.actor(admin), id, &save.schedule, save.confirm, now).await?;
    Ok(Json(schedules::get(&ctx.pool, &ctx.keys, &ctx.config.public_url, id, admin.user_id, now).await?))
}

#[utoipa::path(
    delete,
    path = "/schedules/{id}",
    tag = "schedules",
    summary = "Delete a schedule",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the schedule")),
    responses((status = 204, description = "deleted"), Refusals)
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    schedules::delete(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Responders may add overrides on their own team's schedules (covering a colleague is everyday
/// on-call work); every override is audited with who made it.
#[utoipa::path(
    post,
    path = "/schedules/{id}/overrides",
    tag = "schedules",
    summary = "Someone covers a range (responders: their team's schedules, 14 days at most)",
    description = "Role: responder.",
    params(("id" = uuid::Uuid, Path, description = "the schedule")),
    request_body = SaveOverride,
    responses((status = 201, description = "the override's id", body = Created), Refusals)
)]
pub async fn add_override(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<SaveOverride>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let p = caller.require(Role::Responder)?;
    let Json(save) = body.map_err(bad_json)?;
    let oid = schedules::add_override(
        &state.ctx.pool,
        &caller.actor(p),
        p.role,
        id,
        &save.input,
        save.confirm,
        state.ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: oid })))
}

#[utoipa::path(
    delete,
    path = "/schedules/{id}/overrides/{override_id}",
    tag = "schedules",
    summary = "Remove an override",
    description = "Role: responder.",
    params(("id" = uuid::Uuid, Path, description = "the schedule"), ("override_id" = uuid::Uuid, Path, description = "the override")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn delete_override(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, oid)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let p = caller.require(Role::Responder)?;
    schedules::delete_override(&state.ctx.pool, &caller.actor(p), p.role, id, oid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct AtQuery {
    pub at: Option<String>,
}

#[utoipa::path(
    get,
    path = "/schedules/{id}/oncall",
    tag = "schedules",
    summary = "Who holds each stack and layer at an instant, and until when",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the schedule"), ("at" = Option<String>, Query, description = "RFC 3339; default now")),
    responses((status = 200, description = "who is on call", body = OnCallAt), Refusals)
)]
pub async fn oncall_at(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<AtQuery>,
) -> Result<Json<OnCallAt>, ApiError> {
    caller.require(Role::Viewer)?;
    let at = when("at", q.at.as_deref(), state.ctx.now())?;
    Ok(Json(schedules::oncall_at(&state.ctx.pool, id, at).await?))
}

#[derive(Debug, Deserialize)]
pub struct ShiftsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// `primary` (default), `secondary`, or a layer id.
    pub scope: Option<String>,
}

fn scope(s: Option<&str>) -> Result<Scope, ApiError> {
    match s.map(str::trim) {
        None | Some("") | Some("primary") => Ok(Scope::Tier(Tier::Primary)),
        Some("secondary") => Ok(Scope::Tier(Tier::Secondary)),
        Some(other) => Ok(Scope::Layer(LayerId(other.parse().map_err(|_| {
            FieldError::new("scope", format!("'{other}' is not primary, secondary or a layer id"))
        })?))),
    }
}

#[utoipa::path(
    get,
    path = "/schedules/{id}/shifts",
    tag = "schedules",
    summary = "Final shifts and gaps over a range of at most 366 days",
    description = "Role: viewer.",
    params(("id" = uuid::Uuid, Path, description = "the schedule"), ("from" = Option<String>, Query, description = "RFC 3339; default now"), ("to" = Option<String>, Query, description = "RFC 3339; default four weeks after from"), ("scope" = Option<String>, Query, description = "primary (default), secondary or a layer id")),
    responses((status = 200, description = "shifts and gaps", body = ShiftsOut), Refusals)
)]
pub async fn shifts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<ShiftsQuery>,
) -> Result<Json<ShiftsOut>, ApiError> {
    caller.require(Role::Viewer)?;
    let from = when("from", q.from.as_deref(), state.ctx.now())?;
    let to = when("to", q.to.as_deref(), from + Duration::weeks(4))?;
    let scope = scope(q.scope.as_deref())?;
    Ok(Json(schedules::shifts(&state.ctx.pool, id, scope, from, to).await?))
}

#[utoipa::path(
    get,
    path = "/oncall",
    tag = "schedules",
    summary = "Everyone on call now in every schedule and stack",
    description = "Role: viewer.",
    responses((status = 200, description = "who is on call", body = Vec<OnCallEntry>), Refusals)
)]
pub async fn everyone(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OnCallEntry>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(schedules::everyone_now(&state.ctx.pool, state.ctx.now()).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Rotated {
    pub generation: i32,
}

/// Voids every calendar feed URL of the caller; the schedules answer the new URLs.
#[utoipa::path(
    post,
    path = "/me/calendar-feed/rotate",
    tag = "me",
    summary = "Void every calendar feed URL of yours",
    description = "Role: viewer.",
    responses((status = 200, description = "the new generation", body = Rotated), Refusals)
)]
pub async fn rotate_feed(State(state): State<AppState>, caller: Caller) -> Result<Json<Rotated>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    let generation = schedules::rotate_feed(&state.ctx.pool, &caller.actor(me), me.user_id).await?;
    Ok(Json(Rotated { generation }))
}

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    pub token: Option<String>,
    pub layer: Option<Uuid>,
}

/// `GET /schedules/{id}/oncall.ics?token=...[&layer=...]`: no session (calendar apps have none);
/// the token is the credential.
pub async fn calendar(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<FeedQuery>,
) -> Response {
    let ctx = &state.ctx;
    let token = q.token.unwrap_or_default();
    match schedules::calendar(
        &ctx.pool,
        &ctx.keys,
        &ctx.config.public_url,
        id,
        &token,
        q.layer,
        state.ctx.now(),
    )
    .await
    {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
                (header::CONTENT_DISPOSITION, "inline; filename=\"oncall.ics\""),
            ],
            body,
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
