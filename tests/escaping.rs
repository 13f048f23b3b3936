//! Hostile labels (control characters, markup, LaTeX and Markdown syntax,
//! very long names) in every output format, and the figure files' names.

mod common;

use common::biasbench;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Group labels an adversary (or a careless export) would write.
fn hostile_labels() -> Vec<String> {
    [
        "\u{1b}[31mred",
        "cr\rhere",
        "lf\nhere",
        "nul\0here",
        "tab\there",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[1in]",
        "*star",
        "a|b",
        "A&B",
        "50%",
        "back\\slash",
        "\"dq\" 'sq'",
        "$x$ _y_ #z ~w^",
        "del\u{7f} c1\u{85}\u{9b} rtl\u{202e}x",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(std::iter::once("long".repeat(100)))
    .collect()
}

/// An attribute (column) name with markup, LaTeX syntax and an ESC.
const ATTR: &str = "[1in]<i>&|%\u{1b}\\'";

/// A CSV field, quoted.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// 1:1 comparisons: per group 4 mated and 6 non-mated, 2 of those across groups.
fn comparisons(labels: &[String]) -> String {
    let a = quoted(&format!("{ATTR}_a"));
    let b = quoted(&format!("{ATTR}_b"));
    let mut s = format!("score,mated,{a},{b}\n");
    for (i, g) in labels.iter().enumerate() {
        let other = &labels[(i + 1) % labels.len()];
        let (g, other) = (quoted(g), quoted(other));
        for k in 0..4 {
            s.push_str(&format!("0.{}{k},1,{g},{g}\n", 6 + i % 3));
        }
        for k in 0..4 {
            s.push_str(&format!("0.{}{k},0,{g},{g}\n", 1 + i % 4));
        }
        for k in 0..2 {
            s.push_str(&format!("0.5{k},0,{g},{other}\n"));
        }
    }
    s
}

/// Multiclass items whose classes are the hostile labels too.
fn items(labels: &[String]) -> String {
    let mut s = format!("y_true,y_pred,{}\n", quoted(ATTR));
    for (i, g) in labels.iter().enumerate() {
        let (c, d) = (quoted(&labels[i % 3]), quoted(&labels[(i + 1) % 3]));
        let g = quoted(g);
        s.push_str(&format!("{c},{c},{g}\n{c},{d},{g}\n{d},{d},{g}\n"));
    }
    s
}

/// Runs an audit over the hostile attribute writing `--report DIR`; returns the files written.
fn report(sub: &str, file: &Path, dir: &Path) -> Vec<PathBuf> {
    report_with(sub, file, dir, &["--attr", ATTR])
}

/// Runs an audit with `args` writing `--report DIR`; returns the files written.
fn report_with(sub: &str, file: &Path, dir: &Path, args: &[&str]) -> Vec<PathBuf> {
    let out = biasbench()
        .arg(sub)
        .arg(file)
        .args(args)
        .args(["--reproducible", "--report"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// A character no human-readable output may hold raw: C0 but LF, DEL, C1,
/// the bidirectional overrides.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)
}

/// The cells of a Markdown table row: pipes not escaped by a backslash.
fn markdown_cells(line: &str) -> usize {
    let (mut cells, mut escaped) = (0, false);
    for c in line.chars() {
        match c {
            '\\' => escaped = !escaped,
            '|' if !escaped => cells += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    cells - 1
}

/// Every table of a Markdown report has rows of its header's width.
fn check_markdown(md: &str) {
    let mut width = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            width = None;
            continue;
        }
        assert!(line.ends_with(" |"), "a row ends early: {line}");
        let n = markdown_cells(line);
        assert_eq!(*width.get_or_insert(n), n, "row of {n} cells: {line}");
    }
    for raw in ["<script", "<img", "<i>"] {
        assert!(!md.contains(raw), "{raw} in the Markdown");
    }
}

/// No table row of the LaTeX starts with `[` or `*` after `\\` (an optional
/// argument or star of `\\`), and braces balance.
fn check_latex(tex: &str) {
    for (i, _) in tex.match_indices("\\\\") {
        let next = tex[i + 2..].trim_start().chars().next();
        assert!(
            !matches!(next, Some('[' | '*')),
            "{}",
            &tex[i..(i + 40).min(tex.len())]
        );
    }
    let mut depth = 0i64;
    let mut chars = tex.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '%' => {
                chars.by_ref().find(|&c| c == '\n');
            }
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                assert!(depth >= 0, "unbalanced braces");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced braces");
    assert!(tex.contains("{[}1in{]}"), "the [1in] label is kept");
}

/// Checks every file of a report written with hostile labels.
fn check_report(files: &[PathBuf], labels: &[String]) {
    let mut svgs = 0;
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        let ext = path.extension().unwrap().to_str().unwrap();
        let name = path.display();
        if ext != "csv" && ext != "json" {
            if let Some(c) = text.chars().find(|&c| hidden(c)) {
                panic!("{name}: raw {c:?}");
            }
        }
        match ext {
            "svg" => {
                svgs += 1;
                roxmltree::Document::parse(&text)
                    .unwrap_or_else(|e| panic!("{name} is not XML: {e}"));
            }
            "html" => {
                for raw in ["<script", "<img", "<i>"] {
                    assert!(!text.contains(raw), "{raw} in {name}");
                }
                assert!(text.contains("\\u{1b}[31mred"), "ESC shown as \\u{{1b}}");
                let figures = text.matches("<figure id=\"").count();
                assert!(figures > 0);
                for id in text.split("<figure id=\"").skip(1) {
                    let id = &id[..id.find('"').unwrap()];
                    assert!(path.with_file_name(format!("report-{id}.svg")).is_file());
                }
            }
            "md" => check_markdown(&text),
            "tex" if path.to_string_lossy().ends_with("-standalone.tex") => {
                assert!(text.contains("\\input{report.tex}"), "{name}")
            }
            "tex" => check_latex(&text),
            "txt" => assert!(text.contains("\\u{1b}[31mred")),
            "json" => {
                let j: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert!(j.to_string().contains("\\u001b[31mred"));
                assert!(!text.contains(['\u{0}', '\u{1b}', '\r']), "raw C0 in JSON");
            }
            "csv" => {
                // Labels with CR and LF are quoted: every label reads back intact.
                let mut r = csv::Reader::from_reader(text.as_bytes());
                let groups: Vec<String> = r.records().map(|x| x.unwrap()[2].to_string()).collect();
                for l in labels {
                    assert!(groups.contains(l), "{l:?} is not a group of the CSV");
                }
            }
            _ => panic!("unexpected file {name}"),
        }
    }
    assert!(svgs > 0, "figures were written");
}

#[test]
fn hostile_labels_are_inert_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let labels = hostile_labels();
    let f = write(dir.path(), "c.csv", &comparisons(&labels));
    let files = report("verify", &f, &dir.path().join("verify"));
    check_report(&files, &labels);
    let f = write(dir.path(), "i.csv", &items(&labels));
    let files = report("classify", &f, &dir.path().join("classify"));
    check_report(&files, &labels);
}

/// The names of the SVG files in `dir`.
fn svg_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".svg"))
        .collect()
}

