//! Path parameters parsed into domain types (`Path<IncidentNumber>`), with a bad one answered in
//! the API's error shape: 422 naming the field, as a bad body would be, instead of axum's text.

use axum::{
    extract::{FromRequestParts, RawPathParams, rejection::PathRejection},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => {
                let names = RawPathParams::from_request_parts(parts, state).await.ok();
                Err(refused(rejection, names))
            }
        }
    }
}

fn refused(rejection: PathRejection, names: Option<RawPathParams>) -> ApiError {
    use axum::extract::path::ErrorKind;
    if let PathRejection::FailedToDeserializePathParams(e) = &rejection {
        match e.kind() {
            // A domain parser refused it: its message is the FieldError, "field: reason".
            ErrorKind::Message(m) => {
                if let Some((field, reason)) = m.split_once(": ") {
                    return ApiError::from(domain::FieldError::new(field, reason));
                }
            }
            ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
                return ApiError::from(domain::FieldError::new(
                    key.as_str(),
                    format!("'{value}' is not a valid {expected_type}"),
                ));
            }
            ErrorKind::DeserializeError { key, value, message } => {
                return ApiError::from(domain::FieldError::new(
                    key.as_str(),
                    format!("'{value}' is not valid: {message}"),
                ));
            }
            // A single parameter: axum does not say which, so find it by its value.
            ErrorKind::ParseError { value, expected_type } => {
                let key = names
                    .as_ref()
                    .and_then(|n| n.iter().find(|(_, v)| v == value).map(|(k, _)| k.to_owned()))
                    .unwrap_or_else(|| "path".to_owned());
                return ApiError::from(domain::FieldError::new(
                    key,
                    format!("'{value}' is not a valid {expected_type}"),
                ));
            }
            _ => {}
        }
    }
    ApiError::from(domain::FieldError::new("path", rejection.body_text()))
}
