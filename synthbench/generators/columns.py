"""Column types of the rule-based :class:`~synthbench.Schema`.

A column declares its parameters, draws its values for one block of rows with the
numpy ``Generator`` the schema hands it (one stream per column, so editing one column
never changes another), and writes the same computation as code for ``to_code``.
Each column's ``generate`` and ``code`` mirror each other line for line; the common
test holds them to it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import expressions
from ..codegen import literal
from ..exceptions import ExpressionError, InvalidParameterError
from ..params import (
    AnyOf,
    Component,
    Float,
    Int,
    ListOf,
    MapOf,
    Optional,
    Options,
    Param,
    Scalar,
    Str,
)
from .distributions import DISTRIBUTIONS

__all__ = [
    "Boolean",
    "Categorical",
    "Column",
    "Datetime",
    "Derived",
    "Float",
    "Id",
    "Integer",
    "Pattern",
    "Text",
]

_FloatC = Float  # the constraint; the column class below reuses the public name


@dataclass
class Block:
    """One block of rows being made: where it sits and what is made so far."""

    seed: int
    positions: np.ndarray
    stream: tuple[int, int]
    df: pd.DataFrame
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.positions)


def q(name: str) -> str:
    """A column name as a Python string literal in generated code."""
    return json.dumps(name)


_NAME = Str(pattern=r"[^\n\r`]+", max_len=200, what="a non-empty single-line str without backticks")
_NULL_RATE = Param("null_rate", _FloatC(0, 1), 0.0, "Share of values set missing.")


class Column(Component):
    """Base class of the columns of a :class:`~synthbench.Schema`."""

    positional: ClassVar[tuple[str, ...]] = ("name",)
    #: Draws random numbers (ids and derived columns do not).
    uses_rng: ClassVar[bool] = True
    #: The pandas dtype that can hold missing values, if the plain one cannot.
    nullable_dtype: ClassVar[str | None] = None

    def dependencies(self) -> tuple[str, ...]:
        """Names of the columns this one reads; they are made first."""
        return ()

    def describe(self) -> str:
        """One line for the comment above this column's code."""
        return type(self).__name__.lower()

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def code(self) -> list[str]:
        """Lines that set ``df[name]`` from ``n``, ``positions``, ``rng`` and ``df``."""
        raise NotImplementedError

    def setup_code(self, seed: int) -> list[str]:
        """Lines run once before any block (e.g. a Faker pool)."""
        return []


# -- ids ------------------------------------------------------------------------------


