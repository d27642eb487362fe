"""Checks of a fitted state loaded from a spec, field by field, before anything samples it.

A spec is untrusted text. Every field of a fitted state is checked here for its type,
shape, range and consistency with the other fields, so a tampered spec fails in
``from_dict`` with a :class:`SpecError` naming the field, never later in numpy, and a
state that passes samples and exports like one that ``fit`` wrote.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from typing import Any

import numpy as np

from ...exceptions import SpecError
from ...params import short_repr
from ._packed import unpack_checked

__all__ = [
    "DTYPES",
    "check_cart_trees",
    "check_cart_values",
    "check_column",
    "check_identifiers",
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
#: Most nodes of a CART tree, and most distinct values of a CART column.
_MAX_NODES = 2**24
#: Most items of a packed array of leaf entries (one per distinct value and leaf, at most one per row).
_MAX_ITEMS = 2**26


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
    """A category value that a spec carries exactly: str, bool, int within 64 bits or finite float."""
    if isinstance(value, (str, bool, np.bool_)):
        return True
    if isinstance(value, (int, np.integer)):
        return -(2**63) <= value <= 2**64 - 1
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


def _ints(value: Any, where: str, length: int | None, low: int, high: int, min_len: int = 1) -> np.ndarray:
    """A list of ints (not bools) in [low, high], of ``length`` items if given, as int64.

    A packed array (see :mod:`._packed`) of integers is checked the same way.
    """
    if isinstance(value, dict):
        items = unpack_checked(value, where, _MAX_ITEMS)
        if items.dtype.kind != "i" or len(items) < (min_len if length is None else length):
            raise _fail(where, f"at least {min_len} ints" if length is None else f"{length} ints", value)
        if length is not None and len(items) != length:
            raise _fail(where, f"{length} ints", value)
        if len(items) and (items.min() < low or items.max() > high):
            raise _fail(where, f"ints in [{low}, {high}]", [int(items.min()), int(items.max())])
        return items
    items = _list(value, where, "ints", min_len if length is None else length, length)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items):
        raise _fail(where, "a list of ints", next(v for v in items if not isinstance(v, int) or isinstance(v, bool)))
    if items and (min(items) < low or max(items) > high):
        raise _fail(where, f"a list of ints in [{low}, {high}]", [min(items), max(items)])
    return np.asarray(items, dtype=np.int64)


def _packed_values(col: dict[str, Any], where: str) -> None:
    """A packed value table of numbers: checked as an array, then kept as a list in ``col``."""
    kind, dtype = col["kind"], col["dtype"]
    if kind in ("categorical", "boolean"):
        raise _fail(where, "a list for a label column", col["values"])
    array = unpack_checked(col["values"], where, _MAX_NODES)
    if len(array) < 1:
        raise _fail(where, "at least one value", col["values"])
    if kind == "numeric":
        low, high = -FLOAT_MAX[dtype], FLOAT_MAX[dtype]
        array = array.astype(float)
    else:
        if array.dtype.kind != "i":
            raise _fail(where, "integers (no 'decimals')", col["values"])
        low, high = INT_RANGES[dtype] if kind == "integer" else DATETIME_INTS
    if not np.isfinite(array.astype(float)).all() or array.min() < low or array.max() > high:
        raise _fail(where, f"numbers in [{low:g}, {high:g}]", col["values"])
    if (array[1:] <= array[:-1]).any():  # compared, not subtracted: int64 differences may overflow
        raise _fail(where, "strictly increasing", col["values"])
    col["values"] = array.tolist()


def check_cart_values(col: dict[str, Any], where: str) -> None:
    """A CART column's 'values': its distinct values, labels in their code order, numbers ascending.

    A packed table (see :mod:`._packed`) is read into a list in ``col``.
    """
    where = f"{where}['values']"
    if isinstance(col.get("values"), dict):
        _packed_values(col, where)
        return
    values = _list(col.get("values"), where, "values", 1, _MAX_NODES)
    kind, dtype = col["kind"], col["dtype"]
    if kind == "boolean":
        if values != [False, True] or not all(isinstance(v, bool) for v in values):
            raise _fail(where, "[false, true] for a boolean column", values)
        return
    if kind == "categorical":
        _check_labels(values, col, where)
        if dtype == "category" and values != col["categories"]:
            raise _fail(where, "the column's 'categories'", values)
        return
    if kind == "numeric":
        limit = FLOAT_MAX[dtype]
        ok = all(_is_number(v) and -limit <= v <= limit for v in values)
        rule = f"finite numbers in [{-limit:g}, {limit:g}]"
    else:
        low, high = INT_RANGES[dtype] if kind == "integer" else DATETIME_INTS
        ok = all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in values)
        rule = f"ints in [{low}, {high}]"
    # Compared as Python numbers, so ints beyond 2**53 are ordered exactly.
    if not ok or any(a >= b for a, b in itertools.pairwise(values)):
        raise _fail(where, f"a list of {rule}, strictly increasing", values[:5])


def check_cart_trees(trees: Any, columns: list[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, np.ndarray]]:
    """The trees of a CART state, one per column, as arrays.

    Tree j splits only on columns before j; node 0 is the root and every other node is
    the child of exactly one node with a smaller number, so going down always ends in a
    leaf. Each leaf holds at least one value position of its column (ascending, -1 for
    missing where the dtype allows it) with a count of at least 1, and every tree's
    leaves together hold the same number of training rows, missing at the column's rate.
    """
    d = len(columns)
    _list(trees, "state['trees']", "trees (one per column)", d, d)
    out, total = [], None
    for j, (tree, col) in enumerate(zip(trees, columns, strict=True)):
        where = f"state['trees'][{j}]"
        if not isinstance(tree, dict) or set(tree) != set(fields):
            raise _fail(where, f"an object with exactly the fields {list(fields)}", tree)
        feature = _ints(tree["feature"], f"{where}['feature']", None, -1, j - 1)
        m = len(feature)
        if m > _MAX_NODES or (feature[0] < 0 and m != 1):
            raise _fail(f"{where}['feature']", f"at most {_MAX_NODES} nodes, a leaf root only when alone", m)
        if isinstance(tree["threshold"], dict):
            threshold = unpack_checked(tree["threshold"], f"{where}['threshold']", _MAX_NODES)
            if threshold.dtype.kind != "f" or len(threshold) != m or not np.isfinite(threshold).all():
                raise _fail(f"{where}['threshold']", f"{m} finite float64 numbers", tree["threshold"])
        else:
            threshold = _numbers(tree["threshold"], f"{where}['threshold']", m, m)
        left = _ints(tree["left"], f"{where}['left']", m, -1, m - 1)
        right = _ints(tree["right"], f"{where}['right']", m, -1, m - 1)
        leaf = feature < 0
        node = np.arange(m)
        if (
            (leaf & ((left != -1) | (right != -1))).any()
            or (~leaf & ((left <= node) | (right <= node))).any()
            or not np.array_equal(np.sort(np.concatenate([left[~leaf], right[~leaf]])), node[1:])
        ):
            raise _fail(
                f"{where}['left'] and ['right']",
                "-1 at leaves, and children numbered above their parent, each node but 0 a child once",
                [left[:5].tolist(), right[:5].tolist()],
            )
        if isinstance(tree["missing_left"], dict):
            missing_left = _ints(tree["missing_left"], f"{where}['missing_left']", m, 0, 1).astype(bool)
        else:
            missing_left = _list(tree["missing_left"], f"{where}['missing_left']", "bools", m, m)
            if not all(isinstance(v, (bool, np.bool_)) for v in missing_left):
                raise _fail(f"{where}['missing_left']", "a list of bools, one per node", missing_left[:5])
        offsets = _ints(tree["offsets"], f"{where}['offsets']", m + 1, 0, 2**62)
        codes = _ints(tree["codes"], f"{where}['codes']", None, -1, len(col["values"]) - 1)
        counts = _ints(tree["counts"], f"{where}['counts']", len(codes), 1, EXACT_INT)
        sizes = np.diff(offsets)
        if offsets[0] != 0 or offsets[-1] != len(codes) or (sizes < 0).any() or ((sizes > 0) != leaf).any():
            raise _fail(f"{where}['offsets']", "from 0 to len(codes), a non-empty range at each leaf only", offsets[:5])
        starts = np.zeros(len(codes), dtype=bool)
        starts[offsets[:-1][leaf]] = True
        if (np.diff(codes)[~starts[1:]] <= 0).any():
            raise _fail(f"{where}['codes']", "ascending within each leaf, each value once", codes[:5].tolist())
        if col["dtype"] in NO_MISSING and (codes < 0).any():
            raise _fail(f"{where}['codes']", f"positions >= 0 (dtype {col['dtype']!r} holds no missing values)", -1)
        rows = int(counts.sum()) if float(counts.astype(float).sum()) <= EXACT_INT else EXACT_INT + 1
        if total is None:
            total = rows
        if rows != total or rows > EXACT_INT:
            raise _fail(f"{where}['counts']", f"counts adding up to the rows of the first tree ({total})", rows)
        if abs(float(counts[codes < 0].sum()) / rows - col["null_rate"]) > 1e-9:
            raise _fail(
                f"{where}['counts']", f"missing (-1) rows in the share 'null_rate' says ({col['null_rate']})", rows
            )
        out.append(
            {
                "feature": feature,
                "threshold": threshold,
                "left": left,
                "right": right,
                "missing_left": np.asarray(missing_left, dtype=bool),
                "offsets": offsets,
                "codes": codes,
                "counts": counts,
            }
        )
    return out


#: Longest identifier generated, and the character classes of an identifier shape.
_MAX_IDENTIFIER_LENGTH = 100
_IDENTIFIER_CLASSES = 10
_IDENTIFIER_FIELDS = frozenset({"at", "unique", "lengths", "length_counts", "classes"})


def check_identifiers(value: Any, n_columns: int) -> list[dict[str, Any]]:
    """Shapes of identifier-like columns (see ``_types.identifier_shape``): positions among
    ``n_columns`` modelled columns plus these, ascending; lengths and class counts bounded."""
    shapes = _list(value, "state['identifiers']", "identifier shapes", 1, 1_000)
    total = n_columns + len(shapes)
    out, last = [], -1
    for i, shape in enumerate(shapes):
        where = f"state['identifiers'][{i}]"
        col = check_column(shape, where, _IDENTIFIER_FIELDS)
        if col["kind"] != "categorical" or col["dtype"] not in ("object", "str", "string"):
            raise _fail(
                f"{where}['dtype']", "a text dtype ('object', 'str' or 'string') of a categorical column", col["dtype"]
            )
        missing = sorted(_IDENTIFIER_FIELDS - set(col))
        if missing:
            raise _fail(where, f"an identifier shape with the fields {sorted(_IDENTIFIER_FIELDS)}", missing)
        at = col["at"]
        if not isinstance(at, int) or isinstance(at, bool) or not last < at < total:
            raise _fail(f"{where}['at']", f"an int in ({last}, {total}), ascending over the identifiers", at)
        last = at
        if not isinstance(col["unique"], bool):
            raise _fail(f"{where}['unique']", "true or false", col["unique"])
        lengths = _ints(col["lengths"], f"{where}['lengths']", None, 0, _MAX_IDENTIFIER_LENGTH)
        if (np.diff(lengths) <= 0).any():
            raise _fail(f"{where}['lengths']", "increasing", col["lengths"])
        length_counts = _ints(col["length_counts"], f"{where}['length_counts']", len(lengths), 1, EXACT_INT)
        width = int(lengths[-1])
        rows = _list(col["classes"], f"{where}['classes']", f"{width} rows", width, width) if width else []
        if not width and col["classes"] != []:
            raise _fail(f"{where}['classes']", "an empty list (every length is 0)", col["classes"])
        classes = []
        for r, row in enumerate(rows):
            counts = _ints(row, f"{where}['classes'][{r}]", _IDENTIFIER_CLASSES, 0, EXACT_INT)
            if counts.sum() <= 0:
                raise _fail(f"{where}['classes'][{r}]", "counts with a positive sum", row)
            classes.append(counts.tolist())
        out.append({**col, "lengths": lengths.tolist(), "length_counts": length_counts.tolist(), "classes": classes})
    return out
