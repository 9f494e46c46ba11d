//! `/admin/users`: list, create and disable users, change roles. Admins only; every change goes
//! through a server fn that checks the role again and writes the audit log.

use domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::users::{CreateUser, SetUserDisabled, SetUserRole, list_users},
    components::errors::ActionError,
};

const TIME_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Europe/Berlin",
];

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let users = Resource::new(
        move || (create.version().get(), set_role.version().get(), set_disabled.version().get()),
        |_| list_users(),
    );

    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                users.await.map(|list| view! {
                    <table class="table" id="users-table">
                        <caption class="visually-hidden">"Users"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Time zone"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Status"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|u| {
                                let id = u.id.to_string();
                                let id_for_disable = id.clone();
                                let role_field = format!("role-{id}");
                                let role_label = format!("Role of {}", u.name);
                                let current = u.role;
                                view! {
                                    <tr class:disabled=u.disabled>
                                        <td>{u.name.clone()}</td>
                                        <td>{u.email.clone()}</td>
                                        <td>{u.time_zone.clone()}</td>
                                        <td>
                                            <ActionForm action=set_role attr:class="inline-form">
                                                <input type="hidden" name="id" value=id.clone()/>
                                                <label class="visually-hidden" for=role_field.clone()>{role_label.clone()}</label>
                                                <select id=role_field.clone() name="role">
                                                    {Role::ALL.into_iter().map(|r| view! {
                                                        <option value=r.as_str() selected=r == current>{r.as_str()}</option>
                                                    }).collect_view()}
                                                </select>
                                                <button type="submit" class="button small">"Save"</button>
                                            </ActionForm>
                                        </td>
                                        <td>
                                            <ActionForm action=set_disabled attr:class="inline-form">
                                                <input type="hidden" name="id" value=id_for_disable.clone()/>
                                                <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                                                <span class="badge">{if u.disabled { "disabled" } else { "active" }}</span>
                                                <button type="submit" class="button small">
                                                    {if u.disabled { "Enable" } else { "Disable" }}
                                                </button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            })}
        </Transition>
        <ActionError value=move || set_role.value().get()/>
        <ActionError value=move || set_disabled.value().get()/>

        <section class="panel" aria-labelledby="new-user">
            <h2 id="new-user">"Add a user"</h2>
            <ActionForm action=create attr:class="stacked-form">
                <label for="new-email">"Email" <span class="required" aria-hidden="true">"*"</span></label>
                <input id="new-email" name="input[email]" type="email" required/>
                <label for="new-name">"Name" <span class="required" aria-hidden="true">"*"</span></label>
                <input id="new-name" name="input[name]" required maxlength="100"/>
                <label for="new-role">"Role"</label>
                <select id="new-role" name="input[role]">
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=r == Role::Responder>{format!("{} — {}", r.as_str(), r.describe())}</option>
                    }).collect_view()}
                </select>
                <label for="new-tz">"Time zone"</label>
                <input id="new-tz" name="input[time_zone]" list="time-zones" value="UTC"/>
                <datalist id="time-zones">
                    {TIME_ZONES.iter().map(|tz| view! { <option value=*tz></option> }).collect_view()}
                </datalist>
                <label for="new-password">"Initial password" <span class="required" aria-hidden="true">"*"</span></label>
                <input id="new-password" name="input[password]" type="password" required minlength="12" autocomplete="new-password"/>
                <p class="hint">"At least 12 characters. Share it privately; they can change it later."</p>
                <button type="submit" class="button primary">"Add user"</button>
            </ActionForm>
            {move || match create.value().get() {
                Some(Ok(u)) => Some(view! { <p class="form-ok" role="status">{format!("Added {} as {}.", u.email, u.role)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
}
