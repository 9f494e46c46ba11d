//! `/incidents`, `/incidents/new` and `/incidents/{number}`: declaring and running incidents.

use domain::incident::{IncidentStatus, IncidentView, Severity};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::{
    incidents::{DeclareIncident, TransitionIncident, get_incident, incident_timeline, list_incidents},
    teams::list_services,
};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn severity_class(s: Severity) -> String {
    format!("sev sev{}", s.level())
}

/// The incident list, open ones first. Used by `/incidents` and the dashboard.
#[component]
pub fn IncidentList() -> impl IntoView {
    let incidents = Resource::new(|| (), |_| list_incidents());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading incidents…"</p> }>
            {move || Suspend::new(async move {
                incidents.await.map(|list| {
                    if list.is_empty() {
                        return view! { <p class="muted">"No incidents. Declare one when something breaks."</p> }.into_any();
                    }
                    view! {
                        <table class="table" id="incidents-table">
                            <caption class="visually-hidden">"Incidents, open ones first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Incident"</th>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Title"</th>
                                    <th scope="col">"Services"</th>
                                    <th scope="col">"Opened"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|i: IncidentView| view! {
                                    <tr>
                                        <td><a href=format!("/incidents/{}", i.number)>{i.number.to_string()}</a></td>
                                        <td><span class=severity_class(i.severity)>{i.severity.as_str()}</span></td>
                                        <td><span class="badge">{i.status.as_str()}</span></td>
                                        <td>{i.title}</td>
                                        <td>{i.services.join(", ")}</td>
                                        <td>{when(i.created_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
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
            <a class="button primary" href="/incidents/new">"Declare an incident"</a>
        </div>
        <IncidentList/>
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
    view! {
        <Title text="Declare an incident"/>
        <h1>"Declare an incident"</h1>
        <section class="panel">
            <ActionForm action=declare attr:class="stacked-form">
                <label for="incident-title">"What is wrong?" <span class="required" aria-hidden="true">"*"</span></label>
                <input id="incident-title" name="input[title]" required maxlength="200" placeholder="Checkout returns 500s"/>
                <label for="incident-severity">"Severity" <span class="required" aria-hidden="true">"*"</span></label>
                <select id="incident-severity" name="input[severity]">
                    {Severity::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=s == Severity::Sev3>{format!("{} — {}", s.as_str(), s.definition())}</option>
                    }).collect_view()}
                </select>
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
                <label for="incident-description">"What do we know so far?"</label>
                <textarea id="incident-description" name="input[description]" rows="4"></textarea>
                <button type="submit" class="button primary">"Declare incident"</button>
            </ActionForm>
            {move || match declare.value().get() {
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let transition = ServerAction::<TransitionIncident>::new();
    let incident = Resource::new(move || (number(), transition.version().get()), |(n, _)| get_incident(n));
    let timeline =
        Resource::new(move || (number(), transition.version().get()), |(n, _)| incident_timeline(n));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the incident…"</p> }>
            {move || Suspend::new(async move {
                let i = incident.await?;
                let events = timeline.await?;
                let number = i.number.to_string();
                Ok::<_, crate::error::AppError>(view! {
                    <Title text=format!("{} {}", i.number, i.title)/>
                    <h1>{format!("{} · {}", i.number, i.title)}</h1>
                    <p class="incident-meta">
                        <span class=severity_class(i.severity)>{i.severity.as_str()}</span>" "
                        <span class="badge" id="incident-status">{i.status.as_str()}</span>" "
                        <span class="muted">{format!("opened {}", when(i.created_at))}</span>" "
                        <span class="muted">{if i.services.is_empty() { String::new() } else { format!("· {}", i.services.join(", ")) }}</span>
                    </p>
                    <section class="panel" aria-labelledby="actions">
                        <h2 id="actions">"Actions"</h2>
                        <div class="actions">
                            {i.status.allowed_next().iter().map(|to: &IncidentStatus| {
                                let number = number.clone();
                                view! {
                                    <ActionForm action=transition attr:class="inline-form">
                                        <input type="hidden" name="number" value=number/>
                                        <input type="hidden" name="to" value=to.as_str()/>
                                        <button type="submit" class="button">{to.action()}</button>
                                    </ActionForm>
                                }
                            }).collect_view()}
                        </div>
                        {move || match transition.value().get() {
                            Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                            _ => None,
                        }}
                    </section>
                    {(!i.description.is_empty()).then(|| view! {
                        <section class="panel"><h2>"Description"</h2><p class="prewrap">{i.description.clone()}</p></section>
                    })}
                    <section class="panel" aria-labelledby="timeline">
                        <h2 id="timeline">"Timeline"</h2>
                        <ol class="timeline">
                            {events.into_iter().map(|e| view! {
                                <li>
                                    <time datetime=e.at.to_rfc3339()>{e.at.format("%H:%M:%S").to_string()}</time>" "
                                    <strong>{e.author}</strong>" "
                                    <span>{e.body}</span>
                                </li>
                            }).collect_view()}
                        </ol>
                    </section>
                })
            })}
        </Transition>
    }
}
