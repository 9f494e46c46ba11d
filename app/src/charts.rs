//! The analytics charts, drawn on the server as SVG with plotters (no chart JavaScript). Text and
//! axes are drawn in `currentColor`, so a chart reads in the page's light or dark theme; series
//! use mid-tone colours that hold on both backgrounds. Each chart carries a `<title>` and a
//! `<desc>` for screen readers; the page prints the same numbers in a table beneath it.

use domain::analytics::{CompareReport, InterruptionsReport, Metric, ResponseReport};
use plotters::prelude::*;

pub use crate::api::analytics::Chart;

/// Every chart of `/analytics`: weekly MTTA and MTTR, the severity mix, the interruptions
/// heatmap, the load per responder and, when asked, the before/after.
pub fn analytics_charts(
    r: &ResponseReport,
    i: &InterruptionsReport,
    c: Option<&CompareReport>,
) -> Vec<Chart> {
    let points = |pick: fn(&domain::analytics::ResponseFigures) -> &domain::analytics::Summary| {
        r.rows
            .iter()
            .map(|row| TrendPoint {
                label: row.key.clone(),
                p50: pick(&row.figures).p50,
                p90: pick(&row.figures).p90,
            })
            .collect::<Vec<_>>()
    };
    let mut charts = vec![
        trend("mtta-chart", "Time to acknowledge by week", &points(|f| &f.mtta_seconds)),
        trend("mttr-chart", "Time to resolve by week", &points(|f| &f.mttr_seconds)),
        severity_mix(
            "severity-chart",
            &r.rows.iter().map(|row| (row.key.clone(), row.figures.by_severity)).collect::<Vec<_>>(),
        ),
        heatmap(
            "heatmap-chart",
            &i.hour_of_week.iter().map(|h| h.interruptions).collect::<Vec<_>>(),
            &i.time_zone,
        ),
        load(
            "load-chart",
            &i.responders
                .iter()
                .filter(|p| p.interruptions.total > 0)
                .map(|p| LoadBar {
                    name: p.name.clone(),
                    business: p.interruptions.business,
                    off_hours: p.interruptions.off_hours,
                    sleep: p.interruptions.sleep,
                })
                .collect::<Vec<_>>(),
        ),
    ];
    if let Some(c) = c
        && let (Some(before), Some(after)) = (c.comparison.before.median, c.comparison.after.median)
    {
        charts.push(compare(
            "compare-chart",
            c.metric.label(),
            c.metric != Metric::Interruptions,
            before,
            after,
            c.comparison.ci95,
        ));
    }
    charts
}

