//! Escalation policies: who is paged at each level, after how long, how many times; and what each
//! level would page right now.

//! Escalation policies, service routing, contact methods and notification rules, test pages,
//! manual pages during an incident, and the page and delivery logs.

use crate::db::{policies, schedules, teams, users};
use crate::{
    Error, Result,
    actor::Actor,
    db::audit::{self, Entry},
    error::is_unique_violation,
};
use chrono::{DateTime, Utc};
use domain::{
    FieldError,
    escalation::{Policy, PolicyId, PolicyInput, PolicyView, Target},
    schedule::ScheduleId,
    team::TeamId,
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

fn policy_view(r: policies::PolicyRow) -> Result<PolicyView> {
    let p: Policy = serde_json::from_value(r.policy).map_err(|e| Error::Internal(e.into()))?;
    Ok(PolicyView {
        id: PolicyId(r.id),
        name: r.name,
        levels: p.levels,
        repeat: p.repeat,
        services: r.services,
    })
}

pub async fn list_policies(pool: &PgPool) -> Result<Vec<PolicyView>> {
    let mut conn = pool.acquire().await?;
    policies::list_policies(&mut conn).await?.into_iter().map(policy_view).collect()
}

pub async fn get_policy(pool: &PgPool, id: PolicyId) -> Result<PolicyView> {
    list_policies(pool).await?.into_iter().find(|p| p.id == id).ok_or(Error::NotFound("escalation policy"))
}

/// Checks the users, schedules, layers and teams a policy names exist.
async fn check_targets(conn: &mut sqlx::PgConnection, p: &Policy) -> Result<()> {
    for (i, level) in p.levels.iter().enumerate() {
        for t in &level.targets {
            let ok = match &t.target {
                Target::User { id } => !users::active_users(conn, &[*id]).await?.is_empty(),
                Target::Schedule { id } => schedules::get(conn, id.0).await?.is_some(),
                Target::Layer { schedule_id, layer_id } => {
                    schedules::layers_of(conn, &[schedule_id.0]).await?.iter().any(|l| l.id == *layer_id)
                }
                Target::TeamLeads { id } => schedules::team_exists(conn, id.0).await?,
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
    id: Option<PolicyId>,
    input: &PolicyInput,
) -> Result<PolicyView> {
    let (name, policy) = input.parse()?;
    let doc = serde_json::to_value(&policy).map_err(|e| Error::Internal(e.into()))?;
    let mut tx = pool.begin().await?;
    check_targets(&mut tx, &policy).await?;
    let id = match id.map(|p| p.0) {
        Some(id) => {
            let before = policies::list_policies(&mut tx)
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or(Error::NotFound("escalation policy"))?;
            match policies::update_policy(&mut tx, id, &name, doc.clone()).await {
                Err(e) if is_unique_violation(&e) => {
                    return Err(Error::Conflict(format!("a policy named {name} already exists")));
                }
                r => r?,
            };
            audit::record(
                &mut tx,
                actor,
                Entry::new("escalation_policy.update", "escalation_policy", id)
                    .before(json!({ "name": before.name, "policy": before.policy }))
                    .after(json!({ "name": name, "policy": doc })),
            )
            .await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            match policies::insert_policy(&mut tx, id, &name, doc.clone()).await {
                Err(e) if is_unique_violation(&e) => {
                    return Err(Error::Conflict(format!("a policy named {name} already exists")));
                }
                r => r?,
            };
            audit::record(
                &mut tx,
                actor,
                Entry::new("escalation_policy.create", "escalation_policy", id)
                    .after(json!({ "name": name, "policy": doc })),
            )
            .await?;
            id
        }
    };
    tx.commit().await?;
    get_policy(pool, PolicyId(id)).await
}

pub async fn delete_policy(pool: &PgPool, actor: &Actor, id: PolicyId) -> Result<()> {
    let id = id.0;
    let mut tx = pool.begin().await?;
    let before = policies::list_policies(&mut tx)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound("escalation policy"))?;
    policies::delete_policy(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("escalation_policy.delete", "escalation_policy", id)
            .before(json!({ "name": before.name, "policy": before.policy, "services": before.services })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Everything a level can target, labelled: people, schedules (their primary), each layer, and
/// each team's leads.
pub async fn target_options(pool: &PgPool) -> Result<Vec<domain::escalation::TargetOption>> {
    use domain::escalation::TargetOption;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::new();
    for p in schedules::pageable_people(&mut conn).await? {
        out.push(TargetOption { target: Target::User { id: p.id }, label: p.name });
    }
    let schedules = schedules::list(&mut conn).await?;
    let ids: Vec<Uuid> = schedules.iter().map(|s| s.id).collect();
    let layers = schedules::layers_of(&mut conn, &ids).await?;
    for s in &schedules {
        out.push(TargetOption {
            target: Target::Schedule { id: ScheduleId(s.id) },
            label: format!("On call: {}", s.name),
        });
        for l in layers.iter().filter(|l| l.schedule_id == s.id) {
            out.push(TargetOption {
                target: Target::Layer { schedule_id: ScheduleId(s.id), layer_id: l.id },
                label: format!("On call: {} / {}", s.name, l.name),
            });
        }
    }
    for t in teams::list_teams(&mut conn).await? {
        out.push(TargetOption {
            target: Target::TeamLeads { id: TeamId(t.id) },
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
