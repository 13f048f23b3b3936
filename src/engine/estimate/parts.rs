//! The ratios an age-estimation audit sums: every statistic is Σv/Σd over a
//! group's rows, each row giving a weight part d and a value part v
//! ([`Parts::each`]); and the true-age bands and challenges that select rows.

use super::{sweep_thresholds, EstimateOptions, Sweep};
use crate::error::{Error, Result};
use serde::Serialize;

/// A band of true ages: whole years `low` to `high` (a ≤ age < b + 1), or
/// `low` and over.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// First year of the band.
    pub low: u32,
    /// Last year of the band (none: open-ended).
    pub high: Option<u32>,
}

impl Band {
    /// Parses `13-17` or `65-`.
    pub fn parse(s: &str) -> Result<Band> {
        let bad = || {
            Error::option(
                "--age-bands",
                format!("{s:?} is not a band of whole years LOW-HIGH or LOW- (13-17, 65-)"),
            )
        };
        let (lo, hi) = s.trim().split_once('-').ok_or_else(bad)?;
        let low: u32 = lo.trim().parse().map_err(|_| bad())?;
        let high = match hi.trim() {
            "" => None,
            h => Some(h.parse::<u32>().map_err(|_| bad())?),
        };
        if high.is_some_and(|h| h < low) {
            return Err(bad());
        }
        Ok(Band { low, high })
    }

    /// Parses a comma-separated list of bands in ascending order, not overlapping.
    pub fn parse_list(s: &str) -> Result<Vec<Band>> {
        let bands = s.split(',').map(Band::parse).collect::<Result<Vec<_>>>()?;
        for w in bands.windows(2) {
            if w[0].high.is_none_or(|h| h >= w[1].low) {
                return Err(Error::option(
                    "--age-bands",
                    format!(
                        "bands must ascend without overlapping: {} then {}",
                        w[0].label(),
                        w[1].label()
                    ),
                ));
            }
        }
        Ok(bands)
    }

    /// `13-17` or `65-`.
    pub fn label(&self) -> String {
        match self.high {
            Some(h) => format!("{}-{h}", self.low),
            None => format!("{}-", self.low),
        }
    }

    /// Whether true age `age` (years) is in the band.
    #[inline]
    pub fn contains(&self, age: f64) -> bool {
        age >= self.low as f64 && self.high.is_none_or(|h| age < h as f64 + 1.0)
    }

    /// The end of the band (exclusive), infinite when open.
    fn end(&self) -> f64 {
        self.high.map_or(f64::INFINITY, |h| h as f64 + 1.0)
    }
}

/// An age-verification challenge: admit when the estimate ≥ `threshold`,
/// the law asking for `age`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Challenge {
    /// The legal age (years).
    pub age: f64,
    /// The challenge threshold T (years): estimates ≥ T are admitted.
    pub threshold: f64,
    /// The band of under-age people whose false admits count (none: everyone under `age`).
    pub under: Option<Band>,
    /// The band of people of age whose false refusals count (none: everyone `age` or over).
    pub over: Option<Band>,
}

