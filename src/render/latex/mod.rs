//! LaTeX a paper can use: a fragment for `\input{}` that opens with the
//! provenance as comments and a compact main table per attribute
//! ([`main_table`]) with the headline figures as pgfplots code
//! ([`pgfplots`]), then the detailed booktabs tables (each fitting the
//! page); a standalone document around it. Every text is escaped.

use super::number::displayable;
use super::tables::{TableModel, PROVENANCE_TABLES};
use crate::report::Report;

/// Escapes LaTeX's special characters and maps the symbols the tables use.
/// Control characters are made visible first; `[`, `]` and `*` are braced so
/// that a cell after `\\` is never read as its optional argument or star,
/// and `--`, `''`, `,,` are split so that they are no ligature.
pub(crate) fn escape(s: &str) -> String {
    let s = displayable(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '[' | ']' | '*' => {
                out.push('{');
                out.push(c);
                out.push('}');
            }
            '-' | '\'' | ',' if chars.peek() == Some(&c) => {
                out.push(c);
                out.push_str("{}");
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '"' => out.push_str("{\\ttfamily\\char34}"),
            '`' => out.push_str("\\textasciigrave{}"),
            '≤' => out.push_str("$\\le$"),
            '≥' => out.push_str("$\\ge$"),
            '‡' => out.push_str("\\ddag{}"),
            'χ' => out.push_str("$\\chi$"),
            '²' => out.push_str("$^2$"),
            'α' => out.push_str("$\\alpha$"),
            '−' => out.push_str("$-$"),
            '×' => out.push_str("$\\times$"),
            '≈' => out.push_str("$\\approx$"),
            '·' => out.push_str("$\\cdot$"),
            'Δ' => out.push_str("$\\Delta$"),
            '±' => out.push_str("$\\pm$"),
            '→' => out.push_str("$\\rightarrow$"),
            _ => out.push(c),
        }
    }
    out
}

mod age_pgfplots;
mod main_table;
pub(crate) mod pgfplots;

/// The packages the fragment needs, loaded by the standalone document.
pub(crate) const PACKAGES: &str = "booktabs,graphicx,pgfplots";

/// `\biasbenchfit{TABLE}`: the table as set, or scaled down to the line
/// width when it is wider (the last resort for wide detailed tables).
const FIT: &str = "\\providecommand{\\biasbenchfit}[1]{\\sbox0{#1}\\ifdim\\wd0>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox0}\\else\\usebox0\\fi}\n";

/// Rows of a detailed table per float: longer tables continue in the next.
const ROWS_PER_FLOAT: usize = 40;

/// The report's provenance as comments: tool, command, inputs with their
/// SHA-256, seed and time (the configuration stays in the JSON).
fn provenance(report: &Report) -> String {
    let p = &report.provenance;
    let line = |s: &str| displayable(s).replace(['\n', '\r'], " ");
    let mut s = format!(
        "% biasbench report: a LaTeX fragment for \\input{{}} (needs \\usepackage{{{PACKAGES}}}).\n% tool: {} {}\n% command: {}\n",
        report.tool.name,
        report.tool.version,
        line(&p.command.join(" "))
    );
    for f in &p.inputs {
        s.push_str(&format!(
            "% input ({}): {}, {} rows, {} bytes, sha256 {}\n",
            line(&f.role),
            line(&f.path),
            f.rows,
            f.bytes,
            f.sha256
        ));
    }
    if let Some(seed) = p.seed {
        s.push_str(&format!("% seed: {seed}\n"));
    }
    if let Some(t) = &p.time {
        s.push_str(&format!("% time: {}\n", line(t)));
    }
    s.push_str("% The full configuration is in the JSON report.\n");
    s
}

/// A table model as booktabs floats of at most [`ROWS_PER_FLOAT`] rows.
fn float(t: &TableModel) -> String {
    let mut s = String::new();
    let chunks: Vec<&[Vec<String>]> = if t.rows.is_empty() {
        vec![&t.rows[..]]
    } else {
        t.rows.chunks(ROWS_PER_FLOAT).collect()
    };
    let line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| escape(c))
            .collect::<Vec<_>>()
            .join(" & ")
            + " \\\\\n"
    };
    for (k, rows) in chunks.iter().enumerate() {
        let title = match k {
            0 => t.title.clone(),
            _ => format!("{} (continued)", t.title),
        };
        s.push_str("\\begin{table}[htbp]\n\\centering\\small\n");
        s.push_str(&format!("\\caption{{{}}}\n", escape(&title)));
        s.push_str(&format!(
            "\\biasbenchfit{{\\begin{{tabular}}{{{}}}\n\\toprule\n",
            "l".repeat(t.header.len().max(1))
        ));
        s.push_str(&line(&t.header));
        s.push_str("\\midrule\n");
        for r in rows.iter() {
            s.push_str(&line(r));
        }
        s.push_str("\\bottomrule\n\\end{tabular}}\n\\end{table}\n\n");
    }
    s
}

