//! `/settings/tokens`: the caller's API tokens. A new token is shown once, then only its prefix.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::tokens::{CreateMyToken, RevokeMyToken, list_my_tokens},
    components::errors::ActionError,
};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateMyToken>::new();
    let revoke = ServerAction::<RevokeMyToken>::new();
    let tokens =
        Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_my_tokens());

    view! {
        <Title text="API tokens"/>
        <h1>"API tokens"</h1>
        <p class="muted">
            "Tokens act as you on the REST API under /api/v1: send one as "
            <code>"Authorization: Bearer <token>"</code>"."
        </p>
        <section class="panel" aria-labelledby="new-token">
            <h2 id="new-token">"Create a token"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label for="token-label">"Label"</label>
                <input id="token-label" name="label" required maxlength="100" placeholder="e.g. deploy script"/>
                <label for="token-expires">"Expires"</label>
                <select id="token-expires" name="expires_in_days">
                    <option value="">"never (until revoked)"</option>
                    <option value="7">"in 7 days"</option>
                    <option value="30">"in 30 days"</option>
                    <option value="90" selected>"in 90 days"</option>
                    <option value="365">"in a year"</option>
                </select>
                <button type="submit" class="button primary">"Create token"</button>
            </ActionForm>
            {move || match create.value().get() {
                Some(Ok(created)) => Some(view! {
                    <div class="token-once" role="status">
                        <p>"Copy this token now. It will not be shown again."</p>
                        <code id="new-token-value" class="token-value">{created.token}</code>
                    </div>
                }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
        </section>
        <ActionError value=move || revoke.value().get()/>
        <Transition fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                tokens.await.map(|list| {
                    if list.is_empty() {
                        return view! { <p class="muted">"You have no API tokens."</p> }.into_any();
                    }
                    view! {
                        <table class="table" id="tokens-table">
                            <caption class="visually-hidden">"Your API tokens"</caption>
                            <thead><tr><th scope="col">"Label"</th><th scope="col">"Token"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Expires"</th><th scope="col">"State"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let revoked = t.revoked_at.is_some();
                                    view! {
                                        <tr class:disabled=revoked>
                                            <td>{t.label.clone()}</td>
                                            <td><code>{format!("{}…", t.prefix)}</code></td>
                                            <td>{when(t.created_at)}</td>
                                            <td>{t.last_used_at.map(when).unwrap_or_else(|| "never".into())}</td>
                                            <td>{t.expires_at.map(when).unwrap_or_else(|| "never".into())}</td>
                                            <td>
                                                {if revoked {
                                                    view! { <span class="badge">"revoked"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=revoke attr:class="inline-form">
                                                            <input type="hidden" name="id" value=t.id.to_string()/>
                                                            <button type="submit" class="button small danger">
                                                                {format!("Revoke {}", t.label)}
                                                            </button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                })
            })}
        </Transition>
    }
}
