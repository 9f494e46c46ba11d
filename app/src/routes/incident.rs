//! `/incidents/{number}`: running one incident. Header (status, severity, roles, age, impact
//! window), an action for each legal transition, severity with reason, roles, notes, pins, the
//! live timeline with the pinned entries in their own panel, and the details (description,
//! impact window, tags, links, related incidents).

use domain::incident::{
    IncidentRole, IncidentStatus, IncidentView, Pin, Severity, TimelineEntryView, utc_to_local_input,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::incidents::{
        AddLink, AssignRole, ChangeSeverity, EditIncident, RelateIncident, TransitionIncident, get_incident,
        list_responders,
    },
    api::paging::{IncidentPaging, PageOptions, PageTarget, page_choices, page_log},
    api::timeline::{AddNote, PinEntry, incident_timeline},
    components::{
        errors::ActionError,
        layout::CurrentUser,
        live::{LiveBadge, LiveFeed},
    },
    routes::incidents::{age, severity_class, status_class, when},
};

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();

    let transition = ServerAction::<TransitionIncident>::new();
    let severity = ServerAction::<ChangeSeverity>::new();
    let assign = ServerAction::<AssignRole>::new();
    let note = ServerAction::<AddNote>::new();
    let pin = ServerAction::<PinEntry>::new();
    let edit = ServerAction::<EditIncident>::new();
    let link = ServerAction::<AddLink>::new();
    let relate = ServerAction::<RelateIncident>::new();
    let page = ServerAction::<PageTarget>::new();
    let status_post = ServerAction::<crate::api::status_page::PostStatusPage>::new();
    let start_postmortem = ServerAction::<crate::api::postmortems::StartPostmortem>::new();

    // Refetch when this incident changes, here or anywhere else (live), or after a resync.
    let changed_elsewhere = RwSignal::new(0u64);
    if let Some(live) = LiveFeed::get() {
        Effect::watch(
            move || live.seq.get(),
            move |_, _, _| {
                let this = number().parse::<domain::incident::IncidentNumber>().ok();
                if live.last.get_untracked().is_none_or(|c| Some(c.number) == this) {
                    changed_elsewhere.update(|n| *n += 1);
                }
            },
            false,
        );
    }
    let version = move || {
        transition.version().get()
            + severity.version().get()
            + assign.version().get()
            + note.version().get()
            + pin.version().get()
            + edit.version().get()
            + link.version().get()
            + relate.version().get()
            + page.version().get()
            + status_post.version().get()
            + changed_elsewhere.get() as usize
    };
    let incident = Resource::new(move || (number(), version()), |(n, _)| get_incident(n));
    let timeline = Resource::new(move || (number(), version()), |(n, _)| incident_timeline(n));
    let people = Resource::new(|| (), |_| list_responders());
    let alerts = Resource::new(
        move || (number(), version()),
        |(n, _)| {
            crate::api::alerts::list_alerts(domain::alert::AlertFilterInput {
                incident: Some(n),
                limit: Some(200),
                ..Default::default()
            })
        },
    );
    let paging = Resource::new(
        move || (number(), version()),
        |(n, _)| async move {
            match n.parse::<domain::incident::IncidentNumber>() {
                Ok(n) => page_log(n).await,
                Err(e) => Err(e.into()),
            }
        },
    );
    let choices = Resource::new(|| (), |_| page_choices());
    let postmortem = Resource::new(
        move || (number(), version() + start_postmortem.version().get()),
        |(n, _)| crate::api::postmortems::incident_postmortem(n),
    );
    let status_form = Resource::new(
        move || (number(), version()),
        |(n, _)| crate::api::status_page::load_status_page_form(n),
    );
    let can_act = CurrentUser::has_role(domain::Role::Responder);
    let zone = CurrentUser::get().map(|m| m.time_zone).unwrap_or_else(|| "UTC".into());

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the incident…"</p> }>
            {move || {
                let zone = zone.clone();
                Suspend::new(async move {
                let i = incident.await?;
                let events = timeline.await?;
                let people = people.await.unwrap_or_default();
                let alerts = alerts.await?.alerts;
                let paging = paging.await?;
                let choices = choices.await?;
                // Responders only: anyone else gets a refusal, and no panel.
                let status_form = if can_act { Some(status_form.await) } else { None };
                let postmortem = postmortem.await?;
                let n = i.number;
                Ok::<_, crate::error::AppError>(view! {
                    <Title text=format!("{} {}", i.number, i.title)/>
                    <div class="page-head">
                        <h1>{format!("{} · {}", i.number, i.title)}</h1>
                        <LiveBadge/>
                    </div>
                    <Header i=i.clone()/>
                    {can_act.then(|| view! {
                        <section class="panel" aria-labelledby="actions">
                            <h2 id="actions">"Actions"</h2>
                            <div class="actions">
                                {i.status.allowed_next().iter().map(|to: &IncidentStatus| view! {
                                    <ActionForm action=transition attr:class="inline-form">
                                        <input type="hidden" name="number" value=n.to_string()/>
                                        <input type="hidden" name="to" value=to.as_str()/>
                                        <button type="submit" class="button" class:primary=*to == IncidentStatus::Acknowledged>{to.action()}</button>
                                    </ActionForm>
                                }).collect_view()}
                            </div>
                            <ActionError value=move || transition.value().get()/>
                            <ActionForm action=severity attr:class="inline-form severity-form">
                                <input type="hidden" name="number" value=n.to_string()/>
                                <label for="severity-select">"Severity"</label>
                                <select id="severity-select" name="severity">
                                    {Severity::ALL.into_iter().map(|s| view! {
                                        <option value=s.as_str() selected=s == i.severity>{format!("{} — {}", s.as_str(), s.definition())}</option>
                                    }).collect_view()}
                                </select>
                                <label for="severity-reason">"Reason"</label>
                                <input id="severity-reason" name="reason" maxlength="500" placeholder="optional"/>
                                <button type="submit" class="button">"Change severity"</button>
                            </ActionForm>
                            <ActionError value=move || severity.value().get()/>
                        </section>
                    })}
                    <div class="incident-grid">
                        <div>
                            <Roles i=i.clone() people=people.clone() can_act assign/>
                            {(!alerts.is_empty()).then(|| view! {
                                <section class="panel" aria-labelledby="incident-alerts">
                                    <h2 id="incident-alerts">{format!("Alerts ({})", alerts.len())}</h2>
                                    <crate::components::alerts::AlertTable alerts column=crate::components::alerts::AlertColumn::Service/>
                                </section>
                            })}
                            <PageLogPanel log=paging number=n people=people choices can_act page/>
                            {status_form.map(|form| view! {
                                <crate::routes::incident_status::StatusPagePanel number=n title=i.title.clone() resolved=!i.status.is_open() form post=status_post/>
                            })}
                            <section class="panel" aria-labelledby="postmortem-h">
                                <h2 id="postmortem-h">"Postmortem"</h2>
                                {match postmortem {
                                    Some((id, status)) => view! {
                                        <p><a href=format!("/postmortems/{id}")>{format!("Postmortem ({})", status.label().to_lowercase())}</a></p>
                                    }.into_any(),
                                    None if can_act => view! {
                                        <p class="muted">"None yet: resolving a SEV1 or SEV2 starts one by itself."</p>
                                        <ActionForm action=start_postmortem attr:class="inline-form">
                                            <input type="hidden" name="number" value=n.to_string()/>
                                            <button type="submit" class="button">"Start the postmortem"</button>
                                        </ActionForm>
                                        <ActionError value=move || start_postmortem.value().get()/>
                                    }.into_any(),
                                    None => view! { <p class="muted">"None yet."</p> }.into_any(),
                                }}
                            </section>
                            <Pinned events=events.clone()/>
                            <Details i=i.clone() zone=zone.clone() can_act edit link relate/>
                        </div>
                        <section class="panel" aria-labelledby="timeline">
                            <h2 id="timeline">"Timeline"</h2>
                            {can_act.then(|| view! {
                                <ActionForm action=note attr:class="stacked-form note-form">
                                    <input type="hidden" name="number" value=n.to_string()/>
                                    <label for="note-body">"Add a note " <span class="hint">"(Markdown)"</span></label>
                                    <textarea id="note-body" name="body" rows="3" required maxlength="20000"
                                        placeholder="What did you find or try?"></textarea>
                                    <button type="submit" class="button">"Add note"</button>
                                </ActionForm>
                                <ActionError value=move || note.value().get()/>
                            })}
                            <ol class="timeline" id="timeline-list">
                                {events.into_iter().rev().map(|e| view! { <Entry e number=n can_act pin/> }).collect_view()}
                            </ol>
                            <ActionError value=move || pin.value().get()/>
                        </section>
                    </div>
                })
            })}}
        </Transition>
    }
}

