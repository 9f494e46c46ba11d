//! `/`: the responder dashboard: incidents live, open ones first, with the filters, and the
//! shift handover.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{layout::CurrentUser, live::LiveBadge},
    routes::incidents::{HandoverPanel, IncidentList},
};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let responder = CurrentUser::has_role(domain::Role::Responder);
    view! {
        <Title text="Dashboard"/>
        <div class="page-head">
            <h1>"Dashboard"</h1>
            <LiveBadge/>
            <a class="button primary" href="/incidents/new">"Declare an incident"</a>
        </div>
        <section class="panel" aria-label="Incidents">
            <IncidentList base="/"/>
        </section>
        {responder.then(|| view! { <HandoverPanel/> })}
        <Waiting/>
    }
}

/// Postmortems waiting on the viewer, and their overdue corrective actions.
#[component]
fn Waiting() -> impl IntoView {
    let waiting = Resource::new(|| (), |_| crate::api::postmortems::waiting_on_me());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (postmortems, actions) = waiting.await.unwrap_or_default();
                (!postmortems.is_empty() || !actions.is_empty()).then(|| view! {
                    <section class="panel" aria-labelledby="waiting-h" id="waiting-on-you">
                        <h2 id="waiting-h">"Postmortems waiting on you"</h2>
                        <ul class="plain-list">
                            {postmortems.into_iter().map(|p| view! {
                                <li>
                                    <a href=format!("/postmortems/{}", p.id)>{format!("INC-{} {}", p.incident, p.incident_title)}</a>
                                    {format!(" · {}{}", p.status.label().to_lowercase(), if p.overdue { " · overdue" } else { "" })}
                                </li>
                            }).collect_view()}
                            {actions.into_iter().map(|a| view! {
                                <li>
                                    <strong class="badge overdue-badge">"overdue"</strong>" "
                                    <a href=format!("/postmortems/{}", a.postmortem_id)>{a.title}</a>
                                    {format!(" · due {} · INC-{}", a.due_on, a.incident)}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}
