"""What the Spark and Dask recipes share: the columns an audit reads, the
names of text attributes' codes (computed once, on the cluster, so that
every partition codes alike), and the passes until merge gives a report."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

from . import Partial, Plan, Report, _columns, merge, partial
from ._core import BiasbenchError

# Passes are at most 4 deep in the streaming engine (20, 16, 16, 12 bits)
# plus the one that collects scores; more means something is wrong.
MAX_PASSES = 6


def attribute_columns(columns: Sequence[str], attrs: Sequence[str]) -> List[str]:
    """The columns of each attribute: ``X_a`` and ``X_b`` when both exist, else ``X``."""
    out: List[str] = []
    for a in attrs:
        pair = [f"{a}_a", f"{a}_b"]
        out += pair if all(c in columns for c in pair) else [a]
    return out


def options(
    score: str,
    mated: Optional[str],
    attrs: Optional[Sequence[str]],
    thresholds: Optional[Sequence[str]],
    distance: bool,
    extra: Dict[str, Any],
) -> Dict[str, Any]:
    """The keyword options of :func:`biasbench.partial` for every partition."""
    return dict(
        score=score, mated=mated, attrs=_columns.each(attrs),
        thresholds=_columns.each(thresholds), distance=distance, **extra,
    )


def needed(columns: Sequence[str], flags: Dict[str, Any]) -> List[str]:
    """The columns a streaming 1:1 audit reads (missing ones are left for
    the library to name in its error)."""
    want = [flags["score"], flags["mated"] or "mated"]
    want += attribute_columns(columns, flags["attrs"] or [])
    return [c for c in dict.fromkeys(want) if c in columns]


def one_partial(frame: Any, number: int, plan: Optional[Plan], labels, flags) -> Optional[bytes]:
    """The partial of one partition (``None`` when it has no rows)."""
    if len(frame) == 0:
        return None
    name = f"<partition {number}>"
    return bytes(partial(frame, plan=plan, name=name, labels=labels, **flags))


def add(parts: Sequence[Optional[bytes]]) -> Optional[bytes]:
    """The sum of partials (``None`` ones are empty partitions)."""
    present = [Partial(p) for p in parts if p is not None]
    if not present:
        return None
    return bytes(Partial.combine(present)) if len(present) > 1 else bytes(present[0])


def passes(one_pass: Callable[[Optional[Plan]], Optional[bytes]], reproducible: bool) -> Report:
    """Runs passes (each: every partition's partial, summed) until merge
    gives the report."""
    plan = None
    for _ in range(MAX_PASSES):
        whole = one_pass(plan)
        if whole is None:
            raise BiasbenchError("no partition holds a row")
        result = merge([Partial(whole)], reproducible=reproducible)
        if isinstance(result, Report):
            return result
        plan = result
    raise BiasbenchError(f"no report after {MAX_PASSES} passes")
