"""Column types of the rule-based :class:`~synthbench.Schema`.

A column declares its parameters and compiles them into one call of a kernel of
:mod:`synthbench.kernels.rules` with literal arguments (:meth:`Column.kernel_call`).
The schema puts these calls in a table that ``sample`` runs and ``to_code`` writes,
so the library and the exported cell run the same code.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import expressions
from ..codegen import Plan, Ref
from ..exceptions import ExpressionError, InvalidParameterError
from ..kernels import rules as k
from ..params import (
    AnyOf,
    Component,
    Date,
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
Kernel = Callable[..., Any]


def column_key(name: str) -> int:
    """A stable 32-bit key for a column name (the same in every process and platform)."""
    return zlib.crc32(name.encode("utf-8", "surrogatepass"))


@dataclass
class Setup:
    """Values made once per sample before any block (Faker pools, calendar grids).

    Each becomes a plan step whose variable name synthbench chooses (``pool_1``), so
    two columns never share one by accident of their names.
    """

    seed: int
    plan: Plan = field(default_factory=Plan)

    def value(self, stem: str, comment: str, func: Kernel, **kwargs: Any) -> Ref:
        number = sum(1 for step in self.plan.steps if step.func is func) + 1
        ref = self.plan.call(f"{stem}_{number}", func, comment=comment, **kwargs)
        assert ref is not None
        return ref


_NAME = Str(
    pattern=r"[^\n\r`\ud800-\udfff]+",
    max_len=200,
    what="a non-empty single-line str without backticks (at most 200 characters)",
)
#: Text that can be written as UTF-8 (to code, CSV or Parquet): no lone surrogates.
_NO_SURROGATES = r"[^\ud800-\udfff]*"
_NULL_RATE = Param("null_rate", _FloatC(0, 1), 0.0, "Share of values set missing.")


class Column(Component):
    """Base class of the columns of a :class:`~synthbench.Schema`."""

    positional: ClassVar[tuple[str, ...]] = ("name",)
    #: The pandas dtype that can hold missing values, if the plain one cannot.
    nullable_dtype: ClassVar[str | None] = None

    def dependencies(self) -> tuple[str, ...]:
        """Names of the columns this one reads; they are made first."""
        return ()

    def summary(self) -> str:
        """A few generated words for the comment above this column's entry (no user text)."""
        return type(self).__name__.lower()

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        """The kernel of :mod:`synthbench.kernels.rules` that makes this column, and its
        literal arguments (values made once per sample go through ``setup``)."""
        raise NotImplementedError

    def missing(self) -> tuple[float, str | None] | None:
        """The null rate and the dtype that holds missing values, or None."""
        return (float(self.null_rate), self.nullable_dtype) if self.null_rate > 0 else None

    def text_width(self, widths: dict[str, int]) -> int:
        """Most characters a value has, if it is text (0 if not); ``widths`` holds those
        of the columns made before."""
        return 0

    def row_bytes(self, width: int) -> int:
        """About how many bytes one row of the frame takes (text of ``width`` characters)."""
        return 8 + (width + 16 if width else 0)

    def setup_bytes(self) -> int:
        """About how many bytes the values made once per sample take."""
        return 0


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
        Param(
            "prefix",
            Str(pattern=_NO_SURROGATES, allow_empty=True, max_len=100, what="a str (no lone surrogates)"),
            "",
            "Text before the number.",
        ),
        Param("width", Int(0, 30), 0, "Zero-pad the number to this many digits (0: no padding)."),
        _NULL_RATE,
    )

    @property
    def nullable_dtype(self) -> str | None:  # type: ignore[override]
        return "Int64" if self.kind == "sequential" and not (self.prefix or self.width) else None

    def summary(self) -> str:
        if self.kind == "uuid":
            return "random UUID4 ids"
        return "sequential ids as text" if self.prefix or self.width else "sequential ids"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        if self.kind == "uuid":
            return k.uuid4_ids, {}
        if self.prefix or self.width:
            return k.prefixed_ids, {"start": self.start, "prefix": self.prefix, "width": self.width}
        return k.sequential_ids, {"start": self.start}

    def text_width(self, widths: dict[str, int]) -> int:
        if self.kind == "uuid":
            return 36
        return len(self.prefix) + max(self.width, 20) if self.prefix or self.width else 0


# -- categories and booleans ------------------------------------------------------------


