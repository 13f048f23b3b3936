"""Partials of batches merge into the single-machine streaming report, in any order."""

import pickle

import pandas as pd
import pytest

import biasbench
from conftest import DEMO_FLAGS, assert_same_report


def split(df, k):
    """`df` in `k` consecutive batches."""
    n = len(df)
    return [df.iloc[i * n // k:(i + 1) * n // k] for i in range(k)]


def passes(batches, order=lambda parts: parts, **flags):
    """The report of batches, with every pass merge asks for; merged in `order`."""
    labels = biasbench.labels(pd.concat(batches))
    plan = None
    for _ in range(6):
        parts = [
            biasbench.partial(b, plan=plan, name=f"<batch {i}>", labels=labels, **flags)
            for i, b in enumerate(batches)
        ]
        result = biasbench.merge(order(parts), reproducible=True)
        if isinstance(result, biasbench.Report):
            return result
        plan = pickle.loads(pickle.dumps(result))
    raise AssertionError("no report after 6 passes")


def test_partials_merge_to_the_streaming_report(demo_csv):
    df = pd.read_csv(demo_csv)
    whole = biasbench.verify(df, stream=True, reproducible=True, **DEMO_FLAGS)
    batches = split(df, 8)
    forward = passes(batches, **DEMO_FLAGS)
    backward = passes(batches, order=lambda p: p[::-1], **DEMO_FLAGS)
    tree = passes(
        batches,
        order=lambda p: [biasbench.Partial.combine(p[:3]), p[3] + p[4], *p[5:]],
        **DEMO_FLAGS,
    )
    assert forward.render("json") == backward.render("json") == tree.render("json")
    assert_same_report(forward, whole)


def test_partial_pickles(demo_csv):
    df = pd.read_csv(demo_csv)
    p = biasbench.partial(df.iloc[:500], attrs=["race"])
    q = pickle.loads(pickle.dumps(p))
    assert bytes(q) == bytes(p) and isinstance(q, biasbench.Partial)


def test_batches_must_code_text_alike():
    """Text attributes are coded per batch unless labels are fixed: the
    merge refuses batches whose codes disagree, naming the field."""
    a = pd.DataFrame({"score": [0.1, 0.9], "mated": [0, 1], "race": ["A", "A"]})
    b = pd.DataFrame({"score": [0.2, 0.8], "mated": [0, 1], "race": ["B", "B"]})
    with pytest.raises(biasbench.BiasbenchError, match="attributes"):
        biasbench.merge([biasbench.partial(a, attrs=["race"], name="<a>"),
                         biasbench.partial(b, attrs=["race"], name="<b>")])
    assert biasbench.labels(pd.concat([a, b])) == {"race": ["A", "B", ""]}
    r = passes([a, b], attrs=["race"])
    assert set(r.tidy().query("attribute == 'race'")["group"].dropna()) >= {"A", "B"}


def test_a_missing_value_in_one_batch_only():
    """labels() names missing values too, so a batch with one codes like one without."""
    a = pd.DataFrame({"score": [0.1, 0.9, 0.3], "mated": [0, 1, 0], "race": ["A", "B", None]})
    b = pd.DataFrame({"score": [0.2, 0.8], "mated": [0, 1], "race": ["A", "B"]})
    r = passes([a, b], attrs=["race"])
    assert r.json()["accounting"]["rows"] == 5


def test_shards_are_merged_once_by_content_and_name():
    a = pd.DataFrame({"score": [0.1, 0.9], "mated": [0, 1], "race": ["A", "B"]})
    labels = biasbench.labels(a)
    one = biasbench.partial(a, attrs=["race"], name="<p1>", labels=labels)
    twin = biasbench.partial(a, attrs=["race"], name="<p2>", labels=labels)
    # Two partitions with the same rows (a union of a frame with itself) add up.
    assert passes([a, a], attrs=["race"]).json()["accounting"]["rows"] == 4
    # The same partition twice, even inside a sum, is refused.
    with pytest.raises(biasbench.BiasbenchError, match="the same shard"):
        biasbench.merge([one + twin, one])
