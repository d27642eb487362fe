"""Reading a DataFrame: the one place that decides what a frame and its columns are.

Every part of synthbench that takes a user's frame (balancing, evaluation, the
balancing report, fitted generators) reads it through this module, so one frame is
accepted or refused the same way everywhere, with the same words.

The frame (:func:`check_frame`)
    a :class:`pandas.DataFrame` with at least ``min_rows`` rows and ``min_columns``
    columns, whose column names are distinct, non-empty ``str`` of at most
    :data:`MAX_NAME` characters. Names travel into JSON specs (whose keys are strings)
    and into exported code, and ``1`` and ``"1"`` would be one key there, so other
    names are refused (``df.columns = df.columns.astype(str)`` fixes them).

Column kinds (:func:`column_kind`), from the dtype, and for object columns from the values
    ``"numeric"`` float; ``"integer"`` int (nullable too); ``"boolean"`` bool, nullable
    boolean, or an object column of bools; ``"datetime"`` datetime64 (any unit, any
    time zone); ``"timedelta"`` timedelta64; ``"categorical"`` category, string, or an
    object column whose values are all ``str``, all ``int`` or all ``float``.

    Refused, naming the column: complex, period, interval and other dtypes; category
    columns whose categories mix types; object columns holding unhashable values
    (lists, dicts, sets), values of mixed types (``1``, ``"1"``, ``True`` and ``1.0``
    would be merged or unsortable as categories) or other objects (dates, decimals,
    bytes: convert them with ``pd.to_datetime``, ``astype(float)`` or ``astype(str)``).

Values (:func:`refuse_missing`, :func:`refuse_all_missing`, :func:`refuse_infinite`)
    callers pick which checks their method needs; each names the columns at fault.

Distance between records (:func:`gower_embedding`, :func:`nearest`)
    One definition for "nearest record", "distance to the closest record" and "near
    copy": the Gower distance ``d(x, y) = (1/p) * sum_j d_j`` over the p compared columns:

    - numeric, integer, datetime and timedelta columns: ``d_j = |x_j - y_j| / range_j``,
      where ``range_j`` is max - min of the *reference* frame's column, and values
      beyond that range count as its nearest end (so ``d_j`` stays within [0, 1]); when
      the reference column is constant, ``d_j`` is 0 for that value and 1 for any other;
    - categorical and boolean columns: ``d_j = 0`` if equal, else 1;
    - missing vs missing is 0; in a categorical column missing is one more category; in
      a continuous column a missing value sits at the middle of the reference range plus
      a fixed 0.5, so missing vs present costs ``0.5 + |0.5 - scaled value|``.

    Why Gower rather than z-scored Euclidean distances: it is the distance used for
    disclosure risk by anonymeter and SDMetrics (so our privacy numbers read like
    theirs), it takes mixed types and missing values without imputation, every column
    weighs the same whatever its spread, and it lies in [0, 1], so thresholds mean the
    same on every table. It is an L1 distance in an embedding (scaled numbers,
    one-hot categories weighted 1/2), so scikit-learn's ``NearestNeighbors`` with the
    Manhattan metric finds nearest records exactly.

>>> import pandas as pd
>>> frame = pd.DataFrame({"age": [20, 40, 60], "city": ["a", "b", "a"]})
>>> column_kinds(check_frame(frame, "The data"), "The data")
{'age': 'integer', 'city': 'categorical'}
>>> real, other = gower_embedding([frame, pd.DataFrame({"age": [40], "city": ["a"]})], column_kinds(frame, "x"))
>>> nearest(real, other, 1)[0].round(3).tolist()
[[0.25]]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError
from .params import short_repr

__all__ = [
    "CONTINUOUS",
    "DISCRETE",
    "KINDS",
    "MAX_EMBEDDING_BYTES",
    "MAX_NAME",
    "as_float",
    "check_frame",
    "column_kind",
    "column_kinds",
    "common_datetime_unit",
    "datetime_unit",
    "gower_embedding",
    "identifier_like",
    "nearest",
    "refuse_all_missing",
    "refuse_infinite",
    "refuse_missing",
]

KINDS = ("numeric", "integer", "boolean", "categorical", "datetime", "timedelta")
CONTINUOUS = ("numeric", "integer", "datetime", "timedelta")
DISCRETE = ("boolean", "categorical")
#: Longest column name accepted (names go into specs, code cells and messages).
MAX_NAME = 1_000
#: A text column is identifier-like (a name, a code, an e-mail) when at least this share of
#: its present values are distinct and it has more than IDENTIFIER_MIN_DISTINCT of them.
IDENTIFIER_SHARE = 0.9
IDENTIFIER_MIN_DISTINCT = 20
#: Largest record embedding :func:`gower_embedding` builds (8 bytes per row and one-hot level).
MAX_EMBEDDING_BYTES = 2**30

_SUPPORTED = (
    "float, int, bool, datetime, timedelta, category and str columns, or object columns "
    "whose values are all str, all int, all float or all bool"
)
# pandas' infer_dtype of an object column (missing values skipped) -> kind.
_OBJECT_KINDS = {"string": "categorical", "integer": "categorical", "floating": "categorical", "boolean": "boolean"}
_CONVERT = {
    "datetime": "pd.to_datetime(...)",
    "datetime64": "pd.to_datetime(...)",
    "date": "pd.to_datetime(...)",
    "decimal": ".astype(float)",
    "timedelta": "pd.to_timedelta(...)",
    "timedelta64": "pd.to_timedelta(...)",
}


# -- the frame ------------------------------------------------------------------------------
def check_frame(data: Any, what: str, *, min_rows: int = 1, min_columns: int = 1) -> pd.DataFrame:
    """``data`` if it is a frame synthbench can read, else a :class:`DataError` saying why.

    ``what`` names the frame in messages, e.g. ``"The real data"`` or ``"The data of Balance.fit"``.

    >>> check_frame(pd.DataFrame({0: [1]}), "The data")
    Traceback (most recent call last):
    ...
    synthbench.exceptions.DataError: The data must have non-empty str column names ...
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if data.shape[0] < min_rows or data.shape[1] < min_columns:
        label = "is empty" if 0 in data.shape else "is too small"
        raise DataError(
            f"{what} {label} (shape {data.shape}); it needs at least {min_rows} row(s) and {min_columns} column(s)."
        )
    for name in data.columns:
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise DataError(
                f"{what} must have non-empty str column names of at most {MAX_NAME} characters. Got column name "
                f"{short_repr(name)} ({type(name).__name__}); rename the columns first, e.g. "
                "df.columns = df.columns.astype(str)."
            )
    if not data.columns.is_unique:
        dups = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise DataError(f"{what} must have distinct column names. Got repeated column(s) {short_repr(dups)}.")
    return data


