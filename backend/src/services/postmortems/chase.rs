//! Chasing: owners hear a day before a postmortem is due and when it is overdue; an overdue
//! corrective action is escalated to its owner and their team leads. Each notice once, whatever the
//! number of engines (rows are claimed with SKIP LOCKED and marked in the same transaction).

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::{on_timeline, tell};
use crate::{
    Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        postmortems as db,
    },
};

/// What one pass told: postmortems due soon, overdue ones, actions escalated.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Chased {
    pub due_soon: usize,
    pub overdue: usize,
    pub escalated: usize,
}

pub async fn chase(pool: &PgPool, now: DateTime<Utc>) -> Result<Chased> {
    let mut tx = pool.begin().await?;
    let system = Actor::system();
    let due_soon = db::due_soon(&mut tx, now).await?;
    for p in &due_soon {
        if let Some(o) = p.owner_id {
            let note = format!("The postmortem of INC-{}: {} is due tomorrow", p.number, p.title);
            tell(&mut tx, o, p.incident_id, &note, now).await?;
        }
    }
    let overdue = db::newly_overdue(&mut tx, now).await?;
    for p in &overdue {
        if let Some(o) = p.owner_id {
            let note = format!("The postmortem of INC-{}: {} is overdue", p.number, p.title);
            tell(&mut tx, o, p.incident_id, &note, now).await?;
        }
        audit::record(&mut tx, &system, Entry::new("postmortem.overdue", "postmortem", p.id)).await?;
    }
    let actions = db::newly_overdue_actions(&mut tx, now.date_naive(), now).await?;
    for a in &actions {
        let note = format!("Corrective action overdue (due {}): {} (INC-{})", a.due_on, a.title, a.number);
        let mut told = Vec::new();
        if let Some(o) = a.owner_id {
            told.push(o);
            told.extend(db::leads_of(&mut tx, o).await?);
        }
        for person in &told {
            tell(&mut tx, *person, a.incident_id, &note, now).await?;
        }
        audit::record(
            &mut tx,
            &system,
            Entry::new("postmortem_action.escalate", "postmortem_action", a.id)
                .after(json!({ "told": told })),
        )
        .await?;
        on_timeline(&mut tx, a.incident_id, &system, &format!("Corrective action overdue: {}", a.title), now)
            .await?;
    }
    tx.commit().await?;
    Ok(Chased { due_soon: due_soon.len(), overdue: overdue.len(), escalated: actions.len() })
}
