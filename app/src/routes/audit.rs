//! `/admin/audit`: who changed what, newest first. Admins only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::audit::list_audit;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || query.read().get("before").and_then(|b| b.parse::<i64>().ok());
    let page = Resource::new(before, list_audit);
    view! {
        <Title text="Audit log"/>
        <h1>"Audit log"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                page.await.map(|page| view! {
                    <table class="table" id="audit-table">
                        <caption class="visually-hidden">"Changes, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When (UTC)"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"What"</th>
                                <th scope="col">"Change"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.entries.into_iter().map(|e| view! {
                                <tr>
                                    <td><time datetime=e.at.to_rfc3339()>{e.at.format("%Y-%m-%d %H:%M:%S").to_string()}</time></td>
                                    <td>{e.actor}</td>
                                    <td><code>{e.action}</code></td>
                                    <td>{e.entity_type}" "<code class="muted">{e.entity_id}</code></td>
                                    <td class="audit-change">
                                        {e.before.map(|b| view! { <div><span class="muted">"before "</span><code>{b}</code></div> })}
                                        {e.after.map(|a| view! { <div><span class="muted">"after "</span><code>{a}</code></div> })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {page.next_before.map(|id| view! {
                        <p><a class="button" href=format!("/admin/audit?before={id}")>"Older entries"</a></p>
                    })}
                })
            })}
        </Transition>
    }
}
