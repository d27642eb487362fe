"""Sequential CART synthesis (the synthpop approach) on scikit-learn decision trees.

>>> import synthbench as sb
>>> from synthbench.data import load_penguins
>>> gen = sb.CART().fit(load_penguins())
>>> gen.sample(5, seed=0).shape
(5, 8)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...codegen import CodeCell, Plan, Ref
from ...kernels.fitted import (
    cart_codes_as_predictor,
    cart_column,
    cart_fill,
    cart_predictors,
    cart_scale,
    cart_smooth,
    column_of_codes,
    frame_of,
    leaf_draw,
    tree_leaves,
)
from ...params import Int, Optional, Options, Param
from ...registry import register
from ._base import FitProgress, FittedGenerator
from ._packed import pack, pack_values
from ._state import check_cart_trees, check_cart_values, check_column
from ._types import column_values, encode_labels
from .copula import _IDENTIFIERS, _RANDOM_STATE

__all__ = ["CART"]

_FLOAT_MAX = float(np.finfo(float).max)
#: The arrays of a stored tree, per node (``offsets`` has one more entry).
TREE_FIELDS = ("feature", "threshold", "left", "right", "missing_left", "offsets", "codes", "counts")


def _values_and_codes(series: pd.Series, col: dict[str, Any]) -> tuple[list[Any], np.ndarray]:
    """The column's distinct values (its value table) and each row's position in it (-1 if missing)."""
    present = series.notna().to_numpy()
    codes = np.full(len(series), -1, dtype=np.int64)
    kind = col["kind"]
    if kind in ("categorical", "boolean"):
        if kind == "boolean":
            values: list[Any] = [False, True]
        elif col["dtype"] == "category":
            values = list(col["categories"])
        else:
            values = sorted(set(column_values(series, col).tolist()))
        codes = encode_labels(series.astype(object) if kind == "boolean" else series, values, col["name"], "fit")
        return values, codes
    if kind == "integer":
        # In the column's own integer type, so every int stays exact (uint64 beyond 2**63 included).
        x = series[present].to_numpy(dtype=col["dtype"].lower())
    else:
        x = column_values(series, col)
    table, inverse = np.unique(x, return_inverse=True)
    codes[present] = inverse.reshape(-1)
    return table.tolist(), codes


def _tree_of(model: Any, leaves: np.ndarray, codes: np.ndarray, n_values: int) -> dict[str, np.ndarray]:
    """A fitted scikit-learn tree as plain arrays, with the value counts of each leaf."""
    t = model.tree_
    internal = t.children_left >= 0
    tree = {
        "feature": np.where(internal, t.feature, -1).astype(np.int64),
        # A split of the missing values from all others has an infinite threshold: the
        # largest float routes the same (every value is at most it) and a spec holds it.
        "threshold": np.clip(np.where(internal, t.threshold, 0.0), -_FLOAT_MAX, _FLOAT_MAX),
        "left": t.children_left.astype(np.int64),
        "right": t.children_right.astype(np.int64),
        "missing_left": (np.asarray(t.missing_go_to_left) != 0) & internal,
    }
    return {**tree, **_leaf_counts(leaves, codes, n_values, len(internal))}


def _leaf_counts(leaves: np.ndarray, codes: np.ndarray, n_values: int, n_nodes: int) -> dict[str, np.ndarray]:
    """Per leaf, its distinct value positions (ascending) and how many training rows had each."""
    keys, counts = np.unique(leaves * (n_values + 1) + (codes + 1), return_counts=True)
    node, code = np.divmod(keys, n_values + 1)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(node, minlength=n_nodes))])
    return {"offsets": offsets.astype(np.int64), "codes": code - 1, "counts": counts.astype(np.int64)}


def _single_leaf(codes: np.ndarray, n_values: int) -> dict[str, np.ndarray]:
    """The first column's "tree": one leaf holding its values and their counts."""
    tree = {
        "feature": np.array([-1]),
        "threshold": np.array([0.0]),
        "left": np.array([-1]),
        "right": np.array([-1]),
        "missing_left": np.array([False]),
    }
    return {**tree, **_leaf_counts(np.zeros(len(codes), dtype=np.int64), codes, n_values, 1)}


#: Candidates per row when a given column comes after a drawn one, and rows per chunk of candidates.
_CANDIDATES = 20
_CHUNK_ROWS = 2**18


