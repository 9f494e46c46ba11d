//! Components shared by several pages.

pub mod alerts;
pub mod errors;
pub mod layout;
pub mod live;
pub mod timeline;
pub mod user_menu;
