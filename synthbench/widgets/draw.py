"""Draw a dataset, watch a generator copy it: drawdata's scatter widget as a panel's real data.

``draw()`` shows drawdata's scatter canvas (points of up to four classes, "a" to "d")
above a generator panel. Each stroke becomes the panel's real frame (columns ``x``,
``y`` and ``label``): a fitted generator refits on it, a balancer resamples it, and the
charts and score compare the sample with what was drawn.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..exceptions import InvalidParameterError
from .families import panel
from .panel import Panel, _set_current

__all__ = ["DrawPanel", "draw"]

#: Points to draw before a generator is fitted on them.
MIN_POINTS = 10


def drawn_frame(points: list[dict[str, Any]]) -> pd.DataFrame:
    """drawdata's points (dicts with ``x``, ``y``, ``label``) as a frame: x, y and the class label.

    >>> drawn_frame([{"x": 1.0, "y": 2.0, "label": "a", "color": "#1f77b4", "batch": 0}])
    ... # doctest: +NORMALIZE_WHITESPACE
         x    y label
    0  1.0  2.0     a
    """
    frame = pd.DataFrame(points, columns=["x", "y", "label"])
    return frame.astype({"x": "float64", "y": "float64", "label": "str"})


class DrawPanel:
    """drawdata's scatter canvas above a live panel fitted on what is drawn.

    Parameters
    ----------
    generator : Generator, class or registered name
        What copies the drawing (default ``"GaussianCopula"``); a balancer needs
        ``target="label"``.
    n_classes : int
        Classes the canvas offers (1 to 4).
    width, height : int
        The canvas in pixels.
    options
        Passed to the panel (``n``, ``seed``, ``debounce``).

    Examples
    --------
    >>> d = DrawPanel(n=200, debounce=0)
    >>> d.panel is None  # nothing drawn yet
    True
    >>> d.scatter.data = [{"x": float(i), "y": float(i % 7), "label": "ab"[i % 2]} for i in range(40)]
    >>> d.panel.generator.is_fitted, len(d.panel.frame), list(d.panel.frame.columns)
    (True, 200, ['x', 'y', 'label'])
    """

    def __init__(
        self,
        generator: Any = "GaussianCopula",
        *,
        n_classes: int = 2,
        width: int = 480,
        height: int = 320,
        **options: Any,
    ) -> None:
        import ipywidgets as w

        try:
            from drawdata import ScatterWidget
        except ImportError:  # pragma: no cover - a dependency of synthbench
            raise InvalidParameterError("draw() needs the drawdata package: pip install drawdata") from None
        if not isinstance(n_classes, int) or not 1 <= n_classes <= 4:
            raise InvalidParameterError(
                f"The 'n_classes' parameter must be an int in [1, 4]. Got {n_classes!r} instead."
            )
        self.generator = generator
        self.options = options
        self.scatter = ScatterWidget(n_classes=n_classes, width=width, height=height)
        self.scatter.add_class("synthbench-draw")
        self.message = w.HTML(f"Draw at least {MIN_POINTS} points: the panel below fits a generator on them.")
        self.message.add_class("synthbench-draw-message")
        self.holder = w.VBox()
        self.panel: Panel | None = None
        self.scatter.observe(lambda _: self.follow(), names="data")
        self.widget = w.VBox([self.scatter, self.message, self.holder])
        self.widget.add_class("synthbench-draw-panel")

    @property
    def data(self) -> pd.DataFrame:
        """What is drawn, as a frame (``x``, ``y``, ``label``)."""
        return drawn_frame(self.scatter.data)

    def follow(self) -> None:
        """Fit the panel on the drawing (the first time: build it)."""
        frame = self.data
        if len(frame) < MIN_POINTS:
            self.message.value = f"{len(frame)} of {MIN_POINTS} points drawn: keep drawing."
            return
        self.message.value = f"{len(frame)} points drawn; the generator below follows each stroke."
        if self.panel is None:
            self.panel = panel(self.generator, frame, **self.options)
            self.holder.children = (self.panel.widget,)
        else:
            self.panel.set_data(frame)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if self.panel is not None:
            _set_current(self.panel)
        return self.widget._repr_mimebundle_(**kwargs)


def draw(generator: Any = "GaussianCopula", **options: Any) -> DrawPanel:
    """Draw points of a few classes and watch ``generator`` copy them (see :class:`DrawPanel`)."""
    return DrawPanel(generator, **options)
