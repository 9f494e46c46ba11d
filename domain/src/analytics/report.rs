//! What the analytics API and pages exchange: the filter a request names, the reports, and
//! every report as CSV rows (a table on the page downloads as exactly the rows it shows).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{
    compare::Comparison,
    hours::{InterruptionCounts, WorkingHours},
    noise::NoiseFigures,
    priority::PriorityFigures,
    response::ResponseFigures,
    window::Window,
};
use crate::{FieldError, UserId, incident::Severity};

/// The window a report covers when the request names none: the last 30 days.
pub const DEFAULT_DAYS: i64 = 30;

/// A request's filter, as typed (query string or form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterInput {
    /// First day (ISO date), in the zone; default 30 days before `to`.
    pub from: Option<String>,
    /// The day after the last (ISO date); default tomorrow.
    pub to: Option<String>,
    /// Without `from`: the window's length in days, ending with `to` (default 30).
    pub days: Option<String>,
    /// IANA zone the days are counted in; default the caller's.
    pub tz: Option<String>,
    /// A team's slug (by the incident's services).
    pub team: Option<String>,
    /// A service's slug.
    pub service: Option<String>,
    /// `SEV1`..`SEV5` (the current severity).
    pub severity: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub window: Window,
    pub team: Option<String>,
    pub service: Option<String>,
    pub severity: Option<Severity>,
}

impl Filter {
    /// Whether an incident is one the filter asks about (its window aside): of the team, of the
    /// service, of the severity it has now.
    pub fn keeps(&self, fact: &super::IncidentFact) -> bool {
        self.team.as_ref().is_none_or(|t| fact.teams.contains(t))
            && self.service.as_ref().is_none_or(|s| fact.services.contains(s))
            && self.severity.is_none_or(|s| fact.current == s)
    }

    /// Whether it narrows incidents by what they are (service or severity), as opposed to whose
    /// they are.
    pub fn narrows_incidents(&self) -> bool {
        self.service.is_some() || self.severity.is_some()
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl FilterInput {
    pub fn parse(&self, now: DateTime<Utc>, caller_zone: Tz) -> Result<Filter, FieldError> {
        let zone = match given(&self.tz) {
            Some(z) => crate::TimeZoneName::parse(z).map_err(|e| e.in_field("tz"))?.tz(),
            None => caller_zone,
        };
        let day = |field: &'static str, s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| FieldError::new(field, format!("'{s}' is not a date such as 2026-11-23")))
        };
        let today = now.with_timezone(&zone).date_naive();
        let to = match given(&self.to) {
            Some(s) => day("to", s)?,
            None => today + Duration::days(1),
        };
        let days = match given(&self.days) {
            Some(d) => {
                d.parse::<i64>().ok().filter(|d| (1..=super::window::MAX_DAYS).contains(d)).ok_or_else(
                    || {
                        FieldError::new(
                            "days",
                            format!("'{d}' is not a number of days from 1 to {}", super::window::MAX_DAYS),
                        )
                    },
                )?
            }
            None => DEFAULT_DAYS,
        };
        let from = match given(&self.from) {
            Some(s) => day("from", s)?,
            None => to - Duration::days(days),
        };
        let severity = given(&self.severity).map(str::parse::<Severity>).transpose()?;
        Ok(Filter {
            window: Window::new(from, to, zone)?,
            team: given(&self.team).map(str::to_owned),
            service: given(&self.service).map(str::to_owned),
            severity,
        })
    }
}

/// `/api/v1/analytics/response`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub total: ResponseFigures,
    /// The same figures over the window of equal length just before.
    pub previous: ResponseFigures,
    pub rows: Vec<ResponseRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseRow {
    pub key: String,
    #[serde(flatten)]
    pub figures: ResponseFigures,
}

/// One person's load over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponderLoad {
    pub user_id: UserId,
    pub name: String,
    pub time_zone: String,
    pub interruptions: InterruptionCounts,
    /// Incidents of the window they acknowledged.
    pub acknowledged: u64,
    /// From their acknowledgement or role to the resolution, overlaps counted once.
    pub engaged_hours: f64,
    /// On call in any schedule (primary or secondary), overlaps counted once.
    pub on_call_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourOfWeek {
    /// 0 = Monday 00:00 .. 167 = Sunday 23:00, in the report's zone.
    pub hour: u16,
    pub interruptions: u64,
}

/// `/api/v1/analytics/interruptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterruptionsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub total: InterruptionCounts,
    pub previous: InterruptionCounts,
    /// Everyone interrupted, engaged or on call in the window, the most interrupted first.
    pub responders: Vec<ResponderLoad>,
    /// All 168 hours, in the report's zone.
    pub hour_of_week: Vec<HourOfWeek>,
    /// The hours each person's pages were classed by (their first team's), in words.
    pub hours: Vec<TeamHours>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamHours {
    pub team: String,
    pub time_zone: String,
    pub working_hours: WorkingHours,
    pub description: String,
}

/// `/api/v1/analytics/priority`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    #[serde(flatten)]
    pub figures: PriorityFigures,
}

