//! `/admin/status-page`: the public page's settings, its groups and components (which services
//! each stands for, in what order), and a link to see it as a customer. Admins only. Components
//! are reordered by dragging, or by their Move up / Move down buttons (plain forms: a keyboard and
//! a page without JavaScript do it too).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::status_page::{
        DeleteStatusComponent, DeleteStatusGroup, RemoveStatusSubscriber, ReorderStatusComponents,
        SaveStatusComponent, SaveStatusGroup, SaveStatusSettings, admin_status_page, status_subscribers,
    },
    components::errors::ActionError,
};

#[component]
pub fn AdminStatusPage() -> impl IntoView {
    let settings = ServerAction::<SaveStatusSettings>::new();
    let component = ServerAction::<SaveStatusComponent>::new();
    let delete_component = ServerAction::<DeleteStatusComponent>::new();
    let group = ServerAction::<SaveStatusGroup>::new();
    let delete_group = ServerAction::<DeleteStatusGroup>::new();
    let remove_subscriber = ServerAction::<RemoveStatusSubscriber>::new();
    let reorder = ServerAction::<ReorderStatusComponents>::new();
    // The component being dragged, if one is.
    let dragging = RwSignal::new(None::<uuid::Uuid>);
    let subscribers = Resource::new(move || remove_subscriber.version().get(), |_| status_subscribers());
    let data = Resource::new(
        move || {
            settings.version().get()
                + component.version().get()
                + delete_component.version().get()
                + group.version().get()
                + delete_group.version().get()
                + reorder.version().get()
        },
        |_| admin_status_page(),
    );
    view! {
        <Title text="Status page"/>
        <div class="page-head">
            <h1>"Status page"</h1>
            <a class="button" href="/status" target="_blank" rel="noopener">"View as a customer"</a>
        </div>
        <ActionError value=move || delete_component.value().get()/>
        <ActionError value=move || delete_group.value().get()/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (s, groups, components) = data.await?;
                let subscribers = subscribers.await?;
                let names: std::collections::HashMap<uuid::Uuid, String> =
                    components.iter().map(|c| (c.id, c.name.clone())).collect();
                let confirmed = subscribers.iter().filter(|s| s.confirmed).count();
                // Who hears of each component: its own subscribers and those of everything.
                let per_component: Vec<String> = components
                    .iter()
                    .map(|c| {
                        let n = subscribers
                            .iter()
                            .filter(|s| s.confirmed && s.incident.is_none())
                            .filter(|s| s.components.is_empty() || s.components.contains(&c.id))
                            .count();
                        format!("{} {n}", c.name)
                    })
                    .collect();
                let group_options = groups.clone();
                let groups_for_order = groups.clone();
                let new_groups = groups.clone();
                Ok::<_, crate::error::AppError>(view! {
                    <section class="panel" aria-labelledby="sp-settings">
                        <h2 id="sp-settings">"Settings"</h2>
                        <ActionForm action=settings attr:class="stacked-form">
                            <label for="sp-page-name">"Page name"</label>
                            <input id="sp-page-name" name="name" required maxlength="100" value=s.name.clone()/>
                            <label for="sp-zone">"Time zone " <span class="hint">"(uptime days are days here)"</span></label>
                            <input id="sp-zone" name="time_zone" required value=s.time_zone.clone()/>
                            <label for="sp-support">"Support link " <span class="hint">"(optional)"</span></label>
                            <input id="sp-support" name="support_url" type="url" value=s.support_url.clone().unwrap_or_default()/>
                            <label for="sp-banner">"Banner " <span class="hint">"(optional, shown above everything)"</span></label>
                            <input id="sp-banner" name="banner" maxlength="300" value=s.banner.clone().unwrap_or_default()/>
                            <label for="sp-weight">"Share of a partial outage counted as down (0 to 1)"</label>
                            <input id="sp-weight" name="partial_weight" inputmode="decimal" value=s.partial_weight.to_string()/>
                            <label class="check"><input type="checkbox" name="maintenance_counts" value="on" checked=s.maintenance_counts/>" Planned maintenance counts against uptime"</label>
                            <label for="sp-reminder">"Remind subscribers of a maintenance this many hours ahead " <span class="hint">"(0: no reminder)"</span></label>
                            <input id="sp-reminder" name="reminder_hours" type="number" min="0" max="168" required value=s.reminder_hours.to_string()/>
                            <button type="submit" class="button primary">"Save settings"</button>
                        </ActionForm>
                        <ActionError value=move || settings.value().get()/>
                    </section>
                    <section class="panel" aria-labelledby="sp-groups">
                        <h2 id="sp-groups">"Groups"</h2>
                        <ul class="plain-list">
                            {groups.into_iter().map(|g| {
                                let id = g.id.to_string();
                                let (name_id, pos_id, save, position) =
                                    (format!("g-name-{id}"), format!("g-pos-{id}"), format!("Save {}", g.name), g.position.to_string());
                                let (remove_id, remove) = (id.clone(), format!("Remove {}", g.name));
                                let name = g.name;
                                view! {
                                    <li>
                                        <ActionForm action=group attr:class="inline-form">
                                            <input type="hidden" name="id" value=id.clone()/>
                                            <label class="visually-hidden" for=name_id.clone()>"Group name"</label>
                                            <input id=name_id.clone() name="name" required maxlength="100" value=name.clone()/>
                                            <label for=pos_id.clone()>"Position"</label>
                                            <input id=pos_id.clone() name="position" inputmode="numeric" size="4" value=position.clone()/>
                                            <button type="submit" class="button small">{save.clone()}</button>
                                        </ActionForm>
                                        <ActionForm action=delete_group attr:class="inline-form">
                                            <input type="hidden" name="id" value=remove_id.clone()/>
                                            <button type="submit" class="button small">{remove.clone()}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <ActionForm action=group attr:class="inline-form">
                            <label for="new-group">"New group"</label>
                            <input id="new-group" name="name" required maxlength="100" placeholder="Platform"/>
                            <button type="submit" class="button">"Add group"</button>
                        </ActionForm>
                        <ActionError value=move || group.value().get()/>
                    </section>
                    <section class="panel" aria-labelledby="sp-components">
                        <h2 id="sp-components">"Components"</h2>
                        <p class="hint">"A component stands for one or more services (their slugs, separated by commas); the incident page offers it when an incident touches them."</p>
                        <ActionError value=move || reorder.value().get()/>
                        {order_lists(&components, &groups_for_order).into_iter().map(|(label, list)| {
                            let ids: Vec<uuid::Uuid> = list.iter().map(|c| c.id).collect();
                            view! {
                                <ul class="reorder plain-list" aria-label=format!("Order of {label}")>
                                {list.into_iter().enumerate().map(|(at, c)| {
                                    let id = c.id.to_string();
                                    let groups = group_options.clone();
                                    let summary = format!("{} · {} · position {}", c.name, c.status.label().to_lowercase(), c.position);
                                    let (save, remove) = (format!("Save {}", c.name), format!("Remove {} and its history", c.name));
                                    let group = c.group_id.map(|g| g.to_string()).unwrap_or_default();
                                    let (position, services, degraded) = (c.position.to_string(), c.services.join(", "), c.only_show_if_degraded);
                                    let (up, down) = (moved(&ids, at, -1), moved(&ids, at, 1));
                                    let (up_label, down_label) = (format!("Move {} up", c.name), format!("Move {} down", c.name));
                                    let (name, description, remove_id, this) = (c.name, c.description, id.clone(), c.id);
                                    let siblings = ids.clone();
                                    view! {
                                        <li
                                            class="reorder-item"
                                            draggable="true"
                                            on:dragstart=move |_| dragging.set(Some(this))
                                            on:dragend=move |_| dragging.set(None)
                                            on:dragover=move |ev| ev.prevent_default()
                                            on:drop=move |ev| {
                                                ev.prevent_default();
                                                if let Some(order) = dragging.get_untracked().and_then(|from| dropped(&siblings, from, this)) {
                                                    reorder.dispatch(ReorderStatusComponents { order });
                                                }
                                                dragging.set(None);
                                            }
                                        >
                                            <details class="component-edit">
                                                <summary>{summary}</summary>
                                                <ActionForm action=component attr:class="stacked-form">
                                                    <input type="hidden" name="id" value=id.clone()/>
                                                    <ComponentFields prefix=id.clone() name=name.clone() description=description.clone()
                                                        group=group.clone() position=position.clone()
                                                        degraded_only=degraded services=services.clone() groups=groups.clone()/>
                                                    <button type="submit" class="button">{save.clone()}</button>
                                                </ActionForm>
                                                <ActionForm action=delete_component attr:class="inline-form">
                                                    <input type="hidden" name="id" value=remove_id.clone()/>
                                                    <button type="submit" class="button small">{remove.clone()}</button>
                                                </ActionForm>
                                            </details>
                                            <div class="reorder-buttons">
                                                {up.map(|order| view! {
                                                    <ActionForm action=reorder attr:class="inline-form">
                                                        <input type="hidden" name="order" value=order/>
                                                        <button type="submit" class="button small" aria-label=up_label.clone()>"↑"</button>
                                                    </ActionForm>
                                                })}
                                                {down.map(|order| view! {
                                                    <ActionForm action=reorder attr:class="inline-form">
                                                        <input type="hidden" name="order" value=order/>
                                                        <button type="submit" class="button small" aria-label=down_label.clone()>"↓"</button>
                                                    </ActionForm>
                                                })}
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                                </ul>
                            }
                        }).collect_view()}
                        <h3>"Add a component"</h3>
                        <ActionForm action=component attr:class="stacked-form">
                            <ComponentFields prefix="new".to_owned() name=String::new() description=String::new() group=String::new()
                                position="0".to_owned() degraded_only=false services=String::new() groups=new_groups.clone()/>
                            <button type="submit" class="button primary">"Add component"</button>
                        </ActionForm>
                        <ActionError value=move || component.value().get()/>
                    </section>
                    <section class="panel" aria-labelledby="sp-subscribers">
                        <h2 id="sp-subscribers">{format!("Subscribers ({confirmed} confirmed of {})", subscribers.len())}</h2>
                        <p class="hint">"People subscribe by email on the status page (to components, or to one incident from its page); webhooks are added through the API (POST /api/v1/status-page/subscribers)."</p>
                        {(!per_component.is_empty()).then(|| view! {
                            <p>"Confirmed, per component: " {per_component.join(" · ")}</p>
                        })}
                        {if subscribers.is_empty() {
                            view! { <p class="muted">"No subscribers yet."</p> }.into_any()
                        } else {
                            view! {
                                <table class="table">
                                    <caption class="visually-hidden">"Subscribers"</caption>
                                    <thead><tr><th scope="col">"Address"</th><th scope="col">"About"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
                                    <tbody>
                                        {subscribers.into_iter().map(|sub| {
                                            let about = if let Some(incident) = &sub.incident {
                                                format!("one incident ({incident})")
                                            } else if sub.components.is_empty() {
                                                "everything".to_owned()
                                            } else {
                                                sub.components.iter().map(|c| names.get(c).cloned().unwrap_or_else(|| "a removed component".into())).collect::<Vec<_>>().join(", ")
                                            };
                                            let (id, label) = (sub.id.to_string(), format!("Remove {}", sub.address));
                                            view! {
                                                <tr>
                                                    <td>{format!("{} ({})", sub.address, sub.kind)}</td>
                                                    <td>{about}</td>
                                                    <td>{if sub.confirmed { "confirmed" } else { "waiting for confirmation" }}</td>
                                                    <td>
                                                        <ActionForm action=remove_subscriber attr:class="inline-form">
                                                            <input type="hidden" name="id" value=id.clone()/>
                                                            <button type="submit" class="button small">{label.clone()}</button>
                                                        </ActionForm>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                        <ActionError value=move || remove_subscriber.value().get()/>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
#[allow(clippy::too_many_arguments, reason = "one form field each")]
fn ComponentFields(
    prefix: String,
    name: String,
    description: String,
    group: String,
    position: String,
    degraded_only: bool,
    services: String,
    groups: Vec<domain::status::page::GroupView>,
) -> impl IntoView {
    let f = move |field: &str| format!("c-{field}-{prefix}");
    view! {
        <label for=f("name")>"Name"</label>
        <input id=f("name") name="name" required maxlength="100" value=name/>
        <label for=f("description")>"Description " <span class="hint">"(optional)"</span></label>
        <input id=f("description") name="description" maxlength="500" value=description/>
        <label for=f("group")>"Group"</label>
        <select id=f("group") name="group">
            <option value="" selected=group.is_empty()>"No group"</option>
            {groups.into_iter().map(|g| {
                let value = g.id.to_string();
                let selected = value == group;
                view! { <option value=value selected=selected>{g.name}</option> }
            }).collect_view()}
        </select>
        <label for=f("position")>"Position"</label>
        <input id=f("position") name="position" inputmode="numeric" value=position/>
        <label for=f("services")>"Services " <span class="hint">"(slugs, separated by commas)"</span></label>
        <input id=f("services") name="services" value=services/>
        <label class="check"><input type="checkbox" name="only_show_if_degraded" value="on" checked=degraded_only/>" Show only while not operational"</label>
    }
}

/// The components as the page lists them: those in no group, then each group's, each list in
/// order, with what it is called.
fn order_lists(
    components: &[domain::status::page::ComponentView],
    groups: &[domain::status::page::GroupView],
) -> Vec<(String, Vec<domain::status::page::ComponentView>)> {
    let mut lists = Vec::new();
    let loose: Vec<_> = components.iter().filter(|c| c.group_id.is_none()).cloned().collect();
    if !loose.is_empty() {
        lists.push(("components in no group".to_owned(), loose));
    }
    for g in groups {
        let members: Vec<_> = components.iter().filter(|c| c.group_id == Some(g.id)).cloned().collect();
        if !members.is_empty() {
            lists.push((g.name.clone(), members));
        }
    }
    lists
}

fn join(ids: &[uuid::Uuid]) -> String {
    ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// The order with the component at `at` moved one place (`by` -1 up, 1 down); none at an end.
fn moved(ids: &[uuid::Uuid], at: usize, by: isize) -> Option<String> {
    let to = at.checked_add_signed(by).filter(|t| *t < ids.len())?;
    let mut order = ids.to_vec();
    order.swap(at, to);
    Some(join(&order))
}

/// The order with `from` dropped onto `onto`: it takes that place, the rest keep their order.
fn dropped(ids: &[uuid::Uuid], from: uuid::Uuid, onto: uuid::Uuid) -> Option<String> {
    if from == onto || !ids.contains(&from) {
        return None;
    }
    // Dragged down, it lands after `onto` (whose index moved up by one); dragged up, before it.
    let at = ids.iter().position(|i| *i == onto)?;
    let mut order: Vec<uuid::Uuid> = ids.iter().copied().filter(|i| *i != from).collect();
    order.insert(at.min(order.len()), from);
    Some(join(&order))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_and_dropping_reorder_within_the_list() {
        let ids: Vec<uuid::Uuid> = (1..=3).map(|n| uuid::Uuid::from_u128(n)).collect();
        let s = |v: &[u128]| join(&v.iter().map(|n| uuid::Uuid::from_u128(*n)).collect::<Vec<_>>());
        assert_eq!(moved(&ids, 0, -1), None);
        assert_eq!(moved(&ids, 0, 1), Some(s(&[2, 1, 3])));
        assert_eq!(moved(&ids, 2, 1), None);
        // Dragged down onto the last: it becomes last; dragged up onto the first: first.
        assert_eq!(dropped(&ids, ids[0], ids[2]), Some(s(&[2, 3, 1])));
        assert_eq!(dropped(&ids, ids[2], ids[0]), Some(s(&[3, 1, 2])));
        assert_eq!(dropped(&ids, ids[1], ids[1]), None);
    }
}
