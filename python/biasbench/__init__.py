"""biasbench: audit recognition models for demographic differentials.

The functions mirror the command line's subcommands and take a table in
memory (a pandas DataFrame, a pyarrow Table, a NumPy structured array or a
mapping of names to arrays) with the columns the CLI's flags name. Options
are the CLI's flags with underscores (``min_group_size=30`` is
``--min-group-size 30``) and are checked exactly as the CLI checks them;
the result is the CLI's, byte for byte. The GIL is released while the
library works.

>>> import biasbench, pandas as pd
>>> df = pd.read_csv("comparisons.csv")                      # doctest: +SKIP
>>> r = biasbench.verify(df, attrs=["race"], thresholds=["global-fmr:1e-3"])  # doctest: +SKIP
>>> r.tidy().head()                                           # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import json
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from . import _columns
from ._core import BiasbenchError
from ._core import __version__ as _core_version
from ._core import combine as _combine
from ._core import compare as _compare
from ._core import merge as _merge
from ._core import run as _run

__all__ = [
    "BiasbenchError",
    "Partial",
    "Plan",
    "Report",
    "classify",
    "compare",
    "estimate",
    "identify",
    "labels",
    "merge",
    "partial",
    "read_tidy",
    "summarize",
    "verify",
]
__version__ = _core_version

# Flags that choose where and how the CLI writes; a Report does that here.
_NOT_OPTIONS = {
    "format",
    "detail",
    "out",
    "report",
    "delimiter",
    "allow_multiline_fields",
    "emit_partial",
    "plan",
}


# The tidy CSV's columns that hold numbers; the rest is text ("NA" is a group's name).
_TIDY_NUMBERS = ("threshold", "value", "ci_low", "ci_high", "errors", "trials")


def read_tidy(source: Union[str, "os.PathLike[str]", io.TextIOBase]):
    """A tidy CSV (``--format csv``, ``report.csv``) as a pandas DataFrame:
    numbers as floats (``NaN`` where undefined), text as written."""
    import pandas as pd

    return pd.read_csv(
        source,
        keep_default_na=False,
        dtype={c: str for c in ("task", "attribute", "group", "policy", "metric")},
        na_values={c: ["", "NaN"] for c in _TIDY_NUMBERS},
    )


class Report:
    """A finished audit: findings first in every format, as the CLI writes them."""

    def __init__(self, core: Any) -> None:
        self._core = core

    def tidy(self):
        """The tidy table (one row per value), as a pandas DataFrame with
        exactly the columns and values of the CLI's ``--format csv``."""
        return read_tidy(io.StringIO(self.render("csv")))

    def render(self, format: str = "table", full: bool = False) -> str:
        """The report as ``--format FORMAT`` (table, json, csv, markdown,
        html, latex) writes it; ``full`` is ``--detail full``."""
        return self._core.render(format, full)

    def to_json(self) -> str:
        """The CLI's JSON report."""
        return self.render("json")

    def json(self) -> dict:
        """The JSON report, parsed."""
        return json.loads(self.to_json())

    def html(self) -> str:
        """The CLI's HTML page: findings first, figures inline."""
        return self.render("html")

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, dir: Union[str, "os.PathLike[str]"], full: bool = False) -> List[str]:
        """Writes every format and figure into ``dir``, as ``--report DIR``
        does; returns the paths written."""
        return [str(p) for p in self._core.save(dir, full)]

    def __str__(self) -> str:
        return self.render("table")

    def __repr__(self) -> str:
        first = self.render("table").splitlines()[:3]
        return "<biasbench.Report: " + " / ".join(line.strip() for line in first if line.strip()) + ">"


class _Json:
    """A biasbench JSON object carried as its bytes (picklable; ``bytes(x)``)."""

    __slots__ = ("_bytes",)

    def __init__(self, data: bytes) -> None:
        self._bytes = bytes(data)

    def __bytes__(self) -> bytes:
        return self._bytes

    def __len__(self) -> int:
        return len(self._bytes)

    def __reduce__(self):
        return (type(self), (self._bytes,))

    def __repr__(self) -> str:
        return f"<biasbench.{type(self).__name__}: {len(self._bytes)} bytes>"


class Partial(_Json):
    """One batch's aggregate for a streaming 1:1 audit (counts per cell and
    score bucket, not scores): the object ``--emit-partial`` writes.
    Picklable; ``bytes(p)`` is its JSON. Partials add (``p + q``)."""

    __slots__ = ()

    def __add__(self, other: "Partial") -> "Partial":
        return Partial(_combine([self._bytes, bytes(other)]))

    @staticmethod
    def combine(partials: Iterable["Partial"]) -> "Partial":
        """The sum of partials: one step of a tree reduction."""
        return Partial(_combine([bytes(p) for p in partials]))


class Plan(_Json):
    """The buckets another pass must open, as ``merge`` asks for
    (``plan.json`` of the CLI). Picklable; ``bytes(plan)`` is its JSON."""

    __slots__ = ()


