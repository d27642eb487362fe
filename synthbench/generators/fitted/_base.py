"""What every fitted generator shares: fitting checks, conditions, partial and hybrid output.

The API on top of the protocol (``fit``/``sample``/``to_code``/``to_dict``):

``sample(n, seed=..., conditions={"island": "Biscoe"})``
    rows with fixed values of some columns, the other columns drawn given them.
``partial(data, columns=[...], seed=...)``
    *partially synthetic* data: the listed columns of ``data`` are replaced by values
    drawn given the row's other (kept, real) columns; row order and index are kept.
``hybrid(data, n, real_share=0.3, seed=..., marker="is_synthetic")``
    a shuffled mix of ``round(n * real_share)`` real rows of ``data`` and synthetic rows,
    with an optional bool column that is True on the synthetic rows.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ...base import Generator, check_n, check_seed
from ...codegen import Plan, Ref
from ...exceptions import DataError, InvalidParameterError, SpecError
from ...kernels.fitted import as_dtype, identifier_column
from ...params import short_repr
from ...table import check_frame
from ._state import check_identifiers
from ._types import describe_columns, split_identifiers

__all__ = ["FitProgress", "FittedGenerator", "one_blas_thread"]


class FitProgress:
    """One line on stderr that says how far a long fit has come; only on a terminal.

    Nothing is written in logs, pipes, notebooks' captured output or tests, nor for
    fits shorter than ``after`` seconds; the line is erased when the fit ends.
    """

    def __init__(self, label: str, total: int, *, after: float = 1.0) -> None:
        self.label, self.total, self.after = label, total, after
        self.start = time.perf_counter()
        self.width = 0
        try:
            self.on = sys.stderr.isatty()
        except (AttributeError, ValueError):
            self.on = False

    def step(self, done: int, what: str) -> None:
        """Report ``done`` of ``total`` steps (``what`` names them)."""
        elapsed = time.perf_counter() - self.start
        if self.on and elapsed >= self.after:
            line = f"{self.label}: {what} {done}/{self.total} ({elapsed:.0f} s)"
            sys.stderr.write("\r" + line.ljust(self.width))
            sys.stderr.flush()
            self.width = len(line)

    def close(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with the BLAS (and OpenMP) libraries on one thread.

    The products here are tall and thin (n x d by d x d): memory-bound, so extra threads
    gain little, and on shared cores their spinning costs a hundred times more (a 1M x 20
    Gram matrix: 0.04 s on one thread, 2 to 7 s on two busy cores).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


class FittedGenerator(Generator):
    """Base class of the generators that learn a table (family ``"fitted"``).

    Subclasses set ``columns_`` (the column dicts of :mod:`._types`) in ``_fit`` and
    implement ``_sample_given(given, n, seed)``: ``n`` rows whose columns in ``given``
    (a frame of ``n`` rows, possibly with no columns) are kept.
    """

    family: ClassVar[str] = "fitted"
    learns: ClassVar[bool] = True
    independent_rows: ClassVar[bool] = True
    #: The parameter that trades quality for privacy and the values worth trying, in the
    #: order a chart draws them (None: no such knob). The one place read by
    #: :func:`~synthbench.evaluate.privacy_tradeoff`, the panels' Privacy tab and the docs.
    privacy_knob: ClassVar[tuple[str, tuple[Any, ...]] | None] = None

    #: Shapes of the identifier-like columns (``identifiers="generate"``), set by ``fit``
    #: or a loaded state; not a fitted attribute of its own (``columns_`` marks a fit).
    _identifiers: ClassVar[list[dict[str, Any]]] = []

    # -- fitting -------------------------------------------------------------------------
    def _describe(self, data: Any) -> list[dict[str, Any]]:
        """The columns the model learns; with ``identifiers="generate"``, identifier-like
        text columns are left out and only their shape is kept (see ``identifier_column``)."""
        columns = describe_columns(data, f"{type(self).__name__}.fit")
        self._identifiers = []
        if getattr(self, "identifiers", "copy") == "generate":
            columns, self._identifiers = split_identifiers(data, columns)
        return columns

    @property
    def identifier_columns_(self) -> list[str]:
        """Names of the identifier-like columns generated from their shape (none kept)."""
        self._check_fitted()
        return [c["name"] for c in self._identifiers]

    @property
    def column_names(self) -> list[str]:
        self._check_fitted()
        names = [c["name"] for c in self.columns_]
        for shape in self._identifiers:  # ascending positions
            names.insert(shape["at"], shape["name"])
        return names

    def _identifier_refs(self, plan: Plan, refs: list[Ref], n: int, seed: int) -> list[Ref]:
        """``refs`` (the modelled columns' plan steps) with the identifier columns' steps in place."""
        refs = list(refs)
        d = len(self.columns_) + len(self._identifiers)
        for k, shape in enumerate(self._identifiers):
            comment = (
                f"Column {shape['at'] + 1} of {d}: identifier-like text, made by rules from its shape\n"
                f"(lengths and character classes per position); no value of it is kept."
            )
            refs.insert(
                shape["at"], plan.call(f"identifier_{k}", identifier_column, n, seed, k, shape, comment=comment)
            )
        return refs

    def _with_identifiers(self, frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        """A frame of the modelled columns with the identifier columns made and put in place."""
        for k, shape in enumerate(self._identifiers):
            frame = frame.assign(**{shape["name"]: identifier_column(n, seed, k, shape).array})
        return frame[self.column_names]

    def _identifier_words(self) -> list[str]:
        if not self._identifiers:
            return []
        return [
            f"Identifier-like columns: {len(self._identifiers)}, generated from their shape (lengths and character\n"
            "classes per position); no value kept (identifiers='copy' would learn their values)."
        ]

    def _identifier_state(self) -> dict[str, Any]:
        return {"identifiers": self._identifiers} if self._identifiers else {}

    def _column(self, name: str) -> dict[str, Any]:
        return next(c for c in self.columns_ if c["name"] == name)

    # -- sampling --------------------------------------------------------------------------
    def sample(self, n: int, *, seed: int | None = None, conditions: dict[str, Any] | None = None) -> pd.DataFrame:
        """Draw ``n`` rows; with ``conditions`` (column -> value) every row has those values.

        A condition on a label column must name a value seen in the fitted data.
        """
        if conditions is None:
            return super().sample(n, seed=seed)
        name = f"{type(self).__name__}.sample"
        n = check_n(n, owner=name)
        seed = check_seed(seed, owner=name)
        self.validate()
        self._check_fitted()
        self._check_memory(n, name)
        given = self._conditions_frame(conditions, n)
        return self._with_identifiers(self._sample_given(given, n, seed), n, seed)

    def _conditions_frame(self, conditions: Any, n: int) -> pd.DataFrame:
        owner = type(self).__name__
        if not isinstance(conditions, dict) or not conditions:
            raise InvalidParameterError(
                f"The 'conditions' parameter of {owner}.sample must be a non-empty dict from column "
                f"name to value. Got {short_repr(conditions)} instead."
            )
        names = [c["name"] for c in self.columns_]
        given = {}
        for key, value in conditions.items():
            if key in self.identifier_columns_:
                raise InvalidParameterError(
                    f"The 'conditions' parameter of {owner}.sample cannot fix {short_repr(key)}: it is an "
                    "identifier-like column, generated from its shape. Fit with identifiers='copy' to condition on it."
                )
            if key not in names:
                raise InvalidParameterError(
                    f"The 'conditions' parameter of {owner}.sample must name fitted columns {names}. "
                    f"Got {short_repr(key)} instead."
                )
            col = self._column(key)
            given[key] = self._condition_column(col, value, n)
        return pd.DataFrame(given, index=pd.RangeIndex(n))

    def _condition_column(self, col: dict[str, Any], value: Any, n: int) -> pd.Series:
        owner = type(self).__name__
        bad = InvalidParameterError(
            f"The 'conditions' parameter of {owner}.sample must give column {col['name']!r} a value of "
            f"its kind ({col['kind']}){self._known_values(col)}. Got {short_repr(value)} instead."
        )
        kind = col["kind"]
        try:
            if kind == "datetime":
                stamp = pd.Timestamp(value)
                if pd.isna(stamp):
                    raise bad
                if col.get("tz"):
                    stamp = stamp.tz_localize(col["tz"]) if stamp.tzinfo is None else stamp
                    stamp = stamp.tz_convert("UTC").tz_localize(None)
                elif stamp.tzinfo is not None:
                    raise bad
                x = np.full(n, pd.Timestamp(stamp).as_unit(col["unit"]).value, dtype=np.int64)
            elif kind in ("numeric", "integer"):
                if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                    raise bad
                if not math.isfinite(value) or (kind == "integer" and value != int(value)):
                    raise bad
                x = np.full(n, value, dtype=float if kind == "numeric" else np.int64)
            elif kind == "boolean":
                if not isinstance(value, (bool, np.bool_)):
                    raise bad
                x = np.full(n, bool(value))
            else:
                if not any(type(value) is type(v) and value == v for v in col.get("values", col.get("labels", []))):
                    raise bad
                x = np.array([value] * n, dtype=object)
            return as_dtype(x, np.zeros(n, dtype=bool), col)
        except (TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, InvalidParameterError):
                raise
            raise bad from None

    @staticmethod
    def _known_values(col: dict[str, Any]) -> str:
        if col["kind"] != "categorical":
            return ""
        values = col.get("values", col.get("labels", []))
        return f", one of {short_repr(values, 120)}"

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        return self._sample_given(pd.DataFrame(index=pd.RangeIndex(n)), n, seed)

    def _sample_given(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        raise NotImplementedError

    def disclosure(self) -> str:
        """What real information the fitted state (spec and exported cell) holds, in plain words.

        Written from the fitted state alone (counts, sizes and fixed words, never a value
        or name from the data); ``to_dict`` stores it as ``state['disclosure']`` and
        ``to_code`` puts it in the cell's header comment.
        """
        raise NotImplementedError

    # -- partially synthetic and hybrid output ---------------------------------------------
    def _check_like_fitted(self, data: Any, owner: str) -> pd.DataFrame:
        check_frame(data, f"The data of {owner}", min_rows=0)
        names = self.column_names
        missing = [c for c in names if c not in data.columns]
        if missing:
            raise DataError(f"{owner} needs the fitted columns {names}; data lacks {missing}.")
        return data

    def partial(self, data: pd.DataFrame, columns: list[str], *, seed: int | None = None) -> pd.DataFrame:
        """Partially synthetic data: replace ``columns`` of ``data``, keep the rest real.

        Each replaced value is drawn given the row's kept columns (and the columns
        replaced before it), so a row stays consistent. The result has ``data``'s rows,
        index and column order; columns that were not fitted are passed through.

        Parameters
        ----------
        data : DataFrame
            Rows with the fitted columns (often the training data itself).
        columns : list of str
            Fitted columns to replace (at least one).
        seed : int, optional
            Seed of the draws; the same seed gives the same frame.
        """
        owner = f"{type(self).__name__}.partial"
        seed = check_seed(seed, owner=owner)
        self.validate()
        self._check_fitted()
        self._check_like_fitted(data, owner)
        names = self.column_names
        if (
            not isinstance(columns, (list, tuple))
            or not columns
            or any(c not in names for c in columns)
            or len(set(columns)) != len(columns)
        ):
            raise InvalidParameterError(
                f"The 'columns' parameter of {owner} must be a non-empty list of distinct fitted column "
                f"names {names}. Got {short_repr(columns)} instead."
            )
        self._check_memory(len(data), owner)
        kept = [c["name"] for c in self.columns_ if c["name"] not in columns]
        given = data[kept].reset_index(drop=True)
        made = self._with_identifiers(self._sample_given(given, len(data), seed), len(data), seed)
        out = data.copy()
        for c in columns:
            # .array keeps the dtype (Int64, category, ...) and ignores index labels.
            out[c] = made[c].array
        return out

    def hybrid(
        self,
        data: pd.DataFrame,
        n: int,
        *,
        real_share: float = 0.5,
        seed: int | None = None,
        marker: str | None = None,
    ) -> pd.DataFrame:
        """A shuffled mix of real rows of ``data`` and synthetic rows, ``n`` in all.

        ``round(n * real_share)`` rows are drawn from ``data`` without replacement, the
        rest are sampled; with ``marker``, a bool column of that name is True on the
        synthetic rows. The index is a fresh ``RangeIndex``.
        """
        owner = f"{type(self).__name__}.hybrid"
        n = check_n(n, owner=owner)
        seed = check_seed(seed, owner=owner)
        if isinstance(real_share, bool) or not isinstance(real_share, (int, float)) or not 0 <= real_share <= 1:
            raise InvalidParameterError(
                f"The 'real_share' parameter of {owner} must be a float in the range [0, 1]. "
                f"Got {short_repr(real_share)} instead."
            )
        self.validate()
        self._check_fitted()
        self._check_like_fitted(data, owner)
        names = self.column_names
        if marker is not None and (not isinstance(marker, str) or not marker or marker in names):
            raise InvalidParameterError(
                f"The 'marker' parameter of {owner} must be None or a new column name (a non-empty str "
                f"other than {names}). Got {short_repr(marker)} instead."
            )
        n_real = round(n * real_share)
        if n_real > len(data):
            raise DataError(f"{owner} needs {n_real} real rows (n * real_share) but data has only {len(data)} rows.")
        rng = np.random.default_rng(seed)
        real = data[names].iloc[rng.choice(len(data), size=n_real, replace=False)]
        synthetic = self.sample(n - n_real, seed=int(rng.integers(2**32)))
        frames = [real.reset_index(drop=True), synthetic]
        if marker is not None:
            frames[0][marker] = False
            frames[1] = synthetic.assign(**{marker: True})
        both = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        return both.iloc[rng.permutation(len(both))].reset_index(drop=True)

    # -- state --------------------------------------------------------------------------------
    def _check_columns_state(
        self, state: Any, check: Callable[[Any, str], Any], keys: set[str], optional: frozenset[str] = frozenset()
    ) -> list[Any]:
        """The state's 'columns', each checked by ``check(column, where)``; ``keys`` are the
        state's fields and ``optional`` those it may have (any other is an error).

        A 'disclosure' field is text that ``disclosure()`` wrote; it is checked to be short
        text and otherwise ignored (the loaded generator writes its own again).
        """
        owner = type(self).__name__
        if not isinstance(state, dict):
            raise SpecError(f"The 'state' of a {owner} spec must be an object. Got {short_repr(state)} instead.")
        optional = optional | {"identifiers"}
        unknown = sorted(set(state) - keys - optional, key=str)
        if unknown or not keys <= set(state):
            raise SpecError(
                f"The 'state' of a {owner} spec must have exactly the fields {sorted(keys)}"
                + (f" (and optionally {sorted(optional)})" if optional else "")
                + f". Got {short_repr(sorted(state, key=str))}."
            )
        text = state.get("disclosure", "")
        if not isinstance(text, str) or len(text) > 2_000:
            raise SpecError(
                "Invalid state at state['disclosure']: must be a str of at most 2000 characters. "
                f"Got {short_repr(text)} instead."
            )
        columns = state["columns"]
        if not isinstance(columns, list) or not columns:
            raise SpecError(f"Invalid state at state['columns']: must be a non-empty list. Got {short_repr(columns)}.")
        out = [check(c, f"state['columns'][{i}]") for i, c in enumerate(columns)]
        shapes = check_identifiers(state["identifiers"], len(out)) if "identifiers" in state else []
        names = [c["name"] for c in out] + [c["name"] for c in shapes]
        self._identifiers = shapes
        if len(set(names)) != len(names):
            raise SpecError(
                f"Invalid state at state['columns']: column names must be distinct. Got {short_repr(names)}."
            )
        return out
