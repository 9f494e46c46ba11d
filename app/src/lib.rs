//! Tocsin's web app: the HTML shell, the route table and the pages. Rendered on the server and
//! hydrated in the browser; the same components run in both, so nothing here may do I/O except
//! through server functions (`api/`).

pub mod api;
#[cfg(feature = "ssr")]
mod charts;
pub mod components;
pub mod error;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;

use domain::Role;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    components::layout::{AdminLayout, AppLayout, RequireRole},
    routes::{
        account::AccountPage,
        admin_postmortems::AdminPostmortemsPage,
        admin_status::AdminStatusPage,
        admin_teams::AdminTeamsPage,
        admin_users::AdminUsersPage,
        analytics::AnalyticsPage,
        audit::AuditPage,
        dashboard::DashboardPage,
        deliveries::DeliveriesPage,
        escalation::{PoliciesPage, PolicyEditorPage},
        incident::IncidentPage,
        incidents::{IncidentsPage, NewIncidentPage},
        login::LoginPage,
        not_found::NotFound,
        notifications::NotificationsPage,
        postmortems::{PostmortemActionsPage, PostmortemPage, PostmortemQueuePage},
        retro::RetroPage,
        schedule_editor::ScheduleEditorPage,
        schedules::{OnCallPage, SchedulePage, SchedulesPage},
        service::ServicePage,
        services::ServicesPage,
        status::{StatusHistoryPage, StatusIncidentPage, StatusPage},
        tokens::TokensPage,
    },
};

/// The document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Pages get a CSP whose scripts must carry this response's nonce: the hydration script does, an
/// injected one would not.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use leptos::nonce::use_nonce;
    let (Some(nonce), Some(opts)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the page once the wasm has taken over, so tests (and people debugging) can tell.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/tocsin.css"/>
        <Title formatter=|title: String| if title.is_empty() { "Tocsin".to_owned() } else { format!("{title} · Tocsin") }/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view=LoginPage/>
                // Whole on the server: customers read it with JavaScript off, and feed readers and
                // crawlers get the content, not a loading line.
                <Route path=path!("/status") view=StatusPage ssr=SsrMode::Async/>
                <Route path=path!("/status/history") view=StatusHistoryPage ssr=SsrMode::Async/>
                <Route path=path!("/status/history/:page") view=StatusHistoryPage ssr=SsrMode::Async/>
                <Route path=path!("/status/incidents/:id") view=StatusIncidentPage ssr=SsrMode::Async/>
                // Async: signed-in pages are sent whole, once their data is loaded, so the user menu and
                // the data are in the HTML even with JavaScript off, and an error can still set the
                // status code.
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                    <Route path=path!("/") view=DashboardPage/>
                    <Route path=path!("/incidents") view=IncidentsPage/>
                    <Route path=path!("/incidents/new") view=|| view! { <RequireRole role=Role::Responder why="declaring incidents is for responders"><NewIncidentPage/></RequireRole> }/>
                    <Route path=path!("/incidents/:number") view=IncidentPage/>
                    <Route path=path!("/oncall") view=OnCallPage/>
                    <Route path=path!("/schedules") view=SchedulesPage/>
                    <Route path=path!("/schedules/new") view=|| view! { <RequireRole role=Role::Admin why="schedules are edited by admins"><ScheduleEditorPage/></RequireRole> }/>
                    <Route path=path!("/schedules/:id") view=SchedulePage/>
                    <Route path=path!("/schedules/:id/edit") view=|| view! { <RequireRole role=Role::Admin why="schedules are edited by admins"><ScheduleEditorPage/></RequireRole> }/>
                    <Route path=path!("/escalation-policies") view=PoliciesPage/>
                    <Route path=path!("/escalation-policies/new") view=|| view! { <RequireRole role=Role::Admin why="escalation policies are edited by admins"><PolicyEditorPage/></RequireRole> }/>
                    <Route path=path!("/escalation-policies/:id/edit") view=|| view! { <RequireRole role=Role::Admin why="escalation policies are edited by admins"><PolicyEditorPage/></RequireRole> }/>
                    <Route path=path!("/services") view=ServicesPage/>
                    <Route path=path!("/services/:slug") view=ServicePage/>
                    <Route path=path!("/postmortems") view=PostmortemQueuePage/>
                    <Route path=path!("/postmortems/actions") view=PostmortemActionsPage/>
                    <Route path=path!("/postmortems/:id") view=PostmortemPage/>
                    <Route path=path!("/retro") view=RetroPage/>
                    <Route path=path!("/analytics") view=AnalyticsPage/>
                    <ParentRoute path=path!("/admin") view=AdminLayout>
                        <Route path=path!("") view=AdminUsersPage/>
                        <Route path=path!("/users") view=AdminUsersPage/>
                        <Route path=path!("/teams") view=AdminTeamsPage/>
                        <Route path=path!("/audit") view=AuditPage/>
                        <Route path=path!("/integrations") view=ServicesPage/>
                        <Route path=path!("/deliveries") view=DeliveriesPage/>
                        <Route path=path!("/status-page") view=AdminStatusPage/>
                        <Route path=path!("/postmortem-templates") view=AdminPostmortemsPage/>
                    </ParentRoute>
                    <Route path=path!("/settings/account") view=AccountPage/>
                    <Route path=path!("/settings/tokens") view=TokensPage/>
                    <Route path=path!("/settings/notifications") view=NotificationsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
