//! `/schedules` (who is on call now and next in each), `/schedules/{id}` (the timeline, overrides
//! and calendar feed) and `/oncall` (everyone on call now, my next shifts, everyone's load).

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use domain::{
    Role, UserId,
    schedule::{
        LayerId, Override, OverrideId, OverrideInput, PersonRef, ScheduleView, Scope, Tier, Violation,
        fairness, resolve_local,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::{
    api::schedules::{
        AddScheduleOverride, RemoveScheduleOverride, RotateCalendarFeed, list_schedules, load_schedule,
        oncall_overview, schedule_candidates,
    },
    components::{
        errors::ActionError,
        layout::CurrentUser,
        timeline::{Timeline, Track, local, person_name},
    },
    error::AppError,
    routes::incidents::when,
};

fn my_zone() -> Tz {
    CurrentUser::get().and_then(|m| m.time_zone.parse().ok()).unwrap_or(chrono_tz::UTC)
}

fn tier_label(t: Tier) -> &'static str {
    match t {
        Tier::Primary => "Primary",
        Tier::Secondary => "Secondary",
    }
}

#[component]
pub fn SchedulesPage() -> impl IntoView {
    let schedules = Resource::new(|| (), |_| list_schedules());
    let admin = CurrentUser::has_role(Role::Admin);
    view! {
        <Title text="Schedules"/>
        <div class="page-head">
            <h1>"Schedules"</h1>
            {admin.then(|| view! { <a class="button primary" href="/schedules/new">"New schedule"</a> })}
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading schedules…"</p> }>
            {move || Suspend::new(async move {
                let list = schedules.await?;
                Ok::<_, AppError>(if list.is_empty() {
                    view! { <section class="panel"><p class="muted">"No schedules yet."</p></section> }.into_any()
                } else {
                    view! {
                        <section class="panel">
                            <table class="table" id="schedules-table">
                                <caption class="visually-hidden">"Schedules with who is on call now and next"</caption>
                                <thead><tr>
                                    <th scope="col">"Schedule"</th><th scope="col">"Layer"</th>
                                    <th scope="col">"On call now"</th><th scope="col">"Until"</th>
                                    <th scope="col">"Next"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| {
                                        let n = s.rows.len().max(1);
                                        let head = view! {
                                            <th scope="rowgroup" rowspan=n.to_string()>
                                                <a href=format!("/schedules/{}", s.id)>{s.name.clone()}</a>
                                                <div class="muted small">{format!("{} · {}", s.team_name.clone().unwrap_or_else(|| "no team".into()), s.time_zone)}</div>
                                            </th>
                                        };
                                        let mut head = Some(head);
                                        s.rows.into_iter().map(|r| {
                                            let stack = r.layer.is_none();
                                            view! {
                                                <tr class:stack-row=stack>
                                                    {head.take()}
                                                    <td>{if stack { format!("{} (final)", r.label) } else { r.label.clone() }}</td>
                                                    <td>{r.now.map_or_else(|| view! { <span class="gap-text">"No one"</span> }.into_any(), |p| view! { <strong>{p.name}</strong> }.into_any())}</td>
                                                    <td>{r.until.map(when).unwrap_or_default()}</td>
                                                    <td>{match (r.next, r.next_at) {
                                                        (Some(p), Some(at)) => format!("{} from {}", p.name, when(at)),
                                                        _ => "—".into(),
                                                    }}</td>
                                                </tr>
                                            }
                                        }).collect_view()
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any()
                })
            })}
        </Transition>
    }
}

/// A labelled instant on the timeline's scale.
type Tick = (DateTime<Utc>, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Day,
    Week,
    Month,
}

/// The displayed range: the day, week (from Monday) or month `offset` periods from today's.
fn range(span: Span, offset: i64, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>, Vec<Tick>) {
    let today = Utc::now().with_timezone(&zone).date_naive();
    let (first, last): (NaiveDate, NaiveDate) = match span {
        Span::Day => {
            let d = today + Duration::days(offset);
            (d, d + Duration::days(1))
        }
        Span::Week => {
            let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
                + Duration::weeks(offset);
            (monday, monday + Duration::weeks(1))
        }
        Span::Month => {
            let first = today.with_day(1).unwrap_or(today);
            let shifted = if offset >= 0 {
                first.checked_add_months(Months::new(offset as u32))
            } else {
                first.checked_sub_months(Months::new(offset.unsigned_abs() as u32))
            }
            .unwrap_or(first);
            (shifted, shifted.checked_add_months(Months::new(1)).unwrap_or(shifted + Duration::days(30)))
        }
    };
    let at = |d: NaiveDate| resolve_local(zone, d.and_time(NaiveTime::MIN));
    let mut ticks = Vec::new();
    match span {
        Span::Day => {
            for h in (0..24).step_by(3) {
                let t = resolve_local(zone, first.and_hms_opt(h, 0, 0).unwrap_or_default());
                ticks.push((t, format!("{h:02}:00")));
            }
        }
        Span::Week | Span::Month => {
            let mut d = first;
            while d < last {
                if span == Span::Week || d.weekday() == chrono::Weekday::Mon || d == first {
                    ticks.push((
                        at(d),
                        d.format(if span == Span::Week { "%a %-d" } else { "%-d %b" }).to_string(),
                    ));
                }
                d += Duration::days(1);
            }
        }
    }
    (at(first), at(last), ticks)
}

/// Tracks for a schedule over a range: each layer (top layer first), then each stack's final.
pub fn tracks(v: &ScheduleView, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Track> {
    let s = v.schedule();
    let mut out: Vec<Track> = v
        .layers
        .iter()
        .rev()
        .map(|l| {
            let t = s.timeline(Scope::Layer(l.id), from, to);
            Track {
                label: format!("{} ({})", l.name, tier_label(l.tier).to_lowercase()),
                is_final: false,
                shifts: t.shifts,
                gaps: t.gaps,
            }
        })
        .collect();
    for tier in Tier::ALL {
        if v.layers.iter().any(|l| l.tier == tier) {
            let t = s.timeline(Scope::Tier(tier), from, to);
            out.push(Track {
                label: format!("Final: {}", tier_label(tier).to_lowercase()),
                is_final: true,
                shifts: t.shifts,
                gaps: t.gaps,
            });
        }
    }
    out
}

/// Broken fairness rules, with names and dates: the first break of each rule per person, and how
/// many more there are, so a badly unbalanced rotation stays readable.
#[component]
pub fn Violations(violations: Vec<Violation>, people: Vec<PersonRef>) -> impl IntoView {
    let mut firsts: Vec<(Violation, usize)> = Vec::new();
    for v in violations {
        match firsts.iter_mut().find(|(f, _)| f.user == v.user && f.rule == v.rule) {
            Some((_, more)) => *more += 1,
            None => firsts.push((v, 0)),
        }
    }
    view! {
        <ul class="violations">
            {firsts.into_iter().map(|(v, more)| view! {
                <li class:hard=v.hard>
                    <strong>{person_name(&people, v.user)}</strong>": "{v.message.clone()}
                    {(more > 0).then(|| format!(", and {more} more time{}", if more == 1 { "" } else { "s" }))}
                    {v.hard.then_some(" (hard rule: cannot be saved)")}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn SchedulePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<Uuid>().ok()).unwrap_or_default();
    let add = ServerAction::<AddScheduleOverride>::new();
    let remove = ServerAction::<RemoveScheduleOverride>::new();
    let rotate = ServerAction::<RotateCalendarFeed>::new();
    let schedule = Resource::new(
        move || (id(), add.version().get(), remove.version().get(), rotate.version().get()),
        |(id, ..)| load_schedule(id),
    );
    let responder = CurrentUser::has_role(Role::Responder);
    let admin = CurrentUser::has_role(Role::Admin);
    let candidates = Resource::new(
        || (),
        move |_| async move { if responder { schedule_candidates().await } else { Ok(vec![]) } },
    );
    let span = RwSignal::new(Span::Week);
    let offset = RwSignal::new(0i64);
    let in_schedule_zone = RwSignal::new(false);

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the schedule…"</p> }>
            {move || Suspend::new(async move {
                let v = schedule.await?;
                let candidates = candidates.await?;
                let schedule_zone: Tz = v.time_zone.parse().unwrap_or(chrono_tz::UTC);
                let zone = move || if in_schedule_zone.get() { schedule_zone } else { my_zone() };
                let stored = StoredValue::new(v.clone());
                let timeline = move || {
                    let z = zone();
                    let (from, to, ticks) = range(span.get(), offset.get(), z);
                    let v = stored.get_value();
                    let tracks = tracks(&v, from, to);
                    let final_primary = tracks.iter().find(|t| t.is_final).cloned();
                    let people = v.people.clone();
                    let title = format!("{} – {} ({})", local(from, z, "%a %-d %b %Y"), local(to - Duration::seconds(1), z, "%a %-d %b %Y"), z.name());
                    view! {
                        <p class="tl-range" id="tl-range">{title}</p>
                        <Timeline tracks=tracks people=people.clone() from to zone=z ticks/>
                        {final_primary.map(|t| view! {
                            <table class="table shift-table" id="final-shifts">
                                <caption>"Final shifts (primary) in this range"</caption>
                                <thead><tr><th scope="col">"Who"</th><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"From layer"</th></tr></thead>
                                <tbody>
                                    {t.shifts.iter().map(|s| view! {
                                        <tr class:override-row=s.override_id.is_some()>
                                            <td>{person_name(&people, s.user)}</td>
                                            <td>{local(s.start, z, "%a %-d %b %H:%M %Z")}</td>
                                            <td>{local(s.end, z, "%a %-d %b %H:%M %Z")}</td>
                                            <td>{if s.override_id.is_some() { "Override".to_owned() } else { s.layer.and_then(|l| v.layer_name(l).map(str::to_owned)).unwrap_or_default() }}</td>
                                        </tr>
                                    }).collect_view()}
                                    {t.gaps.iter().map(|g| view! {
                                        <tr class="gap-row">
                                            <td class="gap-text">"No one on call"</td>
                                            <td>{local(g.start, z, "%a %-d %b %H:%M %Z")}</td>
                                            <td>{local(g.end, z, "%a %-d %b %H:%M %Z")}</td>
                                            <td></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                    }
                };
                let span_button = move |s: Span, label: &'static str| view! {
                    <button type="button" class="button" aria-pressed=move || (span.get() == s).to_string()
                        on:click=move |_| { span.set(s); offset.set(0); }>{label}</button>
                };
                Ok::<_, AppError>(view! {
                    <Title text=format!("{} · schedule", v.name)/>
                    <div class="page-head">
                        <h1>{v.name.clone()}</h1>
                        {admin.then(|| view! { <a class="button" href=format!("/schedules/{}/edit", v.id)>"Edit schedule"</a> })}
                    </div>
                    <p class="muted">{format!("{} · handoffs in {}", v.team_name.clone().unwrap_or_else(|| "No team".into()), v.time_zone)}</p>
                    <section class="panel" aria-labelledby="timeline-h">
                        <h2 id="timeline-h">"Timeline"</h2>
                        <div class="toolbar">
                            <div class="button-group" role="group" aria-label="Range">
                                {span_button(Span::Day, "Day")}
                                {span_button(Span::Week, "Week")}
                                {span_button(Span::Month, "Month")}
                            </div>
                            <div class="button-group" role="group" aria-label="Move">
                                <button type="button" class="button" on:click=move |_| offset.update(|o| *o -= 1)>"← Earlier"</button>
                                <button type="button" class="button" on:click=move |_| offset.set(0)>"Today"</button>
                                <button type="button" class="button" id="tl-later" on:click=move |_| offset.update(|o| *o += 1)>"Later →"</button>
                            </div>
                            <label class="inline-check">
                                <input type="checkbox" id="schedule-zone" prop:checked=move || in_schedule_zone.get()
                                    on:change=move |ev| in_schedule_zone.set(event_target_checked(&ev))/>
                                {format!(" Show in the schedule's zone ({})", v.time_zone)}
                            </label>
                        </div>
                        {timeline}
                    </section>
                    <Overrides v=v.clone() candidates responder add remove zone=Signal::derive(zone)/>
                    <Feed v=v.clone() rotate/>
                })
            })}
        </Transition>
    }
}

/// Parses a `datetime-local` value as wall-clock time in `zone`.
fn local_input(field: &str, value: &str, zone: Tz) -> Result<String, AppError> {
    NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .map(|t| resolve_local(zone, t).to_rfc3339())
        .map_err(|_| AppError::Invalid { field: field.into(), reason: "pick a date and time".into() })
}

#[component]
fn Overrides(
    v: ScheduleView,
    candidates: Vec<PersonRef>,
    responder: bool,
    add: ServerAction<AddScheduleOverride>,
    remove: ServerAction<RemoveScheduleOverride>,
    zone: Signal<Tz>,
) -> impl IntoView {
    let id = v.id;
    let candidates_for_names = StoredValue::new(candidates.clone());
    let who = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let layer = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<AppError>);
    let last = StoredValue::new(None::<OverrideInput>);
    let submit = move |confirm: bool| {
        let z = zone.get_untracked();
        let input = match confirm {
            true => last.get_value(),
            false => {
                let parsed = (|| -> Result<OverrideInput, AppError> {
                    let user_id = who.get_untracked().parse::<Uuid>().map_err(|_| AppError::Invalid {
                        field: "user_id".into(),
                        reason: "choose who covers".into(),
                    })?;
                    Ok(OverrideInput {
                        user_id,
                        start: local_input("start", &start.get_untracked(), z)?,
                        end: local_input("end", &end.get_untracked(), z)?,
                        layer_id: layer.get_untracked().parse().ok(),
                    })
                })();
                match parsed {
                    Ok(i) => Some(i),
                    Err(e) => {
                        local_error.set(Some(e));
                        None
                    }
                }
            }
        };
        if let Some(input) = input {
            local_error.set(None);
            last.set_value(Some(input.clone()));
            add.dispatch(AddScheduleOverride { id, input, confirm });
        }
    };
    // What the override would newly break, before it is added: the same check the server runs.
    let checked = v.clone();
    let preview = move || {
        let z = zone.get();
        let user = who.get().parse::<Uuid>().ok()?;
        let read = |s: String| {
            NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok().map(|t| resolve_local(z, t))
        };
        let (from, to) = (read(start.get())?, read(end.get())?);
        if to <= from {
            return None;
        }
        let candidate = Override {
            id: OverrideId(Uuid::nil()),
            user: UserId(user),
            start: from,
            end: to,
            layer: layer.get().parse().ok().map(LayerId),
        };
        let now = Utc::now();
        let new = fairness::introduced_by(
            &checked.schedule(),
            &checked.fairness,
            candidate,
            now,
            now + Duration::weeks(fairness::CHECK_WEEKS),
        );
        let names =
            checked.people.iter().cloned().chain(candidates_for_names.get_value()).collect::<Vec<_>>();
        Some(if new.is_empty() {
            view! { <p class="ok-text" id="override-fair">"Fairness rules: nothing newly broken."</p> }
                .into_any()
        } else {
            view! {
                <div id="override-unfair">
                    <p class="warn-text">"Adding this would break:"</p>
                    <Violations violations=new people=names/>
                </div>
            }
            .into_any()
        })
    };
    let people = v.people.clone();
    let all_people = {
        let mut p = v.people.clone();
        p.extend(candidates.iter().cloned());
        p
    };
    let now = Utc::now();
    let current: Vec<_> = v.overrides.iter().filter(|o| o.end > now).cloned().collect();
    let layers = v.layers.clone();
    view! {
        <section class="panel" aria-labelledby="overrides-h">
            <h2 id="overrides-h">"Overrides"</h2>
            {if current.is_empty() {
                view! { <p class="muted">"No current or future overrides."</p> }.into_any()
            } else {
                view! {
                    <ul class="override-list" id="override-list">
                        {current.into_iter().map(|o| {
                            let z = zone.get_untracked();
                            let layer_name = o.layer.and_then(|l| v.layer_name(l).map(str::to_owned)).unwrap_or_else(|| "whole schedule".into());
                            view! {
                                <li>
                                    <strong>{person_name(&people, o.user)}</strong>
                                    {format!(" covers {} – {} ({layer_name})", local(o.start, z, "%a %-d %b %H:%M"), local(o.end, z, "%a %-d %b %H:%M %Z"))}
                                    {responder.then(|| view! {
                                        <button type="button" class="button danger small" on:click=move |_| {
                                            remove.dispatch(RemoveScheduleOverride { id, override_id: o.id.0 });
                                        }>"Remove"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {responder.then(|| view! {
                <form class="stacked-form override-form" on:submit=move |ev| { ev.prevent_default(); submit(false); }>
                    <h3>"Add an override"</h3>
                    <label for="ov-who">"Who covers"</label>
                    <select id="ov-who" on:change=move |ev| who.set(event_target_value(&ev))>
                        <option value="">"Choose a person"</option>
                        {candidates.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select>
                    <label for="ov-start">{move || format!("From (in {})", zone.get().name())}</label>
                    <input id="ov-start" type="datetime-local" on:input=move |ev| start.set(event_target_value(&ev))/>
                    <label for="ov-end">{move || format!("Until (in {})", zone.get().name())}</label>
                    <input id="ov-end" type="datetime-local" on:input=move |ev| end.set(event_target_value(&ev))/>
                    <label for="ov-layer">"For"</label>
                    <select id="ov-layer" on:change=move |ev| layer.set(event_target_value(&ev))>
                        <option value="">"The whole schedule"</option>
                        {layers.iter().map(|l| view! { <option value=l.id.0.to_string()>{format!("Layer: {}", l.name)}</option> }).collect_view()}
                    </select>
                    {preview}
                    <button type="submit" class="button primary">"Add override"</button>
                </form>
            })}
            {move || local_error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            {move || match add.value().get() {
                Some(Err(AppError::Unfair { violations, hard })) => Some(view! {
                    <div class="unfair" role="alert">
                        <p>{if hard { "This override breaks a hard fairness rule:" } else { "This override breaks fairness rules:" }}</p>
                        <Violations violations people=all_people.clone()/>
                        {(!hard).then(|| view! {
                            <button type="button" class="button" id="override-anyway" on:click=move |_| submit(true)>"Add it anyway"</button>
                        })}
                    </div>
                }.into_any()),
                other => Some(view! { <ActionError value=move || other.clone()/> }.into_any()),
            }}
            <ActionError value=move || remove.value().get()/>
        </section>
    }
}

#[component]
fn Feed(v: ScheduleView, rotate: ServerAction<RotateCalendarFeed>) -> impl IntoView {
    let url = v.feed_url.clone().unwrap_or_default();
    let layers = v.layers.clone();
    view! {
        <section class="panel" aria-labelledby="feed-h">
            <h2 id="feed-h">"Calendar"</h2>
            <p>"Subscribe to your own shifts in this schedule from any calendar app (the link is personal: it works without signing in):"</p>
            <p><code class="feed-url" id="feed-url">{url.clone()}</code></p>
            <p>"Or to everyone's shifts of one layer: "
                {layers.iter().map(|l| view! {
                    <a class="feed-layer" href=format!("{url}&layer={}", l.id.0)>{l.name.clone()}</a>" "
                }).collect_view()}
            </p>
            <ActionForm action=rotate attr:class="inline-form">
                <button type="submit" class="button">"Make a new link (the old ones stop working)"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn OnCallPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| oncall_overview());
    let fmt_hours = |h: f64| format!("{h:.0} h");
    view! {
        <Title text="On call"/>
        <h1>"On call"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let o = overview.await?;
                Ok::<_, AppError>(view! {
                    <section class="panel" aria-labelledby="now-h">
                        <h2 id="now-h">"On call right now"</h2>
                        {if o.now.is_empty() {
                            view! { <p class="muted">"No one is on call: there are no schedules covering this moment."</p> }.into_any()
                        } else {
                            view! {
                                <table class="table" id="oncall-now">
                                    <thead><tr><th scope="col">"Schedule"</th><th scope="col">"Stack"</th><th scope="col">"Who"</th><th scope="col">"Contact"</th><th scope="col">"Until"</th></tr></thead>
                                    <tbody>
                                        {o.now.into_iter().map(|e| view! {
                                            <tr>
                                                <td><a href=format!("/schedules/{}", e.schedule_id)>{e.schedule_name}</a>
                                                    <span class="muted small">{e.team_name.map(|t| format!(" · {t}")).unwrap_or_default()}</span></td>
                                                <td>{tier_label(e.tier)}</td>
                                                <td><strong>{e.user.name}</strong></td>
                                                <td><a href=format!("mailto:{}", e.user.email)>{e.user.email.clone()}</a></td>
                                                <td>{when(e.until)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                    </section>
                    <section class="panel" aria-labelledby="mine-h">
                        <h2 id="mine-h">"My next shifts"</h2>
                        {if o.mine.is_empty() {
                            view! { <p class="muted">"You have no shifts in the next 90 days."</p> }.into_any()
                        } else {
                            view! {
                                <table class="table" id="my-shifts">
                                    <thead><tr><th scope="col">"Schedule"</th><th scope="col">"Stack"</th><th scope="col">"From"</th><th scope="col">"To"</th></tr></thead>
                                    <tbody>
                                        {o.mine.into_iter().map(|m| view! {
                                            <tr>
                                                <td><a href=format!("/schedules/{}", m.schedule_id)>{m.schedule_name}</a>
                                                    {m.overridden.then_some(" (covering)")}</td>
                                                <td>{tier_label(m.tier)}</td>
                                                <td>{when(m.start)}</td>
                                                <td>{when(m.end)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                    </section>
                    <section class="panel" aria-labelledby="load-h">
                        <h2 id="load-h">"Load per person"</h2>
                        <p class="muted">"Hours on call, nights (an hour or more between 00:00 and 06:00) and weekend hours, in each schedule's zone, over the last and the next 90 days."</p>
                        <table class="table" id="load-table">
                            <thead>
                                <tr><th scope="col" rowspan="2">"Person"</th><th scope="colgroup" colspan="3">"Last 90 days"</th><th scope="colgroup" colspan="3">"Next 90 days"</th></tr>
                                <tr><th scope="col">"Hours"</th><th scope="col">"Nights"</th><th scope="col">"Weekend"</th><th scope="col">"Hours"</th><th scope="col">"Nights"</th><th scope="col">"Weekend"</th></tr>
                            </thead>
                            <tbody>
                                {o.load.into_iter().map(|r| view! {
                                    <tr>
                                        <th scope="row">{r.person.name}</th>
                                        <td>{fmt_hours(r.last_90.hours)}</td><td>{r.last_90.nights}</td><td>{fmt_hours(r.last_90.weekend_hours)}</td>
                                        <td>{fmt_hours(r.next_90.hours)}</td><td>{r.next_90.nights}</td><td>{fmt_hours(r.next_90.weekend_hours)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })
            })}
        </Transition>
    }
}