/// Drawn where the theme's text colour goes; replaced by `currentColor` once drawn.
const INK: RGBColor = RGBColor(1, 2, 3);
const BLUE: RGBColor = RGBColor(59, 130, 246);
const AMBER: RGBColor = RGBColor(245, 158, 11);
const VIOLET: RGBColor = RGBColor(139, 92, 246);
const GREY: RGBColor = RGBColor(140, 140, 150);
/// SEV1 to SEV5.
const SEVERITY: [RGBColor; 5] = [
    RGBColor(220, 38, 38),
    RGBColor(234, 88, 12),
    RGBColor(217, 119, 6),
    RGBColor(37, 99, 235),
    RGBColor(107, 114, 128),
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Themes, sizes and labels the raw SVG: the root keeps its viewBox but not its fixed size (the
/// page's CSS sizes it), and gains a role, a title and a description.
fn finish(id: &str, title: &str, description: &str, raw: String) -> Chart {
    let svg = raw.replace("#010203", "currentColor");
    let svg = match svg.find("<svg ") {
        Some(start) => {
            let end = svg[start..].find('>').map_or(svg.len(), |e| start + e);
            let head = &svg[start..end];
            let kept: Vec<&str> =
                head.split(' ').filter(|a| !a.starts_with("width=") && !a.starts_with("height=")).collect();
            format!(
                "{}{} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
                &svg[..start],
                kept.join(" "),
                xml_escape(title),
                xml_escape(description),
                &svg[end + 1..]
            )
        }
        None => svg,
    };
    Chart { id: id.to_owned(), title: title.to_owned(), description: description.to_owned(), svg }
}

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// The label of the week at `x` when it is a whole position and one of every `every`, so a long
/// window's axis stays readable.
fn week_label(labels: &[String], every: usize, x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 || !(i as usize).is_multiple_of(every) {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}

/// Minutes with one decimal below ten, whole above.
fn minutes(seconds: f64) -> String {
    let m = seconds / 60.0;
    if m < 10.0 { format!("{m:.1} min") } else { format!("{m:.0} min") }
}

/// One point per week: the median (a line) and the 90th percentile (the band's top).
pub struct TrendPoint {
    pub label: String,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

/// A weekly duration trend: the median line over a band up to the 90th percentile, in minutes.
pub fn trend(id: &str, title: &str, points: &[TrendPoint]) -> Chart {
    let known: Vec<(usize, f64, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, p.p50? / 60.0, p.p90.or(p.p50)? / 60.0)))
        .collect();
    let description = match (known.first(), known.last()) {
        (Some(first), Some(last)) => format!(
            "{} weeks with data. Median {} in {}, {} in {} (90th percentile {}).",
            known.len(),
            minutes(first.1 * 60.0),
            points[first.0].label,
            minutes(last.1 * 60.0),
            points[last.0].label,
            minutes(last.2 * 60.0)
        ),
        _ => "No incidents in this window.".to_owned(),
    };
    let top = known.iter().map(|k| k.2).fold(1.0f64, f64::max) * 1.1;
    let n = points.len().max(1);
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (720, 260)).into_drawing_area();
        let labels: Vec<String> = points.iter().map(|p| p.label.replace("-W", " W")).collect();
        let every = n.div_ceil(8).max(1);
        let x_label = |x: &f64| week_label(&labels, every, *x);
        let y_label = |y: &f64| format!("{y:.0}");
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        {
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n.min(60))
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .y_desc("minutes")
                .label_style(font(12))
                .axis_desc_style(font(12))
                .axis_style(INK.mix(0.6))
                .light_line_style(INK.mix(0.08))
                .bold_line_style(INK.mix(0.15))
                .draw();
            // The band, drawn as one polygon per run of consecutive weeks with data.
            for run in known.chunk_by(|a, b| b.0 == a.0 + 1) {
                let mut outline: Vec<(f64, f64)> = run.iter().map(|k| (k.0 as f64, k.2)).collect();
                outline.extend(run.iter().rev().map(|k| (k.0 as f64, k.1)));
                let _ = chart.draw_series(std::iter::once(Polygon::new(outline, BLUE.mix(0.18).filled())));
                let _ = chart.draw_series(LineSeries::new(
                    run.iter().map(|k| (k.0 as f64, k.1)),
                    BLUE.stroke_width(2),
                ));
            }
            let _ = chart.draw_series(known.iter().map(|k| Circle::new((k.0 as f64, k.1), 3, BLUE.filled())));
        }
        let _ = root.present();
    }
    finish(id, title, &description, raw)
}

