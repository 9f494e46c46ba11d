//! The service catalogue: the monitored services (Core API, Billing), each owned by a team,
//! routed to an escalation policy, and turning alerts into incidents by its ingestion settings.

use domain::{
    FieldError,
    alert::IngestionSettings,
    escalation::PolicyId,
    service::{PolicyRef, ServiceDetail, ServiceId},
    team::{NewService, ServiceView},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        policies,
        services::{self, ServiceIngestion},
        teams,
    },
    error::is_unique_violation,
};

pub(crate) async fn service(conn: &mut PgConnection, slug: &str) -> Result<ServiceIngestion> {
    services::service_by_slug(conn, slug).await?.ok_or(Error::NotFound("service"))
}

/// One service with its owner, ingestion settings and policy: what its page shows.
pub async fn get_service(pool: &PgPool, slug: &str) -> Result<ServiceDetail> {
    let mut conn = pool.acquire().await?;
    let row = services::detail_by_slug(&mut conn, slug).await?.ok_or(Error::NotFound("service"))?;
    let ingestion = stored_settings(&row.slug, &row.ingestion);
    let escalation_policy = match (row.policy_id, row.policy_name) {
        (Some(id), Some(name)) => Some(PolicyRef { id: PolicyId(id), name }),
        _ => None,
    };
    let service = ServiceView {
        id: ServiceId(row.id),
        name: row.name,
        slug: row.slug,
        description: row.description,
        team_slug: row.team_slug,
        team_name: row.team_name,
    };
    Ok(ServiceDetail { service, ingestion, escalation_policy })
}

/// A service's stored ingestion settings; unreadable ones (written by a newer version, or by
/// hand) fall back to the defaults with a warning rather than stop its alerts.
pub fn settings_of(row: &ServiceIngestion) -> IngestionSettings {
    stored_settings(&row.slug, &row.ingestion)
}

fn stored_settings(slug: &str, stored: &serde_json::Value) -> IngestionSettings {
    IngestionSettings::parse(stored).unwrap_or_else(|e| {
        tracing::warn!(service = %slug, error = %e, "stored ingestion settings are invalid; using defaults");
        IngestionSettings::default()
    })
}

pub async fn ingestion_settings(pool: &PgPool, slug: &str) -> Result<IngestionSettings> {
    let mut conn = pool.acquire().await?;
    let svc = service(&mut conn, slug).await?;
    Ok(settings_of(&svc))
}

pub async fn set_ingestion_settings(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    settings: &IngestionSettings,
) -> Result<IngestionSettings> {
    settings.validate()?;
    let mut tx = pool.begin().await?;
    let svc = service(&mut tx, slug).await?;
    let before = settings_of(&svc);
    let stored = serde_json::to_value(settings).map_err(anyhow::Error::from)?;
    services::set_ingestion(&mut tx, svc.id, &stored).await?;
    let entry = Entry::new("service.ingestion", "service", svc.slug).before(json!(before)).after(stored);
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(*settings)
}

/// Routes a service to a policy (or to none).
pub async fn route_service(pool: &PgPool, actor: &Actor, slug: &str, policy: Option<PolicyId>) -> Result<()> {
    let policy = policy.map(|p| p.0);
    let mut tx = pool.begin().await?;
    if let Some(p) = policy
        && !policies::list_policies(&mut tx).await?.iter().any(|x| x.id == p)
    {
        return Err(FieldError::new("escalation_policy_id", "no such escalation policy").into());
    }
    if !services::set_service_policy(&mut tx, slug, policy).await? {
        return Err(Error::NotFound("service"));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("service.route", "service", slug).after(json!({ "escalation_policy_id": policy })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn service_view(s: &services::ServiceWithOwner) -> ServiceView {
    ServiceView {
        id: ServiceId(s.id),
        name: s.name.clone(),
        slug: s.slug.clone(),
        description: s.description.clone(),
        team_slug: s.team_slug.clone(),
        team_name: s.team_name.clone(),
    }
}

pub async fn list_services(pool: &PgPool) -> Result<Vec<ServiceView>> {
    let mut conn = pool.acquire().await?;
    Ok(services::services_with_owners(&mut conn).await?.iter().map(service_view).collect())
}

pub async fn create_service(pool: &PgPool, actor: &Actor, service: &NewService) -> Result<ServiceView> {
    let mut tx = pool.begin().await?;
    let team = teams::team_by_slug(&mut tx, service.team.as_str()).await?.ok_or(Error::NotFound("team"))?;
    let id = match services::insert_service(
        &mut tx,
        service.name.as_str(),
        service.slug.as_str(),
        team.id,
        &service.description,
    )
    .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Conflict(format!(
                "a service named {} or with slug {} already exists",
                service.name, service.slug
            )));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor,
        Entry::new("service.create", "service", id).after(
            json!({ "name": service.name.as_str(), "slug": service.slug.as_str(), "team": team.slug }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(ServiceView {
        id: ServiceId(id),
        name: service.name.to_string(),
        slug: service.slug.to_string(),
        description: service.description.clone(),
        team_slug: team.slug,
        team_name: team.name,
    })
}
