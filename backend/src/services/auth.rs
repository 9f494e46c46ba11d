//! Logging in, and turning a session cookie or an API token into a `Principal`.

use chrono::{DateTime, Utc};
use domain::UserId;
use sqlx::PgPool;

use serde_json::json;

use crate::{
    Error, Result,
    actor::Actor,
    auth::{
        Principal, Via,
        jwt::{ABSOLUTE_LIFETIME, SessionKeys},
        password::{self, Hashers},
        secrets::hash_secret,
    },
    db::{
        api_tokens,
        audit::{self, Entry},
        login_failures, sessions, users,
    },
};

/// Failed logins an account takes at full speed within the window; after that each attempt
/// waits longer (see [`account_delay`]).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed logins one client address may make within the window, whatever the accounts.
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// The longest an account's owner waits between attempts, however many guesses others made.
pub const MAX_ACCOUNT_DELAY_SECS: i64 = 60;

/// How long after the last failure an account with `failures` recent failures takes its next
/// attempt: nothing for the first few, then 1 s, 2 s, 4 s … up to a minute. Guessing slows to a
/// crawl, while the owner (who may be paged at 4 a.m. while someone hammers their account) is
/// never locked out for longer than a minute.
pub fn account_delay(failures: i64) -> Option<chrono::Duration> {
    let over = failures - MAX_FAILURES_PER_ACCOUNT;
    (over >= 0).then(|| chrono::Duration::seconds((1_i64 << over.min(10)).min(MAX_ACCOUNT_DELAY_SECS)))
}

