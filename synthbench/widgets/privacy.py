"""Privacy in the panels: the DP panel (epsilon slider, trade-off chart) and the Privacy tab.

:class:`PrivatePanel` drives :class:`~synthbench.generators.private.PrivateMST` and
:class:`~synthbench.generators.aim.PrivateAIM`: epsilon moves on a log-scale slider (0.1
to 10), the preview refits and redraws, and an "Epsilon" tab shows what epsilon means,
the budget split and a chart of quality and train-synthetic-test-real accuracy against
epsilon (0.1 ... 10, and the non-private copula as "no DP"), computed once per data set
(cached) with a progress bar.

:class:`PrivacyTab` is the "Privacy" tab of every panel whose generator learns from the
panel's data: it splits the data in halves for the user, fits the panel's generator
(same parameters) on one half, and runs :func:`~synthbench.evaluate.privacy_report`
against the other half, the control the generator never saw.

Charts are rendered to SVG in the kernel (vl-convert, offline), so they add no JavaScript
to the page.
"""

from __future__ import annotations

import html
import json
import math
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd

from ..evaluate.privacy_tradeoff import (
    DEFAULT_EPSILONS,
    default_target,
    epsilon_tradeoff,
    holdout_split,
    privacy_knob,
    privacy_tradeoff,
)
from .panel import Panel, frame_hash

__all__ = [
    "PrivacyTab",
    "PrivatePanel",
    "cached_sweep",
    "epsilon_chart",
    "epsilon_words",
    "risk_table_html",
    "sweep_key",
]

#: Trade-off tables kept per (data, parameters, seed), least recent first.
_TRADEOFFS: OrderedDict[str, pd.DataFrame] = OrderedDict()
_REPORTS: OrderedDict[str, pd.DataFrame] = OrderedDict()
_CACHE = 8


def _remember(cache: OrderedDict, key: str, value: Any) -> Any:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE:
        cache.popitem(last=False)
    return value


def _error_html(exc: Exception) -> str:
    return f"<div class='synthbench-error' style='color:#b00020'>&#9888; {html.escape(str(exc))}</div>"


def sweep_key(generator: Any, data: pd.DataFrame, seed: int, param: str, values: Any) -> str:
    """The cache key of a sweep of ``generator``'s ``param`` over ``values`` on ``data``: the
    generator's other parameters (its seed aside) and the panel's seed, with the data's hash."""
    params = generator.params_to_json()
    params.pop(param, None)
    params.pop("random_state", None)
    text = json.dumps(params, sort_keys=True, default=repr)
    return f"{type(generator).__name__}:{frame_hash(data)}:{text}:{seed}:{param}:{list(values)!r}"


def cached_sweep(key: str, compute: Any, *, button: Any, progress: Any, status: Any) -> pd.DataFrame | None:
    """A sweep of fits (``compute(progress_callback)``) run once per ``key``, on a button.

    While it runs, ``button`` is disabled, ``progress`` shows how many fits are done and
    ``status`` says which one runs; an error is shown in ``status`` (None returned), never
    raised into the kernel. The epsilon chart and the privacy trade-off share it.
    """
    table = _TRADEOFFS.get(key)
    if table is not None:
        return table
    progress.layout.display = ""
    progress.value = 0
    button.disabled = True

    def report(done: int, total: int, label: str) -> None:
        progress.value = done / total
        if done < total:
            status.value = f"<div>Fitting {html.escape(label)} ({done + 1} of {total})...</div>"

    try:
        table = compute(report)
    except Exception as exc:  # shown inline, never raised into the kernel
        status.value = _error_html(exc)
        return None
    finally:
        progress.layout.display = "none"
        button.disabled = False
    return _remember(_TRADEOFFS, key, table)


def epsilon_words(epsilon: float) -> str:
    """What epsilon promises, in one sentence a class can read.

    >>> epsilon_words(1.0).split(":")[0][-60:]
    'at most 2.72 times more or less likely than without that row'
    """
    factor = math.exp(epsilon)
    return (
        f"With epsilon = {epsilon:g}, whatever one person's row holds, every result of the generator (its "
        f"model, its spec, any rows it makes) is at most {factor:,.2f} times more or less likely than "
        "without that row: an attacker's odds of telling whether someone was in the data grow by at most "
        f"that factor. Smaller epsilon, stronger promise, noisier data."
    )


