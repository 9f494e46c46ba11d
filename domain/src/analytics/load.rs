//! A responder's load: the hours they were engaged in incidents (from their acknowledgement or
//! role assignment to the resolution, overlapping incidents counted once) and the hours they were
//! on call (overlapping shifts counted once).

use chrono::{DateTime, Utc};

/// A stretch of time `[start, end)`.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Total seconds covered by intervals `[start, end)`, overlaps counted once, clipped to
/// `[from, to)`.
pub fn covered_seconds(intervals: &[Span], from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let mut clipped: Vec<Span> =
        intervals.iter().map(|(s, e)| ((*s).max(from), (*e).min(to))).filter(|(s, e)| s < e).collect();
    clipped.sort_unstable();
    let mut total = 0;
    let mut current: Option<Span> = None;
    for (s, e) in clipped {
        current = match current {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += (ce - cs).num_seconds();
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = current {
        total += (ce - cs).num_seconds();
    }
    total
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn overlapping_incidents_count_once_and_the_window_clips() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let h = |n: i64| t0 + Duration::hours(n);
        // 1-3 and 2-4 merge to 1-4 (3 h); 6-7 apart (1 h); 3-4 touches 1-4's end.
        let spans = [(h(2), h(4)), (h(6), h(7)), (h(1), h(3)), (h(3), h(4))];
        assert_eq!(covered_seconds(&spans, h(0), h(24)), 4 * 3600);
        // Clipped to 2-6: 2-4 only.
        assert_eq!(covered_seconds(&spans, h(2), h(6)), 2 * 3600);
        assert_eq!(covered_seconds(&[], h(0), h(1)), 0);
        assert_eq!(covered_seconds(&[(h(5), h(4))], h(0), h(9)), 0);
    }
}
