//! The public status page: changing its components and groups, posting public incidents and
//! their updates (one message: the page, its JSON and feed, and the internal incident's timeline,
//! in one transaction), and reading everything the public page is built from.
//!
//! Every change announces itself (`db::status_page::announce`) in its transaction, so each
//! instance rebuilds its snapshot; nothing here is read per public request.

mod snapshot;
pub mod subscribers;

pub use domain::status::statuspage::Source;
pub use snapshot::{Coding, JsonDoc, Snapshot, Snapshots};

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use domain::{
    incident::{IncidentNumber, TimelineKind},
    status::{
        ComponentStatus,
        page::{
            AffectedComponent, ComponentChange, ComponentView, GroupInput, GroupView, NewPublicIncident,
            PageSettings, ParsedUpdate, PublicIncidentView,
        },
        uptime::StatusSpan,
    },
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        incidents,
        status_page::{self as db, NewUpdate},
    },
    services::incidents::IncidentChange,
};

/// Days of history the page shows (and the snapshot reads).
pub const HISTORY_DAYS: u32 = 90;
/// Public incidents in the snapshot besides the open ones (the history's first page); older
/// ones page through history.
pub const RECENT_INCIDENTS: i64 = domain::status::public::HISTORY_PER_PAGE as i64;

/// Everything the public page and its JSON are built from, read in a handful of queries.
#[derive(Debug, Clone)]
pub struct PageData {
    pub settings: PageSettings,
    pub groups: Vec<GroupView>,
    pub components: Vec<ComponentView>,
    /// Newest first: the recent ones and every open one.
    pub incidents: Vec<PublicIncidentView>,
    /// Each component's log over the history window.
    pub logs: HashMap<Uuid, Vec<StatusSpan>>,
    /// Public incidents and maintenances ever posted: the history's length.
    pub total_incidents: i64,
}

pub async fn page_data(pool: &PgPool, now: DateTime<Utc>) -> Result<PageData> {
    let mut conn = pool.acquire().await?;
    let settings = db::settings(&mut conn).await?;
    let groups = db::groups(&mut conn).await?;
    let components = db::components(&mut conn).await?;
    let incidents = db::public_incidents(&mut conn, RECENT_INCIDENTS, 0, None).await?;
    // A day more than shown: the oldest day begins before `now - 90 days` in any zone.
    let since = now - Duration::days(i64::from(HISTORY_DAYS) + 2);
    let mut logs: HashMap<Uuid, Vec<StatusSpan>> = HashMap::new();
    for (component, span) in db::logs_since(&mut conn, since).await? {
        logs.entry(component).or_default().push(span);
    }
    let total_incidents = db::count_public_incidents(&mut conn).await?;
    Ok(PageData { settings, groups, components, incidents, logs, total_incidents })
}

/// A page of the whole history, newest first: the first is the snapshot's (no query), older
/// ones are read now. `None` past the last page.
pub async fn history(
    pool: &PgPool,
    snapshot: &Snapshot,
    page: u32,
) -> Result<Option<Vec<PublicIncidentView>>> {
    if page == 0 || page > domain::status::public::history_pages(snapshot.data.total_incidents) {
        return Ok(None);
    }
    if page == 1 {
        return Ok(Some(snapshot.data.incidents.clone()));
    }
    let mut conn = pool.acquire().await?;
    let offset = i64::from(page - 1) * RECENT_INCIDENTS;
    Ok(Some(db::public_incidents(&mut conn, RECENT_INCIDENTS, offset, None).await?))
}

/// A page of the history as the public page lists it.
pub async fn history_page(
    pool: &PgPool,
    snapshot: &Snapshot,
    page: u32,
) -> Result<Option<domain::status::public::HistoryPage>> {
    let Some(items) = history(pool, snapshot, page).await? else {
        return Ok(None);
    };
    Ok(Some(domain::status::public::HistoryPage {
        page_name: snapshot.data.settings.name.clone(),
        time_zone: snapshot.data.settings.time_zone.clone(),
        items: items.iter().map(|i| snapshot.brief(i)).collect(),
        page,
        pages: domain::status::public::history_pages(snapshot.data.total_incidents),
    }))
}