/// `/api/v1/analytics/noise`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoiseReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    #[serde(flatten)]
    pub figures: NoiseFigures,
}

/// `/api/v1/analytics/postmortems`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearningReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    #[serde(flatten)]
    pub figures: super::LearningFigures,
}

impl LearningReport {
    pub fn csv(&self) -> String {
        let f = &self.figures;
        csv(
            &["figure", "value"],
            [
                ("postmortems", Some(f.postmortems as f64)),
                ("published", Some(f.published as f64)),
                ("published_on_time", Some(f.published_on_time as f64)),
                ("on_time_share", Some(f.on_time_share)),
                ("overdue", Some(f.overdue as f64)),
                ("median_days_to_publish", f.median_days_to_publish),
                ("actions_open", Some(f.actions_open as f64)),
                ("actions_done", Some(f.actions_done as f64)),
                ("actions_wont_do", Some(f.actions_wont_do as f64)),
                ("actions_overdue", Some(f.actions_overdue as f64)),
                ("median_open_action_age_days", f.median_open_action_age_days),
            ]
            .into_iter()
            .map(|(k, v)| vec![k.to_owned(), num(v)]),
        )
    }
}

/// `/api/v1/analytics/compare`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareReport {
    pub metric: super::Metric,
    /// The change's day: "before" is the `days` days up to it, "after" the `days` days from it.
    pub at: NaiveDate,
    pub days: i64,
    pub time_zone: String,
    #[serde(flatten)]
    pub comparison: Comparison,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareInput {
    /// `mtta`, `mttm`, `mttr` or `interruptions` (per day).
    pub metric: Option<String>,
    /// The day of the change (ISO date).
    pub at: Option<String>,
    /// Days on each side (default 30, at most 366).
    pub days: Option<i64>,
    pub tz: Option<String>,
    pub team: Option<String>,
    pub service: Option<String>,
    pub severity: Option<String>,
}

/// A checked `CompareInput`: the two windows and the figure.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareQuery {
    pub metric: super::Metric,
    pub at: NaiveDate,
    pub days: i64,
    pub before: Filter,
    pub after: Filter,
}

impl CompareInput {
    pub fn parse(&self, caller_zone: Tz) -> Result<CompareQuery, FieldError> {
        let metric = given(&self.metric).ok_or_else(|| FieldError::new("metric", "is required"))?.parse()?;
        let at_text =
            given(&self.at).ok_or_else(|| FieldError::new("at", "is required: the day of the change"))?;
        let at = NaiveDate::parse_from_str(at_text, "%Y-%m-%d")
            .map_err(|_| FieldError::new("at", format!("'{at_text}' is not a date such as 2026-11-23")))?;
        let days = self.days.unwrap_or(DEFAULT_DAYS);
        if !(1..=366).contains(&days) {
            return Err(FieldError::new("days", "must be 1 to 366"));
        }
        let side = |from: NaiveDate, to: NaiveDate| FilterInput {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            days: None,
            tz: self.tz.clone(),
            team: self.team.clone(),
            service: self.service.clone(),
            severity: self.severity.clone(),
        };
        let now = DateTime::<Utc>::default();
        let before = side(at - Duration::days(days), at).parse(now, caller_zone)?;
        let after = side(at, at + Duration::days(days)).parse(now, caller_zone)?;
        Ok(CompareQuery { metric, at, days, before, after })
    }
}

