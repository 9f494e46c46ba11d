//! Tocsin's domain types: the vocabulary shared by the server and the browser.
//!
//! This crate owns parsing (input becomes a domain type through one constructor used by both the
//! form and the server) and pure rules. It must never do I/O: it is compiled to wasm as well.
//!
//! With the `openapi` feature (the server's), the types the REST API reads and writes have
//! OpenAPI schemas. An `Option` field of a type only the server writes is marked
//! `schema(required)`: serde always writes it (`null` for `None`), which utoipa would otherwise
//! document as a field that may be left out.

/// The OpenAPI schema of a type serde writes as one string (with the `openapi` feature): `$schema`
/// is a `utoipa::openapi::ObjectBuilder`, usually from the helpers in `openapi.rs`. Written by hand
/// because deriving would describe the Rust fields, not the string on the wire.
macro_rules! string_schema {
    ($name:ty, $schema:expr) => {
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::Schema::Object($schema.build()).into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

/// The plumbing every parsed text newtype shares: `as_str`, serde through `parse` (so JSON input
/// meets the same rule as a form), conversion back to `String`, and (with the `openapi` feature)
/// `$schema` as its OpenAPI schema, which states the rule of `parse`. The type keeps its own `parse`.
macro_rules! text_newtype {
    ($name:ident, $schema:expr) => {
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

        string_schema!($name, $schema);
    };
}

/// Stores a closed set of names as PostgreSQL `text` through the type's own `as_str` and
/// `FromStr`: one mapping for JSON, forms and the database. A stored value the type does not know
/// fails the read (a logged internal error), never a silent default. The same names, from `ALL`,
/// are the enum of its OpenAPI schema (tests hold them equal to what serde writes).
macro_rules! stored_as_text {
    ($($name:ty),+ $(,)?) => {$(
        string_schema!($name, $crate::openapi::names(<$name>::ALL.iter().map(|v| v.as_str())));

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

/// Defines a closed set of snake_case names with `ALL`, `as_str`, `Display`, a `FromStr` whose
/// error lists the accepted names, and (with the `sqlx` feature) storage as text. Used for every
/// closed set of names the API and forms exchange (alert severities, status page states...).
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == t).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::FieldError::new($field, format!("'{t}' is not accepted; expected one of {}", names.join(", ")))
                })
            }
        }

        stored_as_text!($name);
    };
}

/// An id newtype over a UUID: serialised as the bare UUID (so its OpenAPI schema is a UUID
/// string), stored as `uuid` (with the `sqlx` feature), parsed from text with a field-named error.
/// Ids of different things do not mix.
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

        string_schema!($name, $crate::openapi::uuid());
    };
}

pub mod alert;
pub mod analytics;
pub mod audit;
pub mod error;
pub mod escalation;
pub mod incident;
pub mod notification;
#[cfg(feature = "openapi")]
mod openapi;
#[cfg(all(test, feature = "openapi"))]
mod openapi_tests;
pub mod postmortem;
pub mod retro;
pub mod schedule;
pub mod service;
pub mod status;
pub mod team;
pub mod user;

pub use error::FieldError;
pub use user::{
    ApiTokenLabel, ApiTokenView, CreatedApiToken, Email, Me, NewUser, NewUserInput, Password, PersonName,
    Role, TimeZoneName, UserId, UserView,
};
