//! `/`: the responder dashboard. The live incident list arrives with the incidents work; until then
//! it says so plainly and points to what exists.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <section class="panel" aria-labelledby="live-incidents">
            <h2 id="live-incidents">"Live incidents"</h2>
            <p class="planned-note">
                "Not built yet: open incidents will appear here live, newest and most severe first, once incident management lands."
            </p>
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
