//! Logging in, and turning a session cookie or an API token into a `Principal`.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use serde_json::json;

use crate::{
    Error, Result,
    actor::Actor,
    auth::{
        Principal, Via,
        jwt::SessionKeys,
        password::{self, Hashers},
        secrets::hash_secret,
    },
    db::{
        api_tokens,
        audit::{self, Entry},
        login_failures, users,
    },
};

/// Failed logins allowed per account, and per client address, within the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// Checks an email and password. Every failure looks the same to the caller (`Unauthenticated`)
/// whether the account is missing, disabled or the password wrong; repeated failures per address
/// and per account answer `RateLimited` before the password is even checked.
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
) -> Result<users::UserRow> {
    let email = email.trim().to_lowercase();
    let mut conn = pool.begin().await?;
    // Attempts on one account take turns (across instances too) to check the limits and count
    // themselves as a failure up front: otherwise many guesses sent at once would all pass the
    // check before any of them failed, and the limit would not hold. Success clears the count.
    crate::db::lock(&mut conn, crate::db::LockSpace::Login, &email).await?;
    let recent = login_failures::recent(&mut conn, ip, &email, FAILURE_WINDOW_SECS).await?;
    let limited = [
        (recent.by_email >= MAX_FAILURES_PER_ACCOUNT, recent.email_retry_after),
        (recent.by_ip >= MAX_FAILURES_PER_IP, recent.ip_retry_after),
    ];
    if let Some(wait) = limited.iter().filter(|(hit, _)| *hit).filter_map(|(_, w)| *w).reduce(f64::max) {
        return Err(Error::RateLimited { retry_after_secs: wait.ceil().max(1.0) as u64 });
    }

    let user = users::by_email(&mut conn, &email).await?;
    let Some(turn) = hashers.try_turn() else {
        return Err(Error::RateLimited { retry_after_secs: 1 });
    };
    login_failures::record(&mut conn, ip, &email).await?;
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

/// The principal of a session token, if the token is valid and its user exists and is enabled.
pub async fn principal_from_session(
    pool: &PgPool,
    keys: &SessionKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Principal, bool)>> {
    let Some(claims) = keys.verify(token, now) else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await?;
    Ok(users::by_id(&mut conn, claims.sub)
        .await?
        .filter(|u| !u.disabled)
        // Whole seconds: a JWT's iat has no fraction, and a login in the same second must stand.
        .filter(|u| u.sessions_valid_after.is_none_or(|t| claims.iat >= t.timestamp()))
        .map(|u| (Principal::from_row(&u, Via::Session), claims.needs_renewal(now))))
}

/// The principal of an API token, if it is live and its user enabled.
pub async fn principal_from_api_token(pool: &PgPool, token: &str) -> Result<Option<Principal>> {
    let mut conn = pool.acquire().await?;
    let Some(user_id) = api_tokens::use_token(&mut conn, &hash_secret(token)).await? else {
        return Ok(None);
    };
    Ok(users::by_id(&mut conn, user_id)
        .await?
        .filter(|u| !u.disabled)
        .map(|u| Principal::from_row(&u, Via::ApiToken)))
}
