//! The terminal and Markdown renderings of the table model.

use super::tables::TableModel;

/// Plain-text tables for a terminal.
pub(crate) fn terminal(tables: &[TableModel]) -> String {
    let mut s = String::new();
    for t in tables {
        let mut ct = comfy_table::Table::new();
        ct.load_preset(comfy_table::presets::ASCII_MARKDOWN);
        ct.set_header(&t.header);
        for r in &t.rows {
            ct.add_row(r);
        }
        s.push_str(&format!("{}\n{ct}\n\n", t.title));
    }
    s
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
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
