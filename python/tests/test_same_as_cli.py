"""The package gives the CLI's results byte for byte on the same data."""

import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import biasbench
from conftest import DEMO_FLAGS, REPO, cli_flags, without_provenance


def cli_csv(cli, *args):
    return cli(*args, "--format", "csv", "--reproducible").stdout


def data_lines(csv):
    """The tidy CSV's lines but provenance's."""
    return [line for line in csv.splitlines() if ",provenance," not in line]


def cli_json(cli, *args):
    return json.loads(cli(*args, "--format", "json", "--reproducible").stdout)


def as_csv_position(accounting, file):
    """A table in memory numbers rows from 1 (as the CLI does for `.npy`
    and Parquet); a CSV file's line 1 is its header: the same place is one
    line further down, in a file with another name."""
    for d in accounting.get("dropped", []):
        first = d.get("first")
        if first:
            assert first["file"].startswith("<"), first
            first["file"] = file
            first["line"] += 1
    return accounting


def without_missing_text(accounting):
    """pandas reads `NA` and the like as NaN: a missing cell's text is gone
    before biasbench sees it (the row is dropped for the same reason)."""
    for d in accounting.get("dropped", []):
        if d["reason"].startswith("missing") and d.get("first"):
            d["first"].pop("value")
    return accounting


def assert_same(report, cli, *args, positions=lambda j: j):
    """Tidy frame equal (provenance apart) and JSON equal apart from provenance
    (and the name of the table in the row accounting's positions, and in what
    `positions` rewrites of the package's JSON)."""
    theirs = cli_csv(cli, *args)
    assert data_lines(report.render("csv")) == data_lines(theirs)
    pd.testing.assert_frame_equal(
        without_provenance(report.tidy()),
        without_provenance(biasbench.read_tidy(io.StringIO(theirs))),
    )
    frame = report.tidy()
    assert frame["value"].dtype == float and (frame["group"] == "").any()
    mine, theirs = report.json(), cli_json(cli, *args)
    for j in (mine, theirs):
        j.pop("provenance")
    as_csv_position(mine["accounting"], str(args[1]))
    mine = positions(mine)
    for j in (mine, theirs):
        without_missing_text(j["accounting"])
    assert mine == theirs


@pytest.mark.parametrize("kind", ["pandas", "arrow", "numpy"])
def test_demo_verify_equals_cli(cli, demo_csv, kind):
    df = pd.read_csv(demo_csv)
    data = {
        "pandas": df,
        "arrow": pa.Table.from_pandas(df, preserve_index=False),
        "numpy": {c: df[c].to_numpy() for c in df.columns},
    }[kind]
    report = biasbench.verify(data, reproducible=True, **DEMO_FLAGS)
    assert_same(report, cli, "verify", demo_csv, *cli_flags(DEMO_FLAGS))


def test_demo_bootstrap_equals_cli(cli, demo_csv):
    df = pd.read_csv(demo_csv)
    report = biasbench.verify(
        df, attrs=["race"], thresholds=["global-fmr:1e-3"], bootstrap=50, seed=7, reproducible=True
    )
    args = ["verify", demo_csv, "--attr", "race", "--threshold", "global-fmr:1e-3"]
    assert_same(report, cli, *args, "--bootstrap", "50", "--seed", "7")


def test_rfw_equals_cli(cli, rfw_csv):
    df = pd.read_csv(rfw_csv)
    report = biasbench.verify(
        df, score="dist", distance=True, mated="label", attrs=["ethnicity"],
        thresholds=["global-fmr:1e-3"], exclude=["ethnicity_ambiguous=1"], reproducible=True,
    )
    args = [
        "verify", rfw_csv, "--score", "dist", "--distance", "--mated", "label",
        "--attr", "ethnicity", "--threshold", "global-fmr:1e-3",
        "--exclude", "ethnicity_ambiguous=1",
    ]
    assert_same(report, cli, *args)


def test_classify_equals_cli(cli):
    path = REPO / "fixtures" / "golden" / "classify_plain.csv"
    df = pd.read_csv(path)
    report = biasbench.classify(df, attrs=["race", "sex"], reproducible=True)
    assert_same(report, cli, "classify", path, "--attr", "race,sex")


def test_identify_equals_cli(cli):
    path = REPO / "fixtures" / "tidy" / "inputs" / "identify_searches.csv"
    df = pd.read_csv(path)
    report = biasbench.identify(df, attrs=["race"], thresholds=["fixed:0.5"], reproducible=True)
    assert_same(report, cli, "identify", path, "--attr", "race", "--threshold", "fixed:0.5")


def test_missing_groups_and_strings(cli, tmp_path):
    """Text columns with missing values and numbers kept as text reach the
    library as codes, and mean what the CSV means."""
    rng = np.random.default_rng(3)
    n = 4000
    race = rng.choice(["A", "B", "C", ""], n)
    df = pd.DataFrame({
        "score": rng.normal(size=n).round(3),
        "mated": rng.integers(0, 2, n),
        "race": pd.Series(race).replace("", None),
        "site": rng.integers(1, 4, n),
    })
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    report = biasbench.verify(df, attrs=["race", "site"], reproducible=True)
    assert_same(report, cli, "verify", path, "--attr", "race,site")


def test_errors_are_the_clis(cli, demo_csv):
    df = pd.read_csv(demo_csv)
    with pytest.raises(biasbench.BiasbenchError) as raised:
        biasbench.verify(df, attrs=["race"], thresholds=["global-fmr:2"])
    assert isinstance(raised.value, ValueError)
    theirs = cli("verify", demo_csv, "--attr", "race", "--threshold", "global-fmr:2", check=False)
    assert theirs.returncode == 2
    assert theirs.stderr.strip() == "error: " + str(raised.value)
    with pytest.raises(biasbench.BiasbenchError) as raised:
        biasbench.verify(df, attrs=["nope"])
    theirs = cli("verify", demo_csv, "--attr", "nope", check=False)
    name = str(demo_csv)
    assert theirs.stderr.strip() == "error: " + str(raised.value).replace("<DataFrame>", name)