class Id(Column):
    """Row identifiers: sequential numbers, prefixed/padded strings, or UUIDs.

    Sequential ids are ``start + row number``, so they stay unique and in order when
    rows are made block by block.

    >>> import synthbench as sb
    >>> gen = sb.Schema(columns=[sb.columns.Id("invoice", prefix="INV-", width=5)])
    >>> gen.sample(3, seed=0)["invoice"].tolist()
    ['INV-00001', 'INV-00002', 'INV-00003']
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param("kind", Options(("sequential", "uuid")), "sequential", "Numbers or random UUID4s."),
        Param("start", Int(-(2**62), 2**62), 1, "First sequential id."),
        Param("prefix", Str(allow_empty=True, max_len=100, what="a str"), "", "Text before the number."),
        Param("width", Int(0, 30), 0, "Zero-pad the number to this many digits (0: no padding)."),
        _NULL_RATE,
    )

    @property
    def uses_rng(self) -> bool:  # type: ignore[override]
        return self.kind == "uuid"

    def describe(self) -> str:
        if self.kind == "uuid":
            return "random UUID4 ids"
        if self.prefix or self.width:
            return f"ids {self.prefix!r} + number from {self.start}"
        return f"sequential ids from {self.start}"

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        if self.kind == "uuid":
            return _uuid4(rng, block.n)
        numbers = block.positions + self.start
        if not self.prefix and not self.width:
            return numbers
        # numpy's zfill fails on an empty array, hence the guard.
        padded = np.strings.zfill(numbers.astype(np.str_), self.width) if block.n else numbers.astype(np.str_)
        return np.strings.add(self.prefix, padded)

    def code(self) -> list[str]:
        if self.kind == "uuid":
            return [
                "raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)",
                "raw[:, 6] = raw[:, 6] & 0x0F | 0x40  # version 4",
                "raw[:, 8] = raw[:, 8] & 0x3F | 0x80  # RFC 4122 variant",
                'hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)',
                "chars = np.stack([hexdigits[raw >> 4], hexdigits[raw & 0x0F]], axis=2)",
                'chars = np.insert(chars.reshape(n, 32), [8, 12, 16, 20], ord("-"), axis=1)',
                f'df[{q(self.name)}] = chars.view("S36").ravel().astype(np.str_)',
            ]
        numbers = f"positions + {self.start}" if self.start else "positions"
        if not self.prefix and not self.width:
            return [f"df[{q(self.name)}] = {numbers}"]
        return [
            f"numbers = ({numbers}).astype(np.str_)",
            f"numbers = np.strings.zfill(numbers, {self.width}) if n else numbers  # zfill fails on empty arrays",
            f"df[{q(self.name)}] = np.strings.add({literal(self.prefix)}, numbers)",
        ]


def _uuid4(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = raw[:, 6] & 0x0F | 0x40
    raw[:, 8] = raw[:, 8] & 0x3F | 0x80
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    chars = np.stack([hexdigits[raw >> 4], hexdigits[raw & 0x0F]], axis=2)
    chars = np.insert(chars.reshape(n, 32), [8, 12, 16, 20], ord("-"), axis=1)
    return chars.view("S36").ravel().astype(np.str_)


# -- categories and booleans ------------------------------------------------------------


class Categorical(Column):
    """Values drawn from a list of categories, with optional weights.

    The column has pandas' ``category`` dtype with the categories in the given order.

    >>> import synthbench as sb
    >>> col = sb.columns.Categorical("gender", categories=["f", "m"], weights=[0.5, 0.6])
    >>> sb.Schema(columns=[col]).sample(1)
    Traceback (most recent call last):
    ...
    synthbench.exceptions.InvalidParameterError: The 'weights' parameter of Categorical('gender')
    must sum to 1. Got [0.5, 0.6] instead.
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param(
            "categories",
            ListOf(Scalar(), min_len=1, max_len=100_000, unique=True),
            help="The possible values.",
        ),
        Param(
            "weights",
            Optional(ListOf(_FloatC(0, 1), min_len=1)),
            None,
            "Probability of each category (sums to 1); None: all equally likely.",
        ),
        _NULL_RATE,
    )

    def _check_params(self) -> None:
        if self.weights is not None:
            if len(self.weights) != len(self.categories):
                raise self.invalid(
                    "weights",
                    f"must have one entry per category ({len(self.categories)})",
                    list(self.weights),
                )
            if abs(math.fsum(self.weights) - 1) > 1e-6:
                raise self.invalid("weights", "must sum to 1", list(self.weights))

    def _probabilities(self) -> list[float] | None:
        if self.weights is None:
            return None
        total = math.fsum(self.weights)
        return [float(w) / total for w in self.weights]

    def describe(self) -> str:
        how = "equally likely" if self.weights is None else "weighted"
        return f"{len(self.categories)} categories, {how}"

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        k = len(self.categories)
        p = self._probabilities()
        codes = rng.integers(0, k, size=block.n) if p is None else rng.choice(k, size=block.n, p=p)
        return pd.Categorical.from_codes(codes, categories=list(self.categories))

    def code(self) -> list[str]:
        k = len(self.categories)
        p = self._probabilities()
        draw = f"rng.integers(0, {k}, size=n)" if p is None else f"rng.choice({k}, size=n, p={literal(p)})"
        return [
            f"codes = {draw}",
            f"df[{q(self.name)}] = pd.Categorical.from_codes(codes, categories={literal(list(self.categories))})",
        ]


