//! `/api/v1/status-page`: settings, components and groups (admins), public incidents and their
//! updates (responders) (`services::status_page`).

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use backend::services::status_page as service;
use domain::{
    Role,
    status::page::{
        ComponentInput, ComponentView, GroupInput, GroupView, MaintenanceChange, MaintenanceInput,
        NewPublicIncidentInput, PageSettings, PublicIncidentView, SettingsInput, SubscriberView, UpdateInput,
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
    },
};

#[utoipa::path(
    get,
    path = "/status-page/settings",
    tag = "status-page",
    summary = "The status page's settings",
    description = "Role: viewer.",
    responses((status = 200, description = "the settings", body = PageSettings), Refusals)
)]
pub async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PageSettings>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::settings(&state.ctx.pool).await?))
}

#[utoipa::path(
    patch,
    path = "/status-page/settings",
    tag = "status-page",
    summary = "Change the status page's settings; fields left out keep their value",
    description = "Role: admin.",
    request_body = SettingsInput,
    responses((status = 200, description = "the settings as changed", body = PageSettings), Refusals)
)]
pub async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<SettingsInput>, JsonRejection>,
) -> Result<Json<PageSettings>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    Ok(Json(service::update_settings(&state.ctx.pool, &caller.actor(admin), &input, state.ctx.now()).await?))
}

#[utoipa::path(
    get,
    path = "/status-page/components",
    tag = "status-page",
    summary = "The page's components, in page order",
    description = "Role: viewer.",
    responses((status = 200, description = "the components", body = Vec<ComponentView>), Refusals)
)]
pub async fn list_components(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ComponentView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::components(&state.ctx.pool).await?))
}

#[utoipa::path(
    post,
    path = "/status-page/components",
    tag = "status-page",
    summary = "Add a component to the page",
    description = "Role: admin.",
    request_body = ComponentInput,
    responses((status = 201, description = "created", body = ComponentView), Refusals)
)]
pub async fn create_component(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ComponentInput>, JsonRejection>,
) -> Result<(StatusCode, Json<ComponentView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let change = input.parse(true)?;
    let created =
        service::create_component(&state.ctx.pool, &caller.actor(admin), &change, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    patch,
    path = "/status-page/components/{id}",
    tag = "status-page",
    summary = "Change a component: fields left out keep their value; a status is logged like any",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the component")),
    request_body = ComponentInput,
    responses((status = 200, description = "the component as changed", body = ComponentView), Refusals)
)]
pub async fn update_component(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<ComponentInput>, JsonRejection>,
) -> Result<Json<ComponentView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let change = input.parse(false)?;
    Ok(Json(
        service::update_component(&state.ctx.pool, &caller.actor(admin), id, &change, state.ctx.now())
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/status-page/components/{id}",
    tag = "status-page",
    summary = "Remove a component and its history",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the component")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn delete_component(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    service::delete_component(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/status-page/groups",
    tag = "status-page",
    summary = "The page's component groups",
    description = "Role: viewer.",
    responses((status = 200, description = "the groups", body = Vec<GroupView>), Refusals)
)]
pub async fn list_groups(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<GroupView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::groups(&state.ctx.pool).await?))
}

#[utoipa::path(
    post,
    path = "/status-page/groups",
    tag = "status-page",
    summary = "Add a group of components",
    description = "Role: admin.",
    request_body = GroupInput,
    responses((status = 201, description = "created", body = GroupView), Refusals)
)]
pub async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<GroupInput>, JsonRejection>,
) -> Result<(StatusCode, Json<GroupView>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let input = input.parse(true)?;
    let created =
        service::create_group(&state.ctx.pool, &caller.actor(admin), &input, state.ctx.now()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    patch,
    path = "/status-page/groups/{id}",
    tag = "status-page",
    summary = "Rename, move or fold a group",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the group")),
    request_body = GroupInput,
    responses((status = 200, description = "the group as changed", body = GroupView), Refusals)
)]
pub async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Result<Json<GroupInput>, JsonRejection>,
) -> Result<Json<GroupView>, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let input = input.parse(false)?;
    Ok(Json(service::update_group(&state.ctx.pool, &caller.actor(admin), id, &input, state.ctx.now()).await?))
}

