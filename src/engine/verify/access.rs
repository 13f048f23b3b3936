//! Finding a result by name: a view by its attribute, a group's rate at an
//! operating point by metric and group.

use super::{GroupRates, VerifyResult, ViewResult};
use crate::stats::rate::Rate;

impl VerifyResult {
    /// The view of `attribute`: an attribute's name, `*` for every
    /// comparison pooled, or an intersection such as `race+sex`.
    pub fn view(&self, attribute: &str) -> Option<&ViewResult> {
        self.views.iter().find(|v| v.attribute == attribute)
    }
}

impl ViewResult {
    /// The rate `metric` (`fmr`, `fnmr`, `tmr` or `accuracy`) of `group` at
    /// the operating point of the `policy`-th threshold policy.
    pub fn rate(&self, policy: usize, metric: &str, group: &str) -> Option<&Rate> {
        let at = self.operating_points.get(policy)?;
        let g: &GroupRates = at.groups.iter().find(|g| g.group == group)?;
        match metric {
            "fmr" => Some(&g.fmr),
            "fnmr" => Some(&g.fnmr),
            "tmr" => Some(&g.tmr),
            "accuracy" => Some(&g.accuracy),
            _ => None,
        }
    }
}
