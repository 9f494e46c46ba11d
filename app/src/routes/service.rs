//! `/services/{slug}`: one service's alerts, how its alerts become incidents, and (for admins)
//! its integration keys with the URL and config to paste into the monitoring tool.

use domain::{
    Role,
    alert::{
        AlertFilterInput, CreatedIntegrationKey, IngestionSettings, IntegrationKind,
        rules::{Grouping, IngestionForm, Urgency},
    },
    incident::Severity,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{
        alerts::{list_alerts, list_rejected_events},
        catalog::{UpdateIngestion, load_service},
        integration_keys::{CreateIntegrationKey, RevokeIntegrationKey, list_integration_keys},
    },
    components::{
        alerts::{AlertColumn, AlertTable},
        errors::ActionError,
        layout::CurrentUser,
        live::LiveFeed,
    },
    routes::incidents::when,
};

#[component]
pub fn ServicePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let admin = CurrentUser::has_role(Role::Admin);
    let save = ServerAction::<UpdateIngestion>::new();
    let create = ServerAction::<CreateIntegrationKey>::new();
    let revoke = ServerAction::<RevokeIntegrationKey>::new();
    let show_resolved = RwSignal::new(false);

    // Alerts change with every incident change this service is part of: refetch on live events.
    let live_seq = LiveFeed::get().map(|l| l.seq);
    let detail = Resource::new(move || (slug(), save.version().get()), |(s, _)| load_service(s));
    let alerts = Resource::new(
        move || (slug(), show_resolved.get(), live_seq.map(|s| s.get())),
        |(s, all, _)| {
            list_alerts(AlertFilterInput {
                service: Some(s),
                status: (!all).then(|| "open".to_owned()),
                limit: Some(100),
                ..Default::default()
            })
        },
    );
    let rejected =
        Resource::new(move || (slug(), live_seq.map(|s| s.get())), |(s, _)| list_rejected_events(s));
    let keys = Resource::new(
        move || (slug(), create.version().get(), revoke.version().get()),
        move |(s, _, _)| async move { if admin { list_integration_keys(s).await.map(Some) } else { Ok(None) } },
    );

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the service…"</p> }>
            {move || Suspend::new(async move {
                let d = detail.await?;
                let alerts = alerts.await?;
                let keys = keys.await?;
                let rejected = rejected.await?;
                let s = d.service.clone();
                Ok::<_, crate::error::AppError>(view! {
                    <Title text=format!("{} · service", s.name)/>
                    <div class="page-head">
                        <h1>{s.name.clone()}</h1>
                    </div>
                    <p class="muted">{format!("{} · owned by {} · ", s.slug, s.team_name)}{s.description.clone()}</p>
                    <section class="panel" aria-labelledby="service-alerts">
                        <h2 id="service-alerts">"Alerts"</h2>
                        <label class="inline-check">
                            <input type="checkbox" id="show-resolved" prop:checked=move || show_resolved.get()
                                on:change=move |ev| show_resolved.set(event_target_checked(&ev))/>
                            " Show resolved alerts"
                        </label>
                        <AlertTable alerts=alerts.alerts column=AlertColumn::Incident/>
                    </section>
                    <Rejected rejected/>
                    <Settings slug=s.slug.clone() settings=d.ingestion admin save/>
                    <Routing slug=s.slug.clone() admin/>
                    {keys.map(|keys| view! { <Keys slug=s.slug.clone() keys create revoke/> })}
                })
            })}
        </Transition>
    }
}

