"""biasbench.compare gives `biasbench compare`'s report byte for byte: both
models' columns in one frame, each model's frame joined on a key, and a
classifier pair."""

import io

import numpy as np
import pandas as pd
import pytest

import biasbench
from conftest import REPO

FIXTURE = REPO / "fixtures" / "compare" / "two_models.csv"
FLAGS = ["--attr", "race", "--threshold", "global-fmr:1e-2", "--bootstrap", "100", "--seed", "3"]


def tidy_lines(text):
    return [line for line in text.splitlines() if ",provenance," not in line]


def cli_csv(cli, *args):
    return cli("compare", *args, *FLAGS, "--format", "csv", "--reproducible").stdout


def test_one_frame_is_the_cli(cli):
    df = pd.read_csv(FIXTURE)
    r = biasbench.compare(
        "verify", df, score_a="score", score_b="score_b", attrs=["race"],
        thresholds=["global-fmr:1e-2"], bootstrap=100, seed=3,
    )
    theirs = cli_csv(cli, "verify", str(FIXTURE), "--score-a", "score", "--score-b", "score_b")
    assert tidy_lines(r.render("csv")) == tidy_lines(theirs)
    assert r.json()["paired"]["names"] == ["A", "B"]
    assert r.render("table").startswith("Paired comparison: B against A")


def test_two_frames_joined_on_a_key_are_the_cli(cli, tmp_path):
    df = pd.read_csv(FIXTURE)
    df["pair"] = [f"p{i}" for i in range(len(df))]
    a = df.drop(columns=["score_b"]).iloc[5:]
    b = df.drop(columns=["score"]).rename(columns={"score_b": "score"}).iloc[::-1].iloc[3:]
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    r = biasbench.compare(
        "verify", a, b, key="pair", name_a="v1", name_b="v2", attrs=["race"],
        thresholds=["global-fmr:1e-2"], bootstrap=100, seed=3,
    )
    theirs = cli_csv(
        cli, "verify", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--key", "pair",
        "--name-a", "v1", "--name-b", "v2",
    )
    ours = r.render("csv")
    assert tidy_lines(ours) == tidy_lines(theirs)
    frame = biasbench.read_tidy(io.StringIO(ours))
    unpaired = frame[(frame["attribute"] == "rows_b") & (frame["group"] == "key not among the other model's usable rows")]
    assert unpaired["value"].tolist() == [5.0]


def test_classifier_pair_and_errors():
    rng = np.random.default_rng(1)
    n = 2000
    y = rng.random(n) < 0.4
    a = (y ^ (rng.random(n) < 0.3)).astype(int)
    b = (y ^ (rng.random(n) < 0.2)).astype(int)
    frame = pd.DataFrame({"y_true": y.astype(int), "a": a, "b": b, "g": rng.choice(["x", "y"], n)})
    r = biasbench.compare("classify", frame, score_a="a", score_b="b", attrs=["g"], bootstrap=0)
    rates = {(x["group"], x["metric"]): x for x in r.json()["paired"]["rates"]}
    d = rates[("*", "error_rate")]["discordance"]
    assert d["only_a"] == int(((a != y) & (b == y)).sum())
    assert d["only_b"] == int(((b != y) & (a == y)).sum())
    with pytest.raises(biasbench.BiasbenchError, match="--key joins two tables"):
        biasbench.compare("verify", frame, key="pair")
    with pytest.raises(ValueError, match="compare pairs"):
        biasbench.compare("summarize", frame)
