//! Figures as self-contained SVG (plotters' SVG backend; texts are plain
//! `<text>` elements, so no system fonts are needed). Figures only draw
//! values the report already holds; they compute no metric.

use crate::counts::table::{self, ViewAt};
use crate::engine::verify::{CrossCell, GroupFree, ViewResult};
use crate::groups::Attribute;
use crate::render::number::displayable;
use crate::render::plot;
use crate::report::{Findings, Report};
use crate::stats::rate::Rate;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One figure: a file-safe name, a title and the SVG document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) svg: String,
}

/// The most bytes of a figure name's readable part.
const SLUG_BYTES: usize = 60;

/// A figure's file name (without `.svg`): a readable slug of its kind,
/// attribute and policy (lower-case letters, digits and single dashes, at
/// most [`SLUG_BYTES`]; the pooled view reads `pooled`), then 8 hex digits of
/// the SHA-256 of the exact texts. Names are bounded and differ whenever the
/// texts do (`Race` and `race`, `race+sex` and `race-sex`), also on a
/// case-insensitive file system.
fn file_name(kind: &str, attribute: &Attribute, policy: Option<&str>) -> String {
    let name = attribute.name();
    let readable = if attribute.is_pooled() {
        "pooled"
    } else {
        &name
    };
    let mut slug = String::new();
    for c in [kind, readable, policy.unwrap_or_default()]
        .join("-")
        .chars()
    {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(SLUG_BYTES);
    let exact = [kind, &name, policy.unwrap_or_default()].join("\0");
    let hash: String = Sha256::digest(exact.as_bytes())[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}-{hash}", slug.trim_end_matches('-'))
}

/// Makes the names of `figures` unique (a repeated name gets `-2`, `-3`, …),
/// so that no figure file overwrites another.
fn unique_names(figures: &mut [Figure]) {
    let mut seen = std::collections::HashSet::new();
    for f in figures {
        let base = f.name.clone();
        for k in 2.. {
            if seen.insert(f.name.clone()) {
                break;
            }
            f.name = format!("{base}-{k}");
        }
    }
}

/// The figures of a report.
pub(crate) fn figures(report: &Report) -> Vec<Figure> {
    let mut out = Vec::new();
    match &report.findings {
        Findings::Verify(v) => {
            for view in v.views.iter().filter(|w| !w.attribute.is_pooled()) {
                if let Some(at) = view.operating_points.first() {
                    out.extend(bars(view, at, &[("fmr", "FMR"), ("fnmr", "FNMR")], true));
                }
                if let Some(f) = heat_map(view) {
                    out.push(f);
                }
                out.push(det(view));
                out.push(histograms(view));
                let det: Vec<(String, &[[f64; 3]])> = view
                    .free
                    .threshold_free
                    .iter()
                    .map(|g| (g.group.clone(), &g.det[..]))
                    .collect();
                out.extend(threshold_figures(
                    &view.attribute,
                    &det,
                    [(1, "FMR"), (2, "FNMR")],
                ));
            }
        }
        Findings::Classify(c) => {
            let rates = [
                ("fpr", "fpr"),
                ("fnr", "fnr"),
                ("selection_rate", "selection_rate"),
                ("error_rate", "error_rate"),
            ];
            for view in c.views.iter().filter(|w| !w.attribute.is_pooled()) {
                for at in &view.operating_points {
                    out.extend(bars(view, at, &rates, false));
                }
            }
        }
        Findings::Identify(i) => {
            for view in &i.views {
                let series: Vec<(String, Vec<(f64, f64)>)> = view
                    .groups
                    .iter()
                    .zip(&view.free.cmc)
                    .map(|(g, c)| {
                        (
                            g.group.clone(),
                            c.iter()
                                .enumerate()
                                .map(|(r, x)| ((r + 1) as f64, x.value))
                                .filter(|p| p.1.is_finite())
                                .collect(),
                        )
                    })
                    .collect();
                let at_thresholds: Vec<(String, &[[f64; 3]])> = view
                    .groups
                    .iter()
                    .zip(&view.free.curves)
                    .map(|(g, c)| (g.group.clone(), &c[..]))
                    .collect();
                out.extend(threshold_figures(
                    &view.attribute,
                    &at_thresholds,
                    [(1, "FPIR"), (2, "FNIR (rank 1)")],
                ));
                let title = format!("CMC by {}", view.attribute);
                out.push(Figure {
                    svg: curves(&title, "rank", "identification rate", &series, false),
                    name: file_name("cmc", &view.attribute, None),
                    title,
                });
            }
        }
        Findings::Summarize(_) => {}
    }
    unique_names(&mut out);
    out
}

/// Bars with interval whiskers of rate columns (metric, label) of a view at
/// one operating point; `with_policy` names the policy in titles and files.
fn bars<C, X, F>(
    view: &table::ViewResult<C, X, F>,
    at: &ViewAt<X>,
    rates: &[(&str, &str)],
    with_policy: bool,
) -> Vec<Figure> {
    rates
        .iter()
        .filter_map(|&(metric, label)| {
            let col = at.rate(metric)?;
            let values: Vec<(String, Rate)> = view
                .groups
                .iter()
                .zip(&col.by_group)
                .map(|(g, r)| (g.group.clone(), r.clone()))
                .collect();
            let title = if with_policy {
                format!(
                    "{label} by {} at {} (95% intervals)",
                    view.attribute, at.policy
                )
            } else {
                format!("{label} by {} (95% intervals)", view.attribute)
            };
            let name = file_name(label, &view.attribute, with_policy.then_some(&*at.policy));
            Some(Figure {
                svg: whiskers(&title, label, &values),
                name,
                title,
            })
        })
        .collect()
}

/// Two rates against threshold (log scale) from per-group points
/// [threshold, rate₁, rate₂]: one figure per rate.
fn threshold_figures(
    attribute: &Attribute,
    groups: &[(String, &[[f64; 3]])],
    rates: [(usize, &str); 2],
) -> Vec<Figure> {
    rates
        .iter()
        .map(|&(k, rate)| {
            let series: Vec<(String, Vec<(f64, f64)>)> = groups
                .iter()
                .map(|(g, pts)| {
                    (
                        g.clone(),
                        pts.iter()
                            .filter(|p| p[k] > 0.0)
                            .map(|p| (p[0], p[k]))
                            .collect(),
                    )
                })
                .collect();
            let title = format!("{rate} against threshold by {attribute}");
            let svg = curves(
                &title,
                "threshold",
                &format!("{rate} (log scale)"),
                &series,
                true,
            );
            Figure {
                name: file_name(&format!("{rate}-threshold"), attribute, None),
                title,
                svg,
            }
        })
        .collect()
}

/// Lines, one per group, in grey levels with a legend; `log_y` draws the y
/// axis on a log scale (values ≤ 0 are left out).
pub(crate) fn curves(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, f64)>)],
    log_y: bool,
) -> String {
    let kept = |p: &&(f64, f64)| !log_y || p.1 > 0.0;
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in series.iter().flat_map(|s| s.1.iter()).filter(kept) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 1e-3, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    plot::document((640, 420), |root| {
        let mut builder = plot::framed(root, title, 15, 15, (40, 70));
        macro_rules! draw {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .x_desc(x_desc)
                    .y_desc(y_desc)
                    .y_label_formatter(&|y| crate::render::number::short(*y))
                    .draw()
                    .expect("mesh");
                for (g, (name, points)) in series.iter().enumerate() {
                    let points: Vec<(f64, f64)> = points.iter().filter(kept).copied().collect();
                    plot::keyed_line(&mut chart, points, plot::grey(g, series.len()), name, 16);
                }
                plot::legend(&mut chart.configure_series_labels());
            }};
        }
        if log_y {
            draw!(builder
                .build_cartesian_2d(x0..x1, (y0.max(1e-12)..y1.max(y0 * 10.0)).log_scale())
                .expect("chart"));
        } else {
            draw!(builder
                .build_cartesian_2d(x0..x1, 0f64..y1.max(1e-9) * 1.05)
                .expect("chart"));
        }
    })
}

