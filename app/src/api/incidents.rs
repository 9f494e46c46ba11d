//! Server fns for the incident pages. Each authorises, parses with the same domain parser as the
//! REST API, and calls the same backend operation: there is no second implementation.

use domain::{
    UserView,
    incident::{IncidentFilterInput, IncidentPage, IncidentView, NewIncidentInput},
};
use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(super) fn number(n: &str) -> Result<domain::incident::IncidentNumber, AppError> {
    n.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))
}

#[cfg(feature = "ssr")]
pub(super) fn invalid(e: domain::FieldError) -> AppError {
    crate::ssr::fail(e.into())
}

/// A responder acting on one incident: what every changing server fn here starts with.
#[cfg(feature = "ssr")]
pub(super) struct Act {
    pub(super) ctx: backend::AppContext,
    pub(super) me: backend::auth::Principal,
    pub(super) actor: backend::actor::Actor,
    pub(super) number: domain::incident::IncidentNumber,
}

#[cfg(feature = "ssr")]
pub(super) fn act(number: &str) -> Result<Act, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let number = self::number(number)?;
    let actor = crate::ssr::actor(&me);
    Ok(Act { ctx, me, actor, number })
}

#[cfg(feature = "ssr")]
async fn patch(a: Act, input: domain::incident::IncidentPatchInput) -> Result<IncidentView, AppError> {
    let patch = input.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::incidents::update_incident(&a.ctx.pool, &a.actor, a.number, &patch, a.ctx.now())
            .await,
    )
}

// JSON rather than the default form encoding: optional fields of a struct argument do not
// survive the query-string round trip.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn list_incidents(filter: IncidentFilterInput) -> Result<IncidentPage, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let filter = filter.parse().map_err(invalid)?;
    crate::ssr::edge(backend::services::incidents::list_incidents(&ctx.pool, &filter, Some(me.user_id)).await)
}

#[server]
pub async fn get_incident(number: String) -> Result<IncidentView, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::incidents::get_incident(&ctx.pool, self::number(&number)?).await)
}

/// People who can hold incident roles: active responders and admins.
#[server]
pub async fn list_responders() -> Result<Vec<UserView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let users = crate::ssr::edge(backend::services::users::list_users(&ctx.pool).await)?;
    Ok(users.into_iter().filter(|u| !u.disabled && u.role.includes(domain::Role::Responder)).collect())
}

/// Whom to hand over to by default: the next on-call after the caller, from the schedules.
#[server]
pub async fn handover_suggestion() -> Result<Option<(domain::UserId, String)>, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let next =
        crate::ssr::edge(backend::services::schedules::successor(&ctx.pool, me.user_id, ctx.now()).await)?;
    Ok(next.map(|(p, schedule)| (p.id, format!("{} is on call after you in {schedule}", p.name))))
}

#[server]
pub async fn declare_incident(input: NewIncidentInput) -> Result<IncidentView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let new = input.parse().map_err(invalid)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::incidents::declare_incident(&ctx.pool, &actor, &new, ctx.now()).await)
}

#[server]
pub async fn transition_incident(
    number: String,
    to: String,
    reason: Option<String>,
) -> Result<IncidentView, AppError> {
    let a = act(&number)?;
    let to = to.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::incidents::transition_incident(
            &a.ctx.pool,
            &a.actor,
            a.number,
            to,
            reason.as_deref(),
            a.ctx.now(),
        )
        .await,
    )
}

#[server]
pub async fn change_severity(
    number: String,
    severity: String,
    reason: String,
) -> Result<IncidentView, AppError> {
    let a = act(&number)?;
    let input = domain::incident::IncidentPatchInput {
        severity: Some(severity),
        reason: Some(reason),
        ..Default::default()
    };
    patch(a, input).await
}

/// The details form: times are wall-clock in the editor's own time zone.
#[server]
pub async fn edit_incident(
    number: String,
    title: String,
    description: String,
    customer_impact: Option<String>,
    impact_started_at: String,
    impact_ended_at: String,
    root_cause_tags: String,
) -> Result<IncidentView, AppError> {
    use domain::incident::local_input_to_utc;
    let a = act(&number)?;
    let zone = a.me.time_zone.clone();
    let input = domain::incident::IncidentPatchInput {
        title: Some(title),
        description: Some(description),
        customer_impact: Some(customer_impact.is_some()),
        impact_started_at: Some(
            local_input_to_utc("impact_started_at", &impact_started_at, &zone).map_err(invalid)?,
        ),
        impact_ended_at: Some(
            local_input_to_utc("impact_ended_at", &impact_ended_at, &zone).map_err(invalid)?,
        ),
        root_cause_tags: Some(root_cause_tags.split(',').map(str::to_owned).collect()),
        ..Default::default()
    };
    patch(a, input).await
}

/// Assigns `role` to `user_id`; an empty `user_id` leaves the role unheld.
#[server]
pub async fn assign_role(number: String, role: String, user_id: String) -> Result<IncidentView, AppError> {
    let a = act(&number)?;
    let user_id = match user_id.trim() {
        "" => None,
        id => Some(id.parse().map_err(|_| invalid(domain::FieldError::new("user_id", "is not a user id")))?),
    };
    let (role, user) = domain::incident::RoleInput { role, user_id }.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::incidents::assign_role(&a.ctx.pool, &a.actor, a.number, role, user, a.ctx.now())
            .await,
    )
}

/// Hands every role the caller holds on open incidents to `to`.
#[server]
pub async fn hand_over(to: String) -> Result<domain::incident::HandoverView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let to =
        to.trim().parse().map_err(|_| invalid(domain::FieldError::new("to", "choose who takes over")))?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::incidents::handover(
            &ctx.pool,
            &actor,
            me.role,
            me.user_id,
            domain::UserId(to),
            ctx.now(),
        )
        .await,
    )
}

#[server]
pub async fn add_link(number: String, url: String, label: String) -> Result<IncidentView, AppError> {
    let a = act(&number)?;
    let link = domain::incident::LinkInput { url, label }.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::incidents::add_link(&a.ctx.pool, &a.actor, a.number, &link, a.ctx.now()).await,
    )
}

#[server]
pub async fn relate_incident(
    number: String,
    other: String,
    reason: String,
) -> Result<IncidentView, AppError> {
    let a = act(&number)?;
    let (other, reason) =
        domain::incident::RelatedInput { number: other, reason }.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::incidents::relate(&a.ctx.pool, &a.actor, a.number, other, &reason, a.ctx.now())
            .await,
    )
}
