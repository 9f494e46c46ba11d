//! Tocsin's domain types: the vocabulary shared by the server and the browser.
//!
//! This crate owns parsing (input becomes a domain type through one constructor used by both the
//! form and the server) and pure rules. It must never do I/O: it is compiled to wasm as well.

pub mod audit;
pub mod error;
pub mod incident;
pub mod user;

pub use error::FieldError;
pub use user::{
    ApiTokenLabel, ApiTokenView, CreatedApiToken, Email, Me, NewUser, NewUserInput, Password, PersonName,
    Role, TimeZoneName, UserId, UserView,
};