/// A CSV document (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or
/// a line end). A cell starting with `=`, `+`, `-` or `@` is prefixed with `'` so a
/// spreadsheet never runs a formula someone typed into a title.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    fn cell(s: &str) -> String {
        let s = if s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.parse::<f64>().is_err()) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    };
    line(header.iter().map(|h| (*h).to_owned()).collect(), &mut out);
    for r in rows {
        line(r, &mut out);
    }
    out
}

/// A figure for a CSV cell: empty when absent, whole numbers without a fraction.
pub fn num(v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.3}"),
    }
}

impl ResponseReport {
    pub fn csv(&self) -> String {
        let row = |key: &str, f: &ResponseFigures| {
            vec![
                key.to_owned(),
                f.incidents.to_string(),
                num(f.mtta_seconds.mean),
                num(f.mtta_seconds.p50),
                num(f.mtta_seconds.p90),
                f.mtta_seconds.count.to_string(),
                num(f.mttm_seconds.p50),
                num(f.mttr_seconds.mean),
                num(f.mttr_seconds.p50),
                num(f.mttr_seconds.p90),
                f.mttr_seconds.count.to_string(),
                f.no_responder.to_string(),
                num(Some(f.escalation_rate)),
            ]
            .into_iter()
            .chain(f.by_severity.iter().map(u64::to_string))
            .collect::<Vec<_>>()
        };
        csv(
            &[
                "key",
                "incidents",
                "mtta_mean_s",
                "mtta_p50_s",
                "mtta_p90_s",
                "mtta_count",
                "mttm_p50_s",
                "mttr_mean_s",
                "mttr_p50_s",
                "mttr_p90_s",
                "mttr_count",
                "no_responder",
                "escalation_rate",
                "sev1",
                "sev2",
                "sev3",
                "sev4",
                "sev5",
            ],
            self.rows.iter().map(|r| row(&r.key, &r.figures)).chain([row("total", &self.total)]),
        )
    }
}

impl InterruptionsReport {
    pub fn responders_csv(&self) -> String {
        csv(
            &[
                "responder",
                "time_zone",
                "interruptions",
                "business",
                "off_hours",
                "sleep",
                "acknowledged",
                "engaged_hours",
                "on_call_hours",
            ],
            self.responders.iter().map(|r| {
                vec![
                    r.name.clone(),
                    r.time_zone.clone(),
                    r.interruptions.total.to_string(),
                    r.interruptions.business.to_string(),
                    r.interruptions.off_hours.to_string(),
                    r.interruptions.sleep.to_string(),
                    r.acknowledged.to_string(),
                    num(Some(r.engaged_hours)),
                    num(Some(r.on_call_hours)),
                ]
            }),
        )
    }

    pub fn hours_csv(&self) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        csv(
            &["day", "hour", "interruptions"],
            self.hour_of_week.iter().map(|h| {
                vec![
                    DAYS[usize::from(h.hour / 24)].to_owned(),
                    format!("{:02}", h.hour % 24),
                    h.interruptions.to_string(),
                ]
            }),
        )
    }
}

impl PriorityReport {
    pub fn csv(&self) -> String {
        let f = &self.figures;
        csv(
            &["declared", "final_SEV1", "final_SEV2", "final_SEV3", "final_SEV4", "final_SEV5"],
            f.declared_x_final.iter().enumerate().map(|(d, row)| {
                std::iter::once(format!("SEV{}", d + 1)).chain(row.iter().map(u64::to_string)).collect()
            }),
        )
    }
}

