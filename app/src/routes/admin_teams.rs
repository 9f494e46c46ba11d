//! `/admin/teams`: teams, their leads and members, and what they own. Admins only.

use domain::analytics::WorkingHours;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        teams::{CreateTeam, RemoveTeamMember, SetTeamHours, SetTeamMember, list_teams},
        users::list_users,
    },
    components::errors::ActionError,
};

#[component]
pub fn AdminTeamsPage() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let set_member = ServerAction::<SetTeamMember>::new();
    let remove_member = ServerAction::<RemoveTeamMember>::new();
    let set_hours = ServerAction::<SetTeamHours>::new();
    let teams = Resource::new(
        move || {
            (
                create.version().get(),
                set_member.version().get(),
                remove_member.version().get(),
                set_hours.version().get(),
            )
        },
        |_| list_teams(),
    );
    let users = Resource::new(|| (), |_| list_users());

    view! {
        <Title text="Teams"/>
        <h1>"Teams"</h1>
        <ActionError value=move || set_member.value().get()/>
        <ActionError value=move || remove_member.value().get()/>
        <ActionError value=move || set_hours.value().get()/>
        <Transition fallback=|| view! { <p class="muted">"Loading teams…"</p> }>
            {move || Suspend::new(async move {
                let people = users.await?;
                teams.await.map(|list| {
                    list.into_iter().map(|team| {
                        let slug = team.slug.clone();
                        let heading_id = format!("team-{}", team.slug);
                        let labelled_by = heading_id.clone();
                        let people = people.clone();
                        view! {
                            <section class="panel" aria-labelledby=labelled_by>
                                <h2 id=heading_id>{team.name.clone()}" "<code class="muted">{team.slug.clone()}</code></h2>
                                <p class="muted">
                                    {if team.services.is_empty() {
                                        "Owns no service yet.".to_owned()
                                    } else {
                                        format!("Owns {}.", team.services.join(", "))
                                    }}
                                </p>
                                <ul class="plain-list">
                                    {team.members.into_iter().map(|m| {
                                        let slug = slug.clone();
                                        view! {
                                            <li>
                                                <ActionForm action=remove_member attr:class="inline-form">
                                                    <span>{m.name.clone()}</span>
                                                    <span class="badge">{m.role.as_str()}</span>
                                                    <input type="hidden" name="team" value=slug/>
                                                    <input type="hidden" name="user" value=m.user_id.to_string()/>
                                                    <button type="submit" class="button small">{format!("Remove {}", m.name)}</button>
                                                </ActionForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=set_member attr:class="inline-form">
                                    <input type="hidden" name="team" value=slug.clone()/>
                                    <label for=format!("add-{slug}")>"Add or change"</label>
                                    <select id=format!("add-{slug}") name="user">
                                        {people.into_iter().filter(|u| !u.disabled).map(|u| view! {
                                            <option value=u.id.to_string()>{u.name}</option>
                                        }).collect_view()}
                                    </select>
                                    <label class="visually-hidden" for=format!("role-{slug}")>"Team role"</label>
                                    <select id=format!("role-{slug}") name="role">
                                        <option value="member">"member"</option>
                                        <option value="lead">"lead"</option>
                                    </select>
                                    <button type="submit" class="button small">"Save"</button>
                                </ActionForm>
                                <TeamHoursForm action=set_hours slug=team.slug.clone() time_zone=team.time_zone.clone() hours=team.working_hours.clone()/>
                            </section>
                        }
                    }).collect_view()
                })
            })}
        </Transition>
        <section class="panel" aria-labelledby="new-team">
            <h2 id="new-team">"Add a team"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label for="team-name">"Name"</label>
                <input id="team-name" name="input[name]" required maxlength="100"/>
                <button type="submit" class="button primary">"Add team"</button>
            </ActionForm>
            <ActionError value=move || create.value().get()/>
        </section>
    }
}

/// The team's zone and working hours: what its members' pages are classed by in the analytics
/// (working hours, off-hours, sleep hours) and the zone its retro weeks are counted in.
#[component]
fn TeamHoursForm(
    action: ServerAction<SetTeamHours>,
    slug: String,
    time_zone: String,
    hours: WorkingHours,
) -> impl IntoView {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let id = {
        let slug = slug.clone();
        move |what: &str| format!("{what}-{slug}")
    };
    view! {
        <details class="team-hours">
            <summary>{format!("Working hours: {} ({time_zone})", hours.describe())}</summary>
            <ActionForm action=action attr:class="stacked-form">
                <input type="hidden" name="team" value=slug.clone()/>
                <label for=id("tz")>"Time zone"</label>
                <input id=id("tz") name="time_zone" value=time_zone.clone() required/>
                <fieldset>
                    <legend>"Working days"</legend>
                    {DAYS.iter().enumerate().map(|(n, day)| view! {
                        <label class="check"><input type="checkbox" name=format!("days[{n}]") value=n.to_string() checked=hours.days.contains(&(n as u8))/>" " {*day}</label>
                    }).collect_view()}
                </fieldset>
                <label for=id("start")>"Working day starts"</label>
                <input id=id("start") type="time" name="start" value=WorkingHours::clock(hours.start_minute) required/>
                <label for=id("end")>"and ends"</label>
                <input id=id("end") type="time" name="end" value=WorkingHours::clock(hours.end_minute) required/>
                <label for=id("sleep-start")>"Sleep hours start"</label>
                <input id=id("sleep-start") type="time" name="sleep_start" value=WorkingHours::clock(hours.sleep_start_minute) required/>
                <label for=id("sleep-end")>"and end"</label>
                <input id=id("sleep-end") type="time" name="sleep_end" value=WorkingHours::clock(hours.sleep_end_minute) required/>
                <button type="submit" class="button small">"Save hours"</button>
            </ActionForm>
        </details>
    }
}
