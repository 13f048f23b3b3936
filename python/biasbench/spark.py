"""Streaming 1:1 audits of Spark DataFrames: each partition's partial is
built where the partition lives (one ``mapInArrow``), partials are summed
by a tree reduction, and the driver merges the sum; a further pass runs only
when the merge asks for one. What crosses the network is partials (counts per
cell and score bucket, a few hundred kB), never scores."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from . import Report, _cluster, _columns


def verify(
    df: Any,
    score: str = "score",
    mated: Optional[str] = None,
    attrs: Optional[Sequence[str]] = None,
    thresholds: Optional[Sequence[str]] = None,
    distance: bool = False,
    reproducible: bool = False,
    depth: int = 2,
    **options: Any,
) -> Report:
    """:func:`biasbench.verify` with ``stream=True`` over a Spark DataFrame
    (the same report as on one machine, provenance apart); ``depth`` is the
    tree reduction's. Other options as :func:`biasbench.verify`'s (those the
    streaming audit takes)."""
    import pyarrow as pa
    from pyspark.sql.types import StringType

    flags = _cluster.options(score, mated, attrs, thresholds, distance, options)
    cols = _cluster.needed(df.columns, flags)
    df = df.select(*cols)
    text = [
        c for c in _cluster.attribute_columns(df.columns, flags["attrs"] or [])
        if c in df.columns and isinstance(df.schema[c].dataType, StringType)
    ]
    distinct = {c: [r[0] for r in df.select(c).distinct().collect() if r[0] is not None] for c in text}
    labels = _columns.labels_of(distinct)
    schema = pa.schema([("partial", pa.binary())])

    def one_pass(plan):
        def partials(batches):
            from pyspark import TaskContext

            batches = list(batches)
            if not batches:
                return
            number = TaskContext.get().partitionId()
            part = _cluster.one_partial(pa.Table.from_batches(batches), number, plan, labels, flags)
            if part is not None:
                yield pa.RecordBatch.from_pylist([{"partial": part}], schema=schema)

        rdd = df.mapInArrow(partials, "partial binary").rdd.map(lambda row: bytes(row.partial))
        if rdd.isEmpty():
            return None
        return rdd.treeReduce(lambda a, b: _cluster.add([a, b]), depth=depth)

    return _cluster.passes(one_pass, reproducible)
