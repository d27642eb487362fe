"""The panels that some families use, and the choice of a generator's panel.

A generator names its panel class in its ``panel`` class attribute: a class of
:mod:`synthbench.widgets` (``"SchemaPanel"``), or ``"package.module:Class"`` for a panel
defined elsewhere. The default is the generic :class:`~synthbench.widgets.Panel`, built
from the declared parameters, so a new family gets a working panel without widget code.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

from ..exceptions import InvalidParameterError
from .controls import Control, control_for
from .panel import Panel, _as_generator, _set_current, timeseries_buckets

__all__ = ["BalancePanel", "SchemaPanel", "TimeSeriesPanel", "panel", "panel_class"]


class BalancePanel(Panel):
    """Balancing panel: class counts before/after next to the per-column comparison.

    The neighbour sliders run up to what the data allows: a SMOTE row needs
    ``k_neighbors`` other rows of its class, so at most the smallest class minus one.
    """

    def limits(self) -> dict[str, tuple[int, int]]:
        target = self.generator.target
        if self.data is None or target not in self.data.columns:
            return {}
        counts = self.data[target].value_counts()
        smallest = int(counts.min()) if len(counts) else 0
        if smallest < 2:
            return {}
        return {"k_neighbors": (1, smallest - 1), "m_neighbors": (1, smallest - 1)}

    def views(self) -> list[Any]:
        from .. import charts
        from ..balancing_report import class_counts

        target = self.generator.target
        views = super().views()
        if self.data is None or target not in self.frame.columns or target not in self.data.columns:
            return views
        counts = class_counts(self.data, self.frame, target)
        return [charts.class_counts_spec(counts, width=self.chart_width), *views]


class TimeSeriesPanel(Panel):
    """Time-series panel: the selected channel over time (bucketed means), both sides.

    For a fleet (several entities) the chart shows the fleet's 5-95% band and mean and
    three sampled entities, aggregated with numpy first
    (:func:`~synthbench.generators.timeseries.summary.fleet_summary`), never every point.
    """

    def _time_column(self) -> str | None:
        for name in self.frame.columns:
            if pd.api.types.is_datetime64_any_dtype(self.frame[name]):
                return name
        return None

    def _default_column(self, options: list) -> Any:
        # The first value channel: not the time, entity or label column the generator names.
        declared = {p.name for p in type(self.generator).params}
        if "value_column" in declared and self.generator.value_column in options:
            return self.generator.value_column
        keys = {getattr(self.generator, k) for k in ("time_column", "entity_column", "label_column") if k in declared}
        for name in options:
            s = self.frame[name]
            if name in keys:
                continue
            if pd.api.types.is_numeric_dtype(s) and s.dtype != bool and not pd.api.types.is_datetime64_any_dtype(s):
                return name
        return super()._default_column(options)

    def views(self) -> list[Any]:
        from .. import charts

        time_column = self._time_column()
        column = self.column.value
        numeric = column is not None and pd.api.types.is_numeric_dtype(self.frame[column]) and column != time_column
        if time_column is None or not numeric or self.frame[column].dtype == bool:
            return super().views()
        if len(self.labels) == 2:
            table = timeseries_buckets(self.reference, self.frame, time_column, column, labels=self.labels)
        else:  # the sample alone
            table = timeseries_buckets(self.frame, self.frame, time_column, column, labels=("", self.labels[0]))
            table = table[table["source"] == self.labels[0]]
        entity = getattr(self.generator, "entity_column", None)
        if entity in self.frame.columns and getattr(self.generator, "entities", 1) > 1:
            from ..generators.timeseries.summary import fleet_summary

            bands, lines = fleet_summary(self.frame, time_column, entity, column)
            real = table[table["source"] == self.labels[0]] if len(self.labels) == 2 else None
            return [
                charts.fleet_chart(bands, lines, column, reference=real, labels=self.labels, width=self.chart_width)
            ]
        return [charts.timeseries_chart(table, column, labels=self.labels, width=self.chart_width)]


class SchemaPanel(Panel):
    """Rule-based panel: the Schema's own parameters plus a per-column editor.

    Pick a column to edit its declared parameters with the same controls as any
    generator parameter; add a column of any kind or remove the selected one.

    Examples
    --------
    >>> import synthbench as sb
    >>> p = SchemaPanel(sb.Schema.example(), n=100, debounce=0)
    >>> p.set_column("age", params={"low": 30, "high": 40})
    True
    >>> int(p.frame["age"].min()) >= 30
    True
    """

    def _build_controls(self) -> dict[str, Control]:
        import ipywidgets as w

        controls = super()._build_controls()
        controls.pop("columns", None)  # edited column by column below
        from ..generators.columns import Column

        self._column_kinds = {k.__name__: k for k in _column_classes(Column)}
        self.column_pick = w.Dropdown(description="edit column", layout=w.Layout(width="420px"))
        self.column_pick.add_class("synthbench-column-pick")
        self.column_controls = w.VBox()
        self.new_kind = w.Dropdown(
            options=sorted(self._column_kinds), value="Float", description="new column", layout=w.Layout(width="260px")
        )
        self.new_name = w.Text(value="new_column", layout=w.Layout(width="150px"))
        add = w.Button(description="Add", layout=w.Layout(width="60px"))
        remove = w.Button(description="Remove column", layout=w.Layout(width="130px"))
        add.on_click(lambda _: self.add_column(self.new_kind.value, self.new_name.value))
        remove.on_click(lambda _: self.remove_column(self.column_pick.value))
        self.column_row = w.VBox(
            [w.HBox([self.new_kind, self.new_name, add]), remove, self.column_pick, self.column_controls]
        )
        self.column_pick.observe(lambda _: self._build_column_controls(), names="value")
        self._sync_column_pick()
        return controls

    def _param_widgets(self) -> list[Any]:
        return [*super()._param_widgets(), self.column_row]

    def _names(self) -> list[str]:
        return [c.name for c in self.generator.columns]

    def _sync_column_pick(self) -> None:
        names = self._names()
        keep = self.column_pick.value if self.column_pick.value in names else (names[0] if names else None)
        self.column_pick.options = names
        self.column_pick.value = keep
        self._build_column_controls()

    def _column(self, name: str) -> Any:
        for c in self.generator.columns:
            if c.name == name:
                return c
        raise InvalidParameterError(f"The schema has no column {name!r}. Its columns are {self._names()}.")

    def _build_column_controls(self) -> None:
        name = self.column_pick.value
        if name is None:
            self.column_controls.children = ()
            return
        col = self._column(name)
        self.column_editors: dict[str, Control] = {}
        for p in type(col).params:
            control = control_for(p, getattr(col, p.name), owner=col.label)
            control.widget.add_class(f"synthbench-column-{p.name}")
            control.on_edit(lambda pn=p.name: self._on_column_control(pn))
            self.column_editors[p.name] = control
        self.column_controls.children = [c.widget for c in self.column_editors.values()]

    def _on_column_control(self, param: str) -> None:
        if self._muted:
            return
        _set_current(self)
        name = self.column_pick.value
        try:
            value = self.column_editors[param].read()
        except InvalidParameterError as exc:
            self._show_column(name)  # what the schema holds; the error names what was refused
            self._show_error(str(exc))
            return
        edit = {param: value}
        if param == "distribution":
            # A new distribution takes its own parameters: start from its defaults, one edit.
            edit.update(_distribution_defaults(self._column(name), value))
        self._edit(name, edit)

    def _show_column(self, name: str) -> None:
        """Show in the column editors what column ``name`` of the schema holds."""
        if name is None or name != self.column_pick.value or name not in self._names():
            return
        col = self._column(name)
        hold, self._muted = self._muted, True
        try:
            for pname, control in self.column_editors.items():
                control.show(getattr(col, pname))
        finally:
            self._muted = hold

    def _edit(self, name: str, params: dict[str, Any]) -> bool:
        """Apply ``params`` to column ``name`` together: the column is validated as a whole."""
        columns = list(self.generator.columns)
        i = self._names().index(name)
        try:
            columns[i] = type(columns[i])(**{**columns[i].get_params(), **params})
        except (ValueError, TypeError) as exc:  # our constructors raise InvalidParameterError (a ValueError)
            self._show_column(name)
            self._show_error(str(exc))
            return False
        self.generator.set_params(columns=columns)
        ok = self.refresh()
        if ok and "name" in params:
            self._sync_column_pick()
        elif not ok:
            self._show_column(name)
            self._show_error(self.error)
        else:
            self._show_column(name)
        return ok

    def set_column(self, name: str, **params: Any) -> bool:
        """Change parameters of column ``name`` and re-sample; False (error shown) if bad."""
        self._column(name)
        ok = self._edit(name, params)
        if ok and self.column_pick.value == name:
            self._build_column_controls()
        return ok

    def add_column(self, kind: str, name: str, **params: Any) -> bool:
        """Append a column of class ``kind`` (e.g. ``"Float"``) and re-sample."""
        try:
            if kind not in self._column_kinds:
                raise InvalidParameterError(
                    f"The column kind must be one of {sorted(self._column_kinds)}. Got {kind!r}."
                )
            column = self._column_kinds[kind](name, **params)
        except (ValueError, TypeError) as exc:
            self._show_error(str(exc))
            return False
        self.generator.set_params(columns=[*self.generator.columns, column])
        ok = self.refresh()
        if ok:
            self._sync_column_pick()
            self.column_pick.value = name
        return ok

    def remove_column(self, name: str) -> bool:
        """Drop column ``name`` and re-sample."""
        self.generator.set_params(columns=[c for c in self.generator.columns if c.name != name])
        ok = self.refresh()
        self._sync_column_pick()
        return ok

    def refresh(self) -> bool:
        ok = super().refresh()
        if not ok:  # the schema's last good columns are back: the editor shows them
            self._sync_column_pick()
        return ok


def _distribution_defaults(column: Any, distribution: Any) -> dict[str, Any]:
    """``params``/``by``/``params_by`` for ``column`` switched to ``distribution``: its defaults, no groups
    (per-group parameters belong to the old distribution)."""
    from ..generators.distributions import DISTRIBUTIONS

    if distribution == column.distribution or distribution not in DISTRIBUTIONS:
        return {}
    shown = DISTRIBUTIONS[distribution].resolve({})
    try:  # the defaults written out, when the column accepts them as they are (ints for Integer)
        type(column)(
            **{**column.get_params(), "distribution": distribution, "params": shown, "by": None, "params_by": None}
        )
    except (ValueError, TypeError):
        shown = {}
    return {"params": shown, "by": None, "params_by": None}


def _column_classes(base: type) -> list[type]:
    out = []
    for sub in base.__subclasses__():
        if not sub.__name__.startswith("_") and sub.params:
            out.append(sub)
        out.extend(_column_classes(sub))
    return out


def panel_class(generator: Any) -> type[Panel]:
    """The panel class a generator names in its ``panel`` attribute (``Panel`` by default).

    >>> import synthbench as sb
    >>> panel_class(sb.Schema).__name__, panel_class("Moons").__name__
    ('SchemaPanel', 'Panel')
    """
    gen_cls = generator if isinstance(generator, type) else type(_as_generator(generator))
    name = gen_cls.panel
    found: Any = None
    if isinstance(name, str) and ":" in name:
        module, _, attr = name.partition(":")
        try:
            found = getattr(importlib.import_module(module), attr, None)
        except ImportError:
            found = None
    elif isinstance(name, str):
        from .. import widgets

        found = getattr(widgets, name, None)
    if not (isinstance(found, type) and issubclass(found, Panel)):
        raise InvalidParameterError(
            f"{gen_cls.__name__}.panel must name a Panel class of synthbench.widgets or 'module:Class'. "
            f"Got {name!r} instead."
        )
    return found


def panel(generator: Any, data: pd.DataFrame | None = None, **options: Any) -> Panel:
    """A live panel for ``generator`` (instance, class or registered name), by family.

    ``data`` is the real frame for generators that learn (and the comparison side of
    the charts). ``options`` go to :class:`Panel` (``n``, ``seed``, ``debounce``).
    """
    gen = _as_generator(generator)
    return panel_class(gen)(gen, data, **options)
