"""A differentially private generator: MST (the NIST 2018 winner) on ``mbi`` (private-pgm).

The guarantee is (epsilon, delta)-differential privacy for adding or removing one row:
whatever one person's row holds, the fitted model, and so every synthetic row drawn from
it, the spec and the exported cell, is almost equally likely with or without that row
(within a factor ``exp(epsilon)``, except with probability ``delta``).

How it spends the budget (``privacy_budget()`` shows the split): the budget is turned
into zero-concentrated DP (rho); a third measures every column's bin counts with
Gaussian noise, a third picks the pairs of columns worth measuring (a maximum spanning
tree, chosen by the exponential mechanism), a third measures those pairs. ``mbi``
estimates one graphical model consistent with the noisy counts; sampling from it is
post-processing and costs no privacy, which is why the exported cell may hold the
model as literals and draw rows with numpy alone.

What is *not* private, by design (as in MST and AIM, which assume a public domain):
the columns' names, kinds and dtypes, the category labels of label columns (their
counts are private) and the numeric bounds you declare. Bounds read from the data
spend privacy: ``bounds_from_data=True`` spends 10% of the budget on them (a noisy
histogram over powers of two per column); without it, numeric and datetime columns
need ``bounds``.

:class:`PrivateGenerator` is what every mechanism here shares: the parameters above,
the bins, the bounds, the accounting, the stored model (a sampling order of probability
tables), its checks, sampling and the exported cell. A mechanism is a subclass that
decides which marginals to measure and with how much noise (``_measure_model``):
:class:`PrivateMST` here, :class:`~synthbench.generators.aim.PrivateAIM` in ``aim.py``.

>>> import synthbench as sb
>>> sb.PrivateMST(epsilon=1.0).privacy_parameters()["rho"] > 0
True
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd

from ..base import MAX_SEED, Generator
from ..codegen import CodeCell, Plan, Ref
from ..exceptions import DataError, InvalidParameterError, SpecError
from ..kernels.private import private_bins, private_column, private_frame
from ..params import AnyOf, Bool, Float, Int, ListOf, MapOf, Optional, Param, Str, short_repr
from ..registry import register
from .fitted._state import DATETIME_INTS, FLOAT_MAX, INT_RANGES, NO_MISSING, check_column, is_label
from .fitted._types import describe_columns

__all__ = ["PrivateGenerator", "PrivateMST", "cdp_rho"]

#: Share of the budget (in rho) that ``bounds_from_data=True`` spends on bounds.
BOUNDS_SHARE = 0.1
#: Most cells any table of a spec's state may hold (a state over this is refused).
_MAX_STATE_CELLS = 10**7
_MAX_COLUMNS = 1_000
_INSTALL = 'pip install "synthbench[ml]"'


# -- privacy accounting (zero-concentrated DP to (epsilon, delta)) --------------------------
# After Canonne, Kamath and Steinke (2020), "The discrete Gaussian for differential privacy",
# the conversion the MST and AIM reference code uses (cdp2adp.py, Apache-2.0).
def _cdp_delta(rho: float, eps: float) -> float:
    """The delta of (eps, delta)-DP that rho-zCDP implies (the tight bound of the paper)."""
    if rho == 0:
        return 0.0
    amin, amax = 1.01, (eps + 1) / (2 * rho) + 2
    for _ in range(1000):
        alpha = (amin + amax) / 2
        derivative = (2 * alpha - 1) * rho - eps + math.log1p(-1.0 / alpha)
        if derivative < 0:
            amin = alpha
        else:
            amax = alpha
    exponent = (alpha - 1) * (alpha * rho - eps) + alpha * math.log1p(-1 / alpha)
    return min(math.exp(min(exponent, 700.0)) / (alpha - 1.0), 1.0)


def cdp_rho(epsilon: float, delta: float) -> float:
    """The largest rho whose rho-zCDP implies (epsilon, delta)-DP (bisection).

    >>> round(cdp_rho(1.0, 1e-9), 6)
    0.014973
    """
    low, high = 0.0, epsilon + 1
    for _ in range(1000):
        rho = (low + high) / 2
        if _cdp_delta(rho, epsilon) <= delta:
            low = rho
        else:
            high = rho
    return low


def _import_mbi(owner: str) -> Any:
    """``mbi`` (and JAX), imported when a fit needs them, or a clear error."""
    try:
        with warnings.catch_warnings():
            # mbi warns at import about JAX's float32 mode and compilation cache; the tables
            # here are small, and the warnings are not the user's to act on.
            warnings.simplefilter("ignore", UserWarning)
            import mbi
            from mbi import estimation, junction_tree, marginal_oracles
    except ImportError as exc:
        raise ImportError(
            f"{owner} needs the mbi package (private-pgm) and JAX, which are not installed "
            f"({exc.name or 'mbi'} is missing). Install them with: {_INSTALL}. Sampling, to_code and "
            "from_dict of a fitted spec work without them."
        ) from None
    import jax

    from .fitted._neural import _compilation_cache

    # Every model estimate compiles one JAX program for its set of measured marginals (most
    # of a fit's time, above all AIM's, which estimates once per round); refitting the same
    # table, in a notebook after a restart or in the tests, finds them on disk.
    _compilation_cache(jax)
    return mbi, estimation, junction_tree, marginal_oracles


# -- the columns' bins ------------------------------------------------------------------------
def _geometric_edges() -> np.ndarray:
    """Public candidate bin edges for bounds read from the data: 0, and +-2**k for k in [-20, 62]."""
    powers = np.ldexp(1.0, np.arange(-20, 63))
    return np.concatenate([-powers[::-1], [0.0], powers])


def _size(col: dict[str, Any]) -> int:
    """Bins of a state column: its value bins, plus one for missing values if it has one."""
    count = len(col["edges"]) - 1 if "edges" in col else len(col["values"])
    return count + int(col["missing"])


def _label_values(series: pd.Series, col: dict[str, Any]) -> list[Any]:
    """A label column's values: its categories, or its distinct values sorted (not by frequency)."""
    if col["kind"] == "boolean":
        return [False, True]
    if col["dtype"] == "category":
        return list(col["categories"])
    present = series.dropna().unique()
    plain = [v.item() if hasattr(v, "item") else v for v in present]
    return sorted(plain, key=lambda v: (type(v).__name__, v))


