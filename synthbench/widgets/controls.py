"""Widget controls built from parameter declarations (:mod:`synthbench.params`).

One function, :func:`control_for`, maps a :class:`~synthbench.params.Param` to an
ipywidgets control, a reader that turns the control's value back into a parameter value
and a ``show`` that puts a value the generator holds back into the control, so a new
parameter shows up in the panels without widget code. The control is chosen from the
declaration alone (never from the current value's type).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import InvalidParameterError, SpecError
from ..params import Bool, Constraint, Float, Int, Optional, Options, Param, Str

__all__ = ["Control", "control_for"]

#: Largest integer range shown as a slider; wider ranges get a text box.
MAX_SLIDER_STEPS = 1000
#: Room for the longest parameter names ("cluster_balance_threshold") in full.
LABEL_WIDTH = "170px"
CONTROL_WIDTH = "400px"


@dataclass
class Control:
    """A widget for one parameter, the function that reads its value and one that shows a value.

    ``read()`` returns the parameter value or raises :class:`InvalidParameterError`
    (text that is not a number or not JSON, or JSON the declaration rejects).
    ``show(value)`` displays ``value`` (what the generator holds) without reading it.
    ``input`` is the widget that holds the value (``widget`` may wrap it, e.g. with a
    None checkbox); ``inputs`` are every widget whose change is an edit.
    """

    param: Param
    widget: Any
    read: Callable[[], Any]
    show: Callable[[Any], None]
    kind: str
    input: Any = None
    inputs: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.input is None:
            self.input = self.widget
        if not self.inputs:
            self.inputs = [self.input]

    def on_edit(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever the user changes any part of the control."""
        for widget in self.inputs:
            widget.observe(lambda _: callback(), names="value")

    def set_range(self, low: Any, high: Any) -> None:
        """Narrow a slider to ``[low, high]`` (e.g. what the data allows); others ignore it."""
        if self.kind == "slider" and low <= high:
            hold = self.input.value
            self.input.min, self.input.max = min(low, hold), max(high, hold)


def _bounded(c: Int | Float) -> bool:
    return c.low is not None and c.high is not None and math.isfinite(c.low) and math.isfinite(c.high)


def _json_text(value: Any, constraint: Constraint) -> str:
    try:
        return json.dumps(constraint.to_json(value))
    except (TypeError, ValueError, AttributeError):
        return json.dumps(None) if value is None else repr(value)


def _of(owner: str) -> str:
    return f" of {owner}" if owner else ""


def _parse_number(text: str, kind: type, name: str, owner: str) -> Any:
    try:
        value = kind(text.strip())
    except ValueError:
        value = None
    if value is None or (kind is float and not math.isfinite(value)):
        what = "an int" if kind is int else "a finite number"
        raise InvalidParameterError(f"The {name!r} parameter{_of(owner)} must be {what}. Got {text!r} instead.")
    return value


def _neutral(c: Constraint, default: Any) -> Any:
    """A value of ``c`` to show in a control whose parameter is None (the box stays unticked)."""
    if default is not None and c.is_satisfied_by(default):
        return default
    if isinstance(c, Options):
        return c.choices[0]
    if isinstance(c, Bool):
        return False
    if isinstance(c, (Int, Float)):
        low = c.low if c.low is not None and math.isfinite(c.low) else 0
        return int(low) if isinstance(c, Int) else float(low) + (0.0 if c.closed in ("both", "left") else 0.1)
    return ""


def _typed(param: Param, c: Constraint, value: Any, common: dict, owner: str, limits: tuple | None) -> Control | None:
    """The typed control of ``c`` showing ``value``, or None when ``c`` has no typed control."""
    import ipywidgets as w

    layout = w.Layout(width=CONTROL_WIDTH)
    name = param.name
    if isinstance(c, Bool):
        widget = w.Checkbox(value=bool(value), indent=True, **common)
        return Control(param, widget, lambda: widget.value, lambda v: setattr(widget, "value", bool(v)), "checkbox")
    if isinstance(c, Options):
        options = [(str(v), v) for v in c.choices]
        widget = w.Dropdown(options=options, value=value if c.is_satisfied_by(value) else None, layout=layout, **common)
        return Control(param, widget, lambda: widget.value, lambda v: setattr(widget, "value", v), "dropdown")
    if isinstance(c, Int):
        low, high = limits if limits else (c.low, c.high)
        if low is not None and high is not None and high - low <= MAX_SLIDER_STEPS:
            widget = w.IntSlider(
                value=value, min=min(low, value), max=max(high, value), continuous_update=False, layout=layout, **common
            )
            return Control(param, widget, lambda: int(widget.value), lambda v: _show_slider(widget, v), "slider")
        widget = w.Text(value=str(value), continuous_update=False, layout=layout, **common)
        return Control(
            param,
            widget,
            lambda: _parse_number(widget.value, int, name, owner),
            lambda v: setattr(widget, "value", str(v)),
            "int",
        )
    if isinstance(c, Float):
        if _bounded(c):
            widget = w.FloatSlider(
                value=float(value),
                min=c.low,
                max=c.high,
                step=(c.high - c.low) / 100,
                continuous_update=False,
                readout_format=".3g",
                layout=layout,
                **common,
            )
            return Control(param, widget, lambda: float(widget.value), lambda v: _show_slider(widget, v), "slider")
        widget = w.Text(value=repr(float(value)), continuous_update=False, layout=layout, **common)
        return Control(
            param,
            widget,
            lambda: _parse_number(widget.value, float, name, owner),
            lambda v: setattr(widget, "value", repr(float(v))),
            "float",
        )
    if isinstance(c, Str):
        widget = w.Text(value=str(value), continuous_update=False, layout=layout, **common)
        return Control(param, widget, lambda: widget.value, lambda v: setattr(widget, "value", str(v)), "text")
    return None


