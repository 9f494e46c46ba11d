//! People and what they may do: roles, the parsed fields of a user, and API token labels.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

string_schema!(UserId, crate::openapi::uuid());

/// What a person may do. Each role includes the rights of the ones below it:
/// admin > responder > viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Responder,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Responder, Role::Viewer];

    fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Responder => 1,
            Role::Admin => 2,
        }
    }

    /// Whether someone holding `self` may do what requires `needed`.
    pub fn includes(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Responder => "responder",
            Role::Admin => "admin",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Role::Viewer => "reads everything, changes nothing",
            Role::Responder => "runs incidents and takes pages",
            Role::Admin => "also manages users, teams, schedules and integrations",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "responder" => Ok(Role::Responder),
            "admin" => Ok(Role::Admin),
            other => Err(FieldError::new(
                "role",
                format!("'{other}' is not a role; expected admin, responder or viewer"),
            )),
        }
    }
}

/// An email address, trimmed and lower-cased so that uniqueness is case-insensitive everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let err = |reason: &str| FieldError::new("email", reason);
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(err("is required"));
        }
        if s.len() > 254 {
            return Err(err("must be at most 254 characters"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("must not contain spaces"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(err("must look like name@example.com"));
        };
        if local.is_empty() || local.len() > 64 || domain.is_empty() || domain.contains('@') {
            return Err(err("must look like name@example.com"));
        }
        if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
            return Err(err("has an invalid domain"));
        }
        Ok(Email(s))
    }
}

text_newtype!(
    Email,
    // Three characters is the least `parse` can accept (`a@b`); the rest is in words, since the
    // limits count bytes of the trimmed, lower-cased address.
    crate::openapi::string(
        "An email address such as ada@example.com, kept trimmed and lower-cased: no spaces inside, one @ \
         with at most 64 bytes before it and a domain after it that neither starts nor ends with a dot \
         nor has two in a row; at most 254 bytes in all."
    )
    .min_length(Some(3))
);

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new("name", "is required"));
        }
        if s.chars().count() > 100 {
            return Err(FieldError::new("name", "must be at most 100 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(FieldError::new("name", "must not contain control characters"));
        }
        Ok(PersonName(s.to_owned()))
    }
}

text_newtype!(
    PersonName,
    crate::openapi::string(
        "A person's display name: 1 to 100 characters once spaces around it are trimmed, no control \
         characters."
    )
    .min_length(Some(1))
);

/// A new password as typed. Never serialised back out, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    /// Bounds the work one login request can cause in the hasher.
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        if input.chars().count() < Self::MIN_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if input.len() > Self::MAX_BYTES {
            return Err(FieldError::new("password", format!("must be at most {} bytes", Self::MAX_BYTES)));
        }
        Ok(Password(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// An IANA time zone name such as `Europe/London`, checked against the bundled tz database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        match s.parse::<chrono_tz::Tz>() {
            Ok(tz) => Ok(TimeZoneName(tz.name().to_owned())),
            Err(_) => Err(FieldError::new(
                "time_zone",
                format!("'{s}' is not an IANA time zone such as Europe/London"),
            )),
        }
    }

    pub fn utc() -> Self {
        TimeZoneName("UTC".to_owned())
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        // Constructed only through `parse`, so the name is known to the database.
        self.0.parse().unwrap_or(chrono_tz::UTC)
    }
}

text_newtype!(
    TimeZoneName,
    crate::openapi::string("An IANA time zone name such as Europe/London.").examples(["Europe/London"])
);

/// A user to be created: every field already parsed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub time_zone: TimeZoneName,
}

/// The form and API input for creating a user, before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub time_zone: String,
    pub password: String,
}

impl NewUserInput {
    /// Parses every field; the first bad one is reported.
    pub fn parse(&self) -> Result<(NewUser, Password), FieldError> {
        let user = NewUser {
            email: Email::parse(&self.email)?,
            name: PersonName::parse(&self.name)?,
            role: self.role.parse()?,
            time_zone: if self.time_zone.trim().is_empty() {
                TimeZoneName::utc()
            } else {
                TimeZoneName::parse(&self.time_zone)?
            },
        };
        Ok((user, Password::parse(&self.password)?))
    }
}

