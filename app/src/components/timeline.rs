//! A horizontal timeline of shifts: one track per layer or stack, people in colours, gaps in red,
//! overrides hatched. Computed by the caller with the domain rules; this only draws.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    UserId,
    schedule::{FinalShift, Gap, PersonRef},
};
use leptos::prelude::*;

/// One track to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub label: String,
    /// Final tracks show their gaps; a layer's own track leaves them blank.
    pub is_final: bool,
    pub shifts: Vec<FinalShift>,
    pub gaps: Vec<Gap>,
}

/// The colour class of a person: stable for the page, by their place in `people`.
pub fn person_class(people: &[PersonRef], user: UserId) -> String {
    let i = people.iter().position(|p| p.id == user).unwrap_or(people.len());
    format!("p{}", i % 8)
}

pub fn person_name(people: &[PersonRef], user: UserId) -> String {
    people.iter().find(|p| p.id == user).map_or_else(|| "(unknown person)".to_owned(), |p| p.name.clone())
}

pub fn local(t: DateTime<Utc>, zone: Tz, format: &str) -> String {
    t.with_timezone(&zone).format(format).to_string()
}

#[component]
pub fn Timeline(
    tracks: Vec<Track>,
    people: Vec<PersonRef>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
    /// Tick marks: instants and their labels.
    ticks: Vec<(DateTime<Utc>, String)>,
) -> impl IntoView {
    let span = (to - from).num_seconds().max(1) as f64;
    let pct = move |t: DateTime<Utc>| ((t - from).num_seconds() as f64 / span * 100.0).clamp(0.0, 100.0);
    let now = Utc::now();
    let now_at = (from <= now && now < to).then(|| pct(now));
    let format = "%a %-d %b %H:%M %Z";
    view! {
        <div class="timeline" role="group" aria-label="Shifts timeline">
            <div class="tl-row tl-ticks" aria-hidden="true">
                <div class="tl-label"></div>
                <div class="tl-track">
                    {ticks.into_iter().map(|(t, label)| view! {
                        <span class="tl-tick" style=format!("left:{:.3}%", pct(t))>{label}</span>
                    }).collect_view()}
                </div>
            </div>
            {tracks.into_iter().map(|track| {
                let people = people.clone();
                let label = track.label.clone();
                let data = track.label.clone();
                view! {
                    <div class="tl-row" class:tl-final=track.is_final data-track=data>
                        <div class="tl-label">{label}</div>
                        <div class="tl-track">
                            {track.shifts.iter().map(|s| {
                                let name = person_name(&people, s.user);
                                let title = format!(
                                    "{name}: {} – {}{}",
                                    local(s.start, zone, format),
                                    local(s.end, zone, format),
                                    if s.override_id.is_some() { " (override)" } else { "" }
                                );
                                view! {
                                    <div
                                        class=format!("tl-shift {}", person_class(&people, s.user))
                                        class:override=s.override_id.is_some()
                                        style=format!("left:{:.3}%;width:{:.3}%", pct(s.start), pct(s.end) - pct(s.start))
                                        title=title
                                    >
                                        <span>{name}</span>
                                    </div>
                                }
                            }).collect_view()}
                            {track.is_final.then(|| track.gaps.iter().map(|g| {
                                let title = format!("No one on call: {} – {}", local(g.start, zone, format), local(g.end, zone, format));
                                view! {
                                    <div class="tl-gap" style=format!("left:{:.3}%;width:{:.3}%", pct(g.start), pct(g.end) - pct(g.start)) title=title>
                                        <span class="visually-hidden">"Gap"</span>
                                    </div>
                                }
                            }).collect_view())}
                            {now_at.map(|p| view! { <div class="tl-now" style=format!("left:{p:.3}%") title="now"></div> })}
                        </div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
