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
    crate::ssr::edge(backend::services::escalation::overviews(&ctx.pool, chrono::Utc::now()).await)
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
        backend::services::escalation::test_contact_method(&ctx.pool, me.user_id, id, chrono::Utc::now())
            .await,
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
        pages: crate::ssr::edge(e::pages(&ctx.pool, number).await)?,
        deliveries: crate::ssr::edge(e::deliveries(&ctx.pool, Some(number), 100).await)?,
    })
}

/// Pages a person by hand during the incident.
#[server]
pub async fn page_person(number: IncidentNumber, user: Uuid) -> Result<Vec<String>, AppError> {
    let (ctx, p) = crate::ssr::authorize(domain::Role::Responder)?;
    let actor = crate::ssr::actor(&p);
    crate::ssr::edge(
        backend::services::escalation::page_manually(
            &ctx.pool,
            &actor,
            number,
            &domain::escalation::ManualPage::User { id: user },
            chrono::Utc::now(),
        )
        .await,
    )
}