def _category_kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    return "str" if isinstance(value, str) else "number"


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
            Optional(ListOf(_FloatC(0, 1), min_len=1, max_len=100_000)),
            None,
            "Probability of each category (sums to 1); None: all equally likely.",
        ),
        _NULL_RATE,
    )

    def _check_params(self) -> None:
        kinds = {_category_kind(v) for v in self.categories}
        if len(kinds) > 1:
            raise self.invalid(
                "categories",
                f"must all be of one kind (all str, all numbers or all bool); got {' and '.join(sorted(kinds))}",
                list(self.categories),
            )
        if len(set(self.categories)) != len(self.categories):
            raise self.invalid(
                "categories", "must be distinct values (1 and 1.0 are the same number)", list(self.categories)
            )
        for v in self.categories:
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and not -(2**63) < int(v) < 2**63:
                raise self.invalid("categories", "must hold ints that fit in int64 (-2**63 < v < 2**63)", v)
            if isinstance(v, str) and any("\ud800" <= ch <= "\udfff" for ch in v):
                raise self.invalid("categories", "must hold text without lone surrogates", v)
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

    def summary(self) -> str:
        how = "equally likely" if self.weights is None else "weighted"
        return f"{len(self.categories)} categories, {how}"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        p = self._probabilities()
        return k.categories, {"values": list(self.categories), **({} if p is None else {"p": p})}

    def text_width(self, widths: dict[str, int]) -> int:
        return max((len(v) for v in self.categories if isinstance(v, str)), default=0)

    def setup_bytes(self) -> int:
        return sum(len(v) * 4 + 64 if isinstance(v, str) else 16 for v in self.categories)


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

    def summary(self) -> str:
        return f"True with probability {float(self.p)!r}"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        return k.booleans, {"p": self.p}


# -- numbers ----------------------------------------------------------------------------


#: Most groups a numeric column's ``params_by`` may set (each is a pass over the block).
MAX_GROUPS = 1_000


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
        if self.params_by is not None and len(self.params_by) > MAX_GROUPS:
            raise self.invalid(
                "params_by", f"must have at most {MAX_GROUPS:,} groups", f"{len(self.params_by):,} groups"
            )
        for group, given in (self.params_by or {}).items():
            self._check_one("params_by", {**self.params, **given})
            del group
        if self.min is not None and self.max is not None and self.min > self.max:
            raise self.invalid("min", f"must be <= max ({self.max})", self.min)

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        dist = self._distribution()
        base = dist.resolve(self.params)
        uniform_ints = self.integer and dist.name == "uniform"
        if uniform_ints:
            base = {key: int(value) for key, value in base.items()}
        args: dict[str, Any] = {"method": "integers" if uniform_ints else dist.numpy_method, "arguments": base}
        if self.by is not None:
            groups: dict[str, dict[str, Any]] = {}
            for name in base:
                values = {g: p[name] for g, p in self.params_by.items() if name in p}
                if values:
                    groups[name] = values
            args.update(by=self.by, groups=groups)
        if self.integer:
            args["integer"] = True
        elif self.decimals is not None:
            args["decimals"] = self.decimals
        if self.min is not None:
            args["low"] = self.min
        if self.max is not None:
            args["high"] = self.max
        return (k.numbers if self.by is None else k.grouped_numbers), args

    def summary(self) -> str:
        text = f"{self.distribution} {'integers' if self.integer else 'floats'}"
        if self.by is not None:
            text += ", parameters by group of another column"
        if self.min is not None or self.max is not None:
            text += ", clipped"
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


# -- dates -------------------------------------------------------------------------------


#: Most points a calendar grid (business days, month starts, ...) may have; it is made
#: once per sample. Fixed steps (seconds, hours, days) need no grid, so have no limit.
MAX_CALENDAR_POINTS = 1_000_000
_US = 1_000  # nanoseconds per microsecond


