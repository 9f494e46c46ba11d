use domain::Me;
use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in user, or None on a page someone may see without logging in.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(crate::ssr::principal().map(|p| p.me()))
}

/// Succeeds only for admins: the admin area checks it before showing any of its pages, even the
/// ones with no data of their own yet.
#[server]
pub async fn require_admin() -> Result<(), AppError> {
    crate::ssr::authorize(domain::Role::Admin).map(|_| ())
}
