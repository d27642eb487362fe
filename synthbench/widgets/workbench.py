"""``Workbench(df)``: the panels of every generator that fits a real frame, in tabs.

The tabs come from the registry: every generator whose ``workbench`` class attribute is
above 0 (in that order) and whose ``for_data(df, target=...)`` gives an instance.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..base import Generator
from ..exceptions import DataError, InvalidParameterError
from .families import panel
from .panel import Panel, _set_current, data_name_in_notebook

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
    data_name : str, optional
        The notebook variable holding ``data`` (what exported code reads); default: the
        variable bound to ``data`` in the notebook, if any.
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
        data_name: str | None = None,
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
        if data_name is None:
            data_name = data_name_in_notebook(data)
        self.options = {"data_name": data_name, "n": n, "seed": seed, "debounce": debounce}
        from ..registry import registered

        self._generators: dict[str, Generator] = {}
        tabs = sorted((cls.workbench, name, cls) for name, cls in registered().items() if cls.workbench > 0)
        for _, name, cls in tabs:
            gen = cls.for_data(data, target=self.target)
            if gen is not None:
                self._generators[name] = gen
        self.names = list(self._generators)
        if not self.names:
            raise DataError("No registered generator offers a workbench tab for this frame.")
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
        if name not in self._generators:
            raise InvalidParameterError(f"The workbench has no tab {name!r}. Its tabs are {self.names}.")
        if name not in self._panels:
            p = panel(self._generators[name], self.data, **self.options)
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
