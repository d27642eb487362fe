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

import math
from typing import Any

import numpy as np
import pandas as pd

from ...exceptions import DataError, SpecError
from ...params import short_repr

__all__ = ["KINDS", "check_column_spec", "column_values", "describe_columns", "encode_labels"]

KINDS = ("numeric", "integer", "boolean", "categorical", "datetime")
_MAX_NAME = 1_000


def _is_label(value: Any) -> bool:
    """A category value that JSON carries exactly: str, int, bool or finite float."""
    if isinstance(value, (str, bool, np.bool_)):
        return True
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and math.isfinite(value)


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
        if not all(_is_label(c) for c in cats):
            raise DataError(
                f"{owner} cannot learn column {name!r}: its categories must be str, int, bool or "
                f"finite float. Got {short_repr(cats[:5])}."
            )
        col.update(kind="categorical", categories=[_plain(c) for c in cats], ordered=bool(dtype.ordered))
    elif pd.api.types.is_bool_dtype(dtype):
        col["kind"] = "boolean"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        tz = getattr(dtype, "tz", None)
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


def check_column_spec(col: Any, where: str) -> dict[str, Any]:
    """Validate one column dict loaded from a spec; raise :class:`SpecError` if broken."""
    if not isinstance(col, dict):
        raise SpecError(f"Invalid state at {where}: must be an object. Got {short_repr(col)} instead.")
    name, kind, dtype, rate = col.get("name"), col.get("kind"), col.get("dtype"), col.get("null_rate")
    if not isinstance(name, str) or not name:
        raise SpecError(f"Invalid state at {where}['name']: must be a non-empty str. Got {short_repr(name)}.")
    if kind not in KINDS:
        raise SpecError(f"Invalid state at {where}['kind']: must be one of {list(KINDS)}. Got {short_repr(kind)}.")
    if not isinstance(dtype, str) or not dtype:
        raise SpecError(f"Invalid state at {where}['dtype']: must be a dtype name. Got {short_repr(dtype)}.")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise SpecError(f"Invalid state at {where}['null_rate']: must be a float in [0, 1). Got {short_repr(rate)}.")
    if dtype == "category":
        cats = col.get("categories")
        if (
            not isinstance(cats, list)
            or not all(_is_label(c) for c in cats)
            or not isinstance(col.get("ordered"), bool)
        ):
            raise SpecError(f"Invalid state at {where}: a category column needs 'categories' and 'ordered'.")
    else:
        try:
            if kind != "datetime":
                pd.Series([], dtype=dtype)
        except (TypeError, ValueError):
            raise SpecError(f"Invalid state at {where}['dtype']: {dtype!r} is not a pandas dtype.") from None
    if kind == "datetime" and col.get("unit") not in ("s", "ms", "us", "ns"):
        raise SpecError(f"Invalid state at {where}['unit']: must be 's', 'ms', 'us' or 'ns'.")
    decimals, step, tz = col.get("decimals"), col.get("step"), col.get("tz")
    if decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 15
    ):
        raise SpecError(f"Invalid state at {where}['decimals']: must be None or an int in [0, 15].")
    if step is not None and (
        isinstance(step, bool) or not isinstance(step, (int, float)) or not np.isfinite(step) or step <= 0
    ):
        raise SpecError(f"Invalid state at {where}['step']: must be None or a finite number > 0.")
    if tz is not None and not isinstance(tz, str):
        raise SpecError(f"Invalid state at {where}['tz']: must be None or a time zone name.")
    return col
