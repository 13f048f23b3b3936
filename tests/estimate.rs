//! `biasbench estimate` end to end: bad input named, every row accounted
//! for, every input form and format, the library's front door, thread-count
//! independence, the bootstrap, and the simulated truth recovered.

mod common;

use biasbench::app::simulate::AgePopulation;
use biasbench::engine::estimate::{self, Challenge, EstimateOptions};
use biasbench::input::npy::write_npy;
use biasbench::input::{Ages, EstimateColumns, Table};
use common::{biasbench, fails, json, ok, root};
use serde_json::Value;

const AGES: &str = "fixtures/estimate/ages.csv";

fn flags() -> Vec<&'static str> {
    vec![
        "--y-true",
        "age",
        "--y-pred",
        "predicted_age",
        "--attr",
        "sex",
        "--attr",
        "region",
        "--challenge",
        "18:25",
        "--reproducible",
    ]
}

/// The audit part of a JSON report (the provenance names the files).
fn audit(mut j: Value) -> Value {
    j.as_object_mut().unwrap().remove("provenance");
    j["accounting"].as_object_mut().unwrap().remove("dropped");
    j["estimate"].as_object_mut().unwrap().remove("notes");
    j["estimate"]
        .as_object_mut()
        .unwrap()
        .remove("out_of_range");
    j
}

#[test]
fn bad_ages_are_named_or_dropped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.csv");
    std::fs::write(&f, "age,predicted_age,sex\n30,29,F\nthirty,28,M\n").unwrap();
    let e = fails(
        "estimate",
        &f,
        &["--y-true", "age", "--y-pred", "predicted_age"],
    );
    assert!(
        e.contains("a.csv:3: column 'age', value \"thirty\": not a number"),
        "{e}"
    );
    std::fs::write(
        &f,
        "age,predicted_age,sex\n30,29,F\n,28,M\n-2,5,F\n17,NaN,M\n40,,F\n50,150,M\n12,-3,F\n20,21,\n",
    )
    .unwrap();
    let args = [
        "--y-true",
        "age",
        "--y-pred",
        "predicted_age",
        "--attr",
        "sex",
    ];
    let j = json("estimate", &f, &args);
    let dropped: Vec<(&str, u64)> = j["accounting"]["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["reason"].as_str().unwrap(), d["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        dropped,
        [
            ("missing true age", 1),
            ("negative or non-finite true age", 1),
            ("non-finite estimated age", 1),
            ("missing estimated age", 1),
            ("missing group in every attribute", 1)
        ]
    );
    assert_eq!(j["accounting"]["used"], 3);
    let e = &j["estimate"];
    assert_eq!(e["out_of_range"]["rows"], 2);
    assert!(e["notes"][0]
        .as_str()
        .unwrap()
        .contains("2 estimates lie outside [0, 130] years and are kept"));
    let pooled = &e["views"][0]["groups"][0];
    // The kept estimates: errors −1, 100 and −15.
    assert_eq!(pooled["errors"][0]["value"], 116.0 / 3.0);
    let text = ok("estimate", &f, &args);
    assert!(text.contains("outside [0, 130]"), "{text}");
    let strict = fails("estimate", &f, &[&args[..], &["--strict"]].concat());
    assert!(strict.contains("a.csv:3: column 'age'"), "{strict}");
    assert!(strict.contains("missing true age"), "{strict}");
}

#[test]
fn every_input_form_gives_the_same_audit() {
    let dir = tempfile::tempdir().unwrap();
    let csv = root().join(AGES);
    let want = audit(json("estimate", &csv, &flags()));
    let text = std::fs::read_to_string(&csv).unwrap();
    // TSV, gzip.
    let tsv = dir.path().join("a.tsv");
    std::fs::write(&tsv, text.replace(',', "\t")).unwrap();
    let gz = dir.path().join("a.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    for f in [&tsv, &gz] {
        assert_eq!(
            audit(json("estimate", f, &flags())),
            want,
            "{}",
            f.display()
        );
    }
    // A directory of .npy columns.
    let npy = dir.path().join("npy");
    std::fs::create_dir_all(&npy).unwrap();
    let mut r = csv::Reader::from_path(&csv).unwrap();
    let (mut age, mut pred, mut sex, mut region) = (vec![], vec![], vec![], vec![]);
    for row in r.records() {
        let row = row.unwrap();
        age.push(row[3].parse::<f64>().unwrap());
        pred.push(row[4].parse::<f64>().unwrap());
        sex.push(row[1].to_string());
        region.push(row[2].to_string());
    }
    let f64s = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    write_npy(&npy.join("age.npy"), "<f8", age.len(), &f64s(&age)).unwrap();
    write_npy(
        &npy.join("predicted_age.npy"),
        "<f8",
        pred.len(),
        &f64s(&pred),
    )
    .unwrap();
    for (name, values) in [("sex", &sex), ("region", &region)] {
        let mut labels: Vec<&String> = values.iter().collect();
        labels.sort();
        labels.dedup();
        let codes: Vec<u8> = values
            .iter()
            .map(|v| labels.iter().position(|l| *l == v).unwrap() as u8)
            .collect();
        write_npy(&npy.join(format!("{name}.npy")), "|u1", codes.len(), &codes).unwrap();
        let names: Vec<&str> = labels.iter().map(|s| s.as_str()).collect();
        std::fs::write(
            npy.join(format!("{name}.labels.txt")),
            names.join("\n") + "\n",
        )
        .unwrap();
    }
    let from_npy = audit(json("estimate", &npy, &flags()));
    assert_eq!(from_npy["estimate"]["views"], want["estimate"]["views"]);
}

