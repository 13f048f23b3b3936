//! Special functions, written for the extreme tails biometrics lives in
//! (3 errors in 10⁹ trials, counts up to 10¹²) and pinned by golden values
//! from scipy (scripts/crosscheck/special_golden.py).
//!
//! The regularised incomplete beta function uses Lentz's continued fraction
//! with a prefactor computed through Loader's saddle-point form of the
//! binomial density (stirlerr and bd0), which stays accurate when a + b is
//! huge, where lgamma(a) + lgamma(b) − lgamma(a + b) would cancel away its
//! digits. Quantiles come from a bracketed Newton iteration.

use std::f64::consts::PI;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// ln Γ(x) for x > 0.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Stirling's error: ln Γ(z + 1) − (z + ½) ln z + z − ½ ln 2π.
fn stirlerr(z: f64) -> f64 {
    if z <= 15.0 {
        return ln_gamma(z + 1.0) - (z + 0.5) * z.ln() + z - 0.5 * LN_2PI;
    }
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    let z2 = z * z;
    (S0 - (S1 - (S2 - (S3 - S4 / z2) / z2) / z2) / z2) / z
}

/// The deviance term x·ln(x/m) + m − x, accurate when x ≈ m.
fn bd0(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let s1 = s + ej / (2 * j + 1) as f64;
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        x * (x / m).ln() + m - x
    }
}