impl Challenge {
    /// Parses `AGE:T`, `AGE:T:UNDER` or `AGE:T:UNDER:OVER` (`18:25:13-17:18-30`;
    /// an empty UNDER keeps everyone under AGE: `18:25::18-30`).
    pub fn parse(s: &str) -> Result<Challenge> {
        let bad = |why: &str| Error::option("--challenge", format!("{s:?}: {why}"));
        let f: Vec<&str> = s.trim().split(':').collect();
        if !(2..=4).contains(&f.len()) {
            return Err(bad(
                "expected AGE:T[:UNDER-BAND[:OVER-BAND]], e.g. 18:25 or 18:25:13-17:18-30",
            ));
        }
        let number = |x: &str, what: &str| -> Result<f64> {
            match x.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(bad(&format!("{what} {x:?} is not an age in years"))),
            }
        };
        let band = |i: usize| -> Result<Option<Band>> {
            match f.get(i).map(|x| x.trim()) {
                None | Some("") => Ok(None),
                Some(b) => Band::parse(b).map(Some),
            }
        };
        let c = Challenge {
            age: number(f[0], "AGE")?,
            threshold: number(f[1], "T")?,
            under: band(2)?,
            over: band(3)?,
        };
        if c.under.is_some_and(|b| b.end() > c.age) {
            return Err(bad("the under-age band must end below AGE"));
        }
        if c.over.is_some_and(|b| (b.low as f64) < c.age) {
            return Err(bad("the of-age band must start at AGE or above"));
        }
        Ok(c)
    }

    /// `18:25`, `18:25:13-17:18-30`, `18:25::18-30`.
    pub fn label(&self) -> String {
        let mut s = format!("{}:{}", self.age, self.threshold);
        if self.under.is_some() || self.over.is_some() {
            s += &format!(":{}", self.under.map_or(String::new(), |b| b.label()));
        }
        if let Some(o) = self.over {
            s += &format!(":{}", o.label());
        }
        s
    }

    /// The operating point's policy id: `challenge:18:25`.
    pub fn policy(&self) -> String {
        format!("challenge:{}", self.label())
    }

    /// Whether true age `t` counts toward false admits.
    #[inline]
    fn is_under(&self, t: f64) -> bool {
        t < self.age && self.under.is_none_or(|b| b.contains(t))
    }

    /// Whether true age `t` counts toward false refusals.
    #[inline]
    fn is_over(&self, t: f64) -> bool {
        t >= self.age && self.over.is_none_or(|b| b.contains(t))
    }

    /// Why a group's false-admit rate is undefined.
    pub(crate) fn nobody_under(&self) -> String {
        match self.under {
            Some(b) => format!("nobody aged {}", b.label()),
            None => format!("nobody under {}", self.age),
        }
    }

    /// Why a group's false-refusal rate is undefined.
    pub(crate) fn nobody_over(&self) -> String {
        match self.over {
            Some(b) => format!("nobody aged {}", b.label()),
            None => format!("nobody aged {} or over", self.age),
        }
    }
}

/// One ratio Σv/Σd over a group's rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Part {
    /// |e|: the MAE.
    Abs,
    /// e: the mean signed error.
    Signed,
    /// e²: the mean squared error.
    Squared,
    /// |e| of rows in band b.
    BandAbs(usize),
    /// e of rows in band b.
    BandSigned(usize),
    /// [|e| ≤ θ_k]: CS(θ_k).
    Cs(usize),
    /// [estimate ≥ T] of under-age rows of challenge c.
    Admit(usize),
    /// [estimate < T] of rows of age of challenge c.
    Refuse(usize),
}

/// The parts of an audit in a fixed order, with what selects their rows.
pub(crate) struct Parts {
    list: Vec<Part>,
    cs: Vec<f64>,
    bands: Vec<Band>,
    challenges: Vec<Challenge>,
    /// The sweep thresholds of each challenge.
    grids: Vec<Vec<f64>>,
}

impl Parts {
    pub(crate) fn new(o: &EstimateOptions) -> Parts {
        let mut list = vec![Part::Abs, Part::Signed, Part::Squared];
        for b in 0..o.bands.len() {
            list.extend([Part::BandAbs(b), Part::BandSigned(b)]);
        }
        list.extend((0..o.cs.len()).map(Part::Cs));
        for c in 0..o.challenges.len() {
            list.extend([Part::Admit(c), Part::Refuse(c)]);
        }
        Parts {
            list,
            cs: o.cs.clone(),
            bands: o.bands.clone(),
            challenges: o.challenges.clone(),
            grids: o
                .challenges
                .iter()
                .map(|c| sweep_thresholds(c.age))
                .collect(),
        }
    }

    /// Number of parts.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// The position of `part`.
    pub(crate) fn index(&self, part: Part) -> usize {
        self.list
            .iter()
            .position(|&p| p == part)
            .expect("a part of this audit")
    }

    /// Calls `add(j, d, v)` for every part j that a row of true age `t`,
    /// estimate `p` and weight `w` belongs to.
    #[inline]
    pub(crate) fn each(&self, t: f64, p: f64, w: f64, mut add: impl FnMut(usize, f64, f64)) {
        let e = p - t;
        for (j, part) in self.list.iter().enumerate() {
            let x = match *part {
                Part::Abs => e.abs(),
                Part::Signed => e,
                Part::Squared => e * e,
                Part::BandAbs(b) if self.bands[b].contains(t) => e.abs(),
                Part::BandSigned(b) if self.bands[b].contains(t) => e,
                Part::Cs(k) => f64::from(u8::from(e.abs() <= self.cs[k])),
                Part::Admit(c) if self.challenges[c].is_under(t) => {
                    f64::from(u8::from(p >= self.challenges[c].threshold))
                }
                Part::Refuse(c) if self.challenges[c].is_over(t) => {
                    f64::from(u8::from(p < self.challenges[c].threshold))
                }
                _ => continue,
            };
            add(j, w, w * x);
        }
    }

