//! The frame of every signed-in page: the navigation for every surface, the user menu, and the
//! error boundary around the page.

use domain::{Me, Role};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::{
    api::me::current_user,
    components::{errors::PageErrors, user_menu::UserMenu},
    error::AppError,
};

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
    ("/admin/audit", "Audit log"),
];

/// The signed-in user, loaded once by the layout and shared with the pages inside it.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<Me>, AppError>>);

#[component]
pub fn AppLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    provide_context(CurrentUser(me));
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
            <Transition fallback=|| view! { <span class="user-menu-placeholder"></span> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => {
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
                        _ => view! { <a class="button" href="/login">"Log in"</a> }.into_any(),
                    }
                })}
            </Transition>
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
    let me = expect_context::<CurrentUser>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let admin = matches!(me.await, Ok(Some(m)) if m.role.includes(Role::Admin));
                if admin {
                    view! {
                        <nav aria-label="Admin sections" class="tabs">
                            <ul>
                                {ADMIN_NAV.iter().map(|(href, label)| view! { <li><A href=*href>{*label}</A></li> }).collect_view()}
                            </ul>
                        </nav>
                        <Outlet/>
                    }
                    .into_any()
                } else {
                    #[cfg(feature = "ssr")]
                    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                        opts.set_status(http::StatusCode::FORBIDDEN);
                    }
                    view! {
                        <section class="panel error-panel" role="alert">
                            <h1>"This page could not be shown"</h1>
                            <p>"You do not have permission to do this: the admin area is for admins."</p>
                        </section>
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}
