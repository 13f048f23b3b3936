//! The in-memory builders give the same data, and so the same audit, as the
//! table readers on the same rows.

use biasbench::counts::threshold::Policy;
use biasbench::engine::classify::{self, ClassifyOptions};
use biasbench::engine::identify::{self, IdentifyOptions};
use biasbench::engine::verify::{self, VerifyOptions};
use biasbench::input::{
    Accounting, ClassifyColumns, Comparisons, IdentifyColumns, Labelled, Searches, Table,
    VerifyColumns,
};
use ndarray::{Array1, ArrayView1};

fn table(text: &str) -> Table {
    let bytes = text.as_bytes().to_vec();
    Table::from_reader(
        "t.csv".into(),
        Box::new(std::io::Cursor::new(bytes)),
        Default::default(),
    )
    .unwrap()
}

fn json(x: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(x).unwrap()
}

/// The cells of each data row of a CSV text (no quoting).
fn cells(text: &str) -> Vec<Vec<&str>> {
    let rows = text.lines().skip(1);
    rows.map(|l| l.split(',').collect()).collect()
}

/// Rows, used rows, and each drop reason with its count.
fn counts(a: &Accounting) -> (u64, u64, Vec<(String, u64)>) {
    let dropped = a
        .dropped
        .iter()
        .map(|d| (d.reason.as_str().into_owned(), d.count));
    (a.rows, a.used, dropped.collect())
}

const COMPARISONS: &str = "\
subject_a,subject_b,score,mated,race_a,race_b,sex
s1,s1,0.91,1,A,A,F
s2,s2,0.62,1,A,A,M
s3,s3,0.55,1,B,B,F
s4,s4,0.35,1,B,B,M
s5,s5,0.81,1,C,C,F
s1,s2,0.52,0,A,A,F
s1,s3,0.44,0,A,B,F
s2,s4,0.12,0,A,B,M
s3,s4,0.58,0,B,B,M
s3,s5,0.23,0,B,C,F
s4,s5,0.61,0,B,C,M
s5,s1,0.05,0,C,A,F
s2,s3,0.49,0,A,B,M
s5,s2,0.37,0,C,,
";

#[test]
fn comparisons_equal_the_reader() {
    let cols = VerifyColumns {
        attrs: vec!["race".into(), "sex".into()],
        ..Default::default()
    };
    let read = Comparisons::read(table(COMPARISONS), &cols).unwrap();

    let rows = cells(COMPARISONS);
    let column = |j: usize| -> Vec<&str> { rows.iter().map(|r| r[j]).collect() };
    let score: Array1<f64> = column(2).iter().map(|s| s.parse().unwrap()).collect();
    let mated: Vec<bool> = column(3).iter().map(|&m| m == "1").collect();
    // Race as codes per side (u32::MAX: missing), the rest as text.
    let names = ["C", "A", "B"];
    let code = |v: &str| {
        names
            .iter()
            .position(|n| *n == v)
            .map_or(u32::MAX, |c| c as u32)
    };
    let race_a: Vec<u32> = column(4).into_iter().map(code).collect();
    let race_b: Vec<u32> = column(5).into_iter().map(code).collect();
    let (a, b, sex) = (column(0), column(1), column(6));
    let built = Comparisons::builder()
        .scores(score.view())
        .mated(ArrayView1::from(&mated[..]))
        .subjects(&a, &b)
        .attribute_codes_per_side("race", &race_a, &race_b, &names)
        .attribute("sex", &sex)
        .drop_unusable(true)
        .build()
        .unwrap();

    assert_eq!(built.score, read.score);
    assert_eq!(built.mated, read.mated);
    assert_eq!(
        (built.subject_a.clone(), built.subject_b.clone()),
        (read.subject_a.clone(), read.subject_b.clone())
    );
    assert_eq!(built.n_subjects, read.n_subjects);
    assert_eq!(json(&built.attributes), json(&read.attributes));
    for (x, y) in built.attributes.iter().zip(&read.attributes) {
        assert_eq!((&x.side_a, &x.side_b), (&y.side_a, &y.side_b));
    }
    assert_eq!(counts(&built.accounting), counts(&read.accounting));
    assert_eq!((read.accounting.rows, read.accounting.used), (14, 13));
    let options = VerifyOptions {
        policies: ["fixed:0.5", "global-fmr:0.25", "group-fmr:0.5"]
            .iter()
            .map(|p| Policy::parse(p))
            .collect::<Result<_, _>>()
            .unwrap(),
        ..Default::default()
    };
    let want = json(&verify::audit(&read, &options).unwrap());
    assert_eq!(json(&verify::audit(&built, &options).unwrap()), want);
}

const SEARCHES: &str = "\
mated,mate_rank,mate_score,nonmate_score,race
1,1,0.9,0.4,A
1,2,0.5,0.6,A
1,,,0.7,B
1,1,0.8,,B
0,,,0.65,A
0,,,0.3,B
0,,,,B
0,,,0.55,A
";

