use domain::{
    escalation::{
        ContactMethodInput, ContactMethodView, DeliveryView, PageView, PolicyInput, PolicyOverview,
        PolicyView, RuleInput, RuleView, TargetOption,
    },
    incident::IncidentNumber,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[server]
pub async fn policy_overviews() -> Result<Vec<PolicyOverview>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::escalation::overviews(&ctx.pool, ctx.now()).await)
}

#[server]
pub async fn load_policy(id: Uuid) -> Result<PolicyView, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::escalation::get_policy(&ctx.pool, id).await)
}

#[server]
pub async fn policy_targets() -> Result<Vec<TargetOption>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::escalation::target_options(&ctx.pool).await)
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn save_policy(id: Option<Uuid>, input: PolicyInput) -> Result<PolicyView, AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::escalation::save_policy(&ctx.pool, &actor, id, &input).await)
}

#[server]
pub async fn delete_policy(id: Uuid) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    crate::ssr::edge(backend::services::escalation::delete_policy(&ctx.pool, &actor, id).await)?;
    leptos_axum::redirect("/escalation-policies");
    Ok(())
}

/// Routes a service's new incidents to a policy ("" for none).
#[server]
pub async fn route_service(slug: String, policy: String) -> Result<(), AppError> {
    let (ctx, admin) = crate::ssr::authorize(domain::Role::Admin)?;
    let actor = crate::ssr::actor(&admin);
    let policy = match policy.trim() {
        "" => None,
        p => Some(
            p.parse::<Uuid>()
                .map_err(|_| crate::ssr::fail(domain::FieldError::new("policy", "is not a policy").into()))?,
        ),
    };
    crate::ssr::edge(backend::services::escalation::route_service(&ctx.pool, &actor, &slug, policy).await)
}

/// My contact methods and notification rules, for `/settings/notifications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub methods: Vec<ContactMethodView>,
    pub rules: Vec<RuleView>,
}

#[server]
pub async fn my_notifications() -> Result<NotificationSettings, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    use backend::services::escalation as e;
    Ok(NotificationSettings {
        methods: crate::ssr::edge(e::contact_methods(&ctx.pool, me.user_id).await)?,
        rules: crate::ssr::edge(e::rules(&ctx.pool, me.user_id).await)?,
    })
}

#[server]
pub async fn add_contact_method(input: ContactMethodInput) -> Result<ContactMethodView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::escalation::add_contact_method(&ctx.pool, &actor, me.user_id, &input).await,
    )
}

#[server]
pub async fn remove_contact_method(id: Uuid) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::escalation::remove_contact_method(&ctx.pool, &actor, me.user_id, id).await,
    )
}

#[server]
pub async fn send_test_page(id: Uuid) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(
        backend::services::escalation::test_contact_method(&ctx.pool, me.user_id, id, ctx.now()).await,
    )
}

#[server]
pub async fn add_notification_rule(input: RuleInput) -> Result<RuleView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::escalation::add_rule(&ctx.pool, &actor, me.user_id, &input).await)
}

#[server]
pub async fn remove_notification_rule(id: Uuid) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::escalation::remove_rule(&ctx.pool, &actor, me.user_id, id).await)
}

/// An incident's page log: who was paged and every message handed to a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentPaging {
    pub pages: Vec<PageView>,
    pub deliveries: Vec<DeliveryView>,
}

#[server]
pub async fn page_log(number: IncidentNumber) -> Result<IncidentPaging, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    use backend::services::escalation as e;
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
        "team" => ManualPage::Team { id },
        "policy" => ManualPage::Policy { id },
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
    let teams = crate::ssr::edge(backend::services::teams::list_teams(&ctx.pool).await)?;
    let policies = crate::ssr::edge(backend::services::escalation::list_policies(&ctx.pool).await)?;
    Ok(PageOptions {
        teams: teams.into_iter().map(|t| (t.id, t.name)).collect(),
        policies: policies.into_iter().map(|p| (p.id, p.name)).collect(),
    })
}

/// Every message handed to a channel, newest first (admins).
#[server]
pub async fn delivery_log() -> Result<Vec<DeliveryView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::escalation::deliveries(&ctx.pool, None, 200).await)
}
