//! Server fns for contact methods, notification rules and deliveries (`services::contact`).

use crate::error::AppError;
use domain::notification::{ContactMethodInput, ContactMethodView, DeliveryView, RuleInput, RuleView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// My contact methods and notification rules, for `/settings/notifications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub methods: Vec<ContactMethodView>,
    pub rules: Vec<RuleView>,
}

#[server]
pub async fn my_notifications() -> Result<NotificationSettings, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    use backend::services::contact as e;
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
        backend::services::contact::add_contact_method(&ctx.pool, &actor, me.user_id, &input).await,
    )
}

#[server]
pub async fn remove_contact_method(id: Uuid) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::contact::remove_contact_method(&ctx.pool, &actor, me.user_id, id).await,
    )
}

#[server]
pub async fn send_test_page(id: Uuid) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(
        backend::services::contact::test_contact_method(&ctx.pool, &actor, me.user_id, id, ctx.now()).await,
    )
}

#[server]
pub async fn add_notification_rule(input: RuleInput) -> Result<RuleView, AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::contact::add_rule(&ctx.pool, &actor, me.user_id, &input).await)
}

#[server]
pub async fn remove_notification_rule(id: Uuid) -> Result<(), AppError> {
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let actor = crate::ssr::actor(&me);
    crate::ssr::edge(backend::services::contact::remove_rule(&ctx.pool, &actor, me.user_id, id).await)
}

/// The latest messages to status page subscribers, newest first (admins).
#[server]
pub async fn subscriber_message_log() -> Result<Vec<domain::status::page::SubscriberMessageView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::status_page::subscribers::messages(&ctx.pool, 200).await)
}

/// Every message handed to a channel, newest first (admins).
#[server]
pub async fn delivery_log() -> Result<Vec<DeliveryView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Admin)?;
    crate::ssr::edge(backend::services::contact::deliveries(&ctx.pool, None, 200).await)
}