/// Group names on an axis of positions 0, 1, … (ticks at whole numbers).
fn group_label(names: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-9 && i >= 0.0 {
        names
            .get(i as usize)
            .map_or_else(String::new, |n| displayable(n).into_owned())
    } else {
        String::new()
    }
}

/// Per-group rates as points with interval whiskers, on a log scale (zeros
/// sit on the floor of the axis, drawn hollow).
pub(crate) fn whiskers(title: &str, rate: &str, values: &[(String, Rate)]) -> String {
    let lows = values.iter().filter_map(|(_, r)| {
        r.ci.map(|c| c.low)
            .filter(|x| *x > 0.0)
            .or(Some(r.value).filter(|x| *x > 0.0))
    });
    let floor = lows.fold(f64::INFINITY, f64::min).min(1.0) / 3.0;
    let floor = if floor.is_finite() { floor } else { 1e-6 };
    let top = values
        .iter()
        .filter_map(|(_, r)| r.ci.map(|c| c.high).or(Some(r.value)))
        .filter(|x| x.is_finite())
        .fold(floor * 10.0, f64::max)
        * 1.5;
    let names: Vec<String> = values.iter().map(|v| v.0.clone()).collect();
    let n = values.len() as f64;
    let width = 160 + 70 * values.len() as u32;
    plot::document((width.max(420), 320), |root| {
        let mut chart = plot::framed(root, title, 15, 10, (40, 80))
            .build_cartesian_2d(
                -0.5..n - 0.5,
                (floor..top.min(1.0).max(floor * 2.0)).log_scale(),
            )
            .expect("chart");
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(values.len().max(2))
            .y_labels(6)
            .x_desc("group")
            .y_desc(format!("{rate} (log scale)"))
            .x_label_formatter(&|x| group_label(&names, *x))
            .y_label_formatter(&|y| crate::render::number::short(*y))
            .draw()
            .expect("mesh");
        for (i, (_, r)) in values.iter().enumerate() {
            let x = i as f64;
            if let Some(c) = r.ci {
                let (lo, hi) = (c.low.max(floor), c.high.max(floor));
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, hi)],
                        BLACK.stroke_width(2),
                    )))
                    .expect("whisker");
            }
            if r.value.is_finite() {
                let style = if r.value > 0.0 {
                    BLACK.filled()
                } else {
                    BLACK.stroke_width(2)
                };
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (x, r.value.max(floor)),
                        5,
                        style,
                    )))
                    .expect("point");
            }
        }
    })
}

