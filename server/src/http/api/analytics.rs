//! `/api/v1/analytics/*` (`services::analytics`): response figures, interruptions and load,
//! priority inflation, noise and before/after. Viewers read. Each answers JSON, or CSV when the
//! request sends `Accept: text/csv` or `format=csv` (what a download link can say).

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use backend::services::analytics as service;
use domain::{
    FieldError, Role,
    analytics::{
        CompareInput, CompareReport, FilterInput, GroupBy, InterruptionsReport, LearningReport, NoiseReport,
        PriorityReport, ResponseReport,
    },
};
use serde::{Deserialize, Serialize};

use crate::http::openapi::Refusals;
use crate::{
    AppState,
    http::{caller::Caller, error::ApiError, query::Query},
};

/// The filter every analytics report takes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AnalyticsQuery {
    /// First day (ISO date such as 2026-11-01) in `tz`; default 30 days before `to`.
    pub from: Option<String>,
    /// The day after the last (ISO date); default tomorrow in `tz`.
    pub to: Option<String>,
    /// Without `from`: the window's length in days, ending with `to` (default 30).
    pub days: Option<String>,
    /// IANA zone the days and weeks are counted in; default the caller's.
    pub tz: Option<String>,
    /// A team's slug (incidents of its services; people in it).
    pub team: Option<String>,
    /// A service's slug.
    pub service: Option<String>,
    /// `SEV1`..`SEV5`: the incidents' current severity.
    pub severity: Option<String>,
    /// Rows of the response report: `week` (default), `month`, `severity`, `service` or `team`;
    /// of the interruptions report: `responder` (default) or `hour_of_week`.
    pub group_by: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

impl AnalyticsQuery {
    fn filter(&self) -> FilterInput {
        FilterInput {
            from: self.from.clone(),
            to: self.to.clone(),
            days: self.days.clone(),
            tz: self.tz.clone(),
            team: self.team.clone(),
            service: self.service.clone(),
            severity: self.severity.clone(),
        }
    }
}

/// Whether the caller asked for CSV.
fn wants_csv(headers: &HeaderMap, format: Option<&str>) -> Result<bool, ApiError> {
    match format.map(str::trim).filter(|f| !f.is_empty()) {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => {
            Err(FieldError::new("format", format!("'{other}' is not accepted; expected json or csv")).into())
        }
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("text/csv")))),
    }
}

fn answer<T: Serialize>(csv: bool, name: &str, report: T, to_csv: impl FnOnce(&T) -> String) -> Response {
    if csv {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"tocsin-{name}.csv\"")),
            ],
            to_csv(&report),
        )
            .into_response()
    } else {
        Json(report).into_response()
    }
}

#[utoipa::path(
    get,
    path = "/analytics/response",
    tag = "analytics",
    summary = "MTTA, MTTM and MTTR (mean, median, p90, count), no-responder count and escalation rate, in total and per group",
    description = "Role: viewer. Incidents declared in [from, to); times in seconds from declaration. \
                   `previous` is the window of equal length just before.",
    params(AnalyticsQuery),
    responses(
        (status = 200, description = "the figures", content((ResponseReport = "application/json"), (String = "text/csv"))),
        Refusals
    )
)]
pub async fn response(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let csv = wants_csv(&headers, q.format.as_deref())?;
    let filter = q.filter().parse(state.ctx.now(), p.zone())?;
    let by = match q.group_by.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => g.parse::<GroupBy>()?,
        None => GroupBy::Week,
    };
    let report = service::response(&state.ctx.pool, &filter, by).await?;
    Ok(answer(csv, "response", report, ResponseReport::csv))
}

#[utoipa::path(
    get,
    path = "/analytics/interruptions",
    tag = "analytics",
    summary = "Interruptions (notifications to one person within 60 s count once) by business, off- and sleep hours; load per responder; interruptions by hour of the week",
    description = "Role: viewer. Each interruption is classed in the person's own zone by their first team's working hours.",
    params(AnalyticsQuery),
    responses(
        (status = 200, description = "the figures", content((InterruptionsReport = "application/json"), (String = "text/csv"))),
        Refusals
    )
)]
pub async fn interruptions(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let csv = wants_csv(&headers, q.format.as_deref())?;
    let filter = q.filter().parse(state.ctx.now(), p.zone())?;
    let by_hour = match q.group_by.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        None | Some("responder") => false,
        Some("hour_of_week") => true,
        Some(other) => {
            return Err(FieldError::new(
                "group_by",
                format!("'{other}' is not accepted; expected responder or hour_of_week"),
            )
            .into());
        }
    };
    let report = service::interruptions(&state.ctx.pool, &filter).await?;
    let to_csv = if by_hour { InterruptionsReport::hours_csv } else { InterruptionsReport::responders_csv };
    Ok(answer(csv, "interruptions", report, to_csv))
}

