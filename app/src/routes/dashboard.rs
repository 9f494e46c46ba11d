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
    }
}
