//! The error every parser in this crate returns: which field is wrong and why, in words a person
//! can act on. The API turns it into a 422 with the same field and reason.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into() }
    }

    /// The same reason about the form's own field (a `password` rule checked on `new_password`).
    pub fn in_field(self, field: impl Into<String>) -> Self {
        Self { field: field.into(), ..self }
    }
}
