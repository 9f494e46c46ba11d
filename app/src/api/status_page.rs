//! Server fns of the status page (`services::status_page`): the public page and an incident's
//! page as customers read them (no login, from this instance's snapshot), and telling customers
//! from an internal incident's page (responders).

use std::collections::BTreeMap;

use domain::status::{
    page::{PublicIncidentView, StatusPageForm},
    public::{IncidentPage, PublicPage},
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn snapshot() -> Result<std::sync::Arc<backend::services::status_page::Snapshot>, AppError> {
    // Public: no principal needed. What customers read is the snapshot, never a query.
    let ctx = crate::ssr::context()?;
    ctx.status
        .current_or_build(&ctx.pool, &ctx.config.public_url, ctx.now())
        .await
        .ok_or_else(|| crate::ssr::fail(AppError::Internal))
}

#[server]
pub async fn public_status() -> Result<PublicPage, AppError> {
    Ok(snapshot().await?.public.clone())
}

/// A public incident's page: from the snapshot, or (an old one the history links to) read now.
#[server]
pub async fn public_incident(id: String) -> Result<IncidentPage, AppError> {
    let s = snapshot().await?;
    if let Some(page) = s.incident_page(&id) {
        return Ok(page);
    }
    let ctx = crate::ssr::context()?;
    crate::ssr::edge(backend::services::status_page::public_incident(&ctx.pool, &id).await)?
        .map(|i| s.page_of(&i))
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound("incident".into())))
}

/// A page of the history, newest first (50 to a page; the first is the snapshot's).
#[server]
pub async fn public_history(page: u32) -> Result<domain::status::public::HistoryPage, AppError> {
    let ctx = crate::ssr::context()?;
    let s = snapshot().await?;
    crate::ssr::edge(backend::services::status_page::history_page(&ctx.pool, &s, page).await)?
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound("page of history".into())))
}

/// A message to customers as it will be published: the same Markdown renderer and sanitiser the
/// post goes through, so the preview is what customers will see.
#[server]
pub async fn preview_status_message(body: String) -> Result<String, AppError> {
    crate::ssr::authorize(domain::Role::Responder)?;
    if body.len() > 20_000 {
        return Err(crate::ssr::fail(domain::FieldError::new("body", "at most 20000 characters").into()));
    }
    Ok(backend::markdown::render(&body))
}

/// The form on an internal incident's page: its services' components, and the public incident
/// already telling customers about it.
#[server]
pub async fn load_status_page_form(number: String) -> Result<StatusPageForm, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Responder)?;
    let number = super::incidents::number(&number)?;
    let components = crate::ssr::edge(backend::services::status_page::components(&ctx.pool).await)?;
    let (preselected, existing) =
        crate::ssr::edge(backend::services::status_page::for_incident(&ctx.pool, number).await)?;
    Ok(StatusPageForm { components, preselected, existing })
}

/// Posts to the status page from an internal incident: the first post opens a public incident
/// linked to it, later ones update that one. `components` maps `c<component id>` to the state the
/// post sets; an empty state leaves it out (the form's "not affected"). The prefix keeps a form
/// field like `components[0193...]` from reading as a list index.
#[server]
pub async fn post_status_page(
    number: String,
    name: String,
    status: String,
    #[server(default)] impact: String,
    body: String,
    #[server(default)] components: BTreeMap<String, String>,
) -> Result<PublicIncidentView, AppError> {
    use backend::services::status_page as service;
    let (ctx, me) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&me);
    let n = super::incidents::number(&number)?;
    let invalid = |e: domain::FieldError| crate::ssr::fail(e.into());
    let components: BTreeMap<Uuid, String> = components
        .into_iter()
        .filter(|(_, state)| !state.is_empty())
        .map(|(key, state)| {
            key.strip_prefix('c').and_then(|id| id.parse::<Uuid>().ok()).map(|id| (id, state)).ok_or_else(
                || invalid(domain::FieldError::new(format!("components.{key}"), "names no component")),
            )
        })
        .collect::<Result<_, _>>()?;
    let (_, existing) = crate::ssr::edge(service::for_incident(&ctx.pool, n).await)?;
    match existing {
        Some(open) => {
            let update =
                domain::status::page::UpdateInput { status, body, components }.parse().map_err(invalid)?;
            crate::ssr::edge(
                service::post_update(
                    &ctx.pool,
                    &actor,
                    &open.public_id,
                    &update,
                    &ctx.config.public_url,
                    ctx.now(),
                )
                .await,
            )
        }
        None => {
            let input = domain::status::page::NewPublicIncidentInput {
                name,
                status: Some(status),
                impact: (!impact.is_empty()).then_some(impact),
                body,
                components,
                incident: Some(n.to_string()),
            };
            let new = input.parse().map_err(invalid)?;
            crate::ssr::edge(
                service::post_incident(&ctx.pool, &actor, &new, &ctx.config.public_url, ctx.now()).await,
            )
        }
    }
}

/// Everything `/admin/status-page` edits.
#[server]
pub async fn admin_status_page() -> Result<
    (
        domain::status::page::PageSettings,
        Vec<domain::status::page::GroupView>,
        Vec<domain::status::page::ComponentView>,
    ),
    AppError,
