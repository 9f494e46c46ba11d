//! `/admin/postmortem-templates`: the postmortem policy (which severities get one on resolution,
//! business days to write it, approvals, corrective actions' due windows) and the templates, one
//! per range of severities. A template's sections are lines of `key | title | prompt`, in order:
//! typed and reordered with the keyboard as easily as anything.

use domain::postmortem::{SectionKey, SectionSpec, Template};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::postmortems::{
        DeletePostmortemTemplate, SavePostmortemPolicy, SavePostmortemTemplate, postmortem_settings,
    },
    components::errors::ActionError,
};

const SEVERITIES: [&str; 5] = ["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"];

fn lines(sections: &[SectionSpec]) -> String {
    sections.iter().map(|s| format!("{} | {} | {}", s.key, s.title, s.prompt)).collect::<Vec<_>>().join("\n")
}

#[component]
fn TemplateForm(template: Option<Template>, save: ServerAction<SavePostmortemTemplate>) -> impl IntoView {
    let prefix = template.as_ref().map_or("new".to_owned(), |t| t.id.to_string());
    let (name, severities, sections) = match &template {
        Some(t) => (t.name.clone(), t.severities.clone(), lines(&t.sections)),
        None => (String::new(), Vec::new(), lines(&domain::postmortem::default_sections())),
    };
    let button = template.as_ref().map_or("Add template".to_owned(), |t| format!("Save {}", t.name));
    view! {
        <ActionForm action=save attr:class="stacked-form">
            {template.as_ref().map(|t| view! { <input type="hidden" name="id" value=t.id.to_string()/> })}
            <label for=format!("{prefix}-name")>"Name"</label>
            <input id=format!("{prefix}-name") name="name" required maxlength="100" value=name/>
            <fieldset>
                <legend>"For severities (none: every severity no other template covers)"</legend>
                {SEVERITIES.iter().enumerate().map(|(n, s)| view! {
                    <label class="check"><input type="checkbox" name=format!("severities[{n}]") value=*s checked=severities.iter().any(|x| x == s)/>" " {*s}</label>
                }).collect_view()}
            </fieldset>
            <label for=format!("{prefix}-sections")>"Sections, in order " <span class="hint">{format!("(one per line: key | title | prompt; keys: {})", SectionKey::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "))}</span></label>
            <textarea id=format!("{prefix}-sections") name="sections" rows="10" required>{sections}</textarea>
            <button type="submit" class="button">{button}</button>
        </ActionForm>
    }
}

#[component]
pub fn AdminPostmortemsPage() -> impl IntoView {
    let policy = ServerAction::<SavePostmortemPolicy>::new();
    let save = ServerAction::<SavePostmortemTemplate>::new();
    let delete = ServerAction::<DeletePostmortemTemplate>::new();
    let data = Resource::new(
        move || policy.version().get() + save.version().get() + delete.version().get(),
        |_| postmortem_settings(),
    );
    view! {
        <Title text="Postmortem settings"/>
        <h1>"Postmortems"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (p, templates) = data.await?;
                Ok::<_, crate::error::AppError>(view! {
                    <section class="panel" aria-labelledby="pm-policy-h">
                        <h2 id="pm-policy-h">"Policy"</h2>
                        <ActionForm action=policy attr:class="stacked-form">
                            <fieldset>
                                <legend>"Resolving an incident of these severities opens its postmortem"</legend>
                                {SEVERITIES.iter().enumerate().map(|(n, s)| view! {
                                    <label class="check"><input type="checkbox" name=format!("severities[{n}]") value=*s checked=p.severities.iter().any(|x| x == s)/>" " {*s}</label>
                                }).collect_view()}
                            </fieldset>
                            <label for="pm-days">"Business days to write it (in the owner's time zone)"</label>
                            <input id="pm-days" name="business_days" type="number" min="1" max="60" required value=p.business_days.to_string()/>
                            <label for="pm-approvals">"Approvals needed"</label>
                            <input id="pm-approvals" name="required_approvals" type="number" min="1" max="10" required value=p.required_approvals.to_string()/>
                            <label for="pm-high">"Days for a high-priority corrective action"</label>
                            <input id="pm-high" name="high_days" type="number" min="1" max="365" required value=p.high_days.to_string()/>
                            <label for="pm-other">"Days for other corrective actions"</label>
                            <input id="pm-other" name="other_days" type="number" min="1" max="365" required value=p.other_days.to_string()/>
                            <button type="submit" class="button primary">"Save policy"</button>
                        </ActionForm>
                        <ActionError value=move || policy.value().get()/>
                    </section>
                    <section class="panel" aria-labelledby="pm-templates-h">
                        <h2 id="pm-templates-h">"Templates"</h2>
                        {templates.is_empty().then(|| view! {
                            <p class="muted">"None stored: every postmortem uses the built-in one (the reason-for-outage questions). Postmortems already started keep their sections."</p>
                        })}
                        {templates.into_iter().map(|t| {
                            let (id, remove) = (t.id.to_string(), format!("Remove {}", t.name));
                            let summary = format!("{} · {}", t.name, if t.severities.is_empty() { "other severities".to_owned() } else { t.severities.join(", ") });
                            view! {
                                <details class="component-edit">
                                    <summary>{summary}</summary>
                                    <TemplateForm template=Some(t) save/>
                                    <ActionForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="id" value=id/>
                                        <button type="submit" class="button small">{remove}</button>
                                    </ActionForm>
                                </details>
                            }
                        }).collect_view()}
                        <h3>"Add a template"</h3>
                        <TemplateForm template=None save/>
                        <ActionError value=move || save.value().get()/>
                        <ActionError value=move || delete.value().get()/>
                    </section>
                })
            })}
        </Transition>
    }
}
