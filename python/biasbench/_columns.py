"""Tables in memory as biasbench columns: NumPy arrays lent as they are.

A column crosses into the library without a copy when it is a contiguous
one-dimensional NumPy array of floats (4 or 8 bytes), integers (1, 2, 4 or 8
bytes) or booleans, a NumPy-backed pandas column of those, or a one-chunk
Arrow array of numbers without nulls (their NumPy views). Other columns are
converted once: Arrow booleans and multi-chunk arrays to NumPy; strings,
categoricals and objects to integer codes into their distinct values
(sorted; a missing value — None, NaN, pandas' NA or NaT, "" — is the empty
name, which biasbench reads as missing); nullable integers exactly, or with
missing values as their decimal texts; nullable floats and booleans (pandas
or Arrow) to floats with NaN.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import numpy as np

# (name, one-dimensional contiguous array, names of its codes)
Column = Tuple[str, np.ndarray, Optional[List[str]]]

_NUMERIC = "fiub"


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.split(".")[0] == "pandas"


def _is_arrow(data: Any) -> bool:
    return type(data).__module__.split(".")[0] == "pyarrow"


def named_arrays(data: Any) -> Dict[str, Any]:
    """The columns of ``data`` by name, as NumPy, pandas or Arrow columns."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, np.ndarray) and data.dtype.names:
        return {n: data[n] for n in data.dtype.names}
    if _is_pandas(data) and hasattr(data, "columns"):
        return {str(c): data[c] for c in data.columns}
    if _is_arrow(data) and hasattr(data, "column_names"):
        return {n: data.column(n) for n in data.column_names}
    raise TypeError(
        "expected a pandas DataFrame, a pyarrow Table or RecordBatch, a NumPy "
        f"structured array or a mapping of column names to arrays, not {type(data).__name__}"
    )


def _missing(obj: np.ndarray) -> np.ndarray:
    """Which values are missing: None, NaN, pandas' NA and NaT."""
    try:
        import pandas as pd

        return np.asarray(pd.isna(obj), dtype=bool)
    except ImportError:
        return np.array([v is None or (isinstance(v, float) and v != v) for v in obj], dtype=bool)


def _codes(values: np.ndarray, labels: Optional[List[str]] = None) -> Tuple[np.ndarray, List[str]]:
    """Codes of ``values`` (objects or strings) into ``labels`` (their
    distinct texts, sorted, when not given); missing values get the empty name."""
    obj = np.asarray(values, dtype=object)
    missing = _missing(obj)
    text = np.where(missing, "", obj).astype(str)
    if labels is None:
        labels = sorted(set(text.tolist()))
        if missing.any() and "" not in labels:
            labels.append("")
    names = list(labels)
    if "" not in names:
        names.append("")  # given names: the same with or without a missing value here
    order = np.argsort(np.array(names, dtype=str), kind="stable")
    sorted_names = np.array(names, dtype=str)[order]
    at = np.searchsorted(sorted_names, text)
    at = np.clip(at, 0, len(sorted_names) - 1)
    if len(text) and not np.all(sorted_names[at] == text):
        unknown = text[sorted_names[at] != text][0]
        raise ValueError(f"value {unknown!r} is not among the given labels")
    codes = order[at]
    dtype = np.uint8 if len(names) <= 255 else np.int64
    return np.ascontiguousarray(codes.astype(dtype)), names


def _as_numpy(col: Any) -> Any:
    """A pandas or Arrow column as NumPy when it holds numbers or flags
    without missing values; else as given."""
    if _is_arrow(col):
        import pyarrow as pa

        t = col.type
        if col.null_count == 0 and (pa.types.is_floating(t) or pa.types.is_integer(t)):
            if isinstance(col, pa.ChunkedArray) and col.num_chunks == 1:
                col = col.chunk(0)
            return col.to_numpy(zero_copy_only=isinstance(col, pa.Array))
        if col.null_count == 0 and pa.types.is_boolean(t):
            return col.to_numpy(zero_copy_only=False)
        if pa.types.is_boolean(t):
            return np.array([np.nan if v is None else float(v) for v in col.to_pylist()])
        if pa.types.is_integer(t):
            # With nulls: as their decimal texts (a float would round large ids).
            return np.array(col.to_pylist(), dtype=object)
        return col.to_pandas() if hasattr(col, "to_pandas") else col
    return col


