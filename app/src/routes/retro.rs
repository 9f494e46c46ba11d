//! `/retro`: the screen a team puts on the wall every week. One team's ISO week in the team's
//! zone: the agenda, the week's figures against the four before, every page with what the team
//! marks on it, the load on each person (and an offer to give the ones woken at night their
//! next morning), follow-ups, notes, actions, a mood check and "retro held". Printable.

use domain::{
    analytics::HourClass,
    retro::{Automation, RetroLoad, RetroPage, RetroView},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::retros::{
        AddRetroAction, AddRetroNote, CoverMorning, HoldRetro, MarkRetroPage, RetroScreen,
        SetRetroActionDone, SetRetroMood, retro,
    },
    components::errors::ActionError,
    error::AppError,
    routes::analytics::duration,
};

#[derive(Clone, Copy)]
struct Actions {
    mark: ServerAction<MarkRetroPage>,
    note: ServerAction<AddRetroNote>,
    action: ServerAction<AddRetroAction>,
    done: ServerAction<SetRetroActionDone>,
    mood: ServerAction<SetRetroMood>,
    held: ServerAction<HoldRetro>,
    cover: ServerAction<CoverMorning>,
}

fn class_label(c: HourClass) -> &'static str {
    match c {
        HourClass::Business => "working hours",
        HourClass::OffHours => "off-hours",
        HourClass::Sleep => "sleep hours",
    }
}

#[component]
pub fn RetroPage() -> impl IntoView {
    let query = use_query_map();
    let actions = Actions {
        mark: ServerAction::new(),
        note: ServerAction::new(),
        action: ServerAction::new(),
        done: ServerAction::new(),
        mood: ServerAction::new(),
        held: ServerAction::new(),
        cover: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.mark.version().get(),
            actions.note.version().get(),
            actions.action.version().get(),
            actions.done.version().get(),
            actions.mood.version().get(),
            actions.held.version().get(),
        )
    };
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("team").unwrap_or_default(), q.get("week").unwrap_or_default(), versions())
        },
        |(team, week, _)| retro(team, week),
    );
    view! {
        <Title text="Retro"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let screen = data.await?;
                Ok::<_, AppError>(view! { <Screen screen actions/> })
            })}
        </Transition>
    }
}

