//! `/services`: the service catalogue, with the team that owns each service.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::catalogue::list_services;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let services = Resource::new(|| (), |_| list_services());
    view! {
        <Title text="Services"/>
        <h1>"Services"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading services…"</p> }>
            {move || Suspend::new(async move {
                services.await.map(|list| view! {
                    <table class="table">
                        <caption class="visually-hidden">"Services and their owners"</caption>
                        <thead><tr><th scope="col">"Service"</th><th scope="col">"Owner"</th><th scope="col">"Description"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|s| view! {
                                <tr>
                                    <td><strong>{s.name}</strong><br/><code class="muted">{s.slug}</code></td>
                                    <td>{s.team_name}</td>
                                    <td>{s.description}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            })}
        </Suspense>
    }
}
