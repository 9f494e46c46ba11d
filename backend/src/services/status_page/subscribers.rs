//! Subscribers: people told of every update by email (double opt-in: nothing is sent before the
//! confirmation link is followed; one-click unsubscribe in every message, RFC 8058) and systems
//! told by a signed webhook (added by an admin). Messages are queued in the transaction of the
//! update they tell about and delivered by the engine (`engine::subscribers`), leased and retried.

use chrono::{DateTime, Utc};
use domain::{
    Email,
    status::page::{AffectedComponent, ParsedUpdate, SubscriberView},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::db;
use crate::{
    Error, Result,
    actor::Actor,
    auth::secrets::random_token,
    db::audit::{self, Entry},
};

/// Subscription requests one client address may make in an hour.
pub const PER_ADDRESS_PER_HOUR: i64 = 10;

fn view(r: db::SubscriberRow) -> SubscriberView {
    SubscriberView {
        id: r.id,
        kind: r.kind,
        address: r.address,
        components: r.components,
        incident: r.incident,
        confirmed: r.confirmed_at.is_some(),
        created_at: r.created_at,
    }
}

fn links(base: &str, token: &str) -> (String, String) {
    let base = base.trim_end_matches('/');
    (
        format!("{base}/status/subscriptions/{token}"),
        format!("{base}/status/subscriptions/{token}/unsubscribe"),
    )
}

async fn known_components(conn: &mut PgConnection, ids: &[Uuid]) -> Result<()> {
    let found = db::lock_components(conn, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|(f, ..)| f == *id)) {
        return Err(domain::FieldError::new("components", format!("{missing} names no component")).into());
    }
    Ok(())
}

