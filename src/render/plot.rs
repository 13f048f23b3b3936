//! Chart set-up shared by the SVG figures (plotters): the white page, the
//! captioned chart frame, readable fonts, the groups' styles (colour-blind-safe
//! colours, markers, dashes), log axes labelled at decades, and the legend
//! beside the chart. Helpers only style; the figures decide what to draw.
//! Every text from the data is made displayable here (XML 1.0 allows no C0
//! control character, even escaped); plotters escapes the markup characters.

use super::number::displayable;
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The drawing area of an SVG document held in a string.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Plotters' font size of axis labels and legends: the SVG backend writes
/// `size / 1.24`, so 14 gives ≈ 11.3 px, above the 10 px floor.
pub(super) const FONT: i32 = 14;
/// Plotters' font size of titles (≈ 12.9 px).
pub(super) const TITLE: i32 = 16;
/// The width of `text` in plotters' font size `font`, generously estimated
/// (0.6 em a character; the SVG em is `font / 1.24` px), in px.
pub(super) fn text_px(text: &str, font: i32) -> u32 {
    (0.6 * f64::from(font) / 1.24 * text.chars().count() as f64).ceil() as u32
}

/// An SVG document of `size` pixels on white, drawn by `draw` on its root area.
pub(super) fn document(size: (u32, u32), draw: impl FnOnce(&Area<'_>)) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).expect("draw");
        draw(&root);
    }
    svg
}

/// A chart frame on `area`: caption (sans-serif, `font`), margin, (x, y) label areas.
pub(super) fn framed<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    font: i32,
    margin: i32,
    (x_labels, y_labels): (i32, i32),
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(displayable(caption), ("sans-serif", font))
        .margin(margin)
        .x_label_area_size(x_labels)
        .y_label_area_size(y_labels);
    builder
}

/// The mesh's tick labels and axis descriptions in [`FONT`].
pub(super) fn readable<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    DB: DrawingBackend,
{
    mesh.label_style(("sans-serif", FONT))
        .axis_desc_style(("sans-serif", FONT))
}

/// The Okabe–Ito palette (Okabe & Ito 2008): told apart with every common
/// colour-vision deficiency.
pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x00, 0x00, 0x00),
];

/// Marker outlines, unit radius: circle (12-gon), square, triangle, diamond,
/// triangle pointing down.
const SHAPES: [&[(f64, f64)]; 5] = [
    &[
        (1.0, 0.0),
        (0.866, 0.5),
        (0.5, 0.866),
        (0.0, 1.0),
        (-0.5, 0.866),
        (-0.866, 0.5),
        (-1.0, 0.0),
        (-0.866, -0.5),
        (-0.5, -0.866),
        (0.0, -1.0),
        (0.5, -0.866),
        (0.866, -0.5),
    ],
    &[(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)],
    &[(0.0, -1.1), (1.0, 0.75), (-1.0, 0.75)],
    &[(0.0, -1.15), (1.0, 0.0), (0.0, 1.15), (-1.0, 0.0)],
    &[(0.0, 1.1), (1.0, -0.75), (-1.0, -0.75)],
];

/// Markers: (shape, filled); 7, so that colour (8) and marker only repeat together after 56 groups.
const MARKERS: [(usize, bool); 7] = [
    (0, true),
    (1, true),
    (2, true),
    (3, true),
    (4, true),
    (0, false),
    (1, false),
];

/// Dash (on, off) in px of each round of 8 groups: solid, dashed, dotted.
const DASHES: [Option<(u32, u32)>; 3] = [None, Some((8, 4)), Some((2, 3))];

/// How group `g` is drawn: its colour, marker and line dash.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Look {
    pub(super) colour: RGBColor,
    /// (index into the shapes, filled).
    pub(super) marker: (usize, bool),
    /// (on, off) px, or a solid line.
    pub(super) dash: Option<(u32, u32)>,
}

/// The look of group `g`: Okabe–Ito colours, distinct markers, and a dash
/// for each further round of eight groups.
pub(super) fn look(g: usize) -> Look {
    Look {
        colour: PALETTE[g % PALETTE.len()],
        marker: MARKERS[g % MARKERS.len()],
        dash: DASHES[(g / PALETTE.len()) % DASHES.len()],
    }
}

/// The marker radius, px.
const MARKER: f64 = 4.5;

