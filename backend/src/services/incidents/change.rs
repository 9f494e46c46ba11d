//! One change to one incident: the row locked once and read once, the timeline and audit rows
//! written in the change's transaction, and the live pages told only after it commits.

use chrono::{DateTime, Utc};
use domain::incident::{IncidentId, IncidentNumber, IncidentStatus, TimelineKind};
use serde_json::Value;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{announce, view};
use crate::db::timeline;
use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        incidents::{self, IncidentRow},
    },
};

pub(crate) struct IncidentChange {
    pub(crate) tx: Transaction<'static, Postgres>,
    pub(crate) before: IncidentRow,
    /// The application clock's time of the change: its timeline entries carry it.
    pub(crate) now: DateTime<Utc>,
}

impl IncidentChange {
    /// Locks the incident so concurrent changes apply one after the other.
    pub(crate) async fn begin_by_number(
        pool: &PgPool,
        number: IncidentNumber,
        now: DateTime<Utc>,
    ) -> Result<IncidentChange> {
        let mut tx = pool.begin().await?;
        incidents::lock_status(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
        let before = incidents::by_number(&mut tx, number.0).await?.ok_or(Error::NotFound("incident"))?;
        Ok(IncidentChange { tx, before, now })
    }

    /// The same, for callers that hold the incident's id (a signed link names the id).
    pub(crate) async fn begin_by_id(
        pool: &PgPool,
        id: IncidentId,
        now: DateTime<Utc>,
    ) -> Result<IncidentChange> {
        let mut tx = pool.begin().await?;
        let number = incidents::lock_by_id(&mut tx, id.0).await?.ok_or(Error::NotFound("incident"))?;
        let before = incidents::by_number(&mut tx, number).await?.ok_or(Error::NotFound("incident"))?;
        Ok(IncidentChange { tx, before, now })
    }

    pub(crate) fn id(&self) -> Uuid {
        self.before.id
    }

    pub(crate) fn number(&self) -> IncidentNumber {
        IncidentNumber(self.before.number)
    }

    pub(crate) fn status(&self) -> IncidentStatus {
        self.before.status
    }

    pub(crate) async fn timeline(
        &mut self,
        actor: &Actor,
        kind: TimelineKind,
        body: &str,
        data: Value,
    ) -> Result<i64> {
        Ok(timeline::append_timeline(
            &mut self.tx,
            self.before.id,
            actor,
            self.now,
            kind.as_str(),
            body,
            Some(data),
        )
        .await?)
    }

    pub(crate) async fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        before: Value,
        after: Value,
    ) -> Result<()> {
        let entry = Entry::new(action, "incident", self.number()).before(before).after(after);
        audit::record(&mut self.tx, actor, entry).await?;
        Ok(())
    }

    /// Announces the change, commits, and returns the incident as it now is.
    pub(crate) async fn commit(mut self, change: &str) -> Result<domain::incident::IncidentView> {
        let number = self.number();
        announce(&mut self.tx, number, change).await?;
        let after = incidents::by_number(&mut self.tx, self.before.number)
            .await?
            .ok_or(Error::NotFound("incident"))?;
        self.tx.commit().await?;
        Ok(view(after))
    }
}
