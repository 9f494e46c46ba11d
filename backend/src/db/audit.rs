//! All SQL about the audit log: who changed what, when, from what to what. Written in the same
//! transaction as the change it records, so one never exists without the other.

use chrono::{DateTime, Utc};
use domain::UserId;
use serde_json::Value;
use sqlx::PgConnection;

use crate::actor::Actor;

pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Entry<'a> {
    /// An entry about `entity_type` `entity_id`; add what it was and what it became.
    pub fn new(action: &'a str, entity_type: &'a str, entity_id: impl ToString) -> Entry<'a> {
        Entry { action, entity_type, entity_id: entity_id.to_string(), before: None, after: None }
    }

    pub fn before(mut self, value: Value) -> Entry<'a> {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: Value) -> Entry<'a> {
        self.after = Some(value);
        self
    }
}

pub async fn record(conn: &mut PgConnection, actor: &Actor, entry: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, actor_label, action, entity_type, entity_id, before, after, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        actor.user_id.map(|u| u.0),
        actor.label,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.before,
        entry.after,
        actor.request_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

impl AuditRow {
    pub fn view(&self) -> domain::audit::AuditEntryView {
        domain::audit::AuditEntryView {
            id: self.id,
            at: self.at,
            actor: self.actor_label.clone(),
            action: self.action.clone(),
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            before: self.before.as_ref().map(Value::to_string),
            after: self.after.as_ref().map(Value::to_string),
            request_id: self.request_id.clone(),
        }
    }
}

/// The newest entries older than `before` (all when None): keyset paging by id, so a page costs
/// the same however deep it is.
pub async fn page(
    conn: &mut PgConnection,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as!(
        AuditRow,
        r#"SELECT id, at, actor_id AS "actor_id: UserId", actor_label, action, entity_type, entity_id,
                  before, after, request_id
           FROM audit_log WHERE $1::bigint IS NULL OR id < $1
           ORDER BY id DESC LIMIT $2"#,
        before,
        limit,
    )
    .fetch_all(conn)
    .await
}