#[utoipa::path(
    delete,
    path = "/status-page/groups/{id}",
    tag = "status-page",
    summary = "Remove a group; its components stay, ungrouped",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the group")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    service::delete_group(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/status-page/incidents",
    tag = "status-page",
    summary = "Public incidents and maintenances, newest first, with the internal incident each tells about",
    description = "Role: viewer.",
    responses((status = 200, description = "recent and open ones", body = Vec<PublicIncidentView>), Refusals)
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PublicIncidentView>>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(service::page_data(&state.ctx.pool, state.ctx.now()).await?.incidents))
}

#[utoipa::path(
    post,
    path = "/status-page/incidents",
    tag = "status-page",
    summary = "Tell customers: a public incident with its first update, setting its components' states",
    description = "Role: responder. With `incident`, the post is also an entry on that incident's timeline.",
    request_body = NewPublicIncidentInput,
    responses((status = 201, description = "posted", body = PublicIncidentView), Refusals)
)]
pub async fn post_incident(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewPublicIncidentInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PublicIncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let new = input.parse()?;
    let posted = service::post_incident(
        &state.ctx.pool,
        &caller.actor(responder),
        &new,
        &state.ctx.config.public_url,
        state.ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

#[utoipa::path(
    post,
    path = "/status-page/incidents/{id}/updates",
    tag = "status-page",
    summary = "A later update: the status moves, the named components take their states",
    description = "Role: responder.",
    params(("id" = String, Path, description = "the public incident's public id")),
    request_body = UpdateInput,
    responses((status = 201, description = "posted", body = PublicIncidentView), Refusals)
)]
pub async fn post_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<UpdateInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PublicIncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    // The kind (incident or maintenance) decides which statuses fit: the service checks.
    let update = input.parse()?;
    let posted = service::post_update(
        &state.ctx.pool,
        &caller.actor(responder),
        &id,
        &update,
        &state.ctx.config.public_url,
        state.ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ComponentOrder {
    /// Component ids in their new order; their positions become 1, 2, 3...
    pub ids: Vec<Uuid>,
}

#[utoipa::path(
    put,
    path = "/status-page/components/order",
    tag = "status-page",
    summary = "Put components in an order (positions become 1, 2, 3...)",
    description = "Role: admin.",
    request_body = ComponentOrder,
    responses((status = 204, description = "reordered"), Refusals)
)]
pub async fn reorder_components(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ComponentOrder>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(order) = body.map_err(bad_json)?;
    service::reorder_components(&state.ctx.pool, &caller.actor(admin), &order.ids, state.ctx.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    patch,
    path = "/status-page/maintenances/{id}",
    tag = "status-page",
    summary = "Change a maintenance: anything before it starts; its name, end and auto_complete while it runs",
    description = "Role: responder. Moving the start sends a new reminder when its time comes. 409 once it is over.",
    params(("id" = String, Path, description = "the maintenance's public id")),
    request_body = MaintenanceChange,
    responses((status = 200, description = "changed", body = PublicIncidentView), Refusals)
)]
pub async fn update_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<MaintenanceChange>, JsonRejection>,
) -> Result<Json<PublicIncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(change) = body.map_err(bad_json)?;
    let changed =
        service::update_maintenance(&state.ctx.pool, &caller.actor(responder), &id, &change, state.ctx.now())
            .await?;
    Ok(Json(changed))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CancelInput {
    /// What subscribers and the page are told (default: that it was cancelled).
    pub body: Option<String>,
}

#[utoipa::path(
    post,
    path = "/status-page/maintenances/{id}/cancel",
    tag = "status-page",
    summary = "Cancel a maintenance that has not started",
    description = "Role: responder. It is closed with a last update its subscribers receive; 409 once it has started (post a completed update to end it early).",
    params(("id" = String, Path, description = "the maintenance's public id")),
    request_body = CancelInput,
    responses((status = 200, description = "cancelled", body = PublicIncidentView), Refusals)
)]
pub async fn cancel_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<CancelInput>, JsonRejection>,
) -> Result<Json<PublicIncidentView>, ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let cancelled = service::cancel_maintenance(
        &state.ctx.pool,
        &caller.actor(responder),
        &id,
        input.body.as_deref(),
        &state.ctx.config.public_url,
        state.ctx.now(),
    )
    .await?;
    Ok(Json(cancelled))
}

