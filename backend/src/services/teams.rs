//! Teams, their members and the services they own.

use std::collections::HashMap;

use domain::{
    UserId,
    team::{DisplayName, Slug, TeamHoursInput, TeamMemberView, TeamRole, TeamView},
};
use serde_json::json;
use sqlx::PgPool;

use crate::db::services;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        teams, users,
    },
    error::is_unique_violation,
};

/// Every team with its members and services: three queries, whatever the number of teams.
/// Members' addresses only `with_emails` (viewers see names, not the directory).
pub async fn list_teams(pool: &PgPool, with_emails: bool) -> Result<Vec<TeamView>> {
    let mut conn = pool.acquire().await?;
    let all = teams::list_teams_with_hours(&mut conn).await?;
    let mut members: HashMap<uuid::Uuid, Vec<TeamMemberView>> = HashMap::new();
    for m in teams::all_members(&mut conn).await? {
        let role = m.role;
        members.entry(m.team_id).or_default().push(TeamMemberView {
            user_id: m.user_id,
            name: m.name,
            email: with_emails.then_some(m.email),
            role,
        });
    }
    let mut services: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for s in services::services_with_owners(&mut conn).await? {
        services.entry(s.team_id).or_default().push(s.slug);
    }
    Ok(all
        .into_iter()
        .map(|t| TeamView {
            members: members.remove(&t.id).unwrap_or_default(),
            services: services.remove(&t.id).unwrap_or_default(),
            id: domain::team::TeamId(t.id),
            name: t.name,
            slug: t.slug,
            time_zone: t.time_zone,
            working_hours: serde_json::from_value(t.working_hours).unwrap_or_default(),
        })
        .collect())
}

/// Sets a team's zone and working hours (audited with before and after).
pub async fn set_hours(pool: &PgPool, actor: &Actor, team: &Slug, input: &TeamHoursInput) -> Result<()> {
    let (zone, hours) = input.parse()?;
    let mut tx = pool.begin().await?;
    let t = teams::team_by_slug(&mut tx, team.as_str()).await?.ok_or(Error::NotFound("team"))?;
    let after = json!({ "time_zone": zone.as_str(), "working_hours": hours });
    let old = teams::set_hours(&mut tx, t.id, zone.as_str(), &after["working_hours"])
        .await?
        .ok_or(Error::NotFound("team"))?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("team.set_hours", "team", t.id)
            .before(json!({ "time_zone": old.time_zone, "working_hours": old.working_hours }))
            .after(after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_team(pool: &PgPool, actor: &Actor, name: &DisplayName, slug: &Slug) -> Result<TeamView> {
    let mut tx = pool.begin().await?;
    let id = match teams::insert_team(&mut tx, name.as_str(), slug.as_str()).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Conflict(format!("a team named {name} or with slug {slug} already exists")));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor,
        Entry::new("team.create", "team", id).after(json!({ "name": name.as_str(), "slug": slug.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(TeamView {
        id: domain::team::TeamId(id),
        name: name.to_string(),
        slug: slug.to_string(),
        members: vec![],
        services: vec![],
        time_zone: "UTC".to_owned(),
        working_hours: domain::analytics::WorkingHours::default(),
    })
}

/// Adds someone to a team, or changes their role in it.
pub async fn set_member(
    pool: &PgPool,
    actor: &Actor,
    team: &Slug,
    user: UserId,
    role: TeamRole,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let t = teams::team_by_slug(&mut tx, team.as_str()).await?.ok_or(Error::NotFound("team"))?;
    let u = users::by_id(&mut tx, user).await?.ok_or(Error::NotFound("user"))?;
    teams::upsert_member(&mut tx, t.id, u.id.0, role.as_str()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("team.set_member", "team", t.id)
            .after(json!({ "user_id": u.id, "email": u.email, "role": role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(pool: &PgPool, actor: &Actor, team: &Slug, user: UserId) -> Result<()> {
    let mut tx = pool.begin().await?;
    let t = teams::team_by_slug(&mut tx, team.as_str()).await?.ok_or(Error::NotFound("team"))?;
    if !teams::remove_member(&mut tx, t.id, user.0).await? {
        return Err(Error::NotFound("team member"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("team.remove_member", "team", t.id).before(json!({ "user_id": user })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
