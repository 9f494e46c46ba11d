//! The frame of every signed-in page: the navigation for every surface, the user menu, and the
//! error boundary around the page.

use domain::{Me, Role};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::components::{errors::PageErrors, user_menu::UserMenu};

const NAV: &[(&str, &str)] = &[
    ("/", "Dashboard"),
    ("/incidents", "Incidents"),
    ("/oncall", "On call"),
    ("/schedules", "Schedules"),
    ("/escalation-policies", "Escalation"),
    ("/services", "Services"),
    ("/postmortems", "Postmortems"),
    ("/retro", "Retro"),
    ("/analytics", "Analytics"),
];

const ADMIN_NAV: &[(&str, &str)] = &[
    ("/admin/users", "Users"),
    ("/admin/teams", "Teams"),
    ("/admin/integrations", "Integrations"),
    ("/admin/deliveries", "Deliveries"),
    ("/admin/status-page", "Status page"),
    ("/admin/postmortem-templates", "Postmortems"),
    ("/admin/audit", "Audit log"),
];

/// The signed-in user, known synchronously to every page inside the layout. The server reads it
/// from the request's session and the value travels to the browser inside the page, so nothing
/// waits on it and no Suspense wraps the pages (a boundary around the `<Outlet/>`, or one
/// resource awaited by two boundaries, intermittently leaves SSR responses unfinished:
/// leptos-rs/leptos#4851, #4866).
#[derive(Clone)]
pub struct CurrentUser(pub Option<Me>);

impl CurrentUser {
    /// The current user from the layout; `None` outside it or when signed out.
    pub fn get() -> Option<Me> {
        use_context::<StoredValue<CurrentUser>>().and_then(|u| u.get_value().0)
    }

    pub fn has_role(role: Role) -> bool {
        Self::get().is_some_and(|m| m.role.includes(role))
    }
}

#[component]
pub fn AppLayout() -> impl IntoView {
    let user: Option<Me> = leptos::server::SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            crate::ssr::principal().map(|p| p.me())
        }
        // Only reached when the layout is built in the browser without hydrating, which the
        // app never does; the server's answer is what counts.
        #[cfg(not(feature = "ssr"))]
        {
            None
        }
    })
    .into_inner();
    provide_context(StoredValue::new(CurrentUser(user.clone())));
    crate::components::live::provide_live_feed();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◉"</span>
                "Tocsin"
            </a>
            <nav aria-label="Main" class="mainnav">
                <ul>
                    {NAV
                        .iter()
                        .map(|(href, label)| view! { <li><A href=*href exact=true>{*label}</A></li> })
                        .collect_view()}
                    <li><a href="/status">"Status page"</a></li>
                </ul>
            </nav>
            {match user {
                Some(me) => {
                    let admin = me.role.includes(Role::Admin);
                    view! {
                        {admin.then(|| view! {
                            <nav aria-label="Admin" class="adminnav">
                                <A href="/admin">"Admin"</A>
                            </nav>
                        })}
                        <UserMenu me/>
                    }
                        .into_any()
                }
                None => view! { <a class="button" href="/login">"Log in"</a> }.into_any(),
            }}
        </header>
        <main id="main" class="content">
            <PageErrors>
                <Outlet/>
            </PageErrors>
        </main>
    }
}

/// The frame of the admin pages: a tab for each admin area, shown only to admins. Others get a
/// refusal (403 when rendered on the server); the server fns behind each page check again.
#[component]
pub fn AdminLayout() -> impl IntoView {
    view! {
        <RequireRole role=Role::Admin why="the admin area is for admins">
            <nav aria-label="Admin sections" class="tabs">
                <ul>
                    {ADMIN_NAV.iter().map(|(href, label)| view! { <li><A href=*href>{*label}</A></li> }).collect_view()}
                </ul>
            </nav>
            <Outlet/>
        </RequireRole>
    }
}

/// A page for one role and those above it: anyone else gets a refusal saying `why` (a 403 when
/// rendered on the server) instead of a form that would fail when sent. The server fns behind the
/// page decide again; this spares people the attempt.
#[component]
pub fn RequireRole(role: Role, why: &'static str, children: Children) -> impl IntoView {
    if CurrentUser::has_role(role) {
        children().into_any()
    } else {
        #[cfg(feature = "ssr")]
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(http::StatusCode::FORBIDDEN);
        }
        view! {
            <section class="panel error-panel" role="alert">
                <h1>"This page could not be shown"</h1>
                <p>"You do not have permission to do this: " {why} "."</p>
            </section>
        }
        .into_any()
    }
}
