//! Attribute values to dense group ids, and the groupings ("views") a
//! report covers: all rows pooled (`*`), each attribute alone, and the
//! intersection of all attributes (observed combinations, named `A+F`).

use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;

pub use crate::input::codes::MISSING;

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
            None => Err(Error::option(
                "--reference",
                format!(
                    "{attribute}={value}: no such group (groups: {})",
                    all_groups.join(", ")
                ),
            )),
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
        return Err(Error::option(
            "--reference",
            format!("{rule:?}: expected largest, best or ATTRIBUTE=VALUE"),
        ));
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
