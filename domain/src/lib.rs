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

pub mod alert;
pub mod audit;
pub mod error;
pub mod escalation;
pub mod incident;
pub mod schedule;
pub mod service;
pub mod team;
pub mod user;

pub use error::FieldError;
pub use user::{
    ApiTokenLabel, ApiTokenView, CreatedApiToken, Email, Me, NewUser, NewUserInput, Password, PersonName,
    Role, TimeZoneName, UserId, UserView,
};
