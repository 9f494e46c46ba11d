//! `/services`: the service catalogue, with the team that owns each service. Admins add services.

use domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        catalog::{CreateService, list_services},
        teams::list_teams,
    },
    components::layout::CurrentUser,
};

#[component]
pub fn ServicesPage() -> impl IntoView {
    let create = ServerAction::<CreateService>::new();
    let services = Resource::new(move || create.version().get(), |_| list_services());
    let admin = CurrentUser::has_role(Role::Admin);
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Title text="Services"/>
        <h1>"Services"</h1>
        <p class="muted">"Each service's page lists its alerts and how they become incidents; admins create integration keys there."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading services…"</p> }>
            {move || Suspend::new(async move {
                services.await.map(|list| view! {
                    <table class="table" id="services-table">
                        <caption class="visually-hidden">"Services and their owners"</caption>
                        <thead><tr><th scope="col">"Service"</th><th scope="col">"Owner"</th><th scope="col">"Description"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|s| view! {
                                <tr>
                                    <td><a href=format!("/services/{}", s.slug)><strong>{s.name}</strong></a><br/><code class="muted">{s.slug}</code></td>
                                    <td>{s.team_name}</td>
                                    <td>{s.description}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            })}
        </Transition>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let teams = teams.await.unwrap_or_default();
                admin.then(|| view! {
                    <section class="panel" aria-labelledby="new-service">
                        <h2 id="new-service">"Add a service"</h2>
                        <ActionForm action=create attr:class="stacked-form">
                            <label for="service-name">"Name" <span class="required" aria-hidden="true">"*"</span></label>
                            <input id="service-name" name="input[name]" required maxlength="100"/>
                            <label for="service-team">"Owning team" <span class="required" aria-hidden="true">"*"</span></label>
                            <select id="service-team" name="input[team]" required>
                                {teams.into_iter().map(|t| view! { <option value=t.slug>{t.name}</option> }).collect_view()}
                            </select>
                            <label for="service-description">"Description"</label>
                            <input id="service-description" name="input[description]" maxlength="2000"/>
                            <button type="submit" class="button primary">"Add service"</button>
                        </ActionForm>
                        {move || match create.value().get() {
                            Some(Ok(s)) => Some(view! { <p class="form-ok" role="status">{format!("Added {} ({}).", s.name, s.slug)}</p> }.into_any()),
                            Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                            None => None,
                        }}
                    </section>
                })
            })}
        </Suspense>
    }
}