/// Most groups a heat map shows.
const HEAT_MAP_GROUPS: usize = 30;

/// The cross-group FMR of a view at its first global threshold, as a
/// grey-scale heat map of log10 FMR clipped at −6 (darker = higher), with
/// its scale; light red marks pairs without comparisons. Beyond
/// [`HEAT_MAP_GROUPS`] groups it shows those with the most non-mated
/// comparisons, and its title says so.
pub(crate) fn heat_map(view: &ViewResult) -> Option<Figure> {
    let at = view
        .operating_points
        .iter()
        .find(|a| a.extra.cross_fmr.is_some())?;
    let cells = at.extra.cross_fmr.as_ref()?;
    let shown = heat_groups(view, cells);
    let mut title = format!(
        "Cross-group FMR by {} at {} (log10, clipped at -6)",
        view.attribute, at.policy
    );
    if shown.len() < view.groups.len() {
        title.push_str(&format!(
            ": the {} of {} groups with the most non-mated comparisons; all {} pairs with comparisons are in the JSON and CSV reports",
            shown.len(),
            view.groups.len(),
            cells.len()
        ));
    }
    let side = 60 * shown.len() as u32;
    let svg = plot::document((side + 300, side + 130), |root| {
        let (main, scale) = root.split_horizontally(side + 170);
        heat_cells(&main, &title, &shown, cells);
        heat_scale(&scale);
    });
    Some(Figure {
        name: file_name("cross-fmr", &view.attribute, Some(&at.policy)),
        title,
        svg,
    })
}