> {
    use backend::services::status_page as service;
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    let settings = crate::ssr::edge(service::settings(&ctx.pool).await)?;
    let groups = crate::ssr::edge(service::groups(&ctx.pool).await)?;
    let components = crate::ssr::edge(service::components(&ctx.pool).await)?;
    Ok((settings, groups, components))
}

#[server]
pub async fn save_status_settings(
    name: String,
    time_zone: String,
    support_url: String,
    banner: String,
    #[server(default)] maintenance_counts: Option<String>,
    partial_weight: String,
    #[server(default)] reminder_hours: String,
) -> Result<domain::status::page::PageSettings, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let weight = partial_weight.trim().parse::<f64>().map_err(|_| {
        crate::ssr::fail(domain::FieldError::new("partial_weight", "must be a number between 0 and 1").into())
    })?;
    let input = domain::status::page::SettingsInput {
        name: Some(name),
        time_zone: Some(time_zone),
        support_url: Some(support_url),
        banner: Some(banner),
        maintenance_counts: Some(maintenance_counts.is_some()),
        partial_weight: Some(weight),
        reminder_hours: match reminder_hours.trim() {
            "" => None,
            h => Some(h.parse::<i32>().map_err(|_| {
                crate::ssr::fail(
                    domain::FieldError::new("reminder_hours", "must be a whole number of hours").into(),
                )
            })?),
        },
    };
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(
        backend::services::status_page::update_settings(&ctx.pool, &actor, &input, ctx.now()).await,
    )
}

/// Adds a component (no `id`) or changes one. `group` is a group id or empty; `services` are
/// slugs separated by commas.
#[server]
#[allow(clippy::too_many_arguments, reason = "one form field each")]
pub async fn save_status_component(
    #[server(default)] id: Option<Uuid>,
    name: String,
    #[server(default)] description: String,
    #[server(default)] group: String,
    #[server(default)] position: String,
    #[server(default)] only_show_if_degraded: Option<String>,
    #[server(default)] services: String,
) -> Result<domain::status::page::ComponentView, AppError> {
    use backend::services::status_page as service;
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let invalid = |e: domain::FieldError| crate::ssr::fail(e.into());
    let group_id = match group.trim() {
        "" => None,
        g => Some(
            g.parse::<Uuid>().map_err(|_| invalid(domain::FieldError::new("group_id", "names no group")))?,
        ),
    };
    let position = match position.trim() {
        "" => None,
        p => Some(
            p.parse::<i32>()
                .map_err(|_| invalid(domain::FieldError::new("position", "must be a whole number")))?,
        ),
    };
    let input = domain::status::page::ComponentInput {
        name: Some(name),
        description: Some(description),
        group_id: Some(group_id),
        position,
        only_show_if_degraded: Some(only_show_if_degraded.is_some()),
        services: Some(
            services.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        ),
        status: None,
    };
    let change = input.parse(id.is_none()).map_err(invalid)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(match id {
        None => service::create_component(&ctx.pool, &actor, &change, ctx.now()).await,
        Some(id) => service::update_component(&ctx.pool, &actor, id, &change, ctx.now()).await,
    })
}

#[server]
pub async fn delete_status_component(id: Uuid) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::status_page::delete_component(&ctx.pool, &actor, id).await)
}

/// Puts components in an order: `order` is their ids separated by commas (what moving one up or
/// down, or dragging it, sends).
#[server]
pub async fn reorder_status_components(order: String) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let ids = order.split(',').map(|id| id.trim().parse::<Uuid>()).collect::<Result<Vec<_>, _>>().map_err(
        |_| crate::ssr::fail(domain::FieldError::new("order", "component ids separated by commas").into()),
    )?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(
        backend::services::status_page::reorder_components(&ctx.pool, &actor, &ids, ctx.now()).await,
    )
}

/// Adds a group (no `id`) or renames and moves one.
#[server]
pub async fn save_status_group(
    #[server(default)] id: Option<Uuid>,
    name: String,
    #[server(default)] position: String,
) -> Result<domain::status::page::GroupView, AppError> {
    use backend::services::status_page as service;
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let invalid = |e: domain::FieldError| crate::ssr::fail(e.into());
    let position = match position.trim() {
        "" => None,
        p => Some(
            p.parse::<i32>()
                .map_err(|_| invalid(domain::FieldError::new("position", "must be a whole number")))?,
        ),
    };
    let input = domain::status::page::GroupInput { name: Some(name), position, collapsed: None }
        .parse(id.is_none())
        .map_err(invalid)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(match id {
        None => service::create_group(&ctx.pool, &actor, &input, ctx.now()).await,
        Some(id) => service::update_group(&ctx.pool, &actor, id, &input, ctx.now()).await,
    })
}

#[server]
pub async fn delete_status_group(id: Uuid) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::status_page::delete_group(&ctx.pool, &actor, id).await)
}

#[server]
pub async fn status_subscribers() -> Result<Vec<domain::status::page::SubscriberView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::status_page::subscribers::list(&ctx.pool).await)
}

#[server]
pub async fn remove_status_subscriber(id: Uuid) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::status_page::subscribers::remove(&ctx.pool, &actor, id).await)
}
