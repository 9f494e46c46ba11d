//! `/analytics`: is response getting better, who carries the load, are people woken too often,
//! which alerts are noise, is severity inflated, are postmortems done, and did a change help.
//! Filters live in the address (shareable, no JavaScript needed); charts come drawn from the
//! server; every chart has its numbers in a table beneath and every table a CSV link.

use domain::analytics::{
    CompareInput, FilterInput, InterruptionCounts, Metric, ResponseFigures, Summary, compare::amount,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::analytics::{AnalyticsView, Chart, analytics},
    error::AppError,
};

const RANGES: [(&str, &str); 4] =
    [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("365", "Last year")];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "4m 05s", "2h 10m", or a dash when there is nothing to measure.
pub fn duration(seconds: Option<f64>) -> String {
    let Some(s) = seconds else { return "–".to_owned() };
    let s = s.round() as i64;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The change from the previous window, in words a person can read without colour: "12% lower".
fn change(
    now: Option<f64>,
    before: Option<f64>,
    lower_is_better: bool,
    count: bool,
) -> (String, &'static str) {
    let known = |x: Option<f64>| x.filter(|x| x.is_finite());
    if count && let (Some(n), Some(b)) = (known(now), known(before)) {
        // A count says what it was: "up 2,000%" from a window that held one incident says nothing.
        let class = if n == b {
            ""
        } else if (n < b) == lower_is_better {
            "better"
        } else {
            "worse"
        };
        return (format!("{b:.0} in the window before"), class);
    }
    match (known(now), known(before)) {
        (Some(n), Some(b)) if b > 0.0 => {
            let d = (n - b) / b;
            if d.abs() < 0.005 {
                return ("same as before".to_owned(), "");
            }
            let better = (d < 0.0) == lower_is_better;
            let word = if d < 0.0 { "lower" } else { "higher" };
            (
                format!("{:.0}% {word} than the window before", d.abs() * 100.0),
                if better { "better" } else { "worse" },
            )
        }
        (Some(_), _) => ("nothing to compare with before".to_owned(), ""),
        _ => (String::new(), ""),
    }
}

#[component]
fn Figure(
    label: &'static str,
    value: String,
    #[prop(optional)] now: Option<f64>,
    #[prop(optional)] before: Option<f64>,
    #[prop(optional)] lower_is_better: bool,
    /// A count (compared as "N before"), not a duration (compared in percent).
    #[prop(optional)]
    count: bool,
) -> impl IntoView {
    let (text, class) = change(now, before, lower_is_better, count);
    view! {
        <div class="figure">
            <dt>{label}</dt>
            <dd>
                <span class="figure-value">{value}</span>
                {(!text.is_empty()).then(|| view! { <span class=format!("figure-change {class}")>{text}</span> })}
            </dd>
        </div>
    }
}

#[component]
fn ChartFigure(chart: Option<Chart>) -> impl IntoView {
    chart.map(|c| {
        view! {
            <figure class="chart" id=c.id.clone()>
                // Our own SVG, drawn by the server from figures; every text in it is escaped.
                <div class="chart-svg" inner_html=c.svg></div>
                <figcaption class="muted">{c.description}</figcaption>
            </figure>
        }
    })
}

#[component]
fn Csv(href: String, what: &'static str) -> impl IntoView {
    view! { <a class="csv-link" href=href download>{format!("Download {what} as CSV")}</a> }
}

fn summary_cells(s: &Summary) -> impl IntoView + use<> {
    let s = *s;
    view! {
        <td>{duration(s.p50)}</td>
        <td>{duration(s.p90)}</td>
        <td>{duration(s.mean)}</td>
        <td>{s.count}</td>
    }
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).filter(|v| !v.trim().is_empty());
    let inputs = move || {
        let filter = FilterInput {
            from: get("from"),
            to: get("to"),
            days: get("days"),
            tz: get("tz"),
            team: get("team"),
            service: get("service"),
            severity: get("severity"),
        };
        let compare = CompareInput {
            metric: get("metric").or(Some("mtta".to_owned())),
            at: get("at"),
            days: get("compare_days").and_then(|d| d.parse().ok()),
            ..Default::default()
        };
        (filter, compare)
    };
    let data = Resource::new(inputs, |(f, c)| analytics(f, c));
    view! {
        <Title text="Analytics"/>
        <div class="page-head"><h1>"Analytics"</h1></div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let v = data.await?;
                let (filter, compare) = inputs();
                Ok::<_, AppError>(view! { <Report v filter compare/> })
            })}
        </Transition>
    }
}

