//! Session tokens: short-lived HS256 JWTs carried in an HttpOnly cookie and renewed while used.
//! The token says who, which session and until when; the session row (ended by logout, a
//! password change or disabling), the user's role and disabled flag are read from the database on
//! every request, so each takes effect at once.

use chrono::{DateTime, Duration, Utc};
use domain::UserId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The session cookie's name: over https with the `__Host-` prefix, which makes browsers refuse
/// it unless it is `Secure`, for `/` and for this host alone (no subdomain can set or shadow it).
pub fn cookie_name(https: bool) -> &'static str {
    if https { "__Host-tocsin_session" } else { "tocsin_session" }
}
/// How long a session lives without use.
pub const LIFETIME: Duration = Duration::hours(8);
/// How long a session lives however much it is used: a week, so a responder's phone stays
/// signed in across a rotation, and a stolen cookie does not work for ever.
pub const ABSOLUTE_LIFETIME: Duration = Duration::days(7);
/// A session older than this is renewed on its next request.
pub const RENEW_AFTER: Duration = Duration::minutes(15);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: UserId,
    /// The session (a row in `sessions`).
    pub sid: uuid::Uuid,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn issued_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.iat, 0).unwrap_or_default()
    }

    pub fn needs_renewal(&self, now: DateTime<Utc>) -> bool {
        now - self.issued_at() > RENEW_AFTER
    }
}

fn mac(key: &[u8], message: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(message);
    m.finalize().into_bytes().to_vec()
}

#[derive(Clone)]
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Signs calendar feed tokens: derived from the secret so a feed token is never a session.
    feed: std::sync::Arc<[u8]>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

impl SessionKeys {
    pub fn new(secret: &[u8]) -> Self {
        let feed = mac(secret, b"tocsin calendar feed key").into();
        SessionKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            feed,
        }
    }

    /// The calendar feed token of `user` at `generation`: `<user id>.<mac>`, so the feed can
    /// name its owner and rotating the generation voids every earlier token.
    pub fn feed_token(&self, user: UserId, generation: i32) -> String {
        let m = mac(&self.feed, format!("{user}:{generation}").as_bytes());
        format!("{user}.{}", hex::encode(&m[..20]))
    }

    /// The user a feed token names, if it is well formed; the caller checks it with
    /// [`SessionKeys::feed_token_matches`] against the user's current generation.
    pub fn feed_token_user(token: &str) -> Option<UserId> {
        let (user, _) = token.split_once('.')?;
        user.parse().ok().map(UserId)
    }

    pub fn feed_token_matches(&self, token: &str, user: UserId, generation: i32) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.feed_token(user, generation);
        expected.len() == token.len() && bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
    }

    /// A single-purpose link token: `kind` (e.g. "ack") for `user` on `subject`, until `expires`.
    /// Carried in a URL, so it is short and holds no secret but its MAC.
    pub fn action_token(
        &self,
        kind: &str,
        subject: uuid::Uuid,
        user: UserId,
        expires: DateTime<Utc>,
    ) -> String {
        let body = format!("{}.{}.{}", subject.simple(), user.0.simple(), expires.timestamp());
        let m = mac(&self.feed, format!("{kind}:{body}").as_bytes());
        format!("{body}.{}", hex::encode(&m[..16]))
    }

    /// The subject and user of a valid, unexpired action token of `kind`.
    pub fn verify_action(&self, kind: &str, token: &str, now: DateTime<Utc>) -> Option<(uuid::Uuid, UserId)> {
        use subtle::ConstantTimeEq;
        let mut parts = token.split('.');
        let (subject, user, expires, _) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let subject: uuid::Uuid = subject.parse().ok()?;
        let user: uuid::Uuid = user.parse().ok()?;
        let expires = DateTime::from_timestamp(expires.parse().ok()?, 0)?;
        let expected = self.action_token(kind, subject, UserId(user), expires);
        let valid = expected.len() == token.len() && bool::from(expected.as_bytes().ct_eq(token.as_bytes()));
        (valid && now < expires).then_some((subject, UserId(user)))
    }

    /// A token for session `sid` of `user`, valid for [`LIFETIME`] but never past `session_end`.
    pub fn issue(
        &self,
        user: UserId,
        sid: uuid::Uuid,
        now: DateTime<Utc>,
        session_end: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let exp = (now + LIFETIME).min(session_end).timestamp();
        let claims = Claims { sub: user, sid, iat: now.timestamp(), exp };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// The claims of a valid, unexpired token signed with this key; None for anything else.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the injected clock, not the system's.
        validation.validate_exp = false;
        validation.required_spec_claims = ["exp", "iat", "sub"].into_iter().map(String::from).collect();
        // A token from before sessions had rows has no `sid` and fails to decode: signed out.
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?.claims;
        (claims.exp > now.timestamp()).then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn keys() -> SessionKeys {
        SessionKeys::new(b"0123456789abcdef0123456789abcdef")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_fresh_token_verifies_for_its_user_and_session() {
        let user = UserId(uuid::Uuid::now_v7());
        let sid = uuid::Uuid::new_v4();
        let token = keys().issue(user, sid, now(), now() + ABSOLUTE_LIFETIME).unwrap();
        let claims = keys().verify(&token, now()).unwrap();
        assert_eq!((claims.sub, claims.sid), (user, sid));
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let user = UserId(uuid::Uuid::now_v7());
        let token = keys().issue(user, uuid::Uuid::new_v4(), now(), now() + ABSOLUTE_LIFETIME).unwrap();
        assert!(keys().verify(&token, now() + LIFETIME + Duration::seconds(1)).is_none());
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(keys().verify(&tampered, now()).is_none());
        let other = SessionKeys::new(b"another secret of thirty-two bytes!!");
        assert!(other.verify(&token, now()).is_none());
        assert!(keys().verify("not.a.jwt", now()).is_none());
    }

    #[test]
    fn no_token_outlives_its_session() {
        let user = UserId(uuid::Uuid::now_v7());
        let end = now() + Duration::hours(1);
        let token = keys().issue(user, uuid::Uuid::new_v4(), now(), end).unwrap();
        assert_eq!(keys().verify(&token, now()).unwrap().exp, end.timestamp());
        assert!(keys().verify(&token, end).is_none());
    }

    #[test]
    fn renewal_starts_after_a_quarter_hour() {
        let claims =
            Claims { sub: UserId(uuid::Uuid::nil()), sid: uuid::Uuid::nil(), iat: now().timestamp(), exp: 0 };
        assert!(!claims.needs_renewal(now() + Duration::minutes(5)));
        assert!(claims.needs_renewal(now() + Duration::minutes(16)));
    }
}
