"""Checks of a fitted state loaded from a spec, field by field, before anything samples it.

A spec is untrusted text. Every field of a fitted state is checked here for its type,
shape, range and consistency with the other fields, so a tampered spec fails in
``from_dict`` with a :class:`SpecError` naming the field, never later in numpy, and a
state that passes samples and exports like one that ``fit`` wrote.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np

from ...exceptions import SpecError
from ...params import short_repr

__all__ = [
    "DTYPES",
    "check_cart_rows",
    "check_column",
    "check_latent_model",
    "check_marginal",
    "is_label",
    "known_tz",
]

_INT_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64}
#: Integer dtypes and the values each holds.
INT_RANGES: dict[str, tuple[int, int]] = {}
for _name, _bits in _INT_BITS.items():
    INT_RANGES[_name] = INT_RANGES[_name.capitalize()] = (-(2 ** (_bits - 1)), 2 ** (_bits - 1) - 1)
    INT_RANGES["u" + _name] = INT_RANGES["U" + _name.capitalize()] = (0, 2**_bits - 1)
#: Float dtypes and their largest finite value.
FLOAT_MAX = {
    "float16": 65504.0,
    "float32": float(np.finfo(np.float32).max),
    "Float32": float(np.finfo(np.float32).max),
    "float64": float(np.finfo(np.float64).max),
    "Float64": float(np.finfo(np.float64).max),
}
UNITS = ("s", "ms", "us", "ns")
#: The dtypes (as text) each kind of column may have; datetimes are checked by pattern.
DTYPES = {
    "numeric": frozenset(FLOAT_MAX),
    "integer": frozenset(INT_RANGES),
    "boolean": frozenset({"bool", "boolean", "object"}),
    "categorical": frozenset({"category", "object", "str", "string"}),
}
#: Dtypes that cannot hold a missing value.
NO_MISSING = frozenset({"bool", *(d for d in INT_RANGES if d[0] in "iu")})
#: Integers the latent models learn exactly (through float64).
EXACT_INT = 2**53
#: Datetime counts (in their unit): int64 without NaT; as floats, the largest below 2**63.
DATETIME_INTS = (-(2**63) + 1, 2**63 - 1)
DATETIME_LIMIT = 2**63 - 1024
_FIXED_OFFSET = re.compile(r"UTC[+-](0\d|1[0-4]):[0-5]\d")
_MAX_NAME = 1_000
_MAX_COMPONENTS = 100
_MAX_KNOTS = 10_000


@functools.cache
def _zone_names() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def known_tz(tz: Any) -> bool:
    """Whether ``tz`` is a time zone we write: an IANA name, "UTC" or "UTC+hh:mm".

    Membership in a fixed list of names only: nothing here reads a path or a file.
    """
    return isinstance(tz, str) and (tz in _zone_names() or _FIXED_OFFSET.fullmatch(tz) is not None)


TZ_RULE = "None, 'UTC', an IANA time zone name (zoneinfo.available_timezones()) or a fixed offset like 'UTC+01:00'"


def is_label(value: Any) -> bool:
    """A category value that JSON carries exactly: str, int, bool or finite float."""
    if isinstance(value, (str, bool, np.bool_, int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and math.isfinite(value)


def _fail(where: str, rule: str, value: Any) -> SpecError:
    return SpecError(f"Invalid state at {where}: must be {rule}. Got {short_repr(value)} instead.")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _list(value: Any, where: str, what: str, min_len: int = 1, max_len: int | None = None) -> list[Any]:
    if not isinstance(value, list) or len(value) < min_len or (max_len is not None and len(value) > max_len):
        size = f"at least {min_len}" + (f" and at most {max_len}" if max_len is not None else "")
        raise _fail(where, f"a list of {size} {what}", value)
    return value


def _numbers(value: Any, where: str, min_len: int = 1, max_len: int | None = None) -> np.ndarray:
    items = _list(value, where, "finite numbers", min_len, max_len)
    bad = next((v for v in items if not _is_number(v)), None)
    if bad is not None or any(not _is_number(v) for v in items):
        raise _fail(where, "a list of finite numbers (int or float)", bad)
    return np.asarray(items, dtype=float)


def _distinct(values: list[Any]) -> bool:
    """No two values equal in Python's sense (1, 1.0 and True are one category to pandas)."""
    try:
        return len(set(values)) == len(values)
    except TypeError:
        return False


