//! How errors look, and the HTTP status they give a server-rendered page.

use leptos::prelude::*;

use crate::error::AppError;

/// Catches the errors of the page inside it. During server rendering it also sets the response
/// status from the first error, so a refused page is a 403 and not a 200 with an error in it.
#[component]
pub fn PageErrors(children: Children) -> impl IntoView {
    view! {
        <ErrorBoundary fallback=|errors| {
            #[cfg(feature = "ssr")]
            {
                let status = errors
                    .get_untracked()
                    .into_iter()
                    .find_map(|(_, e)| e.downcast_ref::<AppError>().map(AppError::status))
                    .unwrap_or(500);
                if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                    opts.set_status(
                        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                    );
                }
            }
            view! {
                <section class="panel error-panel" role="alert">
                    <h1>"This page could not be shown"</h1>
                    <ul>
                        {move || {
                            errors
                                .get()
                                .into_iter()
                                .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                                .collect_view()
                        }}
                    </ul>
                    <p><a href="/">"Back to the dashboard"</a></p>
                </section>
            }
        }>{children()}</ErrorBoundary>
    }
}

/// The message of a failed action, next to the form that caused it.
#[component]
pub fn ActionError<T, F>(value: F) -> impl IntoView
where
    T: Send + Sync + 'static,
    F: Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
{
    move || match value() {
        Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
        _ => None,
    }
}
