//! The frame of every signed-in page: the navigation for every surface, the user menu, and the
//! error boundary around the page.

use domain::Role;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::{
    api::me::{current_user, require_admin},
    components::{errors::PageErrors, user_menu::UserMenu},
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

#[component]
pub fn AppLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
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
                                        <A href="/admin/users">"Admin"</A>
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

/// The frame of the admin pages: a tab for each admin area, shown only to admins (others get the
/// error page, with 403 when rendered on the server).
#[component]
pub fn AdminLayout() -> impl IntoView {
    let allowed = Resource::new(|| (), |_| require_admin());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                allowed.await.map(|()| view! {
                    <nav aria-label="Admin sections" class="tabs">
                        <ul>
                            {ADMIN_NAV.iter().map(|(href, label)| view! { <li><A href=*href>{*label}</A></li> }).collect_view()}
                        </ul>
                    </nav>
                    <Outlet/>
                })
            })}
        </Suspense>
    }
}