/// The groups a heat map shows, in view order: all, or the
/// [`HEAT_MAP_GROUPS`] with the most non-mated comparisons in `cells`
/// (earlier groups first on ties).
fn heat_groups(view: &ViewResult, cells: &[CrossCell]) -> Vec<String> {
    let names: Vec<&str> = view.groups.iter().map(|g| g.group.as_str()).collect();
    if names.len() <= HEAT_MAP_GROUPS {
        return names.iter().map(|g| g.to_string()).collect();
    }
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    let mut weight = vec![0.0; names.len()];
    for c in cells {
        let mut add = |g: &str| {
            if let Some(&i) = index.get(g) {
                weight[i] += c.fmr.trials;
            }
        };
        add(&c.a);
        if c.b != c.a {
            add(&c.b);
        }
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&x, &y| weight[y].total_cmp(&weight[x]).then(x.cmp(&y)));
    order.truncate(HEAT_MAP_GROUPS);
    order.sort_unstable();
    order.iter().map(|&g| names[g].to_string()).collect()
}

/// log10 of an FMR clipped to [−6, 0]; an FMR of zero sits at −6.
fn fmr_level(v: f64) -> f64 {
    if v > 0.0 {
        v.log10().clamp(-6.0, 0.0)
    } else {
        -6.0
    }
}

/// The grey of a log10 FMR level: 0 is black, −6 white.
fn level_shade(l: f64) -> RGBColor {
    let g = (255.0 * (-l / 6.0)) as u8;
    RGBColor(g, g, g)
}

/// The heat map's cells, one per pair of the `shown` groups (light red: no comparisons).
fn heat_cells(area: &plot::Area<'_>, title: &str, shown: &[String], cells: &[CrossCell]) {
    let n = shown.len();
    let index: HashMap<&str, usize> = shown
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let mut fmr: Vec<Option<&Rate>> = vec![None; n * n];
    for c in cells {
        if let (Some(&i), Some(&j)) = (index.get(c.a.as_str()), index.get(c.b.as_str())) {
            fmr[i * n + j] = Some(&c.fmr);
            fmr[j * n + i] = Some(&c.fmr);
        }
    }
    let mut chart = plot::framed(area, title, 14, 10, (40, 100))
        .build_cartesian_2d(-0.5..n as f64 - 0.5, -0.5..n as f64 - 0.5)
        .expect("chart");
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(n.max(2))
        .y_labels(n.max(2))
        .x_desc("group b")
        .y_desc("group a")
        .x_label_formatter(&|x| group_label(shown, *x))
        .y_label_formatter(&|y| group_label(shown, *y))
        .draw()
        .expect("mesh");
    for (k, r) in fmr.iter().enumerate() {
        let style = match r {
            Some(r) if r.trials > 0.0 => level_shade(fmr_level(r.value)).filled(),
            _ => RGBColor(240, 200, 200).filled(),
        };
        let (x, y) = ((k % n) as f64, (k / n) as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                style,
            )))
            .expect("cell");
    }
}

/// The heat map's scale: 60 shades from log10 FMR −6 up to 0.
fn heat_scale(area: &plot::Area<'_>) {
    let mut scale = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(40)
        .margin_right(20)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1f64, -6f64..0f64)
        .expect("scale");
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(7)
        .y_desc("log10 FMR")
        .draw()
        .expect("scale mesh");
    for k in 0..60 {
        let l = -6.0 + k as f64 * 0.1;
        scale
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, l), (1.0, l + 0.1)],
                level_shade(l + 0.05).filled(),
            )))
            .expect("scale cell");
    }
}

/// A chart on linear f64 axes drawn into an SVG string.
type LinearChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The rates at the ends of the DET axes.
const DET_ENDS: (f64, f64) = (1e-6, 0.5);

/// The normal deviate of a rate clipped to the DET axes.
fn probit(p: f64) -> f64 {
    crate::math::special::normal_quantile(p.clamp(DET_ENDS.0, DET_ENDS.1))
}

