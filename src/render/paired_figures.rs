//! The figures of a paired comparison (`biasbench compare`), first among a
//! report's figures: per verdict a slope chart of every group's rate from
//! model A to model B, and (1:1) per attribute both models' DET curves, A
//! dashed and B solid, one colour and marker per group.

use super::plot;
use super::svg::{det_chart, det_points, file_name, looks, Figure};
use crate::engine::verify::ViewResult;
use crate::report::paired::{Paired, Verdict};
use crate::report::{Findings, Report};

/// The paired figures of a report (none without a paired comparison).
pub(crate) fn figures(report: &Report) -> Vec<Figure> {
    let Some(p) = &report.paired else {
        return Vec::new();
    };
    let mut out: Vec<Figure> = p.verdicts.iter().map(|v| slope(p, v)).collect();
    if let (Findings::Verify(a), Findings::Verify(b)) = (&p.baseline, &report.findings) {
        for view in b.views.iter().filter(|w| !w.attribute.is_pooled()) {
            if let Some(base) = a.views.iter().find(|w| w.attribute == view.attribute) {
                out.push(det(base, view, &p.names));
            }
        }
    }
    out
}

/// Each group's rate under model A (x = 0) and model B (x = 1), on a log
/// axis labelled at decades.
fn slope(p: &Paired, v: &Verdict) -> Figure {
    let key = &v.summary.key;
    let series: Vec<(String, Vec<(f64, f64)>)> = (p.rates.iter())
        .filter(|r| {
            r.key.attribute == key.attribute && r.key.policy == key.policy && r.key.metric == v.rate
        })
        .map(|r| {
            let x = &r.values;
            (r.key.group.clone(), vec![(0.0, x.a), (1.0, x.b)])
        })
        .collect();
    let rate = v.rate.to_uppercase().replace('_', " ");
    let title = format!(
        "{rate} by {} at {}: {} → {}",
        key.attribute, key.policy, p.names[0], p.names[1]
    );
    let svg = slope_chart(&title, &p.names, &rate, &series);
    let name = format!("{}-{}", v.rate, key.policy);
    Figure {
        name: file_name("paired", &key.attribute, Some(&name)),
        title,
        attribute: key.attribute.name(),
        svg,
    }
}

/// The slope chart: models at x = 0 and 1 (labelled by their names), rates
/// on a log axis labelled at decades (rates ≤ 0 are left out).
fn slope_chart(
    title: &str,
    names: &[String; 2],
    rate: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> String {
    let logs: Vec<Vec<(f64, f64)>> = (series.iter())
        .map(|(_, pts)| {
            (pts.iter())
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .map(|&(x, y)| (x, y.log10()))
                .collect()
        })
        .collect();
    let ys = logs.iter().flatten().map(|p| p.1);
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    let span = if lo.is_finite() {
        plot::decades(lo, hi)
    } else {
        (-3, 0)
    };
    let looks = looks(series.iter().map(|s| &s.0));
    let height = plot::legend_height(series.len()).max(440);
    plot::document((plot::width_for(title, &looks, 620), height), |root| {
        let area = plot::beside_legend(root, &looks);
        let mut chart = plot::framed(&area, title, plot::TITLE, 15, (45, 75))
            .build_cartesian_2d(
                plot::keyed_axis(-0.3..1.3, vec![0.0, 1.0]),
                plot::log_axis(span),
            )
            .expect("chart");
        let model = |x: &f64| match x {
            x if x.abs() < 1e-9 => names[0].clone(),
            _ => names[1].clone(),
        };
        plot::readable(
            chart
                .configure_mesh()
                .x_desc("model")
                .y_desc(rate)
                .x_label_formatter(&model)
                .y_label_formatter(&plot::decade_label),
        )
        .draw()
        .expect("mesh");
        for (points, (_, look)) in logs.iter().zip(&looks) {
            plot::marked_line(&chart, points, *look);
        }
    })
}

/// Both models' per-group DET curves: A dashed, B solid, a group's colour
/// and marker the same in both.
fn det(a: &ViewResult, b: &ViewResult, names: &[String; 2]) -> Figure {
    let base = looks(b.free.threshold_free.iter().map(|g| &g.group));
    let mut legend = Vec::new();
    let mut curves: Vec<(&[[f64; 3]], plot::Look)> = Vec::new();
    for ((name, look), g) in base.iter().zip(&b.free.threshold_free) {
        let dashed = plot::Look {
            dash: Some((8, 4)),
            ..*look
        };
        let solid = plot::Look {
            dash: None,
            ..*look
        };
        if let Some(x) = a.free.threshold_free.iter().find(|x| x.group == g.group) {
            legend.push((format!("{name} · {}", names[0]), dashed));
            curves.push((&x.det[..], dashed));
        }
        legend.push((format!("{name} · {}", names[1]), solid));
        curves.push((&g.det[..], solid));
    }
    let title = format!(
        "DET by {}: {} dashed, {} solid (probit axes)",
        b.attribute, names[0], names[1]
    );
    let points = curves.iter().flat_map(|(d, _)| d.iter());
    let svg = det_chart(&title, &legend, points, |chart, low| {
        for (d, look) in &curves {
            plot::curve(chart, &det_points(d, low), *look, 6);
        }
    });
    Figure {
        name: file_name("paired-det", &b.attribute, None),
        title,
        attribute: b.attribute.name(),
        svg,
    }
}