# -- the parameters every mechanism declares -------------------------------------------------
EPSILON = Param("epsilon", Float(0, 100, closed="right"), 1.0, "Privacy budget: smaller is more private, noisier.")
DELTA = Param("delta", Float(0, 0.1, closed="right"), 1e-9, "Chance the guarantee may fail; far below 1 / rows.")
BINS = Param("bins", Int(2, 1_000), 10, "Equal-width bins per numeric or datetime column.")
BOUNDS = Param(
    "bounds",
    Optional(MapOf(ListOf(AnyOf((Float(), Str(max_len=64))), min_len=2, max_len=2))),
    None,
    "Column -> [low, high] for numeric and datetime columns (public, cost no privacy).",
)
BOUNDS_FROM_DATA = Param(
    "bounds_from_data",
    Bool(),
    False,
    "Find undeclared bounds from the data, spending 10% of the budget.",
)
ITERS = Param("iters", Int(1, 100_000), 1000, "Mirror descent iterations of the model estimate.")
RANDOM_STATE = Param("random_state", Int(0, MAX_SEED), 0, "Seed of fit's noise and choices.")


class Prepared(NamedTuple):
    """What every mechanism starts from: the binned data and the budget left for it."""

    codes: list[np.ndarray]  # per column, each row's bin
    sizes: list[int]  # per column, its number of bins
    rho: float  # the zCDP budget left for the mechanism (after bounds from data)
    rng: np.random.Generator
    mbi: Any
    estimation: Any
    owner: str  # "PrivateMST.fit", for messages


