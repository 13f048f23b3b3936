//! Chart set-up shared by the SVG figures (plotters): the white page, the
//! captioned chart frame, grey levels, lines with a legend key and the legend
//! box. Helpers only style; the figures decide what to draw. Every text
//! from the data is made displayable here (XML 1.0 allows no C0 control
//! character, even escaped); plotters escapes the markup characters.

use super::number::displayable;
use plotters::chart::SeriesLabelStyle;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The drawing area of an SVG document held in a string.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

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

/// A chart frame on `area`: caption (sans-serif, `font` px), margin, (x, y) label areas.
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

/// The grey of series `g` of `n`: black for the first, lighter up to 200.
pub(super) fn grey(g: usize, n: usize) -> RGBColor {
    let v = (200.0 * g as f64 / n.max(1) as f64) as u8;
    RGBColor(v, v, v)
}

/// A width-2 line through `points`, in the legend as `label` beside a `key`-px line.
pub(super) fn keyed_line<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    label: &str,
    key: i32,
) where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate<From = (f64, f64)>,
{
    chart
        .draw_series(LineSeries::new(points, colour.stroke_width(2)))
        .expect("series")
        .label(displayable(label))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + key, y)], colour.stroke_width(2)));
}

/// Draws the legend of the labelled series: a black border on white.
pub(super) fn legend<'a, DB, CT>(labels: &mut SeriesLabelStyle<'a, '_, DB, CT>)
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    labels
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .expect("legend");
}
