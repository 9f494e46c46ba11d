//! `/schedules/new` and `/schedules/{id}/edit`: the schedule editor, with a live preview of the
//! next eight weeks and the fairness check, computed in the browser by the same domain rules the
//! server applies when saving.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use domain::schedule::{
    FairnessRules, LayerInput, Limit, PersonRef, RestrictionInput, Schedule, ScheduleInput, ScheduleView,
    fairness, resolve_local,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use crate::{
    api::{
        schedules::{DeleteSchedule, SaveSchedule, load_schedule, schedule_candidates},
        teams::list_teams,
    },
    components::{errors::ActionError, layout::CurrentUser, timeline::Timeline},
    error::AppError,
    routes::schedules::{Violations, tracks},
};

const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Santiago",
    "America/Toronto",
    "Asia/Kolkata",
    "Asia/Tehran",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "Pacific/Chatham",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[component]
pub fn ScheduleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<Uuid>().ok());
    let existing = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_schedule(id).await.map(Some),
            None => Ok(None),
        }
    });
    let people = Resource::new(|| (), |_| schedule_candidates());
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let existing = existing.await?;
                let people = people.await?;
                let teams = teams.await?;
                Ok::<_, AppError>(view! { <Editor existing people teams/> })
            })}
        </Transition>
    }
}

fn new_input() -> ScheduleInput {
    let zone = CurrentUser::get().map(|m| m.time_zone).unwrap_or_else(|| "UTC".into());
    let today = Utc::now().format("%Y-%m-%d").to_string();
    ScheduleInput {
        name: String::new(),
        team_id: None,
        time_zone: zone,
        layers: vec![LayerInput { start_date: today, ..LayerInput::default() }],
        fairness: Some(FairnessRules::default()),
    }
}