def epsilon_chart(tradeoff: pd.DataFrame, current: float | None = None, *, width: int = 420) -> Any:
    """Quality and TSTR accuracy against epsilon (log scale), "no DP" as dashed lines.

    ``tradeoff`` is the output of :func:`~synthbench.evaluate.privacy_tradeoff.epsilon_tradeoff`;
    ``current`` draws a vertical rule at the panel's epsilon.
    """
    import altair as alt

    dp = tradeoff[tradeoff["epsilon"].notna()]
    long = pd.concat(
        [
            pd.DataFrame({"epsilon": dp["epsilon"], "metric": "quality score", "value": dp["quality"]}),
            pd.DataFrame({"epsilon": dp["epsilon"], "metric": "TSTR accuracy", "value": dp["tstr_accuracy"]}),
        ],
        ignore_index=True,
    ).dropna()
    free = tradeoff[tradeoff["epsilon"].isna()]
    ref = pd.concat(
        [
            pd.DataFrame({"metric": "quality score", "value": free["quality"], "what": "no DP (copula)"}),
            pd.DataFrame({"metric": "TSTR accuracy", "value": free["tstr_accuracy"], "what": "no DP (copula)"}),
        ],
        ignore_index=True,
    ).dropna()
    colour = alt.Color("metric:N", title=None, legend=alt.Legend(orient="bottom"))
    x = alt.X(
        "epsilon:Q",
        scale=alt.Scale(type="log", domain=[0.08, 12]),
        axis=alt.Axis(values=[0.1, 0.3, 1, 3, 10], format="~g"),
        title="epsilon (log scale; smaller = more private)",
    )
    y = alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), title="score")
    layers = [
        alt.Chart(long).mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=["metric", "epsilon", "value"]),
        alt.Chart(ref).mark_rule(strokeDash=[5, 4]).encode(y="value:Q", color=colour, tooltip=["what", "value"]),
    ]
    if current is not None:
        now = pd.DataFrame({"epsilon": [float(current)], "label": [f"now: {current:g}"]})
        layers.append(alt.Chart(now).mark_rule(color="black").encode(x="epsilon:Q"))
        layers.append(alt.Chart(now).mark_text(align="left", dx=4, dy=-6, y=8).encode(x="epsilon:Q", text="label:N"))
    return alt.layer(*layers).properties(width=width, height=220, title="What privacy costs (dashed: no DP)")


def _svg(chart: Any) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict(validate=False))


def risk_table_html(report: pd.DataFrame) -> str:
    """The privacy report as an HTML table: train vs control success, risk with its interval."""
    rows = []
    for _, r in report.iterrows():
        bar = round(100 * float(r["risk"]))
        risky = r["risk_low"] > 0
        colour = "#b00020" if risky else "#2e7d32"
        rows.append(
            "<tr>"
            f"<td>{html.escape(str(r['measure']).replace('_', ' '))}</td>"
            f"<td>{r['train']:.3f}</td><td>{r['control']:.3f}</td>"
            f"<td style='color:{colour}'><b>{r['risk']:.2f}</b> [{r['risk_low']:.2f}, {r['risk_high']:.2f}]"
            f"<div style='background:{colour};height:4px;width:{bar}px'></div></td>"
            "</tr>"
        )
    return (
        "<table class='synthbench-table synthbench-privacy-table'><thead><tr><th>attack</th>"
        "<th title='success against the training rows'>train</th>"
        "<th title='success against the holdout the generator never saw'>control</th>"
        "<th title='(train - control) / (1 - control), 95% interval'>risk [95%]</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<div style='color:#555;font-size:90%'>Risk is the attacks' excess success on the training rows over "
        "rows the generator never saw; red where the interval excludes 0.</div>"
    )