def column(name: str, col: Any, labels: Optional[List[str]] = None) -> Column:
    """One column as the extension takes it (see the module docs);
    ``labels`` fixes the names of a text column's codes."""
    col = _as_numpy(col)
    if _is_pandas(col):
        import pandas as pd

        dtype = col.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in _NUMERIC:
            arr = col.to_numpy()
        elif pd.api.types.is_integer_dtype(dtype):
            # Nullable integers: exact; with missing values as their decimal
            # texts (a float would round large ids).
            if col.isna().any():
                arr = col.astype(object).where(col.notna(), None).to_numpy()
            else:
                arr = col.to_numpy(dtype="int64" if dtype.kind == "i" else "uint64")
        elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            arr = col.to_numpy(dtype="float64", na_value=np.nan)
        else:
            arr = col.to_numpy(dtype=object)
    else:
        arr = np.asarray(col)
    if arr.ndim != 1:
        raise ValueError(f"column {name}: expected one dimension, found shape {arr.shape}")
    names = None
    if arr.dtype.kind == "f" and arr.dtype.itemsize == 2:
        arr = arr.astype(np.float32)
    if arr.dtype.kind not in _NUMERIC or labels is not None:
        arr, names = _codes(arr, labels)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    arr = np.ascontiguousarray(arr)
    return (name, arr, names)


def _text_values(col: Any) -> Optional[List[str]]:
    """The distinct texts of a text column (missing values left out), or
    ``None`` for a column of numbers or flags."""
    col = _as_numpy(col)
    if _is_pandas(col):
        import pandas as pd

        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            return None
        values = col.dropna().unique()
    else:
        arr = np.asarray(col)
        if arr.dtype.kind in _NUMERIC:
            return None
        values = [v for v in arr.tolist() if not (v is None or (isinstance(v, float) and v != v))]
    return sorted({str(v) for v in values} - {""})


def sides(names: Iterable[str]) -> Dict[str, List[str]]:
    """Columns that name one attribute's codes together: ``X_a`` with ``X_b``."""
    names = list(names)
    out = {}
    for n in names:
        if n.endswith("_a") and n[:-2] + "_b" in names:
            out[n[:-2]] = [n, n[:-2] + "_b"]
    return out


def labels_of(distinct: Mapping[str, Optional[Iterable[str]]]) -> Dict[str, List[str]]:
    """Names for the codes of text columns, from each column's distinct
    texts (``None``: not a text column): sorted, shared by an attribute's two
    sides ``X_a``/``X_b``, and the empty name (missing) last, so that every
    batch codes alike whether or not it has a missing value."""
    out = {n: sorted(set(v) - {""}) for n, v in distinct.items() if v is not None}
    for a, b in sides(out).values():
        out[a] = out[b] = sorted(set(out[a]) | set(out[b]))
    return {n: v + [""] for n, v in out.items()}


def columns(data: Any, labels: Optional[Mapping[str, List[str]]] = None) -> List[Column]:
    """Every column of ``data`` (see :func:`column`). ``labels`` maps text
    columns to the names their codes must use (the same in every partition
    of a cluster's data); otherwise an attribute's two text sides share the
    names of both."""
    named = named_arrays(data)
    fixed = dict(labels or {})
    for a, b in sides(named).values():
        if a not in fixed and b not in fixed:
            pair = labels_of({a: _text_values(named[a]), b: _text_values(named[b])})
            fixed.update(pair)
    return [column(n, c, fixed.get(n)) for n, c in named.items()]


def text_labels(data: Any) -> Dict[str, List[str]]:
    """:func:`labels_of` every text column of ``data`` (in memory)."""
    return labels_of({n: _text_values(c) for n, c in named_arrays(data).items()})


def flags(options: Mapping[str, Any]) -> List[str]:
    """Keyword options as command-line flags: ``min_group_size=30`` is
    ``--min-group-size 30``, ``True`` a bare flag, a list a repeated flag;
    ``None`` and ``False`` are left out (NumPy scalars as Python's)."""
    out: List[str] = []
    for key, value in options.items():
        if isinstance(value, (bool, np.bool_)):
            value = bool(value) or None
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                out += [flag, _text(v)]
        else:
            out += [flag, _text(value)]
    return out


def _text(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def each(values: Optional[Iterable[Any]]) -> Optional[List[Any]]:
    """A flag's values as a list (one value alone, too)."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        return [values]
    return list(values)
