//! Tocsin's domain types: the vocabulary shared by the server and the browser.
//!
//! This crate owns parsing (input becomes a domain type through one constructor used by both the
//! form and the server) and pure rules. It must never do I/O: it is compiled to wasm as well.

/// The plumbing every parsed text newtype shares: `as_str`, serde through `parse` (so JSON input
/// meets the same rule as a form), and conversion back to `String`. The type keeps its own `parse`.
macro_rules! text_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Stores a closed set of names as PostgreSQL `text` through the type's own `as_str` and
/// `FromStr`: one mapping for JSON, forms and the database. A stored value the type does not know
/// fails the read (a logged internal error), never a silent default.
macro_rules! stored_as_text {
    ($($name:ty),+ $(,)?) => {$(
        #[cfg(feature = "sqlx")]
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q> sqlx::Encode<'q, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    )+};
}

/// An id newtype over a UUID: serialised as the bare UUID, stored as `uuid` (with the `sqlx`
/// feature), parsed from text with a field-named error. Ids of different things do not mix.
macro_rules! uuid_id {
    ($(#[$m:meta])* $name:ident, $field:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name).map_err(|_| $crate::FieldError::new($field, "is not an id"))
            }
        }
    };
}

pub mod alert;
pub mod audit;
pub mod error;
pub mod escalation;
pub mod incident;
pub mod notification;
pub mod schedule;
pub mod service;
pub mod team;
pub mod user;

pub use error::FieldError;
pub use user::{
    ApiTokenLabel, ApiTokenView, CreatedApiToken, Email, Me, NewUser, NewUserInput, Password, PersonName,
    Role, TimeZoneName, UserId, UserView,
};
