//! The crate's layers hold: every `crate::` path in non-test library code
//! points to its own layer or one below, and no engine imports another.
//!
//! math → stats → input → groups → counts → engine → bootstrap → report →
//! render → app → cli; `error` and `progress` may be used from anywhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Layer rank of a top-level module (`None`: usable from every layer).
fn rank(module: &str) -> Option<usize> {
    const ORDER: [&str; 12] = [
        "math",
        "stats",
        "input",
        "groups",
        "counts",
        "value",
        "engine",
        "bootstrap",
        "report",
        "render",
        "app",
        "cli",
    ];
    match module {
        "error" | "progress" => None,
        m => Some(
            ORDER
                .iter()
                .position(|x| *x == m)
                .unwrap_or_else(|| panic!("module {m} has no layer: add it to tests/layers.rs")),
        ),
    }
}

/// Edges allowed against the order while they are being removed (must stay empty).
const EXCEPTIONS: &[(&str, &str)] = &[];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file below `src` (`engine/verify/mod.rs` → ["engine", "verify"]).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The `crate::a::b` paths used in code (comments and `#[cfg(test)]` modules cut).
fn edges(text: &str) -> BTreeSet<Vec<String>> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let tail = &rest[i + 7..];
            let path: Vec<String> = tail
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty())
                .take(2)
                .collect();
            if !path.is_empty() {
                out.insert(path);
            }
            rest = tail;
        }
    }
    out
}

#[test]
fn every_edge_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut bad = Vec::new();
    let mut seen = 0;
    for f in &all {
        let module = module_of(&src, f);
        let top = module[0].as_str();
        if matches!(top, "main" | "cli" | "lib") {
            continue; // the binary and the facade sit above every layer
        }
        let from = rank(top);
        for path in edges(&std::fs::read_to_string(f).unwrap()) {
            seen += 1;
            let to_top = path[0].as_str();
            let allowed = match (from, rank(to_top)) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => b < a || (b == a && sibling_ok(&module, &path)),
            };
            if !allowed && !EXCEPTIONS.contains(&(top, to_top)) {
                bad.push(format!(
                    "{}: crate::{}",
                    f.strip_prefix(&src).unwrap().display(),
                    path.join("::")
                ));
            }
        }
    }
    assert!(seen > 100, "found only {seen} edges: is the parser broken?");
    assert!(
        bad.is_empty(),
        "edges against the layer order:\n{}",
        bad.join("\n")
    );
    assert!(EXCEPTIONS.is_empty(), "the exception list must be empty");
}

/// Within one layer: an engine never imports another engine.
fn sibling_ok(from: &[String], to: &[String]) -> bool {
    from[0] != "engine" || to.len() < 2 || from.get(1) == to.get(1)
}

#[test]
fn the_parser_sees_edges_and_skips_comments_and_tests() {
    let text = "use crate::stats::rate::Rate; // crate::app::x\n/// [`crate::render`]\nfn f() { crate::input::x(); }\n#[cfg(test)]\nmod tests { use crate::app::demo; }\n";
    let e = edges(text);
    let want: BTreeSet<Vec<String>> = [vec!["stats", "rate"], vec!["input", "x"]]
        .iter()
        .map(|v| v.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(e, want);
    assert!(!sibling_ok(
        &["engine".into(), "identify".into()],
        &["engine".into(), "verify".into()]
    ));
}
