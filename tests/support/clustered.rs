//! Simulated 1:1 populations whose comparisons share subjects, with known
//! true rates at τ = 1.6 (tests/coverage_cluster.rs, tests/coverage_summary.rs).
//!
//! Per group g of m subjects:
//! * mated: `mated_per` comparisons of each subject s score μᵐ + u_s + e,
//!   u_s ~ N(0, ρ), e ~ N(0, 1 − ρ), so FNMR = Φ(τ − μᵐ);
//! * non-mated: every pair {s, t} of the group once, scoring
//!   μ_g + w_s + w_t + e, w ~ N(0, ρ/2), e ~ N(0, 1 − ρ), so
//!   FMR = Q(τ − μ_g).

use biasbench::input::Comparisons;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

pub const TAU: f64 = 1.6;
pub const MATED_MEAN: f64 = 2.9;
/// Φ(1.6 − 2.9) = Φ(−1.3) (scipy.stats.norm).
pub const TRUE_FNMR: f64 = 0.096_800_484_585_610_34;

/// One data set: two groups (`x`, `y`) of `m` subjects with non-mated means
/// `mu`, subject ids distinct across groups and given when `subjects`.
pub fn dataset(
    rng: &mut ChaCha8Rng,
    (m, mated_per): (u32, usize),
    rho: f64,
    mu: [f64; 2],
    subjects: bool,
) -> Comparisons {
    let shared = Normal::new(0.0, rho.sqrt()).unwrap();
    let half = Normal::new(0.0, (rho / 2.0).sqrt()).unwrap();
    let noise = Normal::new(0.0, (1.0 - rho).sqrt()).unwrap();
    let (mut score, mut mated, mut a, mut b, mut group) = (vec![], vec![], vec![], vec![], vec![]);
    for g in 0..2u32 {
        let id = |s: u32| g * m + s;
        let u: Vec<f64> = (0..m).map(|_| shared.sample(rng)).collect();
        let w: Vec<f64> = (0..m).map(|_| half.sample(rng)).collect();
        for s in 0..m {
            for _ in 0..mated_per {
                score.push(MATED_MEAN + u[s as usize] + noise.sample(rng));
                mated.push(true);
                a.push(id(s));
                b.push(id(s));
                group.push(g);
            }
            for t in s + 1..m {
                score.push(mu[g as usize] + w[s as usize] + w[t as usize] + noise.sample(rng));
                mated.push(false);
                a.push(id(s));
                b.push(id(t));
                group.push(g);
            }
        }
    }
    let builder = Comparisons::builder()
        .scores(&score[..])
        .mated(&mated[..])
        .attribute_codes_per_side("g", &group[..], &group[..], &["x", "y"]);
    if subjects {
        builder.subject_codes(&a[..], &b[..]).build().unwrap()
    } else {
        builder.build().unwrap()
    }
}
