use domain::{
    UserId,
    team::{NewTeamInput, TeamView},
};
use leptos::prelude::*;

use crate::error::AppError;

#[server]
pub async fn list_teams() -> Result<Vec<TeamView>, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(
        backend::services::teams::list_teams(&ctx.pool, me.role.includes(domain::Role::Responder)).await,
    )
}

#[server]
pub async fn create_team(input: NewTeamInput) -> Result<TeamView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let (name, slug) = input.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::teams::create_team(&ctx.pool, &actor, &name, &slug).await)
}

#[server]
pub async fn set_team_member(team: String, user: UserId, role: String) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let team = domain::team::Slug::parse(&team).map_err(|e| crate::ssr::fail(e.into()))?;
    let role: domain::team::TeamRole =
        role.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::teams::set_member(&ctx.pool, &actor, &team, user, role).await)
}

#[server]
pub async fn remove_team_member(team: String, user: UserId) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let team = domain::team::Slug::parse(&team).map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::teams::remove_member(&ctx.pool, &actor, &team, user).await)
}

/// A team's zone and working hours from the admin form (times as "HH:MM", days 0 = Monday).
#[server]
pub async fn set_team_hours(
    team: String,
    time_zone: String,
    #[server(default)] days: Vec<u8>,
    start: String,
    end: String,
    sleep_start: String,
    sleep_end: String,
) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let fail = |e: domain::FieldError| crate::ssr::fail(e.into());
    let team = domain::team::Slug::parse(&team).map_err(fail)?;
    let working_hours =
        domain::analytics::WorkingHours::from_form(&days, &start, &end, &sleep_start, &sleep_end)
            .map_err(fail)?;
    let input = domain::team::TeamHoursInput { time_zone, working_hours };
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::teams::set_hours(&ctx.pool, &actor, &team, &input).await)
}
