//! The REST API under `/api/v1`: JSON in and out, bearer tokens or the session cookie.
//! Each handler: `Caller` authenticates, `.require(role)` authorises, the backend does the work.

use axum::{
    Json,
    extract::{FromRequestParts, Path, Query, State, rejection::JsonRejection},
    http::{StatusCode, request::Parts},
};
use backend::{actor::Actor, auth::Principal, services};
use domain::{
    ApiTokenLabel, ApiTokenView, CreatedApiToken, Me, NewUserInput, Role, UserId, UserView,
    audit::AuditPage,
    incident::{
        HandoverInput, HandoverView, IncidentFilterInput, IncidentNumber, IncidentPage, IncidentPatchInput,
        IncidentStatus, IncidentView, LinkInput, NewIncidentInput, NoteInput, PinInput, RelatedInput,
        RoleInput, TimelineEntryView, TransitionInput,
    },
    team::{NewServiceInput, NewTeamInput, ServiceView, Slug, TeamRole, TeamView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    http::error::{ApiError, bad_json},
};

/// The caller of a request, if authenticated. `require` is the one way a handler demands a role.
pub struct Caller {
    principal: Option<Principal>,
    request_id: Option<String>,
}

impl Caller {
    pub fn require(&self, role: Role) -> Result<&Principal, ApiError> {
        Ok(backend::auth::require_role(self.principal.as_ref(), role)?)
    }

    pub fn actor(&self, p: &Principal) -> Actor {
        p.actor(self.request_id.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            principal: parts.extensions.get::<Principal>().cloned(),
            request_id: parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned),
        })
    }
}

pub async fn not_found() -> ApiError {
    ApiError(backend::Error::NotFound("API endpoint"))
}

pub async fn me(caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(caller.require(Role::Viewer)?.me()))
}

pub async fn list_my_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    Ok(Json(services::tokens::list_tokens(&state.ctx.pool, me.user_id).await?))
}

#[derive(Deserialize)]
pub struct NewToken {
    label: String,
}

