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

from ..exceptions import InvalidParameterError, SpecError, SynthbenchError
from ..params import (
    AnyOf,
    Bool,
    ComponentOf,
    Constraint,
    Date,
    Float,
    Int,
    ListOf,
    MapOf,
    Optional,
    Options,
    Param,
    Str,
    short_repr,
)

__all__ = ["Control", "control_for"]

#: Largest integer range shown as a slider; wider ranges get a text box.
MAX_SLIDER_STEPS = 1000
#: Most items a list or map editor shows row by row; longer values get the JSON text box.
MAX_ROWS = 20
#: Components inside components get row editors down to this depth, JSON text below it.
MAX_DEPTH = 1
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
    subscribe: Callable[[Callable[[], None]], None] | None = None

    def __post_init__(self) -> None:
        if self.input is None:
            self.input = self.widget
        if not self.inputs:
            self.inputs = [self.input]

    def on_edit(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever the user changes any part of the control."""
        if self.subscribe is not None:  # editors whose rows come and go wire them themselves
            self.subscribe(callback)
            return
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
        # As wide as the column allows, so a long name after the box is not cut to "bounds_fr...".
        widget = w.Checkbox(value=bool(value), indent=True, layout=w.Layout(width="auto"), **common)
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
    if isinstance(c, ListOf) and isinstance(c.item, (Str, Int, Float)) and _plain_items(value):
        return _items_control(param, c, value, common, owner)
    if isinstance(c, Date):
        return _date_control(param, c, value, common, owner)
    if isinstance(c, Str):
        widget = w.Text(value=str(value), continuous_update=False, layout=layout, **common)
        return Control(param, widget, lambda: widget.value, lambda v: setattr(widget, "value", str(v)), "text")
    return None


def _show_slider(widget: Any, value: Any) -> None:
    widget.min, widget.max = min(widget.min, value), max(widget.max, value)
    widget.value = value


def control_for(param: Param, value: Any, *, owner: str = "", limits: tuple | None = None, depth: int = 0) -> Control:
    """Build the control for ``param`` showing ``value``, from the declaration alone.

    ``Int``/``Float`` with both bounds become sliders (an integer range wider than
    1000 steps a text box), unbounded numbers text boxes, ``Options`` a dropdown,
    ``Bool`` a checkbox, ``Str`` a text box, ``Optional(x)`` x's control with a "None"
    tick box, ``ListOf(ComponentOf(...))`` a list editor (add, remove, move up and down,
    each component with its own controls), ``MapOf(x)`` key/value rows, ``AnyOf(...)``
    a choice of the alternatives with the chosen one's control (one number box for "an
    int or a float"), lists of names or numbers plain text (one name per line, numbers
    separated by commas), date text a date picker with an optional time of day, and
    anything else (or lists and maps longer than 20 items) a JSON text area read with the
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
        structured = _structured(param, c, value, common, owner, depth)
        if structured is not None:
            return structured
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

    # The tick box keeps its size; the control beside it gives way in a narrow column.
    none = w.Checkbox(value=is_none, description="None", indent=False, layout=w.Layout(width="auto", flex="0 0 auto"))
    none.add_class("synthbench-none")
    inner.widget.layout.flex = "0 1 auto"
    inner.widget.layout.min_width = "0"
    box = w.HBox([inner.widget, none], layout=w.Layout(align_items="center"))

    def disable(off: bool) -> None:
        for widget in inner.inputs:
            widget.disabled = off

    disable(is_none)

    def read() -> Any:
        disable(none.value)
        return None if none.value else inner.read()

    def show(value: Any) -> None:
        none.value = value is None
        disable(value is None)
        if value is not None:
            inner.show(value)

    return Control(param, box, read, show, f"optional {inner.kind}", input=inner.input, inputs=[*inner.inputs, none])


