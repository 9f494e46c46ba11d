//! The alerts table shared by a service's page and an incident's page: status, severity, what
//! fired, how often, and the latest payload one click away.

use domain::alert::{AlertStatus, AlertView};
use leptos::prelude::*;

use crate::routes::incidents::{age, when};

fn status_class(s: AlertStatus) -> String {
    format!("badge alert-{}", s.as_str())
}

/// `context`: show the incident column (on a service's page) or the service column (on an
/// incident's page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertColumn {
    Incident,
    Service,
}

#[component]
pub fn AlertTable(alerts: Vec<AlertView>, column: AlertColumn) -> impl IntoView {
    if alerts.is_empty() {
        return view! { <p class="muted" id="alerts-empty">"No alerts."</p> }.into_any();
    }
    view! {
        <table class="table alerts" id="alerts-table">
            <caption class="visually-hidden">"Alerts, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Severity"</th>
                    <th scope="col">"Alert"</th>
                    <th scope="col">{match column { AlertColumn::Incident => "Incident", AlertColumn::Service => "Service" }}</th>
                    <th scope="col">"Count"</th>
                    <th scope="col">"First / last seen"</th>
                </tr>
            </thead>
            <tbody>
                {alerts.into_iter().map(|a| {
                    let payload = serde_json::to_string_pretty(&a.payload).unwrap_or_default();
                    let where_ = match column {
                        AlertColumn::Incident => a.incident.map_or_else(
                            || view! { <span class="muted">"—"</span> }.into_any(),
                            |n| view! { <a href=format!("/incidents/{n}")>{n.to_string()}</a> }.into_any(),
                        ),
                        AlertColumn::Service => view! { <a href=format!("/services/{}", a.service)>{a.service.clone()}</a> }.into_any(),
                    };
                    view! {
                        <tr data-dedup-key=a.dedup_key.clone()>
                            <td>
                                <span class=status_class(a.status)>{a.status.as_str()}</span>
                                {a.flapping.then(|| view! { " " <span class="badge flapping" title="Re-fired too often: held open until the source is quiet">"flapping"</span> })}
                            </td>
                            <td><span class=format!("alert-sev alert-sev-{}", a.severity.as_str())>{a.severity.as_str()}</span></td>
                            <td>
                                <strong>{a.summary.clone()}</strong>
                                <br/><span class="muted">{format!("{} · key {}", a.source, a.dedup_key)}</span>
                                <details class="payload">
                                    <summary>"Payload"</summary>
                                    <pre>{payload}</pre>
                                </details>
                            </td>
                            <td>{where_}</td>
                            <td>{a.event_count}</td>
                            <td>
                                <time datetime=a.first_seen_at.to_rfc3339() title=when(a.first_seen_at)>{format!("{} ago", age(a.first_seen_at, None))}</time>
                                " / "
                                <time datetime=a.last_seen_at.to_rfc3339() title=when(a.last_seen_at)>{format!("{} ago", age(a.last_seen_at, None))}</time>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