def _name(data: Any) -> str:
    return f"<{type(data).__name__}>"


def _line(task: str, name: str, named: Mapping[str, Any], options: Mapping[str, Any]) -> List[str]:
    bad = sorted(set(options) & _NOT_OPTIONS)
    if bad:
        raise TypeError(
            f"{', '.join(bad)}: not an option here (render or save the Report instead)"
        )
    return ["biasbench", task, name] + _columns.flags({**named, **options})


def _audit(task: str, data: Any, named: Mapping[str, Any], options: Mapping[str, Any], name: Optional[str] = None) -> Report:
    name = name or _name(data)
    cols = _columns.columns(data)
    return Report(_run(_line(task, name, named, options), name, cols))


def verify(
    data: Any,
    score: str = "score",
    mated: Optional[str] = None,
    attrs: Optional[Sequence[str]] = None,
    thresholds: Optional[Sequence[str]] = None,
    distance: bool = False,
    subjects: Optional[str] = None,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    **options: Any,
) -> Report:
    """1:1 verification audit (``biasbench verify``): per-group FMR, FNMR,
    EER, DET and every disparity summary at each threshold policy.

    ``mated`` names the 0/1 column (default ``mated``, or from
    ``subject_a``/``subject_b`` ids); ``attrs`` are attribute columns (``X``,
    or ``X_a``/``X_b`` per side); ``thresholds`` are policies such as
    ``"global-fmr:1e-3"`` or ``"fixed:0.6"``; ``subjects`` is a subjects
    file (``--subjects``). Any other CLI flag of ``verify`` by its name
    with underscores: ``impostors="same-group"``, ``min_group_size=30``,
    ``reference=["race=White"]``, ``stream=True``, ``reproducible=True`` …
    """
    named = dict(
        score=score, mated=mated, attr=_columns.each(attrs), threshold=_columns.each(thresholds),
        distance=distance, subjects=subjects, bootstrap=bootstrap, seed=seed,
    )
    return _audit("verify", data, named, options)


def classify(
    data: Any,
    y_true: str = "y_true",
    y_pred: Optional[str] = None,
    attrs: Optional[Sequence[str]] = None,
    sample_weight: Optional[str] = None,
    score: Optional[str] = None,
    subject: Optional[str] = None,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    **options: Any,
) -> Report:
    """Classifier audit (``biasbench classify``): per-group rates, fairlearn's
    and AIF360's parity metrics. ``sample_weight`` names the weight column
    (``--weight``); ``score`` with ``cutoff=`` decides by a score. Other
    options as the CLI's flags: ``positive=["1"]``, ``min_group_size=…`` …"""
    named = dict(
        y_true=y_true, y_pred=y_pred, attr=_columns.each(attrs), weight=sample_weight,
        score=score, subject=subject, bootstrap=bootstrap, seed=seed,
    )
    return _audit("classify", data, named, options)


def estimate(
    data: Any,
    y_true: str = "y_true",
    y_pred: str = "y_pred",
    attrs: Optional[Sequence[str]] = None,
    challenges: Optional[Sequence[str]] = None,
    cs: Optional[Sequence[float]] = None,
    age_bands: Optional[Sequence[str]] = None,
    sample_weight: Optional[str] = None,
    subject: Optional[str] = None,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    **options: Any,
) -> Report:
    """Age estimation and age verification audit (``biasbench estimate``):
    per group MAE, mean signed error, RMSE, median absolute error and the
    cumulative scores CS(θ) (``cs=[1, 5, 10]``), by true-age band
    (``age_bands=["0-12", "13-17", "18-"]``), and at each challenge
    ``"AGE:T"`` (``challenges=["18:25"]``: admit when the estimate ≥ T) the
    false-admit and false-refusal rates. ``y_true``/``y_pred`` name the true
    and estimated age columns (years); ``subject`` clusters the intervals
    by person; ``sample_weight`` names the weight column (``--weight``)."""
    named = dict(
        y_true=y_true, y_pred=y_pred, attr=_columns.each(attrs),
        challenge=_columns.each(challenges),
        cs=_columns.each(cs),
        age_bands=age_bands if age_bands is None or isinstance(age_bands, str) else ",".join(age_bands),
        weight=sample_weight, subject=subject, bootstrap=bootstrap, seed=seed,
    )
    return _audit("estimate", data, named, options)


def identify(
    data: Any,
    attrs: Optional[Sequence[str]] = None,
    thresholds: Optional[Sequence[str]] = None,
    ranks: Optional[Sequence[int]] = None,
    distance: bool = False,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    **options: Any,
) -> Report:
    """1:N identification audit (``biasbench identify``) of a table of one
    row per search: per-group FPIR, FNIR and CMC. Column names as the CLI's
    flags (``mate_rank=``, ``mate_score=``, ``nonmate_score=`` …)."""
    named = dict(
        attr=_columns.each(attrs), threshold=_columns.each(thresholds),
        rank=_columns.each(ranks), distance=distance, bootstrap=bootstrap, seed=seed,
    )
    if "searches" in options:
        raise TypeError("searches: the candidate-list form reads files; use the CLI for it")
    return _audit("identify", data, named, options)