/// What the monitoring tools sent that was refused, so the service's owners can fix their config
/// without reading server logs.
#[component]
fn Rejected(rejected: Vec<domain::alert::RejectedEventView>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="rejected-events">
            <h2 id="rejected-events">"Rejected events"</h2>
            {if rejected.is_empty() {
                view! { <p class="muted">"Nothing refused: every event the keys sent was valid."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="rejected-table">
                        <caption class="visually-hidden">"Events refused from this service's keys, newest first"</caption>
                        <thead><tr><th scope="col">"Received"</th><th scope="col">"Key"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {rejected.into_iter().map(|r| view! {
                                <tr>
                                    <td>{when(r.received_at)}</td>
                                    <td>{format!("{} ({})", r.key_label, r.key_kind.label())}</td>
                                    <td><code>{r.reason}</code></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

fn grouping_text(s: &IngestionSettings) -> String {
    match (s.grouping, s.group_window_minutes) {
        (Grouping::Service, Some(m)) => {
            format!("New alerts join the service's open incident if it opened within {m} minutes")
        }
        (Grouping::Service, None) => "New alerts join the service's open incident while it is open".into(),
        (Grouping::Alert, _) => "Every new alert opens its own incident".into(),
    }
}

#[component]
fn Settings(
    slug: String,
    settings: IngestionSettings,
    admin: bool,
    save: ServerAction<UpdateIngestion>,
) -> impl IntoView {
    let f = IngestionForm::from_settings(&settings);
    let m = settings.severity_map;
    let summary = view! {
        <dl class="settings-list" id="ingestion-settings">
            <div><dt>"Grouping"</dt><dd>{grouping_text(&settings)}</dd></div>
            <div><dt>"Severity"</dt><dd>{format!("critical → {}, error → {}, warning → {}, info → {}", m.critical, m.error, m.warning, m.info)}</dd></div>
            <div><dt>"Urgency"</dt><dd>{match settings.urgency { Urgency::High => "High: pages at once", Urgency::Low => "Low: waits for working hours" }}</dd></div>
            <div><dt>"Storm control"</dt><dd>{format!("at most {} incidents from alerts in {} minutes, then one alert-storm incident", settings.storm_limit, settings.storm_window_minutes)}</dd></div>
            <div><dt>"Flap control"</dt><dd>{format!("more than {} re-fires in {} minutes: held open as flapping", settings.flap_limit, settings.flap_window_minutes)}</dd></div>
        </dl>
    };
    let sev_select = |field: &'static str, current: String| {
        let id = format!("map-{field}");
        view! {
            <label for=id.clone()>{field}</label>
            <select id=id name=format!("form[{field}]")>
                {[Severity::Sev2, Severity::Sev3, Severity::Sev4, Severity::Sev5].into_iter().map(|s| view! {
                    <option value=s.as_str() selected=s.as_str() == current>{s.as_str()}</option>
                }).collect_view()}
            </select>
        }
    };
    view! {
        <section class="panel" aria-labelledby="ingestion">
            <h2 id="ingestion">"From alerts to incidents"</h2>
            {summary}
            {admin.then(|| view! {
                <details class="edit-settings">
                    <summary>"Change"</summary>
                    <ActionForm action=save attr:class="stacked-form settings-form">
                        <input type="hidden" name="slug" value=slug.clone()/>
                        <label for="grouping">"Grouping"</label>
                        <select id="grouping" name="form[grouping]">
                            <option value="service" selected=f.grouping == "service">"By service: new alerts join the open incident"</option>
                            <option value="alert" selected=f.grouping == "alert">"One incident per alert"</option>
                        </select>
                        <label for="group-window">"Join window (minutes; blank: while open)"</label>
                        <input id="group-window" name="form[group_window_minutes]" inputmode="numeric" value=f.group_window_minutes.clone()/>
                        <fieldset class="severity-map">
                            <legend>"Alert severity → incident severity (never SEV1)"</legend>
                            {sev_select("critical", f.critical.clone())}
                            {sev_select("error", f.error.clone())}
                            {sev_select("warning", f.warning.clone())}
                            {sev_select("info", f.info.clone())}
                        </fieldset>
                        <label for="urgency">"Urgency"</label>
                        <select id="urgency" name="form[urgency]">
                            <option value="high" selected=f.urgency == "high">"High: page at once"</option>
                            <option value="low" selected=f.urgency == "low">"Low: wait for working hours"</option>
                        </select>
                        <label for="storm-limit">"Storm: incidents from alerts allowed"</label>
                        <input id="storm-limit" name="form[storm_limit]" inputmode="numeric" value=f.storm_limit.clone()/>
                        <label for="storm-window">"… within (minutes)"</label>
                        <input id="storm-window" name="form[storm_window_minutes]" inputmode="numeric" value=f.storm_window_minutes.clone()/>
                        <label for="flap-limit">"Flapping: re-fires allowed"</label>
                        <input id="flap-limit" name="form[flap_limit]" inputmode="numeric" value=f.flap_limit.clone()/>
                        <label for="flap-window">"… within (minutes)"</label>
                        <input id="flap-window" name="form[flap_window_minutes]" inputmode="numeric" value=f.flap_window_minutes.clone()/>
                        <button type="submit" class="button primary">"Save"</button>
                    </ActionForm>
                    <ActionError value=move || save.value().get()/>
                </details>
            })}
        </section>
    }
}

#[component]
fn Keys(
    slug: String,
    keys: Vec<domain::alert::IntegrationKeyView>,
    create: ServerAction<CreateIntegrationKey>,
    revoke: ServerAction<RevokeIntegrationKey>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="integration-keys">
            <h2 id="integration-keys">"Integration keys"</h2>
            {move || match create.value().get() {
                Some(Ok(created)) => Some(view! { <NewKey created/> }.into_any()),
                _ => None,
            }}
            {if keys.is_empty() {
                view! { <p class="muted">"No keys yet: create one for each monitoring tool."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="keys-table">
                        <caption class="visually-hidden">"Integration keys of this service"</caption>
                        <thead><tr><th scope="col">"Label"</th><th scope="col">"Kind"</th><th scope="col">"Key"</th><th scope="col">"Created"</th><th scope="col"></th></tr></thead>
                        <tbody>
                            {keys.into_iter().map(|k| {
                                let slug = slug.clone();
                                view! {
                                    <tr class:revoked=k.revoked_at.is_some()>
                                        <td>{k.label.clone()}</td>
                                        <td>{k.kind.label()}</td>
                                        <td><code>{format!("{}…", k.prefix)}</code></td>
                                        <td>{format!("{} by {}", when(k.created_at), k.created_by.clone().unwrap_or_else(|| "—".into()))}</td>
                                        <td>{match k.revoked_at {
                                            Some(at) => view! { <span class="muted">{format!("revoked {}", when(at))}</span> }.into_any(),
                                            None => view! {
                                                <ActionForm action=revoke attr:class="inline-form">
                                                    <input type="hidden" name="slug" value=slug/>
                                                    <input type="hidden" name="id" value=k.id.to_string()/>
                                                    <button type="submit" class="button danger">{format!("Revoke {}", k.label)}</button>
                                                </ActionForm>
                                            }.into_any(),
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <ActionForm action=create attr:class="stacked-form">
                <input type="hidden" name="slug" value=slug.clone()/>
                <label for="key-kind">"Kind"</label>
                <select id="key-kind" name="input[kind]">
                    {IntegrationKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
                <label for="key-label">"Label" <span class="required" aria-hidden="true">"*"</span></label>
                <input id="key-label" name="input[label]" required maxlength="100" placeholder="Prometheus production"/>
                <button type="submit" class="button primary">"Create key"</button>
            </ActionForm>
            <ActionError value=move || create.value().get().map(|r| r.map(|_| ()))/>
            <ActionError value=move || revoke.value().get().map(|r| r.map(|_| ()))/>
        </section>
    }
}

/// The only time a key is shown: the key, the URL to send to, and config to paste.
#[component]
fn NewKey(created: CreatedIntegrationKey) -> impl IntoView {
    view! {
        <div class="new-key" role="status" id="new-key">
            <p><strong>{format!("Key for {} created. Copy it now: it is not shown again.", created.view.label)}</strong></p>
            <p>"Key: "<code id="new-key-secret">{created.key.clone()}</code></p>
            <p>"Send events to: "<code id="new-key-url">{created.url.clone()}</code></p>
            {created.snippets.into_iter().map(|s| view! {
                <h3>{s.title}</h3>
                <pre class="snippet">{s.text}</pre>
            }).collect_view()}
        </div>
    }
}

/// Which escalation policy the service's new incidents page through.
#[component]
fn Routing(slug: String, admin: bool) -> impl IntoView {
    let route = ServerAction::<crate::api::catalog::RouteService>::new();
    let policies = Resource::new(move || route.version().get(), |_| crate::api::policies::policy_overviews());
    view! {
        <section class="panel" aria-labelledby="routing-h">
            <h2 id="routing-h">"Paging"</h2>
            <Transition fallback=|| ()>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        let list = policies.await?;
                        let current = list.iter().find(|o| o.policy.services.contains(&slug)).map(|o| o.policy.clone());
                        Ok::<_, crate::error::AppError>(view! {
                            <p id="routing-now">{match &current {
                                Some(p) => format!("New incidents page through the escalation policy {}.", p.name),
                                None => "New incidents page no one: no escalation policy is set.".to_owned(),
                            }}</p>
                            {admin.then(|| view! {
                                <ActionForm action=route attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug.clone()/>
                                    <label for="route-policy">"Escalation policy"</label>
                                    <select id="route-policy" name="policy">
                                        <option value="">"None"</option>
                                        {list.iter().map(|o| view! {
                                            <option value=o.policy.id.to_string() selected=current.as_ref().is_some_and(|c| c.id == o.policy.id)>{o.policy.name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="button">"Route"</button>
                                </ActionForm>
                            })}
                        })
                    })
                }}
            </Transition>
            <ActionError value=move || route.value().get()/>
        </section>
    }
}