/// Incidents per week, stacked by severity (SEV1 at the bottom).
pub fn severity_mix(id: &str, weeks: &[(String, [u64; 5])]) -> Chart {
    let totals: Vec<u64> = weeks.iter().map(|(_, c)| c.iter().sum()).collect();
    let all: u64 = totals.iter().sum();
    let mut by = [0u64; 5];
    for (_, c) in weeks {
        for (i, n) in c.iter().enumerate() {
            by[i] += n;
        }
    }
    let description = if all == 0 {
        "No incidents in this window.".to_owned()
    } else {
        format!(
            "{all} incidents over {} weeks: {}.",
            weeks.len(),
            by.iter().enumerate().map(|(i, n)| format!("SEV{} {n}", i + 1)).collect::<Vec<_>>().join(", ")
        )
    };
    let top = totals.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.15;
    let n = weeks.len().max(1);
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (720, 260)).into_drawing_area();
        let labels: Vec<String> = weeks.iter().map(|(w, _)| w.replace("-W", " W")).collect();
        let every = n.div_ceil(8).max(1);
        let x_label = |x: &f64| week_label(&labels, every, *x);
        let y_label = |y: &f64| format!("{y:.0}");
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        {
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n.min(60))
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .y_desc("incidents")
                .label_style(font(12))
                .axis_desc_style(font(12))
                .axis_style(INK.mix(0.6))
                .light_line_style(INK.mix(0.08))
                .bold_line_style(INK.mix(0.15))
                .draw();
            for (i, (_, counts)) in weeks.iter().enumerate() {
                let mut base = 0.0;
                for (s, count) in counts.iter().enumerate() {
                    if *count == 0 {
                        continue;
                    }
                    let x = i as f64;
                    let rect = Rectangle::new(
                        [(x - 0.35, base), (x + 0.35, base + *count as f64)],
                        SEVERITY[s].filled(),
                    );
                    let _ = chart.draw_series(std::iter::once(rect));
                    base += *count as f64;
                }
            }
        }
        // The legend, as text beside coloured squares.
        for (s, colour) in SEVERITY.iter().enumerate() {
            let x = 70 + s as i32 * 70;
            let _ = root.draw(&Rectangle::new([(x, 4), (x + 10, 14)], colour.filled()));
            let _ = root.draw(&Text::new(format!("SEV{}", s + 1), (x + 14, 3), font(11)));
        }
        let _ = root.present();
    }
    finish(id, "Severity mix per week", &description, raw)
}

/// Interruptions by hour of the week: 7 rows of 24 cells, darker for more.
pub fn heatmap(id: &str, counts: &[u64], zone: &str) -> Chart {
    let max = counts.iter().copied().max().unwrap_or(0);
    let total: u64 = counts.iter().sum();
    let busiest = counts.iter().enumerate().max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)));
    let description = match busiest {
        Some((hour, n)) if *n > 0 => format!(
            "{total} interruptions by hour of the week in {zone}; the busiest hour is {} {:02}:00 with {n}.",
            DAYS[hour / 24],
            hour % 24
        ),
        _ => format!("No interruptions in this window ({zone})."),
    };
    let (cell_w, cell_h, left, top) = (26i32, 24i32, 44i32, 22i32);
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(
            &mut raw,
            ((left + 24 * cell_w + 8) as u32, (top + 7 * cell_h + 8) as u32),
        )
        .into_drawing_area();
        for h in (0..24).step_by(3) {
            let _ = root.draw(&Text::new(format!("{h:02}"), (left + h * cell_w + 4, 4), font(11)));
        }
        for (d, day) in DAYS.iter().enumerate() {
            let y = top + d as i32 * cell_h;
            let _ = root.draw(&Text::new(*day, (4, y + 5), font(12)));
            for h in 0..24 {
                let n = counts.get(d * 24 + h as usize).copied().unwrap_or(0);
                let x = left + h * cell_w;
                let shade = if max == 0 || n == 0 { 0.06 } else { 0.2 + 0.8 * n as f64 / max as f64 };
                let colour = if n == 0 { INK.mix(shade) } else { VIOLET.mix(shade) };
                let _ = root.draw(&Rectangle::new(
                    [(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)],
                    colour.filled(),
                ));
            }
        }
        let _ = root.present();
    }
    finish(id, "Interruptions by hour of the week", &description, raw)
}

/// One person's bar: interruptions in working hours, other off-hours, and sleep hours.
pub struct LoadBar {
    pub name: String,
    pub business: u64,
    pub off_hours: u64,
    pub sleep: u64,
}

