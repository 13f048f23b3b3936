//! Attribute values to dense group ids, and the groupings ("views") a
//! report covers: all rows pooled (`*`), each attribute alone, and the
//! intersection of all attributes (observed combinations, named `A+F`).

use crate::error::{Error, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;

/// The code of a missing attribute value.
pub const MISSING: u32 = u32::MAX;

/// Interns byte strings to dense `u32` ids; allocates only for new values.
/// Values of up to 7 bytes (most labels) are looked up as one integer: in
/// a short list while there are few, then in a hash map.
#[derive(Debug, Default)]
pub struct Interner {
    few: Vec<(u64, u32)>,
    short: FxHashMap<u64, u32>,
    map: FxHashMap<Box<[u8]>, u32>,
    names: Vec<Box<[u8]>>,
}

/// Short values kept in a list before they move to a map.
const FEW: usize = 16;

/// A value of up to 7 bytes packed with its length (`None` if longer).
#[inline]
fn pack(v: &[u8]) -> Option<u64> {
    // Byte by byte: a call to memcpy would cost more than the lookup.
    (v.len() < 8).then(|| {
        v.iter()
            .enumerate()
            .fold((v.len() as u64) << 56, |k, (i, &c)| {
                k | (c as u64) << (8 * i)
            })
    })
}

impl Interner {
    #[inline]
    pub fn intern(&mut self, v: &[u8]) -> u32 {
        if let Some(id) = self.get(v) {
            return id;
        }
        let id = self.names.len() as u32;
        match pack(v) {
            Some(k) if self.few.len() < FEW && self.short.is_empty() => self.few.push((k, id)),
            Some(k) => {
                self.short.extend(self.few.drain(..));
                self.short.insert(k, id);
            }
            None => {
                self.map.insert(v.into(), id);
            }
        }
        self.names.push(v.into());
        id
    }

    #[inline]
    pub fn get(&self, v: &[u8]) -> Option<u32> {
        match pack(v) {
            Some(k) if self.short.is_empty() => self.few.iter().find(|x| x.0 == k).map(|x| x.1),
            Some(k) => self.short.get(&k).copied(),
            None => self.map.get(v).copied(),
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Names in byte order, and the map from first-seen id to sorted id.
    pub fn into_sorted(self) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let names = order
            .iter()
            .map(|&i| String::from_utf8_lossy(&self.names[i as usize]).into_owned())
            .collect();
        (names, remap)
    }
}

/// Replaces first-seen codes by sorted codes in place (MISSING stays).
pub fn apply_remap(codes: &mut [u32], remap: &[u32]) {
    for c in codes.iter_mut().filter(|c| **c != MISSING) {
        *c = remap[*c as usize];
    }
}

/// One grouping of the rows: the group of each side of each row.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// Attribute name, names joined by `+` for the intersection, `*` for pooled.
    pub attribute: String,
    pub groups: Vec<String>,
    pub side_a: Cow<'a, [u32]>,
    pub side_b: Cow<'a, [u32]>,
}

/// Group codes of one attribute: sorted value names and per-side codes.
pub struct AttributeCodes<'a> {
    pub name: &'a str,
    pub values: &'a [String],
    pub side_a: &'a [u32],
    pub side_b: &'a [u32],
}

/// The views of a report: pooled, each attribute, and (with two or more
/// attributes) their intersection.
pub fn views<'a>(rows: usize, attrs: &[AttributeCodes<'a>]) -> Vec<View<'a>> {
    let mut out = vec![View {
        attribute: "*".into(),
        groups: vec!["*".into()],
        side_a: Cow::Owned(vec![0; rows]),
        side_b: Cow::Owned(vec![0; rows]),
    }];
    for a in attrs {
        out.push(View {
            attribute: a.name.to_string(),
            groups: a.values.to_vec(),
            side_a: Cow::Borrowed(a.side_a),
            side_b: Cow::Borrowed(a.side_b),
        });
    }
    if attrs.len() >= 2 {
        out.push(intersection(rows, attrs));
    }
    out
}

