//! `/incidents` and `/incidents/new`: the responder dashboard's list (filters, keyset pages, live)
//! and declaring an incident. The incident page itself is in `incident.rs`.

use domain::incident::{IncidentFilterInput, IncidentStatus, IncidentView, Severity};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    api::{
        catalog::list_services,
        incidents::{DeclareIncident, HandOver, handover_suggestion, list_incidents, list_responders},
        teams::list_teams,
    },
    components::{
        errors::ActionError,
        layout::CurrentUser,
        live::{LiveBadge, LiveFeed},
    },
};

/// A time in the signed-in user's own zone.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    let zone: chrono_tz::Tz =
        CurrentUser::get().and_then(|m| m.time_zone.parse().ok()).unwrap_or(chrono_tz::UTC);
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// "3h 12m": how long ago, for ages on the dashboard.
pub fn age(since: chrono::DateTime<chrono::Utc>, until: Option<chrono::DateTime<chrono::Utc>>) -> String {
    let secs = (until.unwrap_or_else(chrono::Utc::now) - since).num_seconds().max(0);
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

pub fn severity_class(s: Severity) -> String {
    format!("sev sev{}", s.level())
}

pub fn status_class(s: IncidentStatus) -> String {
    format!("badge status-{}", s.as_str())
}

/// The filters of the current URL.
fn filter_from_query() -> Memo<IncidentFilterInput> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        IncidentFilterInput {
            status: get("status"),
            severity: get("severity"),
            service: get("service"),
            team: get("team"),
            mine: get("mine").map(|v| v == "true" || v == "on"),
            q: get("q"),
            after: get("after"),
            limit: None,
        }
    })
}

