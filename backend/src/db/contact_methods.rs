//! All SQL about contact methods and notification rules.

use domain::notification::ContactKind;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: ContactKind,
    pub label: String,
    pub address: String,
    pub secret: Option<String>,
}

pub async fn contact_methods(conn: &mut PgConnection, user: Uuid) -> Result<Vec<ContactRow>, sqlx::Error> {
    sqlx::query_as!(
        ContactRow,
        r#"SELECT id, user_id, kind AS "kind: ContactKind", label, address, secret FROM contact_methods
           WHERE user_id = $1 ORDER BY created_at, id"#,
        user
    )
    .fetch_all(conn)
    .await
}

pub async fn contact_method(conn: &mut PgConnection, id: Uuid) -> Result<Option<ContactRow>, sqlx::Error> {
    sqlx::query_as!(
        ContactRow,
        r#"SELECT id, user_id, kind AS "kind: ContactKind", label, address, secret FROM contact_methods
           WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert_contact_method(conn: &mut PgConnection, c: &ContactRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO contact_methods (id, user_id, kind, label, address, secret) VALUES ($1, $2, $3, $4, $5, $6)",
        c.id,
        c.user_id,
        c.kind.as_str(),
        c.label,
        c.address,
        c.secret
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_contact_method(
    conn: &mut PgConnection,
    user: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM contact_methods WHERE id = $1 AND user_id = $2", id, user)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

#[derive(Debug, Clone)]
pub struct RuleRow {
    pub id: Uuid,
    pub contact_method_id: Uuid,
    pub delay_secs: i32,
}

pub async fn rules(conn: &mut PgConnection, user: Uuid) -> Result<Vec<RuleRow>, sqlx::Error> {
    sqlx::query_as!(
        RuleRow,
        "SELECT id, contact_method_id, delay_secs FROM notification_rules WHERE user_id = $1 ORDER BY delay_secs, id",
        user
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_rule(conn: &mut PgConnection, user: Uuid, r: &RuleRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notification_rules (id, user_id, contact_method_id, delay_secs) VALUES ($1, $2, $3, $4)",
        r.id,
        user,
        r.contact_method_id,
        r.delay_secs
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_rule(conn: &mut PgConnection, user: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("DELETE FROM notification_rules WHERE id = $1 AND user_id = $2", id, user)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
