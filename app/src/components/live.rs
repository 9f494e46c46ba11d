//! Live updates in the browser: one EventSource per tab (opened by the layout, kept across
//! client-side navigation) listening to `/api/v1/events`. Pages subscribe by reading `seq` (any
//! change) or by filtering `last` for the incident they show, and refetch their data through
//! the usual server fns.

use domain::incident::{IncidentChange, IncidentNumber};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct LiveFeed {
    /// Counts every event; pages put it in their resources' keys.
    pub seq: RwSignal<u64>,
    /// The latest change; `None` after a resync (anything may have changed).
    pub last: RwSignal<Option<IncidentChange>>,
    /// Whether the event stream is connected; shown so nobody trusts a stale page.
    pub connected: RwSignal<bool>,
}

impl LiveFeed {
    pub fn get() -> Option<LiveFeed> {
        use_context::<LiveFeed>()
    }

    /// The incident of the latest change, for a brief highlight.
    pub fn recent(&self) -> Option<IncidentNumber> {
        self.last.get().map(|c| c.number)
    }
}

/// Provides the feed and, in the browser, opens the event stream.
pub fn provide_live_feed() {
    let feed = LiveFeed { seq: RwSignal::new(0), last: RwSignal::new(None), connected: RwSignal::new(false) };
    provide_context(feed);
    // Effects run only in the browser.
    Effect::new(move |_| connect(feed));
}

fn connect(feed: LiveFeed) {
    use leptos::wasm_bindgen::{JsCast, closure::Closure};
    use leptos::web_sys::{Event, EventSource, MessageEvent};

    let Ok(source) = EventSource::new("/api/v1/events") else {
        return;
    };
    let on_incident = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let change =
            e.data().as_string().and_then(|d| leptos::serde_json::from_str::<IncidentChange>(&d).ok());
        feed.last.set(change);
        feed.seq.update(|n| *n += 1);
    });
    let on_resync = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
        feed.last.set(None);
        feed.seq.update(|n| *n += 1);
    });
    // After a reconnect, events sent while the stream was down are lost: reload.
    let was_connected = StoredValue::new(false);
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        feed.connected.set(true);
        if was_connected.get_value() {
            feed.last.set(None);
            feed.seq.update(|n| *n += 1);
        }
        was_connected.set_value(true);
    });
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| feed.connected.set(false));
    let _ = source.add_event_listener_with_callback("incident", on_incident.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref());
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The stream lives as long as the tab: the browser reconnects it by itself.
    on_incident.forget();
    on_resync.forget();
    on_open.forget();
    on_error.forget();
}

/// "Live" or "Reconnecting…", next to a list that updates itself.
#[component]
pub fn LiveBadge() -> impl IntoView {
    let feed = LiveFeed::get();
    move || {
        let connected = feed.is_some_and(|f| f.connected.get());
        view! {
            <span class=if connected { "live-badge on" } else { "live-badge" } role="status" aria-live="polite">
                {if connected { "● Live" } else { "○ Connecting…" }}
            </span>
        }
    }
}