def _value_range(col: dict[str, Any]) -> tuple[float, float]:
    """The values a numeric, integer or datetime column may take (as floats)."""
    dtype, kind = col["dtype"], col["kind"]
    if kind == "numeric":
        return -FLOAT_MAX[dtype], FLOAT_MAX[dtype]
    if kind == "integer":
        low, high = INT_RANGES[dtype]
        return float(max(low, -EXACT_INT)), float(min(high, EXACT_INT))
    return float(-DATETIME_LIMIT), float(DATETIME_LIMIT)


def check_column(col: Any, where: str, extra: frozenset[str]) -> dict[str, Any]:
    """The fields every column has (name, kind, dtype, null_rate, and per dtype categories,
    unit, tz); ``extra`` names the model's own fields, checked by the caller."""
    if not isinstance(col, dict):
        raise _fail(where, "an object", col)
    name, kind, dtype, rate = col.get("name"), col.get("kind"), col.get("dtype"), col.get("null_rate")
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME:
        raise _fail(f"{where}['name']", f"a non-empty str of at most {_MAX_NAME} characters", name)
    if kind not in ("numeric", "integer", "boolean", "categorical", "datetime"):
        raise _fail(f"{where}['kind']", "one of 'numeric', 'integer', 'boolean', 'categorical', 'datetime'", kind)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise _fail(f"{where}['null_rate']", "a float in [0, 1)", rate)
    keys = {"name", "kind", "dtype", "null_rate"}
    if kind == "datetime":
        unit, tz = col.get("unit"), col.get("tz")
        if unit not in UNITS:
            raise _fail(f"{where}['unit']", f"one of {list(UNITS)}", unit)
        if tz is not None and not known_tz(tz):
            raise _fail(f"{where}['tz']", TZ_RULE, tz)
        expected = f"datetime64[{unit}]" if tz is None else f"datetime64[{unit}, {tz}]"
        if dtype != expected:
            raise _fail(f"{where}['dtype']", f"{expected!r} (from 'unit' and 'tz')", dtype)
        keys |= {"unit", "tz"}
    elif not isinstance(dtype, str) or dtype not in DTYPES[kind]:
        raise _fail(f"{where}['dtype']", f"a {kind} dtype, one of {sorted(DTYPES[kind])}", dtype)
    if dtype in NO_MISSING and rate != 0:
        raise _fail(f"{where}['null_rate']", f"0 for dtype {dtype!r}, which cannot hold missing values", rate)
    if dtype == "category":
        cats, ordered = col.get("categories"), col.get("ordered")
        if not isinstance(cats, list) or not all(is_label(c) for c in cats) or not _distinct(cats):
            raise _fail(f"{where}['categories']", "a list of distinct str, int, bool or finite float values", cats)
        if not isinstance(ordered, bool):
            raise _fail(f"{where}['ordered']", "true or false", ordered)
        keys |= {"categories", "ordered"}
    unknown = sorted(set(col) - keys - extra, key=str)
    if unknown:
        raise _fail(where, f"a column with no fields other than {sorted(keys | extra)}", unknown)
    return col