#[component]
fn Screen(screen: RetroScreen, actions: Actions) -> impl IntoView {
    let v = screen.view.clone();
    let link = |team: &str, week: &str| format!("/retro?team={team}&week={week}");
    let from = v.from.with_timezone(&v.time_zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC));
    let to = (v.to - chrono::Duration::seconds(1))
        .with_timezone(&v.time_zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC));
    let spark = |id: &str| screen.sparklines.iter().find(|c| c.id == id).cloned();
    view! {
        <div class="page-head retro-head">
            <h1>{format!("Retro: {}, {}", v.team_name, v.week)}</h1>
            <nav class="retro-weeks" aria-label="Weeks">
                <a href=link(&v.team, &v.previous_week) rel="prev">{format!("← {}", v.previous_week)}</a>
                <a href=link(&v.team, &v.next_week) rel="next">{format!("{} →", v.next_week)}</a>
            </nav>
        </div>
        <p class="muted">
            {format!("{} to {} ({}). ", from.format("%a %-d %b"), to.format("%a %-d %b %Y"), v.time_zone)}
            {(screen.teams.len() > 1).then(|| view! {
                <span>"Other teams: "{screen.teams.iter().filter(|(s, _)| *s != v.team).map(|(s, n)| view! {
                    <a href=link(s, &v.week)>{n.clone()}</a>" "
                }).collect_view()}</span>
            })}
        </p>
        {v.held.clone().map(|h| view! {
            <p class="retro-held-banner" id="retro-held-banner">
                {format!("Retro held {} by {}; attended: {}.", h.at.format("%-d %b %H:%M UTC"), h.by.unwrap_or_else(|| "someone".into()), h.attendees.join(", "))}
            </p>
        })}

        <section class="panel" aria-labelledby="agenda-h" id="retro-agenda">
            <h2 id="agenda-h">"Agenda"</h2>
            <ol>
                {v.agenda.iter().map(|a| view! { <li><a href=format!("#{}", a.anchor)>{a.text.clone()}</a></li> }).collect_view()}
            </ol>
        </section>

        <section class="panel" aria-labelledby="trends-h" id="retro-trends">
            <h2 id="trends-h">"This week against the four before"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Trends">
                <table class="table" id="retro-trend-table">
                    <thead><tr>
                        <th scope="col">"Figure"</th>
                        {v.trends.iter().map(|t| view! { <th scope="col">{t.week.clone()}</th> }).collect_view()}
                        <th scope="col">"Trend"</th>
                    </tr></thead>
                    <tbody>
                        {TrendRow("Pages", "spark-pages", &v, |f| f.pages.to_string(), spark("spark-pages"))}
                        {TrendRow("Off-hours pages", "spark-off-hours", &v, |f| f.off_hours_pages.to_string(), spark("spark-off-hours"))}
                        {TrendRow("Median time to acknowledge", "spark-mtta", &v, |f| duration(f.mtta_p50), spark("spark-mtta"))}
                        {TrendRow("Median time to resolve", "spark-mttr", &v, |f| duration(f.mttr_p50), spark("spark-mttr"))}
                        {TrendRow("Escalated pages", "spark-escalations", &v, |f| f.escalated_pages.to_string(), spark("spark-escalations"))}
                        {TrendRow("Documented", "spark-documented", &v, |f| format!("{:.0}%", f.documented_share * 100.0), spark("spark-documented"))}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="panel" aria-labelledby="pages-h" id="retro-pages">
            <h2 id="pages-h">{format!("Every page of the week ({})", v.pages.len())}</h2>
            <p class="muted">"Tick what the team agrees on as you walk through them; each row saves on its own."</p>
            <ActionError value=move || actions.mark.value().get()/>
            {if v.pages.is_empty() {
                view! { <p class="muted">"Nobody was paged this week."</p> }.into_any()
            } else {
                view! { <PagesTable pages=v.pages.clone() team=v.team.clone() week=v.week.clone() action=actions.mark/> }.into_any()
            }}
            {(!v.noisiest_rules.is_empty()).then(|| view! {
                <p>"Noisiest rules: "{v.noisiest_rules.iter().map(|(r, n)| format!("{r} ({n} pages)")).collect::<Vec<_>>().join(", ")}</p>
            })}
        </section>

        <section class="panel" aria-labelledby="load-h" id="retro-load">
            <h2 id="load-h">"Load per responder"</h2>
            <ActionError value=move || actions.cover.value().get()/>
            {move || actions.cover.value().get().and_then(|r| r.ok()).map(|_| view! { <p role="status" class="ok-text">"Override booked: their morning is covered."</p> })}
            <LoadTable v=v.clone() action=actions.cover/>
        </section>

        <section class="panel" aria-labelledby="followups-h" id="retro-followups">
            <h2 id="followups-h">"Follow-ups"</h2>
            <h3>"Postmortems not yet published"</h3>
            {if v.postmortems_due.is_empty() {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! { <ul>{v.postmortems_due.iter().map(|p| view! {
                    <li class:overdue=p.overdue><a href=format!("/postmortems/{}", p.id)>{format!("INC-{} {}", p.incident, p.incident_title)}</a>
                        {format!(" — {}, due {}{}", p.status.label(), p.due_at.format("%-d %b"), if p.overdue { " (overdue)" } else { "" })}</li>
                }).collect_view()}</ul> }.into_any()
            }}
            <h3>"Open corrective actions"</h3>
            {if v.actions.is_empty() {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! { <ul id="retro-corrective">{v.actions.iter().map(|a| view! {
                    <li class:overdue=a.overdue>{format!("{} (INC-{}), {}, due {}{}", a.title, a.incident, a.owner_name.clone().unwrap_or_else(|| "no owner".into()), a.due_on, if a.overdue { " — overdue" } else { "" })}</li>
                }).collect_view()}</ul> }.into_any()
            }}
        </section>

        <NotesAndActions v=v.clone() actions/>
        <Mood v=v.clone() action=actions.mood/>
        <Held v action=actions.held/>
    }
}

