//! `/login`: a plain HTML form posted to the server, so it works with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Only same-site paths may be a `next`, so the login form cannot send anyone elsewhere. Browsers
/// drop tabs and newlines from URLs and read `\` as `/`, so `/\t/evil.example` would become
/// `//evil.example`: any control character or backslash disqualifies a `next`.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.chars().any(|c| c.is_control() || c == '\\')
    })
    .unwrap_or_else(|| "/".to_owned())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    let message = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "expired" => "Your session ended. Please log in again.",
            _ => "That email and password do not match an active account.",
        })
    };
    view! {
        <Title text="Log in"/>
        <main class="login-page">
            <form method="post" action="/auth/login" class="panel login-form" aria-describedby="login-error">
                <h1>
                    <span class="brand-mark" aria-hidden="true">"◉"</span>
                    " Tocsin"
                </h1>
                {move || message().map(|m| view! { <p id="login-error" class="form-error" role="alert">{m}</p> })}
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <input type="hidden" name="next" prop:value=next value=next/>
                <button type="submit" class="button primary">"Log in"</button>
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/incidents?x=1".into())), "/incidents?x=1");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\t/evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\n/evil.example".into())), "/");
        assert_eq!(safe_next(Some("/a\\b".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