/// The label an owner gives an API token ("alertmanager on prod-1").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiTokenLabel(String);

impl ApiTokenLabel {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new("label", "is required"));
        }
        if s.chars().count() > 100 {
            return Err(FieldError::new("label", "must be at most 100 characters"));
        }
        Ok(ApiTokenLabel(s.to_owned()))
    }
}

text_newtype!(
    ApiTokenLabel,
    crate::openapi::string("An API token's label: 1 to 100 characters once spaces around it are trimmed.")
        .min_length(Some(1))
);

/// The longest an API token may be made to last, in days, when it is given an end.
pub const MAX_TOKEN_DAYS: u32 = 366;

/// When a token made at `now` to last `days` stops working (None: it lasts until revoked).
pub fn token_expiry(days: Option<u32>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, FieldError> {
    match days {
        None => Ok(None),
        Some(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Ok(Some(now + chrono::Duration::days(i64::from(d)))),
        Some(_) => Err(FieldError::new("expires_in_days", format!("must be between 1 and {MAX_TOKEN_DAYS}"))),
    }
}

/// A user as the API and the pages show them. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub time_zone: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// The signed-in caller, as `GET /api/v1/me` and the user menu show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub time_zone: String,
}

/// An API token as its owner sees it after creation: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenView {
    pub id: Uuid,
    pub label: String,
    /// The first characters of the token, so its owner can tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub last_used_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it stops working by itself; never, when None.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The answer to creating a token: the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    pub token: String,
    pub view: ApiTokenView,
}

stored_as_text!(Role);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::Admin.includes(Role::Responder));
        assert!(Role::Admin.includes(Role::Viewer));
        assert!(Role::Responder.includes(Role::Viewer));
        assert!(!Role::Responder.includes(Role::Admin));
        assert!(!Role::Viewer.includes(Role::Responder));
        assert!(Role::Viewer.includes(Role::Viewer));
    }

    #[test]
    fn role_parses_case_insensitively_and_names_the_choices() {
        assert_eq!("Admin".parse::<Role>(), Ok(Role::Admin));
        let err = "root".parse::<Role>().unwrap_err();
        assert_eq!(err.field, "role");
        assert!(err.reason.contains("admin, responder or viewer"));
    }

    #[test]
    fn email_is_normalised_to_lower_case() {
        assert_eq!(Email::parse("  Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
    }

    #[test]
    fn email_rejects_what_is_not_an_address() {
        for bad in ["", "alice", "@example.com", "alice@", "a b@example.com", "a@b@c", "a@.com", "a@x..y"] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn password_has_a_floor_and_a_ceiling() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("twelve chars").is_ok());
        assert!(Password::parse(&"x".repeat(2000)).is_err());
        assert_eq!(format!("{:?}", Password::parse("a secret value").unwrap()), "Password(..)");
    }

    #[test]
    fn time_zone_must_be_iana() {
        assert_eq!(TimeZoneName::parse("Australia/Sydney").unwrap().as_str(), "Australia/Sydney");
        let err = TimeZoneName::parse("Mars/Olympus").unwrap_err();
        assert_eq!(err.field, "time_zone");
    }

    #[test]
    fn new_user_input_reports_the_first_bad_field() {
        let input = NewUserInput {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: "boss".into(),
            time_zone: "".into(),
            password: "correct horse battery".into(),
        };
        assert_eq!(input.parse().unwrap_err().field, "role");
        let ok = NewUserInput { role: "responder".into(), ..input };
        let (user, _) = ok.parse().unwrap();
        assert_eq!(user.time_zone.as_str(), "UTC");
    }

    #[test]
    fn serde_parses_through_the_same_constructor() {
        let err = serde_json::from_str::<Email>("\"nope\"");
        assert!(err.is_err());
    }
}
