//! Synthetic verification populations with known per-group score
//! distributions, for the demo, tests and power analysis.
//!
//! Model (similarity scores, all normal):
//! * a mated comparison of a subject in group g scores μᵐ_g + u_s + e, with a
//!   per-subject effect u_s ~ N(0, σᵐ²·ρ) and noise e ~ N(0, σᵐ²·(1−ρ)), so
//!   the marginal is N(μᵐ_g, σᵐ²) and comparisons of one subject correlate (ρ);
//! * a non-mated comparison of two distinct subjects of group g scores
//!   N(μⁿ_g, σⁿ²); across groups g ≠ h, N(min(μⁿ_g, μⁿ_h) − δ, σⁿ²).
//!
//! * with a second model (`mated_mean_b`, `nonmated_mean_b` on every group)
//!   its `score_b` has the same model with its own means, the same subject
//!   effect, and noise correlated with the first model's (correlation
//!   [`Population::model_correlation`]), so the two models' errors on a
//!   comparison are paired as real models' are; `score` is unchanged by it.
//!
//! Hence at threshold τ the true rates are FMR_g = Q((τ − μⁿ_g)/σⁿ) and
//! FNMR_g = Φ((τ − μᵐ_g)/σᵐ) (the latter from [`Population::expected_fnmr`];
//! both at τ = 3 in [`crate::app::demo::truth`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::Serialize;
use std::io::{self, Write};

/// One group: its attribute values and its score means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSpec {
    /// (attribute, value) pairs, in the same attribute order for every group.
    pub attrs: Vec<(String, String)>,
    /// Mean μᵐ of the group's mated scores.
    pub mated_mean: f64,
    /// Mean μⁿ of the group's same-group non-mated scores.
    pub nonmated_mean: f64,
    /// A second model's (μᵐ, μⁿ) for the group (`mated_mean_b`,
    /// `nonmated_mean_b`): the table then gains its `score_b` column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_b: Option<(f64, f64)>,
}

impl GroupSpec {
    /// Parses `race=A,sex=F,mated_mean=5,nonmated_mean=0.2`.
    pub fn parse(s: &str) -> Result<GroupSpec, String> {
        let mut g = GroupSpec {
            attrs: Vec::new(),
            mated_mean: f64::NAN,
            nonmated_mean: f64::NAN,
            model_b: None,
        };
        let (mut mated_b, mut nonmated_b) = (None, None);
        for (k, v) in key_values(s)? {
            let num = || number(s, k, v);
            match k {
                "mated_mean" => g.mated_mean = num()?,
                "nonmated_mean" => g.nonmated_mean = num()?,
                "mated_mean_b" => mated_b = Some(num()?),
                "nonmated_mean_b" => nonmated_b = Some(num()?),
                k => g.attrs.push((k.to_string(), v.to_string())),
            }
        }
        if !g.mated_mean.is_finite() || !g.nonmated_mean.is_finite() || g.attrs.is_empty() {
            return Err(format!(
                "group {s:?}: needs attributes, mated_mean and nonmated_mean"
            ));
        }
        g.model_b = match (mated_b, nonmated_b) {
            (None, None) => None,
            (Some(m), Some(n)) if m.is_finite() && n.is_finite() => Some((m, n)),
            _ => {
                return Err(format!(
                    "group {s:?}: a second model needs both mated_mean_b and nonmated_mean_b"
                ))
            }
        };
        Ok(g)
    }

