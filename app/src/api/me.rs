use domain::Me;
use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in user, or None on a page someone may see without logging in.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(crate::ssr::principal().map(|p| p.me()))
}
