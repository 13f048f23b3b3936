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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_stay_one_inert_cell() {
        let t = TableModel {
            title: "by <b>race</b> #".into(),
            header: vec!["group".into(), "n".into()],
            rows: vec![
                vec!["<script>alert(1)</script>".into(), "1".into()],
                vec!["<img src=x onerror=alert(1)>".into(), "2".into()],
                vec!["a\rb\nc|d\\".into(), "3".into()],
                vec!["*x* _y_ [l](u) `c` ~s~ $m$ &amp;".into(), "4".into()],
            ],
        };
        let md = markdown(&[t]);
        let want = "# biasbench report\n\n## by &lt;b&gt;race&lt;/b&gt; \\#\n\n| group | n |\n| --- | --- |\n\
            | &lt;script&gt;alert(1)&lt;/script&gt; | 1 |\n\
            | &lt;img src=x onerror=alert(1)&gt; | 2 |\n\
            | a\\\\u{d}b\\\\u{a}c\\|d\\\\ | 3 |\n\
            | \\*x\\* \\_y\\_ \\[l\\](u) \\`c\\` \\~s\\~ \\$m\\$ &amp;amp; | 4 |\n\n";
        assert_eq!(md, want);
    }

    #[test]
    fn terminal_shows_control_characters_escaped() {
        let t = TableModel {
            title: "t\u{1b}]0;x\u{7}".into(),
            header: vec!["group".into()],
            rows: vec![vec!["\u{1b}[2Ja\r\nb\u{9b}".into()]],
        };
        let s = terminal(&[t]);
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
        assert!(s.contains("t\\u{1b}]0;x\\u{7}"), "{s}");
        assert!(s.contains("\\u{1b}[2Ja\\u{d}\\u{a}b\\u{9b}"), "{s}");
    }
}
