//! Components shared by several pages.

pub mod errors;
pub mod layout;
pub mod live;
pub mod user_menu;
