//! Pages, one module per area.

pub mod account;
pub mod admin_postmortems;
pub mod admin_status;
pub mod admin_teams;
pub mod admin_users;
pub mod analytics;
pub mod audit;
pub mod dashboard;
pub mod deliveries;
pub mod escalation;
pub mod incident;
pub mod incident_status;
pub mod incidents;
pub mod login;
pub mod not_found;
pub mod notifications;
pub mod postmortems;
pub mod retro;
pub mod schedule_editor;
pub mod schedules;
pub mod service;
pub mod services;
pub mod status;
pub mod tokens;