def _show_slider(widget: Any, value: Any) -> None:
    widget.min, widget.max = min(widget.min, value), max(widget.max, value)
    widget.value = value


def control_for(param: Param, value: Any, *, owner: str = "", limits: tuple | None = None) -> Control:
    """Build the control for ``param`` showing ``value``, from the declaration alone.

    ``Int``/``Float`` with both bounds become sliders (an integer range wider than
    1000 steps a text box), unbounded numbers text boxes, ``Options`` a dropdown,
    ``Bool`` a checkbox, ``Str`` a text box, ``Optional(x)`` x's control with a "None"
    tick box, and anything else a JSON text area whose text is read with the
    declaration's ``from_json`` (so specs and controls agree). ``limits`` narrows an
    integer slider to what the data allows (e.g. ``k_neighbors`` below the smallest class).

    Examples
    --------
    >>> from synthbench.params import Int, Optional, Param
    >>> control = control_for(Param("k", Int(1, 10), 5), 5)
    >>> control.kind, control.widget.min, control.widget.max
    ('slider', 1, 10)
    >>> control.widget.value = 7
    >>> control.read()
    7
    >>> maybe = control_for(Param("d", Optional(Int(0, 15)), None), None)
    >>> maybe.kind, maybe.read()
    ('optional slider', None)
    >>> maybe.inputs[1].value = False  # untick "None": the slider's value counts
    >>> maybe.read()
    0
    """

    c = param.constraint
    tooltip = f"{param.help} (must be {c.describe()})".strip() if param.help else f"must be {c.describe()}"
    common = {
        "description": param.name,
        "description_allow_html": False,
        "tooltip": tooltip,
        "style": {"description_width": LABEL_WIDTH},
    }
    if c.is_satisfied_by(value):
        if isinstance(c, Optional):
            inner = _typed(
                param, c.inner, _neutral(c.inner, value if value is not None else param.default), common, owner, limits
            )
            if inner is not None:
                return _optional(param, inner, value is None)
        else:
            typed = _typed(param, c, value, common, owner, limits)
            if typed is not None:
                return typed

    if isinstance(c, Optional) and c.is_satisfied_by(value):
        # None or a JSON value: the text box holds the value, the tick box says None.
        shown = value if value is not None else param.default
        inner = _json_control(param, c.inner, shown, common, owner)
        if shown is None:
            inner.input.value = ""
        return _optional(param, inner, value is None)
    return _json_control(param, c, value, common, owner)


def _json_control(param: Param, c: Constraint, value: Any, common: dict, owner: str) -> Control:
    """A JSON text area read with the declaration's ``from_json`` (the advanced fallback)."""
    import ipywidgets as w

    widget = w.Textarea(
        value=_json_text(value, c),
        continuous_update=False,
        layout=w.Layout(width=CONTROL_WIDTH, height="60px"),
        **common,
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

    return Control(param, widget, read, lambda v: setattr(widget, "value", _json_text(v, c)), "json")


def _optional(param: Param, inner: Control, is_none: bool) -> Control:
    """``inner`` with a "None" tick box beside it: ticked, the parameter is None."""
    import ipywidgets as w

    none = w.Checkbox(value=is_none, description="None", indent=False, layout=w.Layout(width="auto"))
    none.add_class("synthbench-none")
    inner.input.disabled = is_none
    box = w.HBox([inner.widget, none], layout=w.Layout(align_items="center"))

    def read() -> Any:
        inner.input.disabled = none.value
        return None if none.value else inner.read()

    def show(value: Any) -> None:
        none.value = value is None
        inner.input.disabled = value is None
        if value is not None:
            inner.show(value)

    return Control(param, box, read, show, f"optional {inner.kind}", input=inner.input, inputs=[inner.input, none])
