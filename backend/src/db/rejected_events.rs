//! All SQL about rejected events: what integration keys sent that was refused.

use chrono::{DateTime, Utc};
use domain::alert::RejectedEventView;
use sqlx::PgConnection;
use uuid::Uuid;

/// Kept per service; older ones are deleted as new ones come.
pub const KEPT_PER_SERVICE: i64 = 100;

/// Records the reasons, then trims the service's list to the newest [`KEPT_PER_SERVICE`].
pub async fn record(
    conn: &mut PgConnection,
    service: Uuid,
    key: Uuid,
    at: DateTime<Utc>,
    reasons: &[String],
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = reasons.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        "INSERT INTO rejected_events (id, service_id, key_id, received_at, reason)
         SELECT id, $2, $3, $4, reason FROM unnest($1::uuid[], $5::text[]) AS r(id, reason)",
        &ids,
        service,
        key,
        at,
        reasons,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM rejected_events WHERE service_id = $1 AND id NOT IN (
             SELECT id FROM rejected_events WHERE service_id = $1
             ORDER BY received_at DESC, id DESC LIMIT $2)",
        service,
        KEPT_PER_SERVICE,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The service's rejected events, newest first.
pub async fn recent(
    conn: &mut PgConnection,
    service_slug: &str,
) -> Result<Vec<RejectedEventView>, sqlx::Error> {
    sqlx::query_as!(
        RejectedEventView,
        r#"SELECT r.received_at, k.label AS key_label, k.kind AS "key_kind: domain::alert::IntegrationKind", r.reason
           FROM rejected_events r
           JOIN services s ON s.id = r.service_id
           JOIN integration_keys k ON k.id = r.key_id
           WHERE s.slug = $1
           ORDER BY r.received_at DESC, r.id DESC"#,
        service_slug
    )
    .fetch_all(conn)
    .await
}