def test_not_options_here(demo_csv):
    with pytest.raises(TypeError):
        biasbench.verify(pd.read_csv(demo_csv), format="json")


def test_save_writes_every_format(demo_csv, tmp_path):
    r = biasbench.verify(pd.read_csv(demo_csv), attrs=["race"], reproducible=True)
    written = r.save(tmp_path / "out")
    names = {p.rsplit("/", 1)[-1] for p in written}
    assert {"report.json", "report.csv", "report.html", "report.md", "report.tex", "report.txt"} <= names
    assert any(n.endswith(".svg") for n in names)
    assert r._repr_html_().lstrip().lower().startswith("<!doctype html")
    assert "Findings" in r.html() or "findings" in r.html()


def test_the_gil_is_released_while_the_library_works():
    """Another Python thread runs while the extension works. The switch
    interval is set to 1 s, so a thread holding the GIL keeps it: had the
    extension held it, the counter could not move during the call."""
    import sys
    import threading

    from biasbench import _core

    rng = np.random.default_rng(5)
    n = 2_000_000
    data = {
        "score": rng.normal(size=n),
        "mated": rng.integers(0, 2, n).astype(bool),
        "race": rng.integers(0, 4, n).astype(np.uint8),
    }
    cols = biasbench._columns.columns(data)
    line = ["biasbench", "verify", "<dict>", "--attr", "race", "--threshold", "global-fmr:1e-3"]
    counter, started, done = [0], threading.Event(), threading.Event()

    def count():
        started.set()
        while not done.is_set():
            counter[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    t = threading.Thread(target=count)
    try:
        t.start()
        started.wait()
        before = counter[0]
        _core.run(line, "<dict>", cols)
        during = counter[0] - before
    finally:
        done.set()
        t.join()
        sys.setswitchinterval(interval)
    assert during > 100_000, during


@pytest.mark.parametrize(
    "path, task, kwargs, flags",
    [
        (
            "fixtures/tidy/inputs/verify_messy.csv", "verify",
            dict(score="sim", mated="is_mate", subject_a="img_a", subject_b="img_b", id_sep="_",
                 attrs=["eth"], exclude=["session=bad"], thresholds=["fixed:0.5", "group-fmr:1e-1"]),
            ["--score", "sim", "--mated", "is_mate", "--subject-a", "img_a", "--subject-b", "img_b",
             "--id-sep", "_", "--attr", "eth", "--exclude", "session=bad",
             "--threshold", "fixed:0.5", "--threshold", "group-fmr:1e-1"],
        ),
        (
            "fixtures/golden/classify_weighted.csv", "classify",
            dict(attrs=["race"], sample_weight="w", bootstrap=20, seed=3, compare="A,B"),
            ["--attr", "race", "--weight", "w", "--bootstrap", "20", "--seed", "3", "--compare", "A,B"],
        ),
        (
            "fixtures/tidy/inputs/identify_searches.csv", "identify",
            dict(attrs=["race"], thresholds=["fixed:0.5", "global-fpir:1e-1", "investigative"], ranks=[1, 5]),
            ["--attr", "race", "--threshold", "fixed:0.5", "--threshold", "global-fpir:1e-1",
             "--threshold", "investigative", "--rank", "1", "--rank", "5"],
        ),
        (
            "fixtures/tidy/inputs/summarize_trials.csv", "summarize",
            dict(group=["lab", "sex"], rates=["fmr", "fnmr", "eer"], trials=["fmr=n_fmr", "fnmr=n_fnmr"],
                 percent=True, alpha=0.25),
            ["--group", "lab,sex", "--rates", "fmr,fnmr,eer", "--trials", "fmr=n_fmr",
             "--trials", "fnmr=n_fnmr", "--percent", "--alpha", "0.25"],
        ),
    ],
)
def test_fixtures_equal_cli(cli, path, task, kwargs, flags):
    """Messy text (yes/no flags, ids with a separator, exclusions), weights
    with a bootstrap, 1:N policies and published rates: as the CLI."""
    path = REPO / path
    report = getattr(biasbench, task)(pd.read_csv(path), reproducible=True, **kwargs)
    assert_same(report, cli, task, path, *flags)


def test_pandas_missing_values_and_nullable_types(cli, tmp_path):
    """pd.NA in a string column is missing, as an empty CSV cell is; nullable
    integers keep every digit; NumPy scalars are options like Python's."""
    df = pd.DataFrame({
        "score": [0.9, 0.8, 0.2, 0.6, 0.4, 0.7, 0.1, 0.3],
        "mated": [1, 1, 0, 0, 0, 1, 0, 0],
        "race": pd.array(["A", "B", "A", pd.NA, "B", "A", "B", "A"], dtype="string"),
    })
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    report = biasbench.verify(df, attrs=["race"], level=np.float64(0.9), reproducible=np.True_)
    assert_same(report, cli, "verify", path, "--attr", "race", "--level", "0.9")
    big = pd.Series([2**60, 2**60 + 1, None], dtype="Int64")
    _, arr, names = biasbench._columns.column("id", big)
    assert sorted(names) == ["", str(2**60), str(2**60 + 1)]
    _, arr, names = biasbench._columns.column("id", big.dropna())
    assert names is None and arr.tolist() == [2**60, 2**60 + 1]
