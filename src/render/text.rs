//! The terminal and Markdown renderings of the table model.

use super::number::displayable;
use super::tables::TableModel;

/// Plain-text tables for a terminal; no control character of a label reaches it.
pub(crate) fn terminal(tables: &[TableModel]) -> String {
    let cells = |r: &[String]| {
        r.iter()
            .map(|c| displayable(c).into_owned())
            .collect::<Vec<_>>()
    };
    let mut s = String::new();
    for t in tables {
        let mut ct = comfy_table::Table::new();
        ct.load_preset(comfy_table::presets::ASCII_MARKDOWN);
        ct.set_header(cells(&t.header));
        for r in &t.rows {
            ct.add_row(cells(r));
        }
        s.push_str(&format!("{}\n{ct}\n\n", displayable(&t.title)));
    }
    s
}

/// A Markdown table cell or heading: one line, HTML-significant characters
/// as entities, and the characters of Markdown syntax (GitHub's `$` math,
/// `~` strikethrough, a heading's closing `#` and the cell separator `|` included) backslash-escaped.
fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in displayable(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '~' | '$' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// GitHub-flavoured Markdown tables.
pub(crate) fn markdown(tables: &[TableModel]) -> String {
    let mut s = String::from("# biasbench report\n\n");
    for t in tables {
        s.push_str(&format!("## {}\n\n", md_cell(&t.title)));
        let line = |cells: &[String]| {
            format!(
                "| {} |\n",
                cells
                    .iter()
                    .map(|c| md_cell(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        };
        s.push_str(&line(&t.header));
        s.push_str(&format!("|{}\n", " --- |".repeat(t.header.len())));
        for r in &t.rows {
            s.push_str(&line(r));
        }
        s.push('\n');
    }
    s
}
