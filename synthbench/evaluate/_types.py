"""Column types ("sdtypes") and input checks shared by the evaluation modules.

Frames are read by :mod:`synthbench.table` (the one place that decides which frames,
column names and column kinds synthbench accepts); this module only names each
column's kind in the vocabulary of SDMetrics' sdtypes, so the numbers mean the same
thing in both tools:

- ``numerical``: int/float/timedelta columns (not bool). Compared by their values.
- ``datetime``: datetime64 columns, compared as numbers (their integer timestamps).
- ``categorical``: strings, pandas categoricals and object columns of str, int or float
  values, compared by equality.
- ``boolean``: bool / nullable boolean columns (or object columns holding only bools).
- ``id``: string columns whose real values are all distinct (20+ rows): skipped, as
  SDMetrics skips ``id`` columns, because per-value comparisons of identifiers say
  nothing about quality.

``column_types={"col": "categorical"}`` overrides the inference for a column (say an
integer code that is really a category), exactly like an SDMetrics metadata ``sdtype``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, InvalidParameterError
from ..params import short_repr
from ..table import as_float, check_frame, column_kind, common_datetime_unit

__all__ = ["SDTYPES", "as_float", "check_frames", "column_types", "common_datetime_unit", "infer_sdtype"]

SDTYPES = ("numerical", "datetime", "categorical", "boolean", "id")
CONTINUOUS = ("numerical", "datetime")
DISCRETE = ("categorical", "boolean")

#: Fewest real rows for an all-distinct string column to count as an identifier.
_ID_MIN_ROWS = 20


#: A column's kind (:mod:`synthbench.table`) -> its sdtype (before identifier detection).
_SDTYPE_OF_KIND = {
    "numeric": "numerical",
    "integer": "numerical",
    "timedelta": "numerical",
    "datetime": "datetime",
    "boolean": "boolean",
    "categorical": "categorical",
}
#: An sdtype -> the kind the Gower distance treats it as.
KIND_OF_SDTYPE = {"numerical": "numeric", "datetime": "datetime", "boolean": "boolean", "categorical": "categorical"}


def infer_sdtype(series: pd.Series, *, detect_ids: bool = True, what: str = "The data") -> str:
    """The sdtype of one column, from its kind as :mod:`synthbench.table` reads it.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_sdtype(pd.Series([1.5, 2.0])), infer_sdtype(pd.Series([True, False]))
    ('numerical', 'boolean')
    >>> infer_sdtype(pd.Series(pd.to_datetime(["2024-01-01", None])))
    'datetime'
    """
    sdtype = _SDTYPE_OF_KIND[column_kind(series, what)]
    if sdtype != "categorical" or isinstance(series.dtype, pd.CategoricalDtype):
        return sdtype
    # A repeat among the first rows settles it without hashing the whole column.
    long_enough = detect_ids and len(series) >= _ID_MIN_ROWS and not series.hasnans
    if long_enough and series.iloc[:_ID_MIN_ROWS].is_unique and series.is_unique:
        return "id"
    return "categorical"


def check_frames(real: Any, synthetic: Any, *, names: tuple[str, str] = ("real", "synthetic")) -> None:
    """Raise :class:`~synthbench.exceptions.DataError` unless both frames are usable together.

    Both must be frames :func:`synthbench.table.check_frame` accepts, with the same
    column names (in any order).

    Examples
    --------
    >>> import pandas as pd
    >>> check_frames(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}))
    Traceback (most recent call last):
    ...
    synthbench.exceptions.DataError: The real and synthetic data must have the same columns. ...
    """
    check_frame(real, f"The {names[0]} data")
    check_frame(synthetic, f"The {names[1]} data")
    missing = [c for c in real.columns if c not in synthetic.columns]
    extra = [c for c in synthetic.columns if c not in real.columns]
    if missing or extra:
        raise DataError(
            f"The {names[0]} and {names[1]} data must have the same columns. "
            f"Missing in {names[1]}: {missing}; not in {names[0]}: {extra}."
        )


def column_types(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    overrides: Mapping[str, str] | None = None,
    *,
    names: tuple[str, str] = ("real", "synthetic"),
    real_kinds: dict[Any, tuple[str, bool]] | None = None,
) -> dict[str, str]:
    """The sdtype of every column (in the real frame's order), checked against both frames.

    A column must have the same sdtype in both frames, except that an all-missing column
    takes the other frame's type. ``overrides`` sets a column's sdtype explicitly.
    ``real_kinds`` keeps, per column, the real side's inferred sdtype and whether it is
    all missing, so a prepared reference reads the real frame once (it is filled here).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"age": [30, 40], "sex": ["f", "m"]})
    >>> column_types(real, real)
    {'age': 'numerical', 'sex': 'categorical'}
    >>> column_types(real, real.assign(age=["30", "40"]))
    Traceback (most recent call last):
    ...
    synthbench.exceptions.DataError: Column 'age' is numerical in the real data but categorical ...
    """
    overrides = dict(overrides or {})
    if not isinstance(overrides, dict):
        raise InvalidParameterError(
            "The 'column_types' parameter must be a dict of column name to sdtype. "
            f"Got {short_repr(overrides)} instead."
        )
    for col, sdtype in overrides.items():
        if col not in real.columns:
            raise InvalidParameterError(
                f"The 'column_types' parameter names column {col!r}, which is not in the data. "
                f"Columns: {list(real.columns)}."
            )
        if sdtype not in SDTYPES:
            raise InvalidParameterError(
                f"The 'column_types' parameter must map columns to one of {list(SDTYPES)}. "
                f"Got {short_repr(sdtype)} for column {col!r} instead."
            )
    types: dict[str, str] = {}
    for col in real.columns:
        if col in overrides:
            types[col] = overrides[col]
            continue
        r, s = real[col], synthetic[col]
        known = real_kinds.get(col) if real_kinds is not None else None
        if known is None:
            known = (infer_sdtype(r, what=f"The {names[0]} data"), bool(r.isna().all()))
            if real_kinds is not None:
                real_kinds[col] = known
        t_real, real_missing = known
        if t_real == "id":
            types[col] = "id"
            continue
        if s.isna().all():
            types[col] = t_real
            continue
        t_syn = infer_sdtype(s, detect_ids=False, what=f"The {names[1]} data")
        if real_missing:
            t_real = t_syn
        if t_real != t_syn:
            raise DataError(
                f"Column {col!r} is {t_real} in the {names[0]} data but {t_syn} in the {names[1]} data; "
                f"convert one of them or pass column_types={{{col!r}: ...}}."
            )
        types[col] = t_real
    return types


def continuous_pair(real: pd.Series, synthetic: pd.Series, sdtype: str) -> tuple[np.ndarray, np.ndarray]:
    """Real and synthetic values of a continuous column as float64 on one scale."""
    if sdtype == "datetime":
        try:
            unit = common_datetime_unit(real, synthetic)
            return as_float(real, sdtype, unit=unit), as_float(synthetic, sdtype, unit=unit)
        except (TypeError, ValueError, OverflowError) as exc:
            raise DataError(f"Column {real.name!r} is treated as datetime but cannot be read as dates: {exc}") from None
    return as_float(real, sdtype), as_float(synthetic, sdtype)


def discrete_codes(real: pd.Series, synthetic: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Integer codes shared by both columns (-1 for missing) and the values they stand for.

    Values are matched by equality, as a ``collections.Counter`` or a ``groupby`` would.
    """
    if real.dtype == synthetic.dtype:
        both = pd.concat([real, synthetic], ignore_index=True)
    else:
        both = pd.Series(np.concatenate([real.to_numpy(dtype=object), synthetic.to_numpy(dtype=object)]), dtype=object)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    return codes[: len(real)], codes[len(real) :], pd.Index(uniques)
