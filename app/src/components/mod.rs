//! Components shared by several pages.

pub mod alerts;
pub mod errors;
pub mod layout;
pub mod live;
pub mod user_menu;
