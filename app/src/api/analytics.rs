//! Server fns of `/analytics` (`services::analytics`): every report of the page in one call, with
//! its charts drawn on the server. The REST API (`/api/v1/analytics/*`) answers the same reports
//! one by one, and the page's CSV links point there.

use domain::analytics::{
    CompareInput, CompareReport, FilterInput, InterruptionsReport, LearningReport, NoiseReport,
    PriorityReport, ResponseReport,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A chart ready for the page: its SVG (drawn by the server from our own figures) and what it
/// shows, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub svg: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsView {
    /// By week in the window's zone.
    pub response: ResponseReport,
    pub interruptions: InterruptionsReport,
    pub priority: PriorityReport,
    pub noise: NoiseReport,
    pub learning: LearningReport,
    /// When the page asked for a before/after.
    pub compare: Option<CompareReport>,
    pub charts: Vec<Chart>,
    /// (slug, name) of every team and service, for the filters.
    pub teams: Vec<(String, String)>,
    pub services: Vec<(String, String)>,
}

impl AnalyticsView {
    pub fn chart(&self, id: &str) -> Option<Chart> {
        self.charts.iter().find(|c| c.id == id).cloned()
    }
}

// JSON: optional fields of struct arguments do not survive the form encoding's round trip.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn analytics(filter: FilterInput, compare: CompareInput) -> Result<AnalyticsView, AppError> {
    use backend::services::analytics as service;
    let (ctx, me) = crate::ssr::authorize(domain::Role::Viewer)?;
    let invalid = super::incidents::invalid;
    let now = ctx.now();
    let f = filter.parse(now, me.zone()).map_err(invalid)?;
    let wants_compare = compare.at.as_deref().is_some_and(|a| !a.trim().is_empty());
    let compare_query = if wants_compare {
        let input = CompareInput {
            tz: filter.tz.clone(),
            team: filter.team.clone(),
            service: filter.service.clone(),
            severity: filter.severity.clone(),
            ..compare
        };
        Some(input.parse(me.zone()).map_err(invalid)?)
    } else {
        None
    };
    let pool = &ctx.pool;
    let service::Overview { response, interruptions, priority, noise, learning } =
        crate::ssr::edge(service::overview(pool, &f, domain::analytics::GroupBy::Week, now).await)?;
    let compare = match &compare_query {
        Some(q) => Some(crate::ssr::edge(service::compare(pool, q).await)?),
        None => None,
    };
    let teams = crate::ssr::edge(backend::services::teams::list_teams(pool, false).await)?
        .into_iter()
        .map(|t| (t.slug, t.name))
        .collect();
    let services = crate::ssr::edge(backend::services::catalog::list_services(pool).await)?
        .into_iter()
        .map(|s| (s.slug, s.name))
        .collect();
    let (r, i, c) = (response.clone(), interruptions.clone(), compare.clone());
    // Drawing is CPU work: off the async workers.
    let charts = tokio::task::spawn_blocking(move || crate::charts::analytics_charts(&r, &i, c.as_ref()))
        .await
        .map_err(|_| AppError::Internal)?;
    Ok(AnalyticsView { response, interruptions, priority, noise, learning, compare, charts, teams, services })
}