/// What a subscription follows: the page (some components, or all), or one public incident.
#[derive(Debug, Clone, Copy)]
pub enum Follow<'a> {
    Components(&'a [Uuid]),
    Incident(&'a str),
}

/// Asks to subscribe `email`: a message with the confirmation link goes to that address (and only
/// there). The answer is the same whether the address is new, waiting or confirmed, so the form
/// tells nobody who subscribes; a confirmed address gets a message with its link instead.
pub async fn subscribe(
    pool: &PgPool,
    email: &Email,
    follow: Follow<'_>,
    ip: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    if db::count_subscribe_attempt(&mut tx, ip, now).await? > PER_ADDRESS_PER_HOUR {
        tx.commit().await?;
        return Err(Error::RateLimited { retry_after_secs: 3600 });
    }
    let settings = db::settings(&mut tx).await?;
    let (components, incident, what): (&[Uuid], _, _) = match follow {
        Follow::Components(ids) => {
            known_components(&mut tx, ids).await?;
            (ids, None, format!("{} status updates", settings.name))
        }
        Follow::Incident(public_id) => {
            let id = db::public_incident_id(&mut tx, public_id)
                .await?
                .ok_or_else(|| domain::FieldError::new("incident", "names no public incident"))?;
            let name = db::public_incidents(&mut tx, 0, 0, Some(public_id))
                .await?
                .pop()
                .map(|i| i.name)
                .unwrap_or_default();
            (&[][..], Some(id), format!("updates on \"{name}\" from {}", settings.name))
        }
    };
    let (id, token, confirmed) = db::upsert_subscriber(
        &mut tx,
        "email",
        email.as_str(),
        None,
        components,
        incident,
        &random_token(32),
        now,
    )
    .await?;
    let (manage, unsubscribe) = links(public_url, &token);
    let (subject, body) = if confirmed {
        (
            format!("Your subscription to {what}"),
            format!("You are subscribed to {what}. To stop them: {unsubscribe}"),
        )
    } else {
        (
            format!("Confirm your subscription to {what}"),
            format!(
                "Someone (we hope you) asked to be sent {what} by email.\n\nConfirm: {manage}\n\nIf it was not you, ignore this message: nothing will be sent."
            ),
        )
    };
    let html = format!("<p>{}</p>", escape(&body).replace("\n\n", "</p><p>"));
    db::queue_message(
        &mut tx,
        &db::NewMessage {
            subscriber: id,
            kind: "confirm",
            subject: &subject,
            body: &body,
            html: &html,
            unsubscribe: &unsubscribe,
            payload: None,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry::new("status_subscriber.subscribe", "status_subscriber", id)
            .after(json!({ "kind": "email", "components": components, "incident": incident })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Follows a confirmation link: from now on the subscriber hears of every update.
pub async fn confirm(pool: &PgPool, token: &str, now: DateTime<Utc>) -> Result<SubscriberView> {
    let mut tx = pool.begin().await?;
    let s = db::subscriber_by_token(&mut tx, token).await?.ok_or(Error::NotFound("subscription"))?;
    if s.confirmed_at.is_none() {
        db::confirm_subscriber(&mut tx, s.id, now).await?;
        audit::record(
            &mut tx,
            &Actor::system(),
            Entry::new("status_subscriber.confirm", "status_subscriber", s.id),
        )
        .await?;
    }
    tx.commit().await?;
    let mut v = view(s);
    v.confirmed = true;
    Ok(v)
}

/// What a subscription link shows before its button is pressed.
pub async fn by_token(pool: &PgPool, token: &str) -> Result<SubscriberView> {
    let s = db::subscriber_by_token(&mut *pool.acquire().await?, token)
        .await?
        .ok_or(Error::NotFound("subscription"))?;
    Ok(view(s))
}

/// Ends a subscription (the link in every message, or a mail client's one-click POST).
pub async fn unsubscribe(pool: &PgPool, token: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    let s = db::subscriber_by_token(&mut tx, token).await?.ok_or(Error::NotFound("subscription"))?;
    db::delete_subscriber(&mut tx, s.id).await?;
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry::new("status_subscriber.unsubscribe", "status_subscriber", s.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The latest messages to subscribers (at most `limit`, newest first), for the delivery log.
pub async fn messages(pool: &PgPool, limit: i64) -> Result<Vec<domain::status::page::SubscriberMessageView>> {
    Ok(db::messages(&mut *pool.acquire().await?, limit.clamp(1, 500))
        .await?
        .into_iter()
        .map(|m| domain::status::page::SubscriberMessageView {
            id: m.id,
            channel: m.channel,
            to: m.address,
            kind: m.kind,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts.max(0) as u32,
            error: m.last_error,
            due_at: m.due_at,
            sent_at: m.sent_at,
        })
        .collect())
}

pub async fn list(pool: &PgPool) -> Result<Vec<SubscriberView>> {
    Ok(db::subscribers(&mut *pool.acquire().await?).await?.into_iter().map(view).collect())
}

/// An admin adds a webhook subscriber: confirmed at once, answered with its signing secret (shown
/// this once, like a webhook contact method's).
pub async fn add_webhook(
    pool: &PgPool,
    actor: &Actor,
    url: &str,
    components: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(SubscriberView, String)> {
    let link = domain::incident::LinkInput { url: url.to_owned(), label: String::new() }
        .parse()
        .map_err(|e| e.in_field("address"))?;
    let mut tx = pool.begin().await?;
    known_components(&mut tx, components).await?;
    let secret = format!("whsec_{}", random_token(32));
    let (id, _, _) = db::upsert_subscriber(
        &mut tx,
        "webhook",
        &link.url,
        Some(&secret),
        components,
        None,
        &random_token(32),
        now,
    )
    .await?;
    db::confirm_subscriber(&mut tx, id, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("status_subscriber.add_webhook", "status_subscriber", id)
            .after(json!({ "host": crate::notify::host_of(&link.url), "components": components })),
    )
    .await?;
    tx.commit().await?;
    let s = db::subscribers(&mut *pool.acquire().await?)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Error::NotFound("subscriber"))?;
    Ok((view(s), secret))
}

pub async fn remove(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !db::delete_subscriber(&mut tx, id).await? {
        return Err(Error::NotFound("subscriber"));
    }
    audit::record(&mut tx, actor, Entry::new("status_subscriber.remove", "status_subscriber", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the update for every confirmed subscriber of an affected component (or of everything),
/// in the transaction that posts it: the update and its messages exist together or not at all.
#[allow(clippy::too_many_arguments, reason = "the update and where it is published")]
pub(crate) async fn fan_out(
    conn: &mut PgConnection,
    public_url: &str,
    public_id: &str,
    name: &str,
    update: &ParsedUpdate,
    body_html: &str,
    components: &[Uuid],
    affected: &[AffectedComponent],
    now: DateTime<Utc>,
) -> Result<usize> {
    let settings = db::settings(conn).await?;
    let subscribers = db::subscribers_for(conn, components, public_id).await?;
    let base = public_url.trim_end_matches('/');
    let link = format!("{base}/status/incidents/{public_id}");
    let subject = format!("[{}] {name}: {}", settings.name, update.status.label());
    let changes: Vec<String> = affected
        .iter()
        .filter(|a| a.old_status != a.new_status)
        .map(|a| format!("{}: {}", a.name, a.new_status.label().to_lowercase()))
        .collect();
    let payload = json!({
        "type": "status_page.update",
        "page": { "id": settings.public_id, "name": settings.name, "url": format!("{base}/status") },
        "incident": { "id": public_id, "name": name, "status": update.status, "shortlink": link },
        "update": { "status": update.status, "body": update.body, "display_at": now,
                    "affected_components": affected.iter().map(|a| json!({ "code": a.component_id, "name": a.name,
                        "old_status": a.old_status, "new_status": a.new_status })).collect::<Vec<_>>() },
    });
    for s in &subscribers {
        let (_, unsubscribe) = links(public_url, &s.token);
        let mut body = format!("{}: {}\n\n{}", update.status.label(), name, update.body);
        if !changes.is_empty() {
            body.push_str(&format!("\n\n{}", changes.join("\n")));
        }
        body.push_str(&format!("\n\nMore: {link}\nStop these messages: {unsubscribe}"));
        let html = format!(
            "<p><strong>{}</strong>: <a href=\"{}\">{}</a></p>{body_html}{}<p><a href=\"{}\">Stop these messages</a></p>",
            update.status.label(),
            escape(&link),
            escape(name),
            if changes.is_empty() {
                String::new()
            } else {
                format!("<p>{}</p>", escape(&changes.join("; ")))
            },
            escape(&unsubscribe)
        );
        db::queue_message(
            conn,
            &db::NewMessage {
                subscriber: s.id,
                kind: "update",
                subject: &subject,
                body: &body,
                html: &html,
                unsubscribe: &unsubscribe,
                payload: Some(payload.clone()),
            },
            now,
        )
        .await?;
    }
    Ok(subscribers.len())
}

/// Reminds the subscribers of a maintenance's components (or of everything) that its window is
/// near; answers how many were told.
pub(crate) async fn remind(
    conn: &mut PgConnection,
    public_url: &str,
    m: &db::DueMaintenance,
    components: &[Uuid],
    (from, until): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    now: DateTime<Utc>,
) -> Result<usize> {
    let settings = db::settings(conn).await?;
    let zone: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let at = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&zone).format("%a %-d %b %Y, %H:%M %Z").to_string()).unwrap_or_default()
    };
    let names: Vec<String> = db::components(conn)
        .await?
        .into_iter()
        .filter(|c| components.contains(&c.id))
        .map(|c| c.name)
        .collect();
    let base = public_url.trim_end_matches('/');
    let link = format!("{base}/status/incidents/{}", m.public_id);
    let subject = format!("[{}] Reminder: {} begins {}", settings.name, m.name, at(from));
    let window = format!("{} to {}", at(from), at(until));
    let affects = if names.is_empty() { String::new() } else { format!("Affects {}.", names.join(", ")) };
    let payload = json!({
        "type": "status_page.maintenance_reminder",
        "page": { "id": settings.public_id, "name": settings.name, "url": format!("{base}/status") },
        "incident": { "id": m.public_id, "name": m.name, "status": "scheduled", "shortlink": link,
                      "scheduled_for": from, "scheduled_until": until },
    });
    let subscribers = db::subscribers_for(conn, components, &m.public_id).await?;
    for s in &subscribers {
        let (_, unsubscribe) = links(public_url, &s.token);
        let body = format!(
            "Scheduled maintenance: {}\n\n{window}. {affects}\n\nMore: {link}\nStop these messages: {unsubscribe}",
            m.name
        );
        let html = format!(
            "<p><strong>Scheduled maintenance</strong>: <a href=\"{}\">{}</a></p><p>{} {}</p><p><a href=\"{}\">Stop these messages</a></p>",
            escape(&link),
            escape(&m.name),
            escape(&window),
            escape(&affects),
            escape(&unsubscribe)
        );
        db::queue_message(
            conn,
            &db::NewMessage {
                subscriber: s.id,
                kind: "reminder",
                subject: &subject,
                body: &body,
                html: &html,
                unsubscribe: &unsubscribe,
                payload: Some(payload.clone()),
            },
            now,
        )
        .await?;
    }
    Ok(subscribers.len())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
