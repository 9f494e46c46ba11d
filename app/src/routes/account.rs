//! `/settings/account`: who the caller is, and changing their own password (which ends their
//! other sessions: the way to shut out whoever learnt the old one).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::users::{ChangeMyPassword, SetMyTimeZone},
    components::layout::CurrentUser,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangeMyPassword>::new();
    let zone = ServerAction::<SetMyTimeZone>::new();
    let current = CurrentUser::get().map(|m| m.time_zone).unwrap_or_default();
    view! {
        <Title text="Account"/>
        <h1>"Account"</h1>
        <section class="panel" aria-labelledby="my-zone">
            <h2 id="my-zone">"Time zone"</h2>
            <p class="muted">"Your working and sleep hours, pages held for the morning and due dates are counted in it."</p>
            <ActionForm action=zone attr:class="inline-form">
                <label for="time-zone">"IANA time zone"</label>
                <input id="time-zone" name="time_zone" value=current required placeholder="Europe/London"/>
                <button type="submit" class="button">"Save time zone"</button>
            </ActionForm>
            {move || match zone.value().get() {
                Some(Ok(u)) => Some(view! { <p class="form-ok" role="status">{format!("Saved: {}.", u.time_zone)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
        </section>
        <section class="panel" aria-labelledby="change-password">
            <h2 id="change-password">"Change password"</h2>
            <p class="muted">"Changing your password signs you out everywhere else: other browsers, other devices."</p>
            <ActionForm action=change attr:class="stacked-form">
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current_password" type="password" required autocomplete="current-password"/>
                <label for="new-password">"New password"</label>
                <input id="new-password" name="new_password" type="password" required minlength="12" autocomplete="new-password"/>
                <p class="muted">"At least 12 characters."</p>
                <button type="submit" class="button primary">"Change password"</button>
            </ActionForm>
            {move || match change.value().get() {
                Some(Ok(())) => Some(view! {
                    <p class="form-ok" role="status">"Password changed. Your other sessions have ended."</p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
}
