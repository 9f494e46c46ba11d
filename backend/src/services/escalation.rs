//! Escalation policies, service routing, contact methods and notification rules, test pages,
//! manual pages during an incident, and the page and delivery logs.

use chrono::{DateTime, Utc};
use domain::{
    FieldError, UserId,
    escalation::{
        ContactKind, ContactMethodInput, ContactMethodView, DeliveryView, Policy, PolicyInput, PolicyView,
        RuleInput, RuleView, Target, validate_address,
    },
    incident::IncidentNumber,
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        incidents,
        paging::{self as db, ContactRow, RuleRow},
    },
    error::is_unique_violation,
};

fn policy_view(r: db::PolicyRow) -> Result<PolicyView> {
    let p: Policy = serde_json::from_value(r.policy).map_err(|e| Error::Internal(e.into()))?;
    Ok(PolicyView { id: r.id, name: r.name, levels: p.levels, repeat: p.repeat, services: r.services })
}

pub async fn list_policies(pool: &PgPool) -> Result<Vec<PolicyView>> {
    let mut conn = pool.acquire().await?;
    db::list_policies(&mut conn).await?.into_iter().map(policy_view).collect()
}

pub async fn get_policy(pool: &PgPool, id: Uuid) -> Result<PolicyView> {
    list_policies(pool).await?.into_iter().find(|p| p.id == id).ok_or(Error::NotFound("escalation policy"))
}

/// Checks the users, schedules, layers and teams a policy names exist.
async fn check_targets(conn: &mut sqlx::PgConnection, p: &Policy) -> Result<()> {
    for (i, level) in p.levels.iter().enumerate() {
        for t in &level.targets {
            let ok = match &t.target {
                Target::User { id } => !db::active_users(conn, &[*id]).await?.is_empty(),
                Target::Schedule { id } => crate::db::schedules::get(conn, *id).await?.is_some(),
                Target::Layer { schedule_id, layer_id } => {
                    crate::db::schedules::layers_of(conn, &[*schedule_id])
                        .await?
                        .iter()
                        .any(|l| l.id == *layer_id)
                }
                Target::TeamLeads { id } => crate::db::schedules::team_exists(conn, *id).await?,
            };
            if !ok {
                return Err(FieldError::new(
                    format!("levels[{i}].targets"),
                    "names a user, schedule, layer or team that does not exist",
                )
                .into());
            }
        }
    }
    Ok(())
}

pub async fn save_policy(
    pool: &PgPool,
    actor: &Actor,
    id: Option<Uuid>,
    input: &PolicyInput,
) -> Result<PolicyView> {
    let (name, policy) = input.parse()?;
    let doc = serde_json::to_value(&policy).map_err(|e| Error::Internal(e.into()))?;
    let mut tx = pool.begin().await?;
    check_targets(&mut tx, &policy).await?;
    let id = match id {
        Some(id) => {
            let before = db::list_policies(&mut tx)
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or(Error::NotFound("escalation policy"))?;
            match db::update_policy(&mut tx, id, &name, doc.clone()).await {
                Err(e) if is_unique_violation(&e) => {
                    return Err(Error::Conflict(format!("a policy named {name} already exists")));
                }
                r => r?,
            };
            audit::record(
                &mut tx,
                actor,
                Entry {
                    action: "escalation_policy.update",
                    entity_type: "escalation_policy",
                    entity_id: id.to_string(),
                    before: Some(json!({ "name": before.name, "policy": before.policy })),
                    after: Some(json!({ "name": name, "policy": doc })),
                },
            )
            .await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            match db::insert_policy(&mut tx, id, &name, doc.clone()).await {
                Err(e) if is_unique_violation(&e) => {
                    return Err(Error::Conflict(format!("a policy named {name} already exists")));
                }
                r => r?,
            };
            audit::record(
                &mut tx,
                actor,
                Entry {
                    action: "escalation_policy.create",
                    entity_type: "escalation_policy",
                    entity_id: id.to_string(),
                    before: None,
                    after: Some(json!({ "name": name, "policy": doc })),
                },
            )
            .await?;
            id
        }
    };
    tx.commit().await?;
    get_policy(pool, id).await
}