# -- editors for lists of components, maps and alternatives ------------------------------------
def _structured(param: Param, c: Constraint, value: Any, common: dict, owner: str, depth: int) -> Control | None:
    """A row editor for ``c`` when it has one and ``value`` is small enough, else None."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(c, ListOf) and isinstance(c.item, ComponentOf) and len(value) <= MAX_ROWS:
        return _ListEditor(param, c, value, common, owner, depth).control
    if isinstance(c, MapOf) and len(value) <= MAX_ROWS and _simple(c.value):
        return _MapEditor(param, c, value, common, owner, depth).control
    if isinstance(c, AnyOf) and all(isinstance(o, (Int, Float)) for o in c.options):
        return _number(param, c, value, common, owner)
    if isinstance(c, AnyOf):
        return _choice(param, c, value, common, owner, depth)
    return None


def _number(param: Param, c: AnyOf, value: Any, common: dict, owner: str) -> Control:
    """One text box for "an int or a float": whole-number text reads as an int."""
    import ipywidgets as w

    widget = w.Text(value=repr(value), continuous_update=False, layout=w.Layout(width=CONTROL_WIDTH), **common)

    def read() -> Any:
        text = widget.value.strip()
        try:
            number: Any = int(text)
        except ValueError:
            number = _parse_number(text, float, param.name, owner)
        if not c.is_satisfied_by(number):
            raise InvalidParameterError(
                f"The {param.name!r} parameter{_of(owner)} must be {c.describe()}. Got {text!r} instead."
            )
        return number

    return Control(param, widget, read, lambda v: setattr(widget, "value", repr(v)), "number")


def _simple(c: Constraint) -> bool:
    """Values with a one-widget control (what a map row can hold)."""
    if isinstance(c, Optional):
        return _simple(c.inner)
    if isinstance(c, AnyOf):
        return all(_simple(o) for o in c.options)
    return isinstance(c, (Bool, Options, Int, Float, Str))


def _button(label: str, tip: str, width: str = "auto") -> Any:
    import ipywidgets as w

    b = w.Button(description=label, tooltip=tip, layout=w.Layout(width=width, min_width="max-content"))
    b.add_class("synthbench-" + tip.split()[0].lower())
    return b


class _Rows:
    """What the list and map editors share: rows rebuilt from a value, edits sent as one."""

    def __init__(self, param: Param, common: dict, owner: str, depth: int) -> None:
        import ipywidgets as w

        self.param, self.common, self.owner, self.depth = param, common, owner, depth
        self.callbacks: list[Callable[[], None]] = []
        self.rows = w.VBox(layout=w.Layout(border="1px solid #ddd", padding="2px 4px", margin="2px 0"))
        self.label = w.HTML(f"<b>{param.name}</b>", layout=w.Layout(width=LABEL_WIDTH))
        self.label.add_class("synthbench-list-label")

    def edited(self) -> None:
        for callback in self.callbacks:
            callback()

    def subscribe(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def wire(self, control: Control) -> None:
        """Edits inside a row are edits of the whole value."""
        control.on_edit(self.edited)


class _ListEditor(_Rows):
    """A list of components: one box per item with its controls and up/down/remove buttons."""

    def __init__(self, param: Param, c: ListOf, value: Any, common: dict, owner: str, depth: int) -> None:
        import ipywidgets as w

        super().__init__(param, common, owner, depth)
        self.c = c
        self.kinds = dict(c.item.kinds)
        self.items: list[tuple[type, dict[str, Control]]] = []
        self.new_kind = w.Dropdown(options=sorted(self.kinds), layout=w.Layout(width="160px"))
        add = _button("Add", f"add a {c.item.what} of the chosen kind")
        add.on_click(lambda _: self.add(self.new_kind.value))
        self.show(value)
        footer = w.HBox([self.new_kind, add])
        box = w.VBox([self.label, self.rows, footer])
        box.add_class("synthbench-list-editor")
        self.control = Control(param, box, self.read, self.show, "list", inputs=[], subscribe=self.subscribe)

    def _item_box(self, i: int, kind: type, controls: dict[str, Control]) -> Any:
        import ipywidgets as w

        up, down = _button("\u2191", "move up", "32px"), _button("\u2193", "move down", "32px")
        remove = _button("Remove", f"remove item {i + 1}")
        up.on_click(lambda _: self.move(i, -1))
        down.on_click(lambda _: self.move(i, 1))
        remove.on_click(lambda _: self.remove(i))
        head = w.HBox([w.HTML(f"<b>{i + 1}. {kind.__name__}</b>", layout=w.Layout(width="150px")), up, down, remove])
        item = w.VBox([head, *(ctl.widget for ctl in controls.values())])
        item.add_class("synthbench-list-item")
        return item

    def _controls(self, component: Any) -> dict[str, Control]:
        kind = type(component)
        controls = {}
        for p in kind.params:
            ctl = control_for(p, getattr(component, p.name), owner=kind.__name__, depth=self.depth + 1)
            self.wire(ctl)
            controls[p.name] = ctl
        return controls

    def _render(self) -> None:
        self.rows.children = [self._item_box(i, kind, ctls) for i, (kind, ctls) in enumerate(self.items)]

    def show(self, value: Any) -> None:
        """Rows for exactly the components of ``value`` (kept when they show it already)."""
        if _holds(self, self.c, value):
            return
        self.items = [(type(v), self._controls(v)) for v in value]
        self._render()

    def read(self) -> tuple:
        out = []
        for kind, controls in self.items:
            out.append(kind(**{name: ctl.read() for name, ctl in controls.items()}))
        return tuple(out)

    def add(self, kind_name: str) -> None:
        kind = self.kinds[kind_name]
        self.items.append((kind, self._controls(kind())))
        self._render()
        self.edited()

    def remove(self, i: int) -> None:
        del self.items[i]
        self._render()
        self.edited()

    def move(self, i: int, step: int) -> None:
        j = i + step
        if 0 <= j < len(self.items):
            self.items[i], self.items[j] = self.items[j], self.items[i]
            self._render()
            self.edited()


class _MapEditor(_Rows):
    """A mapping: one row per key (a text box, the value's control, a remove button)."""

    def __init__(self, param: Param, c: MapOf, value: Any, common: dict, owner: str, depth: int) -> None:
        import ipywidgets as w

        super().__init__(param, common, owner, depth)
        self.c = c
        self.entries: list[tuple[Any, Control]] = []
        add = _button("Add entry", "add a key and its value")
        add.on_click(lambda _: self.add())
        # A key and its value are one edit: a new row or a renamed key applies with "Apply"
        # (or with the next value change), never half-typed.
        apply = _button("Apply", "apply the keys and values together")
        apply.on_click(lambda _: self.edited())
        self.show(value)
        box = w.VBox([self.label, self.rows, w.HBox([add, apply])])
        box.add_class("synthbench-map-editor")
        self.control = Control(param, box, self.read, self.show, "map", inputs=[], subscribe=self.subscribe)

    def _entry(self, key: str, value: Any) -> tuple[Any, Control]:
        import ipywidgets as w

        key_box = w.Text(value=key, placeholder="key", continuous_update=False, layout=w.Layout(width="120px"))
        key_box.add_class("synthbench-map-key")
        inner = Param("value", self.c.value, None, self.param.help)
        ctl = control_for(inner, value, owner=self.owner, depth=self.depth + 1)
        ctl.input.description = ""
        ctl.input.layout.width = "180px"
        self.wire(ctl)
        return key_box, ctl

    def _render(self) -> None:
        import ipywidgets as w

        rows = []
        for i, (key_box, ctl) in enumerate(self.entries):
            remove = _button("Remove", f"remove entry {i + 1}")
            remove.on_click(lambda _, i=i: self.remove(i))
            rows.append(w.HBox([key_box, ctl.widget, remove]))
        self.rows.children = rows

    def show(self, value: Any) -> None:
        if _holds(self, self.c, value):
            return
        self.entries = [self._entry(str(k), v) for k, v in value.items()]
        self._render()

    def read(self) -> dict:
        out = {}
        for key_box, ctl in self.entries:
            key = key_box.value
            if key in out:
                raise InvalidParameterError(
                    f"The {self.param.name!r} parameter{_of(self.owner)} must have distinct keys. Got {key!r} twice."
                )
            out[key] = ctl.read()
        return out

    def add(self) -> None:
        taken = {k.value for k, _ in self.entries}
        key = next(f"key{i}" for i in range(1, len(taken) + 2) if f"key{i}" not in taken)
        self.entries.append(self._entry(key, _neutral(self.c.value, None)))
        self._render()

    def remove(self, i: int) -> None:
        del self.entries[i]
        self._render()
        self.edited()


def _choice(param: Param, c: AnyOf, value: Any, common: dict, owner: str, depth: int) -> Control | None:
    """A dropdown of ``c``'s alternatives and the chosen alternative's control."""
    import ipywidgets as w

    chosen = next(i for i, o in enumerate(c.options) if o.is_satisfied_by(value))
    names = [_short(o) for o in c.options]
    pick = w.Dropdown(options=list(zip(names, range(len(names)), strict=True)), value=chosen, **common)
    pick.layout = w.Layout(width=CONTROL_WIDTH)
    pick.add_class("synthbench-choice")
    holder = w.VBox()
    callbacks: list[Callable[[], None]] = []
    inner: dict[int, Control] = {}
    showing = [False]  # True while show() moves the dropdown: not an edit

    def build(i: int, shown: Any) -> Control:
        sub = Param(param.name, c.options[i], None, param.help)
        ctl = control_for(sub, shown, owner=owner, depth=depth)
        ctl.widget.description = ""
        for cb in callbacks:
            ctl.on_edit(cb)
        inner[i] = ctl
        return ctl

    def display(i: int, shown: Any) -> None:
        holder.children = [build(i, shown).widget]

    def read() -> Any:
        return inner[pick.value].read()

    def show(v: Any) -> None:
        i = next((k for k, o in enumerate(c.options) if o.is_satisfied_by(v)), pick.value)
        if i == pick.value and i in inner:
            inner[i].show(v)
            return
        showing[0] = True
        try:
            pick.value = i
        finally:
            showing[0] = False
        display(i, v)

    def switched(change: dict) -> None:
        if showing[0]:
            return
        i = change["new"]
        option = c.options[i]
        default = param.default if option.is_satisfied_by(param.default) else _neutral(option, None)
        if isinstance(option, MapOf) and not option.is_satisfied_by(default):
            # An empty map to fill in: the edit counts once it has a valid entry.
            inner[i] = _map_control(param, option, common, owner, depth, callbacks)
            holder.children = [inner[i].widget]
            return
        display(i, default)
        if option.is_satisfied_by(param.default):  # the declared default: a complete edit
            for cb in callbacks:
                cb()

    def subscribe(callback: Callable[[], None]) -> None:
        callbacks.append(callback)
        for ctl in inner.values():
            ctl.on_edit(callback)

    display(chosen, value)
    pick.observe(switched, names="value")
    box = w.VBox([pick, holder])
    box.add_class("synthbench-anyof")
    return Control(param, box, read, show, "choice", input=pick, inputs=[], subscribe=subscribe)


def _short(c: Constraint) -> str:
    """A dropdown label for an alternative."""
    if isinstance(c, Options):
        return "a named choice"
    if isinstance(c, MapOf):
        return "per key"
    if isinstance(c, Float):
        return "a number"
    if isinstance(c, Int):
        return "a whole number"
    if isinstance(c, ListOf):
        return "a list"
    text = c.describe()
    return text if len(text) <= 40 else text[:39] + "\u2026"


def _map_control(
    param: Param, c: MapOf, common: dict, owner: str, depth: int, callbacks: list[Callable[[], None]]
) -> Control:
    """An empty map editor whose edits reach ``callbacks``."""
    editor = _MapEditor(Param(param.name, c, None, param.help), c, {}, common, owner, depth)
    editor.label.layout.display = "none"
    for cb in callbacks:
        editor.control.on_edit(cb)
    return editor.control


def _holds(editor: Any, c: Constraint, value: Any) -> bool:
    """Whether ``editor`` reads back ``value`` already (then its rows stay as they are)."""
    try:
        held = editor.read()
    except SynthbenchError:  # a row that does not read (e.g. text that is not a number)
        return False
    return c.is_satisfied_by(held) and c.is_satisfied_by(value) and c.to_json(held) == c.to_json(value)


def _split_date(value: Any) -> tuple[Any, str]:
    """``"2024-01-01 06:30"`` -> (date(2024, 1, 1), "06:30"); text that is no date -> (None, text)."""
    import datetime

    text = "" if value is None else str(value).strip()
    head, _, rest = text.replace("T", " ", 1).partition(" ")
    try:
        return datetime.date.fromisoformat(head), rest.strip()
    except ValueError:
        return None, text


def _date_control(param: Param, c: Str, value: Any, common: dict, owner: str) -> Control:
    """A date picker and an optional time of day, for parameters declared as date text."""
    import ipywidgets as w

    day, rest = _split_date(value)
    picker = w.DatePicker(value=day, **common)
    picker.layout = w.Layout(width="280px")
    picker.add_class("synthbench-date")
    clock = w.Text(value=rest, placeholder="time (optional)", continuous_update=False, layout=w.Layout(width="116px"))
    box = w.HBox([picker, clock])

    def read() -> Any:
        if picker.value is None:
            text = clock.value.strip()
            if not c.is_satisfied_by(text):
                raise InvalidParameterError(
                    f"The {param.name!r} parameter{_of(owner)} must be {c.describe()}. Got {text!r} instead."
                )
            return text
        time_of_day = clock.value.strip()
        return picker.value.isoformat() + (f" {time_of_day}" if time_of_day else "")

    def show(v: Any) -> None:
        picker.value, clock.value = _split_date(v)

    return Control(param, box, read, show, "date", input=picker, inputs=[picker, clock])


def _plain_items(value: Any) -> bool:
    """Items a text box holds one per line (no line breaks inside an item)."""
    items = value if isinstance(value, (list, tuple)) else ()
    return all(not (isinstance(v, str) and ("\n" in v or "\r" in v)) for v in items)


def _items_control(param: Param, c: ListOf, value: Any, common: dict, owner: str) -> Control:
    """A list of names or numbers as text: names one per line, numbers separated by commas."""
    import ipywidgets as w

    item = c.item
    numbers = isinstance(item, (Int, Float))
    kind = int if isinstance(item, Int) else float

    def text_of(v: Any) -> str:
        items = v if isinstance(v, (list, tuple)) else ()
        if numbers:
            return ", ".join(str(int(x)) if kind is int else repr(float(x)) for x in items)
        return "\n".join(str(x) for x in items)

    if numbers:
        widget = w.Text(value=text_of(value), continuous_update=False, layout=w.Layout(width=CONTROL_WIDTH), **common)
        widget.placeholder = "numbers separated by commas"
    else:
        widget = w.Textarea(
            value=text_of(value),
            continuous_update=False,
            layout=w.Layout(width=CONTROL_WIDTH, height="60px"),
            **common,
        )
        widget.placeholder = "one per line"

    def read() -> Any:
        if numbers:
            parts = [t.strip() for t in widget.value.split(",") if t.strip()]
            items = tuple(_parse_number(t, kind, param.name, owner) for t in parts)
        else:
            # Lines as typed (a name may hold spaces); blank lines are skipped.
            items = tuple(t for t in widget.value.splitlines() if t.strip())
        if not c.is_satisfied_by(items):
            raise InvalidParameterError(
                f"The {param.name!r} parameter{_of(owner)} must be {c.describe()}. Got {short_repr(items)} instead."
            )
        return items

    return Control(param, widget, read, lambda v: setattr(widget, "value", text_of(v)), "list")