#[component]
fn Report(v: AnalyticsView, filter: FilterInput, compare: CompareInput) -> impl IntoView {
    let r = &v.response;
    // The window as the server read it: CSV links ask for exactly the same.
    let mut scope = format!("from={}&to={}&tz={}", r.from, r.to, r.time_zone);
    for (k, val) in [("team", &filter.team), ("service", &filter.service), ("severity", &filter.severity)] {
        if let Some(val) = val {
            scope.push_str(&format!("&{k}={val}"));
        }
    }
    let api = |path: &str, extra: &str| format!("/api/v1/analytics/{path}?{scope}{extra}&format=csv");
    let days = (r.to - r.from).num_days();
    let (t, p) = (r.total.clone(), r.previous.clone());
    let i = v.interruptions.clone();
    let range = filter.days.clone().unwrap_or_default();
    let custom = filter.from.is_some();
    view! {
        <form method="get" action="/analytics" class="filters analytics-filters" aria-label="Filters">
            <label for="an-days">"Window"</label>
            <select id="an-days" name="days">
                {RANGES.map(|(d, label)| view! { <option value=d selected=!custom && (range == d || (range.is_empty() && d == "30"))>{label}</option> }).collect_view()}
            </select>
            <label for="an-from">"or from"</label>
            <input id="an-from" type="date" name="from" value=filter.from.clone().unwrap_or_default()/>
            <label for="an-to">"to (excluded)"</label>
            <input id="an-to" type="date" name="to" value=filter.to.clone().unwrap_or_default()/>
            <label for="an-team">"Team"</label>
            <select id="an-team" name="team">
                <option value="">"All teams"</option>
                {v.teams.iter().map(|(slug, name)| view! { <option value=slug.clone() selected=filter.team.as_deref() == Some(slug.as_str())>{name.clone()}</option> }).collect_view()}
            </select>
            <label for="an-service">"Service"</label>
            <select id="an-service" name="service">
                <option value="">"All services"</option>
                {v.services.iter().map(|(slug, name)| view! { <option value=slug.clone() selected=filter.service.as_deref() == Some(slug.as_str())>{name.clone()}</option> }).collect_view()}
            </select>
            <label for="an-severity">"Severity"</label>
            <select id="an-severity" name="severity">
                <option value="">"Any"</option>
                {["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"].map(|s| view! { <option value=s selected=filter.severity.as_deref() == Some(s)>{s}</option> }).collect_view()}
            </select>
            <button type="submit" class="button">"Apply"</button>
        </form>
        <p class="muted" id="analytics-window">
            {format!("Incidents declared from {} to {} ({} days, {}); changes are against the {} days before.", r.from, r.to.pred_opt().unwrap_or(r.to), days, r.time_zone, days)}
        </p>

        <section class="panel" aria-labelledby="headline-h">
            <h2 id="headline-h">"Headline"</h2>
            <dl class="figures" id="headline">
                <Figure label="Incidents" value=t.incidents.to_string() now=t.incidents as f64 before=p.incidents as f64 lower_is_better=true count=true/>
                <Figure label="Median time to acknowledge" value=duration(t.mtta_seconds.p50) now=t.mtta_seconds.p50.unwrap_or(f64::NAN) before=p.mtta_seconds.p50.unwrap_or(f64::NAN) lower_is_better=true/>
                <Figure label="Median time to mitigate" value=duration(t.mttm_seconds.p50)/>
                <Figure label="Median time to resolve" value=duration(t.mttr_seconds.p50) now=t.mttr_seconds.p50.unwrap_or(f64::NAN) before=p.mttr_seconds.p50.unwrap_or(f64::NAN) lower_is_better=true/>
                <Figure label="Escalated to level 2+" value=percent(t.escalation_rate)/>
                <Figure label="No responder" value=t.no_responder.to_string()/>
                <Figure label="Off-hours interruptions" value=i.total.off_hours.to_string() now=i.total.off_hours as f64 before=i.previous.off_hours as f64 lower_is_better=true count=true/>
                <Figure label="Sleep-hour interruptions" value=i.total.sleep.to_string() now=i.total.sleep as f64 before=i.previous.sleep as f64 lower_is_better=true count=true/>
            </dl>
        </section>

        <section class="panel" aria-labelledby="trend-h">
            <h2 id="trend-h">"Response by week"</h2>
            <div class="chart-pair">
                <ChartFigure chart=v.chart("mtta-chart")/>
                <ChartFigure chart=v.chart("mttr-chart")/>
            </div>
            <ResponseTable rows=r.rows.iter().map(|row| (row.key.clone(), row.figures.clone())).collect() total=t.clone()/>
            <Csv href=api("response", "&group_by=week") what="response by week"/>
        </section>

        <section class="panel" aria-labelledby="mix-h">
            <h2 id="mix-h">"Severity mix"</h2>
            <ChartFigure chart=v.chart("severity-chart")/>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Severity mix per week">
                <table class="table" id="severity-table">
                    <caption class="visually-hidden">"Incidents per week by current severity"</caption>
                    <thead><tr><th scope="col">"Week"</th>{(1..=5).map(|s| view! { <th scope="col">{format!("SEV{s}")}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {r.rows.iter().map(|row| view! {
                            <tr><th scope="row">{row.key.clone()}</th>{row.figures.by_severity.map(|n| view! { <td>{n}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Csv href=api("response", "&group_by=week") what="severity mix"/>
        </section>

        <section class="panel" aria-labelledby="interruptions-h">
            <h2 id="interruptions-h">"Interruptions by hour of the week"</h2>
            <ChartFigure chart=v.chart("heatmap-chart")/>
            <HeatTable hours=i.hour_of_week.iter().map(|h| h.interruptions).collect() zone=i.time_zone.clone()/>
            <Csv href=api("interruptions", "&group_by=hour_of_week") what="interruptions by hour"/>
        </section>

        <section class="panel" aria-labelledby="load-h">
            <h2 id="load-h">"Load per responder"</h2>
            <ChartFigure chart=v.chart("load-chart")/>
            <LoadTable i=i.clone()/>
            <Csv href=api("interruptions", "&group_by=responder") what="load per responder"/>
        </section>

        <NoiseSection v=v.clone() csv=api("noise", "")/>
        <PrioritySection v=v.clone() csv=api("priority", "")/>
        <LearningSection v=v.clone() csv=api("postmortems", "")/>
        <CompareSection v=v.clone() filter=filter.clone() compare scope=scope.clone()/>
        <Formulas v/>
    }
}

#[component]
fn ResponseTable(rows: Vec<(String, ResponseFigures)>, total: ResponseFigures) -> impl IntoView {
    let line = |key: String, f: &ResponseFigures, total: bool| {
        let key_cell = if total {
            view! { <th scope="row">"All weeks"</th> }.into_any()
        } else {
            view! { <th scope="row">{key}</th> }.into_any()
        };
        view! {
            <tr class:total=total>
                {key_cell}
                <td>{f.incidents}</td>
                {summary_cells(&f.mtta_seconds)}
                {summary_cells(&f.mttr_seconds)}
                <td>{percent(f.escalation_rate)}</td>
                <td>{f.no_responder}</td>
            </tr>
        }
    };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Response by week">
            <table class="table" id="response-table">
                <thead>
                    <tr><th scope="col" rowspan="2">"Week"</th><th scope="col" rowspan="2">"Incidents"</th>
                        <th scope="colgroup" colspan="4">"Time to acknowledge"</th><th scope="colgroup" colspan="4">"Time to resolve"</th>
                        <th scope="col" rowspan="2">"Escalated"</th><th scope="col" rowspan="2">"No responder"</th></tr>
                    <tr>{["Median", "p90", "Mean", "Count", "Median", "p90", "Mean", "Count"].map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {rows.iter().map(|(k, f)| line(k.clone(), f, false)).collect_view()}
                    {line(String::new(), &total, true)}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn HeatTable(hours: Vec<u64>, zone: String) -> impl IntoView {
    let max = hours.iter().copied().max().unwrap_or(0).max(1);
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Interruptions by hour of the week">
            <table class="table heat-table" id="heat-table">
                <caption class="visually-hidden">{format!("Interruptions by day and hour, {zone}")}</caption>
                <thead><tr><th scope="col">"Day"</th>{(0..24).map(|h| view! { <th scope="col">{format!("{h:02}")}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {DAYS.iter().enumerate().map(|(d, day)| view! {
                        <tr>
                            <th scope="row">{*day}</th>
                            {(0..24).map(|h| {
                                let n = hours.get(d * 24 + h).copied().unwrap_or(0);
                                view! { <td class="heat" style=format!("--heat: {:.2}", n as f64 / max as f64)>{n}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LoadTable(i: domain::analytics::InterruptionsReport) -> impl IntoView {
    let counts = |c: &InterruptionCounts| {
        let c = *c;
        view! { <td>{c.total}</td><td>{c.business}</td><td>{c.off_hours}</td><td>{c.sleep}</td> }
    };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Load per responder">
            <table class="table" id="load-table">
                <thead><tr>
                    <th scope="col">"Responder"</th><th scope="col">"Zone"</th><th scope="col">"Interruptions"</th>
                    <th scope="col">"Working hours"</th><th scope="col">"Off-hours"</th><th scope="col">"Sleep hours"</th>
                    <th scope="col">"Acknowledged"</th><th scope="col">"Engaged (h)"</th><th scope="col">"On call (h)"</th>
                </tr></thead>
                <tbody>
                    {i.responders.iter().map(|p| view! {
                        <tr class:woken={p.interruptions.sleep > 0}>
                            <th scope="row">{p.name.clone()}{(p.interruptions.sleep > 0).then_some(" (woken)")}</th>
                            <td>{p.time_zone.clone()}</td>
                            {counts(&p.interruptions)}
                            <td>{p.acknowledged}</td>
                            <td>{format!("{:.1}", p.engaged_hours)}</td>
                            <td>{format!("{:.0}", p.on_call_hours)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn NoiseSection(v: AnalyticsView, csv: String) -> impl IntoView {
    let n = v.noise.figures.clone();
    let t = &v.response.total;
    view! {
        <section class="panel" aria-labelledby="noise-h">
            <h2 id="noise-h">"Escalation and noise"</h2>
            <dl class="figures">
                <Figure label="Escalated to level 2+" value=format!("{} ({})", t.escalated, percent(t.escalation_rate))/>
                <Figure label="Alerts per incident" value=format!("{:.1}", n.alerts_per_incident)/>
                <Figure label="Resolved by their source, nobody acting" value=n.resolved_by_source.to_string()/>
                <Figure label="Flapping alerts" value=n.flapping_alerts.to_string()/>
            </dl>
            <h3>"Noisiest alert rules: the list to fix"</h3>
            {if n.rules.is_empty() {
                view! { <p class="muted">"No alerts opened incidents in this window."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Noisiest alert rules">
                        <table class="table" id="noise-table">
                            <thead><tr>
                                <th scope="col">"Rule"</th><th scope="col">"Service"</th><th scope="col">"Pages"</th><th scope="col">"Incidents"</th>
                                <th scope="col">"Alerts"</th><th scope="col">"Acknowledged"</th><th scope="col">"Nobody acted"</th><th scope="col">"Flapping"</th>
                            </tr></thead>
                            <tbody>
                                {n.rules.iter().take(20).map(|r| view! {
                                    <tr>
                                        <th scope="row"><code>{r.rule.clone()}</code></th>
                                        <td><a href=format!("/services/{}", r.service)>{r.service.clone()}</a></td>
                                        <td>{r.pages}</td><td>{r.incidents}</td><td>{r.alerts}</td>
                                        <td>{percent(r.acknowledged_share)}</td><td>{percent(r.nobody_acted_share)}</td><td>{r.flapping}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <Csv href=csv what="noise by rule"/>
        </section>
    }
}

#[component]
fn PrioritySection(v: AnalyticsView, csv: String) -> impl IntoView {
    let p = v.priority.figures.clone();
    let max = p.declared_x_final.iter().flatten().copied().max().unwrap_or(0).max(1);
    let rows = |rows: &[domain::analytics::InflationRow]| {
        rows.iter()
            .map(|r| view! { <tr><th scope="row">{r.key.clone()}</th><td>{r.incidents}</td><td>{r.de_escalated}</td><td>{percent(r.share)}</td></tr> })
            .collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="priority-h">
            <h2 id="priority-h">"Priority inflation"</h2>
            <p>{format!(
                "{} of {} incidents ({}) settled at a lower severity than they were declared with; {} became more severe at some point.",
                p.de_escalated, p.incidents, percent(p.de_escalated_share), p.escalated
            )}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Declared against final severity">
                <table class="table matrix" id="priority-matrix">
                    <caption>"Declared severity (rows) against final severity (columns)"</caption>
                    <thead><tr><th scope="col">"Declared"</th>{(1..=5).map(|s| view! { <th scope="col">{format!("Final SEV{s}")}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {p.declared_x_final.iter().enumerate().map(|(d, row)| view! {
                            <tr>
                                <th scope="row">{format!("SEV{}", d + 1)}</th>
                                {row.iter().enumerate().map(|(f, n)| {
                                    let mark = if f > d && *n > 0 { " (lowered)" } else { "" };
                                    view! { <td class="heat" class:diagonal=f == d style=format!("--heat: {:.2}", *n as f64 / max as f64)>{format!("{n}{mark}")}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="two-columns">
                <table class="table" id="inflation-by-team">
                    <caption>"By team, most inflated first"</caption>
                    <thead><tr><th scope="col">"Team"</th><th scope="col">"Incidents"</th><th scope="col">"Lowered"</th><th scope="col">"Share"</th></tr></thead>
                    <tbody>{rows(&p.by_team)}</tbody>
                </table>
                <table class="table" id="inflation-by-service">
                    <caption>"By service, most inflated first"</caption>
                    <thead><tr><th scope="col">"Service"</th><th scope="col">"Incidents"</th><th scope="col">"Lowered"</th><th scope="col">"Share"</th></tr></thead>
                    <tbody>{rows(&p.by_service)}</tbody>
                </table>
            </div>
            <Csv href=csv what="the severity matrix"/>
        </section>
    }
}

#[component]
fn LearningSection(v: AnalyticsView, csv: String) -> impl IntoView {
    let l = v.learning.figures.clone();
    let days = |d: Option<f64>| d.map_or_else(|| "–".to_owned(), |d| format!("{d:.1} days"));
    view! {
        <section class="panel" aria-labelledby="learning-h">
            <h2 id="learning-h">"Postmortems and corrective actions"</h2>
            <dl class="figures" id="learning">
                <Figure label="Postmortems" value=format!("{} ({} published)", l.postmortems, l.published)/>
                <Figure label="Published on time" value=format!("{} ({})", l.published_on_time, percent(l.on_time_share))/>
                <Figure label="Overdue, unpublished" value=l.overdue.to_string()/>
                <Figure label="Median time to publish" value=days(l.median_days_to_publish)/>
                <Figure label="Actions open" value=l.actions_open.to_string()/>
                <Figure label="Actions overdue" value=l.actions_overdue.to_string()/>
                <Figure label="Actions done" value=format!("{} (+{} won't do)", l.actions_done, l.actions_wont_do)/>
                <Figure label="Median age of open actions" value=days(l.median_open_action_age_days)/>
            </dl>
            <p><a href="/postmortems">"The review queue"</a>" · "<a href="/postmortems/actions?overdue=true">"Overdue actions"</a></p>
            <Csv href=csv what="postmortem figures"/>
        </section>
    }
}

#[component]
fn CompareSection(
    v: AnalyticsView,
    filter: FilterInput,
    compare: CompareInput,
    scope: String,
) -> impl IntoView {
    let metric = compare.metric.clone().unwrap_or_else(|| "mtta".to_owned());
    let days = compare.days.unwrap_or(30);
    let at = compare.at.clone().unwrap_or_default();
    let keep: Vec<(&str, String)> = [
        ("from", filter.from.clone()),
        ("to", filter.to.clone()),
        ("days", filter.days.clone()),
        ("team", filter.team.clone()),
        ("service", filter.service.clone()),
        ("severity", filter.severity.clone()),
        ("tz", filter.tz.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    view! {
        <section class="panel" aria-labelledby="compare-h" id="before-after">
            <h2 id="compare-h">"Before and after"</h2>
            <p class="muted">"Did a change help? Pick a figure and the day the change shipped: the same number of days either side are compared."</p>
            <form method="get" action="/analytics#before-after" class="inline-form" aria-label="Before and after">
                {keep.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
                <label for="cmp-metric">"Figure"</label>
                <select id="cmp-metric" name="metric">
                    {Metric::ALL.map(|m| view! { <option value=m.as_str() selected=metric == m.as_str()>{m.label()}</option> }).collect_view()}
                </select>
                <label for="cmp-at">"Change shipped on"</label>
                <input id="cmp-at" type="date" name="at" value=at.clone() required/>
                <label for="cmp-days">"Days each side"</label>
                <input id="cmp-days" type="number" name="compare_days" min="1" max="366" value=days.to_string()/>
                <button type="submit" class="button">"Compare"</button>
            </form>
            {v.compare.clone().map(|c| {
                let m = c.metric;
                let show = move |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |x| amount(m, x));
                let cmp = c.comparison.clone();
                let csv = format!("/api/v1/analytics/compare?{scope}&metric={}&at={}&days={}&format=csv", m.as_str(), c.at, c.days);
                view! {
                    <p class="compare-summary" id="compare-summary" role="status"><strong>{format!("{}: {}", m.label(), cmp.summary)}</strong></p>
                    <ChartFigure chart=v.chart("compare-chart")/>
                    <table class="table" id="compare-table">
                        <thead><tr><th scope="col">"Side"</th><th scope="col">"Days"</th><th scope="col">"Median"</th><th scope="col">"Count"</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">"Before"</th><td>{format!("{} to {}", c.at - chrono::Duration::days(c.days), c.at.pred_opt().unwrap_or(c.at))}</td><td>{show(cmp.before.median)}</td><td>{cmp.before.count}</td></tr>
                            <tr><th scope="row">"After"</th><td>{format!("{} to {}", c.at, c.at + chrono::Duration::days(c.days - 1))}</td><td>{show(cmp.after.median)}</td><td>{cmp.after.count}</td></tr>
                        </tbody>
                    </table>
                    {cmp.p_value.map(|pv| view! {
                        <p class="muted">{format!(
                            "Difference of medians {} (95% bootstrap interval {} to {}); Mann-Whitney U p = {:.4}.",
                            cmp.difference.map_or_else(String::new, |d| format!("{}{}", if d < 0.0 { "−" } else { "+" }, amount(m, d))),
                            cmp.ci95.map_or_else(String::new, |ci| format!("{}{}", if ci[0] < 0.0 { "−" } else { "" }, amount(m, ci[0]))),
                            cmp.ci95.map_or_else(String::new, |ci| format!("{}{}", if ci[1] < 0.0 { "−" } else { "" }, amount(m, ci[1]))),
                            pv
                        )}</p>
                    })}
                    <Csv href=csv what="the comparison"/>
                }
            })}
        </section>
    }
}

#[component]
fn Formulas(v: AnalyticsView) -> impl IntoView {
    view! {
        <details class="panel formulas" id="formulas">
            <summary>"How these figures are computed"</summary>
            <ul>
                <li>"Window: incidents declared (created) from the first day to the day before the last, days counted in the window's time zone."</li>
                <li>"Time to acknowledge (MTTA): from declaration to the first acknowledgement, over incidents acknowledged; incidents triaged \"no responder\" are counted apart and left out. Time to mitigate (MTTM) and to resolve (MTTR) likewise, the latter over resolved incidents. Whole seconds."</li>
                <li>"Median and p90 interpolate between the two nearest values (PostgreSQL's percentile_cont); the mean is shown beside them because a mean alone misleads."</li>
                <li>"Escalated: the escalation policy paged its level 2 or beyond."</li>
                <li>"Interruption: notifications to one person within 60 seconds of the first count as one (PagerDuty's definition). Classed in that person's own time zone by their team's working hours: working hours, off-hours (the rest) and sleep hours (inside off-hours)."</li>
                {v.interruptions.hours.iter().map(|h| view! { <li>{format!("{}: {} ({})", h.team, h.description, h.time_zone)}</li> }).collect_view()}
                <li>"Engaged hours: from a person's acknowledgement or role on an incident to its resolution, overlapping incidents counted once. On-call hours: primary and secondary shifts in every schedule, overlaps counted once."</li>
                <li>"Noise: a rule is the Alertmanager alertname, else the dedup key up to its first digit. \"Nobody acted\": resolved by its alert source with no person writing anything on the incident."</li>
                <li>"Priority inflation: the severity declared against the severity at the end and the worst reached."</li>
                <li>"Before and after: medians of each side, the difference (after minus before) with a 95% percentile-bootstrap interval (fixed seed) and a two-sided Mann-Whitney U test (normal approximation, tie-corrected). Fewer than 10 values on a side is \"not enough data\". Interruptions compare per-day counts."</li>
            </ul>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_changes_read_as_words() {
        assert_eq!(duration(Some(45.0)), "45s");
        assert_eq!(duration(Some(245.0)), "4m 05s");
        assert_eq!(duration(Some(7800.0)), "2h 10m");
        assert_eq!(duration(Some(90_000.0)), "1d 01h");
        assert_eq!(duration(None), "–");
        assert_eq!(
            change(Some(80.0), Some(100.0), true, false),
            ("20% lower than the window before".to_owned(), "better")
        );
        assert_eq!(change(Some(120.0), Some(100.0), true, false).1, "worse");
        assert_eq!(change(Some(1.0), None, true, false).0, "nothing to compare with before");
        assert_eq!(
            change(Some(152.0), Some(1.0), true, true),
            ("1 in the window before".to_owned(), "worse")
        );
    }
}
