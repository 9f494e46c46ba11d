//! The personal calendar feed: an iCalendar document of a person's shifts behind a signed URL,
//! and rotating that URL.

use crate::{
    Error, Result,
    actor::Actor,
    auth::jwt::SessionKeys,
    db::{
        audit::{self, Entry},
        schedules as db,
    },
    ical,
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    UserId,
    schedule::{Scope, Tier},
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::*;

pub fn feed_url(keys: &SessionKeys, base_url: &str, schedule: Uuid, user: UserId, generation: i32) -> String {
    format!(
        "{}/schedules/{schedule}/oncall.ics?token={}",
        base_url.trim_end_matches('/'),
        keys.feed_token(user, generation)
    )
}

/// A calendar feed: the token's owner's shifts in the schedule, or (with `layer`) everyone's
/// shifts in that layer, from 30 days back to 180 ahead. Unknown, stale and rotated tokens all
/// answer the same not-found.
pub async fn calendar(
    pool: &PgPool,
    keys: &SessionKeys,
    base_url: &str,
    id: Uuid,
    token: &str,
    layer: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<String> {
    let not_found = Error::NotFound("calendar feed");
    let user = SessionKeys::feed_token_user(token).ok_or(Error::NotFound("calendar feed"))?;
    let mut conn = pool.acquire().await?;
    let generation = db::feed_generation(&mut conn, user.0).await?;
    if !keys.feed_token_matches(token, user, generation)
        || db::people(&mut conn, &[user.0], true).await?.is_empty()
    {
        return Err(not_found);
    }
    let (from, to) = (now - Duration::days(30), now + Duration::days(180));
    let l = load_one(&mut conn, id, from).await?;
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let s = &l.schedule;
    let link = format!("{}/schedules/{id}", base_url.trim_end_matches('/'));
    let mut events = Vec::new();
    let (name, scopes): (String, Vec<(Scope, String)>) = match layer {
        Some(layer) => {
            let x = s.layers.iter().find(|x| x.id.0 == layer).ok_or(Error::NotFound("layer"))?;
            (format!("{} — {}", l.row.name, x.name), vec![(Scope::Layer(x.id), x.name.clone())])
        }
        None => (
            format!("{} — my on-call shifts", l.row.name),
            Tier::ALL
                .into_iter()
                .map(|t| {
                    (Scope::Tier(t), if t == Tier::Primary { "primary" } else { "secondary" }.to_owned())
                })
                .collect(),
        ),
    };
    for (scope, label) in scopes {
        for shift in s.timeline(scope, from, to).shifts {
            if layer.is_none() && shift.user != user {
                continue;
            }
            let holder = who(&people, shift.user);
            let summary = match layer {
                Some(_) => format!("{} on call: {} ({label})", holder.name, l.row.name),
                None => format!("On call: {} ({label})", l.row.name),
            };
            events.push(ical::Event {
                uid: format!("{id}-{label}-{}-{}@tocsin", shift.start.timestamp(), shift.user),
                start: shift.start,
                end: shift.end,
                summary,
                description: format!(
                    "{} is on call for {} ({label}){}.\n{link}",
                    holder.name,
                    l.row.name,
                    if shift.override_id.is_some() { ", covering by override" } else { "" }
                ),
            });
        }
    }
    events.sort_by_key(|e| e.start);
    Ok(ical::Calendar { name: &name, zone: s.time_zone, stamp: now, events }.render())
}

/// Voids the user's calendar feed URLs and returns the new generation.
pub async fn rotate_feed(pool: &PgPool, actor: &Actor, user: UserId) -> Result<i32> {
    let mut tx = pool.begin().await?;
    let generation = db::rotate_feed(&mut tx, user.0).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("calendar_feed.rotate", "user", user)
            .before(json!({ "generation": generation - 1 }))
            .after(json!({ "generation": generation })),
    )
    .await?;
    tx.commit().await?;
    Ok(generation)
}
