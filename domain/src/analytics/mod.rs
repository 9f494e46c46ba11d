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
pub mod stats;
pub mod window;

pub use compare::{compare, Comparison, Metric, Side};
pub use hours::{hour_of_week, interruptions, HourClass, InterruptionCounts, WorkingHours};
pub use learning::{ActionFact, LearningFigures, PostmortemFact};
pub use load::covered_seconds;
pub use noise::{rule_of, AlertFact, NoiseFigures, NoiseRow};
pub use priority::{InflationRow, PriorityFigures};
pub use report::*;
pub use response::{grouped, GroupBy, IncidentFact, ResponseFigures};
pub use stats::Summary;
pub use window::{start_of_day, Week, Window};
