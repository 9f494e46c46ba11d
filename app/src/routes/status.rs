//! `/status`: the public status page, readable without logging in.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StatusPage() -> impl IntoView {
    view! {
        <Title text="Status"/>
        <main class="content narrow">
            <h1>"System status"</h1>
            <section class="panel">
                <p class="planned-note">
                    "Not built yet: component health, current incidents, maintenance and 90-day uptime will be published here."
                </p>
            </section>
        </main>
    }
}
