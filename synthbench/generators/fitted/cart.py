"""Sequential CART synthesis (the synthpop approach) on scikit-learn decision trees.

>>> import synthbench as sb
>>> from synthbench.data import load_penguins
>>> gen = sb.CART().fit(load_penguins())
>>> gen.sample(5, seed=0).shape
(5, 8)
"""

from __future__ import annotations

import inspect
import pprint
from typing import Any

import numpy as np
import pandas as pd

from ...codegen import CodeCell
from ...exceptions import InvalidParameterError, SpecError
from ...params import Int, Optional, Param, short_repr
from ...registry import register
from ._base import FittedGenerator
from ._standalone import as_dtype, cart_sample, column_from_list, encode_for_trees, leaf_members
from ._types import column_values
from .copula import _RANDOM_STATE

__all__ = ["CART"]


def _pretty(value: Any, indent: int = 0) -> str:
    text = pprint.pformat(value, width=100 - indent, sort_dicts=False, compact=True)
    return text.replace("\n", "\n" + " " * indent)


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
        values = series.to_numpy(dtype="float64", na_value=np.nan).tolist()
        values = [None if m else int(v) for v, m in zip(values, missing, strict=True)]
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
        self.data_ = pd.DataFrame({c["name"]: column_from_list(rows[c["name"]], c) for c in columns})

    def _get_state(self) -> dict[str, Any]:
        return {
            "columns": self.columns_,
            "rows": {c["name"]: _to_list(self.data_[c["name"]], c) for c in self.columns_},
        }

    def _set_state(self, state: Any) -> None:
        columns = self._check_columns_state(state)
        rows = state.get("rows")
        if not isinstance(rows, dict) or sorted(rows) != sorted(c["name"] for c in columns):
            raise SpecError("Invalid state: 'rows' must map every column name to its list of values.")
        lengths = {len(v) if isinstance(v, list) else -1 for v in rows.values()}
        if len(lengths) != 1 or min(lengths) < 2:
            raise SpecError("Invalid state: every column in 'rows' must be a list, all of one length >= 2.")
        for i, col in enumerate(columns):
            if col["kind"] in ("categorical", "boolean"):
                labels = col.get("labels")
                scalars = isinstance(labels, list) and all(
                    isinstance(v, (str, int, float, bool)) and v == v for v in labels
                )
                if not scalars or len({(type(v), v) for v in labels}) != len(labels):
                    raise SpecError(
                        f"Invalid state at state['columns'][{i}]: a label column needs 'labels', "
                        "a list of distinct, non-missing str, number or bool values."
                    )
        try:
            data = pd.DataFrame({c["name"]: column_from_list(rows[c["name"]], c) for c in columns})
        except (TypeError, ValueError, OverflowError) as exc:
            raise SpecError(f"Invalid state: the 'rows' do not match the columns' dtypes ({exc}).") from None
        self.columns_ = columns
        self.data_ = data

    # -- sampling ------------------------------------------------------------------------
    def _sample_given(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        return cart_sample(
            self.data_,
            self.columns_,
            n,
            rng,
            self.min_samples_leaf,
            self.max_depth,
            self.random_state,
            given=given if given.shape[1] else None,
        )

    def _to_code(self, n: int, seed: int, data: str | None = None) -> str:
        if data is not None and (not isinstance(data, str) or not data.isidentifier()):
            raise InvalidParameterError(
                f"The 'data' parameter of CART.to_code must be None (embed the rows) or the name of a "
                f"variable holding the training frame. Got {short_repr(data)} instead."
            )
        cell = CodeCell(
            f"CART (sequential decision trees): {n} rows, seed {seed}. Regenerates the frame as `df`."
            + (f"\nReads the training frame from the variable `{data}`." if data else "")
        )
        cell.need("import numpy as np", "import pandas as pd")
        helpers = [as_dtype, encode_for_trees, leaf_members, cart_sample]
        if data is None:
            helpers.insert(1, column_from_list)
        for func in helpers:
            cell.block(None, inspect.getsource(func).rstrip())
        cell.block(
            "Each column's type, dtype and (for labels) the order of its codes.",
            f"columns = {_pretty(self.columns_, 10)}",
        )
        if data is None:
            lines = ["data = pd.DataFrame({"]
            for col in self.columns_:
                values = _pretty(_to_list(self.data_[col["name"]], col), 8)
                index = self.columns_.index(col)
                lines.append(
                    f"    {col['name']!r}: column_from_list(\n        {values},\n        columns[{index}],\n    ),"
                )
            lines.append("})")
            cell.block(f"The real rows the trees learn from ({len(self.data_)} rows).", "\n".join(lines))
            source = "data"
        else:
            source = data
        cell.block(
            "Column by column: fit a tree on the real rows, send each synthetic row down it,\n"
            "and take the value of a random real row in the same leaf.",
            f"rng = np.random.default_rng({seed})",
            f"df = cart_sample({source}, columns, {n}, rng, min_samples_leaf={self.min_samples_leaf}, "
            f"max_depth={self.max_depth}, random_state={self.random_state})",
        )
        return cell.render()