class Datetime(Column):
    """Timestamps between ``start`` and ``end`` (inclusive), to the microsecond.

    Without ``freq`` they are uniform to the second; with a pandas frequency they are
    drawn from the times ``pd.date_range(start, end, freq=freq)`` would list (``"D"``
    days, ``"B"`` business days, ``"h"`` hours, ``"15min"``, ``"MS"`` month starts,
    ...). Fixed steps are computed, never listed, so a grid of seconds over centuries
    costs nothing; calendar grids hold at most a million points.

    >>> import synthbench as sb
    >>> col = sb.columns.Datetime("day", start="2024-01-01", end="2024-01-31", freq="B")
    >>> df = sb.Schema(columns=[col]).sample(100, seed=0)
    >>> bool((df["day"].dt.day_of_week < 5).all())
    True
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param("start", Date(max_len=64, what="an ISO date str"), "2020-01-01", "First possible time."),
        Param("end", Date(max_len=64, what="an ISO date str"), "2024-12-31", "Last possible time."),
        Param(
            "freq",
            Optional(Str(max_len=32, what="a pandas frequency str")),
            None,
            "Draw from this grid; None: any second.",
        ),
        _NULL_RATE,
    )

    def _check_params(self) -> None:
        start, end = self._timestamp("start"), self._timestamp("end")
        if not start < end:
            raise self.invalid("end", f"must be after start ({self.start})", self.end)
        if self.freq is None:
            return
        offset = self._offset()
        step = self._step_us(offset)
        if step is not None:
            return
        days = (end - start).days + 1
        per_day = 24 if isinstance(offset, (pd.offsets.BusinessHour, pd.offsets.CustomBusinessHour)) else 1
        if days * per_day > MAX_CALENDAR_POINTS:
            raise self.invalid(
                "freq",
                f"must give at most {MAX_CALENDAR_POINTS:,} calendar points between start and end "
                f"(a fixed step such as 'h' or '7D' has no limit)",
                self.freq,
            )
        try:
            points = len(_calendar_grid(start.isoformat(), end.isoformat(), self.freq))
        except (ValueError, OverflowError):  # e.g. a step that jumps past the year 294,000
            points = 0
        if points == 0:
            raise self.invalid("freq", "must give at least one time between start and end", self.freq)

    def _offset(self) -> pd.DateOffset:
        try:
            offset = pd.tseries.frequencies.to_offset(self.freq)
        except (ValueError, TypeError, OverflowError):
            offset = None
        if offset is None or offset.n <= 0:
            raise self.invalid("freq", "must be a pandas frequency such as 'D', 'B', 'h' or '15min'", self.freq)
        return offset

    def _step_us(self, offset: pd.DateOffset) -> int | None:
        """The step in microseconds of a fixed frequency, None for a calendar one."""
        if isinstance(offset, pd.offsets.Tick):
            nanos = offset.nanos
        elif type(offset) is pd.offsets.Day:  # a fixed 24 hours: times here have no time zone
            nanos = offset.n * 86_400 * 10**9
        else:
            return None
        if nanos % _US:
            raise self.invalid("freq", "must be a whole number of microseconds", self.freq)
        if nanos // _US > 2**62:
            raise self.invalid("freq", "must be a step shorter than 100,000 years", self.freq)
        return nanos // _US

    def _timestamp(self, key: str) -> pd.Timestamp:
        value = getattr(self, key)
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            ts = None
        if ts is None or ts is pd.NaT or ts.tz is not None or ts.nanosecond:
            raise self.invalid(key, "must be an ISO date or datetime str without time zone, like '2024-01-31'", value)
        return ts

    def summary(self) -> str:
        if self.freq is None:
            return "times to the second"
        return "times on a calendar grid" if self._step_us(self._offset()) is None else "times on a fixed grid"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        start, end = self._timestamp("start"), self._timestamp("end")
        step = 1_000_000 if self.freq is None else self._step_us(self._offset())
        if step is not None:
            span = (end - start) // pd.Timedelta(microseconds=1)
            return k.times, {"start": start.isoformat(), "step": step, "count": span // step + 1}
        grid = setup.value(
            "grid",
            "A calendar grid, listed once",
            k.calendar_grid,
            start=start.isoformat(),
            end=end.isoformat(),
            freq=self.freq,
        )
        return k.pick, {"pool": grid}

    def setup_bytes(self) -> int:
        if self.freq is None or self._step_us(self._offset()) is not None:
            return 0
        return 8 * ((self._timestamp("end") - self._timestamp("start")).days + 1)


@functools.lru_cache(maxsize=64)
def _calendar_grid(start: str, end: str, freq: str) -> np.ndarray:
    return k.calendar_grid(start, end, freq)


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
            Str(
                pattern=r"[^\x00\ud800-\udfff]+",
                max_len=200,
                what="a non-empty str (at most 200 characters, no NUL or lone surrogate)",
            ),
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

    def summary(self) -> str:
        return f"text from a pattern of {len(self._parse()[0])} characters"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        template, slots = self._parse()
        return k.pattern_strings, {
            "template": template,
            "slots": [(PLACEHOLDERS[ch], positions) for ch, positions in slots.items()],
        }

    def text_width(self, widths: dict[str, int]) -> int:
        return len(self.pattern)


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
    return int(np.random.SeedSequence([seed, column_key(name)]).generate_state(1)[0])


@functools.lru_cache(maxsize=32)
def _faker_knows(locale: str) -> bool:
    from faker import Faker

    try:
        Faker(locale)
    except AttributeError:
        return False
    return True


class Text(Column):
    """Realistic text (names, emails, addresses) from Faker, drawn through a pool.

    A pool of ``pool_size`` values is made once from a Faker seeded from the schema's
    seed, then rows index the pool with the numpy stream: fast, and the same seed gives
    the same values. Needs the optional ``faker`` package (``pip install synthbench[faker]``).
    The pools of a schema hold at most a million values in all.
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param("provider", Options(FAKER_PROVIDERS), "name", "Faker provider to call."),
        Param("locale", Str(pattern=r"[a-z]{2,3}(_[A-Z]{2})?", what="a locale like 'en_US'"), "en_US", "Faker locale."),
        Param("pool_size", Int(1, 1_000_000), 1_000, "Distinct values drawn from Faker."),
        _NULL_RATE,
    )

    def _check_params(self) -> None:
        if importlib.util.find_spec("faker") is None:
            raise InvalidParameterError(
                f"{self.label} needs the optional 'faker' package: pip install 'synthbench[faker]'."
            )
        if not _faker_knows(self.locale):
            raise self.invalid("locale", "must be a locale Faker knows", self.locale)

    def summary(self) -> str:
        return f"Faker {self.provider} values from a pool of {self.pool_size}"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        pool = setup.value(
            "pool",
            f"A pool of {self.pool_size} Faker values, drawn once, then indexed with numpy",
            k.faker_pool,
            provider=self.provider,
            locale=self.locale,
            seed=_faker_seed(setup.seed, self.name),
            size=self.pool_size,
        )
        return k.pick, {"pool": pool}

    def text_width(self, widths: dict[str, int]) -> int:
        return 100

    def setup_bytes(self) -> int:
        return self.pool_size * 4 * 100


