"""The neural generators' panel: train with a button, watch the loss and a live preview, stop.

A parameter change does not retrain on its own (a network takes seconds to minutes):
the panel says the model is out of date and the **Train** button fits it on the
panel's data in a background thread. After every epoch the loss curve (training
and validation) is redrawn; every ``preview_every`` epochs the preview, charts
and score show a sample from the weights being trained. **Stop** ends training
and keeps the best weights so far.

>>> import synthbench as sb                                                  # doctest: +SKIP
>>> from synthbench.data import load_penguins                                # doctest: +SKIP
>>> panel = NeuralPanel(sb.TabularVAE(epochs=50), load_penguins(), debounce=0)  # doctest: +SKIP
>>> panel.train(block=True)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import threading
import warnings
from typing import Any

import pandas as pd

from .model import PanelModel
from .panel import Panel

__all__ = ["NeuralPanel", "loss_svg"]


def loss_svg(history: list[dict[str, float]], width: int = 420, height: int = 150) -> str:
    """The training and validation loss per epoch as a small inline SVG (no chart library)."""
    if not history:
        return "<div class='synthbench-loss' style='color:#666'>No training yet: press Train.</div>"
    epochs = [h["epoch"] for h in history]
    series = {
        "training": [h["loss"] for h in history],
        "validation": [h["val_loss"] for h in history],
    }
    values = [v for vs in series.values() for v in vs if math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high <= low:
        high = low + 1.0
    last = max(epochs[-1], 2)
    pad = 30

    def xy(epoch: float, value: float) -> str:
        x = pad + (width - pad - 5) * (epoch - 1) / (last - 1)
        y = 5 + (height - pad) * (high - value) / (high - low)
        return f"{x:.1f},{y:.1f}"

    lines = []
    for vs, color in zip(series.values(), ("#1f77b4", "#ff7f0e"), strict=True):
        points = " ".join(xy(e, v) for e, v in zip(epochs, vs, strict=True) if math.isfinite(v))
        if points:
            lines.append(f"<polyline fill='none' stroke='{color}' stroke-width='1.5' points='{points}'/>")
    legend = (
        f"<text x='{pad}' y='{height - 4}' font-size='11' fill='#1f77b4'>training</text>"
        f"<text x='{pad + 70}' y='{height - 4}' font-size='11' fill='#ff7f0e'>validation</text>"
        f"<text x='{width - 5}' y='{height - 4}' font-size='11' text-anchor='end'>epoch {epochs[-1]}</text>"
        f"<text x='2' y='12' font-size='10'>{high:.3g}</text>"
        f"<text x='2' y='{height - pad + 5}' font-size='10'>{low:.3g}</text>"
    )
    return (
        f"<svg class='synthbench-loss' width='{width}' height='{height}' role='img' "
        f"aria-label='loss per epoch'>{''.join(lines)}{legend}</svg>"
    )


class TrainOnRequest(PanelModel):
    """A panel model that fits only a generator with no model yet: a seed, a row count or a
    parameter edit re-samples the model as it is, and training waits for the Train button."""

    def _fit(self) -> None:
        if not self.generator.is_fitted:
            super()._fit()

    def needs_fit(self) -> bool:
        return super().needs_fit() and not self.generator.is_fitted


class NeuralPanel(Panel):
    """A :class:`~synthbench.widgets.Panel` for :class:`TabularVAE` and :class:`ConditionalGAN`.

    Adds Train and Stop buttons, a loss curve and a preview refreshed every
    ``preview_every`` epochs while training. Without data it samples the generator
    as it is (its example, or a fitted generator you pass).
    """

    def __init__(self, generator: Any, data: pd.DataFrame | None = None, *, preview_every: int = 5, **kwargs: Any):
        import ipywidgets as w

        self.preview_every = max(1, int(preview_every))
        self.history: list[dict[str, float]] = []
        self.training = False
        self._stop = False
        self._thread: threading.Thread | None = None
        self._fitted_key: str | None = None
        self.train_button = w.Button(description="Train", button_style="primary", icon="play")
        self.stop_button = w.Button(description="Stop", icon="stop", disabled=True)
        self.train_button.add_class("synthbench-train")
        self.stop_button.add_class("synthbench-stop")
        self.train_button.on_click(lambda _: self.train())
        self.stop_button.on_click(lambda _: self.stop())
        self.loss_box = w.HTML(loss_svg([]))
        self.train_status = w.HTML()
        super().__init__(generator, data, **kwargs)
        if self.generator.is_fitted:
            self._fitted_key = self.model._fit_key()

    # -- layout --------------------------------------------------------------------------------
    def _param_widgets(self) -> list[Any]:
        import ipywidgets as w

        buttons = w.HBox([self.train_button, self.stop_button], layout=w.Layout(grid_gap="4px"))
        return [*super()._param_widgets(), buttons, self.train_status, self.loss_box]

    # -- fitting: only on request ---------------------------------------------------------------
    model_class = TrainOnRequest

    def _fit_and_sample(self) -> pd.DataFrame:
        """Train only when the generator has no model yet; parameter edits wait for Train."""
        if self.data is not None and not self.generator.is_fitted:
            self.train(block=True)
        self._render_training()
        return self.generator.sample(self.n, seed=self.seed)

    def _render_training(self) -> None:
        if self.training:
            last = self.history[-1] if self.history else None
            words = "training..." if last is None else f"training: epoch {last['epoch']:.0f} of {last['epochs']:.0f}"
        elif self.data is None:
            words = "No data: the panel samples the generator as it is."
        elif self._fitted_key is not None and self._fitted_key != self.model._fit_key():
            words = "Parameters changed since the model was trained: press Train to retrain."
        elif not self.history:
            words = "Model loaded as given (trained before): press Train to train it on this data."
        else:
            stopped = getattr(self.generator, "stopped_", "")
            words = f"Model trained ({len(self.history)} epochs{'; ' + stopped if stopped else ''})."
        self.train_status.value = f"<div class='synthbench-train-status'>{html.escape(words)}</div>"

    def train(self, block: bool = False) -> None:
        """Fit the generator on the panel's data; in a background thread unless ``block``."""
        if self.training or self.data is None:
            return
        self.training, self._stop = True, False
        self.history = []
        self.train_button.disabled, self.stop_button.disabled = True, False
        self._render_training()
        if block:
            self._train()
        else:
            self._thread = threading.Thread(target=self._train, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop training after the current epoch; the best weights so far are kept."""
        self._stop = True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background training to end (for scripts and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _callback(self, info: dict[str, Any]) -> bool:
        self.history.append({k: info[k] for k in ("epoch", "epochs", "loss", "val_loss", "seconds")})
        self.loss_box.value = loss_svg(self.history)
        self._render_training()
        if info["epoch"] % self.preview_every == 0:
            try:
                self.model.frame = info["preview"](self.n, self.seed)
                self.model.score()
                self._update_views()
                self._render_status()
            except Exception as exc:  # a preview from half-trained weights must never stop training
                self._show_error(f"The preview failed: {type(exc).__name__}: {exc}")
        return self._stop

    def _train(self) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a stop is the user's own request
                self.generator.fit(self.data, callback=self._callback)
            self._fitted_key = self.model._fit_key()
            self._show_error("")
        except Exception as exc:  # shown inline, never raised into the kernel
            self._show_error(str(exc) if isinstance(exc, (ValueError, TypeError)) else f"{type(exc).__name__}: {exc}")
        finally:
            self.training = False
            self.train_button.disabled, self.stop_button.disabled = False, True
        if self.generator.is_fitted and self._thread is not None:
            self.refresh()
        self._render_training()
