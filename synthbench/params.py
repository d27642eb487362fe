"""Declarative parameters: one declaration drives validation, errors, specs and widgets.

Every synthbench object that takes parameters (generators, and the columns of a
:class:`~synthbench.Schema`) declares them once, as a tuple of :class:`Param`. Each
``Param`` has a *constraint* that knows

* whether a value is allowed (``is_satisfied_by``),
* how to say what is allowed (``describe``, used in error messages and widget help),
* how to turn a value into plain JSON and back (``to_json`` / ``from_json``), so that a
  spec is loaded without ever executing code.

The widgets read the same constraints (bounds, choices) to build their controls.
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .exceptions import InvalidParameterError, SpecError

__all__ = [
    "REQUIRED",
    "AnyOf",
    "Bool",
    "Component",
    "Constraint",
    "Date",
    "Float",
    "Int",
    "ListOf",
    "MapOf",
    "Optional",
    "Options",
    "Param",
    "Scalar",
    "Str",
    "check_value",
]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Marker for a parameter without a default.
REQUIRED: Any = _Required()


class _ShortRepr(reprlib.Repr):
    """``repr`` that stops at a depth and a length, so deep or huge values format quickly
    (the builtin ``repr`` recurses without bound); dicts keep their order."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel = 6
        self.maxtuple = self.maxlist = self.maxarray = self.maxdict = limit // 2
        self.maxset = self.maxfrozenset = self.maxdeque = limit // 2
        self.maxstring = self.maxlong = self.maxother = limit + 10

    def repr_dict(self, x: dict, level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}" for k, v in list(x.items())[: self.maxdict]]
        return "{" + ", ".join(items) + (", ..." if len(x) > self.maxdict else "") + "}"

    def repr_instance(self, x: Any, level: int) -> str:
        try:
            text = repr(x)
        except Exception:  # a broken __repr__ (or one that recurses) must not hide the real error
            return f"<{type(x).__name__} object>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters, for error messages; safe on any value.

    Deeply nested or huge values are shortened while formatting (never a RecursionError),
    and text that cannot be encoded (a lone surrogate) is escaped.

    >>> short_repr([1, "a", {"b": None}])
    "[1, 'a', {'b': None}]"
    >>> deep = []
    >>> for _ in range(100_000):
    ...     deep = [deep]
    >>> short_repr(deep)
    '[[[[[[[...]]]]]]]'
    >>> short_repr("\\ud800")
    "'\\\\ud800'"
    """
    try:
        text = _ShortRepr(limit).repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    # repr keeps lone surrogates as they are; escape them so the message can be printed.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bad_text(value: Any, depth: int = 0) -> str | None:
    """A str inside ``value`` that is not valid Unicode (a lone surrogate), if any."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value
        return None
    if depth > 50:
        return None
    items: Any = ()
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, Mapping):
        items = [*value.keys(), *value.values()]
    for item in items:
        bad = _bad_text(item, depth + 1)
        if bad is not None:
            return bad
    return None


def _where(path: str) -> str:
    return f" at {path}" if path else ""


class Constraint:
    """What a parameter value may be. Subclasses override the four methods."""

    def is_satisfied_by(self, value: Any) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        """A phrase that completes "must be ...", e.g. ``"an int in the range [2, 100]"``."""
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        """``value`` as plain JSON types (lists, dicts, str, int, float, bool, None)."""
        return value

    def from_json(self, value: Any, path: str) -> Any:
        """Rebuild a value from JSON; raise :class:`SpecError` naming ``path`` if impossible."""
        if not self.is_satisfied_by(value):
            raise SpecError(f"Invalid value{_where(path)}: must be {self.describe()}. Got {short_repr(value)} instead.")
        return value


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _interval(low: Any, high: Any, left: str, right: str) -> str:
    if low is not None and high is not None:
        return f" in the range {left}{low}, {high}{right}"
    if low is not None:
        return f" {'>=' if left == '[' else '>'} {low}"
    if high is not None:
        return f" {'<=' if right == ']' else '<'} {high}"
    return ""