    /// The group's name: its attribute values joined by `+`.
    pub fn name(&self) -> String {
        self.attrs
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// The `KEY=VALUE` parts of a group spec `s` (keys trimmed).
fn key_values(s: &str) -> Result<Vec<(&str, &str)>, String> {
    s.split(',')
        .map(|part| {
            part.split_once('=')
                .map(|(k, v)| (k.trim(), v))
                .ok_or_else(|| format!("group {s:?}: {part:?} is not KEY=VALUE"))
        })
        .collect()
}

/// The number `v` of key `k` in group spec `s`.
fn number(s: &str, k: &str, v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .map_err(|_| format!("group {s:?}: {k} = {v:?} is not a number"))
}

/// A population to simulate.
#[derive(Debug, Clone, Serialize)]
pub struct Population {
    /// The groups, each with its score means.
    pub groups: Vec<GroupSpec>,
    /// Subjects simulated in each group.
    pub subjects_per_group: usize,
    /// Mated comparisons of each subject.
    pub mated_per_subject: usize,
    /// Same-group non-mated comparisons of each group.
    pub nonmated_per_group: usize,
    /// Non-mated comparisons across groups, in all.
    pub cross_nonmated: usize,
    /// Standard deviation of mated scores.
    pub mated_sd: f64,
    /// Standard deviation of non-mated scores.
    pub nonmated_sd: f64,
    /// Share ρ of the mated variance that is a per-subject effect.
    pub subject_share: f64,
    /// How much lower cross-group non-mated scores sit (δ).
    pub cross_shift: f64,
    /// Correlation of the second model's noise with the first's (used with
    /// a second model only, and so not recorded with the population).
    #[serde(skip)]
    pub model_correlation: f64,
    /// Seed of the generator (the same seed gives the same data).
    pub seed: u64,
}

/// Φ, the standard normal distribution function.
fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

impl Population {
    /// The demo population: race A–D × sex F/M with documented differentials.
    pub fn demo() -> Population {
        let race = [
            ("A", 0.0, 0.0),
            ("B", -0.3, 0.4),
            ("C", -0.1, 0.2),
            ("D", -0.5, 0.6),
        ];
        let sex = [("F", -0.3, 0.2), ("M", 0.0, 0.0)];
        let mut groups = Vec::new();
        for (r, rm, rn) in race {
            for (s, sm, sn) in sex {
                groups.push(GroupSpec {
                    attrs: vec![("race".into(), r.into()), ("sex".into(), s.into())],
                    mated_mean: 5.0 + rm + sm,
                    nonmated_mean: rn + sn,
                    model_b: None,
                });
            }
        }
        Population {
            groups,
            subjects_per_group: 400,
            mated_per_subject: 3,
            nonmated_per_group: 20_000,
            cross_nonmated: 60_000,
            mated_sd: 1.0,
            nonmated_sd: 1.0,
            subject_share: 0.5,
            cross_shift: 0.5,
            model_correlation: 0.7,
            seed: 20_261_128,
        }
    }

    /// True FMR of group g at similarity threshold τ.
    pub(crate) fn expected_fmr(&self, g: usize, tau: f64) -> f64 {
        1.0 - normal_cdf((tau - self.groups[g].nonmated_mean) / self.nonmated_sd)
    }

    /// True FNMR of group g at similarity threshold τ.
    pub fn expected_fnmr(&self, g: usize, tau: f64) -> f64 {
        normal_cdf((tau - self.groups[g].mated_mean) / self.mated_sd)
    }

    /// Writes the comparisons as CSV: `subject_a,subject_b,mated,score`
    /// (and `score_b` with a second model) and `<attr>_a`, `<attr>_b` for
    /// every attribute. Deterministic for a seed.
    pub fn write_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let attrs = self.attribute_names()?;
        let noise = self.noise()?;
        let rng = ChaCha8Rng::seed_from_u64(self.seed);
        // The second model's own noise: a stream of its own, so that `score`
        // is the same with or without it.
        let mut rng_b = ChaCha8Rng::seed_from_u64(self.seed);
        rng_b.set_stream(1);
        let mut rng = (rng, rng_b);
        let mut w = csv::Writer::from_writer(w);
        let mut header = vec![
            "subject_a".to_string(),
            "subject_b".into(),
            "mated".into(),
            "score".into(),
        ];
        if self.groups[0].model_b.is_some() {
            header.push("score_b".into());
        }
        for side in ["a", "b"] {
            header.extend(attrs.iter().map(|a| format!("{a}_{side}")));
        }
        w.write_record(&header)?;
        for g in 0..self.groups.len() {
            self.write_group(&mut w, g, &noise, &mut rng)?;
        }
        self.write_cross_group(&mut w, &noise, &mut rng)?;
        w.flush()
    }

    /// The attribute names every group lists, or why the population cannot be simulated.
    fn attribute_names(&self) -> io::Result<Vec<&str>> {
        if self.groups.is_empty() || self.subjects_per_group < 2 {
            return Err(invalid(
                "need at least one group and two subjects per group",
            ));
        }
        let attrs: Vec<&str> = self.groups[0]
            .attrs
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        if self.groups.iter().any(|g| {
            g.attrs
                .iter()
                .map(|(k, _)| k.as_str())
                .ne(attrs.iter().copied())
        }) {
            return Err(invalid(
                "every group must list the same attributes in the same order",
            ));
        }
        if self
            .groups
            .iter()
            .any(|g| g.model_b.is_some() != self.groups[0].model_b.is_some())
        {
            return Err(invalid(
                "a second model needs mated_mean_b and nonmated_mean_b on every group",
            ));
        }
        if !(-1.0..=1.0).contains(&self.model_correlation) {
            return Err(invalid("the models' correlation must be within [-1, 1]"));
        }
        if self.groups.len() < 2 && self.cross_nonmated > 0 {
            return Err(invalid("cross-group comparisons need at least two groups"));
        }
        Ok(attrs)
    }

    /// The score noise: per-subject effect, the rest of the mated noise, non-mated noise.
    fn noise(&self) -> io::Result<Noise> {
        let normal = |sd: f64| Normal::new(0.0, sd).map_err(|e| invalid(&e.to_string()));
        Ok(Noise {
            subject_effect: normal(self.mated_sd * self.subject_share.sqrt())?,
            mated: normal(self.mated_sd * (1.0 - self.subject_share).sqrt())?,
            impostor: normal(self.nonmated_sd)?,
        })
    }

    /// Group `g`'s comparisons: each subject's mated ones, then the same-group non-mated.
    fn write_group<W: Write>(
        &self,
        w: &mut csv::Writer<W>,
        g: usize,
        noise: &Noise,
        (rng, rng_b): &mut (ChaCha8Rng, ChaCha8Rng),
    ) -> io::Result<()> {
        let (spec, n) = (&self.groups[g], self.subjects_per_group);
        let b = spec.model_b;
        for i in 0..n {
            let u = noise.subject_effect.sample(rng);
            for _ in 0..self.mated_per_subject {
                let e = noise.mated.sample(rng);
                let s = spec.mated_mean + u + e;
                let sb = self.second(b.map(|m| m.0 + u), e, &noise.mated, rng_b);
                self.write_row(w, (g, i), (g, i), true, (s, sb))?;
            }
        }
        for _ in 0..self.nonmated_per_group {
            let i = rng.random_range(0..n);
            let j = (i + rng.random_range(1..n)) % n;
            let e = noise.impostor.sample(rng);
            let s = spec.nonmated_mean + e;
            let sb = self.second(b.map(|m| m.1), e, &noise.impostor, rng_b);
            self.write_row(w, (g, i), (g, j), false, (s, sb))?;
        }
        Ok(())
    }

    /// The second model's score around `mean`, if it has one: noise
    /// correlated ρ with the first model's `e` (same distribution).
    fn second(
        &self,
        mean: Option<f64>,
        e: f64,
        noise: &Normal<f64>,
        rng: &mut ChaCha8Rng,
    ) -> Option<f64> {
        let r = self.model_correlation;
        mean.map(|m| m + r * e + (1.0 - r * r).sqrt() * noise.sample(rng))
    }

    /// Non-mated comparisons across groups, δ below the lower of the two means.
    fn write_cross_group<W: Write>(
        &self,
        w: &mut csv::Writer<W>,
        noise: &Noise,
        (rng, rng_b): &mut (ChaCha8Rng, ChaCha8Rng),
    ) -> io::Result<()> {
        let (k, n) = (self.groups.len(), self.subjects_per_group);
        for _ in 0..self.cross_nonmated {
            let g = rng.random_range(0..k);
            let h = (g + rng.random_range(1..k)) % k;
            let (x, y) = (&self.groups[g], &self.groups[h]);
            let mean = x.nonmated_mean.min(y.nonmated_mean) - self.cross_shift;
            let e = noise.impostor.sample(rng);
            let s = mean + e;
            let mean_b = x
                .model_b
                .zip(y.model_b)
                .map(|(p, q)| p.1.min(q.1) - self.cross_shift);
            let sb = self.second(mean_b, e, &noise.impostor, rng_b);
            let a = (g, rng.random_range(0..n));
            let b = (h, rng.random_range(0..n));
            self.write_row(w, a, b, false, (s, sb))?;
        }
        Ok(())
    }

    /// One comparison row between subjects `a` and `b`, each (group, index).
    fn write_row<W: Write>(
        &self,
        w: &mut csv::Writer<W>,
        (g, i): (usize, usize),
        (h, j): (usize, usize),
        mated: bool,
        (score, score_b): (f64, Option<f64>),
    ) -> io::Result<()> {
        let mut rec = vec![
            subject_id(g, i),
            subject_id(h, j),
            (mated as u8).to_string(),
            format!("{score:.6}"),
        ];
        rec.extend(score_b.map(|s| format!("{s:.6}")));
        rec.extend(self.groups[g].attrs.iter().map(|(_, v)| v.clone()));
        rec.extend(self.groups[h].attrs.iter().map(|(_, v)| v.clone()));
        w.write_record(&rec).map_err(io::Error::from)
    }
}

/// The normal noise of simulated scores.
struct Noise {
    subject_effect: Normal<f64>,
    mated: Normal<f64>,
    impostor: Normal<f64>,
}

/// The id of subject `i` of group `g`.
fn subject_id(g: usize, i: usize) -> String {
    format!("S{:02}{:05}", g, i)
}

/// An invalid-input error with a message.
fn invalid(m: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, m.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tables() {
        // Φ(1.959963984540054) = 0.975; Φ(−3) = 0.0013498980316301 (scipy.stats.norm.cdf)
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
        assert!((normal_cdf(-3.0) - 0.001_349_898_031_630_093_3).abs() < 1e-17);
    }

    #[test]
    fn group_spec_parses() {
        let g = GroupSpec::parse("race=A,sex=F,mated_mean=5,nonmated_mean=0.2").unwrap();
        assert_eq!(g.name(), "A+F");
        assert_eq!((g.mated_mean, g.nonmated_mean), (5.0, 0.2));
        assert!(GroupSpec::parse("race=A,mated_mean=x,nonmated_mean=0").is_err());
        assert!(GroupSpec::parse("mated_mean=1,nonmated_mean=0").is_err());
    }

    #[test]
    fn same_seed_same_bytes() {
        let mut p = Population::demo();
        p.subjects_per_group = 5;
        p.nonmated_per_group = 10;
        p.cross_nonmated = 10;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        p.write_csv(&mut a).unwrap();
        p.write_csv(&mut b).unwrap();
        assert_eq!(a, b);
        let lines = a.iter().filter(|&&c| c == b'\n').count();
        assert_eq!(lines, 1 + 8 * (5 * 3 + 10) + 10);
    }
}

/// A synthetic 1:N population: each search compares its probe with a gallery
/// of `gallery` enrolled subjects; impostor scores of a probe in group g are
/// N(μⁿ_g, 1), the mate's score N(μᵐ_g, 1), all independent. With the whole
/// gallery returned as the candidate list, the true rates at threshold T are
/// FPIR_g(T) = 1 − Φ(T − μⁿ_g)^N and FNIR_g(N, T) = Φ(T − μᵐ_g).
#[derive(Debug, Clone, Serialize)]
pub struct SearchPopulation {
    /// The groups, each with its score means.
    pub groups: Vec<GroupSpec>,
    /// Enrolled subjects each probe is compared with (N).
    pub gallery: usize,
    /// Mated searches of each group.
    pub mated_per_group: usize,
    /// Non-mated searches of each group.
    pub nonmated_per_group: usize,
    /// Seed of the generator (the same seed gives the same data).
    pub seed: u64,
}

impl SearchPopulation {
    /// The demo's 1:N population: race A–D × sex F/M.
    pub fn demo() -> SearchPopulation {
        let mut groups = Population::demo().groups;
        for g in &mut groups {
            // Searches against a gallery of 20 raise the non-mate tail: shift
            // the impostor means down so that FPIR stays in a plausible range.
            g.nonmated_mean -= 1.0;
            g.mated_mean -= 1.0;
        }
        SearchPopulation {
            groups,
            gallery: 20,
            mated_per_group: 2_000,
            nonmated_per_group: 2_000,
            seed: 20_261_129,
        }
    }

