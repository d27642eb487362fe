"""Notebook widgets: live generator panels, the workbench and their controls.

Import this module only in a notebook (it imports ipywidgets and Altair);
``import synthbench`` never imports it.

>>> import synthbench as sb
>>> from synthbench.widgets import panel
>>> p = panel(sb.Moons(), n=100, debounce=0)
>>> p.set(noise=-1)
False
>>> p.error
"The 'noise' parameter of Moons must be None or a finite float >= 0. Got -1 instead."
"""

from __future__ import annotations

from .controls import Control, control_for
from .draw import DrawPanel, draw
from .families import BalancePanel, SchemaPanel, TimeSeriesPanel, panel, panel_class
from .model import PanelModel
from .panel import ExportedCell, Panel, current_panel, data_name_in_notebook, frame_hash, timeseries_buckets
from .workbench import Workbench

__all__ = [
    "BalancePanel",
    "Control",
    "DrawPanel",
    "ExportedCell",
    "Panel",
    "PanelModel",
    "SchemaPanel",
    "TimeSeriesPanel",
    "Workbench",
    "control_for",
    "current_panel",
    "data_name_in_notebook",
    "draw",
    "frame_hash",
    "panel",
    "panel_class",
    "timeseries_buckets",
]
