//! The figures of an age-estimation audit: the MAE by true-age band per
//! group with its intervals, and per challenge the false-admit and
//! false-refusal rates of every group as the threshold T moves.

use super::svg::{curves, file_name, looks, Figure};
use crate::engine::estimate::{AgeView, EstimateResult};
use crate::render::number::{displayable, short};
use crate::render::plot;
use plotters::prelude::*;

/// The figures of every view but the pooled one.
pub(super) fn figures(e: &EstimateResult) -> Vec<Figure> {
    let mut out = Vec::new();
    for view in e.views.iter().filter(|v| !v.attribute.is_pooled()) {
        out.push(by_band(view));
        for sweep in &view.free.sweeps {
            for (rate, values) in [
                ("false-admit rate", &sweep.false_admit),
                ("false-refusal rate", &sweep.false_refusal),
            ] {
                let series: Vec<(String, Vec<(f64, f64)>)> = view
                    .groups
                    .iter()
                    .zip(values)
                    .map(|(g, v)| {
                        (
                            g.group.clone(),
                            sweep
                                .thresholds
                                .iter()
                                .copied()
                                .zip(v.iter().copied())
                                .collect(),
                        )
                    })
                    .collect();
                let title = format!(
                    "{rate} against threshold T by {} (challenge {})",
                    view.attribute, sweep.challenge
                );
                out.push(Figure {
                    svg: curves(
                        &title,
                        "challenge threshold T (years)",
                        rate,
                        &series,
                        false,
                    ),
                    name: file_name(
                        &format!("{rate} against T"),
                        &view.attribute,
                        Some(&sweep.challenge),
                    ),
                    title,
                    attribute: view.attribute.name(),
                });
            }
        }
    }
    out
}

/// A band's label and each group's (value, low, high) in it.
type BandMeans = (String, Vec<(f64, f64, f64)>);

/// MAE with its interval per group and true-age band (all ages when there
/// are no bands): each group in its own colour and marker, its bands joined.
fn by_band(view: &AgeView) -> Figure {
    // (band label, per group (value, low, high)).
    let bands: Vec<BandMeans> = match view.groups.first() {
        Some(g) if !g.counts.bands.is_empty() => (0..g.counts.bands.len())
            .map(|b| {
                let label = g.counts.bands[b].band.clone();
                let per_group = view
                    .groups
                    .iter()
                    .map(|g| {
                        let s = &g.counts.bands[b].mae;
                        (s.value, s.low, s.high)
                    })
                    .collect();
                (label, per_group)
            })
            .collect(),
        _ => vec![(
            "all ages".into(),
            view.groups
                .iter()
                .map(|g| {
                    let s = &g.counts.errors[0];
                    (s.value, s.low, s.high)
                })
                .collect(),
        )],
    };
    let title = format!("MAE by true age and {} (95% t intervals)", view.attribute);
    let names: Vec<String> = view.groups.iter().map(|g| g.group.clone()).collect();
    let looks = looks(&names);
    let top = bands
        .iter()
        .flat_map(|(_, v)| v.iter().map(|&(m, _, h)| if h.is_finite() { h } else { m }))
        .filter(|x| x.is_finite())
        .fold(1.0f64, f64::max)
        * 1.08;
    let (nb, ng) = (bands.len(), names.len());
    let labels: Vec<String> = bands.iter().map(|b| b.0.clone()).collect();
    let dodge = |g: usize| (g as f64 - (ng as f64 - 1.0) / 2.0) * 0.6 / ng.max(1) as f64;
    let width = plot::width_for(&title, &looks, (200 + 90 * nb as u32).max(520));
    let height = plot::legend_height(ng).max(400);
    let svg = plot::document((width, height), |root| {
        let area = plot::beside_legend(root, &looks);
        let x = plot::keyed_axis(-0.5..nb as f64 - 0.5, (0..nb).map(|b| b as f64).collect());
        let mut chart = plot::framed(&area, &title, plot::TITLE, 15, (45, 75))
            .build_cartesian_2d(x, 0f64..top)
            .expect("chart");
        let band_label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 {
                labels
                    .get(i as usize)
                    .map_or_else(String::new, |l| displayable(l).into_owned())
            } else {
                String::new()
            }
        };
        plot::readable(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("true age (years)")
                .y_desc("mean absolute error (years)")
                .x_label_formatter(&band_label)
                .y_label_formatter(&|y| short(*y)),
        )
        .draw()
        .expect("mesh");
        let plotting = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let at = |x: f64, y: f64| {
            let (px, py) = chart.backend_coord(&(x, y));
            (px - base.0, py - base.1)
        };
        for (g, (_, look)) in looks.iter().enumerate() {
            let points: Vec<(f64, f64)> = bands
                .iter()
                .enumerate()
                .filter(|(_, (_, v))| v[g].0.is_finite())
                .map(|(b, (_, v))| (b as f64 + dodge(g), v[g].0))
                .collect();
            for (b, (_, v)) in bands.iter().enumerate() {
                let (_, lo, hi) = v[g];
                if lo.is_finite() && hi.is_finite() {
                    let x = b as f64 + dodge(g);
                    plotting
                        .draw(&PathElement::new(
                            vec![at(x, lo), at(x, hi)],
                            look.colour.stroke_width(2),
                        ))
                        .expect("whisker");
                }
            }
            plot::marked_line(&chart, &points, *look);
        }
    });
    Figure {
        svg,
        name: file_name("mae-by-age", &view.attribute, None),
        title,
        attribute: view.attribute.name(),
    }
}
