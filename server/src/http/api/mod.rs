//! The REST API under `/api/v1`: one file per backend service, named after it
//! (`api/incidents.rs` calls `services::incidents`), mirroring the server fns in `app/src/api/`.

pub mod alerts;
pub mod analytics;
pub mod audit;
pub mod catalog;
pub mod contact;
pub mod incidents;
pub mod integration_keys;
pub mod paging;
pub mod policies;
pub mod postmortems;
pub mod retros;
pub mod schedules;
pub mod status_page;
pub mod teams;
pub mod timeline;
pub mod tokens;
pub mod users;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, http::error::ApiError};

/// Every `/api/v1` route, each registered with its `#[utoipa::path]` so the OpenAPI document
/// (`http::openapi`) is the router's own description. Handlers sharing a path share a `routes!`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(users::change_my_password))
        .routes(routes!(tokens::list_my_tokens, tokens::create_my_token))
        .routes(routes!(tokens::revoke_my_token))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_user))
        .routes(routes!(audit::audit_log))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(teams::set_team_member, teams::remove_team_member))
        .routes(routes!(teams::set_team_hours))
        .routes(routes!(analytics::response))
        .routes(routes!(analytics::interruptions))
        .routes(routes!(analytics::priority))
        .routes(routes!(analytics::noise))
        .routes(routes!(analytics::compare))
        .routes(routes!(analytics::postmortems))
        .routes(routes!(retros::get))
        .routes(routes!(retros::mark_page))
        .routes(routes!(retros::add_note))
        .routes(routes!(retros::add_action))
        .routes(routes!(retros::set_action_done))
        .routes(routes!(retros::set_mood))
        .routes(routes!(retros::held))
        .routes(routes!(catalog::list_services, catalog::create_service))
        .routes(routes!(catalog::get_service, catalog::update_service))
        .routes(routes!(integration_keys::list_keys, integration_keys::create_key))
        .routes(routes!(integration_keys::revoke_key))
        .routes(routes!(alerts::list_rejected))
        .routes(routes!(alerts::list_alerts))
        .routes(routes!(alerts::get_alert))
        .routes(routes!(incidents::list_incidents, incidents::declare_incident))
        .routes(routes!(incidents::get_incident, incidents::update_incident))
        .routes(routes!(incidents::transition_incident))
        .routes(routes!(incidents::assign_role))
        .routes(routes!(timeline::incident_timeline, timeline::add_note))
        .routes(routes!(timeline::pin_entry, timeline::unpin_entry))
        .routes(routes!(incidents::add_link))
        .routes(routes!(incidents::relate))
        .routes(routes!(incidents::handover))
        .routes(routes!(schedules::list, schedules::create))
        .routes(routes!(schedules::get, schedules::update, schedules::delete))
        .routes(routes!(schedules::oncall_at))
        .routes(routes!(schedules::shifts))
        .routes(routes!(schedules::add_override))
        .routes(routes!(schedules::delete_override))
        .routes(routes!(schedules::everyone))
        .routes(routes!(schedules::rotate_feed))
        .routes(routes!(policies::list_policies, policies::create_policy))
        .routes(routes!(policies::get_policy, policies::update_policy, policies::delete_policy))
        .routes(routes!(incidents::acknowledge))
        .routes(routes!(paging::page))
        .routes(routes!(paging::pages))
        .routes(routes!(contact::deliveries))
        .routes(routes!(contact::my_methods, contact::add_my_method))
        .routes(routes!(contact::remove_my_method))
        .routes(routes!(contact::test_my_method))
        .routes(routes!(contact::my_rules, contact::add_my_rule))
        .routes(routes!(contact::remove_my_rule))
        .routes(routes!(contact::user_methods, contact::add_user_method))
        .routes(routes!(contact::remove_user_method))
        .routes(routes!(contact::user_rules, contact::add_user_rule))
        .routes(routes!(contact::remove_user_rule))
        .routes(routes!(crate::http::live::events))
        .routes(routes!(status_page::get_settings, status_page::update_settings))
        .routes(routes!(status_page::list_components, status_page::create_component))
        .routes(routes!(status_page::update_component, status_page::delete_component))
        .routes(routes!(status_page::reorder_components))
        .routes(routes!(status_page::list_groups, status_page::create_group))
        .routes(routes!(status_page::update_group, status_page::delete_group))
        .routes(routes!(status_page::list_incidents, status_page::post_incident))
        .routes(routes!(status_page::post_update))
        .routes(routes!(postmortems::list))
        .routes(routes!(postmortems::for_incident, postmortems::create))
        .routes(routes!(postmortems::get, postmortems::save))
        .routes(routes!(postmortems::markdown))
        .routes(routes!(postmortems::transition))
        .routes(routes!(postmortems::review))
        .routes(routes!(postmortems::comment))
        .routes(routes!(postmortems::add_timeline))
        .routes(routes!(postmortems::update_timeline, postmortems::delete_timeline))
        .routes(routes!(postmortems::decide_recurrence))
        .routes(routes!(postmortems::add_action))
        .routes(routes!(postmortems::list_actions))
        .routes(routes!(postmortems::update_action))
        .routes(routes!(postmortems::get_policy, postmortems::put_policy))
        .routes(routes!(postmortems::list_templates, postmortems::create_template))
        .routes(routes!(postmortems::put_template, postmortems::delete_template))
        .routes(routes!(status_page::list_maintenances, status_page::schedule_maintenance))
        .routes(routes!(status_page::update_maintenance))
        .routes(routes!(status_page::cancel_maintenance))
        .routes(routes!(status_page::list_subscribers, status_page::add_subscriber))
        .routes(routes!(status_page::remove_subscriber))
        .routes(routes!(crate::http::status::uptime))
        .fallback(not_found)
}

pub async fn not_found() -> ApiError {
    ApiError::from(backend::Error::NotFound("API endpoint"))
}
