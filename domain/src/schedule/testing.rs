//! Fixtures shared by the schedule tests.

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{Layer, LayerId, RotationUnit, Schedule, ScheduleLayer, Tier};
use crate::UserId;

/// One primary layer: people 1..=n take a week each, Monday 09:00, from Monday 5 January 2026.
pub fn weekly(zone: Tz, people: u128) -> Schedule {
    Schedule {
        time_zone: zone,
        layers: vec![ScheduleLayer {
            id: LayerId(Uuid::from_u128(1)),
            name: "Primary".into(),
            tier: Tier::Primary,
            rotation: Layer {
                participants: (1..=people).map(|n| UserId(Uuid::from_u128(n))).collect(),
                unit: RotationUnit::Weeks,
                length: 1,
                handoff_time: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
                handoff_weekday: Some(Weekday::Mon),
                start_date: NaiveDate::from_ymd_opt(2026, 1, 5).expect("valid date"),
                end: None,
                restrictions: vec![],
            },
        }],
        overrides: vec![],
    }
}