#[component]
fn Header(i: IncidentView) -> impl IntoView {
    let window = match (i.impact_started_at, i.impact_ended_at) {
        (Some(s), Some(e)) => format!("{} – {}", when(s), when(e)),
        (Some(s), None) => format!("since {}", when(s)),
        _ => "not set".to_owned(),
    };
    let closed_at = (!i.status.is_open()).then_some(i.resolved_at).flatten();
    let roles = IncidentRole::ALL
        .into_iter()
        .filter_map(|r| i.holder(r).map(|h| format!("{}: {}", r, h.name)))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <dl class="incident-header">
            <div><dt>"Status"</dt><dd><span class=status_class(i.status) id="incident-status">{i.status.as_str()}</span></dd></div>
            <div><dt>"Severity"</dt><dd><span class=severity_class(i.severity) id="incident-severity" title=i.severity.definition()>{i.severity.as_str()}</span>" "<span class="muted">{i.severity.definition()}</span></dd></div>
            <div><dt>"Age"</dt><dd><time datetime=i.created_at.to_rfc3339() title=when(i.created_at)>{age(i.created_at, closed_at)}</time></dd></div>
            <div><dt>"Customer impact"</dt><dd>{if i.customer_impact { "Yes" } else { "No" }}</dd></div>
            <div><dt>"Impact window"</dt><dd>{window}</dd></div>
            <div><dt>"Services"</dt><dd>{if i.services.is_empty() { "—".to_owned() } else { i.services.join(", ") }}</dd></div>
            <div><dt>"Roles"</dt><dd id="incident-roles">{if roles.is_empty() { "nobody yet".to_owned() } else { roles }}</dd></div>
            <div><dt>"Declared"</dt><dd>{format!("{} by {}", when(i.created_at), i.declared_by.clone().unwrap_or_else(|| "an integration".into()))}</dd></div>
        </dl>
    }
}

