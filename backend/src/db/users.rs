//! All SQL about users.

use chrono::{DateTime, Utc};
use domain::{NewUser, Role, UserId, UserView};
use sqlx::PgConnection;
use uuid::Uuid;

/// A user row. Holds the password hash, so it is deliberately not `Serialize`.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub time_zone: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            time_zone: self.time_zone.clone(),
            disabled: self.disabled,
            created_at: self.created_at,
        }
    }
}

// `email` is citext, which sqlx does not map: it is read as text and compared as
// `$1::text::citext`, which keeps the comparison case-insensitive.

/// `query_as!` for [`UserRow`]: the one column list, then the caller's `FROM ...`; or, with
/// `returning`, the caller's statement followed by `RETURNING` the column list.
macro_rules! user_rows {
    (returning $head:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            UserRow,
            $head
                + r#" RETURNING id AS "id: UserId", email::text AS "email!", name, role AS "role: Role",
                      time_zone, password_hash, disabled, created_at"#
            $(, $arg)*
        )
    };
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            UserRow,
            r#"SELECT id AS "id: UserId", email::text AS "email!", name, role AS "role: Role", time_zone,
                      password_hash, disabled, created_at "#
                + $rest
            $(, $arg)*
        )
    };
}

pub async fn insert(
    conn: &mut PgConnection,
    user: &NewUser,
    password_hash: &str,
) -> Result<UserRow, sqlx::Error> {
    user_rows!(
        returning "INSERT INTO users (id, email, name, role, time_zone, password_hash)
                   VALUES ($1, $2::text::citext, $3, $4, $5, $6)",
        Uuid::now_v7(),
        user.email.as_str(),
        user.name.as_str(),
        user.role.as_str(),
        user.time_zone.as_str(),
        password_hash,
    )
    .fetch_one(conn)
    .await
}

pub async fn by_id(conn: &mut PgConnection, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    user_rows!(r#"FROM users WHERE id = $1"#, id.0,).fetch_optional(conn).await
}

pub async fn by_email(conn: &mut PgConnection, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    user_rows!(r#"FROM users WHERE email = $1::text::citext"#, email,).fetch_optional(conn).await
}

/// Locks the row for the rest of the transaction, so concurrent edits apply one after another.
pub async fn by_id_for_update(conn: &mut PgConnection, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    user_rows!(r#"FROM users WHERE id = $1 FOR UPDATE"#, id.0,).fetch_optional(conn).await
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<UserRow>, sqlx::Error> {
    user_rows!(r#"FROM users ORDER BY disabled, lower(name)"#,).fetch_all(conn).await
}

pub async fn count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#).fetch_one(conn).await
}

/// Active admins other than `except`; used to refuse removing the last one.
pub async fn count_other_active_admins(conn: &mut PgConnection, except: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1"#,
        except.0,
    )
    .fetch_one(conn)
    .await
}

pub async fn set_role(conn: &mut PgConnection, id: UserId, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET role = $2, updated_at = now() WHERE id = $1", id.0, role.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_disabled(conn: &mut PgConnection, id: UserId, disabled: bool) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1", id.0, disabled)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_time_zone(conn: &mut PgConnection, id: UserId, zone: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET time_zone = $2, updated_at = now() WHERE id = $1", id.0, zone)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut PgConnection, id: UserId, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", id.0, hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Active users among `ids`, with their zones.
pub async fn active_users(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    Ok(sqlx::query!("SELECT id, name, time_zone FROM users WHERE id = ANY($1) AND NOT disabled", ids)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name, r.time_zone))
        .collect())
}

/// The role of an active (not disabled) user; `None` for no such user or a disabled one.
pub async fn active_role(conn: &mut PgConnection, id: Uuid) -> Result<Option<Role>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT role AS "role: Role" FROM users WHERE id = $1 AND NOT disabled"#, id)
        .fetch_optional(conn)
        .await
}