#[utoipa::path(
    get,
    path = "/status-page/maintenances",
    tag = "status-page",
    summary = "Scheduled maintenances, newest first",
    description = "Role: viewer.",
    responses((status = 200, description = "recent and open ones", body = Vec<PublicIncidentView>), Refusals)
)]
pub async fn list_maintenances(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PublicIncidentView>>, ApiError> {
    caller.require(Role::Viewer)?;
    let data = service::page_data(&state.ctx.pool, state.ctx.now()).await?;
    Ok(Json(data.incidents.into_iter().filter(|i| i.maintenance).collect()))
}

#[utoipa::path(
    post,
    path = "/status-page/maintenances",
    tag = "status-page",
    summary = "Schedule a maintenance: customers see it coming; it starts and completes by itself",
    description = "Role: responder. While in progress its components show under_maintenance; when it ends each goes back to what it would be without it.",
    request_body = MaintenanceInput,
    responses((status = 201, description = "scheduled", body = PublicIncidentView), Refusals)
)]
pub async fn schedule_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<MaintenanceInput>, JsonRejection>,
) -> Result<(StatusCode, Json<PublicIncidentView>), ApiError> {
    let responder = caller.require(Role::Responder)?;
    let Json(input) = body.map_err(bad_json)?;
    let m = input.parse()?;
    let posted = service::schedule_maintenance(
        &state.ctx.pool,
        &caller.actor(responder),
        &m,
        &state.ctx.config.public_url,
        state.ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

#[utoipa::path(
    get,
    path = "/status-page/subscribers",
    tag = "status-page",
    summary = "Subscribers: email (confirmed or waiting) and webhook",
    description = "Role: admin.",
    responses((status = 200, description = "every subscriber", body = Vec<SubscriberView>), Refusals)
)]
pub async fn list_subscribers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SubscriberView>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(service::subscribers::list(&state.ctx.pool).await?))
}

/// A webhook subscriber, as an admin adds one.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewWebhookSubscriber {
    /// An http(s) URL; internal addresses only where TOCSIN_OUTBOUND_ALLOW allows them.
    pub address: String,
    /// Component ids; empty or left out: every component.
    #[serde(default)]
    pub components: Vec<Uuid>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedWebhookSubscriber {
    pub subscriber: SubscriberView,
    /// The Standard Webhooks signing secret, shown this once.
    pub secret: String,
}

#[utoipa::path(
    post,
    path = "/status-page/subscribers",
    tag = "status-page",
    summary = "Add a webhook subscriber: every update is POSTed to it as JSON, signed per Standard Webhooks",
    description = "Role: admin. People subscribe by email themselves, on the status page.",
    request_body = NewWebhookSubscriber,
    responses((status = 201, description = "added, with its secret", body = CreatedWebhookSubscriber), Refusals)
)]
pub async fn add_subscriber(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewWebhookSubscriber>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedWebhookSubscriber>), ApiError> {
    let admin = caller.require(Role::Admin)?;
    let Json(input) = body.map_err(bad_json)?;
    let (subscriber, secret) = service::subscribers::add_webhook(
        &state.ctx.pool,
        &caller.actor(admin),
        &input.address,
        &input.components,
        state.ctx.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedWebhookSubscriber { subscriber, secret })))
}

#[utoipa::path(
    delete,
    path = "/status-page/subscribers/{id}",
    tag = "status-page",
    summary = "Remove a subscriber",
    description = "Role: admin.",
    params(("id" = uuid::Uuid, Path, description = "the subscriber")),
    responses((status = 204, description = "removed"), Refusals)
)]
pub async fn remove_subscriber(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(Role::Admin)?;
    service::subscribers::remove(&state.ctx.pool, &caller.actor(admin), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