#[component]
fn Roles(
    i: IncidentView,
    people: Vec<domain::UserView>,
    can_act: bool,
    assign: ServerAction<AssignRole>,
) -> impl IntoView {
    let n = i.number;
    let me = CurrentUser::get().map(|m| m.id);
    let people = std::sync::Arc::new(people);
    view! {
        <section class="panel" aria-labelledby="roles">
            <h2 id="roles">"Roles"</h2>
            <table class="table roles">
                <caption class="visually-hidden">"Incident roles and who holds them"</caption>
                <tbody>
                    {IncidentRole::ALL.into_iter().map(|role| {
                        let holder = i.holder(role).cloned();
                        let select_id = format!("role-{}", role.as_str());
                        let people = people.clone();
                        view! {
                            <tr>
                                <th scope="row"><span title=role.describe()>{role.as_str()}</span></th>
                                <td data-role=role.as_str()>{holder.as_ref().map_or_else(|| "—".to_owned(), |h| h.name.clone())}</td>
                                <td>
                                    {can_act.then(|| view! {
                                        <ActionForm action=assign attr:class="inline-form">
                                            <input type="hidden" name="number" value=n.to_string()/>
                                            <input type="hidden" name="role" value=role.as_str()/>
                                            <label for=select_id.clone() class="visually-hidden">{format!("Assign {role}")}</label>
                                            <select id=select_id name="user_id">
                                                <option value="">"— nobody —"</option>
                                                {people.iter().map(|p| {
                                                    let selected = holder.as_ref().is_some_and(|h| h.user_id == p.id);
                                                    let mine = Some(p.id) == me;
                                                    view! { <option value=p.id.to_string() selected=selected>{if mine { format!("{} (me)", p.name) } else { p.name.clone() }}</option> }
                                                }).collect_view()}
                                            </select>
                                            <button type="submit" class="button small">"Assign"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <ActionError value=move || assign.value().get()/>
        </section>
    }
}

#[component]
fn Pinned(events: Vec<TimelineEntryView>) -> impl IntoView {
    let pinned: Vec<_> = events.into_iter().filter(|e| e.pin.is_some()).collect();
    view! {
        <section class="panel" aria-labelledby="pinned">
            <h2 id="pinned">"Pinned"</h2>
            {if pinned.is_empty() {
                view! { <p class="muted">"Pin timeline entries as papertrail (evidence for the postmortem) or follow-up (an action to take later)."</p> }.into_any()
            } else {
                view! {
                    <ul class="pinned-list" id="pinned-list">
                        {pinned.into_iter().map(|e| view! {
                            <li>
                                <span class="badge">{e.pin.map(Pin::label)}</span>" "
                                <time datetime=e.at.to_rfc3339()>{when(e.at)}</time>" "
                                <strong>{e.author}</strong>" "
                                <EntryBody body=e.body body_html=e.body_html/>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn EntryBody(body: String, body_html: Option<String>) -> impl IntoView {
    match body_html {
        // Rendered and sanitised on the server (backend::markdown).
        Some(html) => view! { <div class="note" inner_html=html></div> }.into_any(),
        None => view! { <span>{body}</span> }.into_any(),
    }
}

#[component]
fn Entry(
    e: TimelineEntryView,
    number: domain::incident::IncidentNumber,
    can_act: bool,
    pin: ServerAction<PinEntry>,
) -> impl IntoView {
    let id = e.id;
    let pin_button = move |value: &'static str, label: &'static str| {
        view! {
            <ActionForm action=pin attr:class="inline-form">
                <input type="hidden" name="number" value=number.to_string()/>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="pin" value=value/>
                <button type="submit" class="link-button small">{label}</button>
            </ActionForm>
        }
    };
    let buttons = can_act.then(|| match e.pin {
        Some(_) => pin_button("", "Unpin").into_any(),
        None => view! { {pin_button("papertrail", "Pin as papertrail")}{pin_button("follow_up", "Pin as follow-up")} }.into_any(),
    });
    view! {
        <li class=format!("entry kind-{}", e.kind) data-id=id.to_string()>
            <div class="entry-head">
                <time datetime=e.at.to_rfc3339()>{when(e.at)}</time>" "
                <strong class="author">{e.author}</strong>" "
                <span class="muted kind">{e.kind.replace('_', " ")}</span>
                {e.pin.map(|p| view! { " " <span class="badge pin">{p.label()}</span> })}
                <span class="entry-actions">{buttons}</span>
            </div>
            <EntryBody body=e.body body_html=e.body_html/>
        </li>
    }
}

#[component]
fn Details(
    i: IncidentView,
    zone: String,
    can_act: bool,
    edit: ServerAction<EditIncident>,
    link: ServerAction<AddLink>,
    relate: ServerAction<RelateIncident>,
) -> impl IntoView {
    let n = i.number;
    let local = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| utc_to_local_input(t, &zone)).unwrap_or_default()
    };
    let (impact_start, impact_end) = (local(i.impact_started_at), local(i.impact_ended_at));
    view! {
        <section class="panel" aria-labelledby="details">
            <h2 id="details">"Details"</h2>
            {if i.description.is_empty() {
                view! { <p class="muted">"No description yet."</p> }.into_any()
            } else {
                view! { <p class="prewrap" id="incident-description">{i.description.clone()}</p> }.into_any()
            }}
            <p>"Root cause tags: "
                {if i.root_cause_tags.is_empty() { view! { <span class="muted">"none"</span> }.into_any() }
                 else { i.root_cause_tags.iter().map(|t| view! { <span class="badge tag">{t.clone()}</span>" " }).collect_view().into_any() }}
            </p>
            <h3>"Links"</h3>
            {if i.links.is_empty() { view! { <p class="muted">"No tickets or documents linked."</p> }.into_any() } else {
                view! { <ul class="plain-list" id="incident-links">
                    {i.links.iter().map(|l| view! { <li><a href=l.url.clone() rel="noopener noreferrer" target="_blank">{l.label.clone()}</a></li> }).collect_view()}
                </ul> }.into_any()
            }}
            <h3>"Related incidents"</h3>
            {if i.related.is_empty() { view! { <p class="muted">"None."</p> }.into_any() } else {
                view! { <ul class="plain-list" id="incident-related">
                    {i.related.iter().map(|r| view! {
                        <li><a href=format!("/incidents/{}", r.number)>{r.number.to_string()}</a>" "{r.title.clone()}" — "<em>{r.reason.clone()}</em></li>
                    }).collect_view()}
                </ul> }.into_any()
            }}
            {can_act.then(|| view! {
                <details class="edit-details">
                    <summary>"Edit details"</summary>
                    <ActionForm action=edit attr:class="stacked-form">
                        <input type="hidden" name="number" value=n.to_string()/>
                        <label for="edit-title">"Title" <span class="required" aria-hidden="true">"*"</span></label>
                        <input id="edit-title" name="title" required maxlength="200" value=i.title.clone()/>
                        <label for="edit-description">"Description"</label>
                        <textarea id="edit-description" name="description" rows="4">{i.description.clone()}</textarea>
                        <label class="inline"><input type="checkbox" name="customer_impact" value="true" checked=i.customer_impact/>" Customers are affected"</label>
                        <label for="edit-impact-start">{format!("Impact started ({zone})")}</label>
                        <input id="edit-impact-start" type="datetime-local" name="impact_started_at" value=impact_start/>
                        <label for="edit-impact-end">{format!("Impact ended ({zone})")}</label>
                        <input id="edit-impact-end" type="datetime-local" name="impact_ended_at" value=impact_end/>
                        <label for="edit-tags">"Root cause tags " <span class="hint">"(comma-separated, e.g. config-change, dependency)"</span></label>
                        <input id="edit-tags" name="root_cause_tags" value=i.root_cause_tags.join(", ")/>
                        <button type="submit" class="button">"Save details"</button>
                    </ActionForm>
                    <ActionError value=move || edit.value().get()/>
                </details>
                <details class="edit-details">
                    <summary>"Link a ticket"</summary>
                    <ActionForm action=link attr:class="stacked-form">
                        <input type="hidden" name="number" value=n.to_string()/>
                        <label for="link-url">"URL" <span class="required" aria-hidden="true">"*"</span></label>
                        <input id="link-url" name="url" type="url" required placeholder="https://tickets.example.com/OPS-12"/>
                        <label for="link-label">"Label"</label>
                        <input id="link-label" name="label" maxlength="200" placeholder="OPS-12"/>
                        <button type="submit" class="button">"Add link"</button>
                    </ActionForm>
                    <ActionError value=move || link.value().get()/>
                </details>
                <details class="edit-details">
                    <summary>"Relate an incident"</summary>
                    <ActionForm action=relate attr:class="stacked-form">
                        <input type="hidden" name="number" value=n.to_string()/>
                        <label for="related-number">"Incident" <span class="required" aria-hidden="true">"*"</span></label>
                        <input id="related-number" name="other" required placeholder="INC-12"/>
                        <label for="related-reason">"Why" <span class="required" aria-hidden="true">"*"</span></label>
                        <input id="related-reason" name="reason" required maxlength="500" placeholder="same root cause"/>
                        <button type="submit" class="button">"Relate"</button>
                    </ActionForm>
                    <ActionError value=move || relate.value().get()/>
                </details>
            })}
        </section>
    }
}

/// Who was paged, and every message handed to a channel, with its status; responders may page
/// someone else in.
#[component]
fn PageLogPanel(
    log: IncidentPaging,
    number: domain::incident::IncidentNumber,
    people: Vec<domain::UserView>,
    choices: PageOptions,
    can_act: bool,
    page: ServerAction<PageTarget>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="paging-h">
            <h2 id="paging-h">{format!("Paging ({})", log.pages.len())}</h2>
            {if log.pages.is_empty() {
                view! { <p class="muted">"No one has been paged for this incident."</p> }.into_any()
            } else {
                view! {
                    <ul class="page-list" id="page-list">
                        {log.pages.into_iter().map(|p| view! {
                            <li>
                                <strong>{p.name}</strong>
                                {match p.level { Some(l) => format!(" · level {l}"), None => " · paged by hand".to_owned() }}
                                {p.role.map(|r| format!(" · as {r}"))}
                                {format!(" · {}", when(p.paged_at))}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!log.deliveries.is_empty()).then(|| view! {
                <table class="table deliveries" id="deliveries">
                    <caption>"Messages"</caption>
                    <thead><tr><th scope="col">"To"</th><th scope="col">"By"</th><th scope="col">"Status"</th><th scope="col">"When"</th></tr></thead>
                    <tbody>
                        {log.deliveries.into_iter().map(|d| view! {
                            <tr class=format!("delivery-{}", d.status)>
                                <td>{d.to}</td>
                                <td>{format!("{} ({})", d.method, d.label)}</td>
                                <td>{d.status.clone()}{d.deferred.then_some(" (deferred to working hours)")}
                                    {d.error.map(|e| view! { <div class="small form-error">{e}</div> })}</td>
                                <td>{when(d.sent_at.unwrap_or(d.due_at))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {can_act.then(|| view! {
                <ActionForm action=page attr:class="inline-form">
                    <input type="hidden" name="number" value=number.to_string()/>
                    <label for="page-user">"Page someone"</label>
                    <select id="page-user" name="target" required>
                        <option value="">"Choose a person, a team or a policy"</option>
                        <optgroup label="People">
                            {people.into_iter().map(|p| view! { <option value=format!("user:{}", p.id)>{p.name}</option> }).collect_view()}
                        </optgroup>
                        <optgroup label="A team (its leads)">
                            {choices.teams.into_iter().map(|(id, name)| view! { <option value=format!("team:{id}")>{format!("Team {name}")}</option> }).collect_view()}
                        </optgroup>
                        <optgroup label="An escalation policy (its first level)">
                            {choices.policies.into_iter().map(|(id, name)| view! { <option value=format!("policy:{id}")>{format!("Policy {name}")}</option> }).collect_view()}
                        </optgroup>
                    </select>
                    <button type="submit" class="button">"Page"</button>
                </ActionForm>
                <ActionError value=move || page.value().get()/>
            })}
        </section>
    }
}
