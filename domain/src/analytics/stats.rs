//! Summaries of durations: mean, median and p90 with the count they were computed over.
//!
//! Percentiles interpolate linearly between the two nearest ranks, as PostgreSQL's
//! `percentile_cont` does, so any figure can be recomputed in SQL and compared exactly.

use serde::{Deserialize, Serialize};

/// Mean, median and 90th percentile of a set of values (seconds, or counts), or nulls when
/// the set is empty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    #[cfg_attr(feature = "openapi", schema(required))]
    pub mean: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub p50: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub p90: Option<f64>,
    pub count: u64,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        Summary::of_mut(&mut values.to_vec())
    }

    /// The same, reordering `values` instead of copying them: percentiles by selection, in
    /// time linear in the count (a year's million durations is not sorted three times over).
    pub fn of_mut(values: &mut [f64]) -> Summary {
        if values.is_empty() {
            return Summary::default();
        }
        // Whole seconds: the sum is exact in any order.
        let sum: f64 = values.iter().sum();
        Summary {
            mean: Some(sum / values.len() as f64),
            p50: Some(percentile(values, 0.5)),
            p90: Some(percentile(values, 0.9)),
            count: values.len() as u64,
        }
    }
}

impl Summary {
    /// The same over whole numbers (seconds): compared as integers, which selection does several
    /// times faster than floats, with the very same results.
    pub fn of_whole<T: Copy + Ord + Into<i64>>(values: &mut [T]) -> Summary {
        if values.is_empty() {
            return Summary::default();
        }
        let sum: i64 = values.iter().map(|v| (*v).into()).sum();
        Summary {
            mean: Some(sum as f64 / values.len() as f64),
            p50: Some(percentile_whole(values, 0.5)),
            p90: Some(percentile_whole(values, 0.9)),
            count: values.len() as u64,
        }
    }
}

fn percentile_whole<T: Copy + Ord + Into<i64>>(values: &mut [T], p: f64) -> f64 {
    let position = p * (values.len() - 1) as f64;
    let below = position.floor() as usize;
    let fraction = position - below as f64;
    let (_, low, rest) = values.select_nth_unstable(below);
    let low = (*low).into() as f64;
    if fraction == 0.0 {
        return low;
    }
    let high = rest.iter().copied().min().map_or(low, |h| h.into() as f64);
    low + (high - low) * fraction
}

/// The `p` quantile (0..=1) of values in any order, interpolated like `percentile_cont`;
/// reorders them.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    debug_assert!(!values.is_empty());
    let position = p * (values.len() - 1) as f64;
    let below = position.floor() as usize;
    let fraction = position - below as f64;
    let (_, low, rest) = values.select_nth_unstable_by(below, f64::total_cmp);
    let low = *low;
    if fraction == 0.0 {
        return low;
    }
    let high = rest.iter().copied().min_by(f64::total_cmp).unwrap_or(low);
    low + (high - low) * fraction
}

/// The `p` quantile (0..=1) of sorted values, interpolated like `percentile_cont`.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    debug_assert!(!sorted.is_empty());
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * fraction
}

/// The median of unsorted values, or `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    Summary::of(values).p50
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_gives_the_same_percentiles_as_sorting() {
        // A fixed pseudo-random sequence with repeats.
        let mut x = 12345u64;
        for n in [1usize, 2, 3, 10, 11, 101, 1000] {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (x >> 40) as f64 % 97.0
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for p in [0.0, 0.1, 0.5, 0.9, 0.975, 1.0] {
                assert_eq!(percentile(&mut values.clone(), p), percentile_sorted(&sorted, p), "n={n} p={p}");
            }
            let mut whole: Vec<i64> = values.iter().map(|v| *v as i64).collect();
            assert_eq!(Summary::of_whole(&mut whole), Summary::of(&values), "n={n}");
        }
    }

    #[test]
    fn an_empty_set_has_no_figures_and_a_count_of_zero() {
        assert_eq!(Summary::of(&[]), Summary { mean: None, p50: None, p90: None, count: 0 });
    }

    #[test]
    fn figures_match_percentile_cont() {
        // SELECT percentile_cont(0.5), percentile_cont(0.9) ... over 60, 120, 180, 240, 3600:
        // 180 and 2256 (0.9 * 4 = 3.6: 240 + 0.6 * 3360).
        let s = Summary::of(&[3600.0, 60.0, 240.0, 120.0, 180.0]);
        assert_eq!(s.count, 5);
        assert_eq!(s.mean, Some(840.0));
        assert_eq!(s.p50, Some(180.0));
        assert!((s.p90.unwrap() - 2256.0).abs() < 1e-9);
    }

    #[test]
    fn an_even_count_takes_the_midpoint_and_one_value_is_every_figure() {
        assert_eq!(median(&[10.0, 20.0, 30.0, 40.0]), Some(25.0));
        let one = Summary::of(&[42.0]);
        assert_eq!((one.mean, one.p50, one.p90, one.count), (Some(42.0), Some(42.0), Some(42.0), 1));
    }
}