class PrivateGenerator(Generator):
    """What the differentially private generators share (not a generator itself).

    Binning (declared or private bounds), the accounting (:meth:`privacy_parameters`,
    :meth:`privacy_budget`), the learned model (``columns_``, ``steps_``, ``rows_``),
    its checks at load, sampling with numpy and the exported cell. A mechanism subclass
    declares its ``params`` (starting from this module's ``EPSILON`` ... ``BOUNDS_FROM_DATA``,
    ending with ``ITERS`` and ``RANDOM_STATE``) and implements :meth:`_measure_model`,
    which measures marginals of the binned data with its share of the budget and
    returns ``mbi``'s model, and :meth:`_split`, the budget table.
    """

    family: ClassVar[str] = "private"
    learns: ClassVar[bool] = True
    independent_rows: ClassVar[bool] = True
    panel: ClassVar[str] = "synthbench.widgets.privacy:PrivatePanel"
    #: Extra fields of the stored state that the mechanism keeps (checked by ``_check_extra``).
    extra_state: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def for_data(cls, data: pd.DataFrame, *, target: str | None = None) -> PrivateGenerator:
        """Bounds are read from the data privately (10% of the budget)."""
        return cls(bounds_from_data=True)

    # -- the budget ----------------------------------------------------------------------------
    def privacy_parameters(self) -> dict[str, float]:
        """The guarantee: epsilon, delta and the zCDP rho they allow."""
        self.validate()
        return {"epsilon": self.epsilon, "delta": self.delta, "rho": cdp_rho(self.epsilon, self.delta)}

    def _bounds_row(self, rho: float, n_learned: int | None) -> tuple[list[tuple[str, float, str]], float]:
        """The "bounds from data" row (if any) and the rho left for the mechanism."""
        learned = bool(self.bounds_from_data) if n_learned is None else n_learned > 0
        if not learned:
            return [], rho
        part = BOUNDS_SHARE * rho
        noise = "Gaussian"
        if n_learned:
            noise += f", sd {math.sqrt(n_learned / (2 * part)):.3g} per count"
        return [("bounds from data", part, noise)], rho - part

    def _split(self, n_columns: int | None, n_learned: int | None) -> list[tuple[str, float, str]]:
        """The budget table's rows (step, rho, mechanism); ``None`` before fit."""
        raise NotImplementedError

    def privacy_budget(self) -> pd.DataFrame:
        """How the budget is spent, step by step: rho (zCDP), share of the total, mechanism.

        Before ``fit`` the noise levels are left out (they depend on the number of
        columns); the rho column always adds up to ``privacy_parameters()["rho"]``,
        which is what (epsilon, delta) allow.
        """
        self.validate()
        rho = cdp_rho(self.epsilon, self.delta)
        if self.is_fitted:
            split = self._split(len(self.columns_), self.learned_bounds_)
        else:
            split = self._split(None, None)
        rows = [{"step": step, "rho": part, "share": part / rho, "mechanism": mech} for step, part, mech in split]
        return pd.DataFrame(rows, columns=["step", "rho", "share", "mechanism"])

    # -- fitting ---------------------------------------------------------------------------------
    def _bins_of(self, data: pd.DataFrame, col: dict[str, Any], bounds: tuple[Any, Any] | None) -> dict[str, Any]:
        """The state column (bins) of one data column, from public or private bounds."""
        out = {k: col[k] for k in ("name", "kind", "dtype", "categories", "ordered", "unit", "tz") if k in col}
        out["missing"] = col["dtype"] not in NO_MISSING
        if col["kind"] in ("categorical", "boolean"):
            out["values"] = _label_values(data[col["name"]], col)
            return out
        low, high = bounds
        if col["kind"] == "numeric":
            out["edges"] = [float(v) for v in np.linspace(low, high, self.bins + 1)]
        else:
            low, high = int(low), int(high)
            if high - low + 1 <= self.bins:
                out["edges"] = list(range(low, high + 2))
            else:
                step = (high + 1 - low) / self.bins
                edges = sorted({low + round(step * i) for i in range(self.bins + 1)} | {high + 1})
                out["edges"] = [int(e) for e in edges]
        return out

    def _declared_bounds(self, col: dict[str, Any]) -> tuple[Any, Any] | None:
        bounds = (self.bounds or {}).get(col["name"])
        if bounds is None:
            return None
        owner = f"{type(self).__name__}.fit"
        rule = (
            "numbers" if col["kind"] != "datetime" else "dates (ISO text such as '2020-01-01') or numbers of the unit"
        )
        bad = InvalidParameterError(
            f"The 'bounds' parameter of {owner} must give column {short_repr(col['name'])} [low, high] with "
            f"low < high, both {rule}. Got {short_repr(list(bounds))} instead."
        )
        if col["kind"] == "datetime":
            try:
                low, high = (
                    int(v)
                    if isinstance(v, (int, float))
                    else int(pd.Timestamp(v).tz_localize(None).as_unit(col["unit"]).asm8.astype(np.int64))
                    for v in bounds
                )
            except (TypeError, ValueError, OverflowError):
                raise bad from None
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bounds):
            low, high = bounds
        else:
            raise bad
        # A quarter of the float limit: bin widths (high - low) stay finite.
        limit = FLOAT_MAX[col["dtype"]] / 4 if col["kind"] == "numeric" else None
        if col["kind"] == "integer":
            limit = min(INT_RANGES[col["dtype"]][1], 2**53)
        elif col["kind"] == "datetime":
            limit = DATETIME_INTS[1] // 2
        if not (low < high) or abs(low) > limit or abs(high) > limit:
            raise bad
        if col["kind"] == "integer" and (low != int(low) or high != int(high)):
            raise bad
        return low, high

    def _private_bounds(
        self, values: np.ndarray, sd: float, rng: np.random.Generator, col: dict[str, Any], owner: str
    ) -> tuple[Any, Any]:
        """Bounds from a noisy histogram over powers of two (one count per interval)."""
        edges = _geometric_edges()
        counts = np.bincount(
            np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2), minlength=len(edges) - 1
        )
        noisy = counts + rng.normal(0.0, sd, size=len(counts))
        # 4.5 sd: over the 166 intervals, a count of zero clears it with chance below 1 in 1,000.
        passed = np.flatnonzero(noisy > 4.5 * sd)
        if not len(passed):
            raise DataError(
                f"{owner} could not find bounds for column {short_repr(col['name'])} privately: no interval's "
                "noisy count stood out from the noise (too few rows for this epsilon). Declare them in 'bounds'."
            )
        low, high = edges[passed[0]], edges[passed[-1] + 1]
        if col["kind"] == "numeric":
            limit = FLOAT_MAX[col["dtype"]]
            return max(low, -limit), min(high, limit)
        top = min(INT_RANGES[col["dtype"]][1], 2**53) if col["kind"] == "integer" else DATETIME_INTS[1] // 2
        return int(max(low, -top)), int(min(high, top))

    def _fit(self, data: pd.DataFrame) -> None:
        owner = f"{type(self).__name__}.fit"
        columns = describe_columns(data, owner)
        if len(columns) > _MAX_COLUMNS:
            raise DataError(f"{owner} takes at most {_MAX_COLUMNS} columns. Got {len(columns)}.")
        unknown = sorted(set(self.bounds or {}) - {c["name"] for c in columns}, key=str)
        if unknown:
            raise InvalidParameterError(
                f"The 'bounds' parameter of {owner} must name columns of the data. Got {short_repr(unknown)}, "
                "which the data does not have."
            )
        numeric = [c for c in columns if c["kind"] in ("numeric", "integer", "datetime")]
        declared = {c["name"]: self._declared_bounds(c) for c in numeric}
        undeclared = [c["name"] for c in numeric if declared[c["name"]] is None]
        if undeclared and not self.bounds_from_data:
            raise InvalidParameterError(
                f"The 'bounds' parameter of {owner} must declare [low, high] for every numeric and datetime column: "
                f"{short_repr(undeclared, 200)} have none. Declare them (public knowledge costs no privacy), or set "
                "bounds_from_data=True to find them from the data with 10% of the budget."
            )
        # Column domains are known before anything is counted: refuse what cannot fit.
        for c in columns:
            if c["kind"] == "categorical":
                count = len(c["categories"]) if c["dtype"] == "category" else int(data[c["name"]].nunique())
                if count + 1 > self.max_cells:
                    raise DataError(
                        f"{owner}: column {short_repr(c['name'])} has {count:,} distinct labels, more bins than "
                        f"max_cells ({self.max_cells:,}) allows. Drop or group the column (an identifier carries "
                        "no pattern worth learning privately), or raise max_cells."
                    )
        self._check_fit(len(data), [self._bin_count(data, c) for c in columns], owner)
        mbi, estimation, junction_tree, marginal_oracles = _import_mbi(owner)

        rng = np.random.default_rng(self.random_state)
        rows, rho = self._bounds_row(cdp_rho(self.epsilon, self.delta), len(undeclared))
        if undeclared:
            sd = math.sqrt(len(undeclared) / (2 * rows[0][1]))
            for c in numeric:
                if c["name"] in undeclared:
                    values = self._numbers(data[c["name"]], c)
                    declared[c["name"]] = self._private_bounds(values, sd, rng, c, owner)
        state_columns = [self._bins_of(data, c, declared.get(c["name"])) for c in columns]
        codes = [self._codes(data[c["name"]], c, s) for c, s in zip(columns, state_columns, strict=True)]
        sizes = [_size(s) for s in state_columns]
        d = len(columns)
        attrs = [f"c{j}" for j in range(d)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prepared = Prepared(codes, sizes, rho, rng, mbi, estimation, owner)
            model, cliques, extra = self._measure_model(prepared)
            mbi_domain = mbi.Domain(attrs, sizes)
            wider = dict.fromkeys(tuple(attrs[j] for j in cl) for cl in cliques if len(cl) > 1)
            cliques = [(a,) for a in attrs] + list(wider)
            jtree, order = junction_tree.make_junction_tree(mbi_domain, cliques)
            marginals = marginal_oracles.message_passing_stable(model.potentials.expand(list(jtree.nodes)), model.total)
            maximal = [set(cl) for cl in jtree.nodes]
            steps, used = [], set()
            for name in order[::-1]:
                # The columns drawn before this one that share a clique of the junction tree
                # with it: in elimination order they form one clique, so their table is a marginal.
                given = tuple(a for a in attrs if a in used and any(name in cl and a in cl for cl in maximal))
                table = np.asarray(marginals.project((*given, name)).datavector(flatten=False), dtype=float)
                table = np.clip(np.nan_to_num(table, nan=0.0), 0.0, None)
                total = table.sum()
                table = table / total if total > 0 else np.full(table.shape, 1.0 / table.size)
                steps.append(
                    {
                        "column": attrs.index(name),
                        "given": [attrs.index(a) for a in given],
                        "table": [float(v) for v in table.reshape(-1)],
                    }
                )
                used.add(name)
            rows_estimate = float(model.total)
        self.columns_ = state_columns
        self.steps_ = steps
        self.rows_ = rows_estimate
        self.learned_bounds_ = len(undeclared)
        for key, value in extra.items():
            setattr(self, f"{key}_", value)

    def _bin_count(self, data: pd.DataFrame, col: dict[str, Any]) -> int:
        """Bins of a column, known before anything is counted (labels: distinct values, public)."""
        missing = int(col["dtype"] not in NO_MISSING)
        if col["kind"] == "boolean":
            return 2 + missing
        if col["kind"] == "categorical":
            count = len(col["categories"]) if col["dtype"] == "category" else int(data[col["name"]].nunique())
            return count + missing
        return self.bins + missing  # at most: a short integer range has fewer

    def _check_fit(self, n_rows: int, sizes: list[int], owner: str) -> None:
        """Refuse, before counting anything, a fit over the memory or time limits (mechanisms override)."""

    def _measure_model(self, prepared: Prepared) -> tuple[Any, list[tuple[int, ...]], dict[str, Any]]:
        """Measure marginals of the binned data with ``prepared.rho`` and estimate a model.

        Returns ``mbi``'s model, the cliques (tuples of column positions) it measured and the
        mechanism's ``extra_state`` (name -> value, set as ``name_`` once the fit succeeded).
        """
        raise NotImplementedError

    @staticmethod
    def _measure(prepared: Prepared, cliques: list[tuple[int, ...]], sd: float) -> list[Any]:
        """Noisy counts (Gaussian, standard deviation ``sd``) of each clique's cells, as mbi measurements."""
        out = []
        for clique in cliques:
            x = PrivateGenerator._counts(prepared.codes, prepared.sizes, clique)
            y = x + prepared.rng.normal(0.0, sd, size=x.size)
            out.append(prepared.mbi.LinearMeasurement(y, tuple(f"c{j}" for j in clique), sd))
        return out

    @staticmethod
    def _numbers(series: pd.Series, col: dict[str, Any]) -> np.ndarray:
        """A numeric or datetime column's present values as float64 (datetimes in their unit)."""
        present = series.dropna()
        if col["kind"] == "datetime":
            if col.get("tz"):
                present = present.dt.tz_convert("UTC").dt.tz_localize(None)
            return present.to_numpy().astype(f"datetime64[{col['unit']}]").astype("int64").astype(float)
        return present.to_numpy(dtype="float64")

    def _codes(self, series: pd.Series, col: dict[str, Any], state: dict[str, Any]) -> np.ndarray:
        """Each row's bin (values outside the bounds in the end bins; missing in the last)."""
        size = _size(state)
        codes = np.full(len(series), size - 1, dtype=np.int64)
        present = series.notna().to_numpy()
        if "edges" in state:
            edges = np.asarray(state["edges"], dtype=float)
            values = self._numbers(series, col)
            codes[present] = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        else:
            observed = series[present].astype(object).to_numpy()
            plain = [v.item() if hasattr(v, "item") else v for v in observed]
            codes[present] = pd.Index(state["values"], dtype=object).get_indexer(pd.Index(plain, dtype=object))
        return codes

    @staticmethod
    def _counts(codes: list[np.ndarray], sizes: list[int], clique: tuple[int, ...]) -> np.ndarray:
        flat = np.zeros(len(codes[0]), dtype=np.int64)
        for j in clique:
            flat = flat * sizes[j] + codes[j]
        return np.bincount(flat, minlength=math.prod(sizes[j] for j in clique)).astype(float)

    # -- state --------------------------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        state = {
            "columns": self.columns_,
            "steps": self.steps_,
            "rows": self.rows_,
            "learned_bounds": self.learned_bounds_,
        }
        return {**state, **{key: getattr(self, f"{key}_") for key in self.extra_state}}

    def _check_extra(self, state: dict[str, Any], columns: list[dict[str, Any]]) -> dict[str, Any]:
        """The mechanism's extra state fields, checked: name -> value (set as ``name_``)."""
        return {}

    def _set_state(self, state: Any) -> None:
        keys = {"columns", "steps", "rows", "learned_bounds", *self.extra_state}
        if not isinstance(state, dict) or set(state) != keys:
            raise SpecError(
                f"The 'state' of a {type(self).__name__} spec must be an object with exactly the fields "
                f"{sorted(keys)}. "
                f"Got {short_repr(sorted(state, key=str) if isinstance(state, dict) else state)} instead."
            )
        columns = state["columns"]
        if not isinstance(columns, list) or not 1 <= len(columns) <= _MAX_COLUMNS:
            raise _fail("state['columns']", f"a list of 1 to {_MAX_COLUMNS} columns", columns)
        checked = [_check_bins(c, f"state['columns'][{j}]") for j, c in enumerate(columns)]
        names = [c["name"] for c in checked]
        if len(set(names)) != len(names):
            raise _fail("state['columns']", "columns with distinct names", names)
        sizes = [_size(c) for c in checked]
        steps = _check_steps(state["steps"], sizes)
        rows, learned = state["rows"], state["learned_bounds"]
        if isinstance(rows, bool) or not isinstance(rows, (int, float)) or not 0 <= rows <= 2**62:
            raise _fail("state['rows']", "a number in [0, 2**62]", rows)
        if isinstance(learned, bool) or not isinstance(learned, int) or not 0 <= learned <= len(checked):
            raise _fail("state['learned_bounds']", f"an int in [0, {len(checked)}]", learned)
        extra = self._check_extra(state, checked)
        self.columns_ = checked
        self.steps_ = steps
        self.rows_ = float(rows)
        self.learned_bounds_ = learned
        for key, value in extra.items():
            setattr(self, f"{key}_", value)

    # -- sampling and exported code ----------------------------------------------------------------
    def _estimate_bytes(self, n: int) -> int:
        """Bin codes, one draw's temporaries and the frame: about eight n x columns arrays."""
        return 8 * n * (8 * len(self.columns_) + 4) + 16 * sum(len(s["table"]) for s in self.steps_)

    def _plan(self, n: int, seed: int) -> Plan:
        plan = Plan()
        d = len(self.columns_)
        sizes = [_size(c) for c in self.columns_]
        plan.call(
            "codes",
            private_bins,
            n,
            seed,
            sizes=sizes,
            steps=self.steps_,
            comment=(
                f"What the model learned: {d} columns cut into bins, and for each column the probability\n"
                "of its bin given the bins of the columns drawn before it (differentially private).\n"
                "Draw every row's bins, one column at a time."
            ),
        )
        refs = [
            plan.call(
                f"column_{j}",
                private_column,
                Ref("codes"),
                j,
                seed,
                col,
                comment=f"Column {j + 1} of {d}: {col['kind']}, {_size(col)} bins"
                + (", values drawn uniformly inside their bin." if "edges" in col else "."),
            )
            for j, col in enumerate(self.columns_)
        ]
        plan.call("df", private_frame, refs, comment="The columns side by side, in their fitted order.")
        return plan

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        return self._plan(n, seed).run()["df"]

    def _to_code(self, n: int, seed: int) -> str:
        title = (
            f"{type(self).__name__}: {n} rows, seed {seed}, from a model fitted with "
            f"({self.epsilon:g}, {self.delta:g})-differential privacy.\nRegenerates the frame as `df`. "
            "Drawing rows is post-processing: it costs no privacy."
        )
        cell = CodeCell(title)
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(n, seed)).render()