class Boolean(Column):
    """True with probability ``p``.

    >>> import synthbench as sb
    >>> sb.Schema(columns=[sb.columns.Boolean("churned", p=0.2)]).sample(4, seed=1).dtypes.iloc[0]
    dtype('bool')
    """

    nullable_dtype = "boolean"
    params = (
        Param("name", _NAME, help="Column name."),
        Param("p", _FloatC(0, 1), 0.5, "Probability of True."),
        _NULL_RATE,
    )

    def describe(self) -> str:
        return f"True with probability {self.p}"

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        return rng.random(block.n) < self.p

    def code(self) -> list[str]:
        return [f"df[{q(self.name)}] = rng.random(n) < {literal(self.p)}"]


# -- numbers ----------------------------------------------------------------------------


class _Numeric(Column):
    """Shared by Integer and Float: a named distribution, clipping, per-group params."""

    integer: ClassVar[bool] = False

    def dependencies(self) -> tuple[str, ...]:
        return (self.by,) if self.by is not None else ()

    def _distribution(self):
        return DISTRIBUTIONS[self.distribution]

    def _check_one(self, param: str, given: Any) -> None:
        dist = self._distribution()
        declared = {p.name: p for p in dist.params}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise self.invalid(
                param,
                f"must only use the {self.distribution} distribution's parameters "
                f"{sorted(declared)}; {unknown} are unknown",
                dict(given),
            )
        for key, value in given.items():
            constraint = declared[key].constraint
            if self.integer and self.distribution == "uniform":
                constraint = Int(-(2**62), 2**62)
            if not constraint.is_satisfied_by(value):
                raise self.invalid(
                    param,
                    f"must give {self.distribution} parameter {key!r} as {constraint.describe()}",
                    dict(given),
                )
        broken = dist.rule(dist.resolve(given))
        if broken:
            raise self.invalid(param, f"must be valid for {self.distribution}: it {broken}", dict(given))

    def _check_params(self) -> None:
        self._check_one("params", self.params)
        if self.integer and self.distribution == "uniform":
            for key in ("low", "high"):
                if key not in self.params:
                    raise self.invalid(
                        "params",
                        "must give 'low' and 'high' for a uniform Integer (both inclusive)",
                        dict(self.params),
                    )
        if (self.params_by is not None) != (self.by is not None):
            raise self.invalid("params_by", "must be given together with 'by'", self.params_by)
        for group, given in (self.params_by or {}).items():
            self._check_one("params_by", {**self.params, **given})
            del group
        if self.min is not None and self.max is not None and self.min > self.max:
            raise self.invalid("min", f"must be <= max ({self.max})", self.min)

    def _arguments(self, block: Block | None) -> dict[str, Any]:
        """numpy arguments: literals, or per-row arrays where ``params_by`` varies them."""
        dist = self._distribution()
        base = dist.resolve(self.params)
        if self.by is None or block is None:
            return base
        key = block.df[self.by].astype(str).to_numpy()
        out: dict[str, Any] = {}
        for name, default in base.items():
            groups = [(g, p[name]) for g, p in self.params_by.items() if name in p]
            if groups:
                out[name] = np.select([key == g for g, _ in groups], [v for _, v in groups], default=default)
            else:
                out[name] = default
        return out

    def _argument_code(self) -> tuple[list[str], dict[str, str]]:
        dist = self._distribution()
        base = dist.resolve(self.params)
        lines: list[str] = []
        args: dict[str, str] = {k: literal(v) for k, v in base.items()}
        if self.by is not None:
            lines.append(f"key = df[{q(self.by)}].astype(str).to_numpy()")
            for name, default in base.items():
                groups = [(g, p[name]) for g, p in self.params_by.items() if name in p]
                if groups:
                    conds = ", ".join(f"key == {literal(g)}" for g, _ in groups)
                    values = ", ".join(literal(v) for _, v in groups)
                    lines.append(f"{name} = np.select([{conds}], [{values}], default={literal(default)})")
                    args[name] = name
        return lines, args

    def _draw(self, rng: np.random.Generator, n: int, args: dict[str, Any]) -> np.ndarray:
        dist = self._distribution()
        if self.integer and dist.name == "uniform":
            return rng.integers(args["low"], args["high"], size=n, endpoint=True)
        return getattr(rng, dist.numpy_method)(**args, size=n)

    def _draw_code(self, args: dict[str, str]) -> str:
        dist = self._distribution()
        if self.integer and dist.name == "uniform":
            return f"rng.integers({args['low']}, {args['high']}, size=n, endpoint=True)"
        inner = ", ".join(f"{k}={v}" for k, v in args.items())
        return f"rng.{dist.numpy_method}({inner}, size=n)"

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self._distribution().resolve(self.params).items())
        text = f"{self.distribution}({shown})"
        if self.by is not None:
            text += f", parameters by {self.by!r}"
        if self.min is not None or self.max is not None:
            text += f", clipped to [{self.min}, {self.max}]"
        return text


