//! Creating users and changing their role, disabled flag and password.

use chrono::{DateTime, Utc};
use domain::{FieldError, NewUser, Password, Role, UserId, UserView};
use serde_json::json;
use sqlx::PgPool;

use crate::{
    Error, Result,
    actor::Actor,
    auth::{
        Principal, Via,
        password::{self, Hashers},
    },
    db::{
        audit::{self, Entry},
        sessions, users,
    },
    error::is_unique_violation,
};

fn audit_view(u: &users::UserRow) -> serde_json::Value {
    // Never the password hash.
    json!({ "email": u.email, "name": u.name, "role": u.role, "time_zone": u.time_zone, "disabled": u.disabled })
}

pub async fn create_user(
    pool: &PgPool,
    actor: &Actor,
    user: &NewUser,
    password: &Password,
) -> Result<UserView> {
    let hash = password::hash(password.expose().to_owned()).await?;
    let mut tx = pool.begin().await?;
    let row = match users::insert(&mut tx, user, &hash).await {
        Ok(row) => row,
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Conflict(format!("a user with email {} already exists", user.email)));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(&mut tx, actor, Entry::new("user.create", "user", row.id).after(audit_view(&row))).await?;
    tx.commit().await?;
    tracing::info!(user_id = %row.id, role = %user.role, "user created");
    Ok(row.view())
}

pub async fn list_users(pool: &PgPool) -> Result<Vec<UserView>> {
    let mut conn = pool.acquire().await?;
    Ok(users::list(&mut conn).await?.iter().map(users::UserRow::view).collect())
}

/// A change to a user's role, disabled flag and/or time zone, applied together or not at all.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub time_zone: Option<domain::TimeZoneName>,
}

pub async fn set_role(
    pool: &PgPool,
    actor: &Actor,
    id: UserId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<UserView> {
    update_user(pool, actor, id, UserChange { role: Some(role), disabled: None, time_zone: None }, now).await
}

pub async fn set_disabled(
    pool: &PgPool,
    actor: &Actor,
    id: UserId,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<UserView> {
    update_user(pool, actor, id, UserChange { role: None, disabled: Some(disabled), time_zone: None }, now)
        .await
}

/// Someone's own time zone: where their working hours, sleep hours and due dates are counted.
pub async fn set_own_time_zone(
    pool: &PgPool,
    actor: &Actor,
    me: UserId,
    zone: &domain::TimeZoneName,
    now: DateTime<Utc>,
) -> Result<UserView> {
    update_user(
        pool,
        actor,
        me,
        UserChange { role: None, disabled: None, time_zone: Some(zone.clone()) },
        now,
    )
    .await
}

/// Changes a user's role and disabled flag in one transaction. Someone must always be able to
/// manage users, so the last active admin can be neither demoted nor disabled, and nobody can
/// disable themselves. A disabled user's sessions end, their API tokens stop working and their
/// open event streams close, at once.
pub async fn update_user(
    pool: &PgPool,
    actor: &Actor,
    id: UserId,
    change: UserChange,
    now: DateTime<Utc>,
) -> Result<UserView> {
    let mut tx = pool.begin().await?;
    // Serialises admin changes so two demotions cannot each count the other as the remaining admin.
    crate::db::lock(&mut tx, crate::db::LockSpace::Users, "admins").await?;
    let before = users::by_id_for_update(&mut tx, id).await?.ok_or(Error::NotFound("user"))?;
    let role = change.role.unwrap_or(before.role());
    let disabled = change.disabled.unwrap_or(before.disabled);
    if disabled && !before.disabled && actor.user_id == Some(id) {
        return Err(Error::Conflict("you cannot disable your own account".into()));
    }
    let was_active_admin = before.role() == Role::Admin && !before.disabled;
    let stays_active_admin = role == Role::Admin && !disabled;
    if was_active_admin && !stays_active_admin && users::count_other_active_admins(&mut tx, id).await? == 0 {
        return Err(Error::Conflict("this is the last active admin; make someone else admin first".into()));
    }
    if role != before.role() {
        users::set_role(&mut tx, id, role).await?;
    }
    if disabled != before.disabled {
        users::set_disabled(&mut tx, id, disabled).await?;
    }
    let zone_changed = change.time_zone.as_ref().is_some_and(|z| z.as_str() != before.time_zone);
    if let Some(zone) = change.time_zone.as_ref().filter(|_| zone_changed) {
        users::set_time_zone(&mut tx, id, zone.as_str()).await?;
    }
    if disabled && !before.disabled {
        sessions::end_all(&mut tx, id, None, now).await?;
        sessions::announce(&mut tx, id).await?;
    }
    let after = users::by_id(&mut tx, id).await?.ok_or(Error::NotFound("user"))?;
    let action = match (role != before.role(), disabled != before.disabled, zone_changed) {
        (true, false, false) => "user.set_role",
        (false, true, false) if disabled => "user.disable",
        (false, true, false) => "user.enable",
        (false, false, true) => "user.set_time_zone",
        _ => "user.update",
    };
    let entry = Entry::new(action, "user", id).before(audit_view(&before)).after(audit_view(&after));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(after.view())
}

/// Sets someone's password (an admin's or the command line's reset): every session of theirs ends.
pub async fn set_password(
    pool: &PgPool,
    actor: &Actor,
    email: &str,
    password: &Password,
    now: DateTime<Utc>,
) -> Result<()> {
    let hash = password::hash(password.expose().to_owned()).await?;
    let mut tx = pool.begin().await?;
    let user = users::by_email(&mut tx, email).await?.ok_or(Error::NotFound("user"))?;
    users::set_password_hash(&mut tx, user.id, &hash).await?;
    sessions::end_all(&mut tx, user.id, None, now).await?;
    sessions::announce(&mut tx, user.id).await?;
    audit::record(&mut tx, actor, Entry::new("user.set_password", "user", user.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// A person changes their own password, proving the current one: their other sessions end
/// (a changed password is how someone shuts out whoever learnt the old one); the session they
/// changed it from stays. Hashing holds no connection and waits its turn among `hashers`.
pub async fn change_own_password(
    pool: &PgPool,
    hashers: &Hashers,
    me: &Principal,
    current: &str,
    new: &Password,
    now: DateTime<Utc>,
) -> Result<()> {
    let stored = {
        let mut conn = pool.acquire().await?;
        users::by_id(&mut conn, me.user_id).await?.ok_or(Error::NotFound("user"))?.password_hash
    };
    let Some(turn) = hashers.try_turn() else {
        return Err(Error::RateLimited { retry_after_secs: 1 });
    };
    if !password::verify(current.to_owned(), stored).await? {
        return Err(FieldError::new("current_password", "is not your current password").into());
    }
    let hash = password::hash(new.expose().to_owned()).await?;
    drop(turn);
    let mut tx = pool.begin().await?;
    users::set_password_hash(&mut tx, me.user_id, &hash).await?;
    let keep = (me.via == Via::Session).then_some(me.credential);
    let ended = sessions::end_all(&mut tx, me.user_id, keep, now).await?;
    sessions::announce(&mut tx, me.user_id).await?;
    let entry =
        Entry::new("user.change_password", "user", me.user_id).after(json!({ "sessions_ended": ended }));
    audit::record(&mut tx, &me.actor(None), entry).await?;
    tx.commit().await?;
    Ok(())
}
