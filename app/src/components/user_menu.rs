//! The current user's menu: who you are, your tokens, log out.

use domain::Me;
use leptos::{ev, prelude::*};

#[component]
pub fn UserMenu(me: Me) -> impl IntoView {
    let open = RwSignal::new(false);
    let initials: String = me
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    let close_on_escape = move |e: ev::KeyboardEvent| {
        if e.key() == "Escape" {
            open.set(false);
        }
    };
    view! {
        <div class="user-menu" on:keydown=close_on_escape>
            <button
                type="button"
                class="user-menu-button"
                aria-haspopup="true"
                aria-controls="user-menu-panel"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initials}</span>
                <span class="user-name">{me.name.clone()}</span>
            </button>
            <div id="user-menu-panel" class="user-menu-panel" hidden=move || !open.get()>
                <p class="user-menu-who">
                    <strong>{me.name.clone()}</strong>
                    <br/>
                    <span class="muted">{me.email.clone()}</span>
                    <br/>
                    <span class="badge">{me.role.to_string()}</span>
                    " "
                    <span class="muted">{me.time_zone.clone()}</span>
                </p>
                <a href="/settings/account">"Account"</a>
                <a href="/settings/tokens">"API tokens"</a>
                <a href="/settings/notifications">"Notifications"</a>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="link-button">"Log out"</button>
                </form>
            </div>
        </div>
    }
}