/// The intersection view: a side's group is the tuple of its attribute
/// values (missing if any is missing); only observed tuples become groups,
/// ordered lexicographically by the attributes' value order.
fn intersection<'a>(rows: usize, attrs: &[AttributeCodes<'a>]) -> View<'a> {
    // Mixed-radix key, first attribute most significant, so key order is the
    // lexicographic order of the tuples.
    let radix: Vec<u128> = attrs
        .iter()
        .map(|a| a.values.len().max(1) as u128)
        .collect();
    let space: u128 = radix.iter().product();
    let key = |side: fn(&AttributeCodes, usize) -> u32, i: usize| -> Option<u128> {
        attrs.iter().zip(&radix).try_fold(0u128, |k, (a, r)| {
            let c = side(a, i);
            (c != MISSING).then(|| k * r + c as u128)
        })
    };
    let side_a_of: fn(&AttributeCodes, usize) -> u32 = |a, i| a.side_a[i];
    let side_b_of: fn(&AttributeCodes, usize) -> u32 = |a, i| a.side_b[i];
    let same_sides = attrs.iter().all(|a| std::ptr::eq(a.side_a, a.side_b));
    let sides: &[fn(&AttributeCodes, usize) -> u32] = if same_sides {
        &[side_a_of]
    } else {
        &[side_a_of, side_b_of]
    };
    // Observed keys, ascending: a bitmap when the key space is small, else sort.
    let observed: Vec<u128> = if space <= 1 << 24 {
        let mut seen = vec![false; space as usize];
        for side in sides {
            (0..rows)
                .filter_map(|i| key(*side, i))
                .for_each(|k| seen[k as usize] = true);
        }
        (0..space).filter(|&k| seen[k as usize]).collect()
    } else {
        let mut v: Vec<u128> = sides
            .iter()
            .flat_map(|side| (0..rows).filter_map(move |i| key(*side, i)))
            .collect();
        v.par_sort_unstable();
        v.dedup();
        v
    };
    let codes = |side: fn(&AttributeCodes, usize) -> u32| -> Vec<u32> {
        (0..rows)
            .into_par_iter()
            .map(|i| {
                key(side, i).map_or(MISSING, |k| {
                    observed.binary_search(&k).expect("observed key") as u32
                })
            })
            .collect()
    };
    let side_a = codes(side_a_of);
    let side_b = if same_sides {
        side_a.clone()
    } else {
        codes(side_b_of)
    };
    let groups = observed
        .iter()
        .map(|&key| {
            let mut k = key;
            let mut parts = vec![String::new(); attrs.len()];
            for (j, (a, r)) in attrs.iter().zip(&radix).enumerate().rev() {
                parts[j] = a.values[(k % r) as usize].clone();
                k /= r;
            }
            parts.join("+")
        })
        .collect();
    View {
        attribute: attrs.iter().map(|a| a.name).collect::<Vec<_>>().join("+"),
        groups,
        side_a: Cow::Owned(side_a),
        side_b: Cow::Owned(side_b),
    }
}

/// The reference group of a view and the rule that chose it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    pub group: String,
    pub rule: String,
}

/// Chooses the reference group of a view among `candidates` (name, size,
/// error): a rule `ATTRIBUTE=VALUE` for this view names it; otherwise the
/// last bare rule decides, `largest` (by size, the default) or `best` (lowest
/// error); ties go to the first group.
pub fn choose_reference(
    attribute: &str,
    all_groups: &[String],
    candidates: &[(&str, f64, f64)],
    rules: &[String],
) -> Result<Option<Reference>> {
    if candidates.is_empty() {
        return Ok(None);
    }
    if let Some((_, value)) = rules
        .iter()
        .filter_map(|r| r.split_once('='))
        .find(|(a, _)| *a == attribute)
    {
        return match candidates.iter().find(|c| c.0 == value) {
            Some(c) => Ok(Some(Reference {
                group: c.0.to_string(),
                rule: "named".into(),
            })),
            None => Err(Error::Config(format!(
                "--reference {attribute}={value}: no such group (groups: {})",
                all_groups.join(", ")
            ))),
        };
    }
    let rule = rules
        .iter()
        .rev()
        .find(|r| !r.contains('='))
        .map_or("largest", String::as_str);
    let better = |c: &(&str, f64, f64), m: &(&str, f64, f64)| match rule {
        "best" => c.2 < m.2 || m.2.is_nan(),
        _ => c.1 > m.1,
    };
    if rule != "largest" && rule != "best" {
        return Err(Error::Config(format!(
            "--reference {rule:?}: expected largest, best or ATTRIBUTE=VALUE"
        )));
    }
    let pick = candidates
        .iter()
        .fold(&candidates[0], |m, c| if better(c, m) { c } else { m });
    let why = if rule == "best" {
        "best (lowest error)"
    } else {
        "largest"
    };
    Ok(Some(Reference {
        group: pick.0.to_string(),
        rule: why.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_sorts_names() {
        let mut i = Interner::default();
        assert_eq!(i.intern(b"b"), 0);
        assert_eq!(i.intern(b"a"), 1);
        assert_eq!(i.intern(b"b"), 0);
        let (names, remap) = i.into_sorted();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(remap, [1, 0]);
    }

    #[test]
    fn intersection_of_observed_combinations() {
        let race = vec!["A".to_string(), "B".to_string()];
        let sex = vec!["F".to_string(), "M".to_string()];
        // rows: (B,M)~(A,F), (A,?)~(A,M), (A,M)~(B,M)
        let ra = [1, 0, 0];
        let rb = [0, 0, 1];
        let sa = [1, MISSING, 1];
        let sb = [0, 1, 1];
        let attrs = [
            AttributeCodes {
                name: "race",
                values: &race,
                side_a: &ra,
                side_b: &rb,
            },
            AttributeCodes {
                name: "sex",
                values: &sex,
                side_a: &sa,
                side_b: &sb,
            },
        ];
        let v = views(3, &attrs);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].attribute, "*");
        let x = &v[3];
        assert_eq!(x.attribute, "race+sex");
        assert_eq!(x.groups, ["A+F", "A+M", "B+M"]);
        assert_eq!(&*x.side_a, &[2, MISSING, 1]);
        assert_eq!(&*x.side_b, &[0, 1, 2]);
    }
}