def _numeric_params(bound: Any, extra: tuple[Param, ...]) -> tuple[Param, ...]:
    return (
        Param("name", _NAME, help="Column name."),
        Param("distribution", Options(tuple(DISTRIBUTIONS)), "uniform", "Named distribution."),
        Param(
            "params",
            MapOf(AnyOf((Int(), _FloatC()))),
            {},
            "The distribution's parameters (e.g. {'low': 18, 'high': 80}); defaults fill the rest.",
        ),
        Param("by", Optional(_NAME), None, "Column whose value picks the parameters."),
        Param(
            "params_by",
            Optional(MapOf(MapOf(AnyOf((Int(), _FloatC()))))),
            None,
            "Per value of 'by' (written as str), parameters that replace 'params'.",
        ),
        Param("min", Optional(bound), None, "Clip values below this."),
        Param("max", Optional(bound), None, "Clip values above this."),
        *extra,
        _NULL_RATE,
    )


class Integer(_Numeric):
    """Integers from a named distribution (uniform is inclusive of both ends).

    Continuous distributions are rounded to the nearest integer. With a null rate the
    dtype is pandas' nullable ``Int64``.

    >>> import synthbench as sb
    >>> age = sb.columns.Integer("age", params={"low": 18, "high": 80})
    >>> df = sb.Schema(columns=[age]).sample(1000, seed=0)
    >>> int(df["age"].min()), int(df["age"].max())
    (18, 80)
    """

    integer = True
    nullable_dtype = "Int64"
    params = _numeric_params(Int(-(2**62), 2**62), ())

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        values = self._draw(rng, block.n, self._arguments(block))
        if not self._distribution().integer and self.distribution != "uniform":
            values = np.rint(values)
        if self.min is not None or self.max is not None:
            values = np.clip(values, self.min, self.max)
        if values.dtype.kind == "f" and not (np.isfinite(values).all() and (np.abs(values) < 2.0**62).all()):
            raise InvalidParameterError(
                f"{self.label} drew values that do not fit in int64; narrow its params or set 'min' and 'max'."
            )
        return values.astype(np.int64)

    def code(self) -> list[str]:
        lines, args = self._argument_code()
        draw = self._draw_code(args)
        if not self._distribution().integer and self.distribution != "uniform":
            draw = f"np.rint({draw})"
        if self.min is not None or self.max is not None:
            draw = f"np.clip({draw}, {literal(self.min)}, {literal(self.max)})"
        return [*lines, f"df[{q(self.name)}] = {draw}.astype(np.int64)"]


class Float(_Numeric):
    """Floats from a named distribution, optionally clipped and rounded.

    >>> import synthbench as sb
    >>> income = sb.columns.Float("income", distribution="lognormal",
    ...                           params={"mean": 10, "sigma": 0.5}, decimals=2)
    >>> df = sb.Schema(columns=[income]).sample(3, seed=0)
    >>> bool((df["income"] == df["income"].round(2)).all())
    True
    """

    params = _numeric_params(
        _FloatC(),
        (Param("decimals", Optional(Int(0, 15)), None, "Round to this many decimals."),),
    )

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        values = self._draw(rng, block.n, self._arguments(block)).astype(np.float64)
        if self.decimals is not None:
            values = np.round(values, self.decimals)
        if self.min is not None or self.max is not None:
            values = np.clip(values, self.min, self.max)
        if not np.isfinite(values).all():
            raise InvalidParameterError(f"{self.label} drew infinite values; narrow its params or set 'min' and 'max'.")
        return values

    def code(self) -> list[str]:
        lines, args = self._argument_code()
        draw = f"{self._draw_code(args)}.astype(np.float64)"
        if self.decimals is not None:
            draw = f"np.round({draw}, {self.decimals})"
        if self.min is not None or self.max is not None:
            draw = f"np.clip({draw}, {literal(self.min)}, {literal(self.max)})"
        return [*lines, f"df[{q(self.name)}] = {draw}"]


