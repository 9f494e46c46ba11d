//! Background work: everything that happens because time passed or an event arrived, not because
//! a person asked. Each job claims its work from Postgres, so any number of instances may run it.

pub mod clock;

pub use clock::{Clock, ManualClock, SystemClock};
