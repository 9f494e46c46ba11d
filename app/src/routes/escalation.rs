//! `/escalation-policies` (each policy in words, with who each level would page right now) and
//! the editor at `/escalation-policies/new` and `/escalation-policies/{id}/edit`.

use domain::{
    Role,
    escalation::{Level, LevelTarget, PolicyInput, PolicyView, TargetOption},
    incident::IncidentRole,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api::policies::{DeletePolicy, SavePolicy, load_policy, policy_overviews, policy_targets},
    components::{errors::ActionError, layout::CurrentUser},
    error::AppError,
};

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let overviews = Resource::new(|| (), |_| policy_overviews());
    let admin = CurrentUser::has_role(Role::Admin);
    view! {
        <Title text="Escalation policies"/>
        <div class="page-head">
            <h1>"Escalation policies"</h1>
            {admin.then(|| view! { <a class="button primary" href="/escalation-policies/new">"New policy"</a> })}
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading policies…"</p> }>
            {move || Suspend::new(async move {
                let list = overviews.await?;
                Ok::<_, AppError>(if list.is_empty() {
                    view! { <section class="panel"><p class="muted">"No escalation policies yet. A service pages no one until it routes to one."</p></section> }.into_any()
                } else {
                    list.into_iter().map(|o| {
                        let p = o.policy;
                        let n = o.levels.len();
                        view! {
                            <section class="panel policy" data-policy=p.name.clone()>
                                <div class="page-head">
                                    <h2>{p.name.clone()}</h2>
                                    {admin.then(|| view! { <a class="button" href=format!("/escalation-policies/{}/edit", p.id)>{format!("Edit {}", p.name)}</a> })}
                                </div>
                                <p class="muted">{if p.services.is_empty() { "No service routes here yet.".to_owned() } else { format!("Services: {}", p.services.join(", ")) }}</p>
                                <ol class="levels">
                                    {o.levels.into_iter().enumerate().map(|(i, l)| view! {
                                        <li>
                                            <strong>{format!("Level {}: ", i + 1)}</strong>{l.targets.join(", ")}
                                            <div class="muted small">{if l.paged_now.is_empty() { "Right now: no one (nobody on call)".to_owned() } else { format!("Right now: {}", l.paged_now.join(", ")) }}</div>
                                            <div class="small">{if i + 1 < n { format!("then, unacknowledged after {} min, level {}", l.delay_minutes, i + 2) } else if p.repeat > 0 { format!("then, unacknowledged after {} min, start over (up to {} more times)", l.delay_minutes, p.repeat) } else { format!("then, unacknowledged after {} min, the policy ends", l.delay_minutes) }}</div>
                                        </li>
                                    }).collect_view()}
                                </ol>
                            </section>
                        }
                    }).collect_view().into_any()
                })
            })}
        </Transition>
    }
}

#[component]
pub fn PolicyEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<domain::escalation::PolicyId>().ok());
    let existing = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_policy(id).await.map(Some),
            None => Ok(None),
        }
    });
    let targets = Resource::new(|| (), |_| policy_targets());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let existing = existing.await?;
                let options = targets.await?;
                Ok::<_, AppError>(view! { <PolicyEditor existing options/> })
            })}
        </Transition>
    }
}