/// Per-group DET curves on normal-deviate (probit) axes with decade ticks,
/// as NIST draws them, with each group's operating points at the first
/// two policies marked.
pub(crate) fn det(view: &ViewResult) -> Figure {
    let title = format!("DET by {} (probit axes)", view.attribute);
    let svg = plot::document((640, 520), |root| {
        let range = probit(DET_ENDS.0)..probit(DET_ENDS.1);
        let mut chart = plot::framed(root, &title, 15, 15, (45, 60))
            .build_cartesian_2d(range.clone(), range)
            .expect("chart");
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc("FMR")
            .y_desc("FNMR")
            .draw()
            .expect("mesh");
        det_ticks(&mut chart);
        let n = view.free.threshold_free.len();
        for (g, free) in view.free.threshold_free.iter().enumerate() {
            det_group(&mut chart, view, g, free, plot::grey(g, n));
        }
        plot::legend(&mut chart.configure_series_labels());
    });
    Figure {
        name: file_name("det", &view.attribute, None),
        title,
        svg,
    }
}

/// A DET tick label: `1e-k` at a decade, `0.5` at the top.
fn decade_label(p: f64) -> String {
    if p == 0.5 {
        "0.5".to_string()
    } else {
        format!("1e{}", p.log10().round())
    }
}

/// Decade ticks: light grid lines and labels at 1e-6 … 1e-1 and 0.5.
fn det_ticks(chart: &mut LinearChart<'_, '_>) {
    let grid = RGBColor(220, 220, 220);
    let (a, b) = (probit(DET_ENDS.0), probit(DET_ENDS.1));
    for p in [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5] {
        let q = probit(p);
        for line in [vec![(q, a), (q, b)], vec![(a, q), (b, q)]] {
            chart
                .draw_series(std::iter::once(PathElement::new(line, grid)))
                .expect("grid");
        }
        // The corner is labelled once, on the x axis.
        let y_label = (p > DET_ENDS.0).then_some((a - 0.45, q));
        for at in std::iter::once((q, a - 0.12)).chain(y_label) {
            chart
                .draw_series(std::iter::once(Text::new(
                    decade_label(p),
                    at,
                    ("sans-serif", 11).into_font(),
                )))
                .expect("tick");
        }
    }
}

/// Group `g`'s DET curve, in the legend, with its first two operating points.
fn det_group<'a, 'b: 'a>(
    chart: &mut LinearChart<'a, 'b>,
    view: &ViewResult,
    g: usize,
    free: &GroupFree,
    colour: RGBColor,
) {
    let points: Vec<(f64, f64)> = free
        .det
        .iter()
        .filter(|p| p[1] > 0.0 && p[2] > 0.0)
        .map(|p| (probit(p[1]), probit(p[2])))
        .collect();
    plot::keyed_line(chart, points, colour, &free.group, 16);
    for at in view.operating_points.iter().take(2) {
        let rate = |m: &str| at.rate(m).and_then(|c| c.by_group.get(g)).map(|r| r.value);
        if let (Some(fmr), Some(fnmr)) = (rate("fmr"), rate("fnmr")) {
            if fmr > 0.0 && fnmr > 0.0 {
                let pt = (probit(fmr), probit(fnmr));
                chart
                    .draw_series(std::iter::once(Circle::new(pt, 4, colour.filled())))
                    .expect("operating point");
            }
        }
    }
}

/// Per-group score histograms of mated (dark) and non-mated (light)
/// comparisons as densities (count / (total · bin width)), one panel per group.
pub(crate) fn histograms(view: &ViewResult) -> Figure {
    let title = format!(
        "Score densities by {} (mated dark, non-mated light)",
        view.attribute
    );
    let n = view.free.threshold_free.len().max(1);
    let cols = n.min(4);
    let rows = n.div_ceil(cols);
    let size = (300 * cols as u32, 40 + 230 * rows as u32);
    let svg = plot::document(size, |root| {
        let root = root
            .titled(&displayable(&title), ("sans-serif", 15))
            .expect("title");
        for (panel, free) in root
            .split_evenly((rows, cols))
            .iter()
            .zip(&view.free.threshold_free)
        {
            score_panel(panel, free);
        }
    });
    Figure {
        name: file_name("scores", &view.attribute, None),
        title,
        svg,
    }
}

/// Bin counts as a step line of densities, count / (total · bin width).
fn density_steps(edges: &[f64], counts: &[f64]) -> Vec<(f64, f64)> {
    let total: f64 = counts.iter().sum();
    let mut out = Vec::new();
    for (b, &c) in counts.iter().enumerate() {
        let (x0, x1) = (edges[b], edges[b + 1]);
        let d = if total > 0.0 && x1 > x0 {
            c / (total * (x1 - x0))
        } else {
            0.0
        };
        out.push((x0, d));
        out.push((x1, d));
    }
    out
}