/// One public incident by its public id, however old (the snapshot holds the recent ones).
pub async fn public_incident(pool: &PgPool, public_id: &str) -> Result<Option<PublicIncidentView>> {
    let mut conn = pool.acquire().await?;
    Ok(db::public_incidents(&mut conn, 0, 0, Some(public_id)).await?.pop())
}

pub async fn settings(pool: &PgPool) -> Result<PageSettings> {
    Ok(db::settings(&mut *pool.acquire().await?).await?)
}

pub async fn update_settings(
    pool: &PgPool,
    actor: &Actor,
    input: &domain::status::page::SettingsInput,
    now: DateTime<Utc>,
) -> Result<PageSettings> {
    let mut tx = pool.begin().await?;
    let before = db::settings(&mut tx).await?;
    let after = input.apply(&before)?;
    db::update_settings(
        &mut tx,
        &after.name,
        &after.time_zone,
        after.support_url.as_deref(),
        after.banner.as_deref(),
        after.maintenance_counts,
        after.partial_weight,
        after.reminder_hours,
        now,
    )
    .await?;
    let after = db::settings(&mut tx).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_page.settings", "status_page", &before.public_id)
            .before(serde_json::to_value(&before).unwrap_or_default())
            .after(serde_json::to_value(&after).unwrap_or_default()),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn components(pool: &PgPool) -> Result<Vec<ComponentView>> {
    Ok(db::components(&mut *pool.acquire().await?).await?)
}

pub async fn groups(pool: &PgPool) -> Result<Vec<GroupView>> {
    Ok(db::groups(&mut *pool.acquire().await?).await?)
}

fn component_json(c: &ComponentView) -> serde_json::Value {
    json!({ "name": c.name, "description": c.description, "group_id": c.group_id, "position": c.position,
            "only_show_if_degraded": c.only_show_if_degraded, "services": c.services, "status": c.status })
}

async fn component_by_id(conn: &mut PgConnection, id: Uuid) -> Result<ComponentView> {
    db::components(conn).await?.into_iter().find(|c| c.id == id).ok_or(Error::NotFound("component"))
}

async fn check_group(conn: &mut PgConnection, group: Option<Option<Uuid>>) -> Result<()> {
    if let Some(Some(g)) = group
        && !db::groups(conn).await?.iter().any(|x| x.id == g)
    {
        return Err(domain::FieldError::new("group_id", "names no group").into());
    }
    Ok(())
}

async fn set_services(conn: &mut PgConnection, id: Uuid, services: &Option<Vec<String>>) -> Result<()> {
    if let Some(slugs) = services {
        let unknown = db::set_component_services(conn, id, slugs).await?;
        if !unknown.is_empty() {
            return Err(
                domain::FieldError::new("services", format!("no service {}", unknown.join(", "))).into()
            );
        }
    }
    Ok(())
}

pub async fn create_component(
    pool: &PgPool,
    actor: &Actor,
    change: &ComponentChange,
    now: DateTime<Utc>,
) -> Result<ComponentView> {
    let mut tx = pool.begin().await?;
    check_group(&mut tx, change.group_id).await?;
    let id = db::insert_component(
        &mut tx,
        change.name.as_deref().unwrap_or_default(),
        change.description.as_deref().unwrap_or_default(),
        change.group_id.flatten(),
        change.position.unwrap_or(0),
        change.only_show_if_degraded.unwrap_or(false),
        change.status.unwrap_or(ComponentStatus::Operational),
        now,
    )
    .await?;
    set_services(&mut tx, id, &change.services).await?;
    let created = component_by_id(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_component.create", "status_component", id).after(component_json(&created)),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update_component(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    change: &ComponentChange,
    now: DateTime<Utc>,
) -> Result<ComponentView> {
    let mut tx = pool.begin().await?;
    if db::lock_components(&mut tx, &[id]).await?.is_empty() {
        return Err(Error::NotFound("component"));
    }
    check_group(&mut tx, change.group_id).await?;
    let before = component_by_id(&mut tx, id).await?;
    let mut after = before.clone();
    if let Some(n) = &change.name {
        after.name = n.clone();
    }
    if let Some(d) = &change.description {
        after.description = d.clone();
    }
    if let Some(g) = change.group_id {
        after.group_id = g;
    }
    if let Some(p) = change.position {
        after.position = p;
    }
    if let Some(o) = change.only_show_if_degraded {
        after.only_show_if_degraded = o;
    }
    after.updated_at = now;
    db::update_component(&mut tx, &after).await?;
    set_services(&mut tx, id, &change.services).await?;
    if let Some(s) = change.status
        && s != before.status
    {
        db::set_component_status(&mut tx, id, s, now).await?;
    }
    let after = component_by_id(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_component.update", "status_component", id)
            .before(component_json(&before))
            .after(component_json(&after)),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(after)
}

/// Puts components in the order given (their positions become 1, 2, 3...): what dragging one, or
/// moving it up or down, sends.
pub async fn reorder_components(
    pool: &PgPool,
    actor: &Actor,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != ids.len() || ids.is_empty() {
        return Err(domain::FieldError::new("order", "name each component once").into());
    }
    let mut tx = pool.begin().await?;
    let found = db::lock_components(&mut tx, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|(f, ..)| f == *id)) {
        return Err(domain::FieldError::new("order", format!("{missing} names no component")).into());
    }
    let before: Vec<(Uuid, i32)> = db::components(&mut tx)
        .await?
        .into_iter()
        .filter(|c| ids.contains(&c.id))
        .map(|c| (c.id, c.position))
        .collect();
    db::set_positions(&mut tx, ids, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_component.reorder", "status_page", "order")
            .before(json!(
                before.iter().map(|(id, p)| json!({ "id": id, "position": p })).collect::<Vec<_>>()
            ))
            .after(json!(ids)),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_component(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    let before = component_by_id(&mut tx, id).await?;
    db::delete_component(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_component.delete", "status_component", id).before(component_json(&before)),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_group(
    pool: &PgPool,
    actor: &Actor,
    input: &GroupInput,
    now: DateTime<Utc>,
) -> Result<GroupView> {
    let mut tx = pool.begin().await?;
    let name = input.name.clone().unwrap_or_default();
    let id =
        db::insert_group(&mut tx, &name, input.position.unwrap_or(0), input.collapsed.unwrap_or(false), now)
            .await?;
    let created = db::group_for_update(&mut tx, id).await?.ok_or(Error::NotFound("group"))?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_group.create", "status_group", id).after(json!({ "name": name })),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update_group(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    input: &GroupInput,
    now: DateTime<Utc>,
) -> Result<GroupView> {
    let mut tx = pool.begin().await?;
    let before = db::group_for_update(&mut tx, id).await?.ok_or(Error::NotFound("group"))?;
    let mut after = before.clone();
    if let Some(n) = &input.name {
        after.name = n.clone();
    }
    if let Some(p) = input.position {
        after.position = p;
    }
    if let Some(c) = input.collapsed {
        after.collapsed = c;
    }
    after.updated_at = now;
    db::update_group(&mut tx, &after).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_group.update", "status_group", id)
            .before(
                json!({ "name": before.name, "position": before.position, "collapsed": before.collapsed }),
            )
            .after(json!({ "name": after.name, "position": after.position, "collapsed": after.collapsed })),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_group(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    let before = db::group_for_update(&mut tx, id).await?.ok_or(Error::NotFound("group"))?;
    db::delete_group(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_group.delete", "status_group", id).before(json!({ "name": before.name })),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A short, unguessable public id (the `id` Statuspage clients see and the URL of the page).
fn public_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Sets the states an update names and answers what changed, in the order given. Components
/// named but unknown are refused, naming the first.
async fn set_states(
    conn: &mut PgConnection,
    states: &BTreeMap<Uuid, ComponentStatus>,
    now: DateTime<Utc>,
) -> Result<Vec<AffectedComponent>> {
    let ids: Vec<Uuid> = states.keys().copied().collect();
    let locked = db::lock_components(conn, &ids).await?;
    if let Some(missing) = ids.iter().find(|id| !locked.iter().any(|(l, ..)| l == *id)) {
        return Err(domain::FieldError::new(format!("components.{missing}"), "names no component").into());
    }
    let mut affected = Vec::new();
    for (id, name, old) in locked {
        let new = states[&id];
        if new != old {
            db::set_component_status(conn, id, new, now).await?;
        }
        affected.push(AffectedComponent { component_id: id, name, old_status: old, new_status: new });
    }
    Ok(affected)
}

/// Where a public incident's message goes: into the internal incident's transaction (its timeline
/// and live pages hear of it) or a transaction of its own.
enum Writer {
    Linked(Box<IncidentChange>),
    Alone(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Writer {
    async fn begin(pool: &PgPool, incident: Option<Uuid>, now: DateTime<Utc>) -> Result<Writer> {
        Ok(match incident {
            Some(id) => Writer::Linked(Box::new(
                IncidentChange::begin_by_id(pool, domain::incident::IncidentId(id), now).await?,
            )),
            None => Writer::Alone(pool.begin().await?),
        })
    }

    fn conn(&mut self) -> &mut PgConnection {
        match self {
            Writer::Linked(change) => &mut change.tx,
            Writer::Alone(tx) => tx,
        }
    }

    async fn finish(
        mut self,
        actor: &Actor,
        name: &str,
        update: &ParsedUpdate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        db::announce(self.conn()).await?;
        match self {
            Writer::Linked(mut change) => {
                let first_line = update.body.lines().next().unwrap_or_default();
                let body =
                    format!("Status page ({}): {name}: {first_line}", update.status.label().to_lowercase());
                let incident = change.id();
                crate::db::timeline::append_timeline_at(
                    &mut change.tx,
                    incident,
                    actor,
                    now,
                    TimelineKind::StatusPageUpdate.as_str(),
                    &body,
                )
                .await?;
                change.commit("status_page").await?;
            }
            Writer::Alone(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

async fn view(pool: &PgPool, public_id: &str) -> Result<PublicIncidentView> {
    let mut conn = pool.acquire().await?;
    let recent = db::public_incidents(&mut conn, RECENT_INCIDENTS, 0, None).await?;
    recent.into_iter().find(|i| i.public_id == public_id).ok_or(Error::NotFound("public incident"))
}

/// Posts a public incident with its first update: the components take the states it sets.
/// `public_url` is where Tocsin is reached (the links in subscribers' messages).
pub async fn post_incident(
    pool: &PgPool,
    actor: &Actor,
    new: &NewPublicIncident,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<PublicIncidentView> {
    let internal = match new.incident {
        Some(n) => Some(
            incidents::id_by_number(&mut *pool.acquire().await?, n.0)
                .await?
                .ok_or(Error::NotFound("incident"))?,
        ),
        None => None,
    };
    let mut w = Writer::begin(pool, internal, now).await?;
    let affected = set_states(w.conn(), &new.update.components, now).await?;
    let public = public_id();
    let id = db::insert_public_incident(
        w.conn(),
        &db::NewPublicIncident {
            public_id: &public,
            maintenance: false,
            name: &new.name,
            status: new.update.status,
            impact: new.impact,
            incident_id: internal,
            scheduled_for: None,
            scheduled_until: None,
            started_at: now,
            at: now,
        },
    )
    .await?;
    db::set_public_status(w.conn(), id, new.update.status, now).await?;
    let ids: Vec<Uuid> = affected.iter().map(|a| a.component_id).collect();
    db::add_public_components(w.conn(), id, &ids).await?;
    let html = insert_update(w.conn(), id, actor, &new.update, &affected, now).await?;
    subscribers::fan_out(w.conn(), public_url, &public, &new.name, &new.update, &html, &ids, &affected, now)
        .await?;
    audit::record(
        w.conn(),
        actor,
        Entry::new("public_incident.create", "public_incident", &public).after(json!({
            "name": new.name, "status": new.update.status, "impact": new.impact, "body": new.update.body,
            "components": new.update.components, "incident": new.incident,
        })),
    )
    .await?;
    w.finish(actor, &new.name, &new.update, now).await?;
    view(pool, &public).await
}

async fn insert_update(
    conn: &mut PgConnection,
    id: Uuid,
    actor: &Actor,
    update: &ParsedUpdate,
    affected: &[AffectedComponent],
    now: DateTime<Utc>,
) -> Result<String> {
    let html = crate::markdown::render(&update.body);
    db::insert_update(
        conn,
        &NewUpdate {
            public_id: &public_id(),
            public_incident_id: id,
            status: update.status,
            body: &update.body,
            body_html: &html,
            at: now,
            author_id: actor.user_id.map(|u| u.0),
            affected,
        },
    )
    .await?;
    Ok(html)
}

/// Posts a later update: the status moves, the named components take their states.
pub async fn post_update(
    pool: &PgPool,
    actor: &Actor,
    public: &str,
    update: &ParsedUpdate,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<PublicIncidentView> {
    let internal = {
        let mut conn = pool.acquire().await?;
        let row = db::public_incident_for_update(&mut conn, public)
            .await?
            .ok_or(Error::NotFound("public incident"))?;
        update.status.for_kind(row.maintenance)?;
        row.incident_id
    };
    let mut w = Writer::begin(pool, internal, now).await?;
    let row =
        db::public_incident_for_update(w.conn(), public).await?.ok_or(Error::NotFound("public incident"))?;
    let affected = set_states(w.conn(), &update.components, now).await?;
    db::set_public_status(w.conn(), row.id, update.status, now).await?;
    let ids: Vec<Uuid> = affected.iter().map(|a| a.component_id).collect();
    db::add_public_components(w.conn(), row.id, &ids).await?;
    let html = insert_update(w.conn(), row.id, actor, update, &affected, now).await?;
    let components = db::public_components(w.conn(), row.id).await?;
    subscribers::fan_out(w.conn(), public_url, public, &row.name, update, &html, &components, &affected, now)
        .await?;
    audit::record(
        w.conn(),
        actor,
        Entry::new("public_incident.update", "public_incident", public)
            .before(json!({ "status": row.status }))
            .after(json!({ "status": update.status, "body": update.body, "components": update.components })),
    )
    .await?;
    w.finish(actor, &row.name, update, now).await?;
    view(pool, public).await
}

/// What the "Update status page" form starts from for an internal incident: the components of
/// its services, and the public incident telling customers about it, if any (the latest, resolved
/// or not: a later post updates it rather than telling the same story twice).
pub async fn for_incident(
    pool: &PgPool,
    number: IncidentNumber,
) -> Result<(Vec<Uuid>, Option<PublicIncidentView>)> {
    let mut conn = pool.acquire().await?;
    let id = incidents::id_by_number(&mut conn, number.0).await?.ok_or(Error::NotFound("incident"))?;
    let services = incidents::service_ids(&mut conn, id).await?;
    let components = db::components_of_services(&mut conn, &services).await?;
    let existing = db::public_incidents(&mut conn, RECENT_INCIDENTS, 0, None)
        .await?
        .into_iter()
        .find(|p| p.incident == Some(number));
    Ok((components, existing))
}

/// Schedules a maintenance: customers see it coming; the engine starts and completes it.
pub async fn schedule_maintenance(
    pool: &PgPool,
    actor: &Actor,
    m: &domain::status::page::NewMaintenance,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<PublicIncidentView> {
    let mut tx = pool.begin().await?;
    let locked = db::lock_components(&mut tx, &m.components).await?;
    if let Some(missing) = m.components.iter().find(|id| !locked.iter().any(|(l, ..)| l == *id)) {
        return Err(domain::FieldError::new("components", format!("{missing} names no component")).into());
    }
    let public = public_id();
    let id = db::insert_public_incident(
        &mut tx,
        &db::NewPublicIncident {
            public_id: &public,
            maintenance: true,
            name: &m.name,
            status: domain::status::PublicStatus::Scheduled,
            impact: domain::status::Impact::Maintenance,
            incident_id: None,
            scheduled_for: Some(m.scheduled_for),
            scheduled_until: Some(m.scheduled_until),
            started_at: m.scheduled_for,
            at: now,
        },
    )
    .await?;
    db::set_maintenance_flags(&mut tx, id, m.auto_start, m.auto_complete).await?;
    db::add_public_components(&mut tx, id, &m.components).await?;
    let update = ParsedUpdate {
        status: domain::status::PublicStatus::Scheduled,
        body: m.body.clone(),
        components: BTreeMap::new(),
    };
    let html = insert_update(&mut tx, id, actor, &update, &[], now).await?;
    // Subscribers hear of it when it is scheduled (and again ahead of it, and as it starts and ends).
    subscribers::fan_out(&mut tx, public_url, &public, &m.name, &update, &html, &m.components, &[], now)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("maintenance.schedule", "public_incident", &public).after(json!({
            "name": m.name, "scheduled_for": m.scheduled_for, "scheduled_until": m.scheduled_until,
            "components": m.components, "auto_start": m.auto_start, "auto_complete": m.auto_complete,
        })),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    view(pool, &public).await
}

/// Changes a maintenance (before it starts anything; once it runs its name, end and whether it
/// completes by itself). Moving its start asks for a new reminder; the page shows the change at
/// once. A finished one is not changed.
pub async fn update_maintenance(
    pool: &PgPool,
    actor: &Actor,
    public: &str,
    change: &domain::status::page::MaintenanceChange,
    now: DateTime<Utc>,
) -> Result<PublicIncidentView> {
    let mut tx = pool.begin().await?;
    let row = db::maintenance_for_update(&mut tx, public).await?.ok_or(Error::NotFound("maintenance"))?;
    if row.status.is_closed() {
        return Err(Error::Conflict("the maintenance is over; schedule a new one".into()));
    }
    let (Some(scheduled_for), Some(scheduled_until)) = (row.scheduled_for, row.scheduled_until) else {
        return Err(Error::Conflict("the maintenance has no window".into()));
    };
    let components = db::public_components(&mut tx, row.id).await?;
    let current = domain::status::page::NewMaintenance {
        name: row.name.clone(),
        body: String::new(),
        scheduled_for,
        scheduled_until,
        components,
        auto_start: row.auto_start,
        auto_complete: row.auto_complete,
    };
    let next = change.apply(&current, row.status != domain::status::PublicStatus::Scheduled)?;
    let locked = db::lock_components(&mut tx, &next.components).await?;
    if let Some(missing) = next.components.iter().find(|id| !locked.iter().any(|(l, ..)| l == *id)) {
        return Err(domain::FieldError::new("components", format!("{missing} names no component")).into());
    }
    db::update_maintenance(&mut tx, row.id, &next.name, next.scheduled_for, next.scheduled_until, now)
        .await?;
    db::set_maintenance_flags(&mut tx, row.id, next.auto_start, next.auto_complete).await?;
    if next.components != current.components {
        db::set_public_components(&mut tx, row.id, &next.components).await?;
    }
    let summary = |m: &domain::status::page::NewMaintenance| {
        json!({ "name": m.name, "scheduled_for": m.scheduled_for, "scheduled_until": m.scheduled_until,
                "components": m.components, "auto_start": m.auto_start, "auto_complete": m.auto_complete })
    };
    audit::record(
        &mut tx,
        actor,
        Entry::new("maintenance.update", "public_incident", public)
            .before(summary(&current))
            .after(summary(&next)),
    )
    .await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    view(pool, public).await
}

const CANCELLED: &str = "This scheduled maintenance has been cancelled.";

/// Cancels a maintenance that has not started: it is closed with a last update saying so (or
/// `body`), which its subscribers receive. One already running is ended by posting its completion.
pub async fn cancel_maintenance(
    pool: &PgPool,
    actor: &Actor,
    public: &str,
    body: Option<&str>,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<PublicIncidentView> {
    let mut tx = pool.begin().await?;
    let row = db::maintenance_for_update(&mut tx, public).await?.ok_or(Error::NotFound("maintenance"))?;
    if row.status != domain::status::PublicStatus::Scheduled {
        return Err(Error::Conflict(
            "only a maintenance that has not started can be cancelled; post a completed update to end one early"
                .into(),
        ));
    }
    let body = match body.map(str::trim) {
        Some(b) if !b.is_empty() => b.to_owned(),
        _ => CANCELLED.to_owned(),
    };
    if body.len() > 20_000 {
        return Err(domain::FieldError::new("body", "at most 20000 characters").into());
    }
    db::set_public_status(&mut tx, row.id, domain::status::PublicStatus::Completed, now).await?;
    let update =
        ParsedUpdate { status: domain::status::PublicStatus::Completed, body, components: BTreeMap::new() };
    let html = insert_update(&mut tx, row.id, actor, &update, &[], now).await?;
    let components = db::public_components(&mut tx, row.id).await?;
    subscribers::fan_out(&mut tx, public_url, public, &row.name, &update, &html, &components, &[], now)
        .await?;
    audit::record(&mut tx, actor, Entry::new("maintenance.cancel", "public_incident", public)).await?;
    db::announce(&mut tx).await?;
    tx.commit().await?;
    view(pool, public).await
}

const STARTED: &str = "The scheduled maintenance is in progress. We will post updates as necessary.";
const COMPLETED: &str = "The scheduled maintenance has been completed.";

/// Starts the maintenances whose time has come (their components go under maintenance) and
/// completes those whose window has ended (each component goes back to what it would be without
/// the maintenance: what an open incident last set, else operational; a component an incident
/// took down during the window stays down). Rows are claimed with SKIP LOCKED in one transaction,
/// so with any number of engines each maintenance starts and completes once.
pub async fn advance_maintenances(
    pool: &PgPool,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(usize, usize)> {
    let mut tx = pool.begin().await?;
    let system = Actor::system();
    for m in db::due_for_reminder(&mut tx, now).await? {
        let components = db::public_components(&mut tx, m.id).await?;
        let window = db::window(&mut tx, m.id).await?;
        let told = subscribers::remind(&mut tx, public_url, &m, &components, window, now).await?;
        db::mark_reminded(&mut tx, m.id, now).await?;
        audit::record(
            &mut tx,
            &system,
            Entry::new("maintenance.remind", "public_incident", &m.public_id)
                .after(json!({ "subscribers": told })),
        )
        .await?;
    }
    let starting = db::due_to_start(&mut tx, now).await?;
    for m in &starting {
        let states: BTreeMap<Uuid, ComponentStatus> = db::public_components(&mut tx, m.id)
            .await?
            .into_iter()
            .map(|c| (c, ComponentStatus::UnderMaintenance))
            .collect();
        let affected = set_states(&mut tx, &states, now).await?;
        db::set_public_status(&mut tx, m.id, domain::status::PublicStatus::InProgress, now).await?;
        let update = ParsedUpdate {
            status: domain::status::PublicStatus::InProgress,
            body: STARTED.into(),
            components: states,
        };
        let html = insert_update(&mut tx, m.id, &system, &update, &affected, now).await?;
        let ids: Vec<Uuid> = update.components.keys().copied().collect();
        subscribers::fan_out(
            &mut tx,
            public_url,
            &m.public_id,
            &m.name,
            &update,
            &html,
            &ids,
            &affected,
            now,
        )
        .await?;
        audit::record(&mut tx, &system, Entry::new("maintenance.start", "public_incident", &m.public_id))
            .await?;
    }
    let completing = db::due_to_complete(&mut tx, now).await?;
    for m in &completing {
        let mut states = BTreeMap::new();
        let components = db::public_components(&mut tx, m.id).await?;
        for (id, _, status) in db::lock_components(&mut tx, &components).await? {
            if status == ComponentStatus::UnderMaintenance {
                let back =
                    db::state_from_open_incidents(&mut tx, id).await?.unwrap_or(ComponentStatus::Operational);
                states.insert(
                    id,
                    if back == ComponentStatus::UnderMaintenance {
                        ComponentStatus::Operational
                    } else {
                        back
                    },
                );
            }
        }
        let affected = set_states(&mut tx, &states, now).await?;
        db::set_public_status(&mut tx, m.id, domain::status::PublicStatus::Completed, now).await?;
        let update = ParsedUpdate {
            status: domain::status::PublicStatus::Completed,
            body: COMPLETED.into(),
            components: states,
        };
        let html = insert_update(&mut tx, m.id, &system, &update, &affected, now).await?;
        subscribers::fan_out(
            &mut tx,
            public_url,
            &m.public_id,
            &m.name,
            &update,
            &html,
            &components,
            &affected,
            now,
        )
        .await?;
        audit::record(&mut tx, &system, Entry::new("maintenance.complete", "public_incident", &m.public_id))
            .await?;
    }
    if !starting.is_empty() || !completing.is_empty() {
        db::announce(&mut tx).await?;
    }
    tx.commit().await?;
    Ok((starting.len(), completing.len()))
}