#[component]
fn PolicyEditor(existing: Option<PolicyView>, options: Vec<TargetOption>) -> impl IntoView {
    let id = existing.as_ref().map(|p| p.id);
    let input = RwSignal::new(match &existing {
        Some(p) => PolicyInput { name: p.name.clone(), levels: p.levels.clone(), repeat: p.repeat },
        None => PolicyInput {
            name: String::new(),
            levels: vec![Level { targets: vec![], delay_secs: 15 * 60 }],
            repeat: 0,
        },
    });
    // Bumped when levels or targets are added or removed: the form re-renders then only.
    let shape = RwSignal::new(0u32);
    let options = StoredValue::new(options);
    let save = ServerAction::<SavePolicy>::new();
    let delete = ServerAction::<DeletePolicy>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate("/escalation-policies", Default::default());
        }
    });
    let label_of = move |t: &LevelTarget| {
        options.with_value(|o| {
            o.iter().find(|x| x.target == t.target).map_or("(removed)".to_owned(), |x| x.label.clone())
        })
    };
    let levels = move || {
        shape.track();
        let count = input.with_untracked(|i| i.levels.len());
        (0..count)
            .map(|ix| {
                let current = input.with_untracked(|i| i.levels[ix].clone());
                let chosen = RwSignal::new(String::new());
                let role = RwSignal::new(String::new());
                view! {
                    <fieldset class="level" data-level=(ix + 1).to_string()>
                        <legend>{format!("Level {}", ix + 1)}</legend>
                        <ul class="targets">
                            {current.targets.iter().enumerate().map(|(j, t)| view! {
                                <li>
                                    {label_of(t)}{t.role.map(|r| format!(" as {r}"))}
                                    <button type="button" class="button small danger" on:click=move |_| {
                                        input.update(|i| { i.levels[ix].targets.remove(j); });
                                        shape.update(|s| *s += 1);
                                    }>"Remove"</button>
                                </li>
                            }).collect_view()}
                        </ul>
                        <label for=format!("lv{ix}-target")>"Add a target"</label>
                        <select id=format!("lv{ix}-target") on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {options.get_value().into_iter().enumerate().map(|(k, o)| view! { <option value=k.to_string()>{o.label}</option> }).collect_view()}
                        </select>
                        <label for=format!("lv{ix}-role")>"As"</label>
                        <select id=format!("lv{ix}-role") on:change=move |ev| role.set(event_target_value(&ev))>
                            <option value="">"Whoever acknowledges"</option>
                            <option value="communicator">"Communicator (of a pair)"</option>
                            <option value="fixer">"Fixer (of a pair)"</option>
                        </select>
                        <button type="button" class="button small" id=format!("lv{ix}-add") on:click=move |_| {
                            let Ok(k) = chosen.get_untracked().parse::<usize>() else { return };
                            let Some(o) = options.with_value(|o| o.get(k).cloned()) else { return };
                            let role = match role.get_untracked().as_str() {
                                "communicator" => Some(IncidentRole::Communicator),
                                "fixer" => Some(IncidentRole::Fixer),
                                _ => None,
                            };
                            input.update(|i| i.levels[ix].targets.push(LevelTarget { target: o.target, role }));
                            shape.update(|s| *s += 1);
                        }>"Add"</button>
                        <label for=format!("lv{ix}-delay")>"Minutes to wait for an acknowledgement before going on"</label>
                        <input id=format!("lv{ix}-delay") type="number" min="1" max="1440" value=(current.delay_secs / 60).to_string()
                            on:input=move |ev| {
                                let minutes: u32 = event_target_value(&ev).trim().parse().unwrap_or(0);
                                input.update(|i| i.levels[ix].delay_secs = minutes * 60);
                            }/>
                        <button type="button" class="button small danger" on:click=move |_| {
                            input.update(|i| { i.levels.remove(ix); });
                            shape.update(|s| *s += 1);
                        }>"Remove level"</button>
                    </fieldset>
                }
            })
            .collect_view()
    };
    let title = if existing.is_some() { "Edit escalation policy" } else { "New escalation policy" };
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <form class="panel stacked-form policy-editor" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SavePolicy { id, input: input.get_untracked() });
        }>
            <label for="policy-name">"Name"</label>
            <input id="policy-name" value=input.with_untracked(|i| i.name.clone()) on:input=move |ev| input.update(|i| i.name = event_target_value(&ev))/>
            {levels}
            <button type="button" class="button" id="add-level" on:click=move |_| {
                input.update(|i| i.levels.push(Level { targets: vec![], delay_secs: 15 * 60 }));
                shape.update(|s| *s += 1);
            }>"Add a level"</button>
            <label for="policy-repeat">"Start over after the last level (times)"</label>
            <input id="policy-repeat" type="number" min="0" max="9" value=input.with_untracked(|i| i.repeat.to_string())
                on:input=move |ev| input.update(|i| i.repeat = event_target_value(&ev).trim().parse().unwrap_or(0))/>
            <button type="submit" class="button primary" id="save-policy">"Save policy"</button>
            <ActionError value=move || save.value().get()/>
        </form>
        {id.map(|id| view! {
            <section class="panel danger-zone">
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="button danger">"Delete this policy"</button>
                </ActionForm>
                <ActionError value=move || delete.value().get()/>
            </section>
        })}
    }
}
