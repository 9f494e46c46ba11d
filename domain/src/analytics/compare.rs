//! Before and after: did a change help? Compares one figure over the days before a date and the
//! days after it: each side's median and count, the difference of medians (after minus before),
//! a 95% bootstrap confidence interval for that difference (resample medians drawn from their
//! order-statistic distribution, so any sample size gets every round), and a two-sided Mann-Whitney U
//! p-value (normal approximation with the tie correction; each side needs at least
//! [`MIN_PER_SIDE`] values, which keeps the approximation honest).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::stats::{median, percentile_sorted};
use crate::FieldError;

pub const MIN_PER_SIDE: usize = 10;
/// Fixed so the same data always gives the same interval.
pub const SEED: u64 = 0x7043_5331_4e21;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Metric {
    Mtta,
    Mttm,
    Mttr,
    /// Interruptions per day.
    Interruptions,
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::Mtta, Metric::Mttm, Metric::Mttr, Metric::Interruptions];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Mtta => "mtta",
            Metric::Mttm => "mttm",
            Metric::Mttr => "mttr",
            Metric::Interruptions => "interruptions",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Mtta => "Time to acknowledge",
            Metric::Mttm => "Time to mitigate",
            Metric::Mttr => "Time to resolve",
            Metric::Interruptions => "Interruptions per day",
        }
    }

    fn is_duration(self) -> bool {
        self != Metric::Interruptions
    }
}

