//! `/status` and `/status/incidents/{id}`: the public status page, readable without logging in
//! and without JavaScript (rendered whole on the server), in the page's own time zone. Only what
//! was written for customers is here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::status::{
    ComponentStatus,
    public::{Block, ComponentRow, DayBar, IncidentBrief, PublicPage, UpdateBrief, duration_words},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::status_page::{public_history, public_incident, public_status},
    error::AppError,
};

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// A time as customers read it, in the page's zone with its abbreviation.
fn at(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%-d %b %Y, %H:%M %Z").to_string()
}

fn percent(u: Option<f64>) -> String {
    match u {
        Some(u) if u >= 0.99995 => "100%".to_owned(),
        Some(u) => format!("{:.2}%", (u * 100.0).min(99.99)),
        None => "no data".to_owned(),
    }
}

fn state_class(s: Option<ComponentStatus>) -> &'static str {
    match s {
        None => "state-none",
        Some(s) => match s {
            ComponentStatus::Operational => "state-operational",
            ComponentStatus::DegradedPerformance => "state-degraded_performance",
            ComponentStatus::PartialOutage => "state-partial_outage",
            ComponentStatus::MajorOutage => "state-major_outage",
            ComponentStatus::UnderMaintenance => "state-under_maintenance",
        },
    }
}

/// What one day was, in words: the figure, each state that lasted, the incidents.
fn day_words(d: &DayBar) -> String {
    let mut parts = vec![format!("{}: {}", d.date.format("%-d %b %Y"), percent(d.uptime))];
    for (secs, what) in [
        (d.major_outage_seconds, "major outage"),
        (d.partial_outage_seconds, "partial outage"),
        (d.degraded_performance_seconds, "degraded performance"),
        (d.under_maintenance_seconds, "maintenance"),
    ] {
        if secs > 0 {
            parts.push(format!("{what} {}", duration_words(secs)));
        }
    }
    if !d.incidents.is_empty() {
        parts.push(d.incidents.join("; "));
    }
    parts.join(", ")
}

