use leptos::prelude::*;
use leptos_meta::Title;

/// The page for any unknown address; answers 404 when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="content narrow">
            <section class="panel">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
                <p><a href="/">"Go to the dashboard"</a></p>
            </section>
        </main>
    }
}