# -- derived ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _parse(text: str, what: str) -> expressions.Expression:
    """:func:`synthbench.expressions.parse`, once per text: a schema reads its expressions
    several times per sample (order, widths, kernels); the result is immutable."""
    return expressions.parse(text, what=what)


class Derived(Column):
    """A column computed from others by a safe expression.

    Arithmetic, comparisons, ``and``/``or``/``not``, ``x in [..]`` and the functions
    ``abs sqrt exp log log10 floor ceil round minimum maximum clip where days hours
    year month day weekday``. Names not valid in Python go in backticks. ``and``,
    ``or`` and ``not`` take conditions or boolean columns (on numbers, write
    ``x != 0``); text is joined with ``+`` but never repeated or ``%``-formatted; the
    exponent of ``**`` is a number in [-100, 100]. See :mod:`synthbench.expressions`.

    >>> import synthbench as sb
    >>> gen = sb.Schema(columns=[
    ...     sb.columns.Integer("quantity", params={"low": 1, "high": 3}),
    ...     sb.columns.Derived("double", expr="quantity * 2"),
    ... ])
    >>> df = gen.sample(5, seed=0)
    >>> bool((df["double"] == 2 * df["quantity"]).all())
    True
    """

    params = (
        Param("name", _NAME, help="Column name."),
        Param("expr", Str(max_len=expressions.MAX_LENGTH, what="an expression str"), help="e.g. 'price * quantity'"),
        _NULL_RATE,
    )

    def _parsed(self) -> expressions.Expression:
        try:
            what = f"'expr' parameter of {self.label}"
            return _parse(self.expr, what) if isinstance(self.expr, str) else expressions.parse(self.expr, what=what)
        except ExpressionError as exc:
            raise ExpressionError(str(exc)) from None

    def _check_params(self) -> None:
        self._parsed()

    def dependencies(self) -> tuple[str, ...]:
        return self._parsed().columns

    def summary(self) -> str:
        return "computed from other columns by an expression"

    def kernel_call(self, setup: Setup) -> tuple[Kernel, dict[str, Any]]:
        return k.derived, {"tree": self._parsed().tree}

    def text_width(self, widths: dict[str, int]) -> int:
        # Text only grows by joining with '+': at most every text it reads, joined.
        tree = self._parsed().tree
        return sum(widths.get(name, 0) for name in k.columns_of(tree)) + sum(_text_constants(tree))


def _text_constants(tree: Any) -> list[int]:
    if isinstance(tree, str):
        return [len(tree)]
    if isinstance(tree, tuple) and tree and tree[0] != "col":
        return [n for arg in tree[1:] for n in _text_constants(arg)]
    return []


#: Column types by name, for specs and the widgets.
COLUMN_TYPES: dict[str, type[Column]] = {
    c.__name__: c for c in (Id, Categorical, Boolean, Integer, Float, Datetime, Pattern, Text, Derived)
}
