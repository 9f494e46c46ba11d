//! The REST API under `/api/v1`: one file per backend service, named after it
//! (`api/incidents.rs` calls `services::incidents`), mirroring the server fns in `app/src/api/`.

pub mod alerts;
pub mod audit;
pub mod catalog;
pub mod contact;
pub mod incidents;
pub mod integration_keys;
pub mod paging;
pub mod policies;
pub mod schedules;
pub mod teams;
pub mod timeline;
pub mod tokens;
pub mod users;

use axum::{
    Router,
    routing::{delete, get, post, put},
};

use crate::{AppState, http::error::ApiError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(users::me))
        .route("/me/password", put(users::change_my_password))
        .route("/me/tokens", get(tokens::list_my_tokens).post(tokens::create_my_token))
        .route("/me/tokens/{id}", delete(tokens::revoke_my_token))
        .route("/users", get(users::list_users).post(users::create_user))
        .route("/audit-log", get(audit::audit_log))
        .route("/teams", get(teams::list_teams).post(teams::create_team))
        .route(
            "/teams/{slug}/members/{user_id}",
            put(teams::set_team_member).delete(teams::remove_team_member),
        )
        .route("/services", get(catalog::list_services).post(catalog::create_service))
        .route("/services/{slug}", get(catalog::get_service).patch(catalog::update_service))
        .route(
            "/services/{slug}/integration-keys",
            get(integration_keys::list_keys).post(integration_keys::create_key),
        )
        .route("/services/{slug}/integration-keys/{id}", delete(integration_keys::revoke_key))
        .route("/services/{slug}/rejected-events", get(alerts::list_rejected))
        .route("/alerts", get(alerts::list_alerts))
        .route("/alerts/{id}", get(alerts::get_alert))
        .route("/incidents", get(incidents::list_incidents).post(incidents::declare_incident))
        .route("/incidents/{number}", get(incidents::get_incident).patch(incidents::update_incident))
        .route("/incidents/{number}/transitions", post(incidents::transition_incident))
        .route("/incidents/{number}/roles", post(incidents::assign_role))
        .route("/incidents/{number}/timeline", get(timeline::incident_timeline).post(timeline::add_note))
        .route(
            "/incidents/{number}/timeline/{id}/pin",
            put(timeline::pin_entry).post(timeline::pin_entry).delete(timeline::unpin_entry),
        )
        .route("/incidents/{number}/links", post(incidents::add_link))
        .route("/incidents/{number}/related", post(incidents::relate))
        .route("/handovers", post(incidents::handover))
        .route("/schedules", get(schedules::list).post(schedules::create))
        .route("/schedules/{id}", get(schedules::get).put(schedules::update).delete(schedules::delete))
        .route("/schedules/{id}/oncall", get(schedules::oncall_at))
        .route("/schedules/{id}/shifts", get(schedules::shifts))
        .route("/schedules/{id}/overrides", post(schedules::add_override))
        .route("/schedules/{id}/overrides/{override_id}", delete(schedules::delete_override))
        .route("/oncall", get(schedules::everyone))
        .route("/me/calendar-feed/rotate", post(schedules::rotate_feed))
        .route("/escalation-policies", get(policies::list_policies).post(policies::create_policy))
        .route(
            "/escalation-policies/{id}",
            get(policies::get_policy).put(policies::update_policy).delete(policies::delete_policy),
        )
        .route("/incidents/{number}/acknowledge", post(incidents::acknowledge))
        .route("/incidents/{number}/page", post(paging::page))
        .route("/incidents/{number}/pages", get(paging::pages))
        .route("/deliveries", get(contact::deliveries))
        .route("/me/contact-methods", get(contact::my_methods).post(contact::add_my_method))
        .route("/me/contact-methods/{id}", delete(contact::remove_my_method))
        .route("/me/contact-methods/{id}/test", post(contact::test_my_method))
        .route("/me/notification-rules", get(contact::my_rules).post(contact::add_my_rule))
        .route("/me/notification-rules/{id}", delete(contact::remove_my_rule))
        .route("/users/{id}/contact-methods", get(contact::user_methods).post(contact::add_user_method))
        .route("/users/{id}/contact-methods/{method}", delete(contact::remove_user_method))
        .route("/users/{id}/notification-rules", get(contact::user_rules).post(contact::add_user_rule))
        .route("/users/{id}/notification-rules/{rule}", delete(contact::remove_user_rule))
        .route("/events", get(crate::http::live::events))
        .route("/users/{id}", axum::routing::patch(users::update_user))
        .fallback(not_found)
}

pub async fn not_found() -> ApiError {
    ApiError::from(backend::Error::NotFound("API endpoint"))
}
