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
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One figure: a file-safe name, a title and the SVG document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    pub(crate) name: String,
    pub(crate) title: String,
    /// The attribute whose groups it shows (its name, `*` for the pooled view).
    pub(crate) attribute: String,
    pub(crate) svg: String,
}

impl Figure {
    /// Its file name beside a report written as `<stem>.<ext>`: `<stem>-<name>.svg`.
    pub(crate) fn file(&self, stem: &str) -> String {
        format!("{stem}-{}.svg", self.name)
    }
}

/// The most bytes of a figure name's readable part.
const SLUG_BYTES: usize = 60;

/// A figure's file name (without `.svg`): a readable slug of its kind,
/// attribute and policy (lower-case letters, digits and single dashes, at
/// most [`SLUG_BYTES`]; the pooled view reads `pooled`), then 8 hex digits of
/// the SHA-256 of the exact texts. Names are bounded and differ whenever the
/// texts do (`Race` and `race`, `race+sex` and `race-sex`), also on a
/// case-insensitive file system.
pub(super) fn file_name(kind: &str, attribute: &Attribute, policy: Option<&str>) -> String {
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
    let mut out = super::paired_figures::figures(report);
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
                    attribute: view.attribute.name(),
                });
            }
        }
        Findings::Estimate(e) => out.extend(super::age_figures::figures(e)),
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
                attribute: view.attribute.name(),
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
                attribute: attribute.name(),
                svg,
            }
        })
        .collect()
}

/// The (name, look) of each group, in order.
pub(super) fn looks<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<(String, plot::Look)> {
    names
        .into_iter()
        .enumerate()
        .map(|(g, n)| (n.clone(), plot::look(g)))
        .collect()
}

/// Lines, one per group in its own colour, marker and dash, with the legend
/// beside the chart; `log_y` draws the y axis on a log scale labelled at
/// whole decades (values ≤ 0 are left out).
pub(crate) fn curves(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, f64)>)],
    log_y: bool,
) -> String {
    let shown: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|(_, pts)| {
            pts.iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite() && (!log_y || p.1 > 0.0))
                .map(|&(x, y)| (x, if log_y { y.log10() } else { y }))
                .collect()
        })
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in shown.iter().flatten() {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, -3.0, 0.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let looks = looks(series.iter().map(|s| &s.0));
    let height = plot::legend_height(series.len()).max(440);
    plot::document((plot::width_for(title, &looks, 780), height), |root| {
        let area = plot::beside_legend(root, &looks);
        let builder = plot::framed(&area, title, plot::TITLE, 15, (45, 75));
        if log_y {
            let (a, b) = plot::decades(y0, y1);
            let y = plot::log_axis((a, b));
            draw_curves(
                builder,
                x0..x1,
                y,
                &plot::decade_label,
                (x_desc, y_desc),
                &shown,
                &looks,
            );
        } else {
            let y: RangedCoordf64 = (0f64..y1.max(1e-9) * 1.05).into();
            let label = |y: &f64| crate::render::number::short(*y);
            draw_curves(builder, x0..x1, y, &label, (x_desc, y_desc), &shown, &looks);
        }
    })
}

/// The chart of [`curves`] on a y axis `y` labelled by `y_label`.
fn draw_curves<Y>(
    mut builder: ChartBuilder<'_, '_, SVGBackend<'_>>,
    x: std::ops::Range<f64>,
    y: Y,
    y_label: &dyn Fn(&f64) -> String,
    (x_desc, y_desc): (&str, &str),
    series: &[Vec<(f64, f64)>],
    looks: &[(String, plot::Look)],
) where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut chart = builder.build_cartesian_2d(x, y).expect("chart");
    plot::readable(
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .y_label_formatter(y_label),
    )
    .draw()
    .expect("mesh");
    for (points, (_, look)) in series.iter().zip(looks) {
        plot::curve(&chart, points, *look, 6);
    }
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