pub async fn delete_policy(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    let before = db::list_policies(&mut tx)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound("escalation policy"))?;
    db::delete_policy(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "escalation_policy.delete",
            entity_type: "escalation_policy",
            entity_id: id.to_string(),
            before: Some(
                json!({ "name": before.name, "policy": before.policy, "services": before.services }),
            ),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Routes a service to a policy (or to none).
pub async fn route_service(pool: &PgPool, actor: &Actor, slug: &str, policy: Option<Uuid>) -> Result<()> {
    let mut tx = pool.begin().await?;
    if let Some(p) = policy
        && !db::list_policies(&mut tx).await?.iter().any(|x| x.id == p)
    {
        return Err(FieldError::new("escalation_policy_id", "no such escalation policy").into());
    }
    if !db::set_service_policy(&mut tx, slug, policy).await? {
        return Err(Error::NotFound("service"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "service.route",
            entity_type: "service",
            entity_id: slug.to_owned(),
            before: None,
            after: Some(json!({ "escalation_policy_id": policy })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn method_view(c: ContactRow) -> ContactMethodView {
    ContactMethodView {
        id: c.id,
        kind: ContactKind::parse(&c.kind).unwrap_or(ContactKind::Email),
        label: c.label,
        address: c.address,
        secret: c.secret,
    }
}

pub async fn contact_methods(pool: &PgPool, user: UserId) -> Result<Vec<ContactMethodView>> {
    let mut conn = pool.acquire().await?;
    Ok(db::contact_methods(&mut conn, user.0).await?.into_iter().map(method_view).collect())
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
        kind: kind.as_str().into(),
        label: label.into(),
        address,
        secret: (kind == ContactKind::Webhook).then(crate::auth::secrets::new_webhook_secret),
    };
    let mut tx = pool.begin().await?;
    db::insert_contact_method(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "contact_method.create",
            entity_type: "user",
            entity_id: user.to_string(),
            before: None,
            after: Some(
                json!({ "id": row.id, "kind": row.kind, "label": row.label, "address": row.address }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(method_view(row))
}

pub async fn remove_contact_method(pool: &PgPool, actor: &Actor, user: UserId, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::delete_contact_method(&mut tx, user.0, id).await? {
        return Err(Error::NotFound("contact method"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "contact_method.delete",
            entity_type: "user",
            entity_id: user.to_string(),
            before: Some(json!({ "id": id })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rules(pool: &PgPool, user: UserId) -> Result<Vec<RuleView>> {
    let mut conn = pool.acquire().await?;
    Ok(db::rules(&mut conn, user.0)
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
    match db::contact_method(&mut tx, input.contact_method_id).await? {
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
    db::insert_rule(&mut tx, user.0, &row).await?;
    audit::record(&mut tx, actor, Entry {
        action: "notification_rule.create",
        entity_type: "user",
        entity_id: user.to_string(),
        before: None,
        after: Some(json!({ "id": row.id, "contact_method_id": row.contact_method_id, "delay_secs": row.delay_secs })),
    })
    .await?;
    tx.commit().await?;
    Ok(RuleView { id: row.id, contact_method_id: row.contact_method_id, delay_secs: row.delay_secs as u32 })
}

pub async fn remove_rule(pool: &PgPool, actor: &Actor, user: UserId, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::delete_rule(&mut tx, user.0, id).await? {
        return Err(Error::NotFound("notification rule"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "notification_rule.delete",
            entity_type: "user",
            entity_id: user.to_string(),
            before: Some(json!({ "id": id })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a test message on one contact method; the engine sends it like a page.
pub async fn test_contact_method(pool: &PgPool, user: UserId, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let mut tx = pool.begin().await?;
    match db::contact_method(&mut tx, id).await? {
        Some(m) if m.user_id == user.0 => {}
        _ => return Err(Error::NotFound("contact method")),
    }
    db::insert_notification(
        &mut tx,
        &db::NewNotification {
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
    Ok(db::deliveries(&mut conn, incident, limit.clamp(1, 500))
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

pub async fn incident_brief(pool: &PgPool, id: Uuid) -> Result<Option<db::IncidentBrief>> {
    let mut conn = pool.acquire().await?;
    Ok(db::incident_briefs(&mut conn, &[id]).await?.pop())
}

/// Acknowledges through a signed link, as the person it was sent to (if they may still
/// acknowledge: active, and a responder or admin). Returns the incident number.
pub async fn acknowledge_by_link(pool: &PgPool, incident: Uuid, user: UserId) -> Result<i64> {
    let brief = incident_brief(pool, incident).await?.ok_or(Error::NotFound("incident"))?;
    if brief.status != "triggered" {
        return Err(Error::Conflict(format!(
            "INC-{} is already {}: nothing to acknowledge",
            brief.number, brief.status
        )));
    }
    let mut conn = pool.acquire().await?;
    let person = crate::db::users::by_id(&mut conn, user).await?.ok_or(Error::NotFound("user"))?;
    drop(conn);
    let role: domain::Role = person.role.parse().unwrap_or(domain::Role::Viewer);
    if person.disabled || !role.includes(domain::Role::Responder) {
        return Err(Error::Forbidden);
    }
    let actor = Actor { user_id: Some(user), label: person.email.clone(), request_id: None };
    crate::services::incidents::transition_incident(
        pool,
        &actor,
        IncidentNumber(brief.number),
        domain::incident::IncidentStatus::Acknowledged,
        Some("acknowledged from the link in a page"),
    )
    .await?;
    Ok(brief.number)
}

/// Everything a level can target, labelled: people, schedules (their primary), each layer, and
/// each team's leads.
pub async fn target_options(pool: &PgPool) -> Result<Vec<domain::escalation::TargetOption>> {
    use domain::escalation::TargetOption;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::new();
    for p in crate::db::schedules::all_active_people(&mut conn).await? {
        out.push(TargetOption { target: Target::User { id: p.id }, label: p.name });
    }
    let schedules = crate::db::schedules::list(&mut conn).await?;
    let ids: Vec<Uuid> = schedules.iter().map(|s| s.id).collect();
    let layers = crate::db::schedules::layers_of(&mut conn, &ids).await?;
    for s in &schedules {
        out.push(TargetOption {
            target: Target::Schedule { id: s.id },
            label: format!("On call: {}", s.name),
        });
        for l in layers.iter().filter(|l| l.schedule_id == s.id) {
            out.push(TargetOption {
                target: Target::Layer { schedule_id: s.id, layer_id: l.id },
                label: format!("On call: {} / {}", s.name, l.name),
            });
        }
    }
    for t in crate::db::teams::list_teams(&mut conn).await? {
        out.push(TargetOption {
            target: Target::TeamLeads { id: t.id },
            label: format!("Leads of {}", t.name),
        });
    }
    Ok(out)
}

/// Each policy with its levels in words and who each would page right now.
pub async fn overviews(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<domain::escalation::PolicyOverview>> {
    use domain::escalation::{LevelNow, PolicyOverview};
    let options = target_options(pool).await?;
    let policies = list_policies(pool).await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::new();
    for policy in policies {
        let mut levels = Vec::new();
        for l in &policy.levels {
            let targets = l
                .targets
                .iter()
                .map(|t| {
                    let label = options
                        .iter()
                        .find(|o| o.target == t.target)
                        .map_or("(removed)".to_owned(), |o| o.label.clone());
                    match t.role {
                        Some(r) => format!("{label} as {r}"),
                        None => label,
                    }
                })
                .collect();
            let pairs: Vec<_> = l.targets.iter().map(|t| (t.target.clone(), t.role)).collect();
            levels.push(LevelNow {
                targets,
                paged_now: super::paging::names_now(&mut conn, &pairs, now).await?,
                delay_minutes: l.delay_secs / 60,
            });
        }
        out.push(PolicyOverview { policy, levels });
    }
    Ok(out)
}