#[component]
fn Editor(
    existing: Option<ScheduleView>,
    people: Vec<PersonRef>,
    teams: Vec<domain::team::TeamView>,
) -> impl IntoView {
    let schedule_id = existing.as_ref().map(|v| v.id);
    let initial = existing.as_ref().map(ScheduleView::to_input).unwrap_or_else(new_input);
    let overrides = existing.as_ref().map(|v| v.overrides.clone()).unwrap_or_default();
    let mut known = people.clone();
    if let Some(v) = &existing {
        known.extend(v.people.iter().filter(|p| !people.iter().any(|q| q.id == p.id)).cloned());
    }
    let known = StoredValue::new(known);
    let input = RwSignal::new(initial.clone());
    // Bumped by every change of shape (a layer, participant or window added, moved, removed):
    // the form re-renders then, and only then, so typing never loses focus.
    let shape = RwSignal::new(0u32);
    let reshape = move |f: Box<dyn FnOnce(&mut ScheduleInput)>| {
        input.update(|i| f(i));
        shape.update(|s| *s += 1);
    };
    let save = ServerAction::<SaveSchedule>::new();
    let delete = ServerAction::<DeleteSchedule>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            navigate(&format!("/schedules/{id}"), Default::default());
        }
    });
    let submit = move |confirm: bool| {
        save.dispatch(SaveSchedule { id: schedule_id, input: input.get_untracked(), confirm });
    };

    let text = move |id: &'static str,
                     label: &'static str,
                     get: fn(&ScheduleInput) -> String,
                     set: fn(&mut ScheduleInput, String)| {
        view! {
            <label for=id>{label}</label>
            <input id=id value=input.with_untracked(get) on:input=move |ev| input.update(|i| set(i, event_target_value(&ev)))/>
        }
    };

    let preview = move || {
        let i = input.get();
        let mut n = 0u128;
        let parsed = match i.parse(|| {
            n += 1;
            Uuid::from_u128(n)
        }) {
            Ok(p) => p,
            Err(e) => return view! { <p class="form-error" id="preview-error">{format!("Preview needs a valid schedule: {e}")}</p> }.into_any(),
        };
        let zone = parsed.time_zone;
        let today = Utc::now().with_timezone(&zone).date_naive();
        let from = resolve_local(zone, today.and_time(NaiveTime::MIN));
        let to = from + Duration::weeks(fairness::CHECK_WEEKS);
        let schedule =
            Schedule { time_zone: zone, layers: parsed.layers.clone(), overrides: overrides.clone() };
        let violations = fairness::check(
            &schedule,
            &parsed.fairness,
            Utc::now(),
            Utc::now() + Duration::weeks(fairness::CHECK_WEEKS),
        );
        let view_model = ScheduleView {
            id: domain::schedule::ScheduleId(Uuid::nil()),
            name: parsed.name.clone(),
            team_id: None,
            team_name: None,
            time_zone: zone.name().to_owned(),
            layers: parsed.layers,
            overrides: overrides.clone(),
            fairness: parsed.fairness,
            people: known.get_value(),
            feed_url: None,
            updated_at: Utc::now(),
        };
        let mut ticks = Vec::new();
        let mut d = today;
        while resolve_local(zone, d.and_time(NaiveTime::MIN)) < to {
            ticks.push((resolve_local(zone, d.and_time(NaiveTime::MIN)), d.format("%-d %b").to_string()));
            d += Duration::weeks(1);
        }
        view! {
            <Timeline tracks=tracks(&view_model, from, to) people=known.get_value() from to zone ticks/>
            {if violations.is_empty() {
                view! { <p class="ok-text" id="fairness-ok">"Fairness rules: no problems in the next 8 weeks."</p> }.into_any()
            } else {
                view! {
                    <p class="warn-text">"Fairness rules broken in the next 8 weeks:"</p>
                    <Violations violations people=known.get_value()/>
                }.into_any()
            }}
        }
        .into_any()
    };

    let layers_form = move || {
        shape.track();
        let count = input.with_untracked(|i| i.layers.len());
        (0..count)
            .map(|ix| view! { <LayerEditor ix input reshape=Callback::new(move |f| reshape(f)) known/> })
            .collect_view()
    };
    let limit = move |id: &'static str,
                      label: &'static str,
                      get: fn(&FairnessRules) -> Option<Limit>,
                      set: fn(&mut FairnessRules, Option<Limit>)| {
        let current = input.with_untracked(|i| get(&i.fairness.unwrap_or_default()));
        let hard_id = format!("{id}-hard");
        let hard_for = hard_id.clone();
        view! {
            <div class="limit">
                <label for=id>{label}</label>
                <input id=id inputmode="numeric" placeholder="off" value=current.map(|l| l.value.to_string()).unwrap_or_default()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        input.update(|i| {
                            let mut f = i.fairness.unwrap_or_default();
                            let hard = get(&f).is_some_and(|l| l.hard);
                            set(&mut f, v.trim().parse().ok().map(|value| Limit { value, hard }));
                            i.fairness = Some(f);
                        });
                    }/>
                <label class="inline-check" for=hard_for>
                    <input type="checkbox" id=hard_id checked=current.is_some_and(|l| l.hard)
                        on:change=move |ev| {
                            let hard = event_target_checked(&ev);
                            input.update(|i| {
                                let mut f = i.fairness.unwrap_or_default();
                                let limit = get(&f).map(|l| Limit { hard, ..l });
                                set(&mut f, limit);
                                i.fairness = Some(f);
                            });
                        }/>
                    " hard (refuse to save)"
                </label>
            </div>
        }
    };

    let title = if existing.is_some() { "Edit schedule" } else { "New schedule" };
    let initial_team = initial.team_id;
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <form class="schedule-editor" on:submit=move |ev| { ev.prevent_default(); submit(false); }>
            <section class="panel">
                <div class="stacked-form">
                    {text("sch-name", "Name", |i| i.name.clone(), |i, v| i.name = v)}
                    <label for="sch-team">"Team"</label>
                    <select id="sch-team" on:change=move |ev| input.update(|i| i.team_id = event_target_value(&ev).parse().ok())>
                        <option value="">"No team"</option>
                        {teams.into_iter().map(|t| view! { <option value=t.id.to_string() selected=initial_team == Some(t.id)>{t.name}</option> }).collect_view()}
                    </select>
                    <label for="sch-zone">"Time zone (handoffs happen at wall-clock times here)"</label>
                    <input id="sch-zone" list="zones" value=input.with_untracked(|i| i.time_zone.clone())
                        on:input=move |ev| input.update(|i| i.time_zone = event_target_value(&ev))/>
                    <datalist id="zones">{ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}</datalist>
                </div>
            </section>
            <section class="panel" aria-labelledby="layers-h">
                <h2 id="layers-h">"Layers"</h2>
                <p class="muted">"A layer lower in this list sits above the ones before it and wins where it has someone on call. Secondary layers form their own stack."</p>
                {layers_form}
                <button type="button" class="button" id="add-layer" on:click=move |_| reshape(Box::new(|i: &mut ScheduleInput| {
                    let start = i.layers.first().map(|l| l.start_date.clone()).unwrap_or_default();
                    i.layers.push(LayerInput { name: format!("Layer {}", i.layers.len() + 1), start_date: start, ..LayerInput::default() });
                }))>"Add a layer"</button>
            </section>
            <section class="panel" aria-labelledby="fairness-h">
                <h2 id="fairness-h">"Fairness rules"</h2>
                <div class="limits">
                    {limit("fair-days", "Most days on call in any 30 days", |f| f.max_days_in_30, |f, l| f.max_days_in_30 = l)}
                    {limit("fair-nights", "Most nights in a row", |f| f.max_consecutive_nights, |f, l| f.max_consecutive_nights = l)}
                    {limit("fair-rest", "Least rest between shifts (hours)", |f| f.min_rest_hours, |f, l| f.min_rest_hours = l)}
                </div>
            </section>
            <section class="panel" aria-labelledby="preview-h">
                <h2 id="preview-h">"Preview: the next 8 weeks"</h2>
                {preview}
            </section>
            <div class="form-actions">
                <button type="submit" class="button primary" id="save-schedule">"Save schedule"</button>
                {move || match save.value().get() {
                    Some(Err(AppError::Unfair { violations, hard })) => Some(view! {
                        <div class="unfair" role="alert">
                            <p>{if hard { "Not saved: a hard fairness rule is broken." } else { "These fairness rules are broken. Save anyway?" }}</p>
                            <Violations violations people=known.get_value()/>
                            {(!hard).then(|| view! {
                                <button type="button" class="button" id="save-anyway" on:click=move |_| submit(true)>"Save anyway"</button>
                            })}
                        </div>
                    }.into_any()),
                    other => Some(view! { <ActionError value=move || other.clone()/> }.into_any()),
                }}
            </div>
        </form>
        {schedule_id.map(|id| view! {
            <section class="panel danger-zone">
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="button danger">"Delete this schedule"</button>
                </ActionForm>
                <ActionError value=move || delete.value().get()/>
            </section>
        })}
    }
}

