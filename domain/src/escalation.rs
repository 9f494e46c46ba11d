//! Escalation: policies and who gets paged when (levels, delays, repeats, pair paging). How a
//! page then reaches a person is `notification`.
//!
//! # Timing
//!
//! Level 1 is paged when the escalation starts. Each level says how long to wait for an
//! acknowledgement before the next level is paged; after the last level, the policy starts over
//! at level 1 (after the last level's wait) as many times as its repeat count says. So a policy of
//! levels waiting 5 and 10 minutes, repeated once, pages at 0, 5, 15 and 20 minutes, and is done.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{FieldError, UserId, incident::IncidentRole, schedule::ScheduleId, team::TeamId};

uuid_id!(PolicyId, "policy_id");

/// Who a level pages.

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    User {
        id: Uuid,
    },
    /// Whoever holds the schedule's primary stack.
    Schedule {
        id: ScheduleId,
    },
    /// Whoever holds one layer (e.g. the secondary) on its own.
    Layer {
        schedule_id: ScheduleId,
        layer_id: Uuid,
    },
    /// Every lead of the team.
    TeamLeads {
        id: TeamId,
    },
}

/// A level may page a pair: each target gets a role on the incident when they acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelTarget {
    #[serde(flatten)]
    pub target: Target,
    #[serde(default)]
    pub role: Option<IncidentRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Level {
    pub targets: Vec<LevelTarget>,
    /// How long to wait for an acknowledgement before paging the next level, in seconds.
    pub delay_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub levels: Vec<Level>,
    /// How many times the whole policy runs again after its last level.
    pub repeat: u32,
}

/// One escalation step: which level, in which run, and when after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub index: u32,
    pub level: usize,
    pub run: u32,
    pub after: Duration,
}

pub const MAX_LEVELS: usize = 10;
pub const MAX_REPEAT: u32 = 9;
pub const MAX_DELAY_SECS: u32 = 24 * 3600;

impl Policy {
    pub fn steps(&self) -> u32 {
        self.levels.len() as u32 * (self.repeat + 1)
    }

    /// Step `index` (0 pages level 1 at the start), or None when the policy is done.
    pub fn step(&self, index: u32) -> Option<Step> {
        if self.levels.is_empty() || index >= self.steps() {
            return None;
        }
        let n = self.levels.len() as u32;
        let cycle: i64 = self.levels.iter().map(|l| i64::from(l.delay_secs)).sum();
        let (run, level) = (index / n, (index % n) as usize);
        let within: i64 = self.levels[..level].iter().map(|l| i64::from(l.delay_secs)).sum();
        Some(Step { index, level, run, after: Duration::seconds(i64::from(run) * cycle + within) })
    }

    /// Checks the shape: at least one level, each with targets, sane delays, at most one
    /// communicator and one fixer per level.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.levels.is_empty() {
            return Err(FieldError::new("levels", "a policy needs at least one level"));
        }
        if self.levels.len() > MAX_LEVELS {
            return Err(FieldError::new("levels", format!("at most {MAX_LEVELS} levels")));
        }
        if self.repeat > MAX_REPEAT {
            return Err(FieldError::new("repeat", format!("must be between 0 and {MAX_REPEAT}")));
        }
        for (i, l) in self.levels.iter().enumerate() {
            if l.targets.is_empty() {
                return Err(FieldError::new(
                    format!("levels[{i}].targets"),
                    "a level needs at least one target",
                ));
            }
            if l.targets.len() > 20 {
                return Err(FieldError::new(format!("levels[{i}].targets"), "at most 20 targets"));
            }
            if l.delay_secs < 60 || l.delay_secs > MAX_DELAY_SECS {
                return Err(FieldError::new(
                    format!("levels[{i}].delay_secs"),
                    "must be between 1 minute and 24 hours (in seconds)",
                ));
            }
            for role in [
                IncidentRole::Commander,
                IncidentRole::Communicator,
                IncidentRole::Fixer,
                IncidentRole::Scribe,
            ] {
                if l.targets.iter().filter(|t| t.role == Some(role)).count() > 1 {
                    return Err(FieldError::new(
                        format!("levels[{i}].targets"),
                        format!("only one target may be the {role}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A policy as forms and the API send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyInput {
    pub name: String,
    pub levels: Vec<Level>,
    #[serde(default)]
    pub repeat: u32,
}

impl PolicyInput {
    pub fn parse(&self) -> Result<(String, Policy), FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(FieldError::new("name", "must be 1 to 100 characters"));
        }
        let policy = Policy { levels: self.levels.clone(), repeat: self.repeat };
        policy.validate()?;
        Ok((name.to_owned(), policy))
    }
}

/// People paged by one step, with the role each gets on acknowledging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged {
    pub user: UserId,
    pub role: Option<IncidentRole>,
}

/// A policy as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyView {
    pub id: PolicyId,
    pub name: String,
    pub levels: Vec<Level>,
    pub repeat: u32,
    /// Slugs of the services routed to it.
    pub services: Vec<String>,
}

/// A target an editor can choose, with a readable label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetOption {
    pub target: Target,
    pub label: String,
}

/// One level of a policy in words, with who it would page right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelNow {
    pub targets: Vec<String>,
    pub paged_now: Vec<String>,
    pub delay_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOverview {
    pub policy: PolicyView,
    pub levels: Vec<LevelNow>,
}

/// Whom to page by hand during an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ManualPage {
    User {
        id: Uuid,
    },
    /// The leads of a team.
    Team {
        id: TeamId,
    },
    /// The first level of a policy, as it stands now.
    Policy {
        id: PolicyId,
    },
}

#[cfg(test)]
mod tests {

    use super::*;

    fn level(delay_min: u32) -> Level {
        Level {
            targets: vec![LevelTarget { target: Target::User { id: Uuid::nil() }, role: None }],
            delay_secs: delay_min * 60,
        }
    }

    #[test]
    fn steps_follow_the_delays_and_repeat() {
        let p = Policy { levels: vec![level(5), level(10)], repeat: 1 };
        let at: Vec<(usize, u32, i64)> =
            (0..5).filter_map(|i| p.step(i)).map(|s| (s.level, s.run, s.after.num_minutes())).collect();
        assert_eq!(at, vec![(0, 0, 0), (1, 0, 5), (0, 1, 15), (1, 1, 20)]);
        assert_eq!(p.step(4), None);
    }

    #[test]
    fn bad_policies_name_the_field() {
        let mut p = Policy { levels: vec![level(5)], repeat: 0 };
        assert!(p.validate().is_ok());
        p.levels[0].delay_secs = 10;
        assert_eq!(p.validate().unwrap_err().field, "levels[0].delay_secs");
        p.levels[0].delay_secs = 300;
        p.levels[0].targets.clear();
        assert_eq!(p.validate().unwrap_err().field, "levels[0].targets");
        let pair = LevelTarget { target: Target::User { id: Uuid::nil() }, role: Some(IncidentRole::Fixer) };
        p.levels[0].targets = vec![pair.clone(), pair];
        assert_eq!(p.validate().unwrap_err().field, "levels[0].targets");
        assert_eq!(Policy { levels: vec![], repeat: 0 }.validate().unwrap_err().field, "levels");
        assert_eq!(Policy { levels: vec![level(5)], repeat: 10 }.validate().unwrap_err().field, "repeat");
    }
}