# -- dates -------------------------------------------------------------------------------


_MAX_GRID = 10_000_000


class Datetime(Column):
    """Timestamps between ``start`` and ``end`` (inclusive).

    Without ``freq`` they are uniform to the second; with a pandas frequency they are
    drawn from ``pd.date_range(start, end, freq=freq)`` (``"D"`` days, ``"B"``
    business days, ``"h"`` hours, ``"15min"``, ``"MS"`` month starts, ...).

    >>> import synthbench as sb
    >>> col = sb.columns.Datetime("day", start="2024-01-01", end="2024-01-31", freq="B")
    >>> df = sb.Schema(columns=[col]).sample(100, seed=0)
    >>> bool((df["day"].dt.day_of_week < 5).all())
    True
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param("start", Str(max_len=64, what="an ISO date str"), "2020-01-01", "First possible time."),
        Param("end", Str(max_len=64, what="an ISO date str"), "2024-12-31", "Last possible time."),
        Param(
            "freq",
            Optional(Str(max_len=32, what="a pandas frequency str")),
            None,
            "Draw from this grid; None: any second.",
        ),
        _NULL_RATE,
    )

    def _check_params(self) -> None:
        start, end = (self._timestamp(k) for k in ("start", "end"))
        if not start < end:
            raise self.invalid("end", f"must be after start ({self.start})", self.end)
        if self.freq is not None:
            try:
                offset = pd.tseries.frequencies.to_offset(self.freq)
            except (ValueError, TypeError):
                raise self.invalid(
                    "freq", "must be a pandas frequency such as 'D', 'B', 'h' or '15min'", self.freq
                ) from None
            nanos = getattr(offset, "nanos", None) if isinstance(offset, pd.offsets.Tick) else None
            days = (end - start).days + 1
            if (nanos and (end - start).value // nanos > _MAX_GRID) or (not nanos and days > _MAX_GRID):
                raise self.invalid("freq", f"must give at most {_MAX_GRID:,} points between start and end", self.freq)
            if len(self._grid()) == 0:
                raise self.invalid("freq", "must give at least one time between start and end", self.freq)

    def _timestamp(self, key: str) -> pd.Timestamp:
        value = getattr(self, key)
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            ts = None
        if ts is None or ts is pd.NaT or ts.tz is not None:
            raise self.invalid(key, "must be an ISO date or datetime str without time zone, like '2024-01-31'", value)
        return ts

    def _grid(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq=self.freq)

    def _seconds(self) -> int:
        return int((pd.Timestamp(self.end) - pd.Timestamp(self.start)).total_seconds())

    def describe(self) -> str:
        grid = f"on the {self.freq!r} grid" if self.freq else "to the second"
        return f"times from {self.start} to {self.end}, {grid}"

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        if self.freq is None:
            seconds = rng.integers(0, self._seconds(), size=block.n, endpoint=True)
            return pd.Timestamp(self.start) + pd.to_timedelta(seconds, unit="s")
        grid = block.cache.get(("grid", self.name))
        if grid is None:
            grid = block.cache[("grid", self.name)] = self._grid()
        return grid[rng.integers(0, len(grid), size=block.n)]

    def code(self) -> list[str]:
        if self.freq is None:
            return [
                f"seconds = rng.integers(0, {self._seconds()}, size=n, endpoint=True)",
                f'df[{q(self.name)}] = pd.Timestamp({literal(self.start)}) + pd.to_timedelta(seconds, unit="s")',
            ]
        return [
            f"grid = pd.date_range({literal(self.start)}, {literal(self.end)}, freq={literal(self.freq)})",
            f"df[{q(self.name)}] = grid[rng.integers(0, len(grid), size=n)]",
        ]


# -- strings -----------------------------------------------------------------------------

#: Placeholder character -> the characters it stands for.
PLACEHOLDERS = {
    "#": "0123456789",
    "?": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "@": "abcdefghijklmnopqrstuvwxyz",
    "*": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
}


class Pattern(Column):
    """Strings from a pattern: ``#`` digit, ``?`` upper-case letter, ``@`` lower-case
    letter, ``*`` letter or digit; any other character is kept, and ``\\`` keeps the
    next one as is. Built as a numpy array of code points, with no loop per row.

    >>> import synthbench as sb
    >>> col = sb.columns.Pattern("invoice", pattern="INV-####-??")
    >>> sb.Schema(columns=[col]).sample(2, seed=0)["invoice"].str.len().tolist()
    [11, 11]
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param(
            "pattern",
            Str(pattern=r"[^\x00]+", max_len=200, what="a non-empty str (at most 200 characters, no NUL)"),
            help="e.g. 'INV-####-??'",
        ),
        _NULL_RATE,
    )

    def _parse(self) -> tuple[list[int], dict[str, list[int]]]:
        template: list[int] = []
        slots: dict[str, list[int]] = {}
        chars = iter(self.pattern)
        for ch in chars:
            if ch == "\\":
                ch = next(chars, None)
                if ch is None:
                    raise self.invalid("pattern", "must not end with a lone backslash", self.pattern)
                template.append(ord(ch))
            elif ch in PLACEHOLDERS:
                slots.setdefault(ch, []).append(len(template))
                template.append(0)
            else:
                template.append(ord(ch))
        return template, slots

    def _check_params(self) -> None:
        self._parse()

    def describe(self) -> str:
        return f"pattern {self.pattern!r}"

    def _slots(self) -> tuple[list[int], list[tuple[str, list[int], int]]]:
        """The template, and for each placeholder kind: its positions and draw columns."""
        template, slots = self._parse()
        kinds, offset = [], 0
        for ch, positions in slots.items():
            kinds.append((ch, positions, offset))
            offset += len(positions)
        return template, kinds

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        template, kinds = self._slots()
        codes = np.tile(np.array(template, dtype=np.uint32), (block.n, 1))
        # One draw for every placeholder of a row, so a row's text does not depend on n.
        u = rng.random((block.n, sum(len(p) for _, p, _ in kinds)))
        for ch, positions, offset in kinds:
            alphabet = np.array([ord(c) for c in PLACEHOLDERS[ch]], dtype=np.uint32)
            picks = (u[:, offset : offset + len(positions)] * len(alphabet)).astype(np.intp)
            codes[:, positions] = alphabet[picks]
        return codes.view(f"U{len(template)}").ravel()

    def code(self) -> list[str]:
        template, kinds = self._slots()
        total = sum(len(p) for _, p, _ in kinds)
        lines = [f"codes = np.tile(np.array({literal(template)}, dtype=np.uint32), (n, 1))"]
        if kinds:
            lines.append(f"u = rng.random((n, {total}))  # one uniform per placeholder")
        for ch, positions, offset in kinds:
            alphabet = PLACEHOLDERS[ch]
            lines.append(f"alphabet = np.array([ord(c) for c in {literal(alphabet)}], dtype=np.uint32)  # {ch!r}")
            picks = f"(u[:, {offset}:{offset + len(positions)}] * {len(alphabet)}).astype(np.intp)"
            lines.append(f"codes[:, {literal(positions)}] = alphabet[{picks}]")
        lines.append(f'df[{q(self.name)}] = codes.view("U{len(template)}").ravel()')
        return lines


