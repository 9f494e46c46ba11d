//! A responder's load: the hours they were engaged in incidents (from their acknowledgement or
//! role assignment to the resolution, overlapping incidents counted once) and the hours they were
//! on call (overlapping shifts counted once).

use chrono::{DateTime, Utc};

/// A stretch of time `[start, end)`.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Total seconds covered by intervals `[start, end)`, overlaps counted once, clipped to
/// `[from, to)`.
pub fn covered_seconds(intervals: &[Span], from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let mut clipped: Vec<Span> = intervals.to_vec();
    covered(&mut clipped, from, to, |s, e| (e - s).num_seconds())
}

/// The same over milliseconds since 1970 (sorting `intervals` in place): each merged stretch
/// counts its whole seconds, as [`covered_seconds`] does.
pub fn covered_seconds_ms(intervals: &mut [(i64, i64)], from: i64, to: i64) -> i64 {
    covered(intervals, from, to, |s, e| (e - s) / 1000)
}

fn covered<T: Ord + Copy>(intervals: &mut [(T, T)], from: T, to: T, seconds: impl Fn(T, T) -> i64) -> i64 {
    for span in intervals.iter_mut() {
        *span = (span.0.max(from), span.1.min(to));
    }
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(T, T)> = None;
    for &(s, e) in intervals.iter().filter(|(s, e)| s < e) {
        current = match current {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += seconds(cs, ce);
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = current {
        total += seconds(cs, ce);
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
        // In milliseconds: the same answers, and an open end (i64::MAX) runs to the window's end.
        let ms = |t: DateTime<Utc>| t.timestamp_millis();
        let mut in_ms: Vec<(i64, i64)> = spans.iter().map(|(s, e)| (ms(*s), ms(*e))).collect();
        assert_eq!(covered_seconds_ms(&mut in_ms.clone(), ms(h(0)), ms(h(24))), 4 * 3600);
        assert_eq!(covered_seconds_ms(&mut in_ms, ms(h(2)), ms(h(6))), 2 * 3600);
        assert_eq!(covered_seconds_ms(&mut [(ms(h(20)), i64::MAX)], ms(h(0)), ms(h(24))), 4 * 3600);
        // A stretch of 1.999 s counts 1 s, as a duration's whole seconds do.
        assert_eq!(covered_seconds_ms(&mut [(0, 1999)], 0, 10_000), 1);
    }
}