def compare(
    task: str,
    data: Any,
    data_b: Any = None,
    *,
    score_a: Optional[str] = None,
    score_b: Optional[str] = None,
    key: Optional[str] = None,
    name_a: str = "A",
    name_b: str = "B",
    attrs: Optional[Sequence[str]] = None,
    thresholds: Optional[Sequence[str]] = None,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    **options: Any,
) -> Report:
    """Paired comparison of two models on the same trials (``biasbench
    compare TASK``, ``task`` one of ``"verify"``, ``"classify"``,
    ``"identify"``): model B's audit with, first, the verdicts and the
    per-group differences B − A (McNemar's exact test, Newcombe's interval,
    the paired subject bootstrap).

    Both models' columns in ``data`` (``score_a=``, ``score_b=``), or each
    model's table (``data``, ``data_b``) joined on the column ``key``. The
    paired bootstrap runs 1000 replicates unless ``bootstrap=`` says
    otherwise (``0``: none). Other options as the task's CLI flags
    (``y_true=``, ``cutoff=``, ``positive=[…]``, ``rank=[1, 5]`` …).
    """
    if task not in ("verify", "classify", "identify"):
        raise ValueError(f"task {task!r}: compare pairs verify, classify or identify")
    bad = sorted(set(options) & _NOT_OPTIONS)
    if bad:
        raise TypeError(f"{', '.join(bad)}: not an option here (render or save the Report instead)")
    tables = [data] if data_b is None else [data, data_b]
    names = [_name(t) for t in tables]
    if len(names) == 2 and names[0] == names[1]:
        names = [f"<A {names[0][1:]}", f"<B {names[1][1:]}"]
    named = dict(
        score_a=score_a, score_b=score_b, key=key, name_a=name_a, name_b=name_b,
        attr=_columns.each(attrs), threshold=_columns.each(thresholds),
        bootstrap=bootstrap, seed=seed,
    )
    line = ["biasbench", "compare", task, *names] + _columns.flags({**named, **options})
    return Report(_compare(line, [(n, _columns.columns(t)) for n, t in zip(names, tables)]))


def summarize(
    data: Any,
    group: Union[str, Sequence[str]] = "group",
    rates: Optional[Sequence[str]] = None,
    trials: Optional[Sequence[str]] = None,
    percent: bool = False,
    **options: Any,
) -> Report:
    """Summaries of published per-group rates (``biasbench summarize``)."""
    named = dict(
        group=_columns.each(group), rates=_columns.each(rates), trials=_columns.each(trials),
        percent=percent,
    )
    return _audit("summarize", data, named, options)


def partial(
    data: Any,
    plan: Optional[Plan] = None,
    name: Optional[str] = None,
    labels: Optional[Mapping[str, List[str]]] = None,
    score: str = "score",
    mated: Optional[str] = None,
    attrs: Optional[Sequence[str]] = None,
    thresholds: Optional[Sequence[str]] = None,
    distance: bool = False,
    **options: Any,
) -> Partial:
    """One batch's partial aggregate of a streaming 1:1 audit
    (``verify --stream --emit-partial``), with the options of :func:`verify`
    (every batch must be given the same). ``plan`` is the plan ``merge``
    returned, for a later pass; ``name`` names the batch in the provenance
    (give each batch its own); ``labels`` fixes the names of text attribute
    columns' codes, so that every batch codes them alike (the cluster
    recipes compute them once)."""
    name = name or _name(data)
    named = dict(
        score=score, mated=mated, attr=_columns.each(attrs), threshold=_columns.each(thresholds),
        distance=distance, stream=True,
    )
    line = _line("verify", name, named, options)
    cols = _columns.columns(data, labels)
    return Partial(_run(line, name, cols, bytes(plan) if plan is not None else b""))


def labels(data: Any) -> dict:
    """The names for the codes of every text column of ``data`` (sorted
    distinct values; ``X_a``/``X_b`` share theirs): pass them to
    :func:`partial` for every batch so that all batches code alike."""
    return _columns.text_labels(data)


def merge(
    partials: Iterable[Partial], reproducible: bool = False
) -> Union[Report, Plan]:
    """Merges the partials of every batch, as ``biasbench merge`` does: the
    Report, or the Plan of another pass when the partials do not yet pin
    every result exactly (run :func:`partial` with it on every batch and
    merge again). The order of the partials does not change the report."""
    command = ["biasbench", "merge", "<partials>"] + (["--reproducible"] if reproducible else [])
    report, plan = _merge([bytes(p) for p in partials], command, reproducible)
    return Report(report) if report is not None else Plan(plan)
