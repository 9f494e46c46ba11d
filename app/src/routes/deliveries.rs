//! `/admin/deliveries`: every message handed to a channel, its status and its last error, so a
//! failing webhook or mail server shows before someone misses a page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::contact::{delivery_log, subscriber_message_log},
    error::AppError,
    routes::incidents::when,
};

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let log = Resource::new(|| (), |_| delivery_log());
    let subscribers = Resource::new(|| (), |_| subscriber_message_log());
    view! {
        <Title text="Deliveries"/>
        <h1>"Deliveries"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let rows = log.await?;
                Ok::<_, AppError>(if rows.is_empty() {
                    view! { <p class="muted">"Nothing has been sent yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="table deliveries" id="delivery-log">
                            <thead><tr>
                                <th scope="col">"Incident"</th><th scope="col">"To"</th><th scope="col">"By"</th>
                                <th scope="col">"What"</th><th scope="col">"Status"</th><th scope="col">"Attempts"</th><th scope="col">"When"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|d| view! {
                                    <tr class=format!("delivery-{}", d.status)>
                                        <td>{d.incident.map(|n| view! { <a href=format!("/incidents/{n}")>{format!("INC-{n}")}</a> })}</td>
                                        <td>{d.to}</td>
                                        <td>{format!("{} ({})", d.method, d.label)}</td>
                                        <td>{d.kind}</td>
                                        <td>{d.status.clone()}{d.deferred.then_some(" (deferred to working hours)")}
                                            {d.error.map(|e| view! { <div class="small form-error">{e}</div> })}</td>
                                        <td>{d.attempts}</td>
                                        <td>{when(d.sent_at.unwrap_or(d.due_at))}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                })
            })}
        </Transition>
        <h2>"To status page subscribers"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let rows = subscribers.await?;
                Ok::<_, AppError>(if rows.is_empty() {
                    view! { <p class="muted">"No message to subscribers yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="table deliveries" id="subscriber-log">
                            <thead><tr>
                                <th scope="col">"To"</th><th scope="col">"What"</th><th scope="col">"Subject"</th>
                                <th scope="col">"Status"</th><th scope="col">"Attempts"</th><th scope="col">"When"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|m| view! {
                                    <tr class=format!("delivery-{}", m.status)>
                                        <td>{format!("{} ({})", m.to, m.channel)}</td>
                                        <td>{m.kind}</td>
                                        <td>{m.subject}</td>
                                        <td>{m.status.clone()}{m.error.map(|e| view! { <div class="small form-error">{e}</div> })}</td>
                                        <td>{m.attempts}</td>
                                        <td>{when(m.sent_at.unwrap_or(m.due_at))}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                })
            })}
        </Transition>
    }
}
