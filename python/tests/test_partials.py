"""Partials of batches merge into the single-machine streaming report, in any order."""

import pickle

import numpy as np
import pandas as pd
import pytest

import biasbench
from conftest import DEMO_FLAGS, without_provenance


def batches(df, k):
    return [df.iloc[i::k] for i in range(k)] if False else np.array_split(df, k)


def merged(parts):
    r = biasbench.merge(parts, reproducible=True)
    while isinstance(r, biasbench.Plan):
        raise AssertionError("the demo's partials should not need another pass")
    return r


def test_partials_merge_to_the_streaming_report(demo_csv):
    df = pd.read_csv(demo_csv)
    whole = biasbench.verify(df, stream=True, reproducible=True, **DEMO_FLAGS)
    parts = [
        biasbench.partial(b, name=f"<batch {i}>", **DEMO_FLAGS)
        for i, b in enumerate(np.array_split(df, 8))
    ]
    forward = merged(parts)
    backward = merged(parts[::-1])
    tree = merged([biasbench.Partial.combine(parts[:3]), parts[3] + parts[4], *parts[5:]])
    assert forward.render("json") == backward.render("json") == tree.render("json")
    pd.testing.assert_frame_equal(
        without_provenance(forward.tidy()), without_provenance(whole.tidy())
    )
    a, b = forward.json(), whole.json()
    for j in (a, b):
        j.pop("provenance")
    assert a == b


def test_partial_pickles(demo_csv):
    df = pd.read_csv(demo_csv)
    p = biasbench.partial(df.iloc[:500], attrs=["race"])
    q = pickle.loads(pickle.dumps(p))
    assert bytes(q) == bytes(p) and isinstance(q, biasbench.Partial)


def test_another_pass_when_the_plan_asks(demo_csv):
    """A threshold on a bucket the first pass left closed asks for a plan;
    the second pass over every batch then gives the exact report."""
    df = pd.read_csv(demo_csv)
    flags = dict(attrs=["race"], thresholds=["global-fmr:1e-4"])
    whole = biasbench.verify(df, stream=True, reproducible=True, **flags)
    batches = np.array_split(df, 4)
    parts = [biasbench.partial(b, name=f"<b{i}>", **flags) for i, b in enumerate(batches)]
    result = biasbench.merge(parts, reproducible=True)
    passes = 1
    while isinstance(result, biasbench.Plan):
        plan = pickle.loads(pickle.dumps(result))
        parts = [biasbench.partial(b, plan=plan, name=f"<b{i}>", **flags) for i, b in enumerate(batches)]
        result = biasbench.merge(parts, reproducible=True)
        passes += 1
    assert passes >= 1
    pd.testing.assert_frame_equal(
        without_provenance(result.tidy()), without_provenance(whole.tidy())
    )


def test_batches_must_code_text_alike():
    """Text attributes are coded per batch unless labels are fixed: the
    merge refuses batches whose codes disagree, naming the field."""
    a = pd.DataFrame({"score": [0.1, 0.9], "mated": [0, 1], "race": ["A", "A"]})
    b = pd.DataFrame({"score": [0.2, 0.8], "mated": [0, 1], "race": ["B", "B"]})
    with pytest.raises(biasbench.BiasbenchError, match="attributes"):
        biasbench.merge([biasbench.partial(a, attrs=["race"], name="<a>"),
                         biasbench.partial(b, attrs=["race"], name="<b>")])
    labels = {"race": ["A", "B"]}
    r = biasbench.merge([biasbench.partial(a, attrs=["race"], name="<a>", labels=labels),
                         biasbench.partial(b, attrs=["race"], name="<b>", labels=labels)])
    assert set(r.tidy().query("attribute == 'race'")["group"].dropna()) >= {"A", "B"}