@register
class PrivateMST(PrivateGenerator):
    """Differentially private synthetic data: MST on a graphical model (``mbi``).

    ``fit`` bins every column (numbers into ``bins`` equal bins between the declared
    bounds, values outside them into the end bins; labels one bin each; one bin for
    missing values where the dtype can hold them), then runs MST with the budget
    (``epsilon``, ``delta``): noisy counts of each column, a spanning tree of the
    pairs whose counts the independent model misses most (exponential mechanism),
    noisy counts of those pairs, and one graphical model fitted to all the noisy
    counts by ``mbi``'s mirror descent. Sampling draws bins from that model and
    values uniformly inside their bins, with numpy alone.

    Parameters
    ----------
    epsilon : float, default 1.0
        The privacy budget: smaller is more private and noisier (0.1 strong, 1 common,
        10 weak). Must be in (0, 100].
    delta : float, default 1e-9
        The chance the guarantee may fail; keep it far below 1 / rows.
    bins : int, default 10
        Equal-width bins per numeric or datetime column (fewer when an integer range
        is shorter).
    bounds : dict, optional
        Column name -> [low, high] for numeric, integer and datetime columns
        (datetimes as ISO text such as "2020-01-01"). Declared bounds cost no privacy.
    bounds_from_data : bool, default False
        Find the bounds of numeric and datetime columns missing from ``bounds`` from
        the data, spending 10% of the budget (a noisy count of the column's values
        per power-of-two interval; the bounds are the outermost intervals whose noisy
        count clears 4.5 standard deviations of the noise). Without it such a
        column is an error.
    max_cells : int, default 100000
        Largest table MST may measure: a column with more bins is refused, and pairs
        of columns with more cells are not candidates for the tree.
    iters : int, default 1000
        Mirror descent iterations of ``mbi``'s estimate.
    random_state : int, default 0
        Seed of the noise and the choices of ``fit``: the same data and seed give the
        same model. (A real deployment should draw it afresh, since noise that can
        be replayed protects nothing; a fixed seed keeps teaching reproducible.)

    Attributes
    ----------
    columns_ : list of dict
        Per column: name, kind, dtype, bin ``edges`` (numbers) or ``values``
        (labels), and whether a missing-value bin exists.
    steps_ : list of dict
        The learned model as a sampling order: per column, the columns it is drawn
        given and the model's probability table over them and itself.
    rows_ : float
        The model's (noisy) estimate of the number of training rows.

    Examples
    --------
    >>> import synthbench as sb
    >>> gen = sb.PrivateMST(epsilon=1.0)
    >>> gen.privacy_budget()["step"].tolist()
    ['one-way counts', 'pair selection', 'pair counts']
    """

    params = (
        EPSILON,
        DELTA,
        BINS,
        BOUNDS,
        BOUNDS_FROM_DATA,
        Param("max_cells", Int(16, 10**7), 100_000, "Largest marginal table (cells) MST may measure."),
        ITERS,
        RANDOM_STATE,
    )

    # -- examples ---------------------------------------------------------------------------
    @classmethod
    def example(cls) -> PrivateMST:
        """Fitted on the Palmer penguins with declared bounds at epsilon 1.

        The state is the one ``fit`` made (``tests/test_private.py`` refits and compares),
        stored with the package so that the example, its spec and its exported cell work
        where ``mbi`` is not installed.
        """
        from ._private_example import STATE

        gen = cls(epsilon=1.0, bounds=PENGUIN_BOUNDS, iters=200)
        gen._set_state(STATE)
        return gen

    # -- the budget ----------------------------------------------------------------------------
    def _split(self, n_columns: int | None, n_learned: int | None) -> list[tuple[str, float, str]]:
        rows, rest = self._bounds_row(cdp_rho(self.epsilon, self.delta), n_learned)
        single = n_columns == 1
        thirds = rest if single else rest / 3
        sd = "" if n_columns is None else f", sd {math.sqrt(n_columns / (2 * thirds)):.3g} per count"
        rows.append(("one-way counts", thirds, "Gaussian" + sd))
        if not single:
            rounds = None if n_columns is None else max(n_columns - 1, 1)
            em = "" if rounds is None else f", epsilon {math.sqrt(8 * thirds / rounds):.3g} per edge"
            rows.append(("pair selection", thirds, "exponential mechanism" + em))
            edges = "" if rounds is None else f", sd {math.sqrt(rounds / (2 * thirds)):.3g} per count"
            rows.append(("pair counts", thirds, "Gaussian" + edges))
        return rows

    # -- the mechanism ------------------------------------------------------------------------------
    def _measure_model(self, prepared: Prepared) -> tuple[Any, list[tuple[int, ...]], dict[str, Any]]:
        d = len(prepared.sizes)
        thirds = prepared.rho if d == 1 else prepared.rho / 3  # as in _split

        def measure(cliques: list[tuple[int, ...]], rho: float) -> list[Any]:
            # The cliques share rho: each count has sensitivity 1 per clique, so the vector
            # of all their counts has L2 sensitivity sqrt(k) and the noise sd is sqrt(k / (2 rho)).
            return self._measure(prepared, cliques, math.sqrt(len(cliques) / (2 * rho)))

        singles = [(j,) for j in range(d)]
        one_way = measure(singles, thirds)
        tree: list[tuple[int, int]] = []
        two_way = []
        if d > 1:
            tree = self._select(prepared.codes, prepared.sizes, one_way, thirds, prepared.rng)
            two_way = measure(tree, thirds) if tree else []
        model = prepared.estimation.MirrorDescent().estimate(
            prepared.mbi.Domain([f"c{j}" for j in range(d)], prepared.sizes), one_way + two_way, iters=self.iters
        )
        return model, [*singles, *tree], {}

    def _select(
        self,
        codes: list[np.ndarray],
        sizes: list[int],
        one_way: list[Any],
        rho: float,
        rng: np.random.Generator,
    ) -> list[tuple[int, int]]:
        """MST's tree: the pairs the independent model misses most, by the exponential mechanism.

        The independent model is the product of the noisy one-way counts (clipped at
        zero), which is post-processing of the measurements already made.
        """
        d = len(sizes)
        probs = []
        for m in one_way:
            y = np.clip(np.asarray(m.noisy_measurement, dtype=float), 0.0, None)
            probs.append(y / y.sum() if y.sum() > 0 else np.full(len(y), 1.0 / len(y)))
        n = len(codes[0])
        candidates = [(a, b) for a, b in itertools.combinations(range(d), 2) if sizes[a] * sizes[b] <= self.max_cells]
        weights = {}
        for a, b in candidates:
            x = self._counts(codes, sizes, (a, b))
            xhat = n * np.outer(probs[a], probs[b]).reshape(-1)
            weights[a, b] = float(np.abs(x - xhat).sum())
        parent = list(range(d))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        rounds = d - 1
        eps = math.sqrt(8 * rho / rounds)
        tree = []
        for _ in range(rounds):
            left = [e for e in candidates if root(e[0]) != root(e[1])]
            if not left:
                break  # pairs too large to measure: the model keeps those columns independent
            scores = 0.5 * eps * np.array([weights[e] for e in left])
            scores = np.exp(scores - scores.max())
            a, b = left[int(rng.choice(len(left), p=scores / scores.sum()))]
            tree.append((a, b))
            parent[root(a)] = root(b)
        return tree


