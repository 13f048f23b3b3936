//! Attribute values to dense group ids, and the groupings ("views") a
//! report covers: all rows pooled (`*`), each attribute alone, and the
//! intersection of all attributes (observed combinations, named `A+F`).

use crate::error::Result;
use crate::input::rules::{option_error, serde_as_text, split_assignment};
use crate::input::AttributeData;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

pub use crate::input::codes::MISSING;

/// What a view groups by. Written `*` (pooled), the attribute's name, or
/// the names joined by `+` (intersection), in reports and the tidy CSV.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attribute {
    /// All rows in one group, named `*`.
    Pooled,
    /// One attribute.
    One(String),
    /// The observed combinations of two or more attributes.
    Intersection(Vec<String>),
}

impl Attribute {
    /// True for the pooled view (`*`).
    pub fn is_pooled(&self) -> bool {
        matches!(self, Attribute::Pooled)
    }

    /// The view's name in text: `*`, `race` or `race+sex`.
    pub fn name(&self) -> String {
        match self {
            Attribute::Pooled => "*".into(),
            Attribute::One(a) => a.clone(),
            Attribute::Intersection(a) => a.join("+"),
        }
    }

    /// Reads a name back (`*`; a name with `+` is read as an intersection).
    pub(crate) fn parse(s: &str) -> Attribute {
        match s {
            "*" => Attribute::Pooled,
            s if s.contains('+') => {
                Attribute::Intersection(s.split('+').map(str::to_string).collect())
            }
            s => Attribute::One(s.to_string()),
        }
    }
}

impl std::fmt::Display for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for Attribute {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Attribute {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Attribute::parse(&String::deserialize(d)?))
    }
}

/// One grouping of the rows: the group of each side of each row.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    pub attribute: Attribute,
    pub groups: Vec<String>,
    pub side_a: Cow<'a, [u32]>,
    pub side_b: Cow<'a, [u32]>,
}

/// Group codes of one attribute: sorted value names and per-side codes.
pub(crate) struct AttributeCodes<'a> {
    pub name: &'a str,
    pub values: &'a [String],
    pub side_a: &'a [u32],
    pub side_b: &'a [u32],
}

/// The codes of attributes as read; `one_side` when a row has one group
/// (searches, classified items) rather than one per side (comparisons).
pub(crate) fn codes_of(attrs: &[AttributeData], one_side: bool) -> Vec<AttributeCodes<'_>> {
    attrs
        .iter()
        .map(|a| AttributeCodes {
            name: &a.name,
            values: &a.values,
            side_a: &a.side_a,
            side_b: if one_side { &a.side_a } else { &a.side_b },
        })
        .collect()
}

/// The views of a report: pooled, each attribute, and (with two or more
/// attributes) their intersection.
pub(crate) fn views<'a>(rows: usize, attrs: &[AttributeCodes<'a>]) -> Vec<View<'a>> {
    let mut out = vec![View {
        attribute: Attribute::Pooled,
        groups: vec!["*".into()],
        side_a: Cow::Owned(vec![0; rows]),
        side_b: Cow::Owned(vec![0; rows]),
    }];
    for a in attrs {
        out.push(View {
            attribute: Attribute::One(a.name.to_string()),
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
        attribute: Attribute::Intersection(attrs.iter().map(|a| a.name.to_string()).collect()),
        groups,
        side_a: Cow::Owned(side_a),
        side_b: Cow::Owned(side_b),
    }
}

/// The attribute names of the views over attributes `attrs` (the pooled
/// view `*` aside): each attribute, then their intersection when there are
/// two or more — the names an `ATTRIBUTE=VALUE` reference rule may use.
pub fn view_attributes(attrs: &[String]) -> Vec<String> {
    let mut out = attrs.to_vec();
    if attrs.len() >= 2 {
        out.push(Attribute::Intersection(attrs.to_vec()).name());
    }
    out
}

/// The reference group of a view and the rule that chose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// The reference group's name.
    pub group: String,
    /// The rule that chose it: `largest`, `best (lowest error)` or `named`.
    pub rule: String,
}

