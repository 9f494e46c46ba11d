//! On-call schedules: layers of rotations in the schedule's IANA time zone.
//!
//! # Time rules
//!
//! Handoffs are wall-clock times in the schedule's zone, never fixed durations: a weekly handoff
//! on Monday at 09:00 Europe/London happens at 09:00 local before and after the clocks change, so
//! the shift spanning the change lasts 167 or 169 hours. Rotations of N hours where N divides 24
//! are wall-clock too (a 12-hour rotation stays at 08:00 and 20:00); other hour counts advance by
//! elapsed time.
//!
//! A handoff at a wall-clock time that does not exist that day (the hour skipped when clocks go
//! forward) happens at the first valid instant after it, which is the moment the clocks change. A
//! handoff at a time that happens twice (the hour repeated when clocks go back) happens at the
//! first occurrence.
//!
//! Instants are `DateTime<Utc>`; local dates and times are only ever turned into instants by
//! [`resolve_local`].

pub mod fairness;
pub mod input;
pub mod rotation;
pub mod stack;
pub mod view;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

pub use fairness::{FairnessRule, FairnessRules, Limit, Violation};
pub use input::{
    LayerInput, OverrideInput, OverrideRefusal, ParsedOverride, ParsedSchedule, RESPONDER_OVERRIDE_DAYS,
    RestrictionInput, ScheduleInput, may_override,
};
pub use rotation::{Layer, Restriction, RotationUnit, Shift, resolve_local};
pub use stack::{
    FinalShift, Gap, LayerId, Override, OverrideId, Schedule, ScheduleId, ScheduleLayer, Scope, Tier,
    Timeline,
};
pub use view::{
    Holder, LayerHolder, Load, LoadRow, MyShift, NowNext, OnCallAt, OnCallEntry, OnCallOverview, OnCallRow,
    PersonRef, ScheduleSummary, ScheduleView, ShiftOut, ShiftsOut,
};
