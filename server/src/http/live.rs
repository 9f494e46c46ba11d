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

use crate::{AppState, http::caller::Caller, http::error::ApiError};

pub async fn events(State(state): State<AppState>, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    caller.require(Role::Viewer)?;
    let stream = futures_util::stream::unfold(state.ctx.live.subscribe(), |mut rx| async move {
        let event = match rx.recv().await {
            Ok(LiveEvent::Incident(change)) => match Event::default().event("incident").json_data(&change) {
                Ok(event) => event,
                Err(_) => Event::default().event("resync").data("reload"),
            },
            // A page that fell behind reloads rather than miss a change.
            Ok(LiveEvent::Resync) | Err(RecvError::Lagged(_)) => {
                Event::default().event("resync").data("reload")
            }
            Err(RecvError::Closed) => return None,
        };
        Some((Ok::<_, Infallible>(event), rx))
    })
    .take_until(state.ctx.live.closed());
    // Proxies such as nginx buffer responses unless told not to, which would hold events back.
    let no_buffering = (HeaderName::from_static("x-accel-buffering"), HeaderValue::from_static("no"));
    Ok(([no_buffering], Sse::new(stream).keep_alive(KeepAlive::default())))
}