def _leaf_share(leaf: np.ndarray, target: np.ndarray, tree: dict[str, Any], n_values: int, window: int) -> np.ndarray:
    """Share of each row's leaf whose value is within ``window`` positions of ``target`` (-1: missing, exactly)."""
    offsets, codes, counts = tree["offsets"], tree["codes"], tree["counts"]
    cum = np.concatenate([[0], np.cumsum(counts)])
    width = n_values + 1
    # Leaf entries sorted by (node, position): one key per entry, ascending.
    keys = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets)) * width + (codes + 1)
    missing = target < 0
    low = np.where(missing, 0, np.maximum(target + 1 - window, 1))
    high = np.where(missing, 0, np.minimum(target + 1 + window, n_values))
    first = np.searchsorted(keys, leaf * width + low, side="left")
    last = np.searchsorted(keys, leaf * width + high, side="right")
    size = cum[offsets[leaf + 1]] - cum[offsets[leaf]]
    return (cum[last] - cum[first]) / size


def _describe_tree(col: dict[str, Any], tree: dict[str, Any], j: int, d: int) -> str:
    """A comment on column j of d, in generated words only (no name or value from the data)."""
    leaves = int(np.sum(np.asarray(tree["feature"]) < 0))
    values = len(col["values"])
    where = "one leaf (no columns before it)" if leaves == 1 else f"a tree of {leaves} leaves on the columns before it"
    gaps = f", {col['null_rate']:.1%} missing" if col["null_rate"] else ""
    return f"Column {j + 1} of {d}: {col['kind']}, {values} distinct value{'s' * (values != 1)}{gaps}; {where}."