# -- column kinds ----------------------------------------------------------------------------
def _value_types(values: pd.Series) -> list[str]:
    return sorted({type(v).__name__ for v in values.dropna().iloc[:10_000]})


def _label_kind(values: Any, name: Any, what: str, role: str) -> str:
    """The kind of an object column or of a category column's categories (values are labels)."""
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "empty":
        return "categorical"
    if inferred == "integer":
        ints = pd.Series(values, dtype=object).dropna()
        if len(ints) and not (min(ints) >= -(2**63) and max(ints) < 2**64):
            # Specs hold values as JSON numbers that every reader takes: 64-bit ints at most.
            raise DataError(
                f"{what}: column {short_repr(name)} {role} must hold integers that fit in 64 bits; "
                "convert the column first (.astype(str))."
            )
    if inferred in _OBJECT_KINDS:
        return _OBJECT_KINDS[inferred]
    series = pd.Series(values, dtype=object)
    types = _value_types(series)
    unhashable = [t for t in types if t in ("list", "dict", "set", "ndarray", "bytearray")]
    if unhashable:
        rule = f"must hold single values, not {' or '.join(unhashable)} values"
    elif len(types) > 1:
        rule = f"must hold values of one type (all str, all int, all float or all bool); they mix {types}"
    else:
        fix = _CONVERT.get(inferred, ".astype(str)")
        rule = f"must hold str, int, float or bool values, not {types}; convert the column first ({fix})"
    raise DataError(f"{what}: column {short_repr(name)} {role} {rule}.")