# -- checks of a loaded state -------------------------------------------------------------------------
def _fail(where: str, rule: str, value: Any) -> SpecError:
    return SpecError(f"Invalid state at {where}: must be {rule}. Got {short_repr(value)} instead.")


def _check_bins(col: Any, where: str) -> dict[str, Any]:
    if not isinstance(col, dict) or "null_rate" in col:
        raise _fail(where, "an object without 'null_rate' (missing values have their own bin)", col)
    kind = col.get("kind")
    extra = {"missing", "edges"} if kind in ("numeric", "integer", "datetime") else {"missing", "values"}
    check_column({**col, "null_rate": 0.0}, where, frozenset(extra))
    missing = col.get("missing")
    if not isinstance(missing, bool) or (missing and col["dtype"] in NO_MISSING):
        raise _fail(f"{where}['missing']", f"a bool (false for dtype {col['dtype']!r})", missing)
    if "edges" in extra:
        edges = col.get("edges")
        if not isinstance(edges, list) or not 2 <= len(edges) <= _MAX_STATE_CELLS:
            raise _fail(f"{where}['edges']", "a list of at least 2 bin edges", edges)
        if kind == "numeric":
            limit = FLOAT_MAX[col["dtype"]]
            ok = all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= limit
                for v in edges
            )
        else:
            limit = min(INT_RANGES[col["dtype"]][1], 2**53) if kind == "integer" else DATETIME_INTS[1] // 2
            ok = all(isinstance(v, int) and not isinstance(v, bool) and abs(v) <= limit + 1 for v in edges)
        if not ok or any(a >= b for a, b in itertools.pairwise(edges)):
            raise _fail(f"{where}['edges']", f"strictly increasing {'numbers' if kind == 'numeric' else 'ints'}", edges)
    else:
        values = col.get("values")
        if not isinstance(values, list) or not 1 <= len(values) <= _MAX_STATE_CELLS:
            raise _fail(f"{where}['values']", "a non-empty list of labels", values)
        if kind == "boolean":
            ok = values == [False, True] and all(isinstance(v, bool) for v in values)
        elif col["dtype"] == "category":
            ok = len(values) == len(col["categories"]) and all(
                type(v) is type(c) and v == c for v, c in zip(values, col["categories"], strict=True)
            )
        else:
            types = {type(v) for v in values}
            ok = (
                len(types) == 1
                and types <= ({str} if col["dtype"] in ("str", "string") else {str, int, float})
                and all(is_label(v) for v in values)
                and len(set(values)) == len(values)
            )
        if not ok:
            raise _fail(f"{where}['values']", "distinct labels of the column's dtype (its categories, if any)", values)
    return dict(col)


