"""`biasbench.estimate` gives the CLI's age-estimation report byte for byte."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import biasbench
from conftest import REPO
from test_same_as_cli import assert_same


def at_file(file):
    """The first out-of-range estimate's position as in the CSV: a table in
    memory numbers rows from 1, the file's line 1 is its header."""
    def text(t):
        return re.sub(r"<\w+>:(\d+):", lambda m: f"{file}:{int(m.group(1)) + 1}:", t)

    def rewrite(j):
        e = j["estimate"]
        e["out_of_range"]["first"] = text(e["out_of_range"]["first"])
        e["notes"] = [text(n) for n in e["notes"]]
        return json.loads(json.dumps(j))

    return rewrite


AGES = REPO / "fixtures" / "estimate" / "ages.csv"
FLAGS = [
    "--y-true", "age", "--y-pred", "predicted_age", "--attr", "sex", "--attr", "region",
    "--cs", "1,5", "--age-bands", "0-12,13-17,18-", "--challenge", "18:25",
    "--challenge", "18:25:13-17:18-30",
]


def run(data, **extra):
    return biasbench.estimate(
        data, y_true="age", y_pred="predicted_age", attrs=["sex", "region"], cs=[1, 5],
        age_bands=["0-12", "13-17", "18-"], challenges=["18:25", "18:25:13-17:18-30"],
        reproducible=True, **extra,
    )


def test_estimate_equals_cli(cli):
    report = run(pd.read_csv(AGES))
    assert_same(report, cli, "estimate", AGES, *FLAGS, positions=at_file(AGES))
    j = report.json()
    assert j["findings"], "a report opens with its findings"
    assert {f["rate"] for f in j["findings"]} >= {"mae", "false_admit"}


def test_weighted_and_clustered_estimate_equals_cli(cli):
    df = pd.read_csv(AGES)
    report = run({c: df[c].to_numpy() for c in df.columns}, sample_weight="w", subject="subject_id")
    assert_same(
        report, cli, "estimate", AGES, *FLAGS, "--weight", "w", "--subject", "subject_id",
        positions=at_file(AGES),
    )


def test_bad_ages_are_named():
    df = pd.DataFrame({"y_true": [30.0, -1.0, np.nan], "y_pred": [31.0, 20.0, 25.0], "g": ["a", "b", "a"]})
    report = biasbench.estimate(df, attrs=["g"], reproducible=True)
    reasons = [d["reason"] for d in report.json()["accounting"]["dropped"]]
    assert reasons == ["negative or non-finite true age", "missing true age"]
    with pytest.raises(biasbench.BiasbenchError, match="not a number"):
        biasbench.estimate(pd.DataFrame({"y_true": ["x"], "y_pred": [3.0]}))
