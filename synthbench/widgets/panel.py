"""The generator panel: controls from declarations, a live preview, charts and export."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import html
import json
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import DataError, InvalidParameterError
from .controls import Control, control_for
from .model import FIT_CACHE, PREVIEW_ROWS, SCORE_ROWS, PanelModel, as_generator, check_data_name

__all__ = ["FIT_CACHE", "ExportedCell", "Panel", "current_panel", "frame_hash", "timeseries_buckets"]

MAX_HEATMAP = 12
#: An update expected to take longer than this (seconds) shows the progress bar first.
PROGRESS_AFTER = 0.3


def current_panel() -> Panel | None:
    """The panel created or used last (what ``%synthbench export`` exports)."""
    return Panel.last_used()


def _set_current(panel: Panel) -> None:
    Panel.last_used = weakref.ref(panel)


def frame_hash(df: pd.DataFrame) -> str:
    """A short, stable fingerprint of a frame's values, index, columns and dtypes.

    Arrow-backed text is hashed from its buffers (a 100k-row id column in about 2 ms
    instead of 80), other columns through pandas' value hashing.

    >>> import pandas as pd
    >>> frame_hash(pd.DataFrame({"a": [1, 2]})) == frame_hash(pd.DataFrame({"a": [1, 2]}))
    True
    >>> frame_hash(pd.DataFrame({"a": [1, 2]})) == frame_hash(pd.DataFrame({"a": [2, 1]}))
    False
    """
    digest = hashlib.blake2b(digest_size=6)
    digest.update(repr([(str(c), str(t)) for c, t in zip(df.columns, df.dtypes, strict=True)]).encode())
    index = df.index
    if isinstance(index, pd.RangeIndex):
        digest.update(repr((index.start, index.stop, index.step)).encode())
    else:
        digest.update(pd.util.hash_pandas_object(index, index=False).to_numpy().tobytes())
    for _, column in df.items():
        for part in _column_bytes(column):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
    return digest.hexdigest()


def _column_bytes(column: pd.Series) -> list[bytes]:
    """A column's values as bytes: equal values, equal bytes."""
    dtype = column.dtype
    if getattr(dtype, "storage", None) == "pyarrow" and pd.api.types.is_string_dtype(dtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(column)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        missing = arr.is_null().to_numpy(zero_copy_only=False)
        arr = pc.fill_null(arr, "").cast(pa.large_string())
        buffers = arr.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
        text = buffers[2].to_pybytes()[offsets[0] : offsets[-1]] if buffers[2] is not None else b""
        return [missing.tobytes(), (offsets - offsets[0]).tobytes(), text]
    return [pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes()]


@functools.cache
def _ensure_offline() -> None:
    """Let JupyterChart render without a CDN (once per process)."""
    import altair as alt

    # Without vl-convert-python the chart falls back to online rendering (a CDN).
    with contextlib.suppress(ImportError):
        alt.JupyterChart.enable_offline()


def timeseries_buckets(
    reference: pd.DataFrame,
    synthetic: pd.DataFrame,
    time_column: str,
    column: str,
    *,
    labels: tuple[str, str] = ("real", "synthetic"),
    max_points: int = 300,
) -> pd.DataFrame:
    """Mean of ``column`` per time bucket on both sides, at most ``max_points`` buckets.

    Several entities are averaged per bucket; the result is the long table that
    :func:`synthbench.charts.timeseries_chart` draws.

    >>> import pandas as pd
    >>> t = pd.date_range("2024-01-01", periods=1000, freq="h")
    >>> a = pd.DataFrame({"timestamp": t, "v": range(1000)})
    >>> out = timeseries_buckets(a, a, "timestamp", "v", max_points=10)
    >>> len(out), sorted(out["source"].unique())
    (20, ['real', 'synthetic'])
    """
    parts = []
    frames = [(labels[0], reference), (labels[1], synthetic)]
    times = [pd.to_datetime(f[time_column]) for _, f in frames if column in f and time_column in f]
    if not times:
        raise DataError(f"Both frames need the columns {time_column!r} and {column!r}.")
    lo = min(t.min() for t in times)
    hi = max(t.max() for t in times)
    edges = pd.date_range(lo, hi, periods=max_points + 1) if hi > lo else pd.DatetimeIndex([lo, lo])
    for label, frame in frames:
        if column not in frame or time_column not in frame:
            continue
        # Microseconds: nanoseconds overflow past the year 2262 (long daily series get there).
        ts = pd.to_datetime(frame[time_column]).to_numpy().astype("datetime64[us]").astype("int64")
        bounds = edges.to_numpy().astype("datetime64[us]").astype("int64") if hi > lo else ts[:1]
        codes = np.clip(np.searchsorted(bounds, ts, side="right") - 1, 0, max_points - 1)
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
        ok = ~np.isnan(values)
        sums = np.bincount(codes[ok], weights=values[ok], minlength=max_points)
        counts = np.bincount(codes[ok], minlength=max_points)
        keep = counts > 0
        mid = edges[:-1][keep[: len(edges) - 1]] if hi > lo else edges[:1]
        parts.append(pd.DataFrame({"time": mid, "value": sums[keep] / counts[keep], "source": label}))
    return pd.concat(parts, ignore_index=True)


def data_name_in_notebook(data: Any) -> str | None:
    """The notebook variable bound to ``data`` (the same object), if IPython runs and has one.

    Names IPython makes itself (``_``, ``_5``, ``Out``) are skipped; the first user name wins.

    >>> data_name_in_notebook(object()) is None
    True
    """
    if data is None:
        return None
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipywidgets
        return None
    shell = get_ipython()
    if shell is None:
        return None
    for name, value in list(shell.user_ns.items()):
        if value is data and not name.startswith("_") and name not in ("Out", "In"):
            return name
    return None


class ExportedCell:
    """What :meth:`Panel.export` returns: the code, shown as one short line, not as a string.

    ``str(cell)`` and ``cell.code`` are the code; ``cell.inserted`` says whether it went
    into the notebook as the next cell.

    >>> cell = ExportedCell("df = 1", inserted=False)
    >>> cell
    <exported code: 1 line, not inserted (no notebook); str() or .code has it>
    >>> str(cell)
    'df = 1'
    """

    def __init__(self, code: str, *, inserted: bool) -> None:
        self.code = code
        self.inserted = inserted

    def __str__(self) -> str:
        return self.code

    def _lines(self) -> str:
        n = len(self.code.splitlines())
        return f"{n} line" + ("" if n == 1 else "s")

    def __repr__(self) -> str:
        where = "inserted as the next cell" if self.inserted else "not inserted (no notebook); str() or .code has it"
        return f"<exported code: {self._lines()}, {where}>"

    def _repr_html_(self) -> str:
        where = "inserted below as the next cell" if self.inserted else "ready (str() or .code has it)"
        return f'<span class="synthbench-exported">Exported code ({self._lines()}), {where}.</span>'


def _charts() -> Any:
    from .. import charts

    return charts


_WIDTH_ESM = """
function render({ model, el }) {
  el.dataset.probe = "ready";
  let timer = null;
  const report = () => {
    const w = Math.floor(el.getBoundingClientRect().width);
    el.dataset.seen = String(w);
    if (w > 0 && Math.abs(w - model.get("width")) >= 8) {
      model.set("width", w);
      model.save_changes();
    }
  };
  const observer = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(report, 120); });
  observer.observe(el);
  return () => { observer.disconnect(); clearTimeout(timer); };
}
export default { render };
"""


@functools.cache
def _width_probe_class() -> type:
    import anywidget
    import traitlets

    class WidthProbe(anywidget.AnyWidget):
        """Reports the width (px) the browser gives it."""

        _esm = _WIDTH_ESM
        width = traitlets.Int(0).tag(sync=True)

    return WidthProbe


def _width_probe() -> Any:
    """A one-pixel-high anywidget that reports the width it is given in the browser."""
    import ipywidgets as w

    probe = _width_probe_class()(layout=w.Layout(width="100%", height="1px"))
    probe.add_class("synthbench-width-probe")
    return probe


_as_generator = as_generator


class Panel:
    """A live panel for one generator: controls, preview, charts, score and export.

    The view of a :class:`~synthbench.widgets.model.PanelModel` (``panel.model``), which
    holds the generator, the data, the sample and its results; the panel turns control
    edits into model updates and renders the model.

    Parameters
    ----------
    generator : Generator, generator class or registered name
        What to drive. A class or a name starts from its ``example()``.
    data : DataFrame, optional
        The real frame. Generators that learn are fitted on it (once per fitting
        parameters) and the charts compare against it (with the quality score).
        Without it the charts show the synthetic side alone.
    data_name : str, optional
        The notebook variable that holds ``data``: exported code of generators that read
        the data (balancing) reads this variable. Default: the notebook variable bound
        to ``data``, found in IPython's namespace; if there is none, the code reads
        ``df_real`` and its first line says to define it.
    n : int
        Rows per preview sample (ignored by generators whose size comes from the data);
        above 1,000,000 only with ``allow_large=True`` (or the "allow large" box).
    seed : int
        The seed of every preview sample and of the exported code.
    debounce : float
        Seconds to wait after a change before re-sampling (0: at once). Outside a
        running event loop (plain Python) changes apply at once.
    score_rows : int
        Rows of the sample the score and charts read (the first ones; said on screen).
    allow_large : bool
        Allow previews above 1,000,000 rows.

    Examples
    --------
    >>> import synthbench as sb
    >>> panel = Panel(sb.Moons(noise=0.1), n=200, seed=1, debounce=0)
    >>> panel.set(noise=0.3)
    True
    >>> panel.generator.noise, len(panel.frame)
    (0.3, 200)
    >>> panel.code == sb.Moons(noise=0.3).to_code(200, seed=1)
    True
    """

    #: The panel created or used last (a weak reference): what ``%synthbench export``
    #: exports, as matplotlib's current figure is what ``plt.savefig`` saves.
    last_used: ClassVar[Callable[[], Panel | None]] = staticmethod(lambda: None)
    #: The model class that holds the panel's state and does its work (subclasses may
    #: change how it fits, e.g. only on request).
    model_class: ClassVar[type[PanelModel]] = PanelModel

    def __init__(
        self,
        generator: Any,
        data: pd.DataFrame | None = None,
        *,
        data_name: str | None = None,
        n: int = 1000,
        seed: int = 0,
        debounce: float = 0.2,
        score_rows: int = SCORE_ROWS,
        allow_large: bool = False,
    ) -> None:
        import ipywidgets as w

        if data_name is None:
            data_name = data_name_in_notebook(data)
        self.model = self.model_class(
            generator, data, data_name=data_name, n=n, seed=seed, score_rows=score_rows, allow_large=allow_large
        )
        self.debounce = float(debounce)
        self.chart_width = _charts().WIDTH
        self._muted = False
        self._drawing_off = False
        self.chart_data: dict[str, Any] = {}
        #: The charts as one Vega-Lite dict (what the chart widget shows).
        self.spec: dict[str, Any] | None = None
        self._chart: tuple[dict, Any] | None = None
        self.error = ""
        self._pending: Any = None
        #: Whether a refit runs in a background thread (see :meth:`refresh`).
        self.fitting = False
        self._chart_widget: Any = None
        self._code_shown: tuple | None = None

        self.error_box = w.HTML(layout=w.Layout(min_height="0px"))
        self.error_box.add_class("synthbench-error-box")
        self.status = w.HTML()
        self.status.add_class("synthbench-status-box")
        self.score_box = w.HTML()
        self.score_box.add_class("synthbench-score-box")
        self.preview = w.HTML(layout=w.Layout(overflow="auto", max_height="280px"))
        self.preview.add_class("synthbench-preview")
        self.progress = w.FloatProgress(value=0, min=0, max=1, description="working", layout=w.Layout(display="none"))
        self.progress.add_class("synthbench-progress")
        self.column = w.Dropdown(description="column", options=[], layout=w.Layout(width="320px"))
        self.column.observe(lambda _: self._on_column(), names="value")
        self.code_box = w.HTML()
        self.code_box.add_class("synthbench-code")
        self.export_box = w.HTML()
        self.controls = self._build_controls()
        self._setup_row = self._build_setup()
        self.chart_out = w.VBox(layout=w.Layout(overflow="auto", max_width="100%"))
        self.chart_out.add_class("synthbench-chart")
        # Measures the chart area in the browser; the charts are rebuilt to that width.
        self.width_probe = _width_probe()
        self.width_probe.observe(lambda c: self.set_chart_width(c["new"]), names="width")

        self.widget = self._layout()
        self.widget.add_class("synthbench-panel")
        self.refresh()
        _set_current(self)

    # -- the model's state, read through the panel (subclasses use these) ------------------
    @property
    def generator(self) -> Any:
        return self.model.generator

    @property
    def data(self) -> pd.DataFrame | None:
        return self.model.data

    @property
    def reference(self) -> pd.DataFrame | None:
        """The real frame the charts compare with (None: the sample alone)."""
        return self.model.reference

    @property
    def data_name(self) -> str | None:
        return self.model.data_name

    @data_name.setter
    def data_name(self, name: str | None) -> None:
        self.model.data_name = None if name is None else check_data_name(name)

    @property
    def frame(self) -> pd.DataFrame | None:
        """The current (last good) sample."""
        return self.model.frame

    @property
    def report(self) -> Any:
        return self.model.report

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    @property
    def n(self) -> int:
        return self.model.n

    @property
    def seed(self) -> int:
        return self.model.seed

    @property
    def version(self) -> int:
        return self.model.version

    @property
    def seconds(self) -> float:
        return self.model.seconds

    # -- building -----------------------------------------------------------------------
    def _build_controls(self) -> dict[str, Control]:
        controls = {}
        gen = self.generator
        limits = self.limits()
        for p in type(gen).params:
            control = control_for(p, getattr(gen, p.name), owner=type(gen).__name__, limits=limits.get(p.name))
            control.widget.add_class(f"synthbench-param-{p.name}")
            control.on_edit(lambda name=p.name: self._on_control(name))
            controls[p.name] = control
        return controls

    def limits(self) -> dict[str, tuple[int, int]]:
        """Slider ranges narrower than the declarations, from the data (subclasses fill it)."""
        return {}

    def _build_setup(self) -> Any:
        import ipywidgets as w

        self.n_box = w.BoundedIntText(
            value=self.n,
            min=max(1, self.generator.min_rows),
            max=2**62,
            description="rows",
            layout=w.Layout(width="200px"),
        )
        self.seed_box = w.BoundedIntText(
            value=self.seed, min=0, max=2**32 - 1, description="seed", layout=w.Layout(width="200px")
        )
        self.large_box = w.Checkbox(
            value=self.model.allow_large,
            description=f"allow large (over {PREVIEW_ROWS:,} rows)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.large_box.add_class("synthbench-allow-large")
        self.n_box.add_class("synthbench-rows")
        self.seed_box.add_class("synthbench-seed")
        self.n_box.observe(lambda c: self._on_setup(n=c["new"]), names="value")
        self.seed_box.observe(lambda c: self._on_setup(seed=c["new"]), names="value")
        self.large_box.observe(lambda c: self._on_setup(allow_large=c["new"]), names="value")
        row = w.VBox([w.HBox([self.n_box, self.seed_box]), self.large_box])
        if self.generator.size_from_data:
            self.n_box.layout.display = "none"
            self.large_box.layout.display = "none"
        return row

    def _param_widgets(self) -> list[Any]:
        return [c.widget for c in self.controls.values()]

    def _layout(self) -> Any:
        import ipywidgets as w

        self.spec_path = w.Text(
            value=f"{type(self.generator).__name__.lower()}.json",
            description="spec file",
            layout=w.Layout(width="260px"),
            style={"description_width": "60px"},
        )
        buttons = []
        for label, action in (
            ("Save spec", self._click_save),
            ("Load spec", self._click_load),
            ("Download data", self._click_csv),
        ):
            b = w.Button(description=label, layout=w.Layout(width="auto", min_width="max-content"))
            b.on_click(action)
            b.add_class("synthbench-" + label.lower().replace(" ", "-"))
            buttons.append(b)
        row = w.HBox([self.spec_path, *buttons], layout=w.Layout(flex_flow="row wrap", grid_gap="4px"))
        export = w.VBox([self.code_box, row, self.export_box])
        pages = [("Charts", w.VBox([self.column, self.chart_out])), ("Preview", self.preview), ("Export", export)]
        pages += self.extra_tabs()
        self.tabs = w.Tab(children=[page for _, page in pages])
        for i, (title, _) in enumerate(pages):
            self.tabs.set_title(i, title)
        # The code is written when the Export tab is opened, not on every change.
        self.tabs.observe(lambda _: self._show_code(), names="selected_index")
        title = w.HTML(
            f"<b>{html.escape(type(self.generator).__name__)}</b> "
            f"<span style='color:#666'>({html.escape(self.generator.family)})</span>"
        )
        left = w.VBox([title, self._setup_row, *self._param_widgets()], layout=w.Layout(min_width="440px"))
        right = w.VBox(
            [self.status, self.error_box, self.score_box, self.progress, self.tabs],
            layout=w.Layout(flex="1 1 auto", min_width="0px"),
        )
        return w.HBox([left, right])

    def extra_tabs(self) -> list[tuple[str, Any]]:
        """Tabs after Export, as (title, widget): a "Privacy" tab for generators fitted on the
        panel's data (see :mod:`synthbench.widgets.privacy`); subclasses may add their own."""
        gen = self.generator
        if gen.learns and not gen.size_from_data and self.data is not None:
            from .privacy import PrivacyTab

            self.privacy_tab = PrivacyTab(self)
            return [("Privacy", self.privacy_tab.widget)]
        return []

    # -- events -------------------------------------------------------------------------
    def _on_control(self, name: str) -> None:
        if self._muted:
            return
        _set_current(self)
        try:
            value = self.controls[name].read()
        except InvalidParameterError as exc:
            self._sync_controls()  # the control shows what the generator holds; the error says what was refused
            self._show_error(str(exc))
            return
        self.generator.set_params(**{name: value})
        self.schedule()

    def _on_setup(self, **changes: Any) -> None:
        if self._muted:
            return
        _set_current(self)
        model = self.model
        if "allow_large" in changes:
            model.allow_large = bool(changes["allow_large"])
            changes = {"n": self.n_box.value}
        try:
            if "n" in changes:
                model.n = model._check_rows(changes["n"])
            if "seed" in changes:
                model.seed = int(changes["seed"])
        except InvalidParameterError as exc:
            self._sync_setup()
            self._show_error(str(exc))
            return
        self.schedule()

    def set_data(self, data: pd.DataFrame, *, data_name: str | None = None) -> bool:
        """Compare with (and fit on) a new real frame; the controls' ranges follow it."""
        _set_current(self)
        self.model.data = data  # limits() read it before the update
        self._sync_controls()
        model_ok = self.model.set_data(data, data_name=data_name)
        self._after_update(model_ok)
        return model_ok

    def set(self, **params: Any) -> bool:
        """Set generator parameters together (as a control would) and re-sample at once.

        Returns True if the new values were good; otherwise the error is shown, the
        previous parameters are restored and False is returned. The controls show what
        the generator holds either way.
        """
        _set_current(self)
        self.generator.set_params(**params)
        return self.refresh()

    def _sync_setup(self) -> None:
        hold, self._muted = self._muted, True
        try:
            self.n_box.value = self.n
            self.seed_box.value = self.seed
        finally:
            self._muted = hold

    def _sync_controls(self) -> None:
        """Show in every control the value the generator holds (after any change or error)."""
        hold, self._muted = self._muted, True
        try:
            limits = self.limits()
            for name, control in self.controls.items():
                if name in limits:
                    control.set_range(*limits[name])
                control.show(getattr(self.generator, name))
        finally:
            self._muted = hold

    def schedule(self) -> None:
        """Re-sample after ``debounce`` seconds of quiet (at once without an event loop)."""
        if self._muted:
            return
        if self.debounce <= 0:
            self.refresh()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.refresh()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.debounce, self.refresh)

    # -- the work -----------------------------------------------------------------------
    def _fit_and_sample(self) -> pd.DataFrame:
        """The new sample (subclasses may sample differently, e.g. one table of several)."""
        return self.model.fit_and_sample()

    def refresh(self) -> bool:
        """Fit (if the generator learns from the panel's data), sample and update every view.

        A bad parameter leaves the last good preview and charts, shows the error and
        restores the last good parameters; returns whether the update succeeded. An
        update expected to take over 0.3 s shows a progress bar while it runs; if it
        refits, in a notebook (a running event loop) the fit runs in a background thread
        and the notebook stays free: see :attr:`fitting`.
        """
        return self._refresh(background=True)

    def _refresh(self, *, background: bool) -> bool:
        self._pending = None
        if self.fitting:
            return True  # a refit runs in the background: its end refreshes with the latest parameters
        model = self.model
        refit = model.needs_fit()
        if model.seconds + (model.fit_seconds if refit else 0.0) > PROGRESS_AFTER:  # expected
            self.progress.description = "refitting" if refit else "sampling"
            self.progress.bar_style = "info"
            self.progress.value = 0.5
            self.progress.layout.display = ""
            if background and refit and self.frame is not None and self._fit_in_background():
                return True
        ok = self.model.update(self._fit_and_sample)
        self._after_update(ok)
        return ok

    def _fit_in_background(self) -> bool:
        """Start the refit in a thread and return True, if the kernel's event loop runs.

        The notebook stays free meanwhile (other cells run); the last preview stays on
        screen with the progress bar; changes made during the fit wait for its end, and
        then one refresh applies them. Without a running loop (a script) it returns False
        and the caller fits at once.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        try:
            key, job = self.model.fit_job()
        except (ValueError, TypeError):
            return False  # parameters a fresh generator refuses: the update shows why
        self.fitting = True
        self.progress.description = "fitting..."
        self.progress.bar_style = "info"

        def work() -> None:
            state = None
            try:
                state = job()
            except (ValueError, TypeError):
                pass  # refused parameters: the kernel refits at once and shows the error
            finally:
                loop.call_soon_threadsafe(self._background_fit_done, key, state)

        threading.Thread(target=work, name="synthbench-fit", daemon=True).start()
        return True

    def _background_fit_done(self, key: str, state: dict[str, Any] | None) -> None:
        self.fitting = False
        if state is not None:
            self.model.keep_fit(key, state)
        # After a failed fit the kernel refits at once, to show the error (and not retry forever).
        self._refresh(background=state is not None)

    def _after_update(self, ok: bool) -> None:
        """Render the model after an update: controls, error or views, status."""
        self._sync_controls()
        self._sync_setup()
        if not ok:
            self._show_error(self.model.error)
        else:
            self._show_error("")
            self._update_views()
            self._render_status()
        self.progress.layout.display = "none"

    def _show_error(self, message: str) -> None:
        self.error = message
        self.error_box.value = (
            f'<div class="synthbench-error" style="color:#b00020;white-space:pre-wrap">&#9888; '
            f"{html.escape(message)}</div>"
            if message
            else ""
        )

    def _render_status(self) -> None:
        digest = frame_hash(self.frame)
        # Plain words on screen; the fingerprint and the timing are in the tooltip.
        tip = f"fingerprint of the sample: {digest}; updated in {1000 * self.seconds:.0f} milliseconds"
        self.status.value = (
            f'<div class="synthbench-status" data-version="{self.version}" data-hash="{digest}" title="{tip}">'
            f"Sample of {len(self.frame):,} rows and {self.frame.shape[1]} columns</div>"
        )

    def compute_views(self) -> None:
        """Take the chart data from the model's report, pick the column, build the chart (no widgets)."""
        self.chart_data = self.model.chart_data
        options = [*self.chart_data.get("histograms", {}), *self.chart_data.get("categories", {})]
        if list(self.column.options) != options:
            keep = self.column.value if self.column.value in options else self._default_column(options)
            hold, self._drawing_off = self._drawing_off, True
            self.column.options = options
            self.column.value = keep
            self._drawing_off = hold
        self.spec = self.build_spec()

    def _default_column(self, options: list) -> Any:
        return options[0] if options else None

    def set_chart_width(self, pixels: int) -> None:
        """Fit the charts to ``pixels`` (what the browser measured of the chart area)."""
        charts = _charts()
        width = int(min(charts.MAX_WIDTH, max(charts.MIN_WIDTH, int(pixels) - 12)))
        if abs(width - self.chart_width) < 8:
            return
        self.chart_width = width
        if self.frame is not None and self.chart_data:
            self.spec = self.build_spec()
            self._draw()

    def build_spec(self) -> dict[str, Any] | None:
        """The charts of :meth:`views`, one above the other, as one Vega-Lite dict."""
        return _charts().combine_specs(self.views())

    def build_chart(self) -> Any:
        """The charts of :meth:`views`, one above the other, as one Altair chart."""
        spec = self.build_spec()
        return None if spec is None else _charts()._as_chart(spec)

    @property
    def chart(self) -> Any:
        """The current charts as one Altair chart (made from :attr:`spec` when asked for)."""
        if self.spec is None:
            return None
        if self._chart is None or self._chart[0] is not self.spec:
            self._chart = (self.spec, _charts()._as_chart(self.spec))
        return self._chart[1]

    def views(self) -> list[Any]:
        """The comparison charts for the selected column (subclasses add family charts).

        Each view is a Vega-Lite dict (the ``*_spec`` functions of :mod:`synthbench.charts`,
        fast enough for every change) or an Altair chart.
        """
        charts = _charts()
        if not self.chart_data or self.column.value is None:
            return []
        views = [charts.column_spec(self.chart_data, self.column.value, labels=self.labels, width=self.chart_width)]
        corr = self.chart_data.get("correlations")
        if corr is not None and corr["column_1"].nunique() >= 2:
            # A heatmap stays readable (and small) with at most MAX_HEATMAP columns.
            names = list(dict.fromkeys(corr["column_1"]))[:MAX_HEATMAP]
            corr = corr[corr["column_1"].isin(names) & corr["column_2"].isin(names)]
            views.append(charts.correlation_spec(corr, labels=self.labels, width=self.chart_width))
        return views

    def _update_views(self) -> None:
        self.compute_views()
        self.preview.value = self.frame.head(10).to_html(classes="synthbench-table", border=0, max_cols=30)
        r = self.report
        if r is not None and self.reference is not None:
            model = self.model
            rows = (
                f" on the first {model.scored_rows:,} of {len(self.frame):,} rows"
                if model.scored_rows < len(self.frame)
                else ""
            )
            self.score_box.value = (
                f'<div class="synthbench-score">quality score <b>{100 * r.score:.1f}%</b> '
                f"(column shapes {100 * r.column_shapes_score:.1f}%, "
                f"pair trends {100 * r.column_pair_trends_score:.1f}%){rows}</div>"
            )
        self._show_code()
        self._draw()

    def _show_code(self) -> None:
        """Write the code into the Export tab, if it is open and the code changed."""
        if self.tabs.selected_index != 2 or self.frame is None:
            return
        key = (self.version, self.n, self.seed, self.data_name)
        if self._code_shown == key:
            return
        self._code_shown = key
        # The copy button is plain HTML: the browser copies the <pre> text, no kernel round trip.
        self.code_box.value = (
            "<button class='synthbench-copy' onclick='navigator.clipboard.writeText("
            "this.nextElementSibling.innerText)'>Copy code</button>"
            "<pre class='synthbench-code-text' style='max-height:260px;overflow:auto;white-space:pre;"
            f"overflow-wrap:normal;word-break:normal'>{html.escape(self.code)}</pre>"
        )

    def _on_column(self) -> None:
        if self._drawing_off or self.frame is None:
            return
        self.spec = self.build_spec()
        self._draw()

    def _draw(self) -> None:
        if self.spec is None:
            return
        if self._chart_widget is None:
            import altair as alt

            _ensure_offline()
            self._chart_widget = alt.JupyterChart(self.chart, embed_options={"renderer": "svg", "actions": False})
            self.chart_out.children = (self.width_probe, self._chart_widget)
        # Same widget, new spec: the dict goes as it is. Assigning ``.chart`` would rebuild
        # and re-validate it against the Vega-Lite JSON schema (~70 ms); our builders make
        # valid specs (the tests render them with vl-convert).
        self._chart_widget.spec = self.spec

    # -- export ---------------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The standalone code cell that rebuilds the current preview frame as ``df``.

        Generators that read the data (balancing) read it from :attr:`data_name`; when
        the panel does not know it, the cell reads ``df_real`` and says so first.
        """
        return self.model.code

    def export(self) -> ExportedCell:
        """Insert :attr:`code` as the next notebook cell (call it from a cell).

        Returns an :class:`ExportedCell` (the code, displayed as one short line).
        Outside IPython nothing is inserted. Inserting from a button callback does not
        work in JupyterLab, hence a method and the ``%synthbench export`` magic.
        """
        code = self.code
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with ipywidgets
            return ExportedCell(code, inserted=False)
        shell = get_ipython()
        if shell is None:
            return ExportedCell(code, inserted=False)
        shell.set_next_input(code, replace=False)
        return ExportedCell(code, inserted=True)

    def save_spec(self, path: str | Path) -> Path:
        """Write the generator's JSON spec (``to_dict``) to ``path``."""
        path = Path(path)
        path.write_text(json.dumps(self.generator.to_dict(), indent=2))
        return path

    def load_spec(self, path: str | Path) -> bool:
        """Load a JSON spec of the same generator class, update the controls and re-sample."""
        from ..registry import from_json

        gen = from_json(Path(path).read_text())
        if type(gen) is not type(self.generator):
            raise InvalidParameterError(
                f"The spec in {str(path)!r} is for {type(gen).__name__}, but this panel drives "
                f"{type(self.generator).__name__}."
            )
        return self.set(**gen.get_params())

    def csv_link(self, max_rows: int = 100_000, *, fmt: str = "csv") -> str:
        """An HTML download link (a ``data:`` URL) for the current frame as CSV or Parquet."""
        if fmt not in ("csv", "parquet"):
            raise InvalidParameterError(f"The 'fmt' parameter must be 'csv' or 'parquet'. Got {fmt!r} instead.")
        frame = self.frame.head(max_rows)
        if fmt == "csv":
            raw, mime = frame.to_csv(index=False).encode(), "text/csv"
        else:
            raw, mime = frame.to_parquet(index=False), "application/vnd.apache.parquet"
        payload = base64.b64encode(raw).decode()
        name = f"{type(self.generator).__name__.lower()}.{fmt}"
        return (
            f'<a download="{name}" href="data:{mime};base64,{payload}" class="synthbench-{fmt}">'
            f"Download {name} ({len(frame):,} rows)</a>"
        )

    def _click_save(self, _: Any) -> None:
        try:
            path = self.save_spec(self.spec_path.value)
            self.export_box.value = f"Saved the spec to <code>{html.escape(str(path))}</code>."
        except (OSError, ValueError) as exc:
            self.export_box.value = f"<span style='color:#b00020'>{html.escape(str(exc))}</span>"

    def _click_load(self, _: Any) -> None:
        try:
            self.load_spec(self.spec_path.value)
            self.export_box.value = f"Loaded <code>{html.escape(self.spec_path.value)}</code>."
        except (OSError, ValueError, TypeError) as exc:
            self.export_box.value = f"<span style='color:#b00020'>{html.escape(str(exc))}</span>"

    def _click_csv(self, _: Any) -> None:
        self.export_box.value = self.csv_link() + " &middot; " + self.csv_link(fmt="parquet")

    # -- display --------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        _set_current(self)
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.generator!r})"