#: Faker providers a Text column may call: realistic text that needs no arguments.
FAKER_PROVIDERS = (
    "address",
    "city",
    "company",
    "country",
    "country_code",
    "email",
    "first_name",
    "free_email",
    "iban",
    "ipv4",
    "job",
    "last_name",
    "license_plate",
    "name",
    "phone_number",
    "postcode",
    "sentence",
    "street_address",
    "url",
    "user_name",
    "word",
)


def _faker_seed(seed: int, name: str) -> int:
    from .schema import column_key

    return int(np.random.SeedSequence([seed, column_key(name)]).generate_state(1)[0])


class Text(Column):
    """Realistic text (names, emails, addresses) from Faker, drawn through a pool.

    A pool of ``pool_size`` values is made once from a Faker seeded from the schema's
    seed, then rows index the pool with the numpy stream: fast, and the same seed gives
    the same values. Needs the optional ``faker`` package (``pip install synthbench[faker]``).
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param("provider", Options(FAKER_PROVIDERS), "name", "Faker provider to call."),
        Param("locale", Str(pattern=r"[a-z]{2,3}(_[A-Z]{2})?", what="a locale like 'en_US'"), "en_US", "Faker locale."),
        Param("pool_size", Int(1, 1_000_000), 1_000, "Distinct values drawn from Faker."),
        _NULL_RATE,
    )

    def describe(self) -> str:
        return f"Faker {self.provider!r} ({self.locale}), pool of {self.pool_size}"

    def _pool(self, seed: int) -> np.ndarray:
        try:
            from faker import Faker
        except ImportError:
            raise InvalidParameterError(
                f"{self.label} needs the optional 'faker' package: pip install 'synthbench[faker]'."
            ) from None
        try:
            fake = Faker(self.locale)
        except AttributeError:
            raise self.invalid("locale", "must be a locale Faker knows", self.locale) from None
        fake.seed_instance(_faker_seed(seed, self.name))
        make = getattr(fake, self.provider)
        return np.array([make() for _ in range(self.pool_size)])

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        pool = block.cache.get(("pool", self.name))
        if pool is None:
            pool = block.cache[("pool", self.name)] = self._pool(block.seed)
        return pool[rng.integers(0, len(pool), size=block.n)]

    def _pool_var(self) -> str:
        return "pool_" + re.sub(r"\W", "_", self.name)

    def setup_code(self, seed: int) -> list[str]:
        return [
            f"# Faker pool for {self.name!r}: drawn once, then indexed with numpy.",
            f"fake = Faker({literal(self.locale)})",
            f"fake.seed_instance({_faker_seed(seed, self.name)})",
            f"{self._pool_var()} = np.array([fake.{self.provider}() for _ in range({self.pool_size})])",
        ]

    def code(self) -> list[str]:
        var = self._pool_var()
        return [f"df[{q(self.name)}] = {var}[rng.integers(0, len({var}), size=n)]"]


# -- derived ------------------------------------------------------------------------------


class Derived(Column):
    """A column computed from others by a safe expression.

    Arithmetic, comparisons, ``and``/``or``/``not``, ``x in [..]`` and the functions
    ``abs sqrt exp log log10 floor ceil round minimum maximum clip where days hours
    year month day weekday``. Names not valid in Python go in backticks.

    >>> import synthbench as sb
    >>> gen = sb.Schema(columns=[
    ...     sb.columns.Integer("quantity", params={"low": 1, "high": 3}),
    ...     sb.columns.Derived("double", expr="quantity * 2"),
    ... ])
    >>> df = gen.sample(5, seed=0)
    >>> bool((df["double"] == 2 * df["quantity"]).all())
    True
    """

    uses_rng = False
    params = (
        Param("name", _NAME, help="Column name."),
        Param("expr", Str(max_len=expressions.MAX_LENGTH, what="an expression str"), help="e.g. 'price * quantity'"),
        _NULL_RATE,
    )

    def _parsed(self) -> expressions.Expression:
        try:
            return expressions.parse(self.expr, what=f"'expr' parameter of {self.label}")
        except ExpressionError as exc:
            raise ExpressionError(str(exc)) from None

    def _check_params(self) -> None:
        self._parsed()

    def dependencies(self) -> tuple[str, ...]:
        return self._parsed().columns

    def describe(self) -> str:
        return f"derived: {self.expr}"

    def generate(self, block: Block, rng: np.random.Generator) -> Any:
        return expressions.evaluate(self._parsed(), block.df)

    def code(self) -> list[str]:
        return [f"df[{q(self.name)}] = {expressions.to_source(self._parsed())}"]


#: Column types by name, for specs and the widgets.
COLUMN_TYPES: dict[str, type[Column]] = {
    c.__name__: c for c in (Id, Categorical, Boolean, Integer, Float, Datetime, Pattern, Text, Derived)
}
