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

__all__ = [
    "KINDS",
    "column_values",
    "describe_columns",
    "encode_labels",
    "factorize",
    "identifier_shape",
    "split_identifiers",
]

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


#: Longest identifier shape learned: longer values are generated at this length.
MAX_IDENTIFIER_LENGTH = 100
#: Character classes of an identifier shape, in the order the kernel uses (see
#: ``synthbench.kernels.fitted.identifier_column``): upper, lower, digit, then these.
_PUNCTUATION = " -_.'@/"


def identifier_shape(series: pd.Series, col: dict[str, Any], at: int) -> dict[str, Any]:
    """The shape of an identifier-like text column, with none of its values or characters.

    Lengths (capped at ``MAX_IDENTIFIER_LENGTH``) with their counts, and per position the
    count of each character class: ASCII upper, lower, digit, then " -_.'@/". Other
    letters count as lower (upper if upper-case), other digits as digits, anything else
    as "-". ``at`` is the column's position in the frame.
    """
    present = series.dropna().astype(str).to_numpy(dtype=object)
    lengths = np.minimum(np.fromiter(map(len, present), dtype=np.int64, count=len(present)), MAX_IDENTIFIER_LENGTH)
    width = max(int(lengths.max(initial=0)), 1)
    points = np.array([v[:MAX_IDENTIFIER_LENGTH] for v in present], dtype=f"<U{width}").view(np.uint32)
    points = points.reshape(len(present), width)
    ascii_class = np.full(128, 4)  # "-"
    ascii_class[65:91], ascii_class[97:123], ascii_class[48:58] = 0, 1, 2
    for i, c in enumerate(_PUNCTUATION):
        ascii_class[ord(c)] = 3 + i
    cls = ascii_class[np.minimum(points, 127)]
    wide = np.unique(points[points > 127])
    for c in wide:  # letters and digits beyond ASCII, by Python's own character classes
        ch = chr(int(c))
        cls[points == c] = 0 if ch.isupper() else 1 if ch.isalpha() else 2 if ch.isdigit() else 4
    inside = np.arange(width) < lengths[:, None]
    counts = np.zeros((width, 3 + len(_PUNCTUATION)), dtype=np.int64)
    np.add.at(counts, (np.broadcast_to(np.arange(width), cls.shape)[inside], cls[inside]), 1)
    values, length_counts = np.unique(lengths, return_counts=True)
    return {
        "name": col["name"],
        "kind": "categorical",
        "dtype": col["dtype"],
        "null_rate": col["null_rate"],
        "at": at,
        "unique": bool(len(set(present.tolist())) == len(present)),
        "lengths": values.tolist(),
        "length_counts": length_counts.tolist(),
        "classes": counts[: int(values[-1])].tolist() if len(values) else [],
    }


def split_identifiers(
    data: pd.DataFrame, columns: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The columns that are not identifier-like, and the shapes of those that are
    (:func:`synthbench.table.identifier_like`); all columns stay if none would remain."""
    found = [
        j for j, col in enumerate(columns) if col["dtype"] != "category" and table.identifier_like(data[col["name"]])
    ]
    if not found or len(found) == len(columns):
        return columns, []
    shapes = [identifier_shape(data[columns[j]["name"]], columns[j], j) for j in found]
    return [c for j, c in enumerate(columns) if j not in found], shapes