/// Draws `look`'s marker centred at each backend point in `at`.
pub(super) fn markers<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: impl IntoIterator<Item = (i32, i32)>,
    look: Look,
) {
    let (shape, filled) = look.marker;
    for (x, y) in at {
        let mut pts: Vec<(i32, i32)> = SHAPES[shape]
            .iter()
            .map(|(dx, dy)| {
                (
                    x + (dx * MARKER).round() as i32,
                    y + (dy * MARKER).round() as i32,
                )
            })
            .collect();
        if filled {
            area.draw(&Polygon::new(pts, look.colour.filled()))
                .expect("marker");
        } else {
            pts.push(pts[0]);
            area.draw(&PathElement::new(pts, look.colour.stroke_width(2)))
                .expect("marker");
        }
    }
}

/// A line through backend points in `look` (width 2, dashed when the look is).
fn line<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, pts: Vec<(i32, i32)>, look: Look) {
    let style = look.colour.stroke_width(2);
    match look.dash {
        None => area.draw(&PathElement::new(pts, style)).expect("line"),
        Some((on, off)) => {
            for e in DashedLineSeries::new(pts, on as i32, off as i32, style) {
                area.draw(&e).expect("line");
            }
        }
    }
}

/// Markers along a curve: `n` points at equal distances along its length.
fn along(pts: &[(i32, i32)], n: usize) -> Vec<(i32, i32)> {
    let d = |a: (i32, i32), b: (i32, i32)| f64::from(a.0 - b.0).hypot(f64::from(a.1 - b.1));
    let total: f64 = pts.windows(2).map(|w| d(w[0], w[1])).sum();
    if pts.is_empty() || n == 0 {
        return Vec::new();
    }
    if total == 0.0 {
        return vec![pts[0]];
    }
    let step = total / n as f64;
    let (mut out, mut walked, mut next) = (Vec::new(), 0.0, step / 2.0);
    for w in pts.windows(2) {
        let len = d(w[0], w[1]);
        while next <= walked + len && out.len() < n {
            let t = if len > 0.0 {
                (next - walked) / len
            } else {
                0.0
            };
            out.push((
                w[0].0 + (f64::from(w[1].0 - w[0].0) * t).round() as i32,
                w[0].1 + (f64::from(w[1].1 - w[0].1) * t).round() as i32,
            ));
            next += step;
        }
        walked += len;
    }
    out
}

/// A curve in `look` through data `points` of `chart`, with `n_markers` markers along it.
pub(super) fn curve<DB, CT>(
    chart: &ChartContext<'_, DB, CT>,
    points: &[(f64, f64)],
    look: Look,
    n_markers: usize,
) where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    polyline(chart, points, look, |pts| along(pts, n_markers));
}

/// A line in `look` through data `points` of `chart` with a marker on each point.
pub(super) fn marked_line<DB, CT>(
    chart: &ChartContext<'_, DB, CT>,
    points: &[(f64, f64)],
    look: Look,
) where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    polyline(chart, points, look, |pts| pts.to_vec());
}

/// A line in `look` through data `points` of `chart`, with markers where
/// `marks` puts them (given the line's pixels).
fn polyline<DB, CT>(
    chart: &ChartContext<'_, DB, CT>,
    points: &[(f64, f64)],
    look: Look,
    marks: impl Fn(&[(i32, i32)]) -> Vec<(i32, i32)>,
) where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    let area = chart.plotting_area().strip_coord_spec();
    let (x0, y0) = chart.plotting_area().get_base_pixel();
    let pts: Vec<(i32, i32)> = points
        .iter()
        .map(|p| {
            let (x, y) = chart.as_coord_spec().translate(p);
            (x - x0, y - y0)
        })
        .collect();
    let at = marks(&pts);
    line(&area, pts, look);
    markers(&area, at, look);
}

/// Legend entries are this far apart, px.
const LEGEND_ROW: i32 = 20;

/// The pixel height a legend of `n` entries needs.
pub(super) fn legend_height(n: usize) -> u32 {
    40 + LEGEND_ROW as u32 * n as u32
}

/// The legend's labels of `entries`: shortened with `…` to 30 characters.
fn legend_labels(entries: &[(String, Look)]) -> Vec<String> {
    entries
        .iter()
        .map(|(name, _)| {
            let name = displayable(name);
            if name.chars().count() > 30 {
                name.chars().take(29).chain(['…']).collect()
            } else {
                name.into_owned()
            }
        })
        .collect()
}

/// The legend's width, px.
fn legend_width(labels: &[String]) -> u32 {
    56 + labels.iter().map(|l| text_px(l, FONT)).max().unwrap_or(0)
}

