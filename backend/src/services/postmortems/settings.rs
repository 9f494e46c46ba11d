//! The postmortem policy and templates, which admins keep (`/admin/postmortem-templates`).

use chrono::{DateTime, Utc};
use domain::postmortem::{Policy, Template, TemplateInput};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::template_of;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        postmortems::{self as db, PolicyRow},
    },
};

fn policy_view(p: PolicyRow) -> Policy {
    Policy {
        severities: p.severities,
        business_days: p.business_days,
        required_approvals: p.required_approvals,
        high_days: p.high_days,
        other_days: p.other_days,
    }
}

pub async fn policy(pool: &PgPool) -> Result<Policy> {
    Ok(policy_view(db::policy(&mut *pool.acquire().await?).await?))
}

pub async fn update_policy(
    pool: &PgPool,
    actor: &Actor,
    input: Policy,
    now: DateTime<Utc>,
) -> Result<Policy> {
    let next = input.parse()?;
    let mut tx = pool.begin().await?;
    let before = policy_view(db::policy(&mut tx).await?);
    let row = PolicyRow {
        severities: next.severities.clone(),
        business_days: next.business_days,
        required_approvals: next.required_approvals,
        high_days: next.high_days,
        other_days: next.other_days,
    };
    db::update_policy(&mut tx, &row, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("postmortem_policy.update", "postmortem_policy", "policy")
            .before(json!(before))
            .after(json!(next)),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// Every template; when none is stored, the built-in default (the reason-for-outage questions).
pub async fn templates(pool: &PgPool) -> Result<Vec<Template>> {
    let rows = db::templates(&mut *pool.acquire().await?).await?;
    Ok(rows
        .into_iter()
        .map(|r| Template {
            id: r.id,
            name: r.name,
            severities: r.severities,
            sections: template_of(&r.sections),
        })
        .collect())
}

/// Saves a template (a new one without `id`). A severity belongs to one template at most, and one
/// template at most has none (it serves the rest): otherwise 409.
pub async fn save_template(
    pool: &PgPool,
    actor: &Actor,
    id: Option<Uuid>,
    input: &TemplateInput,
    now: DateTime<Utc>,
) -> Result<Template> {
    let t = input.parse()?;
    let mut tx = pool.begin().await?;
    db::lock_templates(&mut tx).await?;
    let existing = db::templates(&mut tx).await?;
    if let Some(id) = id
        && !existing.iter().any(|e| e.id == id)
    {
        return Err(Error::NotFound("template"));
    }
    for other in existing.iter().filter(|e| Some(e.id) != id) {
        if let Some(s) = t.severities.iter().find(|s| other.severities.contains(s)) {
            return Err(Error::Conflict(format!("{s} already has the template '{}'", other.name)));
        }
        if t.severities.is_empty() && other.severities.is_empty() {
            return Err(Error::Conflict(format!(
                "'{}' is already the template for the other severities",
                other.name
            )));
        }
    }
    let id = id.unwrap_or_else(Uuid::now_v7);
    let before =
        existing.iter().find(|e| e.id == id).map(|e| json!({ "name": e.name, "severities": e.severities }));
    db::upsert_template(&mut tx, id, &t.name, &t.severities, &json!(t.sections), now).await?;
    let mut entry = Entry::new("postmortem_template.save", "postmortem_template", id)
        .after(json!({ "name": t.name, "severities": t.severities, "sections": t.sections.iter().map(|s| s.key).collect::<Vec<_>>() }));
    if let Some(b) = before {
        entry = entry.before(b);
    }
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(Template { id, name: t.name, severities: t.severities, sections: t.sections })
}

pub async fn delete_template(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::delete_template(&mut tx, id).await? {
        return Err(Error::NotFound("template"));
    }
    audit::record(&mut tx, actor, Entry::new("postmortem_template.delete", "postmortem_template", id))
        .await?;
    tx.commit().await?;
    Ok(())
}