/// ln of Γ(n+1)/(Γ(x+1)Γ(n−x+1)) · p^x · q^(n−x) for real 0 ≤ x ≤ n (q = 1 − p, given).
fn ln_binom_density(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if x == 0.0 {
        return if p < 0.1 {
            n * (-p).ln_1p()
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            n * (-q).ln_1p()
        } else {
            n * p.ln()
        };
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    // ln(1 − x/n) without cancellation on either side of n/2.
    let ln_rest = if x < 0.5 * n {
        (-x / n).ln_1p()
    } else {
        ((n - x) / n).ln()
    };
    let lf = LN_2PI + x.ln() + ln_rest;
    lc - 0.5 * lf
}

/// ln[x^a · y^b / (a·B(a, b))] with y = 1 − x.
fn ln_beta_prefactor(a: f64, b: f64, x: f64, y: f64) -> f64 {
    ln_binom_density(a, a + b, x, y) + (b / (a + b)).ln()
}

/// One step of the modified Lentz algorithm for a continued fraction term
/// a/(b + …): updates C and D and returns their product, the factor of the
/// running value.
fn lentz(a: f64, b: f64, c: &mut f64, d: &mut f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |x: f64| if x.abs() < TINY { TINY } else { x };
    *d = 1.0 / guard(a * *d + b);
    *c = guard(b + a / *c);
    *d * *c
}

/// Continued fraction of I_x(a, b) (modified Lentz), for x < (a+1)/(a+b+2);
/// y = 1 − x is passed exactly.
fn beta_cf(a: f64, b: f64, x: f64, y: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    // 1 − (a+b)x/(a+1), written so that it does not cancel when x is near 1.
    let mut d = if x < 0.5 {
        (qap - qab * x) / qap
    } else {
        (1.0 - b + qab * y) / qap
    };
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..50_000_000u64 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= lentz(
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            1.0,
            &mut c,
            &mut d,
        );
        let del = lentz(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            1.0,
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// exp(ln_prefactor) · factor(), or 0 when the prefactor underflows (the
/// factor is then never evaluated, so no 0 · ∞).
fn scaled(ln_prefactor: f64, factor: impl Fn() -> f64) -> f64 {
    if ln_prefactor < -745.0 {
        0.0
    } else {
        (ln_prefactor.exp() * factor()).min(1.0)
    }
}

/// ln Σ_n (a+b)_n / (a+1)_n · xⁿ, so that I_x(a, b) = x^a·y^b/(a·B(a,b))
/// times its exponential. Every term is positive (no cancellation); the sum
/// is rescaled as it grows, so it cannot overflow.
fn ln_beta_series(a: f64, b: f64, x: f64) -> f64 {
    const BIG: f64 = 1e100;
    let (mut sum, mut term, mut ln_scale) = (1.0, 1.0, 0.0);
    for n in 0..100_000_000u64 {
        let n = n as f64;
        term *= (a + b + n) / (a + 1.0 + n) * x;
        sum += term;
        if sum > BIG {
            sum /= BIG;
            term /= BIG;
            ln_scale += BIG.ln();
        }
        if term < sum * 1e-17 {
            break;
        }
    }
    ln_scale + sum.ln()
}

/// Regularised incomplete beta I_x(a, b) and its complement 1 − I_x(a, b),
/// each computed directly (no cancellation), for a, b > 0.
fn beta_inc(a: f64, b: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if x >= 1.0 {
        return (1.0, 0.0);
    }
    let y = 1.0 - x;
    if x < (a + 1.0) / (a + b + 2.0) {
        let v = scaled(ln_beta_prefactor(a, b, x, y), || beta_cf(a, b, x, y));
        (v, 1.0 - v)
    } else if x < 0.5 && (a + b) * x < 1e7 {
        // Just past the mean, x < ½: the all-positive power series, where the
        // continued fraction of the complement (variable near 1) would cancel.
        let v = (ln_beta_prefactor(a, b, x, y) + ln_beta_series(a, b, x))
            .exp()
            .min(1.0);
        (v, 1.0 - v)
    } else {
        let w = scaled(ln_beta_prefactor(b, a, y, x), || beta_cf(b, a, y, x));
        (1.0 - w, w)
    }
}

/// P(X ≤ k) for X ~ Binomial(n, p): I_{1−p}(n − k, k + 1) for k < n, 1 for k ≥ n.
pub(crate) fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    beta_inc((n - k) as f64, (k + 1) as f64, 1.0 - p).0
}

/// The p-quantile of Beta(a, b): x with I_x(a, b) = p.
///
/// Works on the tail that holds p (so a target is never 1 − tiny), brackets
/// the root by halving or doubling from the mean, narrows the bracket by
/// bisection in log x, and finishes with safeguarded Newton steps.
pub(crate) fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    if a > b {
        // Near 1 the answer is better found as 1 − (quantile of the mirror).
        return 1.0 - beta_quantile(b, a, 1.0 - p);
    }
    let upper = p > 0.5;
    let target = if upper { 1.0 - p } else { p };
    // g(x) > 0 exactly when x lies above the quantile.
    let g = |x: f64| {
        let (lower_tail, upper_tail) = beta_inc(a, b, x);
        if upper {
            target - upper_tail
        } else {
            lower_tail - target
        }
    };
    let mean = a / (a + b);
    let (mut lo, mut hi);
    if g(mean) > 0.0 {
        hi = mean;
        lo = mean;
        while lo > f64::MIN_POSITIVE {
            lo *= 0.5;
            if g(lo) <= 0.0 {
                break;
            }
            hi = lo;
        }
    } else {
        lo = mean;
        hi = mean;
        loop {
            hi *= 2.0;
            if hi >= 1.0 {
                hi = 1.0;
                break;
            }
            if g(hi) > 0.0 {
                break;
            }
            lo = hi;
        }
    }
    // Bisection (geometric) to within 1%, then Newton inside the bracket.
    while hi > 1.01 * lo && lo > 0.0 {
        let mid = (lo * hi).sqrt();
        if g(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..100 {
        let gx = g(x);
        if gx > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let y = 1.0 - x;
        let pdf = (ln_beta_prefactor(a, b, x, y) + (a / (x * y)).ln()).exp();
        let mut next = x - gx / pdf;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 2.0 * f64::EPSILON * x {
            return next;
        }
        x = next;
    }
    x
}

/// The two-sided Student t critical value t with P(|T| > t) = `alpha` for
/// T ~ t(`df`): from P(|T| > t) = I_x(df/2, 1/2) at x = df/(df + t²),
/// t = sqrt(df·(1/x − 1)) with x the alpha-quantile of Beta(df/2, 1/2).
/// NaN for df ≤ 0.
pub(crate) fn t_critical(alpha: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let x = beta_quantile(df / 2.0, 0.5, alpha);
    (df * (1.0 / x - 1.0)).sqrt()
}

/// Φ⁻¹(p): Acklam's rational approximation polished by one Halley step on erfc.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    let mut x = if p < 0.02425 {
        tail(p)
    } else if p > 1.0 - 0.02425 {
        -tail(1.0 - p)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    for _ in 0..2 {
        // Halley on the tail that keeps precision.
        // Φ(x) − p, computed on the side where it does not cancel.
        let e = if x < 0.0 {
            normal_cdf(x) - p
        } else {
            (1.0 - p) - normal_cdf(-x)
        };
        let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
        x -= u / (1.0 + x * u / 2.0);
    }
    x
}

/// Φ(x), the standard normal distribution function.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Regularised upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_pre = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P, then Q = 1 − P.
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * ln_pre.exp()
    } else {
        // Continued fraction for Q (modified Lentz).
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            b += 2.0;
            let del = lentz(-(i as f64) * (i as f64 - a), b, &mut c, &mut d);
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        ln_pre.exp() * h
    }
}

