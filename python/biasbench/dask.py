"""Streaming 1:1 audits of Dask DataFrames: each partition's partial is
built by ``map_partitions`` on the worker that holds it, partials are summed
by a tree reduction (``split_every`` at a time) on the workers, and the
client merges the sum; a further pass runs only when the merge asks for one.
What crosses the network is partials (counts per cell and score bucket),
never scores. Runs on whatever scheduler is current (a ``distributed``
client when one is connected)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from . import Report, _cluster, _columns


def _partition(frame, plan, labels, flags, partition_info=None):
    import pandas as pd

    number = partition_info["number"] if partition_info else 0
    part = _cluster.one_partial(frame, number, plan, labels, flags)
    return pd.Series([part], dtype=object)


def _add(*items):
    """The sum of partition results (one-row Series) and earlier sums (bytes)."""
    flat = []
    for item in items:
        flat += list(item) if hasattr(item, "tolist") else [item]
    return _cluster.add(flat)


def verify(
    df: Any,
    score: str = "score",
    mated: Optional[str] = None,
    attrs: Optional[Sequence[str]] = None,
    thresholds: Optional[Sequence[str]] = None,
    distance: bool = False,
    reproducible: bool = False,
    split_every: int = 8,
    **options: Any,
) -> Report:
    """:func:`biasbench.verify` with ``stream=True`` over a Dask DataFrame
    (the same report as on one machine, provenance apart). Other options as
    :func:`biasbench.verify`'s (those the streaming audit takes)."""
    import dask
    import pandas as pd

    flags = _cluster.options(score, mated, attrs, thresholds, distance, options)
    df = df[_cluster.needed(list(df.columns), flags)]
    text = [
        c for c in _cluster.attribute_columns(list(df.columns), flags["attrs"] or [])
        if c in df.columns and not pd.api.types.is_numeric_dtype(df[c].dtype)
    ]
    distinct = dask.compute(*[df[c].dropna().unique() for c in text]) if text else []
    labels = _columns.labels_of({c: [str(v) for v in d] for c, d in zip(text, distinct)})

    def one_pass(plan):
        parts = df.map_partitions(
            _partition, plan, labels, flags, meta=pd.Series([], dtype=object)
        ).to_delayed()
        while len(parts) > 1:
            parts = [
                dask.delayed(_add)(*parts[i:i + split_every])
                for i in range(0, len(parts), split_every)
            ]
        (whole,) = dask.compute(parts[0])
        return _add(whole)

    return _cluster.passes(one_pass, reproducible)