def _check_labels(values: list[Any], col: dict[str, Any], where: str) -> None:
    """Labels of a categorical or boolean column: distinct, of the column's dtype."""
    if col["kind"] == "boolean":
        ok = all(isinstance(v, bool) for v in values)
        rule = "a list of distinct bools"
    elif col["dtype"] == "category":
        ok = all(any(type(v) is type(c) and v == c for c in col["categories"]) for v in values)
        rule = "a list of distinct values from 'categories'"
    elif col["dtype"] == "object":
        # An object column holds labels of one type: all str, all int or all finite float.
        types = {type(v) for v in values}
        ok = len(types) == 1 and types <= {str, int, float} and all(is_label(v) for v in values)
        rule = "a list of distinct values of one type (all str, all int or all finite float)"
    else:
        ok = all(isinstance(v, str) for v in values)
        rule = "a list of distinct str"
    if not ok or not _distinct(values):
        raise _fail(where, rule, values)


def check_marginal(col: Any, where: str) -> dict[str, Any]:
    """A column of a latent model (copula, mixture): common fields plus its marginal."""
    quantiles = isinstance(col, dict) and "knots" in col
    extra = {"probs", "knots", "decimals", "step"} if quantiles else {"values", "cum"}
    col = check_column(col, where, frozenset(extra))
    kind = col["kind"]
    if quantiles:
        if kind in ("categorical", "boolean"):
            raise _fail(f"{where}['knots']", "absent for a label column (labels have 'values' and 'cum')", "knots")
        knots = _numbers(col.get("knots"), f"{where}['knots']", 1, _MAX_KNOTS)
        probs = _numbers(col.get("probs"), f"{where}['probs']", len(knots), len(knots))
        if (np.diff(knots) < 0).any():
            raise _fail(f"{where}['knots']", "sorted (non-decreasing)", col["knots"])
        low, high = _value_range(col)
        if knots[0] < low or knots[-1] > high:
            raise _fail(f"{where}['knots']", f"within [{low:g}, {high:g}] for a {col['dtype']} column", col["knots"])
        if probs[0] != 0 or (len(probs) > 1 and probs[-1] != 1) or (np.diff(probs) <= 0).any():
            raise _fail(f"{where}['probs']", "increasing from 0 to 1, one per knot", col["probs"])
        top = float(np.max(np.abs(knots)))
        decimals, step = col.get("decimals"), col.get("step")
        if kind == "numeric":
            if "step" in col:
                raise _fail(where, "a float column without 'step' (it has 'decimals')", "step")
            if decimals is not None and (
                not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 15
            ):
                raise _fail(f"{where}['decimals']", "None or an int in [0, 15]", decimals)
            if decimals is not None and top * 10.0**decimals > 1e300:
                raise _fail(f"{where}['decimals']", "small enough that rounding the knots stays finite", decimals)
        else:
            if "decimals" in col:
                raise _fail(where, f"a {kind} column without 'decimals' (it has 'step')", "decimals")
            allowed = [1] if kind == "integer" else _datetime_steps(col["unit"])
            if step not in allowed or isinstance(step, bool):
                raise _fail(f"{where}['step']", f"one of {allowed}", step)
        return col
    values = _list(col.get("values"), f"{where}['values']", "values")
    cum = _numbers(col.get("cum"), f"{where}['cum']", len(values), len(values))
    if cum[0] <= 0 or cum[-1] != 1 or (np.diff(cum) <= 0).any():
        raise _fail(f"{where}['cum']", "increasing, above 0, ending at exactly 1", col["cum"])
    if kind in ("categorical", "boolean"):
        _check_labels(values, col, f"{where}['values']")
        return col
    integral = kind in ("integer", "datetime")
    if not all((isinstance(v, int) if integral else _is_number(v)) and not isinstance(v, bool) for v in values):
        raise _fail(f"{where}['values']", "a list of ints" if integral else "a list of finite numbers", values)
    low, high = _value_range(col)
    arr = np.asarray(values, dtype=float)
    if (np.diff(arr) <= 0).any() or arr[0] < low or arr[-1] > high:
        raise _fail(f"{where}['values']", f"increasing and within [{low:g}, {high:g}]", values)
    return col