/// Per-group rates as points with interval whiskers, each group in its own
/// colour and marker, on a log scale labelled at whole decades (zeros sit
/// on the floor of the axis, marked `0`).
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
        .min(1.0);
    let (a, b) = plot::decades(floor.log10(), top.log10());
    let floor = f64::from(a);
    let names: Vec<String> = values.iter().map(|v| v.0.clone()).collect();
    let looks = looks(&names);
    let n = values.len();
    let width = (170 + 70 * n as u32).max(plot::text_px(title, plot::TITLE) + 40);
    plot::document((width.max(440), 340), |root| {
        let x = plot::keyed_axis(-0.5..n as f64 - 0.5, (0..n).map(|i| i as f64).collect());
        let mut chart = plot::framed(root, title, plot::TITLE, 10, (45, 75))
            .build_cartesian_2d(x, plot::log_axis((a, b)))
            .expect("chart");
        plot::readable(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("group")
                .y_desc(format!("{rate} (log scale)"))
                .x_label_formatter(&|x| group_label(&names, *x))
                .y_label_formatter(&plot::decade_label),
        )
        .draw()
        .expect("mesh");
        let area = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let at = |x: f64, y: f64| {
            let (px, py) = chart.backend_coord(&(x, y.max(floor)));
            (px - base.0, py - base.1)
        };
        for (i, ((_, r), (_, look))) in values.iter().zip(&looks).enumerate() {
            let x = i as f64;
            if let Some(c) = r.ci {
                let ends = [c.low, c.high].map(|v| if v > 0.0 { v.log10() } else { floor });
                area.draw(&PathElement::new(
                    vec![at(x, ends[0]), at(x, ends[1])],
                    look.colour.stroke_width(2),
                ))
                .expect("whisker");
            }
            if r.value.is_finite() {
                let p = at(
                    x,
                    if r.value > 0.0 {
                        r.value.log10()
                    } else {
                        floor
                    },
                );
                plot::markers(&area, [p], *look);
                if r.value <= 0.0 {
                    area.draw(&Text::new(
                        "0",
                        (p.0 + 8, p.1 - 14),
                        ("sans-serif", plot::FONT).into_font(),
                    ))
                    .expect("zero");
                }
            }
        }
    })
}

/// Most groups a heat map shows.
const HEAT_MAP_GROUPS: usize = 30;

/// A heat map cell's side, px.
const CELL: u32 = 72;

