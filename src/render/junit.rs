//! The release gate as JUnit XML, the test report CI systems display: one
//! `testsuite` for the audit, one `testcase` per gate and judged value
//! (group), a `failure` for a failing one and `skipped` for an
//! inconclusive one.

use super::html::escape;
use super::number::short;
use crate::report::gate::{Outcome, Verdicts};

/// JUnit XML of the verdicts (`name`: the suite's name, the audit's task).
pub fn junit(verdicts: &Verdicts, name: &str) -> String {
    let cases: Vec<_> = verdicts
        .gates
        .iter()
        .flat_map(|g| g.values.iter().map(move |j| (g, j)))
        .collect();
    let count = |o: Outcome| cases.iter().filter(|(_, j)| j.outcome == o).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out += &format!(
        "<testsuites name=\"biasbench check\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        cases.len(),
        count(Outcome::Fail),
        count(Outcome::Inconclusive)
    );
    out += &format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
        escape(name),
        cases.len(),
        count(Outcome::Fail),
        count(Outcome::Inconclusive)
    );
    for (g, j) in cases {
        let group = match j.group.as_str() {
            "" => g.gate.attribute.clone(),
            group => format!("{} {group}", g.gate.attribute),
        };
        let detail = format!(
            "{} = {} {} at {}: {} (limit {})",
            g.gate.metric,
            short(j.value),
            j.ci.map_or_else(String::new, |b| format!(
                "[{}, {}]",
                short(b.low),
                short(b.high)
            )),
            j.policy,
            j.why,
            short(j.limit)
        );
        out += &format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            escape(&g.gate.name),
            escape(&group)
        );
        match j.outcome {
            Outcome::Pass => {}
            Outcome::Fail => {
                out += &format!("<failure message=\"{}\"/>", escape(&detail));
            }
            Outcome::Inconclusive => {
                out += &format!("<skipped message=\"{}\"/>", escape(&detail));
            }
        }
        out += "</testcase>\n";
    }
    out += "  </testsuite>\n</testsuites>\n";
    out
}