#[expect(non_snake_case, reason = "a row builder used like a component inside the table")]
fn TrendRow(
    label: &'static str,
    id: &'static str,
    v: &RetroView,
    show: fn(&domain::retro::RetroFigures) -> String,
    chart: Option<crate::api::analytics::Chart>,
) -> impl IntoView + use<> {
    let cells: Vec<String> = v.trends.iter().map(|t| show(&t.figures)).collect();
    view! {
        <tr id=format!("row-{id}")>
            <th scope="row">{label}</th>
            {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
            <td class="spark">{chart.map(|c| view! { <div class="chart-svg" inner_html=c.svg></div> })}</td>
        </tr>
    }
}

#[component]
fn PagesTable(
    pages: Vec<RetroPage>,
    team: String,
    week: String,
    action: ServerAction<MarkRetroPage>,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Pages of the week">
            <table class="table retro-pages" id="retro-page-table">
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"Incident"</th><th scope="col">"Paged"</th>
                    <th scope="col">"Acknowledged after"</th><th scope="col">"Hours"</th><th scope="col">"Outcome"</th>
                    <th scope="col">"Documented"</th><th scope="col">"Runbook"</th><th scope="col">"Automation"</th>
                    <th scope="col">"Note"</th><th scope="col"><span class="visually-hidden">"Save"</span></th>
                </tr></thead>
                <tbody>
                    {pages.into_iter().map(|p| {
                        let (team, week) = (team.clone(), week.clone());
                        let form = format!("mark-{}", p.id);
                        let f = || form.clone();
                        let who = format!("page {} of INC-{}", p.id, p.incident);
                        view! {
                            <tr id=format!("page-{}", p.id) class:sleep=p.class == HourClass::Sleep>
                                <td>{p.local.clone()}</td>
                                <td><a href=format!("/incidents/INC-{}", p.incident)>{format!("INC-{}", p.incident)}</a>" "{p.title.clone()}" "<span class="badge">{p.severity.as_str()}</span></td>
                                <td>{p.person.clone()}{p.level.map(|l| format!(" (level {l})")).unwrap_or_else(|| " (by hand)".into())}{p.escalated.then_some(", escalated")}</td>
                                <td>{duration(p.to_acknowledge.map(|s| s as f64))}</td>
                                <td>{class_label(p.class)}</td>
                                <td>{p.outcome.clone()}</td>
                                <td><input type="checkbox" name="documented" form=f() checked=p.documented aria-label=format!("Resolution documented, {who}")/></td>
                                <td><input type="url" name="runbook_url" form=f() value=p.runbook_url.clone().unwrap_or_default() placeholder="https://…" aria-label=format!("Runbook, {who}")/></td>
                                <td>
                                    <select name="automated" form=f() aria-label=format!("Automation, {who}")>
                                        {[(Automation::No, "Not automated"), (Automation::NeedsAutomation, "Needs automation"), (Automation::Automated, "Automated")].map(|(a, label)| view! {
                                            <option value=a.as_str() selected=p.automation == a>{label}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td><input name="note" form=f() value=p.note.clone() maxlength="2000" aria-label=format!("Note, {who}")/></td>
                                <td>
                                    <ActionForm action=action attr:id=form.clone()>
                                        <input type="hidden" name="team" value=team/>
                                        <input type="hidden" name="week" value=week/>
                                        <input type="hidden" name="page" value=p.id.to_string()/>
                                        <button type="submit" class="button small" aria-label=format!("Save {who}")>"Save"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The offer to give someone woken at night their next morning: a teammate takes it on one of
/// the team's schedules.
#[component]
fn CoverOffer(
    load: RetroLoad,
    members: Vec<domain::retro::RetroMember>,
    schedules: Vec<domain::retro::RetroSchedule>,
    action: ServerAction<CoverMorning>,
) -> impl IntoView {
    let offer = move || {
        let [start, end] = load.next_morning?;
        let name = load.load.name.clone();
        let others: Vec<_> = members.iter().filter(|m| m.id != load.load.user_id).cloned().collect();
        if schedules.is_empty() || others.is_empty() {
            return None;
        }
        let id = load.load.user_id.to_string();
        Some(view! {
            <ActionForm action=action attr:class="inline-form cover-form">
                <input type="hidden" name="start" value=start.to_rfc3339()/>
                <input type="hidden" name="end" value=end.to_rfc3339()/>
                <label for=format!("cover-{id}")>{format!("Cover {name}'s next morning:")}</label>
                <select id=format!("cover-{id}") name="cover">
                    {others.into_iter().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view()}
                </select>
                <label class="visually-hidden" for=format!("cover-schedule-{id}")>"On schedule"</label>
                <select id=format!("cover-schedule-{id}") name="schedule">
                    {schedules.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view()}
                </select>
                <button type="submit" class="button small">{format!("Cover {name}'s morning")}</button>
            </ActionForm>
        })
    };
    offer()
}

#[component]
fn LoadTable(v: RetroView, action: ServerAction<CoverMorning>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Load per responder">
            <table class="table" id="retro-load-table">
                <thead><tr>
                    <th scope="col">"Responder"</th><th scope="col">"Interruptions"</th><th scope="col">"Working hours"</th>
                    <th scope="col">"Off-hours"</th><th scope="col">"Sleep hours"</th><th scope="col">"Engaged (h)"</th>
                    <th scope="col">"On call (h)"</th><th scope="col">"Catch up on sleep"</th>
                </tr></thead>
                <tbody>
                    {v.load.iter().map(|l| {
                        let i = l.load.interruptions;
                        view! {
                            <tr class:woken=l.woken>
                                <th scope="row">{l.load.name.clone()}{l.woken.then_some(" (woken)")}</th>
                                <td>{i.total}</td><td>{i.business}</td><td>{i.off_hours}</td><td>{i.sleep}</td>
                                <td>{format!("{:.1}", l.load.engaged_hours)}</td>
                                <td>{format!("{:.0}", l.load.on_call_hours)}</td>
                                <td><CoverOffer load=l.clone() members=v.members.clone() schedules=v.schedules.clone() action/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn NotesAndActions(v: RetroView, actions: Actions) -> impl IntoView {
    let (team, week) = (v.team.clone(), v.week.clone());
    let this_week = v.week.clone();
    let done_forms: Vec<_> = v
        .retro_actions
        .iter()
        .map(|a| {
            let team = team.clone();
            let from = if a.week != this_week { format!(" (from {})", a.week) } else { String::new() };
            let text = format!(
                "{} — {}, due {}{from}",
                a.title,
                a.owner.clone().unwrap_or_else(|| "no owner".into()),
                a.due_on
            );
            let button =
                if a.done { format!("Reopen \"{}\"", a.title) } else { format!("Done: {}", a.title) };
            let (overdue, done, id) = (a.overdue, a.done, a.id.to_string());
            view! {
                <li class:overdue=overdue>
                    <ActionForm action=actions.done attr:class="inline-form">
                        <input type="hidden" name="team" value=team/>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="done" value=(!done).to_string()/>
                        <span class:done=done>{text}</span>
                        <button type="submit" class="button small">{button}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect();
    let (team_note, week_note, team_action, week_action) = (team.clone(), week.clone(), team, week);
    view! {
        <section class="panel" aria-labelledby="notes-h" id="retro-actions">
            <h2 id="notes-h">"Notes and actions"</h2>
            <ul id="retro-notes">
                {v.notes.iter().map(|n| view! { <li>{n.body.clone()}<span class="muted">{format!(" — {}", n.author.clone().unwrap_or_default())}</span></li> }).collect_view()}
            </ul>
            <ActionForm action=actions.note attr:class="inline-form no-print">
                <input type="hidden" name="team" value=team_note/>
                <input type="hidden" name="week" value=week_note/>
                <label for="retro-note">"Note"</label>
                <input id="retro-note" name="body" required maxlength="5000" prop:value=move || { actions.note.version().get(); String::new() }/>
                <button type="submit" class="button small">"Add note"</button>
            </ActionForm>
            <ActionError value=move || actions.note.value().get()/>
            <h3>"Actions"</h3>
            <ul id="retro-action-list" class="plain-list">{done_forms}</ul>
            <ActionForm action=actions.action attr:class="inline-form no-print">
                <input type="hidden" name="team" value=team_action/>
                <input type="hidden" name="week" value=week_action/>
                <label for="retro-action-title">"Action"</label>
                <input id="retro-action-title" name="title" required maxlength="300"/>
                <label for="retro-action-owner">"Owner"</label>
                <select id="retro-action-owner" name="owner_id">
                    <option value="">"Nobody yet"</option>
                    {v.members.iter().map(|m| view! { <option value=m.id.to_string()>{m.name.clone()}</option> }).collect_view()}
                </select>
                <label for="retro-action-due">"Due"</label>
                <input id="retro-action-due" type="date" name="due_on"/>
                <button type="submit" class="button small">"Add action"</button>
            </ActionForm>
            <ActionError value=move || actions.action.value().get()/>
        </section>
    }
}

#[component]
fn Mood(v: RetroView, action: ServerAction<SetRetroMood>) -> impl IntoView {
    let m = v.mood.clone();
    view! {
        <section class="panel" aria-labelledby="mood-h" id="retro-mood">
            <h2 id="mood-h">"Mood check"</h2>
            <p id="mood-summary">{match m.average {
                Some(avg) => format!("{} answers, average {avg:.1} of 5 (1: {}, 2: {}, 3: {}, 4: {}, 5: {}). Nobody's answer is shown.", m.answers, m.counts[0], m.counts[1], m.counts[2], m.counts[3], m.counts[4]),
                None => "No answers yet. Only the team's figure is ever shown.".to_owned(),
            }}</p>
            <ActionForm action=action attr:class="inline-form no-print">
                <input type="hidden" name="team" value=v.team.clone()/>
                <input type="hidden" name="week" value=v.week.clone()/>
                <fieldset class="mood-choices">
                    <legend>"How was your week on call? (1 bad, 5 great)"</legend>
                    {(1u8..=5).map(|n| view! {
                        <label class="check"><input type="radio" name="mood" value=n.to_string() checked=m.mine == Some(n) required/>" " {n.to_string()}</label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button small">"Answer"</button>
            </ActionForm>
            <ActionError value=move || action.value().get()/>
        </section>
    }
}

#[component]
fn Held(v: RetroView, action: ServerAction<HoldRetro>) -> impl IntoView {
    view! {
        <section class="panel no-print" aria-labelledby="held-h" id="retro-held">
            <h2 id="held-h">"Retro held"</h2>
            <ActionForm action=action attr:class="stacked-form">
                <input type="hidden" name="team" value=v.team.clone()/>
                <input type="hidden" name="week" value=v.week.clone()/>
                <fieldset>
                    <legend>"Who attended"</legend>
                    {v.members.iter().enumerate().map(|(n, m)| view! {
                        <label class="check"><input type="checkbox" name=format!("attendees[{n}]") value=m.id.to_string()/>" " {m.name.clone()}</label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button">{if v.held.is_some() { "Update: retro held" } else { "Mark the retro held" }}</button>
            </ActionForm>
            <ActionError value=move || action.value().get()/>
        </section>
    }
}
