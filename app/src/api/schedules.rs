use domain::schedule::{
    OnCallOverview, OverrideInput, PersonRef, ScheduleInput, ScheduleSummary, ScheduleView,
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server]
pub async fn list_schedules() -> Result<Vec<ScheduleSummary>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::schedules::list(&ctx.pool, ctx.now()).await)
}

/// The schedule with everything the timeline needs: pages compute shifts with the domain rules,
/// the same code the API uses.
#[server]
pub async fn load_schedule(id: Uuid) -> Result<ScheduleView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(
        backend::services::schedules::get(
            &ctx.pool,
            &ctx.keys,
            &ctx.config.public_url,
            id,
            me.user_id,
            ctx.now(),
        )
        .await,
    )
}

/// Creates (no id) or replaces a schedule; `confirm` accepts soft fairness warnings.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn save_schedule(
    id: Option<domain::schedule::ScheduleId>,
    input: ScheduleInput,
    confirm: bool,
) -> Result<Uuid, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    let now = ctx.now();
    use backend::services::schedules as s;
    match id.map(|s| s.0) {
        Some(id) => {
            crate::ssr::edge(s::update(&ctx.pool, &actor, id, &input, confirm, now).await.map(|_| id))
        }
        None => crate::ssr::edge(s::create(&ctx.pool, &actor, &input, confirm, now).await),
    }
}

#[server]
pub async fn delete_schedule(id: Uuid) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::schedules::delete(&ctx.pool, &actor, id).await)?;
    leptos_axum::redirect("/schedules");
    Ok(())
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn add_schedule_override(
    id: domain::schedule::ScheduleId,
    input: OverrideInput,
    confirm: bool,
) -> Result<Uuid, AppError> {
    let (ctx, p) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&p);
    crate::ssr::edge(
        backend::services::schedules::add_override(
            &ctx.pool,
            &actor,
            p.role,
            id.0,
            &input,
            confirm,
            ctx.now(),
        )
        .await,
    )
}

#[server]
pub async fn remove_schedule_override(
    id: domain::schedule::ScheduleId,
    override_id: Uuid,
) -> Result<(), AppError> {
    let (ctx, p) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&p);
    crate::ssr::edge(
        backend::services::schedules::delete_override(&ctx.pool, &actor, p.role, id.0, override_id).await,
    )
}

/// Everyone who may go in a rotation or cover a shift: for those who may put them there, since
/// it is the directory (viewers see the names on schedules, not everyone's addresses).
#[server]
pub async fn schedule_candidates() -> Result<Vec<PersonRef>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Responder)?;
    crate::ssr::edge(backend::services::schedules::candidates(&ctx.pool).await)
}

#[server]
pub async fn oncall_overview() -> Result<OnCallOverview, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::schedules::overview(&ctx.pool, me.user_id, ctx.now()).await)
}

#[server]
pub async fn rotate_calendar_feed() -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::schedules::rotate_feed(&ctx.pool, &actor, me.user_id).await)
        .map(|_| ())
}