#[test]
fn figure_names_are_bounded_distinct_and_carry_the_stem() {
    let dir = tempfile::tempdir().unwrap();
    // `Race` and `race` differ only in case; the third name is 306 bytes.
    let long = "attribute".repeat(34);
    let mut text = format!("score,mated,Race_a,Race_b,race_a,race_b,{long}_a,{long}_b\n");
    for (k, (g, h)) in [("A", "x"), ("B", "y")].iter().enumerate() {
        for i in 0..4 {
            text.push_str(&format!("0.{}{i},1,{g},{g},{h},{h},{g},{g}\n", 7 + k));
            text.push_str(&format!("0.{}{i},0,{g},{g},{h},{h},{g},{g}\n", 2 + k));
        }
        text.push_str(&format!("0.5{k},0,A,B,x,y,A,B\n"));
    }
    let f = write(dir.path(), "c.csv", &text);
    let out = dir.path().join("out");
    let files = report_with(
        "verify",
        &f,
        &out,
        &[
            "--attr",
            &format!("Race,race,{long}"),
            "--threshold",
            "global-fmr:0.25",
        ],
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let names = svg_names(&out);
    assert_eq!(files.len(), 7 + names.len());
    // Every figure of the page has its own file, named after the report.
    assert_eq!(names.len(), html.matches("<figure id=\"").count());
    let folded: std::collections::HashSet<String> =
        names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(folded.len(), names.len(), "{names:?}");
    for n in &names {
        assert!(n.starts_with("report-") && n.len() <= 100, "{n}");
    }
    // 4 views (Race, race, the long one, their intersection), 7 figures each:
    // FMR and FNMR bars, cross-group FMR, DET, scores, FMR and FNMR against threshold.
    assert_eq!(names.len(), 4 * 7, "{names:?}");
}

#[test]
fn a_report_directory_is_written_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "c.csv",
        "score,mated,race\n0.9,1,A\n0.1,0,A\n0.8,1,B\n0.2,0,B\n",
    );
    let out = dir.path().join("out");
    // A directory where the LaTeX report goes: nothing may be written.
    std::fs::create_dir_all(out.join("report.tex")).unwrap();
    let run = biasbench()
        .arg("verify")
        .arg(&f)
        .args(["--attr", "race", "--report"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("report.tex") && err.contains("is a directory"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

/// With `pdflatex` on the PATH, the hostile report compiles in the OT1 and
/// T1 font encodings (without it, the test says loudly that it checked nothing).
#[test]
fn hostile_latex_compiles_when_pdflatex_is_present() {
    use std::io::Write;
    use std::process::Command;
    if Command::new("pdflatex").arg("--version").output().is_err() {
        let msg = "SKIPPED: pdflatex is absent; the LaTeX escaping is checked structurally only\n";
        let _ = std::io::stderr().write_all(msg.as_bytes());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let labels = hostile_labels();
    let f = write(dir.path(), "c.csv", &comparisons(&labels));
    report("verify", &f, &dir.path().join("r"));
    for (name, encoding) in [("ot1", ""), ("t1", "\\usepackage[T1]{fontenc}")] {
        let doc = format!(
            "\\documentclass{{article}}{encoding}\\usepackage{{booktabs,graphicx,pgfplots}}\n\
             \\begin{{document}}\\input{{r/report}}\\end{{document}}\n"
        );
        write(dir.path(), &format!("{name}.tex"), &doc);
        let out = Command::new("pdflatex")
            .args(["-interaction=nonstopmode", "-halt-on-error"])
            .arg(format!("{name}.tex"))
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// An error message quoting a name from the command line or the data shows
/// its control characters escaped: none reaches the terminal.
#[test]
fn error_messages_show_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", "score,mated,race\n0.9,1,A\n0.1,0,B\n");
    let out = biasbench()
        .arg("verify")
        .arg(&f)
        .args(["--attr", "\u{1b}[2Jrace\r"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    assert!(err.contains("\\u{1b}[2Jrace\\u{d}"), "{err}");
}