pub async fn create_my_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewToken>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    let me = caller.require(Role::Viewer)?;
    let Json(body) = body.map_err(bad_json)?;
    let label = ApiTokenLabel::parse(&body.label)?;
    let created =
        services::tokens::create_token(&state.ctx.pool, &caller.actor(me), me.user_id, &label).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn revoke_my_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<ApiTokenView>, ApiError> {
    let me = caller.require(Role::Viewer)?;
    Ok(Json(services::tokens::revoke_token(&state.ctx.pool, &caller.actor(me), me.user_id, id).await?))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/audit-log?before=&limit=`: newest first; `next_before` pages further back.
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::audit::audit_page(&state.ctx.pool, q.before, q.limit).await?))
}

pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(services::users::list_users(&state.ctx.pool).await?))
}

pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewUserInput>, JsonRejection>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let (user, password) = input.parse()?;
    let created =
        services::users::create_user(&state.ctx.pool, &caller.actor(admin), &user, &password).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    role: Option<String>,
    disabled: Option<bool>,
}

/// Changes a user's role and/or disabled flag. Each change is its own audited operation.
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(patch) = body.map_err(bad_json)?;
    let role: Option<Role> = patch.role.as_deref().map(str::parse).transpose()?;
    if role.is_none() && patch.disabled.is_none() {
        return Err(domain::FieldError::new("body", "nothing to change: give role and/or disabled").into());
    }
    let change = services::users::UserChange { role, disabled: patch.disabled };
    Ok(Json(services::users::update_user(&state.ctx.pool, &caller.actor(admin), UserId(id), change).await?))
}

pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TeamView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::teams::list_teams(&state.ctx.pool).await?))
}

pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewTeamInput>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let (name, slug) = input.parse()?;
    let team = services::teams::create_team(&state.ctx.pool, &caller.actor(admin), &name, &slug).await?;
    Ok((StatusCode::CREATED, Json(team)))
}

#[derive(Deserialize)]
pub struct MemberBody {
    role: String,
}

/// `PUT /api/v1/teams/{slug}/members/{user_id} {"role": "lead"|"member"}`: adds or changes.
pub async fn set_team_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, user)): Path<(String, Uuid)>,
    body: Result<Json<MemberBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(body) = body.map_err(bad_json)?;
    let team = Slug::parse(&team)?;
    let role: TeamRole = body.role.parse()?;
    services::teams::set_member(&state.ctx.pool, &caller.actor(admin), &team, UserId(user), role).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_team_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((team, user)): Path<(String, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let team = Slug::parse(&team)?;
    services::teams::remove_member(&state.ctx.pool, &caller.actor(admin), &team, UserId(user)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_services(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ServiceView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(services::teams::list_services(&state.ctx.pool).await?))
}

pub async fn create_service(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewServiceInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ServiceView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let service = input.parse()?;
    let created = services::teams::create_service(&state.ctx.pool, &caller.actor(admin), &service).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

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
    let created =
        services::incidents::declare_incident(&state.ctx.pool, &caller.actor(responder), &new).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Json<IncidentView>, ApiError> {
    caller.require(Role::Viewer)?;
    let number: IncidentNumber = number.parse()?;
    Ok(Json(services::incidents::get_incident(&state.ctx.pool, number).await?))
}

/// `POST /api/v1/incidents/{number}/transitions {"to", "reason"?}`; 409 names the allowed moves.
pub async fn transition_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    body: Result<Json<TransitionInput>, JsonRejection>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let Json(input) = body.map_err(bad_json)?;
    let to: IncidentStatus = input.to.parse()?;
    let actor = caller.actor(responder);
    let updated = services::incidents::transition_incident(
        &state.ctx.pool,
        &actor,
        number,
        to,
        input.reason.as_deref(),
    )
    .await?;
    Ok(Json(updated))
}

pub async fn incident_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Json<Vec<TimelineEntryView>>, ApiError> {
    caller.require(Role::Viewer)?;
    let number: IncidentNumber = number.parse()?;
    Ok(Json(services::timeline::timeline(&state.ctx.pool, number).await?))
}

/// `PATCH /api/v1/incidents/{number}`: only the fields present change; `severity` may come with
/// a `reason`.
pub async fn update_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    body: Result<Json<IncidentPatchInput>, JsonRejection>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
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
    Path(number): Path<String>,
    body: Result<Json<RoleInput>, JsonRejection>,
) -> Result<Json<IncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
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

/// `POST /api/v1/incidents/{number}/timeline {"body"}`: a note in Markdown.
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    body: Result<Json<NoteInput>, JsonRejection>,
) -> Result<(StatusCode, Json<TimelineEntryView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let Json(input) = body.map_err(bad_json)?;
    let note = input.parse()?;
    let actor = caller.actor(responder);
    let entry = services::timeline::add_note(&state.ctx.pool, &actor, number, &note).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// `PUT /api/v1/incidents/{number}/timeline/{id}/pin {"pin": "papertrail" | "follow_up" | null}`.
pub async fn pin_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, event)): Path<(String, i64)>,
    body: Result<Json<PinInput>, JsonRejection>,
) -> Result<Json<TimelineEntryView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let Json(input) = body.map_err(bad_json)?;
    let pin = input.parse()?;
    let actor = caller.actor(responder);
    Ok(Json(services::timeline::set_pin(&state.ctx.pool, &actor, number, event, pin).await?))
}

/// `DELETE /api/v1/incidents/{number}/timeline/{id}/pin`: unpin.
pub async fn unpin_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, event)): Path<(String, i64)>,
) -> Result<Json<TimelineEntryView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let actor = caller.actor(responder);
    Ok(Json(services::timeline::set_pin(&state.ctx.pool, &actor, number, event, None).await?))
}

/// `POST /api/v1/incidents/{number}/links {"url", "label"?}`.
pub async fn add_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    body: Result<Json<LinkInput>, JsonRejection>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
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
    Path(number): Path<String>,
    body: Result<Json<RelatedInput>, JsonRejection>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let number: IncidentNumber = number.parse()?;
    let Json(input) = body.map_err(bad_json)?;
    let (other, reason) = input.parse()?;
    let actor = caller.actor(responder);
    let updated = services::incidents::relate(&state.ctx.pool, &actor, number, other, &reason).await?;
    Ok((StatusCode::CREATED, Json(updated)))
}