@register
class CART(FittedGenerator):
    """Sequential CART synthesis: each column drawn from a tree fitted on the columns before it.

    The synthpop method (Reiter 2005; Nowok et al. 2016) with scikit-learn trees, fitted
    once. The first column is drawn from its real values at their frequencies. Every
    later column gets a decision tree fitted on the real data, with the earlier columns
    as predictors (a classifier for labels, a regressor for numbers and datetimes;
    missing values are split on, and a missing target is a value of its own). ``fit``
    keeps each tree as plain arrays and, per leaf, the values of that column its
    training rows had, with their counts. ``sample`` sends each synthetic row down the
    trees and draws a value of the leaf it lands in, so every value is a real value and
    types, rare categories and gaps come out as they were.

    The state holds no training row: a leaf keeps values of one column, unlinked from
    the rows they came from (:meth:`disclosure` says what it does hold). Conditions and
    ``partial`` keep the given columns and draw the others in the fitted order, so a
    drawn column follows the given columns *before* it.

    Parameters
    ----------
    min_samples_leaf : int, default 20
        Fewest real rows per leaf (synthpop's ``minbucket``); larger is smoother, copies
        less and gives a smaller spec. (The default was 5 until November 2026: on small
        real tables, 65-79% of synthetic rows then sat closer to a training row than to
        any unseen one.)
    max_depth : int, optional
        Depth limit of each tree; None grows them until ``min_samples_leaf`` stops them.
    smoothing : {"none", "density"}, default "none"
        "density" is synthpop's smoothing of numbers: a float or integer drawn from a
        leaf moves by a Gaussian kernel (Silverman's bandwidth on the leaf's values,
        shrunk so the leaf keeps its mean and variance), rounded to the column's decimals
        and kept in its range, so synthetic numbers are rarely copies of training values.
        It costs shape on skewed columns and, measured on real tables, moves the DCR
        share less than larger leaves do, so it is not the default.
    random_state : int, default 0
        Seeds the trees' tie-breaking.
    identifiers : {"generate", "copy"}, default "generate"
        As in :class:`GaussianCopula`: identifier-like text columns are made from their
        shape (no value kept) and the trees neither see nor predict them; "copy" learns
        them like other labels.

    Attributes
    ----------
    columns_ : list of dict
        Per column: name, kind, dtype, null rate and ``values``, its distinct values.
    trees_ : list of dict
        Per column, its tree as arrays over nodes (``feature``, ``threshold``, ``left``,
        ``right``, ``missing_left``) and its leaves' values (``codes``, positions in the
        column's ``values``, -1 for missing, and their ``counts``, node t holding
        ``codes[offsets[t]:offsets[t + 1]]``).

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.data import load_penguins
    >>> real = load_penguins()
    >>> gen = sb.CART(min_samples_leaf=10).fit(real)
    >>> df = gen.sample(200, seed=3)
    >>> df.dtypes.equals(real.dtypes)
    True
    >>> masked = gen.partial(real, columns=["sex"], seed=0)
    >>> masked.drop(columns="sex").equals(real.drop(columns="sex"))
    True
    >>> print(gen.disclosure().splitlines()[0])
    Leaf values are real values of each column, unlinked from rows; no training row is stored.
    """

    params = (
        Param("min_samples_leaf", Int(1, 100_000), 20, "Fewest real rows per leaf."),
        Param("max_depth", Optional(Int(1, 1_000)), None, "Depth limit of each tree (None: no limit)."),
        Param(
            "smoothing",
            Options(("none", "density")),
            "none",
            "Numbers drawn from a leaf move by a Gaussian kernel of the leaf's spread ('density'), or not ('none').",
        ),
        _RANDOM_STATE,
        _IDENTIFIERS,
    )
    workbench = 3
    #: Larger leaves: smoother trees, fewer copied rows (see ``privacy_tradeoff``).
    privacy_knob = ("min_samples_leaf", (1, 5, 20, 50, 100))

    @classmethod
    def example(cls) -> CART:
        """Fitted on the Palmer penguins (categories, floats, nullable ints, gaps)."""
        from ...data import load_penguins

        return cls().fit(load_penguins())

    # -- fitting and state ------------------------------------------------------------
    def _fit(self, data: pd.DataFrame) -> None:
        columns = self._describe(data)
        codes = []
        for col in columns:
            col["values"], column_codes = _values_and_codes(data[col["name"]], col)
            codes.append(column_codes)
        x = np.column_stack([cart_codes_as_predictor(c, col) for c, col in zip(codes, columns, strict=True)])
        trees = [_single_leaf(codes[0], len(columns[0]["values"]))]
        options = {"min_samples_leaf": self.min_samples_leaf, "max_depth": self.max_depth}
        progress = FitProgress("CART.fit", len(columns) - 1)
        try:
            for j in range(1, len(columns)):
                trees.append(self._fit_tree(x[:, :j], codes[j], columns[j], options))
                progress.step(j, "trees")
        finally:
            progress.close()
        self.columns_ = columns
        self.trees_ = trees

    def _fit_tree(
        self, x: np.ndarray, codes: np.ndarray, col: dict[str, Any], options: dict[str, Any]
    ) -> dict[str, np.ndarray]:
        """The tree of one column (value positions ``codes``) on the columns before it (``x``)."""
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        y = codes
        if col["kind"] in ("categorical", "boolean"):
            model = DecisionTreeClassifier(**options, random_state=self.random_state)
        else:
            model = DecisionTreeRegressor(**options, random_state=self.random_state)
            # Values in the column's scale; missing ones form their own value, one unit
            # plus the range below the lowest, so a leaf can hold them.
            table = np.ldexp(np.asarray(col["values"], dtype=float), -cart_scale(col))
            low, high = table[0], table[-1]
            y = np.append(table, low - np.ldexp(1.0, -cart_scale(col)) - (high - low))[y]
        model.fit(x, y)
        return _tree_of(model, model.apply(x), codes, len(col["values"]))

    def _get_state(self) -> dict[str, Any]:
        columns, trees = self._packed()
        return {"columns": columns, "trees": trees, **self._identifier_state(), "disclosure": self.disclosure()}

    def _packed(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The columns and trees with their arrays packed (exact; see :mod:`._packed`)."""
        columns = [{**col, "values": pack_values(col["values"], col["kind"])} for col in self.columns_]
        trees = [{k: pack(tree[k]) for k in TREE_FIELDS} for tree in self.trees_]
        return columns, trees

    def _set_state(self, state: Any) -> None:
        keys = {"columns", "trees"}
        columns = self._check_columns_state(state, _check_cart_column, keys, optional=frozenset({"disclosure"}))
        trees = check_cart_trees(state["trees"], columns, TREE_FIELDS)
        self.columns_ = columns
        self.trees_ = trees

    def disclosure(self) -> str:
        """What real information the fitted state (spec and exported cell) holds, in plain words."""
        self._check_fitted()
        smallest = min(
            int(np.min(np.add.reduceat(t["counts"], t["offsets"][:-1][np.asarray(t["feature"]) < 0])))
            for t in self.trees_
        )
        rows = int(np.sum(self.trees_[0]["counts"]))
        return (
            "Leaf values are real values of each column, unlinked from rows; no training row is stored.\n"
            f"Each column keeps its distinct real values; each leaf of a tree keeps which of them its\n"
            f"training rows had and how often (the smallest leaf holds {smallest} of {rows} rows), and\n"
            "split thresholds lie midway between neighbouring real values. A larger min_samples_leaf\n"
            "gives larger leaves that say less about any one row."
            + "".join("\n" + line for line in self._identifier_words())
        )

    def _estimate_bytes(self, n: int) -> int:
        """Peak memory of ``sample(n)``: the float32 predictors, a column's routing and draw
        temporaries, the columns and the frame; and the trees' arrays."""
        d = len(self.columns_)
        stored = sum(len(t["feature"]) * 6 + len(t["codes"]) * 2 for t in self.trees_)
        return 4 * d * n + 8 * n * (2 * d + 10) + 8 * stored

    # -- the plan: sampling and exported code -------------------------------------------
    def _plan(self, n: int, seed: int, for_code: bool = False) -> Plan:
        """The columns in fitted order, each drawn through its tree."""
        plan = Plan()
        d = len(self.columns_)
        plan.call(
            "x",
            cart_predictors,
            n,
            d,
            comment="The columns as the trees see them (scaled float32), filled one column at a time.",
        )
        refs = []
        packed = self._packed() if for_code else None
        for j, (col, tree) in enumerate(zip(self.columns_, self.trees_, strict=True)):
            comment = _describe_tree(col, tree, j, d)
            if packed is not None:  # as the spec writes them: short text that the cell unpacks
                args = (packed[0][j], packed[1][j])
            else:  # the same values as arrays, which the plan passes on without walking them
                args = ({**col, "values": np.array(col["values"], dtype=object)}, tree)
            refs.append(
                plan.call(f"column_{j}", cart_column, Ref("x"), j, seed, *args, self.smoothing, comment=comment)
            )
        refs = self._identifier_refs(plan, refs, n, seed)
        plan.call("df", frame_of, refs, comment="The columns side by side, in their fitted order.")
        return plan

    def _sample_given(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        """Rows that keep ``given``'s columns; the others are drawn in the fitted order.

        A drawn column's tree sees the given columns before it. When a given column comes
        *after* a drawn one, each row is drawn ``_CANDIDATES`` times and one candidate is
        kept, weighted by how well the given value fits the leaf the candidate reaches in
        that column's tree (sampling-importance resampling).
        """
        if given.shape[1] == 0:
            return self._plan(n, seed).run()["df"]
        d = len(self.columns_)
        kept = [j for j, col in enumerate(self.columns_) if col["name"] in given.columns]
        free = [j for j in range(d) if j not in kept]
        late = [k for k in kept if free and k > free[0]]
        series = {k: given[self.columns_[k]["name"]].reset_index(drop=True) for k in kept}
        if not late:
            codes, leaves, _ = self._draw(series, free, n, seed, [seed])
        else:
            step = max(1, _CHUNK_ROWS // _CANDIDATES)
            parts = [
                self._draw_weighted({k: s.iloc[i : i + step] for k, s in series.items()}, free, late, seed, i // step)
                for i in range(0, n, step)
            ]
            codes, leaves = (
                {j: np.concatenate([p[i][j] for p in parts]) if parts else np.zeros(0, np.int64) for j in free}
                for i in range(2)
            )
        out = [
            series[j].rename(self.columns_[j]["name"]) if j in series else self._output(codes, leaves, j, seed)
            for j in range(d)
        ]
        return frame_of(out)

    def _output(self, codes: dict[int, np.ndarray], leaves: dict[int, np.ndarray], j: int, seed: int) -> pd.Series:
        """Column j from its drawn value positions (smoothed as ``smoothing`` says)."""
        if self.smoothing == "density":
            return cart_smooth(codes[j], leaves[j], seed, j, self.columns_[j], self.trees_[j])
        return column_of_codes(codes[j], self.columns_[j])

    def _draw(self, series: dict[int, pd.Series], free: list[int], m: int, seed: int, stream: list[int], reps: int = 1):
        """Value positions and leaves of the free columns for ``m`` rows (the given rows repeated
        ``reps`` times), and the predictors they filled."""
        x = cart_predictors(m, len(self.columns_))
        for k, s in series.items():
            cart_fill(x, k, np.tile(self._as_predictor(s, self.columns_[k]), reps))
        codes, leaves = {}, {}
        for j in free:
            col, tree = self.columns_[j], self.trees_[j]
            u = np.random.default_rng([*stream, j]).random(m)
            leaves[j] = tree_leaves(x, tree)
            codes[j] = leaf_draw(leaves[j], u, tree)
            cart_fill(x, j, cart_codes_as_predictor(codes[j], col))
        return codes, leaves, x

    def _draw_weighted(self, series: dict[int, pd.Series], free: list[int], late: list[int], seed: int, chunk: int):
        n = len(next(iter(series.values())))
        codes, leaves, x = self._draw(series, free, n * _CANDIDATES, seed, [seed, 1, chunk], reps=_CANDIDATES)
        weight = np.ones(n * _CANDIDATES)
        for k in late:
            col, tree = self.columns_[k], self.trees_[k]
            target = np.tile(self._positions(series[k], col), _CANDIDATES)
            window = 0 if col["kind"] in ("categorical", "boolean") else max(1, len(col["values"]) // 50)
            weight *= _leaf_share(tree_leaves(x, tree), target, tree, len(col["values"]), window)
        weight = weight.reshape(_CANDIDATES, n)
        total = weight.sum(axis=0)
        # A row no candidate fits keeps a uniform choice among them.
        weight = np.where(total > 0, weight / np.where(total > 0, total, 1), 1.0 / _CANDIDATES)
        u = np.random.default_rng([seed, 2, chunk]).random(n)
        pick = np.minimum((np.cumsum(weight, axis=0) < u).sum(axis=0), _CANDIDATES - 1)
        rows = pick * n + np.arange(n)
        return {j: c[rows] for j, c in codes.items()}, {j: c[rows] for j, c in leaves.items()}

    def _as_predictor(self, series: pd.Series, col: dict[str, Any]) -> np.ndarray:
        """Given values as the trees see them: label positions, or numbers in the column's scale."""
        if col["kind"] in ("categorical", "boolean"):
            obj = series.astype(object) if col["kind"] == "boolean" else series
            return cart_codes_as_predictor(encode_labels(obj, col["values"], col["name"], type(self).__name__), col)
        present = series.notna().to_numpy()
        values = np.full(len(series), np.nan)
        values[present] = column_values(series, col).astype(float)
        limit = float(np.finfo(np.float32).max)
        return np.clip(np.ldexp(values, -cart_scale(col)), -limit, limit).astype(np.float32)

    def _positions(self, series: pd.Series, col: dict[str, Any]) -> np.ndarray:
        """Given values as positions in the column's values (the nearest for numbers; -1 if missing)."""
        if col["kind"] in ("categorical", "boolean"):
            obj = series.astype(object) if col["kind"] == "boolean" else series
            return encode_labels(obj, col["values"], col["name"], type(self).__name__)
        present = series.notna().to_numpy()
        out = np.full(len(series), -1, dtype=np.int64)
        table = np.asarray(col["values"], dtype=float)
        x = column_values(series, col).astype(float)
        at = np.clip(np.searchsorted(table, x), 1, max(len(table) - 1, 1))
        nearer_below = np.abs(x - table[at - 1]) <= np.abs(table[np.minimum(at, len(table) - 1)] - x)
        out[present] = np.where(nearer_below, at - 1, at) if len(table) > 1 else 0
        return out

    def _to_code(self, n: int, seed: int) -> str:
        cell = CodeCell(
            f"CART (sequential decision trees, fitted once): {n} rows, seed {seed}. Regenerates the frame as `df`.\n"
            + self.disclosure()
        )
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(n, seed, for_code=True)).render()


def _check_cart_column(col: Any, where: str) -> dict[str, Any]:
    col = dict(check_column(col, where, frozenset({"values"})))  # a copy: packed values are read into it
    check_cart_values(col, where)
    return col
