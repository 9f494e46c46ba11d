//! A token bucket per integration key, per instance: in memory on purpose, since a shared counter
//! would cost a write per event. One counts events (the rate), another request bytes (the
//! budget that keeps one source from filling the disk).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use uuid::Uuid;

/// A token bucket per integration key: `rate` units per second, bursts of `burst`.
#[derive(Clone)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<Uuid, (f64, Instant)>>>,
}

impl RateLimiter {
    /// `rate_per_sec` events a second, bursts of twice that.
    pub fn new(rate_per_sec: u32) -> Self {
        let rate = f64::from(rate_per_sec.max(1));
        RateLimiter { rate, burst: rate * 2.0, buckets: Arc::default() }
    }

    /// An hourly budget, all of which may be spent at once.
    pub fn per_hour(units: u64) -> Self {
        let burst = (units.max(1)) as f64;
        RateLimiter { rate: burst / 3600.0, burst, buckets: Arc::default() }
    }

    /// Takes `n` events' worth of tokens, or says how many seconds until there is credit again.
    /// While the bucket has any credit, a request is taken whole and the bucket may go into debt:
    /// a batch larger than the burst is accepted rather than refused forever, and the debt is
    /// repaid at the key's rate before the next one.
    pub fn take(&self, key: Uuid, n: usize) -> Result<(), u64> {
        self.take_at(key, n, Instant::now())
    }

    fn take_at(&self, key: Uuid, n: usize, now: Instant) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        let (tokens, last) = buckets.entry(key).or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.rate).min(self.burst);
        *last = now;
        if *tokens > 0.0 {
            *tokens -= n as f64;
            Ok(())
        } else {
            Err(((-*tokens / self.rate).ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_bucket_allows_bursts_then_says_when_to_retry() {
        let limiter = RateLimiter::new(10);
        let key = Uuid::nil();
        let t0 = Instant::now();
        assert_eq!(limiter.take_at(key, 20, t0), Ok(()));
        assert_eq!(limiter.take_at(key, 5, t0), Err(1));
        // Half a second refills five.
        assert_eq!(limiter.take_at(key, 5, t0 + Duration::from_millis(500)), Ok(()));
        // A batch beyond the burst is taken whole while there is credit, and the debt repaid first.
        let t1 = t0 + Duration::from_millis(600);
        assert_eq!(limiter.take_at(key, 1000, t1), Ok(()));
        assert_eq!(limiter.take_at(key, 1, t1), Err(100));
        assert_eq!(limiter.take_at(key, 1, t1 + Duration::from_secs(99)), Err(1));
        assert_eq!(limiter.take_at(key, 1, t1 + Duration::from_millis(100_100)), Ok(()));
        // Other keys have their own bucket.
        assert_eq!(limiter.take_at(Uuid::max(), 20, t0), Ok(()));
    }

    #[test]
    fn an_hourly_budget_is_spent_at_once_and_comes_back_over_the_hour() {
        let budget = RateLimiter::per_hour(3600);
        let key = Uuid::nil();
        let t0 = Instant::now();
        assert_eq!(budget.take_at(key, 3000, t0), Ok(()));
        assert_eq!(budget.take_at(key, 1000, t0), Ok(()));
        // 400 in debt at one a second.
        assert_eq!(budget.take_at(key, 1, t0), Err(400));
        assert_eq!(budget.take_at(key, 1, t0 + Duration::from_secs(401)), Ok(()));
    }
}
