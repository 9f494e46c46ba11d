//! A surface whose work is not done yet says so plainly, rather than pretending.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Planned(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <section class="panel">
            <p class="planned-note">"Not built yet. " {what}</p>
        </section>
    }
}