    /// True FPIR of group g at threshold T.
    pub(crate) fn expected_fpir(&self, g: usize, tau: f64) -> f64 {
        1.0 - normal_cdf(tau - self.groups[g].nonmated_mean).powi(self.gallery as i32)
    }

    /// True FNIR of group g at threshold T with the whole gallery returned.
    pub(crate) fn expected_fnir_full_list(&self, g: usize, tau: f64) -> f64 {
        normal_cdf(tau - self.groups[g].mated_mean)
    }

    /// Writes one row per search: `search_id,mated,mate_rank,mate_score,nonmate_score` and the
    /// attributes; the candidate list is the whole gallery.
    pub fn write_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let normal = Normal::new(0.0, 1.0)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut w = csv::Writer::from_writer(w);
        let attrs: Vec<&str> = self.groups.first().map_or(Vec::new(), |g| {
            g.attrs.iter().map(|(k, _)| k.as_str()).collect()
        });
        let mut header = vec![
            "search_id",
            "mated",
            "mate_rank",
            "mate_score",
            "nonmate_score",
        ];
        header.extend(attrs.iter());
        w.write_record(&header)?;
        let mut id = 0usize;
        for spec in &self.groups {
            for mated in [true, false] {
                let n = if mated {
                    self.mated_per_group
                } else {
                    self.nonmated_per_group
                };
                for _ in 0..n {
                    let mate = mated.then(|| spec.mated_mean + normal.sample(&mut rng));
                    let impostors = if mated {
                        self.gallery - 1
                    } else {
                        self.gallery
                    };
                    let (mut top, mut above) = (f64::NEG_INFINITY, 0usize);
                    for _ in 0..impostors {
                        let x = spec.nonmated_mean + normal.sample(&mut rng);
                        top = top.max(x);
                        above += mate.is_some_and(|m| x > m) as usize;
                    }
                    // The mate's rank in the whole gallery: 1 + impostors above it.
                    let (rank, mate) = match mate {
                        Some(m) => ((1 + above).to_string(), format!("{m:.6}")),
                        None => (String::new(), String::new()),
                    };
                    let mut rec = vec![
                        format!("q{id}"),
                        (mated as u8).to_string(),
                        rank,
                        mate,
                        format!("{top:.6}"),
                    ];
                    rec.extend(spec.attrs.iter().map(|(_, v)| v.clone()));
                    w.write_record(&rec)?;
                    id += 1;
                }
            }
        }
        w.flush()
    }
}