/// Ninety days as bars for the eye (hidden from screen readers), and the same days as a table
/// anyone can read with a keyboard or a screen reader.
#[component]
fn Days(name: String, days: Vec<DayBar>) -> impl IntoView {
    let rows = days.clone();
    view! {
        <div class="uptime-bars" aria-hidden="true">
            {days.iter().map(|d| view! { <span class=format!("bar {}", state_class(d.worst)) title=day_words(d)></span> }).collect_view()}
        </div>
        <details class="uptime-days">
            <summary>{format!("Daily history of {name}")}</summary>
            <table class="table">
                <caption class="visually-hidden">{format!("Uptime of {name} per day, newest first")}</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col">"Uptime"</th><th scope="col">"What happened"</th></tr></thead>
                <tbody>
                    {rows.into_iter().rev().map(|d| {
                        let words = day_words(&d);
                        let rest = words.split_once(", ").map(|(_, r)| r.to_owned()).unwrap_or_default();
                        view! {
                            <tr>
                                <th scope="row">{d.date.format("%a %-d %b").to_string()}</th>
                                <td>{percent(d.uptime)}</td>
                                <td>{if rest.is_empty() { "No incidents".to_owned() } else { rest }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[component]
fn ComponentLine(c: ComponentRow) -> impl IntoView {
    view! {
        <li class="component">
            <div class="component-head">
                <span class="component-name">{c.name.clone()}</span>
                <span class=format!("state-label {}", state_class(Some(c.status)))>{c.status.label()}</span>
            </div>
            {(!c.description.is_empty()).then(|| view! { <p class="muted small">{c.description.clone()}</p> })}
            <Days name=c.name.clone() days=c.days/>
            <p class="muted small uptime-figure">{format!("{} uptime over 90 days", percent(c.uptime))}</p>
        </li>
    }
}

#[component]
fn BlockView(b: Block) -> impl IntoView {
    let components = b.components.into_iter().map(|c| view! { <ComponentLine c=c/> }).collect_view();
    if b.name.is_empty() {
        view! { <ul class="components">{components}</ul> }.into_any()
    } else {
        view! {
            <section class="group" aria-labelledby=format!("group-{}", b.id.map(|i| i.to_string()).unwrap_or_default())>
                <h3 id=format!("group-{}", b.id.map(|i| i.to_string()).unwrap_or_default())>
                    {b.name.clone()} " "
                    <span class=format!("state-label {}", state_class(Some(b.status)))>{b.status.label()}</span>
                </h3>
                <ul class="components">{components}</ul>
            </section>
        }
        .into_any()
    }
}

#[component]
fn Update(u: UpdateBrief, tz: Tz) -> impl IntoView {
    view! {
        <div class="public-update">
            <p><strong>{u.status.label()}</strong> " · " <time datetime=u.display_at.to_rfc3339()>{at(u.display_at, tz)}</time></p>
            // Rendered from Markdown and sanitised on the server when it was posted.
            <div class="note" inner_html=u.body_html></div>
            {(!u.changes.is_empty()).then(|| view! { <p class="muted small">{u.changes.join("; ")}</p> })}
        </div>
    }
}

#[component]
fn Brief(i: IncidentBrief, tz: Tz) -> impl IntoView {
    let window = match (i.scheduled_for, i.scheduled_until) {
        (Some(f), Some(u)) => Some(format!("Scheduled {} to {}", at(f, tz), at(u, tz))),
        _ => None,
    };
    view! {
        <article class=format!("public-incident impact-{}", i.impact)>
            <h3><a href=format!("/status/incidents/{}", i.public_id)>{i.name.clone()}</a></h3>
            {window.map(|w| view! { <p class="muted small">{w}</p> })}
            {(!i.components.is_empty()).then(|| view! { <p class="muted small">{format!("Affects {}", i.components.join(", "))}</p> })}
            {i.latest.map(|u| view! { <Update u=u tz=tz/> })}
        </article>
    }
}

fn page_view(p: PublicPage) -> impl IntoView {
    let tz = zone(&p.time_zone);
    let components: Vec<(uuid::Uuid, String)> =
        p.blocks.iter().flat_map(|b| b.components.iter().map(|c| (c.id, c.name.clone()))).collect();
    let maintenance_words = if p.maintenance_counts { "counts as down" } else { "does not count" };
    view! {
        <Title text=p.name.clone()/>
        <h1>{p.name.clone()}</h1>
        // What the page's script swaps when the page changes (the subscribe form, which a reader
        // may be filling in, is outside).
        <div data-live="status">
        {p.banner.clone().map(|b| view! { <p class="status-notice">{b}</p> })}
        <section class=format!("status-banner indicator-{}", p.indicator)>
            <h2>{p.description.clone()}</h2>
            <p class="small">"As of " <time datetime=p.as_of.to_rfc3339()>{at(p.as_of, tz)}</time></p>
        </section>
        {(!p.active.is_empty()).then(|| view! {
            <section aria-labelledby="active-heading">
                <h2 id="active-heading">"Current incidents"</h2>
                {p.active.clone().into_iter().map(|i| view! { <Brief i=i tz=tz/> }).collect_view()}
            </section>
        })}
        {(!p.maintenances.is_empty()).then(|| view! {
            <section aria-labelledby="maintenance-heading">
                <h2 id="maintenance-heading">"Maintenance"</h2>
                {p.maintenances.clone().into_iter().map(|i| view! { <Brief i=i tz=tz/> }).collect_view()}
            </section>
        })}
        <section aria-labelledby="components-heading" class="panel">
            <h2 id="components-heading">"Components"</h2>
            {if p.blocks.is_empty() {
                view! { <p class="muted">"No components are published yet."</p> }.into_any()
            } else {
                p.blocks.into_iter().map(|b| view! { <BlockView b=b/> }).collect_view().into_any()
            }}
            <p class="muted small">
                {format!(
                    "Uptime per day counts a major outage fully and a partial outage as {:.0}% down; planned maintenance {maintenance_words}; degraded performance counts as up. Days are days in {} ({} hours on the days the clocks change).",
                    p.partial_weight * 100.0,
                    p.time_zone,
                    "23 or 25"
                )}
            </p>
        </section>
        </div>
        <section class="panel" aria-labelledby="subscribe-heading" id="subscribe">
            <h2 id="subscribe-heading">"Get updates by email"</h2>
            // A plain form: it works without JavaScript, and the answer is a page of its own.
            <form method="post" action="/status/subscribe" class="stacked-form">
                <label for="subscribe-email">"Email address"</label>
                <input id="subscribe-email" name="email" type="email" required autocomplete="email"/>
                {(!components.is_empty()).then(|| view! {
                    <fieldset>
                        <legend>"Only about (none ticked: everything)"</legend>
                        {components.into_iter().map(|(id, name)| view! {
                            <label class="check"><input type="checkbox" name="component" value=id.to_string()/>" " {name}</label>
                        }).collect_view()}
                    </fieldset>
                })}
                <button type="submit" class="button">"Subscribe"</button>
            </form>
            <p class="muted small">"We send a confirmation first, and nothing else until it is followed. Every message has a link to stop them."</p>
        </section>
        <nav aria-label="More about this page" class="status-links">
            <a href="/status/history">"Incident history"</a>
            " · "
            <a href="/status/feed.atom">"Atom feed"</a>
            " · "
            <a href="/api/v2/summary.json">"JSON"</a>
            {p.support_url.map(|u| view! { " · " <a href=u>"Support"</a> })}
        </nav>
    }
}

/// Where the page's script announces a change of the overall state to screen readers: present
/// from the start, as a live region must be.
#[component]
fn LiveNews() -> impl IntoView {
    view! { <p id="live-news" class="visually-hidden" aria-live="polite"></p> }
}

#[component]
pub fn StatusPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| public_status());
    view! {
        <main class="content narrow status-page" id="main">
            <LiveNews/>
            <Transition fallback=|| view! { <p class="muted">"Loading the status…"</p> }>
                {move || Suspend::new(async move {
                    let p = page.await?;
                    Ok::<_, AppError>(page_view(p))
                })}
            </Transition>
        </main>
    }
}

#[component]
pub fn StatusIncidentPage() -> impl IntoView {
    let params = use_params_map();
    let incident = Resource::new(move || params.read().get("id").unwrap_or_default(), public_incident);
    view! {
        <main class="content narrow status-page" id="main">
            <LiveNews/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let p = incident.await?;
                    let tz = zone(&p.time_zone);
                    let i = p.incident;
                    let lasted = i.resolved_at.map(|r| duration_words((r - i.started_at).num_seconds()));
                    Ok::<_, AppError>(view! {
                        <div data-live="incident">
                        <Title text=format!("{} · {}", i.name, p.page_name)/>
                        <p><a href="/status">{format!("← {}", p.page_name)}</a></p>
                        <h1>{i.name.clone()}</h1>
                        <p class="muted">
                            {i.status.label()} " · impact " {i.impact.as_str()} " · began "
                            <time datetime=i.started_at.to_rfc3339()>{at(i.started_at, tz)}</time>
                            {lasted.map(|l| format!(" · lasted {l}"))}
                        </p>
                        {(!i.components.is_empty()).then(|| view! { <p>{format!("Affected: {}", i.components.join(", "))}</p> })}
                        <section aria-labelledby="updates-heading" class="panel">
                            <h2 id="updates-heading">"Updates"</h2>
                            {p.updates.into_iter().rev().map(|u| view! { <Update u=u tz=tz/> }).collect_view()}
                        </section>
                        </div>
                        {(!i.status.is_closed()).then(|| view! {
                            <section class="panel" aria-labelledby="follow-heading" id="subscribe">
                                <h2 id="follow-heading">"Get updates on this incident"</h2>
                                <form method="post" action="/status/subscribe" class="stacked-form">
                                    <input type="hidden" name="incident" value=i.public_id.clone()/>
                                    <label for="follow-email">"Email address"</label>
                                    <input id="follow-email" name="email" type="email" required autocomplete="email"/>
                                    <button type="submit" class="button">"Subscribe to this incident"</button>
                                </form>
                                <p class="muted small">"We send a confirmation first. You hear of this incident's updates only, until you unsubscribe."</p>
                            </section>
                        })}
                    })
                })}
            </Transition>
        </main>
    }
}

/// The path of a page of the history: paths, not queries, so each page is cached (and exported)
/// like the others.
fn history_path(page: u32) -> String {
    if page <= 1 { "/status/history".to_owned() } else { format!("/status/history/{page}") }
}

#[component]
pub fn StatusHistoryPage() -> impl IntoView {
    let params = use_params_map();
    let history = Resource::new(
        move || params.read().get("page").map(|p| p.parse::<u32>().unwrap_or(0)).unwrap_or(1),
        public_history,
    );
    view! {
        <main class="content narrow status-page" id="main">
            <LiveNews/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let h = history.await?;
                    let (name, tz) = (h.page_name.clone(), zone(&h.time_zone));
                    let mut months: Vec<(String, Vec<IncidentBrief>)> = Vec::new();
                    for i in h.items {
                        let month = i.scheduled_for.unwrap_or(i.started_at).with_timezone(&tz).format("%B %Y").to_string();
                        match months.last_mut() {
                            Some((m, list)) if *m == month => list.push(i),
                            _ => months.push((month, vec![i])),
                        }
                    }
                    let (page, pages) = (h.page, h.pages);
                    let title = if page > 1 { format!("History, page {page} · {name}") } else { format!("History · {name}") };
                    Ok::<_, AppError>(view! {
                        <div data-live="history">
                        <Title text=title/>
                        <p><a href="/status">{format!("← {name}")}</a></p>
                        <h1>"Incident history"</h1>
                        {if months.is_empty() {
                            view! { <p class="muted">"No incidents reported."</p> }.into_any()
                        } else {
                            months.into_iter().map(|(month, list)| view! {
                                <section class="panel">
                                    <h2>{month}</h2>
                                    <ul class="history">
                                        {list.into_iter().map(|i| {
                                            let lasted = i.resolved_at.map(|r| duration_words((r - i.started_at).num_seconds()));
                                            view! {
                                                <li>
                                                    <a href=format!("/status/incidents/{}", i.public_id)>{i.name.clone()}</a>
                                                    <span class="muted small">
                                                        {format!(" · {} · {}", if i.maintenance { "maintenance" } else { i.impact.as_str() }, at(i.started_at, tz))}
                                                        {lasted.map(|l| format!(" · lasted {l}"))}
                                                        {format!(" · {}", i.status.label())}
                                                    </span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </section>
                            }).collect_view().into_any()
                        }}
                        {(pages > 1).then(|| view! {
                            <nav aria-label="History pages" class="status-links">
                                {(page > 1).then(|| view! { <a rel="prev" href=history_path(page - 1)>"← Newer"</a> " · " })}
                                {format!("Page {page} of {pages}")}
                                {(page < pages).then(|| view! { " · " <a rel="next" href=history_path(page + 1)>"Older →"</a> })}
                            </nav>
                        })}
                        </div>
                    })
                })}
            </Transition>
        </main>
    }
}
