//! The "Status page" panel of an incident's page: what customers see about this incident, and the
//! form that tells them (prefilled from the incident: its services' components, a first update's
//! template). One post reaches the public page, its JSON and feed, and this incident's timeline.

use domain::status::{ComponentStatus, PublicStatus, page::StatusPageForm};
use leptos::prelude::*;

use crate::{
    api::status_page::{PostStatusPage, PreviewStatusMessage},
    components::errors::ActionError,
};

const FIRST_UPDATE: &str =
    "We are investigating reports of problems with this service. We will post an update within 30 minutes.";
const FINAL_UPDATE: &str = "This incident has been resolved. Thank you for your patience.";

/// The panel, from the form's data (loaded with the rest of the incident page, so it refreshes
/// with it).
#[component]
pub fn StatusPagePanel(
    number: domain::incident::IncidentNumber,
    title: String,
    /// The internal incident is resolved: the panel offers the final update.
    resolved: bool,
    form: Result<StatusPageForm, crate::error::AppError>,
    post: ServerAction<PostStatusPage>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="status-page-h" id="status-page">
            <h2 id="status-page-h">"Status page"</h2>
            {match form {
                Ok(f) => form_view(number, title, resolved, f, post).into_any(),
                Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
            }}
            <ActionError value=move || post.value().get()/>
        </section>
    }
}

fn form_view(
    number: domain::incident::IncidentNumber,
    title: String,
    resolved: bool,
    f: StatusPageForm,
    post: ServerAction<PostStatusPage>,
) -> impl IntoView {
    let existing = f.existing.clone();
    let name = existing.as_ref().map_or(title, |e| e.name.clone());
    let current = existing.as_ref().map(|e| e.status);
    // Resolving the incident while customers still see it open: the form offers the last word.
    let final_offer = resolved && current.is_some_and(|s| !s.is_closed());
    let next = match current {
        _ if final_offer => PublicStatus::Resolved,
        None => PublicStatus::Investigating,
        Some(PublicStatus::Investigating) => PublicStatus::Identified,
        Some(PublicStatus::Identified) => PublicStatus::Monitoring,
        Some(_) => PublicStatus::Resolved,
    };
    let body = match existing {
        None => FIRST_UPDATE,
        Some(_) if final_offer => FINAL_UPDATE,
        Some(_) => "",
    };
    let is_new = existing.is_none();
    // The message as customers will read it, rendered by the server's own renderer as one types.
    let preview = ServerAction::<PreviewStatusMessage>::new();
    view! {
        {final_offer.then(|| view! {
            <p class="status-notice" role="status">
                "This incident is resolved, but customers still see it as "
                {current.map(|s| s.label().to_lowercase()).unwrap_or_default()}
                ". Post the final update below: it restores the components you mark operational."
            </p>
        })}
        {match &existing {
            Some(e) => view! {
                <p>
                    {if e.status.is_closed() { "Customers saw " } else { "Customers see " }}
                    <a href=format!("/status/incidents/{}", e.public_id)>{e.name.clone()}</a>
                    {format!(" ({}, {} update{}).", e.status.label().to_lowercase(), e.updates.len(), if e.updates.len() == 1 { "" } else { "s" })}
                </p>
            }.into_any(),
            None => view! { <p class="muted">"Customers see nothing about this incident yet."</p> }.into_any(),
        }}
        {if f.components.is_empty() {
            view! { <p class="muted">"The status page has no components yet: an admin adds them at " <a href="/admin/status-page">"Status page"</a> "."</p> }.into_any()
        } else {
            view! {
                <details class="status-update-form" open=is_new || final_offer>
                    <summary>{if is_new { "Update status page" } else if final_offer { "Post the final update" } else { "Post an update" }}</summary>
                    <ActionForm action=post attr:class="stacked-form">
                        <input type="hidden" name="number" value=number.to_string()/>
                        <label for="sp-name">"Title customers see"</label>
                        <input id="sp-name" name="name" required maxlength="200" value=name readonly=!is_new/>
                        <label for="sp-status">"Status"</label>
                        <select id="sp-status" name="status">
                            {PublicStatus::INCIDENT.iter().map(|s| view! { <option value=s.as_str() selected=*s == next>{s.label()}</option> }).collect_view()}
                        </select>
                        {is_new.then(|| view! {
                            <label for="sp-impact">"Impact"</label>
                            <select id="sp-impact" name="impact">
                                <option value="" selected=true>"From the worst component state"</option>
                                {domain::status::Impact::ALL.iter().map(|i| view! { <option value=i.as_str()>{i.as_str()}</option> }).collect_view()}
                            </select>
                        })}
                        <fieldset class="sp-components">
                            <legend>"Components"</legend>
                            {f.components.iter().map(|c| {
                                let affected = f.preselected.contains(&c.id);
                                // The incident's own components start as a partial outage (or as they are, if already down).
                                let default = if affected {
                                    Some(if c.status == ComponentStatus::Operational { ComponentStatus::PartialOutage } else { c.status })
                                } else {
                                    None
                                };
                                let default = if next == PublicStatus::Resolved && affected { Some(ComponentStatus::Operational) } else { default };
                                let id = format!("sp-c-{}", c.id);
                                view! {
                                    <label for=id.clone()>{format!("{} (now {})", c.name, c.status.label().to_lowercase())}</label>
                                    <select id=id name=format!("components[c{}]", c.id)>
                                        <option value="" selected=default.is_none()>"Not affected"</option>
                                        {ComponentStatus::ALL.iter().map(|s| view! {
                                            <option value=s.as_str() selected=Some(*s) == default>{s.label()}</option>
                                        }).collect_view()}
                                    </select>
                                }
                            }).collect_view()}
                        </fieldset>
                        <label for="sp-body">"Message to customers " <span class="hint">"(Markdown; only this is published)"</span></label>
                        <textarea
                            id="sp-body"
                            name="body"
                            rows="4"
                            required
                            maxlength="20000"
                            aria-describedby="sp-preview-h"
                            // The property, not only the text: after a post the form comes back with a new
                            // template (the final update), which a typed-in value would otherwise keep out.
                            prop:value=body
                            on:input=move |ev| {
                                preview.dispatch(PreviewStatusMessage { body: event_target_value(&ev) });
                            }
                        >{body}</textarea>
                        <div class="status-preview">
                            <h3 id="sp-preview-h" class="small muted">"Preview: what customers will read"</h3>
                            {move || match preview.value().get() {
                                // Rendered and sanitised by the server's Markdown renderer.
                                Some(Ok(html)) => view! { <div class="note" inner_html=html></div> }.into_any(),
                                Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                                None => view! { <p class="muted small">"The preview appears as you type."</p> }.into_any(),
                            }}
                        </div>
                        <button type="submit" class="button primary">"Post to status page"</button>
                    </ActionForm>
                </details>
            }.into_any()
        }}
    }
}
