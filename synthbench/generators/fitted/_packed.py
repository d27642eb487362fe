"""Arrays of a fitted state written compactly in a spec, exactly, and read back with checks.

A CART fitted on many rows holds arrays of hundreds of thousands of numbers (its trees
and its leaves' values); as JSON lists they would make a spec of tens of megabytes. A
*packed* array is an object ``{"dtype", "size", "data"}`` (and ``"decimals"``):

``dtype``
    ``"|i1"``, ``"<i2"``, ``"<i4"`` or ``"<i8"``: ``data`` holds the differences between
    consecutive items (the first from 0) as little-endian integers of that size, so
    sorted or slowly changing arrays become small numbers; ``"<f8"``: the float64 items.
``size``
    the number of items.
``data``
    the bytes, compressed with zlib and written in base64.
``decimals`` (integers only)
    the items are floats written as integers of ``10**-decimals``: item ``k`` is
    ``k / 10**decimals``, used only where that gives back every value bit for bit.

Nothing is rounded: :func:`pack` then :func:`unpack_checked` returns the same values.
:func:`synthbench.kernels.fitted.unpack` reads the same format in an exported cell.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

import numpy as np

from ...exceptions import SpecError
from ...params import short_repr

__all__ = ["pack", "pack_values", "unpack_checked"]

_INT_DTYPES = ("|i1", "<i2", "<i4", "<i8")
_DTYPES = (*_INT_DTYPES, "<f8")


def _encode(raw: np.ndarray, size: int, **extra: Any) -> dict[str, Any]:
    data = base64.b64encode(zlib.compress(raw.tobytes(), 6)).decode("ascii")
    return {"dtype": raw.dtype.str, "size": size, "data": data, **extra}


def pack(values: Any, *, decimals: int | None = None) -> dict[str, Any]:
    """The packed form of a 1-d array of ints (or bools) or of float64 values."""
    a = np.asarray(values)
    if a.dtype.kind == "f":
        return _encode(a.astype("<f8"), len(a))
    # Differences wrap around in int64 as the running sum does: exact for every int64.
    steps = np.diff(a.astype(np.int64), prepend=np.int64(0))
    low, high = (int(steps.min()), int(steps.max())) if len(steps) else (0, 0)
    dtype = next(d for d in _INT_DTYPES if np.iinfo(d).min <= low and high <= np.iinfo(d).max)
    extra = {} if decimals is None else {"decimals": decimals}
    return _encode(steps.astype(dtype), len(a), **extra)


def pack_values(values: list[Any], kind: str) -> Any:
    """A CART column's value table, packed where it can be read back exactly (else the list).

    Floats that are all integers of ``10**-d`` for some ``d <= 15`` are packed as those
    integers (a sorted table then packs to about a byte a value); other floats as float64.
    """
    if kind in ("categorical", "boolean") or not values:
        return values
    if kind in ("integer", "datetime"):
        if min(values) < -(2**63) or max(values) > 2**63 - 1:
            return values  # uint64 beyond int64: the list keeps them exact
        return pack(np.asarray(values, dtype=np.int64))
    x = np.asarray(values, dtype=float)
    top = float(np.max(np.abs(x)))
    with np.errstate(all="ignore"):
        for d in range(16):
            if top * 10.0**d >= 2**53:
                break
            ints = np.round(x * 10.0**d).astype(np.int64)
            back = ints / 10.0**d  # as unpack computes it; -0.0 comes back as 0.0, so it is refused
            if np.array_equal(back, x) and np.array_equal(np.signbit(back), np.signbit(x)):
                return pack(ints, decimals=d)
    return pack(x)


def _fail(where: str, rule: str, value: Any) -> SpecError:
    return SpecError(f"Invalid state at {where}: must be {rule}. Got {short_repr(value)} instead.")


def unpack_checked(value: Any, where: str, max_size: int) -> np.ndarray:
    """The array of a packed object from a spec (int64, or float64 for floats), or a SpecError.

    The decompressed size is bounded by ``size`` before anything is allocated beyond it.
    """
    rule = "a packed array {'dtype', 'size', 'data'} (and 'decimals' for integer dtypes)"
    if not isinstance(value, dict) or not {"dtype", "size", "data"} <= set(value) <= {
        "dtype",
        "size",
        "data",
        "decimals",
    }:
        raise _fail(where, rule, value)
    dtype, size, data, decimals = value["dtype"], value["size"], value["data"], value.get("decimals")
    if dtype not in _DTYPES:
        raise _fail(f"{where}['dtype']", f"one of {list(_DTYPES)}", dtype)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= max_size:
        raise _fail(f"{where}['size']", f"an int in [0, {max_size}]", size)
    if decimals is not None and (
        dtype == "<f8" or isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 15
    ):
        raise _fail(f"{where}['decimals']", "an int in [0, 15], with an integer dtype", decimals)
    nbytes = size * np.dtype(dtype).itemsize
    if not isinstance(data, str) or len(data) > 4 * (nbytes + nbytes // 100 + 1024) // 3 + 8:
        raise _fail(f"{where}['data']", f"base64 text of zlib-compressed {nbytes} bytes", data)
    try:
        raw = base64.b64decode(data, validate=True)
        inflate = zlib.decompressobj()
        out = inflate.decompress(raw, nbytes + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise _fail(f"{where}['data']", f"base64 text of zlib-compressed {nbytes} bytes", data) from None
    if len(out) != nbytes or not inflate.eof or inflate.unused_data or inflate.unconsumed_tail:
        raise _fail(f"{where}['data']", f"base64 text of zlib-compressed {nbytes} bytes (size {size})", data)
    array = np.frombuffer(out, dtype=dtype)
    if dtype == "<f8":
        if not np.isfinite(array).all():
            raise _fail(where, "finite numbers", value)
        return array.astype(float)
    array = np.cumsum(array, dtype=np.int64)
    return array if decimals is None else array / 10.0**decimals
