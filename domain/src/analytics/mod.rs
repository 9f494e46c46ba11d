//! Response analytics and the weekly retro: every definition the `/analytics` and `/retro`
//! pages and the API use, as pure functions over facts the server reads. Each figure states its
//! formula here once; the pages quote these doc comments.

pub mod compare;
pub mod hours;
pub mod learning;
pub mod load;
pub mod noise;
pub mod priority;
pub mod report;
pub mod response;
pub mod rollup;
pub mod stats;
pub mod window;

pub use compare::{Comparison, Metric, Side, compare};
pub use hours::{
    HourClass, InterruptionCounts, InterruptionTally, Tallied, TalliedPerson, WorkingHours, hour_of_week,
    hour_of_week_local, hour_of_week_seconds, interruptions,
};
pub use learning::{ActionFact, LearningFigures, PostmortemFact};
pub use load::{Span, covered_seconds, covered_seconds_ms};
pub use noise::{AlertFact, NoiseFigures, NoiseRow, NoiseTally, RuleCount, rule_of};
pub use priority::{InflationRow, PriorityFigures, PriorityTally};
pub use report::*;
pub use response::{GroupBy, GroupedTally, IncidentFact, ResponseFigures, ResponseTally, grouped};
pub use stats::Summary;
pub use window::{LocalClock, Week, Window, date_of_local_day, local_day, start_of_day};
