//! How each person is reached: contact methods, notification rules, test pages, and the
//! delivery log.

//! Escalation policies, service routing, contact methods and notification rules, test pages,
//! manual pages during an incident, and the page and delivery logs.

use crate::db::notifications;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        contact_methods::{self, ContactRow, RuleRow},
        incidents,
    },
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    FieldError, UserId,
    incident::IncidentNumber,
    notification::{
        ContactKind, ContactMethodInput, ContactMethodView, DeliveryView, RuleInput, RuleView,
        validate_address,
    },
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

fn method_view(c: ContactRow) -> ContactMethodView {
    ContactMethodView { id: c.id, kind: c.kind, label: c.label, address: c.address, secret: c.secret }
}

pub async fn contact_methods(pool: &PgPool, user: UserId) -> Result<Vec<ContactMethodView>> {
    let mut conn = pool.acquire().await?;
    Ok(contact_methods::contact_methods(&mut conn, user.0).await?.into_iter().map(method_view).collect())
}

pub async fn add_contact_method(
    pool: &PgPool,
    actor: &Actor,
    user: UserId,
    input: &ContactMethodInput,
) -> Result<ContactMethodView> {
    let kind = ContactKind::parse(&input.kind)?;
    let address = validate_address(kind, &input.address)?;
    let label = input.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(FieldError::new("label", "must be 1 to 100 characters").into());
    }
    let row = ContactRow {
        id: Uuid::now_v7(),
        user_id: user.0,
        kind,
        label: label.into(),
        address,
        secret: (kind == ContactKind::Webhook).then(crate::auth::secrets::new_webhook_secret),
    };
    let mut tx = pool.begin().await?;
    contact_methods::insert_contact_method(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("contact_method.create", "user", user)
            .after(json!({ "id": row.id, "kind": row.kind, "label": row.label, "address": row.address })),
    )
    .await?;
    tx.commit().await?;
    Ok(method_view(row))
}

pub async fn remove_contact_method(pool: &PgPool, actor: &Actor, user: UserId, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !contact_methods::delete_contact_method(&mut tx, user.0, id).await? {
        return Err(Error::NotFound("contact method"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("contact_method.delete", "user", user).before(json!({ "id": id })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rules(pool: &PgPool, user: UserId) -> Result<Vec<RuleView>> {
    let mut conn = pool.acquire().await?;
    Ok(contact_methods::rules(&mut conn, user.0)
        .await?
        .into_iter()
        .map(|r| RuleView {
            id: r.id,
            contact_method_id: r.contact_method_id,
            delay_secs: r.delay_secs.max(0) as u32,
        })
        .collect())
}

pub async fn add_rule(pool: &PgPool, actor: &Actor, user: UserId, input: &RuleInput) -> Result<RuleView> {
    if input.delay_minutes > 24 * 60 {
        return Err(FieldError::new("delay_minutes", "must be between 0 and 1440").into());
    }
    let mut tx = pool.begin().await?;
    match contact_methods::contact_method(&mut tx, input.contact_method_id).await? {
        Some(m) if m.user_id == user.0 => {}
        _ => {
            return Err(
                FieldError::new("contact_method_id", "is not one of this person's contact methods").into()
            );
        }
    }
    let row = RuleRow {
        id: Uuid::now_v7(),
        contact_method_id: input.contact_method_id,
        delay_secs: input.delay_minutes as i32 * 60,
    };
    contact_methods::insert_rule(&mut tx, user.0, &row).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("notification_rule.create", "user", user).after(
            json!({ "id": row.id, "contact_method_id": row.contact_method_id, "delay_secs": row.delay_secs }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(RuleView { id: row.id, contact_method_id: row.contact_method_id, delay_secs: row.delay_secs as u32 })
}

pub async fn remove_rule(pool: &PgPool, actor: &Actor, user: UserId, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !contact_methods::delete_rule(&mut tx, user.0, id).await? {
        return Err(Error::NotFound("notification rule"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("notification_rule.delete", "user", user).before(json!({ "id": id })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Test pages one person may queue in an hour: enough to try every method, too few to turn the
/// server into a sender of requests at someone else's endpoint.
pub const TEST_PAGES_PER_HOUR: i64 = 5;

/// Queues a test page to one of the person's own contact methods; the engine sends it like a
/// page. Audited, since a test page reaches whatever the address points at, and capped per
/// person ([`TEST_PAGES_PER_HOUR`]).
pub async fn test_contact_method(
    pool: &PgPool,
    actor: &Actor,
    user: UserId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    match contact_methods::contact_method(&mut tx, id).await? {
        Some(m) if m.user_id == user.0 => {}
        _ => return Err(Error::NotFound("contact method")),
    }
    // Under the person's lock, so two test pages at once cannot both take the last place.
    crate::db::lock(&mut tx, crate::db::LockSpace::TestPages, &user.0.to_string()).await?;
    let recent = notifications::tests_since(&mut tx, user.0, now - Duration::hours(1)).await?;
    if recent.len() as i64 >= TEST_PAGES_PER_HOUR {
        let oldest = recent.iter().min().copied().unwrap_or(now);
        let wait = (oldest + Duration::hours(1) - now).num_seconds().max(1);
        return Err(Error::RateLimited { retry_after_secs: wait as u64 });
    }
    notifications::insert_notification(
        &mut tx,
        &notifications::NewNotification {
            user_id: user.0,
            contact_method_id: id,
            kind: "test",
            page_id: None,
            incident_id: None,
            due_at: now,
            deferred: false,
            note: None,
        },
    )
    .await?;
    let entry = Entry::new("contact_method.test", "user", user).after(json!({ "contact_method_id": id }));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn deliveries(
    pool: &PgPool,
    number: Option<IncidentNumber>,
    limit: i64,
) -> Result<Vec<DeliveryView>> {
    let mut conn = pool.acquire().await?;
    let incident = match number {
        Some(n) => Some(incidents::id_by_number(&mut conn, n.0).await?.ok_or(Error::NotFound("incident"))?),
        None => None,
    };
    Ok(notifications::deliveries(&mut conn, incident, limit.clamp(1, 500))
        .await?
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id,
            to: d.user_name,
            kind: d.kind,
            method: d.method,
            label: d.label,
            status: d.status,
            attempts: d.attempts.max(0) as u32,
            error: d.last_error,
            due_at: d.due_at,
            sent_at: d.sent_at,
            deferred: d.deferred,
            incident: d.incident_number,
        })
        .collect())
}
