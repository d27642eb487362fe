"""The ``%synthbench`` line magic (``%load_ext synthbench``).

* ``%synthbench df`` opens a :class:`~synthbench.widgets.Workbench` on the DataFrame ``df``;
* ``%synthbench panel Moons`` (or ``%synthbench panel GaussianCopula df``) opens one panel;
* ``%synthbench export`` inserts the current panel's code as the next cell.
"""

from __future__ import annotations

from typing import Any

from .exceptions import InvalidParameterError

__all__ = ["load_ipython_extension", "synthbench_magic"]

USAGE = "Usage: %synthbench DATAFRAME | %synthbench panel GENERATOR [DATAFRAME] | %synthbench export"


def _frame(shell: Any, name: str) -> Any:
    import pandas as pd

    if name not in shell.user_ns:
        raise InvalidParameterError(f"%synthbench: there is no variable {name!r} in the notebook. {USAGE}")
    value = shell.user_ns[name]
    if not isinstance(value, pd.DataFrame):
        raise InvalidParameterError(
            f"%synthbench: {name!r} must be a pandas DataFrame. Got {type(value).__name__} instead."
        )
    return value


def synthbench_magic(line: str, shell: Any = None) -> Any:
    """Run ``%synthbench line`` in ``shell`` (the running IPython by default).

    Returns the object to display: a workbench, a panel, or the exported cell (whose
    display is one short line; the code goes into the next notebook cell).
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    words = line.split()
    if not words:
        raise InvalidParameterError(f"%synthbench needs an argument. {USAGE}")
    if words[0] == "export":
        from .widgets import current_panel

        panel = current_panel()
        if panel is None:
            raise InvalidParameterError("%synthbench export: no panel yet. Open one with %synthbench df first.")
        return panel.export()
    if words[0] == "panel":
        from .widgets import panel

        if len(words) not in (2, 3):
            raise InvalidParameterError(USAGE)
        if len(words) == 3:
            return panel(words[1], _frame(shell, words[2]), data_name=words[2])
        return panel(words[1])
    if len(words) != 1:
        raise InvalidParameterError(USAGE)
    from .widgets import Workbench

    return Workbench(_frame(shell, words[0]), data_name=words[0])


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%synthbench`` in ``ipython``."""

    def magic(line: str) -> Any:
        return synthbench_magic(line, ipython)

    magic.__doc__ = __doc__
    ipython.register_magic_function(magic, magic_kind="line", magic_name="synthbench")