def column_kind(series: pd.Series, what: str, *, allow: Collection[str] = KINDS, hint: str = "") -> str:
    """The kind of one column (see the module doc); refused dtypes raise :class:`DataError`.

    ``allow`` narrows the kinds a caller takes; ``hint`` ends the message (e.g. another method).

    >>> column_kind(pd.Series([1, "a"], dtype=object, name="x"), "The data")
    Traceback (most recent call last):
    ...
    synthbench.exceptions.DataError: The data: column 'x' is an object column and must hold values of one type ...
    """
    dtype, name = series.dtype, series.name
    if isinstance(dtype, pd.CategoricalDtype):
        kind = "categorical"
        if len(dtype.categories):
            _label_kind(dtype.categories, name, what, "has categories that")
    elif pd.api.types.is_bool_dtype(dtype):
        kind = "boolean"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        kind = "datetime"
    elif pd.api.types.is_timedelta64_dtype(dtype):
        kind = "timedelta"
    elif pd.api.types.is_integer_dtype(dtype):
        kind = "integer"
    elif pd.api.types.is_float_dtype(dtype):
        kind = "numeric"
    elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        kind = "categorical"
    elif pd.api.types.is_object_dtype(dtype):
        kind = _label_kind(series, name, what, "is an object column and")
    else:
        raise DataError(
            f"{what}: column {short_repr(name)} has dtype {str(dtype)!r}, which synthbench cannot read. "
            f"Supported are {_SUPPORTED}{hint}."
        )
    if kind not in allow:
        raise DataError(
            f"{what}: column {short_repr(name)} is {kind} ({dtype}), which is not supported here; "
            f"supported kinds: {', '.join(k for k in KINDS if k in allow)}{hint}."
        )
    return kind


def column_kinds(
    data: pd.DataFrame,
    what: str,
    *,
    columns: Iterable[Any] | None = None,
    allow: Collection[str] = KINDS,
    hint: str = "",
) -> dict[Any, str]:
    """``{column: kind}`` for ``columns`` (default: all) of a frame checked by :func:`check_frame`."""
    names = data.columns if columns is None else columns
    return {c: column_kind(data[c], what, allow=allow, hint=hint) for c in names}


