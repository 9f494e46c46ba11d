use domain::{
    incident::IncidentNumber,
    notification::{DeliveryView, PageView},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// An incident's page log: who was paged and every message handed to a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentPaging {
    pub pages: Vec<PageView>,
    pub deliveries: Vec<DeliveryView>,
}

#[server]
pub async fn page_log(number: IncidentNumber) -> Result<IncidentPaging, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    use backend::services::contact as e;
    Ok(IncidentPaging {
        pages: crate::ssr::edge(backend::services::paging::pages(&ctx.pool, number).await)?,
        deliveries: crate::ssr::edge(e::deliveries(&ctx.pool, Some(number), 100).await)?,
    })
}

/// Pages by hand during the incident: `user:<id>`, `team:<id>` (its leads) or `policy:<id>`
/// (its first level as it stands now).
#[server]
pub async fn page_target(number: IncidentNumber, target: String) -> Result<Vec<String>, AppError> {
    use domain::escalation::ManualPage;
    let (ctx, p) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&p);
    let bad =
        || crate::ssr::fail(domain::FieldError::new("target", "choose a person, a team or a policy").into());
    let (kind, id) = target.split_once(':').ok_or_else(bad)?;
    let id: Uuid = id.parse().map_err(|_| bad())?;
    let whom = match kind {
        "user" => ManualPage::User { id },
        "team" => ManualPage::Team { id: domain::team::TeamId(id) },
        "policy" => ManualPage::Policy { id: domain::escalation::PolicyId(id) },
        _ => return Err(bad()),
    };
    crate::ssr::edge(
        backend::services::paging::page_manually(&ctx.pool, &actor, number, &whom, ctx.now()).await,
    )
}

/// What can be paged by hand: people, teams (their leads), policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageOptions {
    pub teams: Vec<(Uuid, String)>,
    pub policies: Vec<(Uuid, String)>,
}

#[server]
pub async fn page_choices() -> Result<PageOptions, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    let teams = crate::ssr::edge(backend::services::teams::list_teams(&ctx.pool, false).await)?;
    let policies = crate::ssr::edge(backend::services::policies::list_policies(&ctx.pool).await)?;
    Ok(PageOptions {
        teams: teams.into_iter().map(|t| (t.id.0, t.name)).collect(),
        policies: policies.into_iter().map(|p| (p.id.0, p.name)).collect(),
    })
}
