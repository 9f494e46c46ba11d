//! Server fns for an incident's timeline (`services::timeline`).

//! Server fns for the incident pages. Each authorises, parses with the same domain parser as the
//! REST API, and calls the same backend operation: there is no second implementation.

#[cfg(feature = "ssr")]
use super::incidents::{act, invalid, number};
use crate::error::AppError;
use domain::incident::TimelineEntryView;
use leptos::prelude::*;

#[server]
pub async fn incident_timeline(number: String) -> Result<Vec<TimelineEntryView>, AppError> {
    let (ctx, _) = crate::ssr::authorize(domain::Role::Viewer)?;
    crate::ssr::edge(backend::services::timeline::timeline(&ctx.pool, self::number(&number)?).await)
}

#[server]
pub async fn add_note(number: String, body: String) -> Result<TimelineEntryView, AppError> {
    let a = act(&number)?;
    let body = domain::incident::NoteInput { body }.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::timeline::add_note(&a.ctx.pool, &a.actor, a.number, &body, a.ctx.now()).await,
    )
}

/// Pins an entry (`pin` = papertrail or follow_up) or unpins it (empty `pin`).
#[server]
pub async fn pin_entry(number: String, id: i64, pin: String) -> Result<TimelineEntryView, AppError> {
    let a = act(&number)?;
    let pin = domain::incident::PinInput { pin: Some(pin) }.parse().map_err(invalid)?;
    crate::ssr::edge(
        backend::services::timeline::set_pin(&a.ctx.pool, &a.actor, a.number, id, pin, a.ctx.now()).await,
    )
}
