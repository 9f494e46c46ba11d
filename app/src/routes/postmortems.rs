//! `/postmortems` (the review queue, by tab), `/postmortems/actions` (every corrective action,
//! overdue first) and `/postmortems/{id}` (the editor: sections with blameless hints as one
//! types, the timeline and its suggested pins, recurrence candidates, actions, reviews).

use domain::postmortem::{
    self as pm, ActionView, PostmortemStatus, PostmortemSummary, PostmortemView, SectionKey,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::{
    api::postmortems::{
        AddPostmortemAction, AddPostmortemLine, CommentPostmortem, DecidePostmortemRecurrence,
        EditPostmortemLine, MovePostmortem, RemovePostmortemLine, ReviewPostmortem, SavePostmortemMeeting,
        SavePostmortemSection, SavePostmortemSummary, SetPostmortemAction, get_postmortem,
        postmortem_actions, postmortem_queue,
    },
    components::{errors::ActionError, layout::CurrentUser},
    error::AppError,
    routes::incidents::when,
};

/// The queue's tabs: key, label, and whether a postmortem belongs on it for the user `me`.
const TABS: &[(&str, &str)] = &[
    ("review", "Needs my review"),
    ("mine", "Mine to write"),
    ("overdue", "Overdue"),
    ("in_review", "In review"),
    ("drafts", "Drafts"),
    ("published", "Published"),
];

fn on_tab(tab: &str, p: &PostmortemSummary, me: Option<Uuid>) -> bool {
    let mine = me.is_some() && p.owner.as_ref().map(|o| o.id) == me;
    match tab {
        "review" => p.status == PostmortemStatus::InReview && p.reviewers.iter().any(|r| Some(r.id) == me),
        "mine" => mine && matches!(p.status, PostmortemStatus::Draft | PostmortemStatus::ChangesRequested),
        "overdue" => p.overdue,
        "in_review" => p.status == PostmortemStatus::InReview,
        "drafts" => matches!(p.status, PostmortemStatus::Draft | PostmortemStatus::ChangesRequested),
        "published" => p.status == PostmortemStatus::Published,
        _ => true,
    }
}

fn me() -> Option<Uuid> {
    CurrentUser::get().map(|m| m.id.0)
}

#[component]
pub fn PostmortemQueuePage() -> impl IntoView {
    let query = use_query_map();
    let tab = move || query.read().get("tab").unwrap_or_else(|| "review".into());
    let filter = move |k: &str| query.read().get(k).unwrap_or_default();
    let all = Resource::new(|| (), |_| postmortem_queue());
    view! {
        <Title text="Postmortems"/>
        <div class="page-head">
            <h1>"Postmortems"</h1>
            <a href="/postmortems/actions" class="button">"Corrective actions"</a>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let all = all.await?;
                let me = me();
                let (team, service, severity) = (filter("team"), filter("service"), filter("severity"));
                let filtered: Vec<PostmortemSummary> = all
                    .into_iter()
                    .filter(|p| team.is_empty() || p.teams.contains(&team))
                    .filter(|p| service.is_empty() || p.services.contains(&service))
                    .filter(|p| severity.is_empty() || p.severity == severity)
                    .collect();
                let current = tab();
                let rows: Vec<PostmortemSummary> = filtered.iter().filter(|p| on_tab(&current, p, me)).cloned().collect();
                let keep = format!(
                    "{}{}{}",
                    if team.is_empty() { String::new() } else { format!("&team={team}") },
                    if service.is_empty() { String::new() } else { format!("&service={service}") },
                    if severity.is_empty() { String::new() } else { format!("&severity={severity}") },
                );
                Ok::<_, AppError>(view! {
                    <nav class="tabs" aria-label="Queue">
                        {TABS.iter().map(|(key, label)| {
                            let count = filtered.iter().filter(|p| on_tab(key, p, me)).count();
                            let current = *key == current;
                            view! {
                                <a href=format!("/postmortems?tab={key}{keep}") aria-current=if current { "page" } else { "false" }>
                                    {format!("{label} ({count})")}
                                </a>
                            }
                        }).collect_view()}
                    </nav>
                    <form method="get" action="/postmortems" class="inline-form filters">
                        <input type="hidden" name="tab" value=current.clone()/>
                        <label for="pm-team">"Team"</label>
                        <input id="pm-team" name="team" value=team.clone() placeholder="payments"/>
                        <label for="pm-service">"Service"</label>
                        <input id="pm-service" name="service" value=service.clone() placeholder="checkout"/>
                        <label for="pm-severity">"Severity"</label>
                        <select id="pm-severity" name="severity">
                            <option value="" selected=severity.is_empty()>"Any"</option>
                            {["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"].map(|s| view! { <option value=s selected=severity == s>{s}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="button">"Filter"</button>
                    </form>
                    {if rows.is_empty() {
                        view! { <p class="muted">"Nothing here."</p> }.into_any()
                    } else {
                        view! {
                            <table class="table" id="postmortem-queue">
                                <thead><tr>
                                    <th scope="col">"Incident"</th><th scope="col">"Severity"</th><th scope="col">"Status"</th>
                                    <th scope="col">"Owner"</th><th scope="col">"Reviewers"</th><th scope="col">"Due"</th>
                                    <th scope="col">"Open actions"</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|p| view! {
                                        <tr class:overdue=p.overdue>
                                            <td><a href=format!("/postmortems/{}", p.id)>{format!("INC-{} {}", p.incident, p.incident_title)}</a></td>
                                            <td>{p.severity.clone()}</td>
                                            <td>{p.status.label()}</td>
                                            <td>{p.owner.map(|o| o.name).unwrap_or_else(|| "nobody".into())}</td>
                                            <td>{p.reviewers.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", ")}</td>
                                            <td>{when(p.due_at)}{p.overdue.then_some(" (overdue)")}</td>
                                            <td>{p.open_actions}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                })
            })}
        </Transition>
    }
}

/// A table of actions, overdue ones marked.
#[component]
pub fn ActionTable(
    actions: Vec<ActionView>,
    #[prop(optional)] set: Option<ServerAction<SetPostmortemAction>>,
) -> impl IntoView {
    view! {
        <table class="table actions-table">
            <thead><tr>
                <th scope="col">"Action"</th><th scope="col">"Incident"</th><th scope="col">"Owner"</th>
                <th scope="col">"Priority"</th><th scope="col">"Due"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {actions.into_iter().map(|a| {
                    let id = a.id;
                    view! {
                        <tr class:overdue=a.overdue>
                            <td>
                                {a.title.clone()}
                                {a.tracker_url.clone().map(|u| view! { " " <a href=u rel="noopener noreferrer">"ticket"</a> })}
                            </td>
                            <td><a href=format!("/postmortems/{}", a.postmortem_id)>{format!("INC-{}", a.incident)}</a></td>
                            <td>{a.owner_name.clone().unwrap_or_else(|| "nobody".into())}</td>
                            <td>{a.priority.as_str()}</td>
                            <td>{a.due_on.to_string()}{a.overdue.then(|| view! { " " <strong class="badge overdue-badge">"overdue"</strong> })}</td>
                            <td>
                                {a.status.as_str().replace('_', " ")}
                                {a.reason.clone().map(|r| view! { <div class="small muted">{r}</div> })}
                                {set.filter(|_| !a.status.is_closed()).map(|set| {
                                    let reason_id = format!("wont-{id}");
                                    view! {
                                        <ActionForm action=set attr:class="inline-form">
                                            <input type="hidden" name="id" value=id.to_string()/>
                                            <input type="hidden" name="status" value="done"/>
                                            <button type="submit" class="button small">{format!("Mark done: {}", a.title)}</button>
                                        </ActionForm>
                                        <details>
                                            <summary>"Will not do"</summary>
                                            <ActionForm action=set attr:class="inline-form">
                                                <input type="hidden" name="id" value=id.to_string()/>
                                                <input type="hidden" name="status" value="wont_do"/>
                                                <label for=reason_id.clone()>"Why"</label>
                                                <input id=reason_id name="reason" required maxlength="1000"/>
                                                <button type="submit" class="button small">"Close it"</button>
                                            </ActionForm>
                                        </details>
                                    }
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn PostmortemActionsPage() -> impl IntoView {
    let query = use_query_map();
    let mine = move || query.read().get("owner").is_some_and(|o| o == "me");
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let set = ServerAction::<SetPostmortemAction>::new();
    let actions = Resource::new(
        move || (mine(), get("team"), get("status"), get("overdue") == "true", set.version().get()),
        |(mine, team, status, overdue, _)| postmortem_actions(mine, team, status, overdue),
    );
    view! {
        <Title text="Corrective actions"/>
        <div class="page-head">
            <h1>"Corrective actions"</h1>
            <nav class="tabs" aria-label="Whose">
                <a href="/postmortems/actions" aria-current=move || if mine() { "false" } else { "page" }>"Everyone's"</a>
                <a href="/postmortems/actions?owner=me" aria-current=move || if mine() { "page" } else { "false" }>"Mine"</a>
            </nav>
        </div>
        // A plain form: the filters are the page's address, so they can be shared and kept.
        <form method="get" action="/postmortems/actions" class="inline-form filters">
            {move || mine().then(|| view! { <input type="hidden" name="owner" value="me"/> })}
            <label for="pa-team">"Team"</label>
            <input id="pa-team" name="team" placeholder="payments" prop:value=move || get("team")/>
            <label for="pa-status">"Status"</label>
            <select id="pa-status" name="status">
                <option value="" selected=move || get("status").is_empty()>"Any"</option>
                {pm::ActionStatus::ALL.iter().map(|s| {
                    let value = s.as_str();
                    view! { <option value=value selected=move || get("status") == value>{value.replace('_', " ")}</option> }
                }).collect_view()}
            </select>
            <label class="check"><input type="checkbox" name="overdue" value="true" prop:checked=move || get("overdue") == "true"/>" Overdue only"</label>
            <button type="submit" class="button">"Filter"</button>
        </form>
        <ActionError value=move || set.value().get()/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let list = actions.await?;
                let overdue = list.iter().filter(|a| a.overdue).count();
                let can_act = CurrentUser::has_role(domain::Role::Responder);
                Ok::<_, AppError>(view! {
                    <p>{format!("{} actions, {overdue} overdue.", list.len())}</p>
                    {if list.is_empty() {
                        view! { <p class="muted">"No corrective actions."</p> }.into_any()
                    } else if can_act {
                        view! { <ActionTable actions=list set=set/> }.into_any()
                    } else {
                        view! { <ActionTable actions=list/> }.into_any()
                    }}
                })
            })}
        </Transition>
    }
}

/// Who must act next, in words.
fn next_step(p: &PostmortemView) -> String {
    let owner = p.owner.as_ref().map_or("its owner".to_owned(), |o| o.name.clone());
    match p.status {
        PostmortemStatus::Draft => format!("{owner} writes it and asks for review."),
        PostmortemStatus::ChangesRequested => format!("{owner} answers the requested changes."),
        PostmortemStatus::InReview => format!(
            "Waiting on {} ({} approval{} needed).",
            p.reviewers.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", "),
            p.required_approvals,
            if p.required_approvals == 1 { "" } else { "s" }
        ),
        PostmortemStatus::Approved => format!("{owner} publishes it."),
        PostmortemStatus::Published => "Published: the actions remain.".to_owned(),
    }
}

/// One section: its prompt, the text, hints as one types (the domain's own code), and a save
/// naming the version the text was written on.
#[component]
fn SectionEditor(
    id: Uuid,
    version: i32,
    spec: pm::SectionSpec,
    text: String,
    html: String,
    names: Vec<String>,
    save: ServerAction<SavePostmortemSection>,
    can_act: bool,
) -> impl IntoView {
    let typed = RwSignal::new(text.clone());
    let hints = move || {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        pm::hints::hints(&typed.get(), &refs)
    };
    let field = format!("pm-{}", spec.key);
    let hints_id = format!("{field}-hints");
    let (heading, labelled) = (format!("{field}-h"), format!("{field}-h"));
    let described = hints_id.clone();
    view! {
        <section class="panel pm-section" aria-labelledby=labelled>
            <h2 id=heading>{spec.title.clone()}</h2>
            <p class="hint">{spec.prompt.clone()}</p>
            {if can_act {
                view! {
                    <ActionForm action=save attr:class="stacked-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="version" value=version.to_string()/>
                        <input type="hidden" name="section" value=spec.key.as_str()/>
                        <label for=field.clone() class="visually-hidden">{spec.title.clone()}</label>
                        <textarea id=field.clone() name="text" rows="5" aria-describedby=described
                            prop:value=text.clone()
                            on:input=move |ev| typed.set(event_target_value(&ev))>{text.clone()}</textarea>
                        <button type="submit" class="button">{format!("Save {}", spec.title.to_lowercase())}</button>
                    </ActionForm>
                    // What a printout shows in place of the form.
                    <div class="note pm-print" inner_html=html.clone()></div>
                }.into_any()
            } else {
                view! { <div class="note" inner_html=html></div> }.into_any()
            }}
            <div id=hints_id class="pm-hints" aria-live="polite">
                {move || {
                    let found = hints();
                    (!found.is_empty()).then(|| view! {
                        <p class="small"><strong>"Blameless writing: "</strong>"worth another look (never blocking)"</p>
                        <ul class="small">
                            {found.into_iter().map(|h| view! { <li><q>{h.found}</q>": "{h.suggestion}</li> }).collect_view()}
                        </ul>
                    })
                }}
            </div>
        </section>
    }
}

#[component]
pub fn PostmortemPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<Uuid>().ok()).unwrap_or_default();
    let save = ServerAction::<SavePostmortemSection>::new();
    let line = ServerAction::<AddPostmortemLine>::new();
    let decide = ServerAction::<DecidePostmortemRecurrence>::new();
    let action = ServerAction::<AddPostmortemAction>::new();
    let set = ServerAction::<SetPostmortemAction>::new();
    let transition = ServerAction::<MovePostmortem>::new();
    let review = ServerAction::<ReviewPostmortem>::new();
    let comment = ServerAction::<CommentPostmortem>::new();
    let summary = ServerAction::<SavePostmortemSummary>::new();
    let remove_line = ServerAction::<RemovePostmortemLine>::new();
    let meeting = ServerAction::<SavePostmortemMeeting>::new();
    let edit_line = ServerAction::<EditPostmortemLine>::new();
    let version = move || {
        save.version().get()
            + line.version().get()
            + decide.version().get()
            + action.version().get()
            + set.version().get()
            + transition.version().get()
            + review.version().get()
            + comment.version().get()
            + summary.version().get()
            + remove_line.version().get()
            + meeting.version().get()
            + edit_line.version().get()
    };
    let postmortem = Resource::new(move || (id(), version()), |(id, _)| get_postmortem(id));
    let people = Resource::new(|| (), |_| crate::api::incidents::list_responders());
    let can_act = CurrentUser::has_role(domain::Role::Responder);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the postmortem…"</p> }>
            {move || Suspend::new(async move {
                let p = postmortem.await?;
                let people = people.await.unwrap_or_default();
                let me = me();
                let names: Vec<String> = people.iter().map(|u| u.name.to_string()).collect();
                let pid = p.id;
                let is_reviewer = p.reviewers.iter().any(|r| Some(r.id) == me);
                let suggestions = p.suggestions.clone();
                let (people_for_actions, people_for_review) = (people.clone(), people.clone());
                let owner_id = p.owner.as_ref().map(|o| o.id);
                let current_reviewers: Vec<Uuid> = p.reviewers.iter().map(|r| r.id).collect();
                let stale = match save.value().get() {
                    Some(Err(AppError::Stale(current))) => Some(current),
                    _ => None,
                };
                Ok::<_, AppError>(view! {
                    <Title text=format!("Postmortem INC-{}", p.incident)/>
                    <div class="page-head">
                        <h1>{format!("Postmortem: INC-{} {}", p.incident, p.incident_title)}</h1>
                        <a class="button" href=format!("/api/v1/postmortems/{pid}/markdown") download=format!("postmortem-INC-{}.md", p.incident)>"Download Markdown"</a>
                    </div>
                    <p class="pm-status">
                        <strong>{p.status.label()}</strong>
                        {format!(" · {} · revision {} · owner {} · due {}", p.severity, p.revision,
                            p.owner.as_ref().map_or("nobody", |o| o.name.as_str()), when(p.due_at))}
                        {p.overdue.then(|| view! { " " <strong class="badge overdue-badge">"overdue"</strong> })}
                        " · " <a href=format!("/incidents/INC-{}", p.incident)>"the incident"</a>
                    </p>
                    <p class="status-notice" role="status">{next_step(&p)}</p>
                    <p>
                        {match p.review_meeting_at {
                            Some(t) => format!("Review meeting: {}. ", when(t)),
                            None => "No review meeting set. ".to_owned(),
                        }}
                    </p>
                    {can_act.then(|| view! {
                        <details>
                            <summary>"Set the review meeting"</summary>
                            <ActionForm action=meeting attr:class="inline-form">
                                <input type="hidden" name="id" value=pid.to_string()/>
                                <input type="hidden" name="version" value=p.version.to_string()/>
                                <label for="pm-meeting">"When (RFC 3339, empty to clear)"</label>
                                <input id="pm-meeting" name="at" placeholder="2026-12-14T15:00:00Z"
                                    value=p.review_meeting_at.map(|t| t.to_rfc3339()).unwrap_or_default()/>
                                <button type="submit" class="button small">"Save the meeting"</button>
                            </ActionForm>
                            <ActionError value=move || meeting.value().get()/>
                        </details>
                    })}
                    {stale.map(|current| view! {
                        <section class="panel stale" role="alert">
                            <h2>"Someone saved a newer version"</h2>
                            <p>"Your text was not saved. Here is theirs; copy what you need into the form (it now edits their version) and save again."</p>
                            {current.template.iter().filter_map(|s| current.sections.get(&s.key).map(|t| view! {
                                <h3>{s.title.clone()}</h3><pre class="note">{t.clone()}</pre>
                            })).collect_view()}
                        </section>
                    })}
                    <ActionError value=move || save.value().get().filter(|r| !matches!(r, Err(AppError::Stale(_))))/>
                    {p.template.iter().filter(|s| s.key != SectionKey::Timeline).map(|spec| {
                        let text = p.sections.get(&spec.key).cloned().unwrap_or_default();
                        let html = p.sections_html.get(&spec.key).cloned().unwrap_or_default();
                        view! { <SectionEditor id=pid version=p.version spec=spec.clone() text html names=names.clone() save can_act/> }
                    }).collect_view()}

                    <section class="panel" aria-labelledby="pm-customer-h">
                        <h2 id="pm-customer-h">"What customers are told"</h2>
                        <p class="hint">"Posted as the last update of this incident's public status page incident when the postmortem is published (if it has one). Only this text is published."</p>
                        {if can_act {
                            view! {
                                <ActionForm action=summary attr:class="stacked-form">
                                    <input type="hidden" name="id" value=pid.to_string()/>
                                    <input type="hidden" name="version" value=p.version.to_string()/>
                                    <label for="pm-customer" class="visually-hidden">"What customers are told"</label>
                                    <textarea id="pm-customer" name="text" rows="3" prop:value=p.customer_summary.clone()>{p.customer_summary.clone()}</textarea>
                                    <button type="submit" class="button">"Save the customer summary"</button>
                                </ActionForm>
                                <ActionError value=move || summary.value().get()/>
                            }.into_any()
                        } else {
                            view! { <p>{p.customer_summary.clone()}</p> }.into_any()
                        }}
                    </section>
                    <section class="panel" aria-labelledby="pm-timeline-h">
                        <h2 id="pm-timeline-h">"Timeline"</h2>
                        <ol class="pm-timeline" id="pm-timeline">
                            {p.timeline.clone().into_iter().map(|e| {
                                let (entry, label) = (e.id.to_string(), format!("Remove the line: {}", e.text));
                                let (edit_entry, edit_id) = (e.id.to_string(), format!("line-{}", e.id));
                                let (at_value, text_value) = (e.at.to_rfc3339(), e.text.clone());
                                view! {
                                    <li>
                                        <time datetime=e.at.to_rfc3339()>{when(e.at)}</time>" " {e.text}
                                        {can_act.then(move || view! {
                                            <ActionForm action=remove_line attr:class="inline-form">
                                                <input type="hidden" name="id" value=pid.to_string()/>
                                                <input type="hidden" name="entry" value=entry/>
                                                <button type="submit" class="button small" aria-label=label>"Remove"</button>
                                            </ActionForm>
                                            <details>
                                                <summary>"Correct"</summary>
                                                <ActionForm action=edit_line attr:class="inline-form">
                                                    <input type="hidden" name="id" value=pid.to_string()/>
                                                    <input type="hidden" name="entry" value=edit_entry/>
                                                    <label for=format!("{edit_id}-at")>"When"</label>
                                                    <input id=format!("{edit_id}-at") name="at" required value=at_value/>
                                                    <label for=format!("{edit_id}-text")>"What happened"</label>
                                                    <input id=format!("{edit_id}-text") name="text" required maxlength="5000" value=text_value/>
                                                    <button type="submit" class="button small">"Save the line"</button>
                                                </ActionForm>
                                            </details>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {(can_act && !suggestions.is_empty()).then(move || view! {
                            <h3>"Pinned since"</h3>
                            <ul class="plain-list">
                                {suggestions.into_iter().map(|s| {
                                    let text = s.text.clone();
                                    view! {
                                        <li>
                                            {format!("{} ({}) ", text, s.pin.replace('_', "-"))}
                                            {if s.pin == "papertrail" {
                                                view! {
                                                    <ActionForm action=line attr:class="inline-form">
                                                        <input type="hidden" name="id" value=pid.to_string()/>
                                                        <input type="hidden" name="at" value=s.at.to_rfc3339()/>
                                                        <input type="hidden" name="text" value=format!("Papertrail: {text}")/>
                                                        <input type="hidden" name="source" value=s.event.to_string()/>
                                                        <button type="submit" class="button small">"Add to the timeline"</button>
                                                    </ActionForm>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <ActionForm action=action attr:class="inline-form">
                                                        <input type="hidden" name="id" value=pid.to_string()/>
                                                        <input type="hidden" name="title" value=text.clone()/>
                                                        <input type="hidden" name="from_event" value=s.event.to_string()/>
                                                        <button type="submit" class="button small">{format!("Make an action: {text}")}</button>
                                                    </ActionForm>
                                                }.into_any()
                                            }}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                        {can_act.then(|| view! {
                            <details>
                                <summary>"Add a line"</summary>
                                <ActionForm action=line attr:class="inline-form">
                                    <input type="hidden" name="id" value=pid.to_string()/>
                                    <label for="pm-line-at">"When (UTC)"</label>
                                    <input id="pm-line-at" name="at" type="text" placeholder="2026-12-01T10:42:00Z" required/>
                                    <label for="pm-line-text">"What happened"</label>
                                    <input id="pm-line-text" name="text" required maxlength="5000"/>
                                    <button type="submit" class="button small">"Add"</button>
                                </ActionForm>
                            </details>
                        })}
                        <ActionError value=move || line.value().get()/>
                    </section>

                    <section class="panel" aria-labelledby="pm-recurrence-h">
                        <h2 id="pm-recurrence-h">"Has this happened before?"</h2>
                        {if p.recurrence_candidates.is_empty() {
                            view! { <p class="muted">"No earlier incident shares a root-cause tag, or a service and similar words."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain-list" id="pm-recurrence">
                                    {p.recurrence_candidates.iter().map(|c| {
                                        let why = if c.why.shared_root_causes.is_empty() {
                                            format!("same service ({}) and similar title", c.why.shared_services.join(", "))
                                        } else {
                                            format!("same root cause ({})", c.why.shared_root_causes.join(", "))
                                        };
                                        let actions = c.actions.iter().map(|a| format!("'{}' {}", a.title, a.status.as_str().replace('_', " "))).collect::<Vec<_>>().join("; ");
                                        let number = format!("INC-{}", c.incident);
                                        let (confirm_number, dismiss_number) = (number.clone(), number.clone());
                                        view! {
                                            <li>
                                                <a href=format!("/incidents/{number}")>{format!("{number} {}", c.title)}</a>
                                                {format!(" · {} · {why}", c.created_at.format("%Y-%m-%d"))}
                                                {c.postmortem.map(|s| format!(" · postmortem {}", s.label().to_lowercase()))}
                                                {(!actions.is_empty()).then(|| view! { <div class="small">{format!("Its actions: {actions}")}</div> })}
                                                {match c.confirmed {
                                                    Some(true) => view! { <strong>" Confirmed recurrence"</strong> }.into_any(),
                                                    Some(false) => view! { <span class="muted">" Dismissed"</span> }.into_any(),
                                                    None if can_act => view! {
                                                        <ActionForm action=decide attr:class="inline-form">
                                                            <input type="hidden" name="id" value=pid.to_string()/>
                                                            <input type="hidden" name="incident" value=confirm_number.clone()/>
                                                            <input type="hidden" name="confirmed" value="true"/>
                                                            <button type="submit" class="button small">{format!("Confirm {confirm_number}")}</button>
                                                        </ActionForm>
                                                        <ActionForm action=decide attr:class="inline-form">
                                                            <input type="hidden" name="id" value=pid.to_string()/>
                                                            <input type="hidden" name="incident" value=dismiss_number.clone()/>
                                                            <input type="hidden" name="confirmed" value="false"/>
                                                            <button type="submit" class="button small">{format!("Dismiss {dismiss_number}")}</button>
                                                        </ActionForm>
                                                    }.into_any(),
                                                    None => ().into_any(),
                                                }}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>

                    <section class="panel" aria-labelledby="pm-actions-h">
                        <h2 id="pm-actions-h">"Corrective actions"</h2>
                        {if p.actions.is_empty() {
                            view! { <p class="muted">"None yet."</p> }.into_any()
                        } else if can_act {
                            view! { <ActionTable actions=p.actions.clone() set=set/> }.into_any()
                        } else {
                            view! { <ActionTable actions=p.actions.clone()/> }.into_any()
                        }}
                        {can_act.then(|| view! {
                            <details>
                                <summary>"Add an action"</summary>
                                <ActionForm action=action attr:class="stacked-form">
                                    <input type="hidden" name="id" value=pid.to_string()/>
                                    <label for="pm-action-title">"Action"</label>
                                    <input id="pm-action-title" name="title" required maxlength="300"/>
                                    <label for="pm-action-owner">"Owner"</label>
                                    <select id="pm-action-owner" name="owner_id">
                                        <option value="">"Nobody yet"</option>
                                        {people_for_actions.iter().map(|u| view! { <option value=u.id.to_string()>{u.name.to_string()}</option> }).collect_view()}
                                    </select>
                                    <label for="pm-action-priority">"Priority"</label>
                                    <select id="pm-action-priority" name="priority">
                                        {ActionPriorityOptions()}
                                    </select>
                                    <label for="pm-action-due">"Due " <span class="hint">"(empty: from the priority, 4 weeks for high, else 8)"</span></label>
                                    <input id="pm-action-due" name="due_on" type="date"/>
                                    <label for="pm-action-tracker">"Ticket link"</label>
                                    <input id="pm-action-tracker" name="tracker_url" type="url"/>
                                    <button type="submit" class="button">"Add action"</button>
                                </ActionForm>
                            </details>
                        })}
                        <ActionError value=move || action.value().get()/>
                        <ActionError value=move || set.value().get()/>
                    </section>

                    <section class="panel" aria-labelledby="pm-review-h">
                        <h2 id="pm-review-h">"Review"</h2>
                        {(!p.hints.is_empty()).then(|| view! {
                            <p class="small">{format!(
                                "Blameless-writing hints to look at before approving: {}.",
                                p.hints.iter().map(|(k, h)| format!("{} in {}", h.len(), k.as_str().replace('_', " "))).collect::<Vec<_>>().join(", ")
                            )}</p>
                        })}
                        {p.approved_revision.filter(|a| *a != p.revision).zip(p.approved_sections.clone()).map(|(n, approved)| view! {
                            <details>
                                <summary>{format!("The approved text (revision {n}), while revision {} is written", p.revision)}</summary>
                                {p.template.iter().filter_map(|s| approved.get(&s.key).map(|t| view! {
                                    <h3>{s.title.clone()}</h3><pre class="note">{t.clone()}</pre>
                                })).collect_view()}
                            </details>
                        })}
                        <p>{if p.reviewers.is_empty() { "No reviewers yet.".to_owned() } else {
                            format!("Reviewers: {}", p.reviewers.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", "))
                        }}</p>
                        <ul class="plain-list" id="pm-reviews">
                            {p.reviews.iter().map(|r| view! {
                                <li>
                                    {format!("{} {} revision {}", r.reviewer.as_ref().map_or("Someone", |p| p.name.as_str()),
                                        if r.verdict == pm::Verdict::Approve { "approved" } else { "requested changes to" }, r.revision)}
                                    {(!r.comment.is_empty()).then(|| format!(": {}", r.comment))}
                                </li>
                            }).collect_view()}
                            {p.comments.iter().map(|c| view! {
                                <li class="muted">{format!("{}{}: {}", c.author.as_ref().map_or("Someone", |p| p.name.as_str()),
                                    c.section.map(|s| format!(" on {}", s.as_str().replace('_', " "))).unwrap_or_default(), c.body)}</li>
                            }).collect_view()}
                        </ul>
                        {(can_act && matches!(p.status, PostmortemStatus::Draft | PostmortemStatus::ChangesRequested)).then(|| view! {
                            <ActionForm action=transition attr:class="stacked-form">
                                <input type="hidden" name="id" value=pid.to_string()/>
                                <input type="hidden" name="to" value="in_review"/>
                                <fieldset>
                                    <legend>"Reviewers"</legend>
                                    {people_for_review.iter().filter(|u| Some(u.id.0) != owner_id).enumerate().map(|(n, u)| {
                                        let checked = current_reviewers.contains(&u.id.0);
                                        view! { <label class="check"><input type="checkbox" name=format!("reviewers[{n}]") value=u.id.to_string() checked=checked/>" " {u.name.to_string()}</label> }
                                    }).collect_view()}
                                </fieldset>
                                <button type="submit" class="button primary">"Request review"</button>
                            </ActionForm>
                        })}
                        {(can_act && is_reviewer && p.status == PostmortemStatus::InReview).then(|| view! {
                            <ActionForm action=review attr:class="stacked-form">
                                <input type="hidden" name="id" value=pid.to_string()/>
                                <fieldset>
                                    <legend>"Your verdict"</legend>
                                    <label class="check"><input type="radio" name="verdict" value="approve" checked=true/>" Approve"</label>
                                    <label class="check"><input type="radio" name="verdict" value="request_changes"/>" Request changes"</label>
                                </fieldset>
                                <label for="pm-review-comment">"Comment " <span class="hint">"(required when asking for changes)"</span></label>
                                <textarea id="pm-review-comment" name="comment" rows="3"></textarea>
                                <button type="submit" class="button primary">"Send review"</button>
                            </ActionForm>
                        })}
                        {(can_act && p.status == PostmortemStatus::Approved).then(|| view! {
                            <ActionForm action=transition attr:class="inline-form">
                                <input type="hidden" name="id" value=pid.to_string()/>
                                <input type="hidden" name="to" value="published"/>
                                <button type="submit" class="button primary">"Publish"</button>
                            </ActionForm>
                        })}
                        {can_act.then(|| view! {
                            <ActionForm action=comment attr:class="stacked-form">
                                <input type="hidden" name="id" value=pid.to_string()/>
                                <label for="pm-comment">"Add a comment"</label>
                                <textarea id="pm-comment" name="body" rows="2" required></textarea>
                                <label for="pm-comment-section">"About"</label>
                                <select id="pm-comment-section" name="section">
                                    <option value="">"The whole postmortem"</option>
                                    {p.template.iter().map(|s| view! { <option value=s.key.as_str()>{s.title.clone()}</option> }).collect_view()}
                                </select>
                                <button type="submit" class="button">"Comment"</button>
                            </ActionForm>
                        })}
                        <ActionError value=move || transition.value().get()/>
                        <ActionError value=move || review.value().get()/>
                        <ActionError value=move || comment.value().get()/>
                    </section>
                })
            })}
        </Transition>
    }
}

#[allow(non_snake_case, reason = "used as a view fragment")]
fn ActionPriorityOptions() -> impl IntoView {
    pm::Priority::ALL
        .iter()
        .map(|p| view! { <option value=p.as_str() selected=*p == pm::Priority::Medium>{p.as_str()}</option> })
        .collect_view()
}