def _check_steps(steps: Any, sizes: list[int]) -> list[dict[str, Any]]:
    d = len(sizes)
    if not isinstance(steps, list) or len(steps) != d:
        raise _fail("state['steps']", f"a list of {d} steps, one per column", steps)
    drawn: set[int] = set()
    out = []
    for i, step in enumerate(steps):
        where = f"state['steps'][{i}]"
        if not isinstance(step, dict) or set(step) != {"column", "given", "table"}:
            raise _fail(where, "an object with exactly the fields ['column', 'given', 'table']", step)
        j, given, table = step["column"], step["given"], step["table"]
        if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < d or j in drawn:
            raise _fail(f"{where}['column']", f"a column position in [0, {d - 1}] not drawn before", j)
        if (
            not isinstance(given, list)
            or not all(isinstance(k, int) and not isinstance(k, bool) and k in drawn for k in given)
            or len(set(given)) != len(given)
        ):
            raise _fail(f"{where}['given']", "a list of distinct columns drawn before this step", given)
        cells = math.prod(sizes[k] for k in given) * sizes[j]  # Python ints: no overflow, nothing allocated
        if cells > _MAX_STATE_CELLS:
            raise _fail(f"{where}['given']", f"columns whose table has at most {_MAX_STATE_CELLS:,} cells", cells)
        if not isinstance(table, list) or len(table) != cells:
            raise _fail(f"{where}['table']", f"a list of {cells} probabilities (given bins x column bins)", table)
        bad = [v for v in table if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1]
        if bad or not table:
            raise _fail(f"{where}['table']", "probabilities: numbers in [0, 1] (no NaN, no negatives)", bad[:1])
        if abs(math.fsum(table) - 1) > 1e-6:
            raise _fail(f"{where}['table']", "probabilities summing to 1", math.fsum(table))
        drawn.add(j)
        out.append({"column": j, "given": list(given), "table": [float(v) for v in table]})
    return out


#: The penguins' bounds of :meth:`PrivateMST.example` (from the published data's documentation
#: ranges, rounded outwards: public knowledge, not read from the rows).
PENGUIN_BOUNDS = {
    "bill_length_mm": [30.0, 60.0],
    "bill_depth_mm": [13.0, 22.0],
    "flipper_length_mm": [170, 235],
    "body_mass_g": [2500, 6500],
    "year": [2007, 2009],
}
