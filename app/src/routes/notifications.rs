//! `/settings/notifications`: how I am reached (email, webhook, Slack-compatible webhook), when
//! each is used after a page, and a test button per method.

use domain::notification::ContactKind;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::contact::{
        AddContactMethod, AddNotificationRule, RemoveContactMethod, RemoveNotificationRule, SendTestPage,
        my_notifications,
    },
    components::errors::ActionError,
    error::AppError,
};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let add = ServerAction::<AddContactMethod>::new();
    let remove = ServerAction::<RemoveContactMethod>::new();
    let test = ServerAction::<SendTestPage>::new();
    let add_rule = ServerAction::<AddNotificationRule>::new();
    let remove_rule = ServerAction::<RemoveNotificationRule>::new();
    let data = Resource::new(
        move || {
            (
                add.version().get(),
                remove.version().get(),
                add_rule.version().get(),
                remove_rule.version().get(),
            )
        },
        |_| my_notifications(),
    );
    view! {
        <Title text="Notifications"/>
        <h1>"Notifications"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let d = data.await?;
                let methods = d.methods.clone();
                Ok::<_, AppError>(view! {
                    <section class="panel" aria-labelledby="methods-h">
                        <h2 id="methods-h">"Contact methods"</h2>
                        {if d.methods.is_empty() {
                            view! { <p class="muted">"None yet: a page to you reaches no one until you add one."</p> }.into_any()
                        } else {
                            view! {
                                <table class="table" id="contact-methods">
                                    <thead><tr><th scope="col">"Label"</th><th scope="col">"Kind"</th><th scope="col">"Address"</th><th scope="col"></th></tr></thead>
                                    <tbody>
                                        {d.methods.into_iter().map(|m| view! {
                                            <tr>
                                                <td>{m.label.clone()}</td>
                                                <td>{m.kind.as_str()}</td>
                                                <td><code>{m.address.clone()}</code>
                                                    {m.secret.clone().map(|s| view! { <div class="small muted">"Signing secret: "<code class="secret">{s}</code></div> })}
                                                </td>
                                                <td class="actions">
                                                    <button type="button" class="button small" on:click=move |_| { test.dispatch(SendTestPage { id: m.id }); }>{format!("Send a test to {}", m.label)}</button>
                                                    <button type="button" class="button small danger" on:click=move |_| { remove.dispatch(RemoveContactMethod { id: m.id }); }>"Remove"</button>
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                        {move || matches!(test.value().get(), Some(Ok(()))).then(|| view! { <p class="form-ok" role="status">"Test queued: it goes out within seconds."</p> })}
                        <ActionForm action=add attr:class="stacked-form">
                            <h3>"Add a contact method"</h3>
                            <label for="cm-kind">"Kind"</label>
                            <select id="cm-kind" name="input[kind]">
                                {ContactKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{match k {
                                    ContactKind::Email => "Email",
                                    ContactKind::Webhook => "Webhook (signed JSON)",
                                    ContactKind::Slack => "Slack, Mattermost or Rocket.Chat incoming webhook",
                                }}</option> }).collect_view()}
                            </select>
                            <label for="cm-label">"Label"</label>
                            <input id="cm-label" name="input[label]" required maxlength="100" placeholder="Work phone bridge"/>
                            <label for="cm-address">"Address (email or URL)"</label>
                            <input id="cm-address" name="input[address]" required/>
                            <button type="submit" class="button primary">"Add"</button>
                        </ActionForm>
                        <ActionError value=move || add.value().get()/>
                        <ActionError value=move || test.value().get()/>
                    </section>
                    <section class="panel" aria-labelledby="rules-h">
                        <h2 id="rules-h">"When a page reaches you"</h2>
                        <p class="muted">"Without rules, every contact method is used at once. With rules, each says which method and how many minutes after the page."</p>
                        <ul id="rules">
                            {d.rules.into_iter().map(|r| {
                                let label = methods.iter().find(|m| m.id == r.contact_method_id).map(|m| m.label.clone()).unwrap_or_default();
                                view! {
                                    <li>{if r.delay_secs == 0 { format!("{label}: at once") } else { format!("{label}: after {} min", r.delay_secs / 60) }}
                                        <button type="button" class="button small danger" on:click=move |_| { remove_rule.dispatch(RemoveNotificationRule { id: r.id }); }>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <ActionForm action=add_rule attr:class="inline-form">
                            <label for="rule-method">"Use"</label>
                            <select id="rule-method" name="input[contact_method_id]">
                                {methods.iter().map(|m| view! { <option value=m.id.to_string()>{m.label.clone()}</option> }).collect_view()}
                            </select>
                            <label for="rule-delay">"after (minutes)"</label>
                            <input id="rule-delay" name="input[delay_minutes]" type="number" min="0" max="1440" value="0"/>
                            <button type="submit" class="button">"Add rule"</button>
                        </ActionForm>
                        <ActionError value=move || add_rule.value().get()/>
                    </section>
                })
            })}
        </Transition>
    }
}