impl NoiseReport {
    pub fn csv(&self) -> String {
        csv(
            &[
                "rule",
                "service",
                "alerts",
                "flapping",
                "incidents",
                "pages",
                "acknowledged_share",
                "nobody_acted_share",
            ],
            self.figures.rules.iter().map(|r| {
                vec![
                    r.rule.clone(),
                    r.service.clone(),
                    r.alerts.to_string(),
                    r.flapping.to_string(),
                    r.incidents.to_string(),
                    r.pages.to_string(),
                    num(Some(r.acknowledged_share)),
                    num(Some(r.nobody_acted_share)),
                ]
            }),
        )
    }
}

impl CompareReport {
    pub fn csv(&self) -> String {
        let c = &self.comparison;
        let ci = c.ci95.unwrap_or([f64::NAN, f64::NAN]);
        csv(
            &[
                "metric",
                "at",
                "days",
                "before_median",
                "before_count",
                "after_median",
                "after_count",
                "difference",
                "ci95_low",
                "ci95_high",
                "p_value",
                "summary",
            ],
            [vec![
                self.metric.as_str().to_owned(),
                self.at.to_string(),
                self.days.to_string(),
                num(c.before.median),
                c.before.count.to_string(),
                num(c.after.median),
                c.after.count.to_string(),
                num(c.difference),
                num(c.ci95.map(|_| ci[0])),
                num(c.ci95.map(|_| ci[1])),
                num(c.p_value),
                c.summary.clone(),
            ]],
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let doc = csv(
            &["a", "b"],
            [vec!["x, y".into(), "say \"hi\"".into()], vec!["=SUM(A1)".into(), "-3.5".into()]],
        );
        assert_eq!(doc, "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n'=SUM(A1),-3.5\r\n");
        assert_eq!(num(Some(3.0)), "3");
        assert_eq!(num(Some(2.0 / 3.0)), "0.667");
        assert_eq!(num(None), "");
    }

    #[test]
    fn a_filter_defaults_to_the_last_thirty_days_in_the_callers_zone() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        // 23:30 UTC on 30 November is already 1 December in Sydney.
        let f = FilterInput::default().parse(now, sydney).unwrap();
        assert_eq!(f.window.to, NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        assert_eq!(f.window.days(), 30);
        let f = FilterInput {
            tz: Some("Europe/London".into()),
            severity: Some("SEV2".into()),
            ..Default::default()
        }
        .parse(now, sydney)
        .unwrap();
        assert_eq!(f.window.to, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(f.severity, Some(Severity::Sev2));
        let bad = FilterInput { tz: Some("Mars/Olympus".into()), ..Default::default() };
        assert_eq!(bad.parse(now, sydney).unwrap_err().field, "tz");
        let bad = FilterInput { severity: Some("SEV9".into()), ..Default::default() };
        assert_eq!(bad.parse(now, sydney).unwrap_err().field, "severity");
        let year = FilterInput { days: Some("365".into()), ..Default::default() }.parse(now, sydney).unwrap();
        assert_eq!(year.window.days(), 365);
        let bad = FilterInput { days: Some("0".into()), ..Default::default() };
        assert_eq!(bad.parse(now, sydney).unwrap_err().field, "days");
    }

    #[test]
    fn a_comparison_takes_equal_windows_either_side_of_the_day() {
        let q = CompareInput {
            metric: Some("mtta".into()),
            at: Some("2026-11-01".into()),
            days: Some(14),
            ..Default::default()
        }
        .parse(chrono_tz::UTC)
        .unwrap();
        assert_eq!(q.before.window.from, NaiveDate::from_ymd_opt(2026, 10, 18).unwrap());
        assert_eq!(q.before.window.to, q.after.window.from);
        assert_eq!(q.after.window.days(), 14);
        let missing = CompareInput { metric: Some("mtta".into()), ..Default::default() };
        assert_eq!(missing.parse(chrono_tz::UTC).unwrap_err().field, "at");
        let long = CompareInput { days: Some(400), ..missing.clone() };
        let long = CompareInput { at: Some("2026-11-01".into()), ..long };
        assert_eq!(long.parse(chrono_tz::UTC).unwrap_err().field, "days");
    }
}