/// The report as a fragment for `\input{}`: the provenance as comments;
/// the verdicts that lead the report (gate, paired comparison, alarms);
/// the main table of every attribute and the headline figures (pgfplots,
/// captioned and labelled `fig:biasbench-<name>`); then the other tables,
/// each page-sized (the provenance tables left to the comments).
pub(crate) fn document(report: &Report, tables: &[TableModel], lead: usize) -> String {
    let mut s = provenance(report);
    s.push_str(FIT);
    let (first, rest) = tables.split_at(lead.min(tables.len()));
    for t in first {
        s.push_str(&float(t));
    }
    for t in main_table::tables(report) {
        s.push_str(&t);
    }
    let figures = pgfplots::figures(report);
    for f in &figures {
        s.push_str(&format!(
            "\\begin{{figure}}[htbp]\n\\centering\n{}\\caption{{{}}}\n\\label{{{}}}\n\\end{{figure}}\n\n",
            f.code,
            f.caption,
            f.label
        ));
    }
    if !figures.is_empty() {
        // Places the figures before the many table floats that follow
        // (queued behind them, floats overflow LaTeX's list).
        s.push_str("\\clearpage\n");
    }
    for t in rest
        .iter()
        .filter(|t| !PROVENANCE_TABLES.contains(&t.title.as_str()))
    {
        s.push_str(&float(t));
    }
    s
}

/// A compilable document around the fragment `<stem>.tex` written beside
/// it: the packages it needs in one place.
pub(crate) fn standalone(stem: &str) -> String {
    format!(
        "% biasbench: a compilable document around {stem}.tex (pdflatex {stem}-standalone.tex).\n\
\\documentclass[a4paper]{{article}}\n\
\\usepackage{{{PACKAGES}}}\n\
\\pgfplotsset{{compat=1.18}}\n\
\\setlength{{\\textwidth}}{{16cm}}\\setlength{{\\oddsidemargin}}{{0cm}}\\setlength{{\\evensidemargin}}{{0cm}}\n\
\\begin{{document}}\n\
\\input{{{stem}.tex}}\n\
\\end{{document}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_row_starts_with_an_optional_argument() {
        let t = TableModel {
            title: "[t]".into(),
            header: vec!["group".into(), "n".into()],
            rows: vec![
                vec!["[1in]".into(), "1".into()],
                vec!["*x".into(), "2".into()],
                vec!["a\rb".into(), "3".into()],
            ],
        };
        let tex = float(&t);
        assert!(
            tex.contains(
                "\\midrule\n{[}1in{]} & 1 \\\\\n{*}x & 2 \\\\\na\\textbackslash{}u\\{d\\}b & 3 \\\\\n"
            ),
            "{tex}"
        );
        assert!(tex.contains("\\caption{{[}t{]}}"), "{tex}");
    }

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(escape("a_b & 50% #1 {x} $y ~ ^ \\"), "a\\_b \\& 50\\% \\#1 \\{x\\} \\$y \\textasciitilde{} \\textasciicircum{} \\textbackslash{}");
        assert_eq!(escape("0 [≤ 0.003] ‡"), "0 {[}$\\le$ 0.003{]} \\ddag{}");
        assert_eq!(escape("3.4 → 1.8 (Δ"), "3.4 $\\rightarrow$ 1.8 ($\\Delta$");
        assert_eq!(
            escape("[1in] *x <a|b> \"q\" `t` --attr ''x,, \u{1b}"),
            "{[}1in{]} {*}x \\textless{}a\\textbar{}b\\textgreater{} {\\ttfamily\\char34}q{\\ttfamily\\char34} \\textasciigrave{}t\\textasciigrave{} -{}-attr '{}'x,{}, \\textbackslash{}u\\{1b\\}"
        );
    }
}