/// Checks an email and password. Every failure looks the same to the caller (`Unauthenticated`)
/// whether the account is missing, disabled or the password wrong. Repeated failures on an
/// account slow it down ([`account_delay`]); too many from one address answer `RateLimited`
/// until the oldest leaves the window. Both are checked before the password is.
///
/// The password is checked with no database connection held (hashing takes tens of
/// milliseconds, and logins must not drain the pool the engine and ingestion share), and at most
/// `hashers` at once; beyond that the answer is `RateLimited` at once.
pub async fn login(
    pool: &PgPool,
    hashers: &Hashers,
    ip: &str,
    email: &str,
    password_attempt: &str,
    now: DateTime<Utc>,
) -> Result<users::UserRow> {
    let email = email.trim().to_lowercase();
    let mut conn = pool.begin().await?;
    // Attempts on one account take turns (across instances too) to check the limits and count
    // themselves as a failure up front: otherwise many guesses sent at once would all pass the
    // check before any of them failed, and the limit would not hold. Success clears the count.
    crate::db::lock(&mut conn, crate::db::LockSpace::Login, &email).await?;
    let recent = login_failures::recent(&mut conn, ip, &email, FAILURE_WINDOW_SECS, now).await?;
    let account_wait = match (account_delay(recent.by_email), recent.last_email_failure) {
        (Some(delay), Some(last)) if last + delay > now => {
            Some((last + delay - now).num_milliseconds() as f64 / 1000.0)
        }
        _ => None,
    };
    let ip_wait = (recent.by_ip >= MAX_FAILURES_PER_IP).then_some(recent.ip_retry_after).flatten();
    if let Some(wait) = [account_wait, ip_wait].into_iter().flatten().reduce(f64::max) {
        return Err(Error::RateLimited { retry_after_secs: wait.ceil().max(1.0) as u64 });
    }

    let user = users::by_email(&mut conn, &email).await?;
    let Some(turn) = hashers.try_turn() else {
        return Err(Error::RateLimited { retry_after_secs: 1 });
    };
    login_failures::record(&mut conn, ip, &email, now).await?;
    conn.commit().await?;

    let ok = password::verify_or_waste_time(
        password_attempt.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    drop(turn);
    match user {
        Some(user) if ok && !user.disabled => {
            let mut tx = pool.begin().await?;
            login_failures::clear_for_email(&mut tx, &email).await?;
            let actor = Actor { user_id: Some(user.id), label: user.email.clone(), request_id: None };
            audit::record(
                &mut tx,
                &actor,
                Entry::new("auth.login", "user", user.id).after(json!({ "ip": ip })),
            )
            .await?;
            tx.commit().await?;
            tracing::info!(user_id = %user.id, "login");
            Ok(user)
        }
        _ => {
            // Audited under the address tried, whether or not such an account exists.
            let mut conn = pool.acquire().await?;
            let actor = Actor { user_id: None, label: email.clone(), request_id: None };
            let entry = Entry::new("auth.login_failed", "login", &email).after(json!({ "ip": ip }));
            audit::record(&mut conn, &actor, entry).await?;
            tracing::info!("failed login");
            Err(Error::Unauthenticated)
        }
    }
}

/// Starts a session for `user`, who just proved who they are; returns its cookie token.
pub async fn start_session(
    pool: &PgPool,
    keys: &SessionKeys,
    user: UserId,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let mut conn = pool.acquire().await?;
    let end = now + ABSOLUTE_LIFETIME;
    let sid = sessions::insert(&mut conn, user, now, end, ip).await?;
    Ok(keys.issue(user, sid, now, end)?)
}

/// The principal of a session token, if the token is valid, its session live and its user
/// enabled; with a renewed token when this one is due for renewal.
pub async fn principal_from_session(
    pool: &PgPool,
    keys: &SessionKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Principal, Option<String>)>> {
    let Some(claims) = keys.verify(token, now) else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await?;
    let Some(end) = sessions::live_until(&mut conn, claims.sid, claims.sub, now).await? else {
        return Ok(None);
    };
    let Some(user) = users::by_id(&mut conn, claims.sub).await?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let renewed = if claims.needs_renewal(now) {
        sessions::seen(&mut conn, claims.sid, now).await?;
        Some(keys.issue(user.id, claims.sid, now, end)?)
    } else {
        None
    };
    Ok(Some((Principal::from_row(&user, Via::Session, claims.sid), renewed)))
}

/// Ends the session a cookie token names (logging out); nothing for a token that names none.
pub async fn end_session(pool: &PgPool, keys: &SessionKeys, token: &str, now: DateTime<Utc>) -> Result<()> {
    let Some(claims) = keys.verify(token, now) else {
        return Ok(());
    };
    let mut tx = pool.begin().await?;
    if sessions::end(&mut tx, claims.sid, now).await? {
        sessions::announce(&mut tx, claims.sub).await?;
        if let Some(user) = users::by_id(&mut tx, claims.sub).await? {
            let actor = Actor { user_id: Some(user.id), label: user.email.clone(), request_id: None };
            audit::record(&mut tx, &actor, Entry::new("auth.logout", "user", user.id)).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the credential `principal` authenticated with still stands (its session live or
/// its token unrevoked, and its user enabled): open event streams ask when told that
/// something about the user's credentials changed.
pub async fn still_valid(pool: &PgPool, principal: &Principal, now: DateTime<Utc>) -> Result<bool> {
    let mut conn = pool.acquire().await?;
    let credential = match principal.via {
        Via::Session => {
            sessions::live_until(&mut conn, principal.credential, principal.user_id, now).await?.is_some()
        }
        Via::ApiToken => api_tokens::is_live(&mut conn, principal.credential, now).await?,
    };
    Ok(credential && users::by_id(&mut conn, principal.user_id).await?.is_some_and(|u| !u.disabled))
}

/// The principal of an API token, if it is live (neither revoked nor expired) and its user enabled.
pub async fn principal_from_api_token(
    pool: &PgPool,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Principal>> {
    let mut conn = pool.acquire().await?;
    let Some((id, user_id)) = api_tokens::use_token(&mut conn, &hash_secret(token), now).await? else {
        return Ok(None);
    };
    Ok(users::by_id(&mut conn, user_id)
        .await?
        .filter(|u| !u.disabled)
        .map(|u| Principal::from_row(&u, Via::ApiToken, id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_slows_down_and_is_never_locked_for_more_than_a_minute() {
        let secs = |n| account_delay(n).map(|d| d.num_seconds());
        assert_eq!(secs(0), None);
        assert_eq!(secs(MAX_FAILURES_PER_ACCOUNT - 1), None);
        assert_eq!(secs(MAX_FAILURES_PER_ACCOUNT), Some(1));
        assert_eq!(secs(MAX_FAILURES_PER_ACCOUNT + 1), Some(2));
        assert_eq!(secs(MAX_FAILURES_PER_ACCOUNT + 5), Some(32));
        assert_eq!(secs(MAX_FAILURES_PER_ACCOUNT + 6), Some(60));
        assert_eq!(secs(10_000), Some(MAX_ACCOUNT_DELAY_SECS));
    }
}