impl FromStr for Metric {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Metric, FieldError> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s.trim()).ok_or_else(|| {
            FieldError::new(
                "metric",
                format!("'{}' is not accepted; expected one of mtta, mttm, mttr, interruptions", s.trim()),
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Side {
    #[cfg_attr(feature = "openapi", schema(required))]
    pub median: Option<f64>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub before: Side,
    pub after: Side,
    /// After's median minus before's (negative: smaller after).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub difference: Option<f64>,
    /// The 95% bootstrap interval of the difference.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ci95: Option<[f64; 2]>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub p_value: Option<f64>,
    pub enough_data: bool,
    /// In plain words: "faster by 4 min (95% CI 1-7 min); unlikely to be chance".
    pub summary: String,
}

/// SplitMix64: small, fast and reproducible, which is all a bootstrap needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1), never 0 (its logarithm is taken).
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma(shape, 1) for shape >= 1 (Marsaglia and Tsang, 2000).
    fn gamma(&mut self, shape: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            if self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Beta(a, b) for a, b >= 1.
    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// The median of one bootstrap resample of `sorted`, drawn without building the resample.
///
/// A resample of n values drawn with replacement takes value `sorted[floor(n * U)]` for each of
/// n uniform draws U, so its k-th smallest value is `sorted[floor(n * U(k))]`, where U(k), the
/// k-th smallest of n uniforms, is Beta(k, n - k + 1); the next one up is U(k) plus (1 - U(k))
/// times the smallest of the n - k uniforms above it, Beta(1, n - k). Exactly the distribution
/// of resampling and taking the median, at a constant cost instead of n draws and a selection,
/// so every sample gets the full number of rounds however large it is.
fn resample_median(sorted: &[f64], rng: &mut Rng) -> f64 {
    let n = sorted.len();
    let at = |u: f64| sorted[((n as f64 * u) as usize).min(n - 1)];
    let k = n.div_ceil(2);
    let u = rng.beta(k as f64, (n - k + 1) as f64);
    if n % 2 == 1 {
        return at(u);
    }
    // Beta(1, m) by inversion.
    let above = 1.0 - (1.0 - rng.uniform()).powf(1.0 / (n - k) as f64);
    (at(u) + at(u + (1.0 - u) * above)) / 2.0
}

/// Bootstrap resamples per interval.
pub const ROUNDS: usize = 4000;

/// The 95% percentile-bootstrap interval of `median(after) - median(before)`.
pub fn bootstrap_ci(before: &[f64], after: &[f64], seed: u64) -> [f64; 2] {
    let sorted = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let (before, after) = (sorted(before), sorted(after));
    let mut rng = Rng(seed);
    let mut diffs: Vec<f64> =
        (0..ROUNDS).map(|_| resample_median(&after, &mut rng) - resample_median(&before, &mut rng)).collect();
    diffs.sort_by(f64::total_cmp);
    [percentile_sorted(&diffs, 0.025), percentile_sorted(&diffs, 0.975)]
}

/// Two-sided Mann-Whitney U p-value (normal approximation, tie-corrected, continuity-corrected).
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let mut all: Vec<(f64, bool)> =
        a.iter().map(|v| (*v, true)).chain(b.iter().map(|v| (*v, false))).collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_sum_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        // Ranks i+1..=j+1 share their mean.
        let rank = (i + j + 2) as f64 / 2.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_sum_a += rank * all[i..=j].iter().filter(|(_, in_a)| *in_a).count() as f64;
        i = j + 1;
    }
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let nf = n as f64;
    let variance = n1 * n2 / 12.0 * ((nf + 1.0) - ties / (nf * (nf - 1.0)));
    if variance <= 0.0 {
        return 1.0;
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    erfc(z / std::f64::consts::SQRT_2).min(1.0)
}

/// The complementary error function (Numerical Recipes' Chebyshev fit, error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// A value of the metric in words: "4 min", "2.5 h", "3.2 per day".
pub fn amount(metric: Metric, v: f64) -> String {
    let v = v.abs();
    if !metric.is_duration() {
        return format!("{v:.1} per day");
    }
    if v < 120.0 {
        format!("{v:.0} s")
    } else if v < 2.0 * 3600.0 {
        format!("{:.0} min", v / 60.0)
    } else {
        format!("{:.1} h", v / 3600.0)
    }
}

fn amount_bare(metric: Metric, v: f64) -> String {
    // "1-7 min": the unit once, after the larger bound.
    let s = amount(metric, v);
    s.split_whitespace().next().unwrap_or_default().to_owned()
}

pub fn compare(metric: Metric, before: &[f64], after: &[f64]) -> Comparison {
    let side = |v: &[f64]| Side { median: median(v), count: v.len() as u64 };
    let (b, a) = (side(before), side(after));
    if before.len() < MIN_PER_SIDE || after.len() < MIN_PER_SIDE {
        return Comparison {
            before: b,
            after: a,
            difference: None,
            ci95: None,
            p_value: None,
            enough_data: false,
            summary: format!(
                "Not enough data: {} before and {} after; each side needs at least {MIN_PER_SIDE}.",
                before.len(),
                after.len()
            ),
        };
    }
    let difference = a.median.unwrap_or_default() - b.median.unwrap_or_default();
    let ci = bootstrap_ci(before, after, SEED);
    let p = mann_whitney_p(before, after);
    let (less, more) = if metric.is_duration() { ("faster", "slower") } else { ("fewer", "more") };
    let direction = if difference < 0.0 {
        less
    } else if difference > 0.0 {
        more
    } else {
        ""
    };
    let interval = if ci[0] < 0.0 && ci[1] > 0.0 {
        format!("95% CI from {} {less} to {} {more}", amount(metric, ci[0]), amount(metric, ci[1]))
    } else {
        let (lo, hi) = if ci[1] <= 0.0 { (ci[1].abs(), ci[0].abs()) } else { (ci[0], ci[1]) };
        let unit = amount(metric, hi);
        format!("95% CI {}-{unit}", amount_bare(metric, lo))
    };
    let chance = if p < 0.05 { "unlikely to be chance" } else { "could be chance" };
    let headline = if direction.is_empty() {
        "no change".to_owned()
    } else {
        format!("{direction} by {}", amount(metric, difference))
    };
    Comparison {
        before: b,
        after: a,
        difference: Some(difference),
        ci95: Some(ci),
        p_value: Some(p),
        enough_data: true,
        summary: format!("{headline} ({interval}); {chance}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_whitney_matches_a_worked_example() {
        // [1..10] against [6..15]: the ties 6-10 share ranks, so a's rank sum is 67.5 and U = 12.5;
        // the mean is 50, the tie-corrected variance 100/12 * (21 - 30/380) = 174.34, so
        // z = (37.5 - 0.5) / 13.204 = 2.802 and p = erfc(2.802 / sqrt 2) = 0.00508.
        let a: Vec<f64> = (1..=10).map(f64::from).collect();
        let b: Vec<f64> = (6..=15).map(f64::from).collect();
        let p = mann_whitney_p(&a, &b);
        assert!((p - 0.005_075).abs() < 0.000_01, "{p}");
        // The same samples: nothing to see.
        assert!(mann_whitney_p(&a, &a) > 0.99);
        // All values tied: no variance, p = 1.
        assert_eq!(mann_whitney_p(&[5.0; 10], &[5.0; 10]), 1.0);
    }

    #[test]
    fn erfc_matches_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 1e-7);
    }

    #[test]
    fn a_real_improvement_is_called_faster_with_its_interval() {
        // Acknowledgements took 8-12 minutes; after the change 4-8.
        let before: Vec<f64> = (0..45).map(|i| 480.0 + f64::from(i % 9) * 30.0).collect();
        let after: Vec<f64> = (0..45).map(|i| 240.0 + f64::from(i % 9) * 30.0).collect();
        let c = compare(Metric::Mtta, &before, &after);
        assert!(c.enough_data);
        assert_eq!(c.before.median, Some(600.0));
        assert_eq!(c.after.median, Some(360.0));
        assert_eq!(c.difference, Some(-240.0));
        let [lo, hi] = c.ci95.unwrap();
        assert!(lo <= -240.0 && (-240.0..0.0).contains(&hi), "{lo} {hi}");
        assert!(c.p_value.unwrap() < 0.001);
        assert!(c.summary.starts_with("faster by 4 min (95% CI "), "{}", c.summary);
        assert!(c.summary.ends_with("min); unlikely to be chance"), "{}", c.summary);
        // The seed is fixed: the same data, the same interval.
        assert_eq!(compare(Metric::Mtta, &before, &after).ci95, c.ci95);
    }

    #[test]
    fn noise_is_called_chance_and_few_incidents_are_not_enough() {
        let before: Vec<f64> = (0..30).map(|i| f64::from((i * 37) % 100)).collect();
        let after: Vec<f64> = (0..30).map(|i| f64::from((i * 53 + 7) % 100)).collect();
        let c = compare(Metric::Interruptions, &before, &after);
        assert!(c.p_value.unwrap() > 0.05);
        assert!(c.summary.ends_with("could be chance"), "{}", c.summary);
        assert!(c.summary.contains("per day"), "{}", c.summary);
        let few = compare(Metric::Mttr, &before[..9], &after);
        assert!(!few.enough_data);
        assert_eq!(few.before.count, 9);
        assert!(few.summary.starts_with("Not enough data"));
        assert_eq!("speed".parse::<Metric>().unwrap_err().field, "metric");
    }

    #[test]
    fn bootstrap_of_an_even_sample_uses_the_midpoint() {
        let mut rng = Rng(1);
        // A sample of one repeated value: every resample's median is that value.
        assert_eq!(resample_median(&[7.0, 7.0], &mut rng), 7.0);
        let ci = bootstrap_ci(&[1.0; 12], &[3.0; 12], SEED);
        assert_eq!(ci, [2.0, 2.0]);
    }

    #[test]
    fn beta_draws_have_the_beta_mean_and_variance() {
        let mut rng = Rng(7);
        for (a, b) in [(1.0, 1.0), (3.0, 8.0), (500.0, 501.0), (125_000.0, 125_001.0)] {
            let draws: Vec<f64> = (0..40_000).map(|_| rng.beta(a, b)).collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            // Within 4 standard errors of the mean, and 5% of the variance.
            assert!((mean - m).abs() < 4.0 * (v / draws.len() as f64).sqrt(), "a={a} b={b} {mean} {m}");
            assert!((var / v - 1.0).abs() < 0.05, "a={a} b={b} {var} {v}");
        }
    }

    /// The median of a resample built draw by draw: what `resample_median` stands in for.
    fn resample_median_by_drawing(values: &[f64], rng: &mut Rng) -> f64 {
        let n = values.len();
        let mut buf: Vec<f64> = (0..n).map(|_| values[(rng.next() % n as u64) as usize]).collect();
        buf.sort_by(f64::total_cmp);
        if n % 2 == 1 { buf[n / 2] } else { (buf[n / 2 - 1] + buf[n / 2]) / 2.0 }
    }

    #[test]
    fn the_order_statistic_draw_has_the_distribution_of_resampling() {
        // Skewed durations with ties, odd and even sizes: the share of resample medians at or
        // below each value agrees with drawing resamples one value at a time.
        for n in [11usize, 12, 40] {
            let mut sorted: Vec<f64> = (0..n).map(|i| ((i * i) % 37) as f64 * 10.0).collect();
            sorted.sort_by(f64::total_cmp);
            let rounds = 20_000;
            let (mut fast, mut slow) = (Rng(3), Rng(4));
            let a: Vec<f64> = (0..rounds).map(|_| resample_median(&sorted, &mut fast)).collect();
            let b: Vec<f64> = (0..rounds).map(|_| resample_median_by_drawing(&sorted, &mut slow)).collect();
            for cut in sorted.iter().step_by(3) {
                let share = |v: &[f64]| v.iter().filter(|x| *x <= cut).count() as f64 / rounds as f64;
                assert!((share(&a) - share(&b)).abs() < 0.02, "n={n} cut={cut} {} {}", share(&a), share(&b));
            }
        }
    }

    #[test]
    fn a_large_sample_gets_a_narrow_interval_around_the_true_difference() {
        // 250,000 durations a side (a busy quarter), the medians 600 s and 540 s apart by 60 s.
        let side =
            |shift: f64| -> Vec<f64> { (0..250_000).map(|i| shift + ((i * 7919) % 1201) as f64).collect() };
        let (before, after) = (side(0.0), side(-60.0));
        let [lo, hi] = bootstrap_ci(&before, &after, SEED);
        assert!(lo <= -60.0 && -60.0 <= hi && hi - lo < 10.0, "{lo} {hi}");
    }
}
