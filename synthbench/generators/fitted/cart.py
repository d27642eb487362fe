"""Sequential CART synthesis (the synthpop approach) on scikit-learn decision trees.

>>> import synthbench as sb
>>> from synthbench.data import load_penguins
>>> gen = sb.CART().fit(load_penguins())
>>> gen.sample(5, seed=0).shape
(5, 8)
"""

from __future__ import annotations

import keyword
from typing import Any

import numpy as np
import pandas as pd

from ...codegen import CodeCell, Plan, Ref
from ...exceptions import InvalidParameterError
from ...kernels.fitted import cart_sample, frame_from_lists
from ...params import Int, Optional, Param, short_repr
from ...registry import register
from ._base import FittedGenerator
from ._state import check_cart_labels, check_cart_rows, check_column
from ._types import column_values
from .copula import _RANDOM_STATE

__all__ = ["CART"]


def _labels(series: pd.Series, col: dict[str, Any]) -> list[Any]:
    if col["kind"] == "boolean":
        return [False, True]
    if col["dtype"] == "category":
        return list(col["categories"])
    return sorted(set(column_values(series, col)))


def _to_list(series: pd.Series, col: dict[str, Any]) -> list[Any]:
    """A column as JSON values (None where missing); datetimes as integers of their unit."""
    missing = series.isna().to_numpy()
    if col["kind"] == "datetime":
        values: list[Any] = pd.DatetimeIndex(series).asi8.tolist()
    elif col["kind"] == "numeric":
        values = series.to_numpy(dtype="float64", na_value=np.nan).tolist()
    elif col["kind"] == "integer":
        # Through object, so every int stays exact (uint64 beyond 2**63 included).
        values = [None if m else int(v) for v, m in zip(series.to_numpy(dtype=object), missing, strict=True)]
    else:
        values = [v.item() if hasattr(v, "item") else v for v in series.astype(object)]
    return [None if m else v for v, m in zip(values, missing, strict=True)]


@register
class CART(FittedGenerator):
    """Sequential CART synthesis: each column drawn from a tree fitted on the columns before it.

    The synthpop method (Reiter 2005; Nowok et al. 2016) with scikit-learn trees. The
    first column is a bootstrap of its real values. Every later column gets a decision
    tree fitted on the real data, with the earlier columns as predictors (a classifier
    for labels, a regressor for numbers and datetimes; missing values are split on, and
    a missing target is a value of its own). A synthetic row goes down the tree and
    takes the value of a random real row of the leaf it lands in, so every value is a
    real value and types, rare categories and gaps come out as they were.

    Because the model is the data plus the trees, the fitted state *is* the training
    data (in the spec as JSON), and ``to_code`` fits the same seeded trees again.

    Parameters
    ----------
    min_samples_leaf : int, default 5
        Fewest real rows per leaf (synthpop's ``minbucket``); larger is smoother and
        copies less.
    max_depth : int, optional
        Depth limit of each tree; None grows them until ``min_samples_leaf`` stops them.
    random_state : int, default 0
        Seeds the trees' tie-breaking.

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

    ``to_code(n, seed=..., data="real")`` reads the training frame from a variable
    ``real`` instead of embedding its rows.
    """

    params = (
        Param("min_samples_leaf", Int(1, 100_000), 5, "Fewest real rows per leaf."),
        Param("max_depth", Optional(Int(1, 1_000)), None, "Depth limit of each tree (None: no limit)."),
        _RANDOM_STATE,
    )
    workbench = 3

    @classmethod
    def example(cls) -> CART:
        """Fitted on the Palmer penguins (categories, floats, nullable ints, gaps)."""
        from ...data import load_penguins

        return cls().fit(load_penguins())

    # -- fitting and state ------------------------------------------------------------
    def _fit(self, data: pd.DataFrame) -> None:
        columns = self._describe(data)
        for col in columns:
            if col["kind"] in ("categorical", "boolean"):
                col["labels"] = _labels(data[col["name"]], col)
        rows = {c["name"]: _to_list(data[c["name"]], c) for c in columns}
        # Keep the frame as the spec rebuilds it, so a loaded spec samples the same rows.
        self.columns_ = columns
        self.data_ = frame_from_lists(rows, columns)

    def _get_state(self) -> dict[str, Any]:
        return {
            "columns": self.columns_,
            "rows": {c["name"]: _to_list(self.data_[c["name"]], c) for c in self.columns_},
        }

    def _set_state(self, state: Any) -> None:
        columns = self._check_columns_state(state, _check_cart_column, {"columns", "rows"})
        check_cart_rows(state["rows"], columns)
        self.columns_ = columns
        self.data_ = frame_from_lists(state["rows"], columns)

    def _estimate_bytes(self, n: int) -> int:
        """Peak memory of ``sample(n)``: the synthetic codes, the chosen rows, the columns and
        the frame (four n x columns arrays), and the training codes in two scales."""
        return 8 * len(self.columns_) * (4 * n + 2 * len(self.data_))

    # -- the plan: sampling and exported code -------------------------------------------
    def _plan(self, n: int, seed: int, data: str) -> Plan:
        """Sequential trees on the training frame held by the variable ``data``."""
        plan = Plan()
        plan.call(
            "df",
            cart_sample,
            Ref(data),
            self.columns_,
            n,
            seed,
            min_samples_leaf=self.min_samples_leaf,
            max_depth=self.max_depth,
            random_state=self.random_state,
            comment="Column by column: fit a tree on the real rows, send each synthetic row down it,\n"
            "and take the value of a random real row in the same leaf.",
        )
        return plan

    def _sample_given(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        if given.shape[1] == 0:
            return self._plan(n, seed, "data").run(data=self.data_)["df"]
        trees = (self.min_samples_leaf, self.max_depth, self.random_state)
        return cart_sample(self.data_, self.columns_, n, seed, *trees, given=given)

    def _to_code(self, n: int, seed: int, data: str | None = None) -> str:
        taken = {"np", "pd", *(f.__name__ for f in self._plan(n, seed, "data").kernels()), *keyword.kwlist}
        if data is not None and (
            not isinstance(data, str) or not data.isidentifier() or not data.isascii() or data in taken
        ):
            raise InvalidParameterError(
                f"The 'data' parameter of CART.to_code must be None (embed the rows) or the name of a "
                f"variable holding the training frame (not a name the cell uses). Got {short_repr(data)} instead."
            )
        cell = CodeCell(
            f"CART (sequential decision trees): {n} rows, seed {seed}. Regenerates the frame as `df`."
            + (f"\nReads the training frame from the variable `{data}`." if data else "")
        )
        cell.need("import numpy as np", "import pandas as pd")
        plan = self._plan(n, seed, data or "data")
        if data is None:
            rows = {c["name"]: _to_list(self.data_[c["name"]], c) for c in self.columns_}
            embed = Plan()
            embed.call(
                "data",
                frame_from_lists,
                rows,
                self.columns_,
                comment=f"The real rows the trees learn from ({len(self.data_)} rows), column by column.",
            )
            plan = Plan(embed.steps + plan.steps)
        return cell.plan(plan).render()


def _check_cart_column(col: Any, where: str) -> dict[str, Any]:
    labels = isinstance(col, dict) and col.get("kind") in ("categorical", "boolean")
    col = check_column(col, where, frozenset({"labels"} if labels else ()))
    if labels:
        check_cart_labels(col, where)
    return col