# -- values ------------------------------------------------------------------------------------
def identifier_like(series: pd.Series) -> bool:
    """Whether a column is identifier-like text: a str/object column of str values, nearly
    every present one distinct (share >= ``IDENTIFIER_SHARE``, more than
    ``IDENTIFIER_MIN_DISTINCT`` distinct). Categorical dtypes and numbers never are.

    Such a column is a key, a name or a code: learning its values means copying them.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return False
    if not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
        return False
    present = series.dropna()
    if len(present) <= IDENTIFIER_MIN_DISTINCT or pd.api.types.infer_dtype(present, skipna=True) != "string":
        return False
    distinct = present.nunique()
    return distinct > IDENTIFIER_MIN_DISTINCT and distinct >= IDENTIFIER_SHARE * len(present)


def refuse_missing(data: pd.DataFrame, columns: Iterable[Any], what: str, *, hint: str = "") -> None:
    """Raise :class:`DataError` naming the columns (of ``columns``) that hold missing values."""
    # Column by column: selecting all at once would copy the whole frame.
    missing = [c for c in columns if data[c].isna().any()]
    if missing:
        raise DataError(f"{what}: columns {short_repr(missing)} have missing values{hint}.")


def refuse_all_missing(data: pd.DataFrame, columns: Iterable[Any], what: str) -> None:
    """Raise :class:`DataError` naming the columns in which every value is missing."""
    empty = [c for c in columns if data[c].isna().all()]
    if empty:
        raise DataError(f"{what}: every value of columns {short_repr(empty)} is missing; drop them first.")


def refuse_infinite(data: pd.DataFrame, kinds: Mapping[Any, str], what: str) -> None:
    """Raise :class:`DataError` naming the numeric columns that hold inf or -inf."""
    floats = [c for c, k in kinds.items() if k == "numeric"]
    inf = [c for c in floats if np.isinf(data[c].to_numpy(dtype="float64", na_value=np.nan)).any()]
    if inf:
        raise DataError(f"{what}: columns {short_repr(inf)} hold infinite values; replace them with NaN or numbers.")


# -- continuous values as numbers ------------------------------------------------------------
def datetime_unit(series: pd.Series) -> str:
    """The resolution of a datetime column ('s', 'ms', 'us' or 'ns')."""
    unit = np.datetime_data(np.dtype(getattr(series.dtype, "base", series.dtype)))[0]
    return unit if unit in ("s", "ms", "us", "ns") else "ns"


def common_datetime_unit(*series: pd.Series) -> str:
    """The finest resolution among datetime columns, so all share one scale."""
    order = ("s", "ms", "us", "ns")
    return max((datetime_unit(pd.to_datetime(s)) for s in series), key=order.index)


def as_float(series: pd.Series, kind: str | None = None, *, unit: str | None = None) -> np.ndarray:
    """A continuous column as float64 with NaN for missing.

    Datetimes become timestamps counted in ``unit`` (time zones converted to UTC),
    timedeltas seconds; anything else must be numbers, and infinite values are refused.
    """
    if kind == "datetime" or pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = pd.to_datetime(series)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        arr = values.to_numpy().astype(f"datetime64[{unit or datetime_unit(values)}]")
        out = arr.astype("int64").astype("float64")
        out[np.isnat(arr)] = np.nan
        return out
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        return series.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    try:
        out = pd.to_numeric(series, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"Column {short_repr(series.name)} is treated as numerical but holds non-numbers: {exc}"
        ) from None
    if np.isinf(out).any():
        raise DataError(
            f"Column {short_repr(series.name)} holds infinite values; replace them with NaN or finite numbers."
        )
    return out


# -- distances between records (Gower) -----------------------------------------------------------
def gower_embedding(
    frames: Sequence[pd.DataFrame], kinds: Mapping[Any, str], columns: Sequence[Any] | None = None
) -> list[np.ndarray]:
    """Each frame as a float matrix whose L1 (Manhattan) distances are Gower distances.

    ``frames[0]`` is the reference (it sets the ranges); ``kinds`` maps each compared
    column to its kind (a continuous kind or not); ``columns`` defaults to its keys.

    >>> a = pd.DataFrame({"x": [0.0, 10.0], "c": ["u", "v"]})
    >>> ref, = gower_embedding([a], {"x": "numeric", "c": "categorical"})
    >>> np.abs(ref[:, None, :] - ref[None, :, :]).sum(axis=2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    columns = list(kinds) if columns is None else list(columns)
    if not columns:
        raise DataError("No columns are left to compare records on (identifier columns are skipped).")
    _check_embedding_size(frames, kinds, columns)
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    for col in columns:
        kind = kinds[col]
        if kind in CONTINUOUS:
            unit = common_datetime_unit(*(f[col] for f in frames)) if kind == "datetime" else None
            values = [as_float(f[col], kind, unit=unit) for f in frames]
            ref = values[0][~np.isnan(values[0])]
            if len(ref) == 0:
                present = [v[~np.isnan(v)] for v in values]
                ref = np.concatenate(present) if any(len(p) for p in present) else np.zeros(1)
            low, span = ref.min(), ref.max() - ref.min()
            has_nan = any(np.isnan(v).any() for v in values)
            for i, v in enumerate(values):
                # Clipped to the reference range, so each column adds at most 1; a constant
                # reference column tells equal (0) from different (1) only.
                with np.errstate(invalid="ignore"):
                    scaled = np.clip((v - low) / span, 0, 1) if span > 0 else np.where(v == low, 0.0, 1.0)
                scaled[np.isnan(v)] = np.nan
                if has_nan:
                    missing = np.isnan(scaled)
                    blocks[i].append(np.where(missing, 0.5, scaled))
                    blocks[i].append(missing * 0.5)
                else:
                    blocks[i].append(scaled)
        else:
            both = pd.Series(np.concatenate([f[col].to_numpy(dtype=object) for f in frames]), dtype=object)
            codes, uniques = pd.factorize(both, use_na_sentinel=False)
            onehot = np.zeros((len(codes), len(uniques)))
            onehot[np.arange(len(codes)), codes] = 0.5
            start = 0
            for i, f in enumerate(frames):
                blocks[i].append(onehot[start : start + len(f)])
                start += len(f)
    return [np.column_stack(b) / len(columns) for b in blocks]


def _check_embedding_size(frames: Sequence[pd.DataFrame], kinds: Mapping[Any, str], columns: list[Any]) -> None:
    """Refuse, before allocating, an embedding larger than :data:`MAX_EMBEDDING_BYTES`."""
    rows = sum(len(f) for f in frames)
    width = 0
    for col in columns:
        if kinds[col] in CONTINUOUS:
            width += 2
        else:
            width += sum(int(f[col].nunique(dropna=False)) for f in frames)
    need = 8 * rows * width
    if need > MAX_EMBEDDING_BYTES:
        wide = [c for c in columns if kinds[c] not in CONTINUOUS]
        raise DataError(
            f"Comparing these records needs about {need / 2**30:.1f} GiB (categories are one-hot encoded), "
            f"more than the limit of {MAX_EMBEDDING_BYTES / 2**30:.0f} GiB. Leave out columns with many distinct "
            f"values (categorical columns: {short_repr(wide)}) or compare a sample of the rows."
        )


def nearest(reference: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances and row numbers of the ``k`` rows of ``reference`` nearest each query (Manhattan)."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(reference))
    nn = NearestNeighbors(n_neighbors=k, metric="manhattan").fit(reference)
    return nn.kneighbors(queries)
