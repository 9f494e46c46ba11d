//! Load shedding at the door: ingestion requests handled at once and the request-body bytes they
//! hold are bounded, so a flood costs senders a retry rather than costing the server its memory.
//! A request that does not fit is answered 503 with `Retry-After` before its body is read.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bytes are counted in KiB so that any budget fits a semaphore's permit count.
const UNIT: u64 = 1024;

#[derive(Clone)]
pub struct Admission {
    requests: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    /// The byte budget in units: a body larger than it may still come in alone.
    units: u32,
}

/// Held for as long as the request is being handled; dropping it lets the next one in.
pub struct Admitted {
    _request: OwnedSemaphorePermit,
    _bytes: OwnedSemaphorePermit,
}

impl Admission {
    pub fn new(max_requests: usize, max_inflight_bytes: u64) -> Self {
        let units = (max_inflight_bytes / UNIT).clamp(1, u64::from(u32::MAX)) as u32;
        Admission {
            requests: Arc::new(Semaphore::new(max_requests.clamp(1, Semaphore::MAX_PERMITS))),
            bytes: Arc::new(Semaphore::new(units as usize)),
            units,
        }
    }

    /// Admits a request whose body is at most `body_bytes`, or `None` when the server is full.
    pub fn try_admit(&self, body_bytes: u64) -> Option<Admitted> {
        let request = self.requests.clone().try_acquire_owned().ok()?;
        let units = body_bytes.div_ceil(UNIT).clamp(1, u64::from(self.units)) as u32;
        let bytes = self.bytes.clone().try_acquire_many_owned(units).ok()?;
        Some(Admitted { _request: request, _bytes: bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_bytes_are_bounded_and_come_back_when_done() {
        let door = Admission::new(2, 100 * UNIT);
        let a = door.try_admit(60 * UNIT).expect("room");
        assert!(door.try_admit(60 * UNIT).is_none(), "over the byte budget");
        let b = door.try_admit(40 * UNIT).expect("room for 40 more");
        assert!(door.try_admit(0).is_none(), "over the request bound");
        drop(a);
        drop(b);
        // A body larger than the whole budget comes in alone rather than never.
        let big = door.try_admit(1000 * UNIT).expect("alone");
        assert!(door.try_admit(1).is_none());
        drop(big);
        assert!(door.try_admit(1).is_some());
    }
}
