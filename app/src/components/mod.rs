//! Components shared by several pages.

pub mod errors;
pub mod layout;
pub mod user_menu;
