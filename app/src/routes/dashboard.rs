//! `/`: the responder dashboard: incidents, open ones first. Live updates are not built yet, and
//! the page says so.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::routes::incidents::IncidentList;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <section class="panel" aria-labelledby="live-incidents">
            <div class="page-head">
                <h2 id="live-incidents">"Incidents"</h2>
                <a class="button primary" href="/incidents/new">"Declare an incident"</a>
            </div>
            <IncidentList/>
            <p class="planned-note">"Not built yet: live updates. Reload the page to see changes made elsewhere."</p>
        </section>
        <section class="panel" aria-labelledby="get-started">
            <h2 id="get-started">"What you can do today"</h2>
            <ul class="plain-list">
                <li><a href="/services">"Browse the service catalogue"</a>" and see who owns what."</li>
                <li><a href="/settings/tokens">"Create an API token"</a>" to automate against the REST API."</li>
                <li><a href="/admin/users">"Manage users and roles"</a>" (admins)."</li>
            </ul>
        </section>
    }
}
