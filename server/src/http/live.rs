//! `GET /api/v1/events`: Server-Sent Events telling open pages which incident changed (event
//! `incident`, data `{"number": "INC-4", "change": "status"}`) or that they should reload what
//! they show (event `resync`). Pages fetch the data themselves, through the same authorised
//! calls as always, so an event carries nothing a viewer could not already read.

use std::convert::Infallible;

use axum::{
    extract::State,
    http::{HeaderValue, header::HeaderName},
    response::{
        IntoResponse,
        sse::{Event, KeepAlive, Sse},
    },
};
use backend::live::LiveEvent;
use domain::Role;
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;

use crate::http::openapi::Refusals;
use crate::{AppState, http::caller::Caller, http::error::ApiError};

#[utoipa::path(
    get,
    path = "/events",
    tag = "incidents",
    summary = "Server-Sent Events: `incident` whenever an incident changes, `resync` when a page should reload",
    description = "Role: viewer.",
    responses((status = 200, description = "an event stream that stays open", content_type = "text/event-stream"), Refusals)
)]
pub async fn events(State(state): State<AppState>, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let me = caller.require(Role::Viewer)?.clone();
    let ctx = state.ctx.clone();
    let start = (ctx.live.subscribe(), me, ctx.clone());
    let stream = futures_util::stream::unfold(start, |(mut rx, me, ctx)| async move {
        loop {
            let event = match rx.recv().await {
                Ok(LiveEvent::Incident(change)) => {
                    match Event::default().event("incident").json_data(&change) {
                        Ok(event) => event,
                        Err(_) => Event::default().event("resync").data("reload"),
                    }
                }
                // The caller logged out, changed password, was disabled or lost the token:
                // the stream ends with the credential it was opened with.
                Ok(LiveEvent::CredentialsChanged(user)) if user == me.user_id => {
                    if !still_valid(&ctx, &me).await {
                        return None;
                    }
                    continue;
                }
                Ok(LiveEvent::CredentialsChanged(_) | LiveEvent::StatusPage) => continue,
                // A page that fell behind reloads rather than miss a change; a credential
                // change may have been among what it missed.
                Ok(LiveEvent::Resync) | Err(RecvError::Lagged(_)) => {
                    if !still_valid(&ctx, &me).await {
                        return None;
                    }
                    Event::default().event("resync").data("reload")
                }
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok::<_, Infallible>(event), (rx, me, ctx)));
        }
    })
    .take_until(state.ctx.live.closed());
    // Proxies such as nginx buffer responses unless told not to, which would hold events back.
    let no_buffering = (HeaderName::from_static("x-accel-buffering"), HeaderValue::from_static("no"));
    Ok(([no_buffering], Sse::new(stream).keep_alive(KeepAlive::default())))
}

/// Whether the stream's credential still stands; a database that cannot say keeps the stream
/// (it is a view of data the caller could already read, and the next change checks again).
async fn still_valid(ctx: &backend::context::AppContext, me: &backend::auth::Principal) -> bool {
    backend::services::auth::still_valid(&ctx.pool, me, ctx.now()).await.unwrap_or(true)
}