/// Survival function of the chi-square distribution with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_inc_of_simple_cases() {
        // I_x(1, 1) = x; I_x(2, 1) = x²; I_x(1, b) = 1 − (1 − x)^b.
        assert!((beta_inc(1.0, 1.0, 0.3).0 - 0.3).abs() < 1e-15);
        assert!((beta_inc(2.0, 1.0, 0.3).0 - 0.09).abs() < 1e-15);
        let b: f64 = 1e9;
        let x: f64 = 3e-9;
        let want = -(b * (-x).ln_1p()).exp_m1();
        let got = beta_inc(1.0, b, x).0;
        assert!((got / want - 1.0).abs() < 1e-13, "{got} vs {want}");
    }

    #[test]
    fn quantile_inverts_beta_inc() {
        for &(a, b, p) in &[
            (3.0, 1e9, 0.975),
            (4.0, 1e9, 0.025),
            (0.5, 10.5, 0.5),
            (5e5, 5e5, 0.025),
            (50.5, 1e8, 0.975),
        ] {
            let x = beta_quantile(a, b, p);
            let (lo, hi) = beta_inc(a, b, x);
            let got = if p > 0.5 { 1.0 - hi } else { lo };
            assert!(
                (got / p - 1.0).abs() < 1e-12,
                "a={a} b={b} p={p}: x={x} gives {got}"
            );
        }
    }

    #[test]
    fn normal_quantile_round_trips() {
        for &p in &[1e-300, 1e-12, 0.025, 0.3, 0.5, 0.975, 1.0 - 1e-12] {
            let x = normal_quantile(p);
            let back = if x < 0.0 {
                normal_cdf(x)
            } else {
                1.0 - normal_cdf(-x)
            };
            assert!(
                (back - p).abs() <= 1e-15 * p.max(1e-300) + 1e-16,
                "{p}: {x} → {back}"
            );
        }
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
    }

    #[test]
    fn t_critical_matches_scipy() {
        // scipy.stats.t.ppf(1 - alpha/2, df)
        for (alpha, df, t) in [
            (0.05, 1.0, 12.706204736174694),
            (0.05, 10.0, 2.228138851986274),
            (0.01, 30.0, 2.7499956535672254),
            (0.05, 1000.0, 1.9623390808264083),
            (0.2, 3.5, 1.5765766051364052),
        ] {
            let got = t_critical(alpha, df);
            assert!(
                (got - t).abs() < 1e-9 * t,
                "alpha {alpha} df {df}: {got} vs {t}"
            );
        }
        assert!(t_critical(0.05, 0.0).is_nan());
    }
}