/// The cross-group FMR of a view at its first global threshold, as a heat
/// map of log10 FMR clipped at 10⁻⁶ (viridis, darker = higher) with its
/// scale; cells with no false match are hatched and read `0 of n`, pairs
/// without comparisons read `none`. Beyond [`HEAT_MAP_GROUPS`] groups it
/// shows those with the most non-mated comparisons, and says so.
pub(crate) fn heat_map(view: &ViewResult) -> Option<Figure> {
    let at = view
        .operating_points
        .iter()
        .find(|a| a.extra.cross_fmr.is_some())?;
    let cells = at.extra.cross_fmr.as_ref()?;
    let shown = heat_groups(view, cells);
    let mut title = format!(
        "Cross-group FMR by {} at {} (log scale, clipped at 1e-6)",
        view.attribute, at.policy
    );
    let note = (shown.len() < view.groups.len()).then(|| {
        format!(
            "the {} of {} groups with the most non-mated comparisons; all {} pairs with comparisons are in the JSON and CSV reports",
            shown.len(),
            view.groups.len(),
            cells.len()
        )
    });
    let side = CELL * shown.len() as u32;
    let text_px = |t: &str, font| plot::text_px(t, font) + 40;
    let widest = shown
        .iter()
        .map(|g| plot::text_px(&displayable(g), plot::FONT))
        .max();
    let label_w = 45 + widest.unwrap_or(0);
    let main_w = side + label_w + 30;
    let width = (main_w + 180)
        .max(text_px(&title, plot::TITLE))
        .max(note.as_deref().map_or(0, |n| text_px(n, plot::FONT)));
    let svg = plot::document((width, side.max(260) + 170), |root| {
        let mut area = root
            .titled(&displayable(&title), ("sans-serif", plot::TITLE))
            .expect("title");
        if let Some(note) = &note {
            area = area
                .titled(&displayable(note), ("sans-serif", plot::FONT))
                .expect("note");
        }
        let (main, scale) = area.split_horizontally(main_w);
        heat_cells(&main, &shown, cells, label_w);
        heat_scale(&scale);
    });
    if let Some(note) = note {
        title = format!("{title}: {note}");
    }
    Some(Figure {
        name: file_name("cross-fmr", &view.attribute, Some(&at.policy)),
        title,
        attribute: view.attribute.name(),
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

/// Viridis at 0, ¼, ½, ¾ and 1 (light yellow to dark purple when reversed).
const VIRIDIS: [(f64, f64, f64); 5] = [
    (68.0, 1.0, 84.0),
    (59.0, 82.0, 139.0),
    (33.0, 145.0, 140.0),
    (94.0, 201.0, 98.0),
    (253.0, 231.0, 37.0),
];

/// The colour of a log10 FMR level: viridis from light yellow (−6) to dark
/// purple (0), so that lightness falls with the rate in greyscale too.
fn level_shade(l: f64) -> RGBColor {
    let t = (-l / 6.0).clamp(0.0, 1.0) * 4.0;
    let k = (t.floor() as usize).min(3);
    let f = t - k as f64;
    let (a, b) = (VIRIDIS[k], VIRIDIS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The fill of pairs without comparisons.
const NO_PAIRS: RGBColor = RGBColor(225, 225, 225);

/// Hatches the backend rectangle `[a, b]` with diagonal grey lines.
fn hatch(area: &plot::Area<'_>, a: (i32, i32), b: (i32, i32)) {
    area.draw(&Rectangle::new([a, b], WHITE.filled()))
        .expect("cell");
    let grey = RGBColor(150, 150, 150);
    let (w, h) = (b.0 - a.0, b.1 - a.1);
    for k in (-h..w).step_by(8) {
        // The segment of x − y = k (relative to `a`) inside the rectangle.
        let (x0, y0) = (k.max(0), (-k).max(0));
        let len = (w - x0).min(h - y0);
        if len > 0 {
            area.draw(&PathElement::new(
                vec![(a.0 + x0, a.1 + y0), (a.0 + x0 + len, a.1 + y0 + len)],
                grey,
            ))
            .expect("hatch");
        }
    }
}

/// The heat map's cells, one per pair of the `shown` groups.
fn heat_cells(area: &plot::Area<'_>, shown: &[String], cells: &[CrossCell], label_w: u32) {
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
    let keys = || (0..n).map(|i| i as f64).collect::<Vec<_>>();
    let range = -0.5..n as f64 - 0.5;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(45)
        .y_label_area_size(label_w)
        .build_cartesian_2d(
            plot::keyed_axis(range.clone(), keys()),
            plot::keyed_axis(range, keys()),
        )
        .expect("chart");
    plot::readable(
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("group b")
            .y_desc("group a")
            .x_label_formatter(&|x| group_label(shown, *x))
            .y_label_formatter(&|y| group_label(shown, *y)),
    )
    .draw()
    .expect("mesh");
    let plotting = chart.plotting_area().strip_coord_spec();
    let base = chart.plotting_area().get_base_pixel();
    let font = plot::anchored(HPos::Center);
    for (k, r) in fmr.iter().enumerate() {
        let (x, y) = ((k % n) as f64, (k / n) as f64);
        let corner = |dx: f64, dy: f64| {
            let (px, py) = chart.backend_coord(&(x + dx, y + dy));
            (px - base.0, py - base.1)
        };
        let (a, b) = (corner(-0.5, 0.5), corner(0.5, -0.5));
        let label = match r {
            Some(r) if r.trials > 0.0 && r.value > 0.0 => {
                plotting
                    .draw(&Rectangle::new(
                        [a, b],
                        level_shade(fmr_level(r.value)).filled(),
                    ))
                    .expect("cell");
                None
            }
            Some(r) if r.trials > 0.0 => {
                hatch(&plotting, a, b);
                Some(format!("0 of {}", crate::render::number::short(r.trials)))
            }
            _ => {
                plotting
                    .draw(&Rectangle::new([a, b], NO_PAIRS.filled()))
                    .expect("cell");
                Some("none".to_string())
            }
        };
        if let Some(label) = label {
            let centre = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
            plotting
                .draw(&Text::new(label, centre, font.clone()))
                .expect("cell label");
        }
    }
}

/// The heat map's scale (60 shades from 10⁻⁶ up to 1, labelled at decades)
/// and the keys of the hatched and the grey cells below it.
fn heat_scale(area: &plot::Area<'_>) {
    let (w, h) = area.dim_in_pixel();
    let mut scale = ChartBuilder::on(area)
        .margin_top(20)
        .margin_bottom(80)
        .margin_right(w.saturating_sub(120))
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..1f64, plot::log_axis((-6, 0)))
        .expect("scale");
    plot::readable(
        scale
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc("FMR")
            .y_label_formatter(&plot::decade_label),
    )
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
    let font = plot::anchored(HPos::Left);
    let y = h as i32 - 60;
    hatch(area, (10, y - 9), (28, y + 9));
    area.draw(&Rectangle::new(
        [(10, y + 16), (28, y + 34)],
        NO_PAIRS.filled(),
    ))
    .expect("key");
    for (dy, text) in [(0, "0 errors"), (25, "no comparisons")] {
        area.draw(&Text::new(text, (34, y + dy), font.clone()))
            .expect("key");
    }
}

/// The DET axes' lowest rate.
const DET_FLOOR: f64 = 1e-8;

/// A DET axis from the decade below the smallest of `rates` (> 0) up to
/// 0.5: its ends (as rates) and its key points (normal deviates, labels).
fn det_axis(rates: impl Iterator<Item = f64>) -> ((f64, f64), Vec<(f64, String)>) {
    let low = rates
        .filter(|r| *r > 0.0)
        .fold(0.5f64, f64::min)
        .max(DET_FLOOR);
    let (a, _) = plot::decades(low.log10(), low.log10());
    let a = a.min(-1);
    let mut keys: Vec<(f64, String)> = (a..0)
        .map(|k| (probit(10f64.powi(k), 0.0), plot::power_of_ten(k)))
        .collect();
    keys.push((0.0, "0.5".into()));
    ((10f64.powi(a), 0.5), keys)
}

/// The normal deviate of a rate, clipped to `low` … 0.5.
fn probit(p: f64, low: f64) -> f64 {
    crate::math::special::normal_quantile(p.clamp(low.max(DET_FLOOR), 0.5))
}

/// Per-group DET curves on normal-deviate (probit) axes labelled at
/// decades, as NIST draws them, cropped to the decades the data reach; each
/// group's operating points at the first two policies are ringed.
pub(crate) fn det(view: &ViewResult) -> Figure {
    let rings: Vec<&str> = view
        .operating_points
        .iter()
        .take(2)
        .map(|a| &*a.policy)
        .collect();
    let title = if rings.is_empty() {
        format!("DET by {} (probit axes)", view.attribute)
    } else {
        format!(
            "DET by {} (probit axes; rings: {})",
            view.attribute,
            rings.join(", ")
        )
    };
    let free = &view.free.threshold_free;
    let looks = looks(free.iter().map(|g| &g.group));
    let points = free.iter().flat_map(|g| g.det.iter());
    let svg = det_chart(&title, &looks, points, |chart, low| {
        for (g, (group, (_, look))) in free.iter().zip(&looks).enumerate() {
            det_group(chart, view, g, group, low, *look);
        }
    });
    Figure {
        name: file_name("det", &view.attribute, None),
        title,
        attribute: view.attribute.name(),
        svg,
    }
}

/// A DET chart on normal-deviate (probit) axes labelled at decades,
/// cropped to the decades the (threshold, FMR, FNMR) `points` reach, with
/// the legend `looks`; `draw` adds the curves, given the axes' lowest rates.
pub(super) fn det_chart<'p>(
    title: &str,
    looks: &[(String, plot::Look)],
    points: impl Iterator<Item = &'p [f64; 3]>,
    draw: impl FnOnce(&KeyedChart<'_, '_>, (f64, f64)),
) -> String {
    let shown: Vec<&[f64; 3]> = points.filter(|p| p[1] > 0.0 && p[2] > 0.0).collect();
    let (xs, x_keys) = det_axis(shown.iter().map(|p| p[1]));
    let (ys, y_keys) = det_axis(shown.iter().map(|p| p[2]));
    let height = plot::legend_height(looks.len()).max(540);
    plot::document((plot::width_for(title, looks, 780), height), |root| {
        let area = plot::beside_legend(root, looks);
        let axis = |(lo, hi): (f64, f64), keys: &[(f64, String)]| {
            plot::keyed_axis(
                probit(lo, lo)..probit(hi, lo),
                keys.iter().map(|k| k.0).collect(),
            )
        };
        let label = |keys: &[(f64, String)], v: f64| {
            keys.iter()
                .find(|k| (k.0 - v).abs() < 1e-9)
                .map_or_else(String::new, |k| k.1.clone())
        };
        let mut chart = plot::framed(&area, title, plot::TITLE, 15, (45, 60))
            .build_cartesian_2d(axis(xs, &x_keys), axis(ys, &y_keys))
            .expect("chart");
        plot::readable(
            chart
                .configure_mesh()
                .x_desc("FMR (probit scale)")
                .y_desc("FNMR (probit scale)")
                .x_label_formatter(&|x| label(&x_keys, *x))
                .y_label_formatter(&|y| label(&y_keys, *y)),
        )
        .draw()
        .expect("mesh");
        draw(&chart, (xs.0, ys.0));
    })
}

/// A DET curve's points on probit axes whose lowest rates are `low`.
pub(super) fn det_points(det: &[[f64; 3]], low: (f64, f64)) -> Vec<(f64, f64)> {
    det.iter()
        .filter(|p| p[1] > 0.0 && p[2] > 0.0)
        .map(|p| (probit(p[1], low.0), probit(p[2], low.1)))
        .collect()
}

/// A chart whose axes are keyed linear f64 axes, drawn into an SVG string.
pub(super) type KeyedChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<plot::Keyed, plot::Keyed>>;

/// Group `g`'s DET curve with its first two operating points ringed, on
/// axes whose lowest rates are `low` (x, y).
fn det_group(
    chart: &KeyedChart<'_, '_>,
    view: &ViewResult,
    g: usize,
    free: &GroupFree,
    low: (f64, f64),
    look: plot::Look,
) {
    plot::curve(chart, &det_points(&free.det, low), look, 6);
    for at in view.operating_points.iter().take(2) {
        let rate = |m: &str| at.rate(m).and_then(|c| c.by_group.get(g)).map(|r| r.value);
        if let (Some(fmr), Some(fnmr)) = (rate("fmr"), rate("fnmr")) {
            if fmr > 0.0 && fnmr > 0.0 {
                let pt = (probit(fmr, low.0), probit(fnmr, low.1));
                chart
                    .plotting_area()
                    .draw(&Circle::new(pt, 8, look.colour.stroke_width(2)))
                    .expect("operating point");
            }
        }
    }
}

/// The looks of mated (blue, solid) and non-mated (vermilion, dashed) scores.
const SCORE_LOOKS: [plot::Look; 2] = [
    plot::Look {
        colour: plot::PALETTE[4],
        marker: (0, true),
        dash: None,
    },
    plot::Look {
        colour: plot::PALETTE[5],
        marker: (1, true),
        dash: Some((8, 4)),
    },
];

/// Per-group score histograms of mated and non-mated comparisons as
/// densities (count / (total · bin width)), one panel per group.
pub(crate) fn histograms(view: &ViewResult) -> Figure {
    let title = format!(
        "Score densities by {} (mated: blue, solid; non-mated: vermilion, dashed)",
        view.attribute
    );
    let n = view.free.threshold_free.len().max(1);
    let cols = n.min(2);
    let rows = n.div_ceil(cols);
    let width = (300 * cols as u32).max(plot::text_px(&title, plot::TITLE) + 40);
    let size = (width, 40 + 240 * rows as u32);
    let svg = plot::document(size, |root| {
        let root = root
            .titled(&displayable(&title), ("sans-serif", plot::TITLE))
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
        attribute: view.attribute.name(),
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

/// One group's panel: its mated and non-mated score densities.
fn score_panel(panel: &plot::Area<'_>, free: &GroupFree) {
    let h = &free.histogram;
    let steps = [
        density_steps(&h.edges, &h.mated),
        density_steps(&h.edges, &h.nonmated),
    ];
    let x0 = h.edges.first().copied().unwrap_or(0.0);
    let x1 = h.edges.last().copied().unwrap_or(1.0).max(x0 + 1e-9);
    let top = steps
        .iter()
        .flatten()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(1e-9, f64::max)
        * 1.1;
    let mut chart = plot::framed(panel, &free.group, plot::FONT, 8, (40, 50))
        .build_cartesian_2d(x0..x1, 0f64..top)
        .expect("panel");
    plot::readable(
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("score")
            .y_desc("density")
            .x_labels(4)
            .y_labels(4),
    )
    .draw()
    .expect("mesh");
    for (points, look) in steps.iter().zip(SCORE_LOOKS) {
        plot::curve(&chart, points, look, 0);
    }
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

    /// The texts of an SVG document.
    fn texts(svg: &str) -> Vec<String> {
        roxmltree::Document::parse(svg)
            .unwrap()
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or_default().trim().to_string())
            .collect()
    }

    #[test]
    fn dot_plots_label_every_decade_the_rates_span() {
        // 1/10 000, 1/1 000 and 0/500: intervals reach from ≈ 1e-5 to ≈ 1e-2.
        let ci = Default::default();
        let values = [
            ("A".to_string(), Rate::new(1, 10_000, ci)),
            ("B".to_string(), Rate::new(1, 1_000, ci)),
            ("C".to_string(), Rate::new(0, 500, ci)),
        ];
        let t = texts(&whiskers("t", "FMR", &values));
        for decade in ["10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²"] {
            assert!(t.iter().any(|x| x == decade), "{decade} not in {t:?}");
        }
        assert!(
            t.iter().any(|x| x == "0"),
            "the zero rate is not marked: {t:?}"
        );
    }

    #[test]
    fn curves_within_one_decade_still_get_two() {
        let series = vec![("g".to_string(), vec![(0.0, 0.02), (1.0, 0.05)])];
        let t = texts(&curves("t", "x", "y", &series, true));
        assert!(
            t.iter().any(|x| x == "10⁻²") && t.iter().any(|x| x == "10⁻¹"),
            "{t:?}"
        );
    }

    #[test]
    fn repeated_names_are_numbered() {
        let fig = |n: &str| Figure {
            name: n.into(),
            title: String::new(),
            attribute: String::new(),
            svg: String::new(),
        };
        let mut figs = vec![fig("a"), fig("b"), fig("a"), fig("a"), fig("a-2")];
        unique_names(&mut figs);
        let names: Vec<&str> = figs.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "a-2", "a-3", "a-2-2"]);
    }
}