/// One group of an age-estimation population: its attribute values, the
/// model's mean signed error (bias, years) and the standard deviation of
/// its errors (spread, years).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgeGroupSpec {
    /// (attribute, value) pairs, in the same attribute order for every group.
    pub attrs: Vec<(String, String)>,
    /// Mean signed error of the group's estimates (years).
    pub bias: f64,
    /// Standard deviation of the group's errors (years).
    pub spread: f64,
}

impl AgeGroupSpec {
    /// Parses `sex=F,region=A,bias=1.5,spread=4`.
    pub fn parse(s: &str) -> Result<AgeGroupSpec, String> {
        let (mut bias, mut spread, mut attrs) = (f64::NAN, f64::NAN, Vec::new());
        for (k, v) in key_values(s)? {
            let num = || number(s, k, v);
            match k {
                "bias" => bias = num()?,
                "spread" => spread = num()?,
                k => attrs.push((k.to_string(), v.to_string())),
            }
        }
        if !(bias.is_finite() && spread > 0.0 && spread.is_finite()) || attrs.is_empty() {
            return Err(format!(
                "group {s:?}: needs attributes, bias and spread > 0"
            ));
        }
        Ok(AgeGroupSpec {
            attrs,
            bias,
            spread,
        })
    }
}

/// A synthetic age-estimation population: each subject has a true age drawn
/// uniformly from `ages` (whole years) and `images_per_subject` face images,
/// each a year older than the last; the error of an image in group g is
/// bias_g + u_s + ε, with a per-subject effect u_s ~ N(0, ρ·spread_g²) and
/// ε ~ N(0, (1 − ρ)·spread_g²), so that each group's errors have mean bias_g
/// and standard deviation spread_g, correlated ρ within a subject.
#[derive(Debug, Clone, Serialize)]
pub struct AgePopulation {
    /// The groups, each with its bias and spread.
    pub groups: Vec<AgeGroupSpec>,
    /// Subjects simulated in each group.
    pub subjects_per_group: usize,
    /// Images of each subject.
    pub images_per_subject: usize,
    /// Share ρ of the error variance that is a per-subject effect.
    pub subject_share: f64,
    /// Youngest and oldest true age of a subject's first image (years).
    pub ages: (u32, u32),
    /// Seed of the generator (the same seed gives the same data).
    pub seed: u64,
}