/// Interruptions per responder, split by when they came.
pub fn load(id: &str, bars: &[LoadBar]) -> Chart {
    let description = if bars.is_empty() {
        "Nobody was interrupted in this window.".to_owned()
    } else {
        bars.iter()
            .map(|b| {
                format!(
                    "{}: {} interruptions ({} in working hours, {} off-hours of which {} in sleep hours)",
                    b.name,
                    b.business + b.off_hours,
                    b.business,
                    b.off_hours,
                    b.sleep
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
            + "."
    };
    let max = bars.iter().map(|b| b.business + b.off_hours).max().unwrap_or(0).max(1);
    let (row, left, width) = (26i32, 150i32, 520i32);
    let height = 30 + row * bars.len().max(1) as i32;
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, ((left + width + 60) as u32, height as u32))
            .into_drawing_area();
        for (i, (label, colour)) in
            [("working hours", BLUE), ("off-hours", AMBER), ("sleep hours", VIOLET)].iter().enumerate()
        {
            let x = left + i as i32 * 130;
            let _ = root.draw(&Rectangle::new([(x, 4), (x + 10, 14)], colour.filled()));
            let _ = root.draw(&Text::new(*label, (x + 14, 3), font(11)));
        }
        let scale = |n: u64| (n as f64 / max as f64 * f64::from(width)) as i32;
        for (i, b) in bars.iter().enumerate() {
            let y = 26 + i as i32 * row;
            let name: String = b.name.chars().take(22).collect();
            let _ = root.draw(&Text::new(name, (4, y + 4), font(12)));
            let mut x = left;
            for (n, colour) in
                [(b.business, BLUE), (b.off_hours - b.sleep.min(b.off_hours), AMBER), (b.sleep, VIOLET)]
            {
                let w = scale(n);
                if w > 0 {
                    let _ = root.draw(&Rectangle::new([(x, y), (x + w, y + row - 8)], colour.filled()));
                }
                x += w;
            }
            let _ = root.draw(&Text::new(format!("{}", b.business + b.off_hours), (x + 6, y + 4), font(12)));
        }
        let _ = root.present();
    }
    finish(id, "Interruptions per responder", &description, raw)
}

/// The retro's trend lines: one small chart per figure over the five weeks (the last is the
/// retro's week), each point labelled by its value in the description.
pub fn retro_sparklines(trends: &[domain::retro::RetroTrend]) -> Vec<Chart> {
    /// A figure of a week, and how to say one value of it.
    type Line =
        (&'static str, &'static str, fn(&domain::retro::RetroFigures) -> Option<f64>, fn(f64) -> String);
    let lines: [Line; 6] = [
        ("spark-pages", "Pages", |f| Some(f.pages as f64), |v| format!("{v:.0}")),
        ("spark-off-hours", "Off-hours pages", |f| Some(f.off_hours_pages as f64), |v| format!("{v:.0}")),
        ("spark-mtta", "Median time to acknowledge", |f| f.mtta_p50, minutes),
        ("spark-mttr", "Median time to resolve", |f| f.mttr_p50, minutes),
        ("spark-escalations", "Escalated pages", |f| Some(f.escalated_pages as f64), |v| format!("{v:.0}")),
        (
            "spark-documented",
            "Documented share",
            |f| Some(f.documented_share * 100.0),
            |v| format!("{v:.0}%"),
        ),
    ];
    lines
        .iter()
        .map(|(id, title, pick, show)| {
            let values: Vec<Option<f64>> = trends.iter().map(|t| pick(&t.figures)).collect();
            let description = format!(
                "{title} by week: {}.",
                trends
                    .iter()
                    .zip(&values)
                    .map(|(t, v)| format!("{} {}", t.week, v.map_or_else(|| "none".to_owned(), show)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            sparkline(id, title, &description, &values)
        })
        .collect()
}

fn sparkline(id: &str, title: &str, description: &str, values: &[Option<f64>]) -> Chart {
    let top = values.iter().flatten().copied().fold(0.0f64, f64::max).max(1.0) * 1.15;
    let n = values.len().max(2);
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (160, 40)).into_drawing_area();
        if let Ok(mut chart) =
            ChartBuilder::on(&root).margin(4).build_cartesian_2d(0f64..(n - 1) as f64, 0f64..top)
        {
            let points: Vec<(f64, f64)> =
                values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
            let _ = chart.draw_series(LineSeries::new(points.iter().copied(), BLUE.stroke_width(2)));
            if let Some(last) = points.last().filter(|p| p.0 as usize == values.len() - 1) {
                let _ = chart.draw_series(std::iter::once(Circle::new(*last, 3, BLUE.filled())));
            }
        }
        let _ = root.present();
    }
    finish(id, title, description, raw)
}

/// Before and after a change: the two medians side by side, with the interval of the difference
/// drawn on the "after" bar.
pub fn compare(
    id: &str,
    label: &str,
    unit_is_time: bool,
    before: f64,
    after: f64,
    ci: Option<[f64; 2]>,
) -> Chart {
    let show = |v: f64| if unit_is_time { minutes(v) } else { format!("{v:.1}") };
    let description = format!("{label}: median {} before, {} after.", show(before), show(after));
    let scale = if unit_is_time { 60.0 } else { 1.0 };
    let (b, a) = (before / scale, after / scale);
    let (lo, hi) = ci.map_or((a, a), |[l, h]| (b + l / scale, b + h / scale));
    let top = b.max(a).max(hi).max(0.1) * 1.2;
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (360, 220)).into_drawing_area();
        let y_label = |y: &f64| format!("{y:.0}");
        let x_label = |x: &f64| match x.round() as i64 {
            0 if (x - 0.0).abs() < 0.01 => "before".to_owned(),
            1 if (x - 1.0).abs() < 0.01 => "after".to_owned(),
            _ => String::new(),
        };
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5f64..1.5f64, 0f64..top)
        {
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(2)
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .y_desc(if unit_is_time { "minutes" } else { "per day" })
                .label_style(font(12))
                .axis_desc_style(font(12))
                .axis_style(INK.mix(0.6))
                .light_line_style(INK.mix(0.08))
                .bold_line_style(INK.mix(0.15))
                .draw();
            let _ = chart.draw_series([
                Rectangle::new([(-0.3, 0.0), (0.3, b)], GREY.filled()),
                Rectangle::new([(0.7, 0.0), (1.3, a)], BLUE.filled()),
            ]);
            if ci.is_some() {
                let _ = chart.draw_series(std::iter::once(PathElement::new(
                    vec![(1.0, lo.max(0.0)), (1.0, hi.max(0.0))],
                    INK.stroke_width(2),
                )));
            }
        }
        let _ = root.present();
    }
    finish(id, "Before and after", &description, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_themed_labelled_and_escape_names() {
        let c = load(
            "load",
            &[LoadBar { name: "<script>x</script>".into(), business: 2, off_hours: 3, sleep: 1 }],
        );
        assert!(c.svg.contains("role=\"img\""));
        assert!(c.svg.contains("<title id=\"load-title\">Interruptions per responder</title>"));
        assert!(!c.svg.contains("<script>"), "names are text, never markup");
        assert!(c.svg.contains("currentColor"));
        assert!(!c.svg.contains("#010203"));
        assert!(!c.svg[..c.svg.find('>').unwrap()].contains("width="));
        assert!(
            c.description
                .contains("5 interruptions (2 in working hours, 3 off-hours of which 1 in sleep hours)")
        );
    }

    #[test]
    fn descriptions_say_the_numbers() {
        let t = trend(
            "mtta",
            "Time to acknowledge",
            &[
                TrendPoint { label: "2026-W47".into(), p50: Some(600.0), p90: Some(1200.0) },
                TrendPoint { label: "2026-W48".into(), p50: None, p90: None },
                TrendPoint { label: "2026-W49".into(), p50: Some(180.0), p90: Some(300.0) },
            ],
        );
        assert_eq!(
            t.description,
            "2 weeks with data. Median 10 min in 2026-W47, 3.0 min in 2026-W49 (90th percentile 5.0 min)."
        );
        let mut hours = vec![0u64; 168];
        hours[24 + 3] = 4;
        assert!(
            heatmap("h", &hours, "Europe/London").description.ends_with("busiest hour is Tue 03:00 with 4.")
        );
        let mix = severity_mix("s", &[("2026-W48".into(), [1, 0, 2, 0, 0])]);
        assert_eq!(mix.description, "3 incidents over 1 weeks: SEV1 1, SEV2 0, SEV3 2, SEV4 0, SEV5 0.");
    }
}