fn query_string(f: &IncidentFilterInput, after: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    };
    push("status", f.status.as_deref());
    push("severity", f.severity.as_deref());
    push("service", f.service.as_deref());
    push("team", f.team.as_deref());
    push("mine", f.mine.filter(|m| *m).map(|_| "true"));
    push("q", f.q.as_deref());
    push("after", after);
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The incident list with its filters, live. `base` is the path the filter form submits to.
#[component]
pub fn IncidentList(base: &'static str) -> impl IntoView {
    let filter = filter_from_query();
    let live = LiveFeed::get();
    let seq = move || live.map(|l| l.seq.get()).unwrap_or(0);
    let incidents = Resource::new(move || (filter.get(), seq()), |(f, _)| list_incidents(f));
    let services = Resource::new(|| (), |_| list_services());
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let services = services.await.unwrap_or_default();
                let teams = teams.await.unwrap_or_default();
                let f = filter.get_untracked();
                let status = f.status.clone().unwrap_or_default();
                let severity = f.severity.clone().unwrap_or_default();
                let service = f.service.clone().unwrap_or_default();
                let team = f.team.clone().unwrap_or_default();
                view! {
                    <Form method="GET" action=base attr:class="filters" attr:aria-label="Filter incidents">
                        <label>"Status"
                            <select name="status">
                                {[("", "Any"), ("open", "Open"), ("closed", "Closed")]
                                    .into_iter()
                                    .chain(IncidentStatus::ALL.iter().map(|s| (s.as_str(), s.as_str())))
                                    .map(|(v, l)| view! { <option value=v selected=status == v>{l}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>"Severity"
                            <select name="severity">
                                <option value="" selected=severity.is_empty()>"Any"</option>
                                {Severity::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=severity == s.as_str() title=s.definition()>
                                        {format!("{} — {}", s.as_str(), s.definition())}
                                    </option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Service"
                            <select name="service">
                                <option value="">"Any"</option>
                                {services.into_iter().map(|s| {
                                    let selected = service == s.slug;
                                    view! { <option value=s.slug selected=selected>{s.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Team"
                            <select name="team">
                                <option value="">"Any"</option>
                                {teams.into_iter().map(|t| {
                                    let selected = team == t.slug;
                                    view! { <option value=t.slug selected=selected>{t.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="inline"><input type="checkbox" name="mine" value="true" checked=f.mine == Some(true)/>" My roles"</label>
                        <label>"Search"
                            <input type="search" name="q" value=f.q.clone().unwrap_or_default() placeholder="title or description"/>
                        </label>
                        <button type="submit" class="button">"Filter"</button>
                        <a class="button" href=base>"Clear"</a>
                    </Form>
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="muted">"Loading incidents…"</p> }>
            {move || Suspend::new(async move {
                incidents.await.map(|page| {
                    let f = filter.get_untracked();
                    let first_page = f.after.as_ref().map(|_| format!("{base}{}", query_string(&f, None)));
                    let next_page = page.next.as_deref().map(|n| format!("{base}{}", query_string(&f, Some(n))));
                    if page.incidents.is_empty() {
                        return view! {
                            <p class="muted" id="no-incidents">"No incidents match. Declare one when something breaks."</p>
                        }.into_any();
                    }
                    view! {
                        <div class="table-scroll">
                        <table class="table incidents" id="incidents-table">
                            <caption class="visually-hidden">"Incidents, open ones first, most severe first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Incident"</th>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Title"</th>
                                    <th scope="col" class="hide-narrow">"Services"</th>
                                    <th scope="col" class="hide-narrow">"Commander"</th>
                                    <th scope="col">"Age"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.incidents.into_iter().map(|i: IncidentView| {
                                    let number = i.number;
                                    let changed = move || live.and_then(|l| l.last.get()).is_some_and(|c| c.number == number);
                                    let commander = i.holder(domain::incident::IncidentRole::Commander).map(|h| h.name.clone());
                                    // An open incident shows its age; a closed one how long it lasted
                                    // (its age would read as "resolved that long ago").
                                    let closed_at = (!i.status.is_open()).then_some(i.resolved_at).flatten();
                                    let shown_age = match closed_at {
                                        Some(_) => format!("lasted {}", age(i.created_at, closed_at)),
                                        None => age(i.created_at, None),
                                    };
                                    view! {
                                        <tr class:changed=changed data-number=number.to_string()>
                                            <td><a href=format!("/incidents/{number}")>{number.to_string()}</a></td>
                                            <td><span class=severity_class(i.severity) title=i.severity.definition()>{i.severity.as_str()}</span></td>
                                            <td><span class=status_class(i.status)>{i.status.as_str()}</span></td>
                                            <td>{i.title}</td>
                                            <td class="hide-narrow">{i.services.join(", ")}</td>
                                            <td class="hide-narrow">{commander.unwrap_or_else(|| "—".into())}</td>
                                            <td><time datetime=i.created_at.to_rfc3339() title=format!("declared {}", when(i.created_at))>{shown_age}</time></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                        <nav class="pager" aria-label="Pages">
                            {first_page.map(|href| view! { <a class="button" href=href>"First page"</a> })}
                            {next_page.map(|href| view! { <a class="button" href=href rel="next">"Next page"</a> })}
                        </nav>
                    }.into_any()
                })
            })}
        </Transition>
    }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    view! {
        <Title text="Incidents"/>
        <div class="page-head">
            <h1>"Incidents"</h1>
            <LiveBadge/>
            <a class="button primary" href="/incidents/new">"Declare an incident"</a>
        </div>
        <IncidentList base="/incidents"/>
    }
}

/// At the end of a shift: every role I hold on open incidents goes to the next person.
#[component]
pub fn HandoverPanel() -> impl IntoView {
    let hand_over = ServerAction::<HandOver>::new();
    let people = Resource::new(
        || (),
        |_| async move {
            let people = list_responders().await?;
            let next = handover_suggestion().await.ok().flatten();
            Ok::<_, crate::error::AppError>((people, next))
        },
    );
    let me = CurrentUser::get().map(|m| m.id);
    view! {
        <section class="panel" aria-labelledby="handover">
            <h2 id="handover">"Hand over my incident roles"</h2>
            <p class="hint">"At the end of your shift, give every role you hold on open incidents to whoever takes over."</p>
            <Suspense fallback=|| view! { <p class="muted">"Loading people…"</p> }>
                {move || Suspend::new(async move {
                    let (people, next) = people.await.unwrap_or_default();
                    let suggested_id = next.as_ref().map(|(id, _)| *id);
                    let why = next.map(|(_, why)| why);
                    view! {
                        <ActionForm action=hand_over attr:class="inline-form">
                            <label for="handover-to">"To"</label>
                            <select id="handover-to" name="to" required>
                                <option value="">"Choose a person"</option>
                                {people.into_iter().filter(|p| Some(p.id) != me).map(|p| {
                                    let suggested = suggested_id == Some(p.id);
                                    view! { <option value=p.id.to_string() selected=suggested>{p.name}</option> }
                                }).collect_view()}
                            </select>
                            <button type="submit" class="button">"Hand over"</button>
                        </ActionForm>
                        {why.map(|why| view! { <p class="hint" id="handover-suggestion">{why}</p> })}
                    }
                })}
            </Suspense>
            {move || match hand_over.value().get() {
                Some(Ok(done)) if done.moved.is_empty() => Some(view! { <p class="form-ok" role="status">"You hold no roles on open incidents."</p> }.into_any()),
                Some(Ok(done)) => Some(view! {
                    <p class="form-ok" role="status">{format!("Handed {} role(s) to {}: {}.", done.moved.len(), done.to,
                        done.moved.iter().map(|(n, r)| format!("{n} {r}")).collect::<Vec<_>>().join(", "))}</p>
                }.into_any()),
                _ => None,
            }}
            <ActionError value=move || hand_over.value().get()/>
        </section>
    }
}

#[component]
pub fn NewIncidentPage() -> impl IntoView {
    let declare = ServerAction::<DeclareIncident>::new();
    let services = Resource::new(|| (), |_| list_services());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(created)) = declare.value().get() {
            navigate(&format!("/incidents/{}", created.number), Default::default());
        }
    });
    let field_error = move |field: &'static str| {
        move || match declare.value().get() {
            Some(Err(e)) if e.field() == Some(field) => {
                Some(view! { <p class="field-error" id=format!("{field}-error")>{e.to_string()}</p> })
            }
            _ => None,
        }
    };
    view! {
        <Title text="Declare an incident"/>
        <h1>"Declare an incident"</h1>
        <section class="panel">
            <p class="hint">"Fields marked " <span class="required">"*"</span> " are required."</p>
            <ActionForm action=declare attr:class="stacked-form">
                <label for="incident-title">"What is wrong?" <span class="required" aria-hidden="true">"*"</span></label>
                <input id="incident-title" name="input[title]" required maxlength="200" placeholder="Checkout returns 500s" aria-describedby="title-error"/>
                {field_error("title")}
                <label for="incident-severity">"Severity" <span class="required" aria-hidden="true">"*"</span></label>
                <select id="incident-severity" name="input[severity]">
                    {Severity::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=s == Severity::Sev3>{format!("{} — {}", s.as_str(), s.definition())}</option>
                    }).collect_view()}
                </select>
                {field_error("severity")}
                <fieldset>
                    <legend>"Are customers affected?"</legend>
                    <label class="inline"><input type="radio" name="input[customer_impact]" value="true"/>" Yes"</label>
                    <label class="inline"><input type="radio" name="input[customer_impact]" value="false" checked/>" No, or not yet known"</label>
                </fieldset>
                <fieldset>
                    <legend>"Affected services"</legend>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            services.await.map(|list| list.into_iter().enumerate().map(|(n, s)| view! {
                                <label class="inline">
                                    <input type="checkbox" name=format!("input[services][{n}]") value=s.slug/>
                                    " "{s.name}
                                </label>
                            }).collect_view())
                        })}
                    </Suspense>
                </fieldset>
                {field_error("services")}
                <label for="incident-description">"What do we know so far?"</label>
                <textarea id="incident-description" name="input[description]" rows="4"></textarea>
                {field_error("description")}
                <button type="submit" class="button primary">"Declare incident"</button>
            </ActionForm>
            {move || match declare.value().get() {
                Some(Err(e)) if e.field().is_none() => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                _ => None,
            }}
        </section>
    }
}