#[utoipa::path(
    get,
    path = "/analytics/priority",
    tag = "analytics",
    summary = "Priority inflation: declared severity against final and worst severity, de-escalated share by team and service",
    description = "Role: viewer.",
    params(AnalyticsQuery),
    responses(
        (status = 200, description = "the figures", content((PriorityReport = "application/json"), (String = "text/csv"))),
        Refusals
    )
)]
pub async fn priority(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let csv = wants_csv(&headers, q.format.as_deref())?;
    let filter = q.filter().parse(state.ctx.now(), p.zone())?;
    let report = service::priority(&state.ctx.pool, &filter).await?;
    Ok(answer(csv, "priority", report, PriorityReport::csv))
}

#[utoipa::path(
    get,
    path = "/analytics/noise",
    tag = "analytics",
    summary = "Noise: alerts per incident, incidents resolved by their source, flapping alerts, and the noisiest alert rules",
    description = "Role: viewer. A rule is the Alertmanager alertname, else the dedup key before its first digit.",
    params(AnalyticsQuery),
    responses(
        (status = 200, description = "the figures", content((NoiseReport = "application/json"), (String = "text/csv"))),
        Refusals
    )
)]
pub async fn noise(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let csv = wants_csv(&headers, q.format.as_deref())?;
    let filter = q.filter().parse(state.ctx.now(), p.zone())?;
    let report = service::noise(&state.ctx.pool, &filter).await?;
    Ok(answer(csv, "noise", report, NoiseReport::csv))
}

/// The comparison's parameters, with the answer's format.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// `mtta`, `mttm`, `mttr` or `interruptions` (per day).
    pub metric: Option<String>,
    /// The day of the change (ISO date).
    pub at: Option<String>,
    /// Days on each side (default 30, at most 366).
    pub days: Option<String>,
    pub tz: Option<String>,
    pub team: Option<String>,
    pub service: Option<String>,
    pub severity: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[utoipa::path(
    get,
    path = "/analytics/compare",
    tag = "analytics",
    summary = "Before and after a day: each side's median and count, the difference, its 95% bootstrap interval and a Mann-Whitney p-value, in words",
    description = "Role: viewer. Fewer than 10 values on a side says \"not enough data\".",
    params(CompareQuery),
    responses(
        (status = 200, description = "the comparison", content((CompareReport = "application/json"), (String = "text/csv"))),
        Refusals
    )
)]
pub async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<CompareQuery>,
) -> Result<Response, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let csv = wants_csv(&headers, q.format.as_deref())?;
    let days = match q.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => {
            Some(d.parse::<i64>().map_err(|_| FieldError::new("days", "must be a whole number of days"))?)
        }
        None => None,
    };
    let input = CompareInput {
        metric: q.metric,
        at: q.at,
        days,
        tz: q.tz,
        team: q.team,
        service: q.service,
        severity: q.severity,
    };
    let query = input.parse(p.zone())?;
    let report = service::compare(&state.ctx.pool, &query).await?;
    Ok(answer(csv, "compare", report, CompareReport::csv))
}

#[utoipa::path(
    get,
    path = "/analytics/postmortems",
    tag = "analytics",
    summary = "Postmortems of the window's incidents (published on time, days to publish) and their corrective actions (open, done, overdue, age)",
    description = "Role: viewer.",
    params(AnalyticsQuery),
    responses(
        (status = 200, description = "the figures", content((LearningReport = "application/json"), (String = "text/csv"))),
        Refusals
    )
)]
pub async fn postmortems(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let p = caller.require(Role::Viewer)?;
    let csv = wants_csv(&headers, q.format.as_deref())?;
    let now = state.ctx.now();
    let filter = q.filter().parse(now, p.zone())?;
    let report = service::learning(&state.ctx.pool, &filter, now).await?;
    Ok(answer(csv, "postmortems", report, LearningReport::csv))
}
