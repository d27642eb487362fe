"""``Workbench(df)``: the panels of every family that fits a real frame, in tabs."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..exceptions import DataError, InvalidParameterError
from .families import panel
from .panel import Panel, _set_current

__all__ = ["Workbench"]


def _guess_target(df: pd.DataFrame) -> str | None:
    """The last low-cardinality column: the usual place of a class label."""
    for name in reversed(df.columns):
        s = df[name]
        if isinstance(name, str) and 2 <= s.nunique(dropna=True) <= 20 and not pd.api.types.is_float_dtype(s):
            return name
    return None


class Workbench:
    """Panels around one real DataFrame, one tab per generator; built when first opened.

    Parameters
    ----------
    data : DataFrame
        The real frame: statistical generators fit it, balancing resamples it (when a
        ``target`` is given or guessed), time-series fitting uses its datetime column.
    target : str, optional
        The class column for the balancing tab (default: the last column with 2-20
        distinct non-float values).
    n, seed, debounce
        Passed to every panel.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> wb = Workbench(load_iris(as_frame=True).frame, n=150, debounce=0)
    >>> wb.names
    ['GaussianCopula', 'GaussianMixture', 'CART', 'Balance']
    >>> wb.panel("CART").generator.is_fitted
    True
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        target: str | None = None,
        n: int = 1000,
        seed: int = 0,
        debounce: float = 0.2,
    ) -> None:
        import ipywidgets as w

        if not isinstance(data, pd.DataFrame) or data.empty:
            raise DataError(f"Workbench needs a non-empty pandas DataFrame. Got {type(data).__name__} instead.")
        if target is not None and target not in data.columns:
            raise InvalidParameterError(
                f"The 'target' parameter of Workbench must be a column of the data {list(data.columns)}. "
                f"Got {target!r} instead."
            )
        self.data = data
        self.target = target if target is not None else _guess_target(data)
        self.options = {"n": n, "seed": seed, "debounce": debounce}
        self._makers: dict[str, Any] = {}
        import synthbench as sb

        for cls in (sb.GaussianCopula, sb.GaussianMixture, sb.CART):
            self._makers[cls.__name__] = lambda cls=cls: cls()
        if self.target is not None:
            self._makers["Balance"] = lambda: sb.Balance(target=self.target)
        times = [c for c in data.columns if pd.api.types.is_datetime64_any_dtype(data[c])]
        if times and isinstance(times[0], str):
            self._makers["FittedTimeSeries"] = lambda: sb.FittedTimeSeries(time_column=times[0])
        self.names = list(self._makers)
        self._panels: dict[str, Panel] = {}
        self.tabs = w.Tab(children=[w.VBox() for _ in self.names])
        for i, name in enumerate(self.names):
            self.tabs.set_title(i, name)
        self.tabs.observe(lambda c: self._open(c["new"]), names="selected_index")
        self.widget = self.tabs
        self.tabs.add_class("synthbench-workbench")
        self._open(0)

    def _open(self, index: int | None) -> None:
        if index is None:
            return
        p = self.panel(self.names[index])
        _set_current(p)

    def panel(self, name: str) -> Panel:
        """The panel of tab ``name`` (built on first use)."""
        if name not in self._makers:
            raise InvalidParameterError(f"The workbench has no tab {name!r}. Its tabs are {self.names}.")
        if name not in self._panels:
            p = panel(self._makers[name](), self.data, **self.options)
            self._panels[name] = p
            self.tabs.children[self.names.index(name)].children = (p.widget,)
        return self._panels[name]

    @property
    def current(self) -> Panel:
        """The panel of the selected tab."""
        return self.panel(self.names[self.tabs.selected_index or 0])

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        _set_current(self.current)
        return self.tabs._repr_mimebundle_(**kwargs)
