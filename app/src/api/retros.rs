//! Server fns of `/retro` (`services::retros`): the week, and what the team writes during the
//! meeting. Each authorises and calls the same operation as the REST API.

use domain::retro::RetroView;
use leptos::prelude::*;
use uuid::Uuid;

use crate::{api::analytics::Chart, error::AppError};

/// The week with its trend sparklines, drawn on the server.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RetroScreen {
    pub view: RetroView,
    pub sparklines: Vec<Chart>,
    /// Every team (slug, name), to switch between them.
    pub teams: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn week(w: &str) -> Result<domain::analytics::Week, AppError> {
    w.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))
}

#[cfg(feature = "ssr")]
fn responder() -> Result<(backend::AppContext, backend::actor::Actor), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&me);
    Ok((ctx, actor))
}

/// A team's week; without a team, the caller's; without a week, last week.
#[server]
pub async fn retro(team: String, week: String) -> Result<RetroScreen, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let team = Some(team.trim()).filter(|t| !t.is_empty());
    let week = match week.trim() {
        "" => None,
        w => Some(self::week(w)?),
    };
    let view =
        crate::ssr::edge(backend::services::retros::get(&ctx.pool, team, week, me.user_id, ctx.now()).await)?;
    let teams = crate::ssr::edge(backend::services::teams::list_teams(&ctx.pool, false).await)?
        .into_iter()
        .map(|t| (t.slug, t.name))
        .collect();
    let trends = view.trends.clone();
    let sparklines = tokio::task::spawn_blocking(move || crate::charts::retro_sparklines(&trends))
        .await
        .map_err(|_| AppError::Internal)?;
    Ok(RetroScreen { view, sparklines, teams })
}

/// One page's marks from its row on the screen: every field is sent (an unticked box is "no").
#[server]
pub async fn mark_retro_page(
    team: String,
    week: String,
    page: i64,
    #[server(default)] documented: Option<String>,
    runbook_url: String,
    automated: String,
    note: String,
) -> Result<(), AppError> {
    let (ctx, actor) = responder()?;
    let input = domain::retro::PageMarkInput {
        documented: Some(documented.is_some()),
        runbook_url: Some(runbook_url),
        automated: Some(automated),
        note: Some(note),
    };
    let week = self::week(&week)?;
    crate::ssr::edge(
        backend::services::retros::mark_page(&ctx.pool, &actor, &team, week, page, &input, ctx.now()).await,
    )
    .map(|_| ())
}

#[server]
pub async fn add_retro_note(team: String, week: String, body: String) -> Result<(), AppError> {
    let (ctx, actor) = responder()?;
    let week = self::week(&week)?;
    crate::ssr::edge(
        backend::services::retros::add_note(&ctx.pool, &actor, &team, week, &body, ctx.now()).await,
    )
    .map(|_| ())
}

#[server]
pub async fn add_retro_action(
    team: String,
    week: String,
    title: String,
    owner_id: String,
    due_on: String,
) -> Result<(), AppError> {
    let (ctx, actor) = responder()?;
    let week = self::week(&week)?;
    let owner_id =
        match owner_id.trim() {
            "" => None,
            id => Some(id.parse::<Uuid>().map_err(|_| {
                crate::ssr::fail(domain::FieldError::new("owner_id", "is not a user id").into())
            })?),
        };
    let input = domain::retro::RetroActionInput { title, owner_id, due_on: Some(due_on) };
    crate::ssr::edge(
        backend::services::retros::add_action(&ctx.pool, &actor, &team, week, &input, ctx.now()).await,
    )
    .map(|_| ())
}

#[server]
pub async fn set_retro_action_done(team: String, id: Uuid, done: bool) -> Result<(), AppError> {
    let (ctx, actor) = responder()?;
    crate::ssr::edge(
        backend::services::retros::set_action_done(&ctx.pool, &actor, &team, id, done, ctx.now()).await,
    )
}

#[server]
pub async fn set_retro_mood(team: String, week: String, mood: u8) -> Result<(), AppError> {
    let (ctx, actor) = responder()?;
    let week = self::week(&week)?;
    crate::ssr::edge(
        backend::services::retros::set_mood(&ctx.pool, &actor, &team, week, mood, ctx.now()).await,
    )
}

#[server]
pub async fn hold_retro(
    team: String,
    week: String,
    #[server(default)] attendees: Vec<Uuid>,
) -> Result<(), AppError> {
    let (ctx, actor) = responder()?;
    let week = self::week(&week)?;
    let people: Vec<domain::UserId> = attendees.into_iter().map(domain::UserId).collect();
    crate::ssr::edge(
        backend::services::retros::hold(&ctx.pool, &actor, &team, week, &people, ctx.now()).await,
    )
    .map(|_| ())
}

/// Someone woken at night gets their next morning covered: an override on the team's schedule
/// from their next midnight to noon, taken by a teammate.
#[server]
pub async fn cover_morning(schedule: Uuid, cover: Uuid, start: String, end: String) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&me);
    let input = domain::schedule::OverrideInput { user_id: cover, start, end, layer_id: None };
    crate::ssr::edge(
        backend::services::schedules::add_override(
            &ctx.pool,
            &actor,
            me.role,
            schedule,
            &input,
            true,
            ctx.now(),
        )
        .await,
    )
    .map(|_| ())
}