#[test]
fn searches_equal_the_reader() {
    let cols = IdentifyColumns {
        attrs: vec!["race".into()],
        distance: true,
        ..Default::default()
    };
    let read = Searches::read(table(SEARCHES), &cols).unwrap();

    let rows = cells(SEARCHES);
    let number = |j: usize| -> Vec<f64> {
        rows.iter()
            .map(|r| r[j].parse().unwrap_or(f64::NAN))
            .collect()
    };
    let mated: Vec<bool> = rows.iter().map(|r| r[0] == "1").collect();
    let rank: Vec<u32> = rows.iter().map(|r| r[1].parse().unwrap_or(0)).collect();
    let race: Vec<String> = rows.iter().map(|r| r[4].to_string()).collect();
    let (mate, top) = (number(2), number(3));
    let built = Searches::builder()
        .mated(&mated)
        .mate_rank(&rank)
        .mate_score(&mate)
        .nonmate_score(&top)
        .attribute("race", &race)
        .distance(true)
        .build()
        .unwrap();

    assert_eq!(
        (&built.mated, &built.mate_rank),
        (&read.mated, &read.mate_rank)
    );
    assert_eq!(
        (&built.mate_score, &built.top_nonmate),
        (&read.mate_score, &read.top_nonmate)
    );
    let options = IdentifyOptions {
        ranks: vec![1, 2],
        distance: true,
        ..Default::default()
    };
    let want = json(&identify::audit(&read, &options).unwrap());
    assert_eq!(json(&identify::audit(&built, &options).unwrap()), want);
}

const ITEMS: &str = "\
y_true,y_pred,score,w,subject,race
yes,yes,0.9,1,p1,A
no,yes,0.7,2,p2,A
yes,no,0.2,1,p1,B
no,no,0.1,0.5,p3,B
maybe,no,0.4,1,p4,A
yes,maybe,0.8,1,p2,B
no,no,0.3,1,p5,
";

/// The classification audit of the items, decided by the options.
fn classified(l: &Labelled, o: &ClassifyOptions) -> String {
    let d = o.positives().decide(l).unwrap();
    json(&classify::audit(l, &d, o).unwrap())
}

#[test]
fn items_equal_the_reader() {
    let rows = cells(ITEMS);
    let column = |j: usize| -> Vec<&str> { rows.iter().map(|r| r[j]).collect() };
    let number = |j: usize| -> Vec<f64> { column(j).iter().map(|s| s.parse().unwrap()).collect() };
    let (truth, pred, subject, race) = (column(0), column(1), column(4), column(5));
    let (score, weight) = (number(2), number(3));

    // Labels: binary with named positives, and multiclass; weighted, with subjects.
    let cols = ClassifyColumns {
        weight: Some("w".into()),
        subject: Some("subject".into()),
        attrs: vec!["race".into()],
        ..Default::default()
    };
    let read = Labelled::read(table(ITEMS), &cols).unwrap();
    let built = Labelled::builder()
        .truth(&truth)
        .pred(&pred)
        .weights(&weight)
        .subjects(&subject)
        .attribute("race", &race)
        .drop_unusable(true)
        .build()
        .unwrap();
    assert_eq!(counts(&built.accounting), counts(&read.accounting));
    assert_eq!((read.accounting.rows, read.accounting.used), (7, 6));
    assert_eq!(
        (&built.labels, &built.y_true, &built.y_pred),
        (&read.labels, &read.y_true, &read.y_pred)
    );
    assert_eq!(
        (&built.subject, built.n_subjects),
        (&read.subject, read.n_subjects)
    );
    let positive = vec!["yes".to_string()];
    for o in [
        ClassifyOptions {
            true_positive: positive.clone(),
            ..Default::default()
        },
        ClassifyOptions::default(),
    ] {
        assert_eq!(classified(&built, &o), classified(&read, &o));
    }

    // Scores with a cutoff, labels as codes.
    let cols = ClassifyColumns {
        score: Some("score".into()),
        attrs: vec!["race".into()],
        ..Default::default()
    };
    let read = Labelled::read(table(ITEMS), &cols).unwrap();
    let names = ["yes", "no", "maybe"];
    let codes: Vec<u32> = truth
        .iter()
        .map(|t| names.iter().position(|n| n == t).unwrap() as u32)
        .collect();
    let built = Labelled::builder()
        .truth_codes(&codes, &names)
        .scores(&score)
        .attribute("race", &race)
        .drop_unusable(true)
        .build()
        .unwrap();
    let o = ClassifyOptions {
        true_positive: positive,
        cutoff: Some(0.5),
        ..Default::default()
    };
    assert_eq!(classified(&built, &o), classified(&read, &o));
}

#[test]
fn yes_no_flags_read_as_labels() {
    let text = "y_true,y_pred\n1,1\n0,1\n1,0\n0,0\n1,1\n";
    let read = Labelled::read(table(text), &ClassifyColumns::default()).unwrap();
    let built = Labelled::builder()
        .truth_flags(&[true, false, true, false, true])
        .pred_flags(&[true, true, false, false, true])
        .build()
        .unwrap();
    let o = ClassifyOptions::default();
    assert_eq!(classified(&built, &o), classified(&read, &o));
}