@dataclass(frozen=True)
class Int(Constraint):
    """An integer (not a bool) in ``[low, high]``; either bound may be None."""

    low: int | None = None
    high: int | None = None

    def is_satisfied_by(self, value: Any) -> bool:
        return _is_int(value) and (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        return "an int" + _interval(self.low, self.high, "[", "]")

    def to_json(self, value: Any) -> Any:
        return int(value)


@dataclass(frozen=True)
class Float(Constraint):
    """A finite real number in an interval; ``closed`` is "both", "left", "right" or "neither"."""

    low: float | None = None
    high: float | None = None
    closed: str = "both"

    def is_satisfied_by(self, value: Any) -> bool:
        if not _is_real(value) or not math.isfinite(value):
            return False
        left_ok = self.low is None or (value >= self.low if self.closed in ("both", "left") else value > self.low)
        right_ok = self.high is None or (value <= self.high if self.closed in ("both", "right") else value < self.high)
        return left_ok and right_ok

    def describe(self) -> str:
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        return "a finite float" + _interval(self.low, self.high, left, right)

    def to_json(self, value: Any) -> Any:
        return int(value) if _is_int(value) else float(value)


@dataclass(frozen=True)
class Bool(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, bool)

    def describe(self) -> str:
        return "a bool"


@dataclass(frozen=True)
class Str(Constraint):
    """A string; non-empty by default, optionally matching a regular expression."""

    pattern: str | None = None
    allow_empty: bool = False
    max_len: int = 10_000
    what: str = "a non-empty str"

    def is_satisfied_by(self, value: Any) -> bool:
        if not isinstance(value, str) or len(value) > self.max_len:
            return False
        if not value and not self.allow_empty:
            return False
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None

    def describe(self) -> str:
        return self.what


@dataclass(frozen=True)
class Date(Str):
    """A date or date-time as ISO text, e.g. ``"2024-01-01"`` or ``"2024-01-01 06:30"``.

    Validated and stored as text (what pandas reads is checked by the generator that
    uses it); declared apart from other text so that panels show a date picker.
    """

    max_len: int = 100
    what: str = "a date/time str such as '2024-01-01'"


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of values."""

    choices: tuple

    def is_satisfied_by(self, value: Any) -> bool:
        try:
            return any(value == c and type(value) is type(c) for c in self.choices)
        except (TypeError, ValueError):
            return False

    def describe(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)


@dataclass(frozen=True)
class Scalar(Constraint):
    """A JSON scalar: str, int, finite float or bool (e.g. a category value)."""

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, str):
            return len(value) <= 10_000
        if isinstance(value, bool) or _is_int(value):
            return True
        return _is_real(value) and math.isfinite(value)

    def describe(self) -> str:
        return "a str, int, bool or finite float"

    def to_json(self, value: Any) -> Any:
        if isinstance(value, (str, bool)):
            return value
        return int(value) if _is_int(value) else float(value)


@dataclass(frozen=True)
class Optional(Constraint):
    """None or what ``inner`` allows."""

    inner: Constraint

    def is_satisfied_by(self, value: Any) -> bool:
        return value is None or self.inner.is_satisfied_by(value)

    def describe(self) -> str:
        return f"None or {self.inner.describe()}"

    def to_json(self, value: Any) -> Any:
        return None if value is None else self.inner.to_json(value)

    def from_json(self, value: Any, path: str) -> Any:
        return None if value is None else self.inner.from_json(value, path)


@dataclass(frozen=True)
class AnyOf(Constraint):
    """What any of several constraints allows (the first that accepts converts)."""

    options: tuple

    def is_satisfied_by(self, value: Any) -> bool:
        return any(c.is_satisfied_by(value) for c in self.options)

    def describe(self) -> str:
        return " or ".join(c.describe() for c in self.options)

    def to_json(self, value: Any) -> Any:
        for c in self.options:
            if c.is_satisfied_by(value):
                return c.to_json(value)
        return value

    def from_json(self, value: Any, path: str) -> Any:
        for c in self.options:
            try:
                return c.from_json(value, path)
            except SpecError:
                continue
        raise SpecError(f"Invalid value{_where(path)}: must be {self.describe()}. Got {short_repr(value)} instead.")


@dataclass(frozen=True)
class ListOf(Constraint):
    """A list or tuple of items that ``item`` allows, stored as a tuple."""

    item: Constraint
    min_len: int = 0
    max_len: int | None = None
    unique: bool = False

    def is_satisfied_by(self, value: Any) -> bool:
        if not isinstance(value, (list, tuple)):
            return False
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            return False
        if not all(self.item.is_satisfied_by(v) for v in value):
            return False
        if self.unique:
            keys = [(type(v), v) if not isinstance(v, Component) else id(v) for v in value]
            if len(set(keys)) != len(keys):
                return False
        return True

    def describe(self) -> str:
        size = ""
        if self.max_len is not None and self.max_len == self.min_len:
            size = f" of length {self.min_len}"
        elif self.min_len:
            size = f" of at least {self.min_len}"
        unique = " distinct" if self.unique else ""
        return f"a list{size} of{unique} items, each {self.item.describe()}"

    def to_json(self, value: Any) -> Any:
        return [self.item.to_json(v) for v in value]

    def from_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise SpecError(f"Invalid value{_where(path)}: must be a list. Got {short_repr(value)} instead.")
        items = tuple(self.item.from_json(v, f"{path}[{i}]") for i, v in enumerate(value))
        return Constraint.from_json(self, items, path)


@dataclass(frozen=True)
class MapOf(Constraint):
    """A mapping from str keys to what ``value`` allows, stored as a dict."""

    value: Constraint
    min_len: int = 0

    def is_satisfied_by(self, value: Any) -> bool:
        return (
            isinstance(value, Mapping)
            and len(value) >= self.min_len
            and all(isinstance(k, str) for k in value)
            and all(self.value.is_satisfied_by(v) for v in value.values())
        )

    def describe(self) -> str:
        return f"a dict from str to {self.value.describe()}"

    def to_json(self, value: Any) -> Any:
        return {k: self.value.to_json(v) for k, v in value.items()}

    def from_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise SpecError(f"Invalid value{_where(path)}: must be an object. Got {short_repr(value)} instead.")
        out = {k: self.value.from_json(v, f"{path}[{k!r}]") for k, v in value.items()}
        return Constraint.from_json(self, out, path)


def check_value(value: Any, name: str, constraint: Constraint, owner: str | None = None) -> Any:
    """``value`` if ``constraint`` allows it, else the usual error naming ``name`` (and ``owner``).

    For function arguments that are not declared parameters (``n``, ``seed``, ``k``, ...),
    so they get the same check and the same message as declared ones.

    >>> check_value(3, "k", Int(1), owner="nearest")
    3
    >>> check_value(0, "k", Int(1), owner="nearest")
    Traceback (most recent call last):
    ...
    synthbench.exceptions.InvalidParameterError: The 'k' parameter of nearest must be an int >= 1. Got 0 instead.
    """
    if not constraint.is_satisfied_by(value):
        of = f" of {owner}" if owner else ""
        raise InvalidParameterError(
            f"The {name!r} parameter{of} must be {constraint.describe()}. Got {short_repr(value)} instead."
        )
    return value


@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, what it may be, its default and a line of help."""

    name: str
    constraint: Constraint
    default: Any = REQUIRED
    help: str = ""


class Component:
    """An object configured by declared parameters, stored unchanged in ``__init__``.

    Subclasses set ``params`` (a tuple of :class:`Param`) and may set ``positional``,
    the names that may also be passed by position (a column's ``name``). Validation
    happens when the object is used (:meth:`validate`), as in scikit-learn, so a user
    can build an object, change it, and learn what is wrong when it matters.
    """

    params: ClassVar[tuple[Param, ...]] = ()
    positional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if len(args) > len(cls.positional):
            raise InvalidParameterError(
                f"{cls.__name__} takes at most {len(cls.positional)} positional "
                f"argument(s) ({', '.join(cls.positional) or 'none'}); the others are "
                f"keyword-only. Got {len(args)}."
            )
        for name, value in zip(cls.positional, args, strict=False):
            if name in kwargs:
                raise InvalidParameterError(f"{cls.__name__} got {name!r} twice.")
            kwargs[name] = value
        declared = {p.name: p for p in cls.params}
        unknown = sorted(set(kwargs) - set(declared))
        if unknown:
            raise InvalidParameterError(
                f"{cls.__name__} got unknown parameter(s) {unknown}. Valid parameters are {sorted(declared)}."
            )
        for p in cls.params:
            if p.name in kwargs:
                value = kwargs[p.name]
            elif p.default is REQUIRED:
                raise InvalidParameterError(f"{cls.__name__} is missing its required parameter {p.name!r}.")
            else:
                value = p.default
            setattr(self, p.name, value)

    # -- parameters ---------------------------------------------------------------
    @classmethod
    def param(cls, name: str) -> Param:
        """The declaration of parameter ``name``."""
        for p in cls.params:
            if p.name == name:
                return p
        raise InvalidParameterError(f"{cls.__name__} has no parameter {name!r}.")

    def get_params(self) -> dict[str, Any]:
        """The parameters as given, by name."""
        return {p.name: getattr(self, p.name) for p in type(self).params}

    def set_params(self, **params: Any) -> Component:
        """Set parameters by name and return self. Unknown names raise at once."""
        declared = {p.name for p in type(self).params}
        unknown = sorted(set(params) - declared)
        if unknown:
            raise InvalidParameterError(
                f"{type(self).__name__} got unknown parameter(s) {unknown}. Valid parameters are {sorted(declared)}."
            )
        for name, value in params.items():
            setattr(self, name, value)
        return self

    @property
    def label(self) -> str:
        """How error messages name this object, e.g. ``Integer('age')``."""
        name = getattr(self, "name", None)
        if isinstance(name, str) and "name" in type(self).positional:
            return f"{type(self).__name__}({name!r})"
        return type(self).__name__

    def invalid(self, param: str, rule: str, value: Any) -> InvalidParameterError:
        """The error for ``param`` breaking ``rule`` ("must be ..." / "must sum to 1")."""
        return InvalidParameterError(
            f"The {param!r} parameter of {self.label} {rule}. Got {short_repr(value)} instead."
        )

    def validate(self) -> None:
        """Check every parameter against its declaration, then cross-parameter rules."""
        for p in type(self).params:
            value = getattr(self, p.name)
            if not p.constraint.is_satisfied_by(value):
                raise self.invalid(p.name, f"must be {p.constraint.describe()}", value)
            if _bad_text(value) is not None:
                # Such text cannot be written to a file, a terminal or a code cell (UTF-8).
                raise self.invalid(p.name, "must hold valid Unicode text (no lone surrogates such as '\\ud800')", value)
            if isinstance(p.constraint, (ComponentOf, ListOf, Optional)):
                for sub in _components_in(value):
                    sub.validate()
        self._check_params()

    def _check_params(self) -> None:
        """Rules that involve several parameters; subclasses raise ``self.invalid(...)``."""

    # -- JSON ---------------------------------------------------------------------
    def params_to_json(self) -> dict[str, Any]:
        return {p.name: p.constraint.to_json(getattr(self, p.name)) for p in type(self).params}

    @classmethod
    def params_from_json(cls, data: Any, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise SpecError(
                f"Invalid value at {path}: must be an object of parameters. Got {short_repr(data)} instead."
            )
        declared = {p.name: p for p in cls.params}
        unknown = sorted(set(data) - set(declared))
        if unknown:
            raise SpecError(
                f"Unknown parameter(s) {unknown} for {cls.__name__} at {path}. Valid parameters are {sorted(declared)}."
            )
        return {name: declared[name].constraint.from_json(value, f"{path}[{name!r}]") for name, value in data.items()}

    # -- Python protocol -------------------------------------------------------------
    def __repr__(self) -> str:
        parts = []
        for p in type(self).params:
            value = getattr(self, p.name)
            if p.name in type(self).positional:
                parts.append(repr(value))
            elif p.default is REQUIRED or not _same(value, p.default):
                parts.append(f"{p.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(a, b) for a, b in zip(self.get_params().values(), other.get_params().values(), strict=True))

    __hash__ = None  # type: ignore[assignment]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(type(a) is type(b) and a == b) or (a is b)
    except (TypeError, ValueError):
        return False


def _components_in(value: Any) -> list[Component]:
    if isinstance(value, Component):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, Component)]
    if isinstance(value, Mapping):
        return [v for v in value.values() if isinstance(v, Component)]
    return []


@dataclass(frozen=True)
class ComponentOf(Constraint):
    """An instance of one of the Component classes in ``kinds`` (name -> class).

    In JSON it is ``{"type": <class name>, <params>...}``.
    """

    kinds: Mapping[str, type]
    what: str = "a component"

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, tuple(self.kinds.values()))

    def describe(self) -> str:
        return f"{self.what} ({', '.join(sorted(self.kinds))})"

    def to_json(self, value: Any) -> Any:
        return {"type": type(value).__name__, **value.params_to_json()}

    def from_json(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise SpecError(
                f"Invalid value{_where(path)}: must be an object with a 'type' key "
                f"naming {self.describe()}. Got {short_repr(value)} instead."
            )
        kind = self.kinds.get(value["type"])
        if kind is None:
            raise SpecError(f"Unknown type {value['type']!r}{_where(path)}. Known types are {sorted(self.kinds)}.")
        params = {k: v for k, v in value.items() if k != "type"}
        return kind(**kind.params_from_json(params, path))


def as_sequence(value: Any) -> Sequence:
    """``value`` as a list if it is a list or tuple, else a one-item list."""
    return list(value) if isinstance(value, (list, tuple)) else [value]
