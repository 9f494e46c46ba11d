//! The first admin: when the database has no user yet, create one from TOCSIN_ADMIN_EMAIL and
//! TOCSIN_ADMIN_PASSWORD, generating the password (printed once by the caller) if none is given.

use domain::{Email, NewUser, Password, PersonName, Role, TimeZoneName};
use serde_json::json;
use sqlx::PgPool;

use crate::{
    Result,
    actor::Actor,
    auth::{password, secrets::random_token},
    db::{
        audit::{self, Entry},
        users,
    },
};

#[derive(Debug, Clone)]
pub struct FirstAdmin {
    pub email: String,
    /// Present when Tocsin made the password up; shown to the operator once.
    pub generated_password: Option<String>,
}

/// Serialises first-user creation across instances starting together.
pub(crate) async fn lock_users(conn: &mut sqlx::PgConnection) -> Result<()> {
    crate::db::lock(conn, crate::db::LockSpace::Users, "bootstrap").await?;
    Ok(())
}

pub async fn ensure_first_admin(
    pool: &PgPool,
    email: Option<&Email>,
    given: Option<&Password>,
) -> Result<Option<FirstAdmin>> {
    if users::count(&mut *pool.acquire().await?).await? > 0 {
        return Ok(None);
    }
    let email = email.cloned().unwrap_or_else(|| Email::parse("admin@localhost").expect("a valid literal"));
    let generated = given.is_none().then(|| random_token(20));
    let plain = given.map(|p| p.expose().to_owned()).or_else(|| generated.clone()).unwrap_or_default();
    let hash = password::hash(plain).await?;

    let mut tx = pool.begin().await?;
    lock_users(&mut tx).await?;
    if users::count(&mut tx).await? > 0 {
        return Ok(None);
    }
    let user = NewUser {
        email: email.clone(),
        name: PersonName::parse("Administrator")?,
        role: Role::Admin,
        time_zone: TimeZoneName::utc(),
    };
    let row = users::insert(&mut tx, &user, &hash).await?;
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry::new("user.create", "user", row.id)
            .after(json!({ "email": row.email, "role": "admin", "reason": "first admin" })),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(FirstAdmin { email: email.to_string(), generated_password: generated }))
}