/// The width of a figure of a chart captioned `title` with a legend of
/// `entries` beside it: at least `least`, and room for the title.
pub(super) fn width_for(title: &str, entries: &[(String, Look)], least: u32) -> u32 {
    least.max(text_px(&displayable(title), TITLE) + 60 + legend_width(&legend_labels(entries)))
}

/// Splits `area` into the chart (left) and a legend of `entries` (right),
/// drawn there: a line sample with its marker and the label (shortened with
/// `…` to fit at most 30 characters).
pub(super) fn beside_legend<'a>(area: &Area<'a>, entries: &[(String, Look)]) -> Area<'a> {
    let labels = legend_labels(entries);
    let width = legend_width(&labels);
    let (chart, legend) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(width));
    let font = anchored(HPos::Left);
    for (i, (label, (_, look))) in labels.iter().zip(entries).enumerate() {
        let y = 40 + LEGEND_ROW * i as i32;
        line(&legend, vec![(4, y), (34, y)], *look);
        markers(&legend, [(19, y)], *look);
        legend
            .draw(&Text::new(label.clone(), (42, y), font.clone()))
            .expect("legend");
    }
    chart
}

/// `10⁻³` for k = −3 (`1` for k = 0).
pub(super) fn power_of_ten(k: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    if k == 0 {
        return "1".into();
    }
    let mut s = String::from("10");
    if k < 0 {
        s.push('⁻');
    }
    for d in k.unsigned_abs().to_string().bytes() {
        s.push(SUP[usize::from(d - b'0')]);
    }
    s
}

/// The whole decades of log10 values from `lo` to `hi`, widened to at least two.
pub(super) fn decades(lo: f64, hi: f64) -> (i32, i32) {
    let a = lo.floor() as i32;
    let b = (hi.ceil() as i32).max(a + 1);
    (a, b)
}

/// A [`FONT`] text style anchored at `h` horizontally, centred vertically.
pub(super) fn anchored(h: HPos) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", FONT).into_font()).pos(Pos::new(h, VPos::Center))
}

/// A linear f64 axis whose ticks and labels sit exactly at `keys` and whose
/// light grid lines at `light`.
pub(super) struct Keyed {
    inner: RangedCoordf64,
    keys: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for Keyed {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A linear axis `range` with ticks and labels exactly at `keys`.
pub(super) fn keyed_axis(range: std::ops::Range<f64>, keys: Vec<f64>) -> Keyed {
    Keyed {
        inner: range.into(),
        keys,
        light: Vec::new(),
    }
}

/// A log10 axis over whole decades `a..b`: ticks and labels at each
/// decade, light grid lines at 2 and 5 times each.
pub(super) fn log_axis((a, b): (i32, i32)) -> Keyed {
    Keyed {
        light: (a..b)
            .flat_map(|k| [2f64, 5.0].map(|m| f64::from(k) + m.log10()))
            .collect(),
        ..keyed_axis(f64::from(a)..f64::from(b), (a..=b).map(f64::from).collect())
    }
}

/// The label of a log10 axis value: `10⁻³` at a decade, nothing between.
pub(super) fn decade_label(y: &f64) -> String {
    if (y - y.round()).abs() < 1e-9 {
        power_of_ten(y.round() as i32)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten_read_as_printed() {
        assert_eq!(power_of_ten(-4), "10⁻⁴");
        assert_eq!(power_of_ten(-12), "10⁻¹²");
        assert_eq!(power_of_ten(0), "1");
        assert_eq!(power_of_ten(3), "10³");
        assert_eq!(decade_label(&-3.0), "10⁻³");
        assert_eq!(decade_label(&-2.7), "");
    }

    #[test]
    fn ranges_widen_to_two_decades_at_least() {
        assert_eq!(decades(-1.7, -1.1), (-2, -1));
        assert_eq!(decades(-4.2, -0.3), (-5, 0));
        assert_eq!(decades(-2.0, -2.0), (-2, -1));
    }

    #[test]
    fn the_first_56_groups_look_different() {
        let looks: Vec<Look> = (0..56).map(look).collect();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert!(a.colour != b.colour || a.marker != b.marker, "{a:?} {b:?}");
            }
        }
        let first: std::collections::HashSet<_> = (0..8).map(|g| look(g).colour).collect();
        assert_eq!(first.len(), 8);
    }

    #[test]
    fn markers_spread_along_a_curve() {
        let at = along(&[(0, 0), (100, 0)], 4);
        assert_eq!(at, [(13, 0), (38, 0), (63, 0), (88, 0)]);
        assert_eq!(along(&[(5, 5)], 3), [(5, 5)]);
        assert!(along(&[], 3).is_empty());
    }
}
