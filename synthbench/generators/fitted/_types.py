"""Column types of a real DataFrame: what each column is, how it is stored, how to rebuild it.

Every fitted generator starts here. :func:`describe_columns` reads the frame through
:mod:`synthbench.table` (the one place that decides what a frame and a column's kind
are, with its messages) and returns one plain dict per column, which is JSON as it
stands and travels in specs and exported code:

``name``
    the column's name (a str).
``kind``
    ``"numeric"`` (float), ``"integer"``, ``"boolean"``, ``"categorical"`` or ``"datetime"``
    (:func:`synthbench.table.column_kind`; timedelta columns are refused).
``dtype``
    the pandas dtype to rebuild, as text (``"float64"``, ``"Int64"``, ``"str"``, ``"category"``,
    ``"bool"``, ``"object"``, ...). Categorical dtypes also keep ``categories`` and
    ``ordered``; datetimes keep ``unit`` and ``tz``.
``null_rate``
    the share of missing values, reproduced by sampling.

On top of what :mod:`synthbench.table` refuses, a fitted generator needs what it learns
to be written exactly in a spec: labels that are finite numbers, time zones by name,
and dtypes it can rebuild. Datetimes are handled as integers in their own unit
(``"us"`` under pandas 3, ``"ns"`` under pandas 2), so no precision is lost on the way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import table
from ...exceptions import DataError
from ...params import short_repr
from ._state import DTYPES, TZ_RULE, is_label, known_tz

__all__ = ["KINDS", "column_values", "describe_columns", "encode_labels", "factorize"]

KINDS = ("numeric", "integer", "boolean", "categorical", "datetime")


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _refuse_inexact_labels(labels: Any, name: str, what: str, role: str) -> None:
    """Labels a spec cannot carry exactly (inf and -inf) are refused, naming the column."""
    bad = next((v for v in labels if not is_label(v)), None)
    if bad is not None:
        raise DataError(
            f"{what}: column {short_repr(name)} {role} {short_repr(_plain(bad))}; labels must be str, bool, "
            "int (within 64 bits) or finite float values. Replace it, or convert the column first (e.g. .astype(str))."
        )


def describe_column(series: pd.Series, name: str, what: str) -> dict[str, Any]:
    """The column dict of one column (see the module doc); ``what`` names the frame in messages."""
    dtype = series.dtype
    kind = table.column_kind(series, what, allow=KINDS)
    null_rate = int(series.isna().sum()) / len(series)
    col: dict[str, Any] = {"name": name, "dtype": str(dtype), "null_rate": null_rate, "kind": kind}
    if isinstance(dtype, pd.CategoricalDtype):
        _refuse_inexact_labels(dtype.categories, name, what, "has the category")
        col.update(categories=[_plain(c) for c in dtype.categories], ordered=bool(dtype.ordered))
    elif kind == "categorical" and pd.api.types.is_object_dtype(dtype):
        _refuse_inexact_labels(series.dropna().unique(), name, what, "holds")
    elif kind == "datetime":
        tz = getattr(dtype, "tz", None)
        if tz is not None and not known_tz(str(tz)):
            raise DataError(
                f"{what}: column {short_repr(name)} has the time zone {short_repr(str(tz))}, which must be {TZ_RULE}; "
                "convert it first, e.g. with .dt.tz_convert('Europe/Paris')."
            )
        col.update(unit=table.datetime_unit(series), tz=None if tz is None else str(tz))
    if kind != "datetime" and col["dtype"] not in DTYPES[kind]:
        raise DataError(
            f"{what}: column {short_repr(name)} has dtype {col['dtype']!r}, which fitted generators cannot rebuild for "
            f"{kind} columns; use one of {sorted(DTYPES[kind])}."
        )
    return col


def describe_columns(data: Any, owner: str) -> list[dict[str, Any]]:
    """Check ``data`` (the frame ``owner`` learns, e.g. ``"GaussianCopula.fit"``) and
    describe each of its columns, in order."""
    what = f"The data of {owner}"
    table.check_frame(data, what, min_rows=2)
    table.refuse_all_missing(data, data.columns, what)
    columns = [describe_column(data[name], name, what) for name in data.columns]
    table.refuse_infinite(data, {c["name"]: c["kind"] for c in columns}, what)
    return columns


def column_values(series: pd.Series, col: dict[str, Any]) -> np.ndarray:
    """The non-missing values of a column as a numpy array in the form the models use.

    Numbers as float64, datetimes as int64 counts of their unit, labels as objects.
    """
    present = series.dropna()
    kind = col["kind"]
    if kind == "datetime":
        if col.get("tz"):
            present = present.dt.tz_convert("UTC").dt.tz_localize(None)
        return present.to_numpy().astype(f"datetime64[{col['unit']}]").astype("int64")
    if kind in ("numeric", "integer"):
        return present.to_numpy(dtype="float64")
    if kind == "boolean":
        return present.astype(bool).to_numpy(dtype=bool)
    local, uniques = factorize(present)
    return np.asarray([*uniques, None], dtype=object)[:-1][local]  # None: never a 2-d array


def factorize(series: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Each row's position among the column's distinct values (-1 where missing), and those
    values as plain Python objects, in order of first appearance.

    One hashing pass (or a categorical's own codes), instead of one Python call per row.
    """
    local, uniques = pd.factorize(series)
    return np.asarray(local, dtype=np.int64), [_plain(v) for v in uniques]


def encode_labels(series: pd.Series, values: list[Any], name: str, owner: str) -> np.ndarray:
    """Positions of the column's values in ``values`` (-1 for missing); unknown values raise."""
    local, uniques = factorize(series)
    # A trailing -1 so that a missing row (local position -1) reads -1.
    found = np.append(pd.Index(values, dtype=object).get_indexer(pd.Index(uniques, dtype=object)), -1)
    codes = found[local]
    unknown = (local >= 0) & (codes < 0)
    if unknown.any():
        bad = uniques[local[np.argmax(unknown)]]
        raise DataError(f"{owner}: column {name!r} holds {short_repr(bad)}, which the fitted data never had.")
    return codes