type Reshape = Box<dyn FnOnce(&mut ScheduleInput)>;

#[component]
fn LayerEditor(
    ix: usize,
    input: RwSignal<ScheduleInput>,
    reshape: Callback<Reshape>,
    known: StoredValue<Vec<PersonRef>>,
) -> impl IntoView {
    let get = move |f: fn(&LayerInput) -> String| {
        input.with_untracked(|i| i.layers.get(ix).map(f).unwrap_or_default())
    };
    let field = move |id: String,
                      label: &'static str,
                      kind: &'static str,
                      read: fn(&LayerInput) -> String,
                      write: fn(&mut LayerInput, String)| {
        view! {
            <label for=id.clone()>{label}</label>
            <input id=id type=kind value=get(read)
                on:input=move |ev| input.update(|i| if let Some(l) = i.layers.get_mut(ix) { write(l, event_target_value(&ev)) })/>
        }
    };
    let select = move |id: String,
                       label: &'static str,
                       options: Vec<(&'static str, &'static str)>,
                       read: fn(&LayerInput) -> String,
                       write: fn(&mut LayerInput, String)| {
        let current = get(read);
        view! {
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| input.update(|i| if let Some(l) = i.layers.get_mut(ix) { write(l, event_target_value(&ev)) })>
                {options.into_iter().map(|(v, t)| view! { <option value=v selected=current == v>{t}</option> }).collect_view()}
            </select>
        }
    };
    let end_local = input.with_untracked(|i| {
        let zone: Tz = i.time_zone.trim().parse().unwrap_or(chrono_tz::UTC);
        i.layers
            .get(ix)
            .and_then(|l| l.end.as_deref())
            .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
            .map(|t| t.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    });
    let participants =
        input.with_untracked(|i| i.layers.get(ix).map(|l| l.participants.clone()).unwrap_or_default());
    let restrictions =
        input.with_untracked(|i| i.layers.get(ix).map(|l| l.restrictions.clone()).unwrap_or_default());
    let dragging = RwSignal::new(None::<usize>);
    let move_participant = move |from: usize, to: usize| {
        reshape.run(Box::new(move |i: &mut ScheduleInput| {
            if let Some(l) = i.layers.get_mut(ix)
                && from < l.participants.len()
                && to < l.participants.len()
            {
                let p = l.participants.remove(from);
                l.participants.insert(to, p);
            }
        }));
    };
    let name_of = move |id: Uuid| {
        known.with_value(|k| {
            k.iter().find(|p| p.id.0 == id).map_or_else(|| id.to_string(), |p| p.name.clone())
        })
    };
    let count = participants.len();
    let weekday_options: Vec<(&'static str, &'static str)> = WEEKDAYS.iter().map(|d| (*d, *d)).collect();
    view! {
        <fieldset class="layer" data-layer=ix.to_string()>
            <legend>{format!("Layer {}", ix + 1)}</legend>
            <div class="layer-grid">
                {field(format!("l{ix}-name"), "Name", "text", |l| l.name.clone(), |l, v| l.name = v)}
                {select(format!("l{ix}-tier"), "Stack", vec![("primary", "Primary"), ("secondary", "Secondary")], |l| l.tier.clone(), |l, v| l.tier = v)}
                {select(format!("l{ix}-unit"), "Rotate every", vec![("hours", "N hours"), ("days", "N days"), ("weeks", "N weeks")], |l| l.unit.clone(), |l, v| l.unit = v)}
                {field(format!("l{ix}-length"), "N", "number", |l| l.length.to_string(), |l, v| l.length = v.trim().parse().unwrap_or(0))}
                {field(format!("l{ix}-time"), "Handoff time", "time", |l| l.handoff_time.clone(), |l, v| l.handoff_time = v)}
                {select(format!("l{ix}-weekday"), "Handoff day (weekly)", weekday_options, |l| l.handoff_weekday.clone().unwrap_or_default(), |l, v| l.handoff_weekday = Some(v))}
                {field(format!("l{ix}-start"), "Starts on", "date", |l| l.start_date.clone(), |l, v| l.start_date = v)}
                <label for=format!("l{ix}-end")>"Ends (optional)"</label>
                <input id=format!("l{ix}-end") type="datetime-local" value=end_local
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        input.update(|i| {
                            // Read in the schedule's zone, as every time on this form.
                            let zone: Tz = i.time_zone.trim().parse().unwrap_or(chrono_tz::UTC);
                            let end = NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%dT%H:%M")
                                .ok()
                                .map(|t| resolve_local(zone, t).to_rfc3339());
                            if let Some(l) = i.layers.get_mut(ix) {
                                l.end = end;
                            }
                        });
                    }/>
            </div>
            <h3>"Who, in order"</h3>
            <p class="muted small">"Drag to reorder, or use the arrows."</p>
            <ol class="participants" id=format!("l{ix}-participants")>
                {participants.into_iter().enumerate().map(|(pos, id)| view! {
                    <li draggable="true"
                        on:dragstart=move |_| dragging.set(Some(pos))
                        on:dragover=|ev| ev.prevent_default()
                        on:drop=move |ev| { ev.prevent_default(); if let Some(from) = dragging.get_untracked() { move_participant(from, pos); } }>
                        <span class="drag-handle" aria-hidden="true">"⠿"</span>
                        <span class="participant-name">{name_of(id)}</span>
                        <button type="button" class="button small" aria-label=format!("Move {} up", name_of(id)) disabled=pos == 0
                            on:click=move |_| move_participant(pos, pos.saturating_sub(1))>"↑"</button>
                        <button type="button" class="button small" aria-label=format!("Move {} down", name_of(id)) disabled=pos + 1 == count
                            on:click=move |_| move_participant(pos, pos + 1)>"↓"</button>
                        <button type="button" class="button small danger" aria-label=format!("Remove {}", name_of(id))
                            on:click=move |_| reshape.run(Box::new(move |i: &mut ScheduleInput| { if let Some(l) = i.layers.get_mut(ix) { l.participants.remove(pos); } }))>"✕"</button>
                    </li>
                }).collect_view()}
            </ol>
            <label for=format!("l{ix}-add")>"Add a person"</label>
            <select id=format!("l{ix}-add") on:change=move |ev| {
                if let Ok(id) = event_target_value(&ev).parse::<Uuid>() {
                    reshape.run(Box::new(move |i: &mut ScheduleInput| { if let Some(l) = i.layers.get_mut(ix) { l.participants.push(id); } }));
                }
            }>
                <option value="">"Choose…"</option>
                {known.get_value().into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
            </select>
            <h3>"Restrictions"</h3>
            <p class="muted small">"Without any, the layer covers all the time. With some, it covers only these windows (an end before the start runs overnight)."</p>
            <ul class="restrictions">
                {restrictions.into_iter().enumerate().map(|(j, r)| {
                    let write = move |f: fn(&mut RestrictionInput, String), v: String| input.update(|i| {
                        if let Some(x) = i.layers.get_mut(ix).and_then(|l| l.restrictions.get_mut(j)) { f(x, v) }
                    });
                    view! {
                        <li>
                            <select aria-label="Weekday" on:change=move |ev| write(|x, v| x.weekday = v, event_target_value(&ev))>
                                {WEEKDAYS.iter().map(|d| view! { <option value=*d selected=r.weekday == *d>{*d}</option> }).collect_view()}
                            </select>
                            <input type="time" aria-label="From" value=r.start.clone() on:input=move |ev| write(|x, v| x.start = v, event_target_value(&ev))/>
                            <input type="time" aria-label="To" value=r.end.clone() on:input=move |ev| write(|x, v| x.end = v, event_target_value(&ev))/>
                            <button type="button" class="button small danger" on:click=move |_| reshape.run(Box::new(move |i: &mut ScheduleInput| {
                                if let Some(l) = i.layers.get_mut(ix) { l.restrictions.remove(j); }
                            }))>"Remove window"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="button-row">
                <button type="button" class="button small" on:click=move |_| reshape.run(Box::new(move |i: &mut ScheduleInput| {
                    if let Some(l) = i.layers.get_mut(ix) {
                        l.restrictions.push(RestrictionInput { weekday: "Mon".into(), start: "09:00".into(), end: "17:00".into() });
                    }
                }))>"Add a window"</button>
                <button type="button" class="button small" on:click=move |_| reshape.run(Box::new(move |i: &mut ScheduleInput| {
                    if let Some(l) = i.layers.get_mut(ix) {
                        l.restrictions = ["Mon", "Tue", "Wed", "Thu", "Fri"].iter()
                            .map(|d| RestrictionInput { weekday: (*d).into(), start: "09:00".into(), end: "17:00".into() })
                            .collect();
                    }
                }))>"Weekdays 09:00–17:00"</button>
                <button type="button" class="button small" disabled=ix == 0 on:click=move |_| reshape.run(Box::new(move |i: &mut ScheduleInput| {
                    if ix > 0 { i.layers.swap(ix, ix - 1); }
                }))>"Move layer up"</button>
                <button type="button" class="button small danger" on:click=move |_| reshape.run(Box::new(move |i: &mut ScheduleInput| {
                    if ix < i.layers.len() { i.layers.remove(ix); }
                }))>"Remove layer"</button>
            </div>
        </fieldset>
    }
}
