//! Help that teaches: the shared flags described in each task's own terms,
//! and two or three runnable examples at the end of every subcommand's
//! `--help` (on the data in the repository).

use clap::{Command, CommandFactory};

/// Per task: (subcommand, [(flag id, help in that task's terms)], examples).
type TaskHelp = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const TASKS: [TaskHelp; 11] = [
    (
        "verify",
        &[
            ("attr", "Demographic attributes: columns X_a/X_b (each side's value), else X, else the --subjects table [default: none; one pooled view]"),
            ("min_group_size", "Groups whose smaller of mated and same-group non-mated counts is below this stay in the tables, flagged, and out of the summaries"),
            ("reference", "Reference group of the tests: largest (most comparisons; a tie within 1e-9 keeps the first group in table order), best (lowest EER), or ATTRIBUTE=VALUE (repeatable, one per attribute) [default: largest]"),
            ("bootstrap_rows", "Resample comparisons instead of subjects even when subject ids are known"),
        ],
        "Examples:
  biasbench verify fixtures/golden/verify_random.csv --attr race,sex
  biasbench verify fixtures/golden/verify_random.csv --attr race --threshold global-fmr:1e-2 --threshold fixed:0.6 --report out/
  biasbench verify fixtures/golden/verify_random.csv --attr race --bootstrap 1000 --compare A,B --format json",
    ),
    (
        "identify",
        &[
            ("attr", "Demographic attributes of the searches (columns X), else the --subjects table of probe subjects [default: none; one pooled view]"),
            ("min_group_size", "Groups with fewer searches than this stay in the tables, flagged, and out of the summaries"),
            ("reference", "Reference group of the tests: largest (most searches; a tie within 1e-9 keeps the first group in table order), best (lowest FNIR), or ATTRIBUTE=VALUE (repeatable) [default: largest]"),
            ("bootstrap_rows", "Refused: the unit of the 1:N bootstrap is the search"),
        ],
        "Examples:
  biasbench identify fixtures/tidy/inputs/identify_searches.csv --attr race
  biasbench identify fixtures/tidy/inputs/identify_searches.csv --attr race --threshold fixed:0.5 --rank 1 --rank 5
  biasbench identify fixtures/tidy/inputs/identify_candidates.csv --searches fixtures/tidy/inputs/identify_lists_searches.csv --subjects fixtures/tidy/inputs/identify_subjects.csv --attr race,sex",
    ),
    (
        "classify",
        &[
            ("attr", "Demographic attributes: columns X, else the --subjects table [default: none; one pooled view]"),
            ("min_group_size", "Groups with fewer items than this stay in the tables, flagged, and out of the summaries"),
            ("reference", "Reference group of the tests and of AIF360's forms: largest (most items, or weight; a tie within 1e-9 keeps the first group in table order), best (lowest error rate), or ATTRIBUTE=VALUE (repeatable) [default: largest]"),
            ("bootstrap_rows", "Resample items instead of subjects even when --subject is given"),
        ],
        "Examples:
  biasbench classify fixtures/golden/classify_plain.csv --attr race,sex
  biasbench classify fixtures/golden/classify_plain.csv --score score --cutoff 0.5 --attr race --reference race=B
  biasbench classify fixtures/golden/classify_weighted.csv --attr race --weight w --format csv",
    ),
    (
        "estimate",
        &[
            ("attr", "Demographic attributes: columns X, else the --subjects table [default: none; one pooled view]"),
            ("min_group_size", "Groups with fewer rows than this stay in the tables, flagged, and out of the summaries"),
            ("reference", "Reference group of the tests: largest (most rows, or weight; a tie within 1e-9 keeps the first group in table order), best (lowest MAE), or ATTRIBUTE=VALUE (repeatable) [default: largest]"),
            ("bootstrap_rows", "Resample rows instead of subjects even when --subject is given"),
        ],
        "Examples:
  biasbench estimate fixtures/estimate/ages.csv --y-true age --y-pred predicted_age --attr sex,region
  biasbench estimate fixtures/estimate/ages.csv --y-true age --y-pred predicted_age --attr region --subject subject_id --challenge 18:25 --challenge 18:25:13-17:18-30
  biasbench estimate fixtures/estimate/ages.csv --y-true age --y-pred predicted_age --attr sex --age-bands 0-12,13-17,18-24,25- --cs 1,5,10 --weight w --format csv",
    ),
    (
        "summarize",
        &[],
        "Examples:
  biasbench summarize fixtures/nist_annex15_visionlabs006.csv
  biasbench summarize fixtures/tidy/inputs/summarize_trials.csv --group lab,sex --rates fmr,fnmr --trials fmr=n_fmr --trials fnmr=n_fnmr --percent",
    ),
    (
        "compare",
        &[],
        "Examples:
  biasbench compare verify fixtures/compare/two_models.csv --score-a score --score-b score_b --attr race --threshold global-fmr:1e-2
  biasbench compare verify fixtures/compare/two_models.csv --score-a score --score-b score_b --name-a v1 --name-b v2 --attr race --bootstrap 2000 --seed 7 --report out/",
    ),
    (
        "merge",
        &[],
        "Examples:
  biasbench verify shard1/ --stream --attr race --emit-partial p1.json   (each shard: a directory of .npy columns)
  biasbench merge p1.json p2.json --report out/",
    ),
    (
        "check",
        &[],
        "Exit codes: 0 every gate passes; 1 a gate fails; 3 a gate is inconclusive (fewer trials than its
min_trials, or undefined) and none fails; 2 a usage or input error (a misspelt key, metric or group
names its line).

Examples:
  biasbench check --init verify
  biasbench check fixtures/gate/verify_random.toml --report out/
  biasbench check audit.toml --baseline last-release.json --junit gate.xml",
    ),
    (
        "demo",
        &[],
        "Examples:
  biasbench demo
  biasbench demo --out-dir /tmp/demo",
    ),
    (
        "simulate",
        &[],
        "Examples:
  biasbench simulate --out sim.csv --seed 7 --group race=A,mated_mean=5,nonmated_mean=0 --group race=B,mated_mean=4.5,nonmated_mean=0.4 --subjects-per-group 200
  biasbench simulate --task estimate --out sim.csv --group sex=F,bias=-0.5,spread=4 --group sex=M,bias=1,spread=5
  biasbench verify sim.csv --attr race",
    ),
    (
        "power",
        &[],
        "Examples:
  biasbench power --rate 1e-4 --ratio 2 --per-subject 1000 --icc 0.001
  biasbench power --rate 0.05 --relative-width 0.2 --per-subject 10 --icc 0.05
  biasbench power --rate 0.05 --ratio 2 --json",
    ),
];

/// The command line with each task's help.
pub fn command() -> Command {
    TASKS.iter().fold(
        super::args::Cli::command(),
        |cli, &(name, flags, examples)| {
            cli.mut_subcommand(name, |sub| {
                flags
                    .iter()
                    .fold(sub, |sub, &(id, help)| sub.mut_arg(id, |a| a.help(help)))
                    .after_help(examples)
            })
        },
    )
}
