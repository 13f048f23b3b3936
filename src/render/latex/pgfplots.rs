//! The headline figures as pgfplots code: per attribute, each group's error
//! rates with their intervals at the first operating point (log axis
//! labelled at decades), and for 1:1 the per-group DET curves on probit
//! axes. pgfplots rather than PDF files: the figures take the paper's fonts
//! and sizes and stay vector, and a pure-Rust SVG→PDF path would need font
//! files to set their text (the figures here need none).

use super::escape;
use super::main_table::label;
use crate::counts::table::{ViewAt, ViewResult};
use crate::engine::verify::ViewResult as VerifyView;
use crate::groups::Attribute;
use crate::math::special::normal_quantile;
use crate::render::plot::PALETTE;
use crate::render::svg::file_name;
use crate::report::{Findings, Report};

/// One figure: its file name's part, caption, label and pgfplots code.
pub(crate) struct Pgf {
    /// The file `<stem>-<name>.tikz`: bounded and distinct as the SVG
    /// figures' names are (`det-race-75253995`).
    pub(crate) name: String,
    /// The label, `fig:biasbench-det-race`.
    pub(crate) label: String,
    /// The caption.
    pub(crate) caption: String,
    /// The `tikzpicture`.
    pub(crate) code: String,
}

impl Pgf {
    pub(super) fn new(kind: &str, attribute: &Attribute, caption: String, code: String) -> Pgf {
        Pgf {
            name: file_name(kind, attribute, None),
            label: format!("fig:biasbench-{kind}-{}", label(&attribute.name())),
            caption,
            code,
        }
    }
}

/// The axis box: 74 % of the line, its labels in the rest (the figures fit
/// a single column as well as the page).
pub(super) const AXIS: &str = "width=0.74\\linewidth, scale only axis";

/// Markers told apart in print, in the order groups get them.
const MARKS: [&str; 8] = [
    "*",
    "square*",
    "triangle*",
    "diamond*",
    "o",
    "square",
    "triangle",
    "diamond",
];

/// Group g's style: its colour (the SVG figures' Okabe–Ito palette), its
/// marker and (past eight groups) a dash.
pub(super) fn style(g: usize) -> String {
    let c = PALETTE[g % PALETTE.len()];
    let dash = if g >= MARKS.len() {
        ", densely dashed"
    } else {
        ""
    };
    format!(
        "color={{rgb,255:red,{};green,{};blue,{}}}, mark={}{dash}",
        c.0,
        c.1,
        c.2,
        MARKS[g % MARKS.len()]
    )
}

/// The headline figures of a report.
pub(crate) fn figures(report: &Report) -> Vec<Pgf> {
    let mut out = Vec::new();
    match &report.findings {
        Findings::Verify(v) => {
            for view in v.views.iter().filter(|w| !w.attribute.is_pooled()) {
                out.extend(rates(view, [("fmr", "FMR"), ("fnmr", "FNMR")]));
                out.extend(det(view));
            }
        }
        Findings::Identify(i) => {
            for view in i.views.iter().filter(|w| !w.attribute.is_pooled()) {
                out.extend(rates(view, [("fpir", "FPIR"), ("fnir", "FNIR")]));
            }
        }
        Findings::Classify(c) => {
            for view in c.views.iter().filter(|w| !w.attribute.is_pooled()) {
                out.extend(rates(view, [("fpr", "FPR"), ("fnr", "FNR")]));
            }
        }
        Findings::Estimate(e) => {
            for view in e.views.iter().filter(|w| !w.attribute.is_pooled()) {
                out.extend(rates(
                    view,
                    [
                        ("false_admit", "false admit"),
                        ("false_refusal", "false refusal"),
                    ],
                ));
                out.extend(super::age_pgfplots::figures(view));
            }
        }
        Findings::Summarize(_) => {}
    }
    out
}

/// `10^{k}` decades from `lo` to `hi` (log10), at least two.
fn decades(lo: f64, hi: f64) -> (i32, i32) {
    let a = lo.floor() as i32;
    (a, (hi.ceil() as i32).max(a + 1))
}

/// A number for pgfplots: plain decimal or exponent notation.
fn num(x: f64) -> String {
    format!("{x:e}")
}