/// A rule choosing reference groups (`--reference`), written `largest`,
/// `best` or `ATTRIBUTE=VALUE`; serialised as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceRule {
    /// The group with the most trials (the default).
    Largest,
    /// The group with the lowest error.
    Best,
    /// This group of the view named `attribute` (an attribute, or the
    /// intersection's names joined by `+`).
    Named {
        /// The view's name: an attribute, or names joined by `+`.
        attribute: String,
        /// The group's label in that view.
        group: String,
    },
}

impl ReferenceRule {
    /// Parses `largest`, `best` or `ATTRIBUTE=VALUE` (split at the first `=`).
    pub fn parse(s: &str) -> Result<ReferenceRule> {
        Ok(match s {
            "largest" => ReferenceRule::Largest,
            "best" => ReferenceRule::Best,
            _ => {
                let form = "largest, best or ATTRIBUTE=VALUE";
                let (attribute, group) = split_assignment("--reference", s, form, false)?;
                ReferenceRule::Named {
                    attribute: attribute.into(),
                    group: group.into(),
                }
            }
        })
    }
}

impl ReferenceRule {
    /// Checks `rules` against an audit's attributes: a named rule names a
    /// view (one of `attrs`, or their intersection), at most one rule each;
    /// else the index of the rule at fault and why.
    pub fn check_all(
        rules: &[ReferenceRule],
        attrs: &[String],
    ) -> std::result::Result<(), (usize, String)> {
        let views = view_attributes(attrs);
        let mut named: Vec<&str> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let ReferenceRule::Named { attribute, .. } = rule else {
                continue;
            };
            if !views.contains(attribute) {
                let known = if views.is_empty() {
                    "none: name them with --attr".to_string()
                } else {
                    views.join(", ")
                };
                return Err((i, format!("no such attribute (attributes: {known})")));
            }
            if named.contains(&attribute.as_str()) {
                return Err((i, format!("a second rule for attribute {attribute}")));
            }
            named.push(attribute);
        }
        Ok(())
    }
}

impl fmt::Display for ReferenceRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceRule::Largest => f.write_str("largest"),
            ReferenceRule::Best => f.write_str("best"),
            ReferenceRule::Named { attribute, group } => write!(f, "{attribute}={group}"),
        }
    }
}

serde_as_text!(ReferenceRule);

/// Chooses the reference group of a view among `candidates` (name, size,
/// error): a rule `ATTRIBUTE=VALUE` for this view names it; otherwise the
/// last bare rule decides, `largest` (by size, the default) or `best` (lowest
/// error); ties go to the first group.
pub(crate) fn choose_reference(
    attribute: &str,
    all_groups: &[String],
    candidates: &[(&str, f64, f64)],
    rules: &[ReferenceRule],
    [size, error]: [&str; 2],
) -> Result<Option<Reference>> {
    if candidates.is_empty() {
        return Ok(None);
    }
    let named = rules.iter().find_map(|r| match r {
        ReferenceRule::Named {
            attribute: a,
            group,
        } if a == attribute => Some(group),
        _ => None,
    });
    if let Some(value) = named {
        return match candidates.iter().find(|c| c.0 == value) {
            Some(c) => Ok(Some(Reference {
                group: c.0.to_string(),
                rule: "named".into(),
            })),
            None => Err(option_error(
                "--reference",
                format!(
                    "{attribute}={value}: no such group (groups: {})",
                    all_groups.join(", ")
                ),
            )),
        };
    }
    let best = rules
        .iter()
        .rev()
        .find(|r| !matches!(r, ReferenceRule::Named { .. }))
        == Some(&ReferenceRule::Best);
    // A tie within rounding (relative 1e-9) keeps the earlier group, so that
    // weighted sizes and rates pick the same group whatever the scale of the weights.
    let beyond = |a: f64, b: f64| a > b + 1e-9 * a.abs().max(b.abs());
    let better = |c: &(&str, f64, f64), m: &(&str, f64, f64)| {
        if best {
            beyond(m.2, c.2) || m.2.is_nan()
        } else {
            beyond(c.1, m.1)
        }
    };
    let pick = candidates
        .iter()
        .fold(&candidates[0], |m, c| if better(c, m) { c } else { m });
    let why = if best {
        format!("best (lowest {error}: {}", number(pick.2))
    } else {
        format!("largest ({} {size}", number(pick.1))
    };
    Ok(Some(Reference {
        group: pick.0.to_string(),
        rule: format!("{why}; a tie within 1e-9 keeps the first group in table order)"),
    }))
}