#[test]
fn the_library_front_door_gives_the_readers_audit() {
    let csv = root().join(AGES);
    let cols = EstimateColumns {
        y_true: "age".into(),
        y_pred: "predicted_age".into(),
        attrs: vec!["sex".into()],
        ..Default::default()
    };
    let read = Ages::read(
        Table::open(
            &csv,
            Default::default(),
            std::sync::Arc::new(biasbench::progress::NoProgress),
        )
        .unwrap(),
        &cols,
    )
    .unwrap();
    let sex: Vec<String> = read.attributes[0]
        .side_a
        .iter()
        .map(|&c| read.attributes[0].values[c as usize].clone())
        .collect();
    let built = Ages::builder()
        .truth(&read.truth[..])
        .estimates(&read.estimate[..])
        .attribute("sex", &sex)
        .build()
        .unwrap();
    let o = EstimateOptions {
        challenges: vec![Challenge::parse("18:25").unwrap()],
        ..Default::default()
    };
    let (a, b) = (
        estimate::audit(&read, &o).unwrap(),
        estimate::audit(&built, &o).unwrap(),
    );
    assert_eq!(
        serde_json::to_value(&a.views).unwrap(),
        serde_json::to_value(&b.views).unwrap()
    );
}

#[test]
fn reports_do_not_depend_on_the_thread_count_and_bootstrap_subjects() {
    let csv = root().join(AGES);
    let run = |threads: &str| {
        let out = biasbench()
            .env("RAYON_NUM_THREADS", threads)
            .arg("estimate")
            .arg(&csv)
            .args(flags())
            .args([
                "--subject",
                "subject_id",
                "--weight",
                "w",
                "--bootstrap",
                "60",
                "--seed",
                "3",
            ])
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("3"));
    let j: Value = serde_json::from_slice(&one).unwrap();
    let b = &j["bootstrap"];
    assert_eq!(b["unit"], "subject");
    let mae = b["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metric"] == "median_ae" && i["group"] == "F" && i["attribute"] == "sex")
        .expect("a bootstrap interval of the median");
    assert!(mae["low"].as_f64().unwrap() <= mae["high"].as_f64().unwrap());
}

#[test]
fn every_format_opens_with_the_findings() {
    let csv = root().join(AGES);
    for format in ["table", "markdown", "html", "latex"] {
        let out = ok(
            "estimate",
            &csv,
            &[&flags()[..], &["--format", format]].concat(),
        );
        let findings = out
            .find("Findings")
            .unwrap_or_else(|| panic!("{format}: {out}"));
        let errors = out.find("age-estimation error").unwrap_or(usize::MAX);
        assert!(findings < errors, "{format}");
        assert!(
            out.contains("MAE") && out.contains("false-admit rate"),
            "{format}"
        );
    }
    let j = json("estimate", &csv, &flags());
    let rates: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rate"].as_str().unwrap())
        .collect();
    assert!(
        rates.contains(&"mae") && rates.contains(&"false_admit"),
        "{rates:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    std::fs::write(&path, serde_json::to_string(&j).unwrap()).unwrap();
    let back = biasbench::report::Report::read(&path).unwrap();
    assert!(back.estimate().is_some());
}

/// The simulated population's per-group bias is recovered: each group's
/// mean signed error lies within 4 standard errors of the bias it was
/// built with, and the MAE ranking follows the spreads.
#[test]
fn simulated_bias_is_recovered() {
    let p = AgePopulation::demo();
    let mut data = Vec::new();
    p.write_csv(&mut data).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ages.csv");
    std::fs::write(&f, data).unwrap();
    let j = json(
        "estimate",
        &f,
        &[
            "--y-true",
            "age",
            "--y-pred",
            "predicted_age",
            "--attr",
            "sex",
            "--attr",
            "region",
            "--subject",
            "subject_id",
        ],
    );
    let view = j["estimate"]["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["attribute"] == "sex+region")
        .unwrap();
    for spec in &p.groups {
        let name = format!("{}+{}", spec.attrs[0].1, spec.attrs[1].1);
        let g = view["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == name.as_str())
            .unwrap();
        let bias = &g["errors"][1];
        let (v, se) = (
            bias["value"].as_f64().unwrap(),
            bias["se"].as_f64().unwrap(),
        );
        assert!(
            (v - spec.bias).abs() < 4.0 * se,
            "{name}: bias {v} ± {se}, built {}",
            spec.bias
        );
    }
}

/// Unused columns do not matter and the weights column is optional.
#[test]
fn a_weight_column_of_ones_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(AGES)).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out += line;
        out += if i == 0 { ",one\n" } else { ",1\n" };
    }
    let f = dir.path().join("ones.csv");
    std::fs::write(&f, out).unwrap();
    let plain = audit(json("estimate", &root().join(AGES), &flags()));
    let mut ones = audit(json(
        "estimate",
        &f,
        &[&flags()[..], &["--weight", "one"]].concat(),
    ));
    ones["estimate"]["weighted"] = Value::Bool(false);
    assert_eq!(plain["estimate"], ones["estimate"]);
}
