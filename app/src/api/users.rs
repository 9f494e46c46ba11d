use domain::{NewUserInput, UserId, UserView};
use leptos::prelude::*;

use crate::error::AppError;

#[server]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::users::list_users(&ctx.pool).await)
}

#[server]
pub async fn create_user(input: NewUserInput) -> Result<UserView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let (user, password) = input.parse().map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::users::create_user(&ctx.pool, &actor, &user, &password).await)
}

#[server]
pub async fn set_user_role(id: UserId, role: String) -> Result<UserView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let role: domain::Role = role.parse().map_err(|e: domain::FieldError| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::users::set_role(&ctx.pool, &actor, id, role, ctx.now()).await)
}

#[server]
pub async fn set_user_disabled(id: UserId, disabled: bool) -> Result<UserView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::users::set_disabled(&ctx.pool, &actor, id, disabled, ctx.now()).await)
}

/// The caller's own password, proving the current one; their other sessions end.
#[server]
pub async fn change_my_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let new = domain::Password::parse(&new_password)
        .map_err(|e| crate::ssr::fail(e.in_field("new_password").into()))?;
    crate::ssr::edge(
        backend::services::users::change_own_password(
            &ctx.pool,
            &ctx.hashers,
            &me,
            &current_password,
            &new,
            ctx.now(),
        )
        .await,
    )
}

/// The caller's own time zone.
#[server]
pub async fn set_my_time_zone(time_zone: String) -> Result<UserView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let zone = domain::TimeZoneName::parse(&time_zone).map_err(|e| crate::ssr::fail(e.into()))?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::users::set_own_time_zone(&ctx.pool, &actor, me.user_id, &zone, ctx.now()).await,
    )
}