    /// Slots of the sweep bins: per challenge, under and of age, one bin
    /// per count of thresholds at or below the estimate (0 to K).
    pub(crate) fn bins(&self) -> usize {
        self.grids.iter().map(|g| 2 * (g.len() + 1)).sum()
    }

    /// Adds a row's weight to its sweep bins in `out` ([`Parts::bins`] slots).
    #[inline]
    pub(crate) fn bin(&self, t: f64, p: f64, w: f64, out: &mut [f64]) {
        let mut base = 0;
        for (c, grid) in self.grids.iter().enumerate() {
            let k = grid.partition_point(|&x| x <= p);
            let ch = &self.challenges[c];
            if ch.is_under(t) {
                out[base + k] += w;
            } else if ch.is_over(t) {
                out[base + grid.len() + 1 + k] += w;
            }
            base += 2 * (grid.len() + 1);
        }
    }

    /// The sweep of challenge c from each group's bins: at threshold T_j a
    /// row is admitted when its estimate ≥ T_j, that is when its bin k > j.
    pub(crate) fn sweep<'b>(
        &self,
        c: usize,
        ch: &Challenge,
        groups: impl Iterator<Item = &'b [f64]>,
    ) -> Sweep {
        let grid = &self.grids[c];
        let base: usize = self.grids[..c].iter().map(|g| 2 * (g.len() + 1)).sum();
        let k = grid.len() + 1;
        let mut sweep = Sweep {
            challenge: ch.label(),
            thresholds: grid.clone(),
            false_admit: Vec::new(),
            false_refusal: Vec::new(),
        };
        for bins in groups {
            let (under, over) = (&bins[base..base + k], &bins[base + k..base + 2 * k]);
            let share = |bins: &[f64], admitted: bool| -> Vec<f64> {
                let total: f64 = bins.iter().sum();
                if total <= 0.0 {
                    return Vec::new();
                }
                (0..grid.len())
                    .map(|j| {
                        let above: f64 = bins[j + 1..].iter().sum();
                        (if admitted { above } else { total - above }) / total
                    })
                    .collect()
            };
            sweep.false_admit.push(share(under, true));
            sweep.false_refusal.push(share(over, false));
        }
        sweep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_challenges_parse_and_select() {
        let b = Band::parse("13-17").unwrap();
        assert!(b.contains(13.0) && b.contains(17.99) && !b.contains(18.0) && !b.contains(12.9));
        assert!(Band::parse("65-").unwrap().contains(100.0));
        assert!(Band::parse("17-13").is_err() && Band::parse("x").is_err());
        assert!(Band::parse_list("0-12,13-17,18-").is_ok());
        assert!(Band::parse_list("0-12,12-17").is_err());
        let c = Challenge::parse("18:25:13-17:18-30").unwrap();
        assert_eq!(c.label(), "18:25:13-17:18-30");
        assert!(c.is_under(15.0) && !c.is_under(12.0) && !c.is_under(18.0));
        assert!(c.is_over(30.5) && !c.is_over(31.0));
        assert_eq!(
            Challenge::parse("18:25").unwrap().policy(),
            "challenge:18:25"
        );
        assert_eq!(
            Challenge::parse("18:25::18-30").unwrap().label(),
            "18:25::18-30"
        );
        assert!(Challenge::parse("18:25:13-18").is_err());
        assert!(Challenge::parse("18").is_err() && Challenge::parse("18:x").is_err());
    }

    #[test]
    fn a_tie_at_the_threshold_is_an_admit() {
        let o = EstimateOptions {
            challenges: vec![Challenge::parse("18:25").unwrap()],
            ..Default::default()
        };
        let parts = Parts::new(&o);
        let admit = parts.index(Part::Admit(0));
        let mut got = Vec::new();
        parts.each(16.0, 25.0, 1.0, |j, d, v| got.push((j, d, v)));
        assert!(got.contains(&(admit, 1.0, 1.0)));
        // The sweep agrees: at T = 25 the row is admitted, at 25.5 not.
        let mut bins = vec![0.0; parts.bins()];
        parts.bin(16.0, 25.0, 1.0, &mut bins);
        let s = parts.sweep(0, &o.challenges[0], std::iter::once(bins.as_slice()));
        let at = |t: f64| s.thresholds.iter().position(|&x| x == t).unwrap();
        assert_eq!(s.false_admit[0][at(25.0)], 1.0);
        assert_eq!(s.false_admit[0][at(25.5)], 0.0);
        assert!(s.false_refusal[0].is_empty());
    }
}
