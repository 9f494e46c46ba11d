//! The signed acknowledge link a page carries: a one-button HTML page, usable without signing in.

use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use backend::services;
use domain::incident::IncidentId;

use crate::{AppState, http::error::ApiError, http::path::Path};

fn ack_page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} · Tocsin</title><link rel=\"stylesheet\" href=\"/pkg/tocsin.css\"></head>\
         <body><main class=\"ack-page\"><h1>{title}</h1>{body}</main></body></html>"
    );
    // The app's stylesheet and a form posting back here; nothing else.
    let csp =
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    ([(axum::http::header::CONTENT_SECURITY_POLICY, csp)], Html(html)).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /ack/{token}`: the page behind the link in a page. Acknowledging is a POST (one click on
/// this page), so a link preview or a mail scanner fetching the URL acknowledges nothing.
pub async fn ack_link(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some((incident, _)) = state.ctx.keys.verify_action("ack", &token, state.ctx.now()) else {
        return (
            StatusCode::NOT_FOUND,
            ack_page(
                "Link expired",
                "<p>This acknowledge link is not valid any more. Open Tocsin to acknowledge.</p>",
            ),
        )
            .into_response();
    };
    let Ok(Some(brief)) =
        backend::services::paging::incident_brief(&state.ctx.pool, IncidentId(incident)).await
    else {
        return (StatusCode::NOT_FOUND, ack_page("Not found", "<p>This incident no longer exists.</p>"))
            .into_response();
    };
    let title = format!("INC-{} {}", brief.number, escape(&brief.title));
    let body = format!(
        "<p>Status: <strong>{}</strong></p><form method=\"post\"><button type=\"submit\" class=\"button primary\">Acknowledge INC-{}</button></form>",
        brief.status, brief.number
    );
    ack_page(&title, &body)
}

/// `POST /ack/{token}`: acknowledges as the person the link was sent to.
pub async fn ack_submit(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some((incident, user)) = state.ctx.keys.verify_action("ack", &token, state.ctx.now()) else {
        return (
            StatusCode::NOT_FOUND,
            ack_page("Link expired", "<p>This acknowledge link is not valid any more.</p>"),
        )
            .into_response();
    };
    match services::incidents::acknowledge_by_link(
        &state.ctx.pool,
        IncidentId(incident),
        user,
        state.ctx.now(),
    )
    .await
    {
        Ok(number) => ack_page(
            "Acknowledged",
            &format!(
                "<p>You acknowledged {number}. Escalation has stopped.</p><p><a href=\"/incidents/{}\">Open the incident</a></p>",
                number.0
            ),
        ),
        Err(backend::Error::Conflict(m)) => {
            (StatusCode::CONFLICT, ack_page("Not acknowledged", &format!("<p>{}</p>", escape(&m))))
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
