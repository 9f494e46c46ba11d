//! The escalation job: starts an escalation for each triggered incident whose service routes to a
//! policy, and pages each level when it is due.
//!
//! Starting is one set-based insert (concurrent engines insert each once). Due escalations are
//! claimed `FOR UPDATE SKIP LOCKED`, and a step is paged and advanced in the claiming
//! transaction, so with any number of engines each step pages once; a restarted engine finds every
//! pending deadline in the table.

use chrono::{DateTime, Duration, Utc};
use domain::{escalation::Policy, incident::TimelineKind};
use serde_json::json;

use super::Engine;
use crate::db::escalations;
use crate::{
    Error, Result,
    services::{paging, timeline},
};

/// Escalations claimed per transaction.
const BATCH: i64 = 20;

/// Starts what is new and pages every due step; returns (started, steps).
pub async fn run(engine: &Engine, now: DateTime<Utc>) -> Result<(usize, usize)> {
    let mut conn = engine.pool.acquire().await?;
    let started = escalations::start_escalations(&mut conn, now).await?.len();
    drop(conn);
    let mut steps = 0;
    loop {
        let n = run_steps(engine, now).await?;
        steps += n;
        if n < BATCH as usize {
            return Ok((started, steps));
        }
    }
}

/// Pages the due steps of up to a batch of escalations, each in the claiming transaction.
async fn run_steps(engine: &Engine, now: DateTime<Utc>) -> Result<usize> {
    let mut tx = engine.pool.begin().await?;
    let due = escalations::claim_due(&mut tx, now, BATCH).await?;
    for e in &due {
        if e.status != domain::incident::IncidentStatus::Triggered {
            escalations::advance(
                &mut tx,
                e.incident_id,
                e.next_step,
                None,
                Some((now, "no longer triggered")),
            )
            .await?;
            continue;
        }
        let policy: Policy = serde_json::from_value(e.policy.clone()).map_err(|err| {
            Error::Internal(anyhow::anyhow!("escalation of {} has an unreadable policy: {err}", e.number))
        })?;
        let Some(step) = policy.step(e.next_step.max(0) as u32) else {
            // The last level's wait is over and no one acknowledged.
            escalations::advance(&mut tx, e.incident_id, e.next_step, None, Some((now, "exhausted"))).await?;
            timeline::system_note(
                &mut tx,
                e.incident_id,
                e.number,
                TimelineKind::PageEscalated,
                "Every level of the escalation policy has been paged and no one acknowledged",
                None,
                now,
            )
            .await?;
            continue;
        };
        let level = &policy.levels[step.level];
        let targets: Vec<_> = level.targets.iter().map(|t| (t.target.clone(), t.role)).collect();
        let people = paging::resolve(&mut tx, &targets, now).await?;
        let step_page = paging::Step { number: step.index as i32, level: Some(step.level as i32) };
        let paged =
            paging::page_resolved(&mut tx, e.incident_id, step_page, &people, None, e.urgency, now).await?;
        let run = if step.run > 0 { format!(", repeat {}", step.run) } else { String::new() };
        let body = if people.is_empty() {
            format!(
                "Escalation level {}{run}: no one to page (nobody on call for its targets)",
                step.level + 1
            )
        } else {
            format!("Escalation level {}{run}: paged {}", step.level + 1, paged.join(", "))
        };
        let data = json!({ "level": step.level + 1, "run": step.run, "step": step.index, "users": people.iter().map(|p| p.id).collect::<Vec<_>>() });
        timeline::system_note(
            &mut tx,
            e.incident_id,
            e.number,
            TimelineKind::PageEscalated,
            &body,
            Some(data),
            now,
        )
        .await?;
        // The next step, or (after the last) the end of the last level's wait.
        let next_at = match policy.step(step.index + 1) {
            Some(next) => e.started_at + next.after,
            None => e.started_at + step.after + Duration::seconds(i64::from(level.delay_secs)),
        };
        escalations::advance(&mut tx, e.incident_id, step.index as i32 + 1, Some(next_at), None).await?;
    }
    tx.commit().await?;
    Ok(due.len())
}