def _datetime_steps(unit: str) -> list[int]:
    per_ns = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[unit]
    steps = (86_400 * 10**9, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3, 1)
    return [ns // per_ns for ns in steps if ns >= per_ns]


def check_latent_model(state: dict[str, Any], d: int) -> tuple[list[float], list[Any], list[Any]]:
    """Weights, means and covariances of a mixture of Gaussians over d normal scores."""
    weights = _numbers(state.get("weights"), "state['weights']", 1, _MAX_COMPONENTS)
    k = len(weights)
    if (weights < 0).any() or (weights > 1).any() or abs(weights.sum() - 1) > 1e-9:
        raise _fail("state['weights']", "numbers in [0, 1] summing to 1", state["weights"])
    rows = _list(state.get("means"), "state['means']", f"lists of {d} numbers", k, k)
    means = np.array([_numbers(m, f"state['means'][{i}]", d, d) for i, m in enumerate(rows)])
    if (np.abs(means) > 1e3).any():
        raise _fail("state['means']", "numbers in [-1000, 1000] (means of normal scores)", state["means"])
    covs = _list(state.get("covariances"), "state['covariances']", f"{d} x {d} matrices", k, k)
    for i, cov in enumerate(covs):
        where = f"state['covariances'][{i}]"
        matrix = np.array([_numbers(r, f"{where}[{j}]", d, d) for j, r in enumerate(_list(cov, where, "rows", d, d))])
        diag = np.diag(matrix)
        if (diag <= 0).any() or (diag > 1e6).any() or (np.abs(matrix) > 1e6).any():
            raise _fail(where, "a covariance matrix with a diagonal in (0, 1e6]", cov)
        if not np.allclose(matrix, matrix.T, rtol=0, atol=1e-12 * float(diag.max())):
            raise _fail(where, "symmetric", cov)
        try:
            np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            raise _fail(where, "positive definite", cov) from None
    return weights.tolist(), means.tolist(), [np.asarray(c, dtype=float).tolist() for c in covs]


def check_cart_rows(rows: Any, columns: list[dict[str, Any]]) -> None:
    """The training rows of a CART state: one list per column, of one length, of its type."""
    names = [c["name"] for c in columns]
    if not isinstance(rows, dict) or set(rows) != set(names):
        raise _fail("state['rows']", f"an object mapping each of the column names {names} to its values", rows)
    lengths = {len(v) if isinstance(v, list) else -1 for v in rows.values()}
    if len(lengths) != 1 or min(lengths) < 2:
        raise _fail("state['rows']", "lists of values, all of one length >= 2", sorted(lengths))
    for col in columns:
        where = f"state['rows'][{col['name']!r}]"
        values = rows[col["name"]]
        present = [v for v in values if v is not None]
        if not present:
            raise _fail(where, "a list with at least one value that is not None", values[:5])
        if abs((len(values) - len(present)) / len(values) - col["null_rate"]) > 1e-9:
            raise _fail(where, f"missing (None) in the share 'null_rate' ({col['null_rate']}) says", values[:5])
        kind = col["kind"]
        if kind in ("categorical", "boolean"):
            labels = col["labels"]
            ok = all(any(type(v) is type(c) and v == c for c in labels) for v in present)
            rule = "values from the column's 'labels', or None"
        elif kind == "numeric":
            low, high = -FLOAT_MAX[col["dtype"]], FLOAT_MAX[col["dtype"]]
            ok = all(_is_number(v) and low <= v <= high for v in present)
            rule = f"finite numbers in [{low:g}, {high:g}], or None"
        else:
            low, high = INT_RANGES[col["dtype"]] if kind == "integer" else DATETIME_INTS
            ok = all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in present)
            rule = f"ints in [{low}, {high}], or None"
        if not ok:
            raise _fail(where, rule, values[:5])


def check_cart_labels(col: dict[str, Any], where: str) -> None:
    """The 'labels' of a CART label column: every code the trees use, in order."""
    labels = _list(col.get("labels"), f"{where}['labels']", "labels")
    _check_labels(labels, col, f"{where}['labels']")
    if col["dtype"] == "category" and labels != col["categories"]:
        raise _fail(f"{where}['labels']", "the column's 'categories'", labels)
