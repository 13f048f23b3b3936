//! The age-estimation figures as pgfplots code: the MAE by true-age band
//! per group with its intervals as error bars, and per challenge each
//! group's false-admit (solid) and false-refusal (dashed) rates against the
//! threshold T.

use super::escape;
use super::main_table::label;
use super::pgfplots::{style, Pgf, AXIS};
use crate::engine::estimate::AgeView;

/// The figures of one view (not the pooled one).
pub(super) fn figures(view: &AgeView) -> Vec<Pgf> {
    let mut out: Vec<Pgf> = by_band(view).into_iter().collect();
    out.extend((0..view.free.sweeps.len()).map(|c| sweep(view, c)));
    out
}

/// MAE per group and band (all ages without bands), intervals as error bars.
fn by_band(view: &AgeView) -> Option<Pgf> {
    let first = view.groups.first()?;
    let bands: Vec<String> = match first.counts.bands.is_empty() {
        true => vec!["all ages".into()],
        false => first.counts.bands.iter().map(|b| b.band.clone()).collect(),
    };
    let mut plots = String::new();
    for (g, info) in view.groups.iter().enumerate() {
        let c = &info.counts;
        let stats: Vec<_> = match c.bands.is_empty() {
            true => c.error("mae").into_iter().collect(),
            false => c.bands.iter().map(|b| &b.mae).collect(),
        };
        let pts: String = stats
            .iter()
            .enumerate()
            .filter(|(_, s)| s.value.is_finite())
            .map(|(b, s)| {
                let (lo, hi) = s.interval().unwrap_or((s.value, s.value));
                format!(
                    "({b},{:.4}) += (0,{:.4}) -= (0,{:.4})",
                    s.value,
                    hi - s.value,
                    s.value - lo
                )
            })
            .collect();
        plots.push_str(&format!(
            "\\addplot[{}, error bars/.cd, y dir=both, y explicit] coordinates {{{pts}}};\n\\addlegendentry{{{}}}\n",
            style(g),
            escape(&info.group)
        ));
    }
    let attribute = view.attribute.name();
    let ticks: Vec<String> = (0..bands.len()).map(|b| b.to_string()).collect();
    let code = format!(
        "\\begin{{tikzpicture}}\n\\begin{{axis}}[{AXIS}, height=0.5\\linewidth, ymin=0, \
xmin=-0.4, xmax={}, xtick={{{}}}, xticklabels={{{}}}, xlabel={{true age (years)}}, \
ylabel={{MAE (years)}}, ymajorgrids, legend style={{at={{(0.5,1.02)}}, anchor=south, legend columns=-1, font=\\footnotesize}}]\n\
{plots}\\end{{axis}}\n\\end{{tikzpicture}}\n",
        bands.len() as f64 - 0.6,
        ticks.join(","),
        bands.iter().map(|b| format!("{{{}}}", escape(b))).collect::<Vec<_>>().join(","),
    );
    let caption = format!(
        "Mean absolute error by true age and {}, with its intervals.",
        escape(&attribute)
    );
    Some(Pgf::new("mae-by-age", &view.attribute, caption, code))
}

/// Challenge c's false-admit (solid) and false-refusal (dashed) rates of
/// every group against the threshold T.
fn sweep(view: &AgeView, c: usize) -> Pgf {
    let s = &view.free.sweeps[c];
    let mut plots = String::new();
    for (g, info) in view.groups.iter().enumerate() {
        let lines = [
            (&s.false_admit[g], ""),
            (&s.false_refusal[g], ", dashed, forget plot"),
        ];
        for (rates, extra) in lines {
            if rates.is_empty() {
                continue;
            }
            let pts: String = s
                .thresholds
                .iter()
                .zip(rates)
                .map(|(t, r)| format!("({t},{r:.4})"))
                .collect();
            plots.push_str(&format!(
                "\\addplot[{}{extra}, mark repeat=8] coordinates {{{pts}}};\n",
                style(g)
            ));
            if extra.is_empty() {
                plots.push_str(&format!("\\addlegendentry{{{}}}\n", escape(&info.group)));
            }
        }
    }
    let attribute = view.attribute.name();
    let code = format!(
        "\\begin{{tikzpicture}}\n\\begin{{axis}}[{AXIS}, height=0.5\\linewidth, ymin=0, ymax=1, \
xlabel={{challenge threshold $T$ (years)}}, ylabel={{rate}}, grid=major, \
legend style={{at={{(0.5,1.02)}}, anchor=south, legend columns=-1, font=\\footnotesize}}, mark options={{solid}}]\n\
{plots}\\end{{axis}}\n\\end{{tikzpicture}}\n"
    );
    let caption = format!(
        "False-admit (solid) and false-refusal (dashed) rates by {} against the threshold $T$ of the challenge {}.",
        escape(&attribute),
        escape(&s.challenge)
    );
    Pgf::new(
        &format!("age-sweep-{}", label(&s.challenge)),
        &view.attribute,
        caption,
        code,
    )
}
