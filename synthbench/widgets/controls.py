"""Widget controls built from parameter declarations (:mod:`synthbench.params`).

One function, :func:`control_for`, maps a :class:`~synthbench.params.Param` to an
ipywidgets control and a reader that turns the control's value back into a parameter
value, so a new parameter shows up in the panels without widget code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..exceptions import InvalidParameterError, SpecError
from ..params import Bool, Constraint, Float, Int, Options, Param, Str

__all__ = ["Control", "control_for"]

#: Largest integer range shown as a slider; wider ranges get a text box.
MAX_SLIDER_STEPS = 1000


@dataclass
class Control:
    """A widget for one parameter and the function that reads its value back.

    ``read()`` returns the parameter value or raises :class:`InvalidParameterError`
    (text that is not JSON, or JSON the declaration rejects).
    """

    param: Param
    widget: Any
    read: Callable[[], Any]
    kind: str


def _bounded(c: Int | Float) -> bool:
    return c.low is not None and c.high is not None


def _json_text(value: Any, constraint: Constraint) -> str:
    try:
        return json.dumps(constraint.to_json(value))
    except (TypeError, ValueError, AttributeError):
        return json.dumps(None) if value is None else repr(value)


def control_for(param: Param, value: Any, *, owner: str = "") -> Control:
    """Build the control for ``param`` showing ``value``.

    ``Int``/``Float`` with both bounds become sliders (an integer range wider than
    1000 steps a text box), unbounded numbers text boxes, ``Options`` a dropdown,
    ``Bool`` a checkbox, ``Str`` a text box and anything else a JSON text area whose
    text is read with the declaration's ``from_json`` (so specs and controls agree).

    Examples
    --------
    >>> from synthbench.params import Int, Param
    >>> control = control_for(Param("k", Int(1, 10), 5), 5)
    >>> control.kind, control.widget.min, control.widget.max
    ('slider', 1, 10)
    >>> control.widget.value = 7
    >>> control.read()
    7
    """
    import ipywidgets as w

    c = param.constraint
    desc = param.name
    tooltip = f"{param.help} (must be {c.describe()})".strip() if param.help else f"must be {c.describe()}"
    style = {"description_width": "150px"}
    layout = w.Layout(width="420px")
    common = {"description": desc, "description_allow_html": False, "tooltip": tooltip, "style": style}

    if isinstance(c, Bool) and isinstance(value, bool):
        widget = w.Checkbox(value=value, indent=True, **common)
        return Control(param, widget, lambda: widget.value, "checkbox")
    if isinstance(c, Options) and any(v == value and type(v) is type(value) for v in c.choices):
        options = [(str(v), v) for v in c.choices]
        widget = w.Dropdown(options=options, value=value, layout=layout, **common)
        return Control(param, widget, lambda: widget.value, "dropdown")
    if isinstance(c, Int) and isinstance(value, int) and not isinstance(value, bool):
        if _bounded(c) and c.high - c.low <= MAX_SLIDER_STEPS:
            widget = w.IntSlider(value=value, min=c.low, max=c.high, continuous_update=False, layout=layout, **common)
            return Control(param, widget, lambda: int(widget.value), "slider")
        widget = w.Text(value=str(value), continuous_update=False, layout=layout, **common)
        return Control(param, widget, lambda: _parse_number(widget.value, int, param.name, owner), "int")
    if isinstance(c, Float) and isinstance(value, (int, float)) and not isinstance(value, bool):
        if _bounded(c) and c.low > float("-inf") and c.high < float("inf"):
            step = (c.high - c.low) / 100
            widget = w.FloatSlider(
                value=float(value),
                min=c.low,
                max=c.high,
                step=step,
                continuous_update=False,
                readout_format=".3g",
                layout=layout,
                **common,
            )
            return Control(param, widget, lambda: float(widget.value), "slider")
        widget = w.Text(value=repr(float(value)), continuous_update=False, layout=layout, **common)
        return Control(param, widget, lambda: _parse_number(widget.value, float, param.name, owner), "float")
    if isinstance(c, Str) and isinstance(value, str):
        widget = w.Text(value=value, continuous_update=False, layout=layout, **common)
        return Control(param, widget, lambda: widget.value, "text")

    widget = w.Textarea(
        value=_json_text(value, c), continuous_update=False, layout=w.Layout(width="420px", height="60px"), **common
    )

    def read() -> Any:
        try:
            data = json.loads(widget.value)
        except json.JSONDecodeError as exc:
            raise InvalidParameterError(
                f"The {param.name!r} parameter{_of(owner)} must be JSON ({c.describe()}). "
                f"Got {widget.value!r} instead ({exc.msg})."
            ) from None
        try:
            return c.from_json(data, param.name)
        except SpecError:
            raise InvalidParameterError(
                f"The {param.name!r} parameter{_of(owner)} must be {c.describe()}. Got {widget.value.strip()} instead."
            ) from None

    return Control(param, widget, read, "json")


def _of(owner: str) -> str:
    return f" of {owner}" if owner else ""


def _parse_number(text: str, kind: type, name: str, owner: str) -> Any:
    try:
        return kind(text.strip())
    except ValueError:
        what = "an int" if kind is int else "a number"
        raise InvalidParameterError(
            f"The {name!r} parameter{_of(owner)} must be {what}. Got {text!r} instead."
        ) from None
