"""Column types of a real DataFrame: what each column is, how it is stored, how to rebuild it.

Every fitted generator starts here. :func:`describe_columns` checks the frame (clear
errors naming the column) and returns one plain dict per column, which is JSON as it
stands and travels in specs and exported code:

``name``
    the column's name (a str).
``kind``
    ``"numeric"`` (float), ``"integer"``, ``"boolean"``, ``"categorical"`` or ``"datetime"``.
``dtype``
    the pandas dtype to rebuild, as text (``"float64"``, ``"Int64"``, ``"str"``, ``"category"``,
    ``"bool"``, ``"object"``, ...). Categorical dtypes also keep ``categories`` and
    ``ordered``; datetimes keep ``unit`` and ``tz``.
``null_rate``
    the share of missing values, reproduced by sampling.

Datetimes are handled as integers in their own unit (``"us"`` under pandas 3, ``"ns"``
under pandas 2), so no precision is lost on the way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...exceptions import DataError
from ...params import short_repr
from ._state import DTYPES, TZ_RULE, is_label, known_tz

__all__ = ["KINDS", "column_values", "describe_columns", "encode_labels"]

KINDS = ("numeric", "integer", "boolean", "categorical", "datetime")
_MAX_NAME = 1_000


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def check_frame(data: Any, owner: str, *, min_rows: int = 2) -> pd.DataFrame:
    """``data`` as a DataFrame fit to learn from, or a :class:`DataError` saying why not."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{owner} needs a pandas DataFrame. Got {type(data).__name__} instead.")
    if data.shape[1] == 0:
        raise DataError(f"{owner} needs a DataFrame with at least one column. Got 0 columns.")
    if len(data) < min_rows:
        raise DataError(f"{owner} needs a DataFrame with at least {min_rows} rows. Got {len(data)} row(s).")
    names = list(data.columns)
    for name in names:
        if not isinstance(name, str) or not name or len(name) > _MAX_NAME:
            raise DataError(f"{owner} needs non-empty str column names. Got column name {short_repr(name)}.")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise DataError(f"{owner} needs distinct column names. Got repeated column(s) {dup}.")
    return data


def _datetime_unit(dtype: Any) -> str:
    unit = getattr(dtype, "unit", None)
    if unit is None:
        unit = np.datetime_data(dtype)[0]
    return str(unit)


def _label_kind(values: pd.Series, name: str, owner: str) -> str:
    """``"boolean"`` or ``"categorical"`` for an object/str column, or a DataError."""
    present = values.dropna()
    types = {type(_plain(v)) for v in present}
    if types <= {bool}:
        return "boolean"
    if types <= {str}:
        return "categorical"
    kinds = sorted(t.__name__ for t in types)
    raise DataError(
        f"{owner} cannot learn column {name!r}: an object column must hold only str "
        f"(categorical) or only bool values. Got values of types {kinds}; convert the column first."
    )


def describe_column(series: pd.Series, name: str, owner: str) -> dict[str, Any]:
    """The column dict of one column (see the module doc), checked for learnability."""
    dtype = series.dtype
    n_missing = int(series.isna().sum())
    if n_missing == len(series):
        raise DataError(f"{owner} cannot learn column {name!r}: every value is missing.")
    col: dict[str, Any] = {"name": name, "dtype": str(dtype), "null_rate": n_missing / len(series)}
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories)
        if not all(is_label(c) for c in cats) or len(set(map(_plain, cats))) != len(cats):
            raise DataError(
                f"{owner} cannot learn column {name!r}: its categories must be distinct str, int, bool "
                f"or finite float values (1, 1.0 and True count as one). Got {short_repr(cats[:5])}."
            )
        col.update(kind="categorical", categories=[_plain(c) for c in cats], ordered=bool(dtype.ordered))
    elif pd.api.types.is_bool_dtype(dtype):
        col["kind"] = "boolean"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        tz = getattr(dtype, "tz", None)
        if tz is not None and not known_tz(str(tz)):
            raise DataError(
                f"{owner} cannot learn column {name!r}: its time zone must be {TZ_RULE}. Got {short_repr(str(tz))}; "
                "convert it first, e.g. with .dt.tz_convert('Europe/Paris')."
            )
        col.update(kind="datetime", unit=_datetime_unit(dtype), tz=None if tz is None else str(tz))
    elif pd.api.types.is_integer_dtype(dtype):
        col["kind"] = "integer"
    elif pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(values).any():
            raise DataError(f"{owner} cannot learn column {name!r}: it holds infinite values (inf or -inf).")
        col["kind"] = "numeric"
    elif pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        col["kind"] = _label_kind(series, name, owner)
    else:
        raise DataError(
            f"{owner} cannot learn column {name!r}: dtype {str(dtype)!r} is not supported. Supported are "
            "float, int, bool, datetime, category and str/object columns of str or bool values."
        )
    if col["kind"] != "datetime" and col["dtype"] not in DTYPES[col["kind"]]:
        raise DataError(
            f"{owner} cannot learn column {name!r}: dtype {col['dtype']!r} is not supported for {col['kind']} "
            f"columns; use one of {sorted(DTYPES[col['kind']])}."
        )
    return col


def describe_columns(data: pd.DataFrame, owner: str) -> list[dict[str, Any]]:
    """Check ``data`` and describe each of its columns, in order."""
    check_frame(data, owner)
    return [describe_column(data[name], name, owner) for name in data.columns]


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
    return np.asarray([_plain(v) for v in present], dtype=object)


def encode_labels(series: pd.Series, values: list[Any], name: str, owner: str) -> np.ndarray:
    """Positions of the column's values in ``values`` (-1 for missing); unknown values raise."""
    codes = np.full(len(series), -1, dtype=np.int64)
    present = series.notna().to_numpy()
    observed = series[present].astype(object).to_numpy()
    found = pd.Index(values, dtype=object).get_indexer(observed)
    if (found < 0).any():
        bad = _plain(observed[found < 0][0])
        raise DataError(f"{owner}: column {name!r} holds {short_repr(bad)}, which the fitted data never had.")
    codes[present] = found
    return codes