class PrivacyTab:
    """The "Privacy" tab of a panel whose generator learns from the panel's data.

    The button splits the data in halves (seeded with the panel's seed), fits a copy of
    the panel's generator on the training half, samples as many rows and runs the
    attacks of :func:`~synthbench.evaluate.privacy_report` against both halves. Results
    are cached per data, parameters and seed.
    """

    def __init__(self, panel: Panel, *, n_attacks: int = 500) -> None:
        import ipywidgets as w

        self.panel = panel
        self.n_attacks = n_attacks
        self.report: pd.DataFrame | None = None
        self.button = w.Button(description="Run privacy attacks", layout=w.Layout(width="auto"))
        self.button.add_class("synthbench-run-privacy")
        self.button.on_click(lambda _: self.run())
        self.progress = w.FloatProgress(value=0, min=0, max=1, layout=w.Layout(display="none"))
        self.output = w.HTML(
            "<div style='color:#555'>Fits this generator on half of the data and attacks the synthetic rows: "
            "can they tell who was in the other half? (takes a few seconds)</div>"
        )
        self.output.add_class("synthbench-privacy-output")
        # The trade-off of the generator's privacy knob: one fit per value, on a button (never
        # on a slider move), cached per data, other parameters and seed.
        self.tradeoff: pd.DataFrame | None = None
        self.knob = privacy_knob(panel.generator)
        self.tradeoff_button = w.Button(description="Show the trade-off", layout=w.Layout(width="auto"))
        self.tradeoff_button.add_class("synthbench-show-tradeoff")
        self.tradeoff_button.on_click(lambda _: self.show_tradeoff())
        self.tradeoff_progress = w.FloatProgress(value=0, min=0, max=1, layout=w.Layout(display="none"))
        self.tradeoff_status = w.HTML()
        self.tradeoff_box = w.HTML()
        self.tradeoff_box.add_class("synthbench-tradeoff-chart")
        if self.knob is None:
            self.tradeoff_button.layout.display = "none"
        else:
            param, values = self.knob
            self.tradeoff_status.value = (
                f"<div style='color:#555'>Fits this generator once per {html.escape(param)} in "
                f"{html.escape(', '.join(map(str, values)))} on half of the data and shows quality beside "
                "the share of synthetic rows closer to a training row than to an unseen one (0.5: no "
                "copying).</div>"
            )
        self.widget = w.VBox(
            [
                self.button,
                self.progress,
                self.output,
                self.tradeoff_button,
                self.tradeoff_progress,
                self.tradeoff_status,
                self.tradeoff_box,
            ]
        )

    def _key(self) -> str:
        gen = self.panel.generator
        params = json.dumps(gen.params_to_json(), sort_keys=True, default=repr)
        return f"{type(gen).__name__}:{frame_hash(self.panel.data)}:{params}:{self.panel.seed}:{self.n_attacks}"

    def run(self) -> pd.DataFrame | None:
        """Fit on half, attack, show the table; returns the report (None on error, shown inline)."""
        from ..evaluate import privacy_report

        key = self._key()
        self.progress.layout.display = ""
        self.progress.value = 0.1
        try:
            report = _REPORTS.get(key)
            if report is None:
                panel = self.panel
                train, holdout = holdout_split(panel.data, seed=panel.seed)
                gen = type(panel.generator)(**panel.generator.get_params())
                gen.fit(train)
                self.progress.value = 0.5
                synthetic = gen.sample(len(train), seed=panel.seed)
                report = privacy_report(
                    train,
                    synthetic,
                    holdout,
                    secret=default_target(train),
                    n_attacks=self.n_attacks,
                    seed=panel.seed,
                )
                _remember(_REPORTS, key, report)
        except Exception as exc:  # shown inline, never raised into the kernel
            self.output.value = _error_html(exc)
            self.progress.layout.display = "none"
            return None
        self.report = report
        n = len(self.panel.data) // 2
        self.output.value = (
            f"<div>Fitted on {n:,} rows, attacked with the other {len(self.panel.data) - n:,} as the control."
            "</div>" + risk_table_html(report)
        )
        self.progress.layout.display = "none"
        return report

    def show_tradeoff(self) -> pd.DataFrame | None:
        """Fit once per value of the generator's privacy knob on half the data, score on both
        halves and draw quality and DCR share against the knob (cached); None on error."""
        if self.knob is None:
            return None
        param, values = self.knob
        panel = self.panel
        table = cached_sweep(
            sweep_key(panel.generator, panel.data, panel.seed, param, values),
            lambda progress: privacy_tradeoff(
                panel.data,
                panel.generator,
                param,
                values,
                n_attacks=self.n_attacks,
                seed=panel.seed,
                progress=progress,
            ),
            button=self.tradeoff_button,
            progress=self.tradeoff_progress,
            status=self.tradeoff_status,
        )
        if table is None:
            return None
        self.tradeoff = table
        self.render_tradeoff()
        return table

    def render_tradeoff(self) -> None:
        """Draw the trade-off chart, marking the panel's value of the knob."""
        import vl_convert as vlc

        from ..charts import tradeoff_spec

        if self.tradeoff is None or self.knob is None:
            return
        table, param = self.tradeoff, self.knob[0]
        gen = self.panel.generator
        current = getattr(gen, param, None)
        shown = html.escape(param)
        if current == "auto" and hasattr(gen, "_components"):  # the mixture's rule, on the training half
            current = gen._components(len(self.panel.data) // 2)
            shown += f" ('auto': {current} here)"
        failed = table[table["error"] != ""]
        note = ""
        if len(failed):
            note = (
                f"<div style='color:#8a6d00'>No model at {html.escape(', '.join(failed['label']))}: "
                f"{html.escape(failed['error'].iloc[0])}</div>"
            )
        self.tradeoff_status.value = (
            f"<div>Fitted on {len(self.panel.data) // 2:,} rows, attacked with the other half as the control; "
            f"the grey bar is this panel's {shown}.</div>{note}"
        )
        # The tab's padding comes off the width the panel measured for its charts.
        width = max(260, min(self.panel.chart_width - 24, 560))
        svg = vlc.vegalite_to_svg(tradeoff_spec(table, current=current, width=width))
        marks = int(np.isfinite(table["dcr_share"]).sum())
        self.tradeoff_box.value = (
            f"<div class='synthbench-tradeoff-svg' data-param='{html.escape(param)}' data-points='{marks}'>{svg}</div>"
        )


class PrivatePanel(Panel):
    """The panel of the differentially private generators (``PrivateMST``, ``PrivateAIM``).

    An epsilon slider on a log scale (0.1 to 10), the usual preview, charts and export,
    an "Epsilon" tab (what epsilon means, the budget split, and the trade-off chart that
    :meth:`compute_tradeoff` draws) and the "Privacy" tab of every fitted panel.

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.data import load_penguins
    >>> from synthbench.generators.private import PENGUIN_BOUNDS
    >>> panel = PrivatePanel(sb.PrivateMST.example(), load_penguins(), debounce=0)  # doctest: +SKIP
    >>> panel.set(epsilon=3.0)  # doctest: +SKIP
    True
    """

    def __init__(self, generator: Any = "PrivateMST", data: pd.DataFrame | None = None, **kwargs: Any) -> None:
        import ipywidgets as w

        self.tradeoff: pd.DataFrame | None = None
        self.epsilon_slider = w.FloatLogSlider(
            value=1.0,
            base=10,
            min=-1,
            max=1,
            step=0.05,
            description="epsilon",
            readout_format=".2g",
            continuous_update=False,
            layout=w.Layout(width="420px"),
        )
        self.epsilon_slider.add_class("synthbench-epsilon-slider")
        self.words = w.HTML()
        self.budget = w.HTML()
        self.chart_button = w.Button(description="Draw the epsilon chart", layout=w.Layout(width="auto"))
        self.chart_button.add_class("synthbench-draw-epsilon")
        self.chart_button.on_click(lambda _: self.compute_tradeoff())
        self.tradeoff_progress = w.FloatProgress(value=0, min=0, max=1, layout=w.Layout(display="none"))
        self.tradeoff_status = w.HTML(
            "<div style='color:#555'>Fits the generator at epsilon 0.1, 0.3, 1, 3 and 10 and a copula without DP "
            "on half of the data, and scores each on the other half (about half a minute with MST, "
            "a few minutes with AIM; once per data).</div>"
        )
        self.epsilon_box = w.HTML()
        self.epsilon_box.add_class("synthbench-epsilon-chart")
        super().__init__(generator, data, **kwargs)
        if self.data is None:
            # Without the real data nothing can be refitted: the panel shows the fitted model's rows.
            self.epsilon_slider.disabled = self.chart_button.disabled = True
            self.tradeoff_status.value = (
                "<div style='color:#555'>Open the panel with the real data, "
                f"<code>panel(sb.{type(self.generator).__name__}(...), data)</code>, to refit at another epsilon "
                "and draw the trade-off.</div>"
            )
        self.epsilon_slider.value = min(10.0, max(0.1, float(self.generator.epsilon)))
        self.epsilon_slider.observe(lambda c: self._on_epsilon(c["new"]), names="value")
        self._render_epsilon()

    # -- controls ---------------------------------------------------------------------------
    def _param_widgets(self) -> list[Any]:
        # The declared epsilon control (a text box: epsilon's range is (0, 100]) gives way to a
        # log-scale slider over the range a class explores; the rest come from the declarations.
        return [self.epsilon_slider, *(c.widget for n, c in self.controls.items() if n != "epsilon")]

    def _on_epsilon(self, value: float) -> None:
        if self._muted or self.data is None:
            return
        self.generator.set_params(epsilon=float(f"{value:.3g}"))
        self.schedule()

    def _sync_controls(self) -> None:
        super()._sync_controls()
        slider = getattr(self, "epsilon_slider", None)
        if slider is not None and slider.value != self.generator.epsilon:
            hold, self._muted = self._muted, True
            try:
                slider.value = min(10.0, max(0.1, float(self.generator.epsilon)))
            finally:
                self._muted = hold

    def refresh(self) -> bool:
        ok = super().refresh()
        if hasattr(self, "epsilon_box"):
            self._render_epsilon()
        return ok

    # -- the Epsilon tab ----------------------------------------------------------------------
    def extra_tabs(self) -> list[tuple[str, Any]]:
        import ipywidgets as w

        box = w.VBox(
            [self.words, self.chart_button, self.tradeoff_progress, self.tradeoff_status, self.epsilon_box, self.budget]
        )
        return [("Epsilon", box), *super().extra_tabs()]

    def compute_tradeoff(self, epsilons: tuple[float, ...] = DEFAULT_EPSILONS) -> pd.DataFrame | None:
        """Fit at each epsilon (and a copula without DP) on half the data, score on the other
        half, and draw the chart; cached per data, non-epsilon parameters and seed."""
        key = sweep_key(self.generator, self.data, self.seed, "epsilon", epsilons)
        table = cached_sweep(
            key,
            lambda progress: epsilon_tradeoff(
                self.data, self.generator, epsilons=epsilons, seed=self.seed, progress=progress
            ),
            button=self.chart_button,
            progress=self.tradeoff_progress,
            status=self.tradeoff_status,
        )
        if table is None:
            return None
        self.tradeoff = table
        failed = table[table["error"] != ""]
        note = ""
        if len(failed):
            note = (
                f"<div style='color:#8a6d00'>No model at {', '.join(failed['label'])}: "
                f"{html.escape(failed['error'].iloc[0])}</div>"
            )
        self.tradeoff_status.value = (
            f"<div>Fitted on {len(self.data) // 2:,} rows, scored on the other half.</div>{note}"
        )
        self._render_epsilon()
        return table

    def _render_epsilon(self) -> None:
        eps = float(self.generator.epsilon)
        self.words.value = (
            f"<div class='synthbench-epsilon-words' style='max-width:640px'>{html.escape(epsilon_words(eps))}</div>"
        )
        try:
            budget = self.generator.privacy_budget()
            self.budget.value = "<div><b>How the budget is spent</b></div>" + budget.to_html(
                index=False, classes="synthbench-table", border=0, float_format=lambda v: f"{v:.4g}"
            )
        except Exception:  # an invalid parameter: the error box already says why
            self.budget.value = ""
        if self.tradeoff is not None:
            # The plot area plus axis titles and ticks (about 90 px) fits the tab's width.
            chart = epsilon_chart(self.tradeoff, current=eps, width=max(260, min(self.chart_width - 90, 480)))
            marks = int(np.isfinite(self.tradeoff["quality"]).sum())
            self.epsilon_box.value = (
                f"<div class='synthbench-epsilon-svg' data-epsilon='{eps:g}' data-points='{marks}'>{_svg(chart)}</div>"
            )