/// A size or rate as a reference rule says it: whole numbers as they are,
/// others to four significant digits.
fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        x.to_string()
    } else {
        format!("{x:.4}")
    }
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
        assert_eq!(v[0].attribute, Attribute::Pooled);
        let x = &v[3];
        assert_eq!(x.attribute.to_string(), "race+sex");
        assert_eq!(x.groups, ["A+F", "A+M", "B+M"]);
        assert_eq!(&*x.side_a, &[2, MISSING, 1]);
        assert_eq!(&*x.side_b, &[0, 1, 2]);
        let names: Vec<String> = vec!["race".into(), "sex".into()];
        assert_eq!(view_attributes(&names), ["race", "sex", "race+sex"]);
        assert_eq!(view_attributes(&names[..1]), ["race"]);
    }

    #[test]
    fn reference_rules_parse_print_and_choose() {
        let rule = |s: &str| ReferenceRule::parse(s).unwrap();
        assert_eq!(rule("largest"), ReferenceRule::Largest);
        assert_eq!(rule("best"), ReferenceRule::Best);
        let named = rule("race+sex=A+F=x");
        assert_eq!(
            named,
            ReferenceRule::Named {
                attribute: "race+sex".into(),
                group: "A+F=x".into()
            }
        );
        for s in ["largest", "best", "race+sex=A+F=x"] {
            assert_eq!(rule(s).to_string(), s);
            assert_eq!(serde_json::to_string(&rule(s)).unwrap(), format!("{s:?}"));
        }
        for bad in ["biggest", "", "=A", "race=", "Largest"] {
            let e = ReferenceRule::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--reference") && e.contains("expected"), "{e}");
        }
        assert!(serde_json::from_str::<ReferenceRule>("\"biggest\"").is_err());

        let groups: Vec<String> = vec!["A".into(), "B".into(), "C".into()];
        let candidates = [("A", 10.0, 0.3), ("B", 30.0, 0.2), ("C", 20.0, 0.1)];
        let pick = |rules: &[&str]| {
            let rules: Vec<ReferenceRule> = rules.iter().map(|s| rule(s)).collect();
            choose_reference(
                "race",
                &groups,
                &candidates,
                &rules,
                ["items", "error rate"],
            )
            .map(|r| r.map(|r| (r.group, r.rule)))
            .map_err(|e| e.to_string())
        };
        let got = |g: &str, why: &str| Ok(Some((g.to_string(), why.to_string())));
        let tie = "; a tie within 1e-9 keeps the first group in table order)";
        let largest = format!("largest (30 items{tie}");
        let best = format!("best (lowest error rate: 0.1000{tie}");
        assert_eq!(pick(&[]), got("B", &largest));
        assert_eq!(pick(&["best"]), got("C", &best));
        assert_eq!(pick(&["best", "largest"]), got("B", &largest));
        assert_eq!(pick(&["sex=F", "best"]), got("C", &best));
        assert_eq!(pick(&["best", "race=A"]), got("A", "named"));
        let e = pick(&["race=Z"]).unwrap_err();
        assert!(
            e.contains("--reference race=Z: no such group (groups: A, B, C)"),
            "{e}"
        );
    }
}