/// One group's panel: its mated and non-mated score densities, with a legend.
fn score_panel(panel: &plot::Area<'_>, free: &GroupFree) {
    let h = &free.histogram;
    let (mated, nonmated) = (
        density_steps(&h.edges, &h.mated),
        density_steps(&h.edges, &h.nonmated),
    );
    let x0 = h.edges.first().copied().unwrap_or(0.0);
    let x1 = h.edges.last().copied().unwrap_or(1.0).max(x0 + 1e-9);
    let top = mated
        .iter()
        .chain(&nonmated)
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(1e-9, f64::max)
        * 1.1;
    let mut chart = plot::framed(panel, &free.group, 12, 8, (30, 40))
        .build_cartesian_2d(x0..x1, 0f64..top)
        .expect("panel");
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("score")
        .y_desc("density")
        .x_labels(4)
        .y_labels(4)
        .draw()
        .expect("mesh");
    for (points, colour, label) in [
        (mated, RGBColor(20, 20, 20), "mated"),
        (nonmated, RGBColor(160, 160, 160), "non-mated"),
    ] {
        plot::keyed_line(&mut chart, points, colour, label, 14);
    }
    plot::legend(
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 9)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(a: &str) -> Attribute {
        Attribute::One(a.into())
    }

    #[test]
    fn figure_names_are_readable_bounded_and_distinct() {
        // The hash is that of `sha256sum` over "cmc\0race\0" (and "cmc\0*\0").
        assert_eq!(file_name("cmc", &one("race"), None), "cmc-race-28b64c6a");
        assert_eq!(
            file_name("cmc", &Attribute::Pooled, None),
            "cmc-pooled-e6b95b1f"
        );
        let both = Attribute::Intersection(vec!["race".into(), "sex".into()]);
        assert_eq!(
            file_name("FMR", &both, Some("global-fmr:1e-2")),
            "fmr-race-sex-global-fmr-1e-2-009e3c50"
        );
        let names = [
            file_name("det", &one("Race"), None),
            file_name("det", &one("race"), None),
            file_name("det", &one("race-sex"), None),
            file_name("det", &both, None),
            file_name("det", &one("pooled"), None),
            file_name("det", &Attribute::Pooled, None),
            file_name("det", &one(&"a".repeat(300)), None),
            file_name("det", &one(&"a".repeat(301)), None),
        ];
        let folded: std::collections::HashSet<String> =
            names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(folded.len(), names.len(), "{names:?}");
        for n in &names {
            assert!(n.len() <= SLUG_BYTES + 9, "{n}");
            assert!(!n.contains("--") && !n.starts_with('-'), "{n}");
        }
        let odd = file_name("FNIR (rank 1)-threshold", &one("\u{1b}<é>/.."), None);
        assert!(odd.starts_with("fnir-rank-1-threshold-"), "{odd}");
        assert!(odd
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    }

    #[test]
    fn control_characters_leave_the_svg_well_formed() {
        let name = "\u{1b}[31m<b>\0&\r\n\u{85}".to_string();
        let series = vec![(name.clone(), vec![(0.0, 0.5), (1.0, 0.7)])];
        let svgs = [
            curves(&name, "x", "y", &series, false),
            whiskers(
                &name,
                "FMR",
                &[(name.clone(), Rate::new(1, 10, Default::default()))],
            ),
        ];
        for svg in svgs {
            roxmltree::Document::parse(&svg).unwrap();
            assert!(svg.contains("\\u{1b}[31m&lt;b&gt;\\u{0}&amp;\\u{d}\\u{a}\\u{85}"));
        }
    }

    #[test]
    fn repeated_names_are_numbered() {
        let fig = |n: &str| Figure {
            name: n.into(),
            title: String::new(),
            svg: String::new(),
        };
        let mut figs = vec![fig("a"), fig("b"), fig("a"), fig("a"), fig("a-2")];
        unique_names(&mut figs);
        let names: Vec<&str> = figs.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "a-2", "a-3", "a-2-2"]);
    }
}
