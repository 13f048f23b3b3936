//! The subjects of a sorted score column, for the design effect of a rate
//! read at a threshold ([`crate::stats::cluster`]). The events of such a
//! rate are a run of the sorted trials (scores at or above τ, or below it),
//! so its spread costs a pass over the smaller of that run and the rest,
//! with one scratch vector per rate.

use crate::stats::cluster::Spread;
use std::ops::Range;

/// An unordered pair of distinct subjects, packed.
fn dyad(a: u32, b: u32) -> u64 {
    (a.min(b) as u64) << 32 | a.max(b) as u64
}

/// The subjects of each trial of a sorted column, with the trials per
/// subject and per pair of distinct subjects.
#[derive(Debug, Default)]
pub(crate) struct Clusters {
    /// The subjects of each trial, in column order (`[s, s]`: one subject).
    members: Vec<[u32; 2]>,
    /// (subject, trials involving it), ascending.
    subjects: Vec<(u32, f64)>,
    /// (pair of distinct subjects, its trials), ascending.
    dyads: Vec<(u64, f64)>,
    /// Σ_s n_s² and Σ_d n_d².
    subject_sq: f64,
    dyad_sq: f64,
}

/// (key, count) of each distinct key of `keys`, sorting them.
fn runs<K: Ord + Copy>(keys: &mut [K]) -> Vec<(K, f64)> {
    keys.sort_unstable();
    let mut out: Vec<(K, f64)> = Vec::new();
    for &k in keys.iter() {
        match out.last_mut() {
            Some((last, n)) if *last == k => *n += 1.0,
            _ => out.push((k, 1.0)),
        }
    }
    out
}

/// Σ of the squared counts.
fn sum_sq<K>(runs: &[(K, f64)]) -> f64 {
    runs.iter().map(|(_, n)| n * n).sum()
}

/// Appends the subjects of `m` (once each) to `s` and its pair, if any, to `d`.
fn keys_of(m: [u32; 2], s: &mut Vec<u32>, d: &mut Vec<u64>) {
    s.push(m[0]);
    if m[1] != m[0] {
        s.push(m[1]);
        d.push(dyad(m[0], m[1]));
    }
}

impl Clusters {
    /// From the subjects of each trial, in column order.
    pub(crate) fn new(members: Vec<[u32; 2]>) -> Clusters {
        let (mut s, mut d) = (Vec::new(), Vec::new());
        for &m in &members {
            keys_of(m, &mut s, &mut d);
        }
        let (subjects, dyads) = (runs(&mut s), runs(&mut d));
        Clusters {
            subject_sq: sum_sq(&subjects),
            dyad_sq: sum_sq(&dyads),
            members,
            subjects,
            dyads,
        }
    }

    /// The spread of a rate whose events are the trials at `events`.
    pub(crate) fn spread(&self, events: Range<usize>) -> Spread {
        let n = self.members.len();
        let k = events.len();
        // The formula is symmetric in events and non-events (p̂ ↔ 1 − p̂):
        // sum over the smaller set.
        let (s, d) = (&mut Vec::new(), &mut Vec::new());
        let q = if 2 * k <= n {
            for &m in &self.members[events] {
                keys_of(m, s, d);
            }
            k as f64 / n as f64
        } else {
            for &m in self.members[..events.start]
                .iter()
                .chain(&self.members[events.end..])
            {
                keys_of(m, s, d);
            }
            (n - k) as f64 / n as f64
        };
        // Σ (e − q·n)² = Σ e² − 2q Σ e·n + q² Σ n² over subjects (and pairs).
        fn part<K: Ord + Copy>(keys: &mut [K], sizes: &[(K, f64)], sq: f64, q: f64) -> f64 {
            let cross: f64 = runs(keys)
                .iter()
                .map(|&(key, e)| {
                    let i = sizes.partition_point(|x| x.0 < key);
                    e * e - 2.0 * q * e * sizes[i].1
                })
                .sum();
            cross + q * q * sq
        }
        Spread {
            subjects: self.subjects.len() as u64,
            residual_sq: part(s, &self.subjects, self.subject_sq, q)
                - part(d, &self.dyads, self.dyad_sq, q),
            size_sq: self.subject_sq - self.dyad_sq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spread from its definition, over every subject and pair.
    fn brute(members: &[[u32; 2]], event: &[bool]) -> f64 {
        let n = members.len() as f64;
        let p = event.iter().filter(|&&e| e).count() as f64 / n;
        let mut total = 0.0;
        for s in 0..10u32 {
            let involved: Vec<usize> = (0..members.len())
                .filter(|&i| members[i].contains(&s))
                .collect();
            let e = involved.iter().filter(|&&i| event[i]).count() as f64;
            total += (e - p * involved.len() as f64).powi(2);
            for t in s + 1..10 {
                let both: Vec<usize> = (0..members.len())
                    .filter(|&i| members[i].contains(&s) && members[i].contains(&t))
                    .collect();
                let e = both.iter().filter(|&&i| event[i]).count() as f64;
                total -= (e - p * both.len() as f64).powi(2);
            }
        }
        total
    }

    #[test]
    fn spread_matches_its_definition() {
        // Mated trials (one subject) and non-mated ones, a pair repeated.
        let members = vec![
            [0, 0],
            [1, 2],
            [0, 0],
            [3, 1],
            [2, 1],
            [4, 4],
            [0, 3],
            [4, 2],
            [1, 1],
        ];
        let c = Clusters::new(members.clone());
        for start in 0..=members.len() {
            for end in start..=members.len() {
                let event: Vec<bool> = (0..members.len())
                    .map(|i| (start..end).contains(&i))
                    .collect();
                let got = c.spread(start..end);
                let want = brute(&members, &event);
                assert!(
                    (got.residual_sq - want).abs() < 1e-9,
                    "{start}..{end}: {got:?} vs {want}"
                );
                assert_eq!(got.subjects, 5);
            }
        }
        // Σ n_s² − Σ n_d²: subjects 0..4 in 3, 4, 3, 2, 2 trials; pair {1,2}
        // in two, pairs {1,3}, {0,3}, {2,4} in one each.
        assert_eq!(c.spread(0..0).size_sq, (9 + 16 + 9 + 4 + 4 - 4 - 3) as f64);
    }
}