impl AgePopulation {
    /// The demo's population: sex F/M × region A–C, each with its own bias
    /// and spread (region C's estimates run old, so under-age people of C
    /// are admitted more often).
    pub fn demo() -> AgePopulation {
        let region = [("A", 0.0, 4.0), ("B", -1.0, 5.0), ("C", 2.5, 5.5)];
        let sex = [("F", -0.5, 0.0), ("M", 0.5, 0.5)];
        let mut groups = Vec::new();
        for (r, rb, rs) in region {
            for (s, sb, ss) in sex {
                groups.push(AgeGroupSpec {
                    attrs: vec![("sex".into(), s.into()), ("region".into(), r.into())],
                    bias: rb + sb,
                    spread: rs + ss,
                });
            }
        }
        AgePopulation {
            groups,
            subjects_per_group: 400,
            images_per_subject: 3,
            subject_share: 0.5,
            ages: (8, 70),
            seed: 20_261_130,
        }
    }

    /// Writes `subject_id,<attributes>,age,predicted_age` (ages whole
    /// years; estimates to a tenth of a year). Deterministic for a seed.
    pub fn write_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let first = self.groups.first().ok_or_else(|| invalid("no groups"))?;
        if self
            .groups
            .iter()
            .any(|g| g.attrs.len() != first.attrs.len())
        {
            return Err(invalid("every group must list the same attributes"));
        }
        if !(0.0..1.0).contains(&self.subject_share) || self.ages.0 > self.ages.1 {
            return Err(invalid(
                "subject share must be in [0, 1) and the ages ascend",
            ));
        }
        let unit = Normal::new(0.0, 1.0).map_err(|e| invalid(&e.to_string()))?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut w = csv::Writer::from_writer(w);
        let mut header = vec!["subject_id".to_string()];
        header.extend(first.attrs.iter().map(|(k, _)| k.clone()));
        header.extend(["age".into(), "predicted_age".into()]);
        w.write_record(&header)?;
        for (g, spec) in self.groups.iter().enumerate() {
            let (between, within) = (
                spec.spread * self.subject_share.sqrt(),
                spec.spread * (1.0 - self.subject_share).sqrt(),
            );
            for i in 0..self.subjects_per_group {
                let start = rng.random_range(self.ages.0..=self.ages.1);
                let u = between * unit.sample(&mut rng);
                for k in 0..self.images_per_subject {
                    let age = start + k as u32;
                    let estimate = age as f64 + spec.bias + u + within * unit.sample(&mut rng);
                    let mut row = vec![subject_id(g, i)];
                    row.extend(spec.attrs.iter().map(|(_, v)| v.clone()));
                    row.push(age.to_string());
                    row.push(format!("{:.1}", (estimate * 10.0).round() / 10.0));
                    w.write_record(&row)?;
                }
            }
        }
        w.flush()
    }
}