/// Each group's two rates with their intervals at the first operating
/// point, side by side per group, on a log axis (zeros left out).
fn rates<C, X, F>(view: &ViewResult<C, X, F>, shown: [(&str, &str); 2]) -> Option<Pgf> {
    let at: &ViewAt<X> = view
        .operating_points
        .iter()
        .find(|a| a.rate(shown[0].0).is_some())?;
    let names: Vec<String> = view.groups.iter().map(|g| escape(&g.group)).collect();
    let mut plots = String::new();
    let mut logs = Vec::new();
    for (k, (metric, heading)) in shown.iter().enumerate() {
        let Some(col) = at.rate(metric) else { continue };
        let offset = if k == 0 { -0.12 } else { 0.12 };
        let mut points = String::new();
        let mut whiskers = String::new();
        for (g, r) in col.by_group.iter().enumerate() {
            if !(r.value > 0.0 && r.value.is_finite()) {
                continue;
            }
            let x = g as f64 + offset;
            points.push_str(&format!("({x}, {})", num(r.value)));
            logs.push(r.value.log10());
            if let Some(ci) = r.ci.filter(|c| c.low > 0.0) {
                whiskers.push_str(&format!(
                    "\\draw[{}] (axis cs:{x},{}) -- (axis cs:{x},{});\n",
                    style(k).split(", mark").next().unwrap_or_default(),
                    num(ci.low),
                    num(ci.high)
                ));
                logs.extend([ci.low.log10(), ci.high.log10()]);
            }
        }
        plots.push_str(&format!(
            "\\addplot[only marks, {}] coordinates {{{points}}};\n\\addlegendentry{{{heading}}}\n{whiskers}",
            style(k)
        ));
    }
    if logs.is_empty() {
        return None;
    }
    let (lo, hi) = logs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let (a, b) = decades(lo, hi);
    let attribute = view.attribute.name();
    let ticks: Vec<String> = (0..names.len()).map(|g| g.to_string()).collect();
    let code = format!(
        "\\begin{{tikzpicture}}\n\\begin{{axis}}[{AXIS}, height=0.45\\linewidth, ymode=log, \
ymin=1e{a}, ymax=1e{b}, xmin=-0.6, xmax={}, xtick={{{}}}, xticklabels={{{}}}, \
x tick label style={{rotate=45, anchor=east, font=\\footnotesize}}, xlabel={{{}}}, ylabel={{rate}}, \
legend style={{at={{(0.5,1.02)}}, anchor=south, legend columns=-1}}, ymajorgrids]\n{plots}\\end{{axis}}\n\\end{{tikzpicture}}\n",
        names.len() as f64 - 0.4,
        ticks.join(","),
        names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(","),
        escape(&attribute),
    );
    let caption = format!(
        "{} and {} by {} at {}, with their intervals (log scale).",
        shown[0].1,
        shown[1].1,
        escape(&attribute),
        escape(&at.policy)
    );
    Some(Pgf::new("rates", &view.attribute, caption, code))
}

/// The normal deviate of a rate, clipped to 1e-9 … 0.5.
fn probit(p: f64) -> f64 {
    normal_quantile(p.clamp(1e-9, 0.5))
}

/// Points of a curve kept for a figure: at most about 200.
const CURVE_POINTS: usize = 200;

/// Per-group DET curves on probit axes labelled at decades.
fn det(view: &VerifyView) -> Option<Pgf> {
    let free = &view.free.threshold_free;
    let shown = |d: &[[f64; 3]]| -> Vec<(f64, f64)> {
        let kept: Vec<&[f64; 3]> = d.iter().filter(|p| p[1] > 0.0 && p[2] > 0.0).collect();
        let step = kept.len().div_ceil(CURVE_POINTS).max(1);
        kept.iter().step_by(step).map(|p| (p[1], p[2])).collect()
    };
    let curves: Vec<Vec<(f64, f64)>> = free.iter().map(|g| shown(&g.det)).collect();
    let all = || curves.iter().flatten();
    let low = |f: fn(&(f64, f64)) -> f64| {
        all()
            .map(f)
            .fold(0.5f64, f64::min)
            .max(1e-9)
            .log10()
            .floor() as i32
    };
    let (xa, ya) = (low(|p| p.0).min(-1), low(|p| p.1).min(-1));
    all().next()?;
    let axis = |a: i32| -> (String, String) {
        let mut ticks: Vec<String> = (a..0)
            .map(|k| format!("{:.4}", probit(10f64.powi(k))))
            .collect();
        ticks.push("0".into());
        let mut labels: Vec<String> = (a..0).map(|k| format!("$10^{{{k}}}$")).collect();
        labels.push("0.5".into());
        (ticks.join(","), labels.join(","))
    };
    let ((xt, xl), (yt, yl)) = (axis(xa), axis(ya));
    let mut plots = String::new();
    for (g, (info, c)) in free.iter().zip(&curves).enumerate() {
        if c.is_empty() {
            continue;
        }
        let pts: String = c
            .iter()
            .map(|&(x, y)| format!("({:.4},{:.4})", probit(x), probit(y)))
            .collect();
        plots.push_str(&format!(
            "\\addplot[{}, mark repeat={}] coordinates {{{pts}}};\n\\addlegendentry{{{}}}\n",
            style(g),
            (c.len() / 6).max(1),
            escape(&info.group)
        ));
    }
    let attribute = view.attribute.name();
    let code = format!(
        "\\begin{{tikzpicture}}\n\\begin{{axis}}[{AXIS}, height=0.7\\linewidth, \
xmin={:.4}, xmax=0, ymin={:.4}, ymax=0, xtick={{{xt}}}, xticklabels={{{xl}}}, ytick={{{yt}}}, \
yticklabels={{{yl}}}, xlabel={{FMR}}, ylabel={{FNMR}}, grid=major, legend pos=south west, \
mark options={{solid}}]\n{plots}\\end{{axis}}\n\\end{{tikzpicture}}\n",
        probit(10f64.powi(xa)),
        probit(10f64.powi(ya)),
    );
    let caption = format!(
        "DET curves by {} (FNMR against FMR, probit axes labelled at decades).",
        escape(&attribute)
    );
    Some(Pgf::new("det", &view.attribute, caption, code))
}
