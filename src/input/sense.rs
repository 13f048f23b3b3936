//! Score sense: which way scores point. Readers hold scores in similarity
//! orientation (distances negated on input, `+ 0.0` keeping −0 out) and
//! engines show thresholds back in input units.

use serde::{Deserialize, Serialize};

/// Which way scores point. Engines hold scores in similarity orientation
/// (distances negated on input) and show thresholds back in input units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreSense {
    /// Higher is more alike; accepted when `score >= τ`.
    #[default]
    Similarity,
    /// Lower is more alike; accepted when `d <= τ`.
    Distance,
}

impl ScoreSense {
    /// `Distance` when `distance` is set, else `Similarity`.
    pub fn from_distance(distance: bool) -> ScoreSense {
        if distance {
            ScoreSense::Distance
        } else {
            ScoreSense::Similarity
        }
    }

    /// A score or threshold in input units → similarity orientation.
    #[inline]
    pub fn internal(self, x: f64) -> f64 {
        match self {
            ScoreSense::Similarity => x,
            ScoreSense::Distance => -x + 0.0,
        }
    }

    /// A similarity-oriented threshold → input units.
    #[inline]
    pub fn shown(self, x: f64) -> f64 {
        self.internal(x)
    }

    /// `similarity` or `distance`.
    pub fn name(self) -> &'static str {
        match self {
            ScoreSense::Similarity => "similarity",
            ScoreSense::Distance => "distance",
        }
    }

    /// The acceptance rule in words.
    pub fn acceptance(self) -> &'static str {
        match self {
            ScoreSense::Similarity => "score >= threshold",
            ScoreSense::Distance => "score <= threshold",
        }
    }
}

impl std::fmt::Display for ScoreSense {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
