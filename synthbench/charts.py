"""Altair comparison charts over pre-binned data.

Every function here takes *aggregates* (the binned tables in
:attr:`synthbench.evaluate.Report.chart_data`, :func:`synthbench.balancing_report.class_counts`
or a bucketed time series) and returns an Altair chart. None of them sees raw rows, so a
100k-row comparison stays a few hundred marks. Altair is imported inside the functions,
so ``import synthbench`` stays light.

The comparison charts are written once, as Vega-Lite dicts (``histogram_spec``,
``category_spec``, ``correlation_spec``, ``class_counts_spec``): a live panel sends those
straight to its chart widget (about a millisecond, where building and serialising
Altair objects takes tens), and the ``*_chart`` functions wrap the same dicts as Altair
charts for composing and display.

>>> import pandas as pd
>>> from synthbench.evaluate import quality_report
>>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
>>> report = quality_report(real, real, bins=4)
>>> chart = histogram_chart(report.chart_data["histograms"]["x"], "x")
>>> spec = chart.to_dict()
>>> spec["mark"]["type"], len(spec["datasets"][spec["data"]["name"]])
('bar', 8)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError, InvalidParameterError

__all__ = [
    "category_chart",
    "category_spec",
    "class_counts_chart",
    "class_counts_spec",
    "column_chart",
    "column_spec",
    "combine_specs",
    "correlation_chart",
    "correlation_spec",
    "fleet_chart",
    "histogram_chart",
    "histogram_spec",
    "timeseries_chart",
    "tradeoff_chart",
    "tradeoff_spec",
]

#: The Vega-Lite schema the dicts are written for (Altair 6's).
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}

#: Colours of the two sides of every comparison (reference first).
COLORS = ("#4c78a8", "#f58518")
#: Default width budget of a whole chart in pixels (axes, legend and title included):
#: what a panel's chart area has in JupyterLab's default layout (file browser open, 1280x900).
#: Panels pass the width they measure; legends go below the plot so they never need width.
WIDTH = 400
HEIGHT = 180
#: Room of a y axis (labels and title) inside the width budget.
Y_AXIS = 64
#: Widest heatmap label (px): longer column names end in an ellipsis, the tooltip has them whole.
LABEL_PX = 120
#: Narrowest and widest budgets accepted.
MIN_WIDTH, MAX_WIDTH = 200, 4000


def _alt() -> Any:
    import altair as alt

    return alt


def _check_table(table: Any, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"The {what} table must be a DataFrame. Got {type(table).__name__} instead.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(
            f"The {what} table must have the columns {list(columns)}; {missing} are missing. Got {list(table.columns)}."
        )
    return table


def _labels(labels: Any) -> tuple[str, ...]:
    """The legend names: (reference, synthetic), or (synthetic,) to draw the synthetic side alone."""
    if not (
        isinstance(labels, (list, tuple)) and len(labels) in (1, 2) and all(isinstance(x, str) for x in labels)
    ) or len(set(labels)) != len(labels):
        raise InvalidParameterError(
            f"The 'labels' parameter must be a pair of distinct str, or one str for the synthetic side alone. "
            f"Got {labels!r} instead."
        )
    return tuple(labels)


def _width(width: Any) -> int:
    if isinstance(width, bool) or not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise InvalidParameterError(
            f"The 'width' parameter must be an int in [{MIN_WIDTH}, {MAX_WIDTH}] (pixels). Got {width!r} instead."
        )
    return width


def _tips(alt: Any, *fields: Any) -> list:
    """Tooltip channels as objects: Altair wraps bare strings through its JSON schema (slow)."""
    return [alt.Tooltip(f) if isinstance(f, str) else alt.Tooltip(f[0], format=f[1]) for f in fields]


def _legend(alt: Any) -> Any:
    # Below the plot: the legend takes height, never width, so it is never clipped.
    return alt.Legend(orient="bottom", direction="horizontal", title=None, labelLimit=240)


def _title(alt: Any, text: Any, plot: int) -> Any:
    return alt.TitleParams(str(text), anchor="start", limit=plot)


def _color(alt: Any, labels: tuple[str, ...]) -> Any:
    labels = tuple(labels)
    colors = list(COLORS) if len(labels) == 2 else [COLORS[1]]
    return alt.Color("source:N", scale=alt.Scale(domain=list(labels), range=colors), legend=_legend(alt))


# -- Vega-Lite dicts -------------------------------------------------------------------------
def _json_list(column: pd.Series) -> list:
    """A column as JSON-ready values: dates as ISO text, NaN as null (as Altair's serialiser does)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        values = column.dt.tz_localize(None) if getattr(column.dt, "tz", None) is not None else column
        text = np.datetime_as_string(values.to_numpy().astype("datetime64[s]"))
        return [None if t == "NaT" else t for t in text.tolist()]
    if pd.api.types.is_float_dtype(column):
        return [None if v != v else v for v in column.to_numpy(dtype="float64").tolist()]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        return column.to_numpy().tolist()
    return [None if pd.isna(v) else v for v in column.tolist()]


def _long(table: pd.DataFrame, keys: list[str], labels: tuple[str, ...]) -> list[dict[str, Any]]:
    """The long form (``keys``, ``source``, ``share``) of a wide table of real/synthetic shares,
    as records: one row per key and side, the first side first (``DataFrame.melt``'s order)."""
    sides = ["real", "synthetic"] if len(labels) == 2 else ["synthetic"]
    key_values = [_json_list(table[k]) for k in keys]
    rows = []
    for side, label in zip(sides, labels, strict=True):
        for *key, share in zip(*key_values, _json_list(table[side]), strict=True):
            rows.append({**dict(zip(keys, key, strict=True)), "source": label, "share": share})
    return rows


def _data(values: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, list]]:
    """A named dataset of ``values`` (named by its content's hash, as Altair names them)."""
    name = "data-" + hashlib.md5(json.dumps(values, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
    return {"name": name}, {name: values}


def _top(spec: dict[str, Any], datasets: dict[str, list]) -> dict[str, Any]:
    return {"config": _CONFIG, **spec, "$schema": SCHEMA, "datasets": datasets}


def _as_chart(spec: dict[str, Any]) -> Any:
    """An Altair chart of a Vega-Lite dict made here (valid by construction, so not re-validated).

    The data go inline and the top-level keys away, so the chart composes with ``&``,
    ``|`` and ``alt.vconcat`` like any Altair chart (Altair names the datasets again).
    """
    datasets = spec.get("datasets", {})

    def inline(view: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in view.items() if k not in ("config", "$schema", "datasets")}
        if "data" in view and "name" in view["data"]:
            view["data"] = {"values": datasets[view["data"]["name"]]}
        for key in ("hconcat", "vconcat", "layer"):
            if key in view:
                view[key] = [inline(v) for v in view[key]]
        return view

    return _build(inline(spec))


def _build(view: dict[str, Any]) -> Any:
    alt = _alt()
    for key, concat in (("hconcat", alt.hconcat), ("vconcat", alt.vconcat)):
        if key in view:
            # Each view an alt.Chart, so Altair gathers their data into named datasets.
            chart = concat(*[_build(v) for v in view[key]])
            if "title" in view:
                chart = chart.properties(title=alt.TitleParams(**view["title"]))
            if "resolve" in view:
                chart = chart.resolve_scale(**view["resolve"]["scale"])
            return chart
    if "layer" in view:  # e.g. a fleet's band, mean and entities drawn over each other
        return alt.LayerChart.from_dict(view, validate=False)
    return alt.Chart.from_dict(view, validate=False)


def _legend_dict() -> dict[str, Any]:
    return {"direction": "horizontal", "labelLimit": 240, "orient": "bottom", "title": None}


def _color_dict(labels: tuple[str, ...]) -> dict[str, Any]:
    colors = list(COLORS) if len(labels) == 2 else [COLORS[1]]
    return {
        "field": "source",
        "legend": _legend_dict(),
        "scale": {"domain": list(labels), "range": colors},
        "type": "nominal",
    }


def _title_dict(text: Any, plot: int) -> dict[str, Any]:
    return {"text": str(text), "anchor": "start", "limit": plot}


def combine_specs(specs: list[Any]) -> dict[str, Any] | None:
    """One Vega-Lite dict with ``specs`` one above the other, each with its own colours.

    ``specs`` are dicts made here or Altair charts (turned into dicts). Cheaper than
    ``alt.vconcat``, which copies every subchart.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"category": ["a"], "real": [1.0], "synthetic": [1.0]})
    >>> both = combine_specs([category_spec(t, "c"), category_spec(t, "d")])
    >>> [v["title"]["text"] for v in both["vconcat"]], both["resolve"]
    (['c', 'd'], {'scale': {'color': 'independent'}})
    """
    dicts = [s if isinstance(s, dict) else s.to_dict(validate=False) for s in specs]
    if not dicts:
        return None
    if len(dicts) == 1:
        return dicts[0]
    datasets: dict[str, list] = {}
    views = []
    for d in dicts:
        datasets.update(d.get("datasets", {}))
        views.append({k: v for k, v in d.items() if k not in ("config", "$schema", "datasets")})
    return _top({"vconcat": views, "resolve": {"scale": {"color": "independent"}}}, datasets)


def histogram_chart(
    table: pd.DataFrame, column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> Any:
    """Overlaid histograms of one numeric or datetime column.

    Parameters
    ----------
    table : DataFrame
        Columns ``left``, ``right``, ``real``, ``synthetic`` (bin edges and shares), as in
        ``Report.chart_data["histograms"][column]``.
    column : str
        The column's name, for the axis title.
    labels : pair of str, or one str
        Legend names of the real and the synthetic side; one name draws the synthetic
        side alone (when there is nothing to compare with).
    width : int
        Pixels the whole chart may take (axes and title included; the legend is below).

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"left": [0.0, 1.0], "right": [1.0, 2.0], "real": [0.5, 0.5], "synthetic": [0.2, 0.8]})
    >>> spec = histogram_chart(t, "x").to_dict()
    >>> spec["encoding"]["x"]["field"], spec["encoding"]["x2"]["field"]
    ('left', 'right')
    """
    return _as_chart(histogram_spec(table, column, labels=labels, width=width))


def histogram_spec(
    table: pd.DataFrame, column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> dict[str, Any]:
    """:func:`histogram_chart` as a Vega-Lite dict."""
    labels = _labels(labels)
    plot = _width(width) - Y_AXIS
    table = _check_table(table, ("left", "right", "real", "synthetic"), "histogram")
    kind = "temporal" if pd.api.types.is_datetime64_any_dtype(table["left"]) else "quantitative"
    data, datasets = _data(_long(table, ["left", "right"], labels))
    spec = {
        "data": data,
        "mark": {"type": "bar", "binSpacing": 0, "opacity": 0.55},
        "encoding": {
            "color": _color_dict(labels),
            "tooltip": [
                {"field": "source", "type": "nominal"},
                {"field": "left", "type": kind},
                {"field": "right", "type": kind},
                {"field": "share", "format": ".3f", "type": "quantitative"},
            ],
            "x": {"field": "left", "scale": {"zero": False}, "title": None, "type": kind},
            "x2": {"field": "right"},
            "y": {"field": "share", "stack": None, "title": "share of rows", "type": "quantitative"},
            "y2": {"datum": 0},
        },
        "height": HEIGHT,
        "title": _title_dict(column, plot),
        "width": plot,
    }
    return _top(spec, datasets)


def category_chart(
    table: pd.DataFrame, column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> Any:
    """Grouped bars of category shares (real next to synthetic) for one discrete column.

    ``table`` has the columns ``category``, ``real``, ``synthetic``, as in
    ``Report.chart_data["categories"][column]``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"category": ["a", "b"], "real": [0.5, 0.5], "synthetic": [0.25, 0.75]})
    >>> spec = category_chart(t, "c").to_dict()
    >>> spec["encoding"]["xOffset"]["field"]
    'source'
    """
    return _as_chart(category_spec(table, column, labels=labels, width=width))


def category_spec(
    table: pd.DataFrame, column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> dict[str, Any]:
    """:func:`category_chart` as a Vega-Lite dict."""
    labels = _labels(labels)
    plot = _width(width) - Y_AXIS
    table = _check_table(table, ("category", "real", "synthetic"), "category")
    data, datasets = _data(_long(table.assign(category=table["category"].astype(str)), ["category"], labels))
    spec = {
        "data": data,
        "mark": {"type": "bar"},
        "encoding": {
            "color": _color_dict(labels),
            "tooltip": [
                {"field": "source", "type": "nominal"},
                {"field": "category", "type": "nominal"},
                {"field": "share", "format": ".3f", "type": "quantitative"},
            ],
            "x": {"axis": {"labelLimit": 120}, "field": "category", "sort": None, "title": None, "type": "nominal"},
            "xOffset": {"field": "source", "scale": {"domain": list(labels)}, "type": "nominal"},
            "y": {"field": "share", "title": "share of rows", "type": "quantitative"},
        },
        "height": HEIGHT,
        "title": _title_dict(column, plot),
        "width": plot,
    }
    return _top(spec, datasets)


def correlation_chart(
    correlations: pd.DataFrame, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> Any:
    """Pearson correlation heatmaps, real and synthetic: side by side, or one above the
    other when ``width`` has no room for two.

    ``correlations`` is the long form of ``Report.chart_data["correlations"]``: columns
    ``column_1``, ``column_2``, ``real``, ``synthetic``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"column_1": ["x", "y", "x", "y"], "column_2": ["x", "y", "y", "x"],
    ...                   "real": [1.0, 1.0, 0.5, 0.5], "synthetic": [1.0, 1.0, 0.1, 0.1]})
    >>> spec = correlation_chart(c).to_dict()
    >>> [view["mark"]["type"] for view in spec["hconcat"]]
    ['rect', 'rect']
    """
    return _as_chart(correlation_spec(correlations, labels=labels, width=width))


def correlation_spec(
    correlations: pd.DataFrame, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> dict[str, Any]:
    """:func:`correlation_chart` as a Vega-Lite dict."""
    labels = _labels(labels)
    width = _width(width)
    table = _check_table(correlations, ("column_1", "column_2", "real", "synthetic"), "correlations")
    table = table.assign(column_1=table["column_1"].astype(str), column_2=table["column_2"].astype(str))
    long = _long(table, ["column_1", "column_2"], labels)
    names = table["column_1"].unique()
    # The y labels (about 6 px a character; past LABEL_PX cut short, the tooltip has the
    # whole name), then the squares.
    label_px = min(LABEL_PX, 6 * max((len(n) for n in names), default=1) + 10)
    cell = 16 * len(names)
    # The y labels sit right of each square: above it, a panel's other charts keep their
    # y axis (Y_AXIS px) on the left, and Vega lines the plots up at the same x.
    side = (width - Y_AXIS - 20) // len(labels) - label_px - 10
    across = len(labels) == 1 or side >= min(cell, 120)
    room = side if across else width - Y_AXIS - label_px - 20
    size = int(max(60, min(180, cell, room)))
    encoding = {
        "color": {
            "field": "share",
            "legend": {"direction": "horizontal", "gradientLength": min(160, size), "orient": "bottom"},
            "scale": {"domain": [-1, 1], "scheme": "redblue"},
            "title": "correlation",
            "type": "quantitative",
        },
        "tooltip": [
            {"field": "column_1", "type": "nominal"},
            {"field": "column_2", "type": "nominal"},
            {"field": "share", "format": ".2f", "title": "correlation", "type": "quantitative"},
        ],
        "x": {
            "axis": {"labelLimit": LABEL_PX - 10},
            "field": "column_1",
            "sort": None,
            "title": None,
            "type": "nominal",
        },
        "y": {
            "axis": {"labelLimit": LABEL_PX - 10, "orient": "right"},
            "field": "column_2",
            "sort": None,
            "title": None,
            "type": "nominal",
        },
    }
    # One plain chart per side (not a facet): a facet's headers join the layout grid of the
    # panel's combined chart and push the charts above it to the right, past the width.
    datasets: dict[str, list] = {}
    views = []
    for label in labels:
        data, named = _data([row for row in long if row["source"] == label])
        datasets.update(named)
        views.append(
            {
                "data": data,
                "mark": {"type": "rect"},
                "encoding": encoding,
                "height": size,
                "title": _title_dict(label, size),
                "width": size,
            }
        )
    spec = {"hconcat" if across else "vconcat": views, "title": {"text": "correlations", "anchor": "start"}}
    return _top(spec, datasets)


def timeseries_chart(
    table: pd.DataFrame, column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> Any:
    """Overlaid lines of a bucketed time series.

    ``table`` has the columns ``time``, ``value`` and ``source`` (one of ``labels``):
    one row per time bucket and side (see :func:`synthbench.widgets.timeseries_buckets`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"time": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2),
    ...                   "value": [1.0, 2.0, 1.5, 2.5], "source": ["real"] * 2 + ["synthetic"] * 2})
    >>> timeseries_chart(t, "v").to_dict()["mark"]["type"]
    'line'
    """
    alt = _alt()
    labels = _labels(labels)
    plot = _width(width) - Y_AXIS
    table = _check_table(table, ("time", "value", "source"), "time series")
    kind = "T" if pd.api.types.is_datetime64_any_dtype(table["time"]) else "Q"
    return (
        alt.Chart(table, width=plot, height=HEIGHT, title=_title(alt, column, plot))
        .mark_line(opacity=0.85)
        .encode(
            x=alt.X(f"time:{kind}", title=None, axis=alt.Axis(labelFlush=True, labelOverlap=True)),
            y=alt.Y("value:Q", title=None),
            color=_color(alt, labels),
            tooltip=_tips(alt, "source:N", f"time:{kind}", ("value:Q", ".3f")),
        )
    )


def fleet_chart(
    bands: pd.DataFrame,
    lines: pd.DataFrame,
    column: str,
    *,
    reference: pd.DataFrame | None = None,
    labels: tuple[str, ...] = ("real", "synthetic"),
    width: int = WIDTH,
) -> Any:
    """A fleet of series: the 5-95% band, the fleet mean and a few sampled entities.

    ``bands`` (``time``, ``low``, ``high``) and ``lines`` (``time``, ``value``, ``series``:
    "mean" and "entity k") come from
    :func:`synthbench.generators.timeseries.summary.fleet_summary`, so the chart holds a
    few hundred points per line however large the fleet. ``reference`` (``time``,
    ``value``), if given, is the real series, drawn in the reference colour.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["2024-01-01", "2024-01-02"])
    >>> bands = pd.DataFrame({"time": t, "low": [0.0, 1.0], "high": [2.0, 3.0]})
    >>> lines = pd.DataFrame({"time": list(t) * 2, "value": [1.0, 2.0, 0.5, 1.5],
    ...                       "series": ["mean", "mean", "entity 0", "entity 0"]})
    >>> [layer["mark"]["type"] for layer in fleet_chart(bands, lines, "v").to_dict()["layer"]]
    ['area', 'line']
    """
    alt = _alt()
    labels = _labels(labels)
    plot = _width(width) - Y_AXIS
    bands = _check_table(bands, ("time", "low", "high"), "fleet band")
    lines = _check_table(lines, ("time", "value", "series"), "fleet lines")
    synthetic = labels[-1]
    entities = [s for s in pd.unique(lines["series"]) if s != "mean"]
    mean_name, band_name = f"{synthetic} mean", f"{synthetic} 5-95%"
    # Entities first, so the mean (and the real series) draw on top of them.
    table = lines.assign(series=lines["series"].replace({"mean": mean_name}), _top=lines["series"].eq("mean"))
    table = table.sort_values("_top", kind="stable").drop(columns="_top")
    domain, colors = [mean_name, *entities], [COLORS[1], *["#9a9a9a"] * len(entities)]
    if reference is not None and len(labels) == 2:
        ref = _check_table(reference, ("time", "value"), "reference series")
        table = pd.concat([table, ref[["time", "value"]].assign(series=labels[0])], ignore_index=True)
        domain, colors = [labels[0], *domain], [COLORS[0], *colors]
    kind = "T" if pd.api.types.is_datetime64_any_dtype(table["time"]) else "Q"
    x = alt.X(f"time:{kind}", title=None, axis=alt.Axis(labelFlush=True, labelOverlap=True))
    y = {"title": None, "scale": alt.Scale(zero=False)}
    band = (
        alt.Chart(bands[["time", "low", "high"]].assign(band=band_name))
        .mark_area(opacity=0.22, invalid="break-paths-show-domains")
        .encode(
            x=x,
            y=alt.Y("low:Q", **y),
            y2="high:Q",
            fill=alt.Fill("band:N", scale=alt.Scale(domain=[band_name], range=[COLORS[1]]), legend=_legend(alt)),
            tooltip=_tips(alt, f"time:{kind}", ("low:Q", ".3f"), ("high:Q", ".3f")),
        )
    )
    emphasis = alt.condition(alt.datum.series == mean_name, alt.value(2.5), alt.value(1.0))
    series = (
        alt.Chart(table)
        .mark_line(invalid="break-paths-show-domains")
        .encode(
            x=x,
            y=alt.Y("value:Q", **y),
            color=alt.Color("series:N", scale=alt.Scale(domain=domain, range=colors), legend=_legend(alt)),
            strokeWidth=emphasis,
            detail="series:N",
            tooltip=_tips(alt, "series:N", f"time:{kind}", ("value:Q", ".3f")),
        )
    )
    return alt.layer(band, series).properties(width=plot, height=HEIGHT, title=_title(alt, column, plot))


def class_counts_chart(counts: pd.DataFrame, *, width: int = WIDTH) -> Any:
    """Grouped bars of rows per class before and after balancing.

    ``counts`` is the output of :func:`synthbench.balancing_report.class_counts`
    (columns ``class``, ``before``, ``after``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"class": [0, 1], "before": [90, 10], "after": [90, 90]})
    >>> spec = class_counts_chart(c).to_dict()
    >>> sorted(r["rows"] for r in spec["datasets"][spec["data"]["name"]])
    [10, 90, 90, 90]
    """
    return _as_chart(class_counts_spec(counts, width=width))


def class_counts_spec(counts: pd.DataFrame, *, width: int = WIDTH) -> dict[str, Any]:
    """:func:`class_counts_chart` as a Vega-Lite dict."""
    plot = _width(width) - Y_AXIS
    table = _check_table(counts, ("class", "before", "after"), "class counts")
    classes = [str(c) for c in table["class"].tolist()]
    long = [
        {"class": c, "when": when, "rows": rows}
        for when in ("before", "after")
        for c, rows in zip(classes, _json_list(table[when]), strict=True)
    ]
    data, datasets = _data(long)
    spec = {
        "data": data,
        "mark": {"type": "bar"},
        "encoding": {
            "color": {
                "field": "when",
                "legend": _legend_dict(),
                "scale": {"domain": ["before", "after"], "range": list(COLORS)},
                "type": "nominal",
            },
            "tooltip": [
                {"field": "class", "type": "nominal"},
                {"field": "when", "type": "nominal"},
                {"field": "rows", "type": "quantitative"},
            ],
            "x": {"axis": {"labelLimit": 120}, "field": "class", "sort": None, "title": None, "type": "nominal"},
            "xOffset": {"field": "when", "scale": {"domain": ["before", "after"]}, "type": "nominal"},
            "y": {"field": "rows", "title": "rows", "type": "quantitative"},
        },
        "height": HEIGHT,
        "title": _title_dict("rows per class, before and after", plot),
        "width": plot,
    }
    return _top(spec, datasets)


def column_chart(
    chart_data: dict[str, Any], column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> Any:
    """The right comparison chart for ``column`` of ``Report.chart_data``.

    Histograms for continuous columns, grouped bars for discrete ones.

    Examples
    --------
    >>> import pandas as pd
    >>> from synthbench.evaluate import quality_report
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": list("aab")})
    >>> column_chart(quality_report(real, real).chart_data, "c").to_dict()["mark"]["type"]
    'bar'
    """
    return _as_chart(column_spec(chart_data, column, labels=labels, width=width))


def column_spec(
    chart_data: dict[str, Any], column: str, *, labels: tuple[str, ...] = ("real", "synthetic"), width: int = WIDTH
) -> dict[str, Any]:
    """:func:`column_chart` as a Vega-Lite dict."""
    if column in chart_data.get("histograms", {}):
        return histogram_spec(chart_data["histograms"][column], column, labels=labels, width=width)
    if column in chart_data.get("categories", {}):
        return category_spec(chart_data["categories"][column], column, labels=labels, width=width)
    known = sorted(map(str, [*chart_data.get("histograms", {}), *chart_data.get("categories", {})]))
    raise InvalidParameterError(f"The 'column' parameter must be one of {known}. Got {column!r} instead.")


#: Lines of the privacy trade-off chart, in legend order, and their colours.
_TRADEOFF_LINES = ("quality score", "quality of unseen real rows (ceiling)", "DCR share (0.5: no copying)")
_TRADEOFF_COLORS = ("#4c78a8", "#9ecae9", "#e45756")


def tradeoff_chart(table: pd.DataFrame, *, current: Any = None, width: int = WIDTH) -> Any:
    """Quality and DCR share against a generator's privacy knob, a rule at 50%.

    ``table`` is the output of :func:`synthbench.evaluate.privacy_tradeoff.privacy_tradeoff`
    (columns ``param``, ``value``, ``quality``, ``ceiling``, ``dcr_share``, ``dcr_low``,
    ``dcr_high``); the knob's values are drawn in the table's order, evenly spaced.
    ``current`` marks the generator's value now.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"param": "min_samples_leaf", "value": [1, 100], "quality": [0.9, 0.8],
    ...                   "ceiling": 0.85, "dcr_share": [0.9, 0.5], "dcr_low": [0.85, 0.45], "dcr_high": [0.95, 0.55]})
    >>> spec = tradeoff_chart(t).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'rule', 'line', 'text']
    """
    return _as_chart(tradeoff_spec(table, current=current, width=width))


def tradeoff_spec(table: pd.DataFrame, *, current: Any = None, width: int = WIDTH) -> dict[str, Any]:
    """:func:`tradeoff_chart` as a Vega-Lite dict."""
    plot = _width(width) - Y_AXIS
    table = _check_table(
        table, ("param", "value", "quality", "ceiling", "dcr_share", "dcr_low", "dcr_high"), "trade-off"
    )
    if table.empty:
        raise DataError("The trade-off table has no rows: nothing to draw.")
    param = str(table["param"].iloc[0])
    order = [str(v) for v in table["value"].tolist()]
    lines = []
    for column, line in zip(("quality", "ceiling", "dcr_share"), _TRADEOFF_LINES, strict=True):
        for value, y, low, high in zip(
            order,
            _json_list(table[column].astype("float64")),
            _json_list(table["dcr_low"].astype("float64")),
            _json_list(table["dcr_high"].astype("float64")),
            strict=True,
        ):
            row = {"value": value, "line": line, "y": y}
            if column == "dcr_share":
                row.update(low=low, high=high)
            lines.append(row)
    data, datasets = _data(lines)
    x = {
        "field": "value",
        "sort": order,
        "title": f"{param} (privacy knob)",
        "type": "ordinal",
        "axis": {"labelAngle": 0},
    }
    y_scale = {"domain": [0, 1]}
    # Three long entries: one per row below the plot, so the legend never needs width.
    color = {
        "field": "line",
        "legend": {**_legend_dict(), "direction": "vertical"},
        "scale": {"domain": list(_TRADEOFF_LINES), "range": list(_TRADEOFF_COLORS)},
        "type": "nominal",
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": [{"y": 0.5}]},
            "mark": {"type": "rule", "color": "#555", "strokeDash": [4, 4]},
            "encoding": {"y": {"field": "y", "type": "quantitative", "scale": y_scale}},
        },
        {
            "data": data,
            "transform": [{"filter": "datum.low != null"}],
            "mark": {"type": "rule", "color": _TRADEOFF_COLORS[2]},
            "encoding": {
                "x": x,
                "y": {"field": "low", "type": "quantitative", "scale": y_scale},
                "y2": {"field": "high"},
            },
        },
        {
            "data": data,
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative", "scale": y_scale, "title": "score / share"},
                "color": color,
                "strokeDash": {
                    "field": "line",
                    "legend": None,
                    "scale": {"domain": list(_TRADEOFF_LINES), "range": [[1, 0], [4, 3], [1, 0]]},
                    "type": "nominal",
                },
                "tooltip": [
                    {"field": "value", "type": "nominal", "title": param},
                    {"field": "line", "type": "nominal"},
                    {"field": "y", "type": "quantitative", "format": ".3f"},
                ],
            },
        },
        {
            "data": {"values": [{"y": 0.5, "text": "50%"}]},
            "mark": {"type": "text", "align": "left", "dx": 2, "dy": -6, "color": "#555", "x": 0},
            "encoding": {
                "y": {"field": "y", "type": "quantitative", "scale": y_scale},
                "text": {"field": "text", "type": "nominal"},
            },
        },
    ]
    if current is not None and str(current) in order:
        layers.append(
            {
                "data": {"values": [{"value": str(current)}]},
                "mark": {"type": "rule", "color": "black", "opacity": 0.3, "size": 3},
                "encoding": {"x": x},
            }
        )
    spec = {
        "layer": layers,
        "height": HEIGHT,
        "title": _title_dict("Quality vs copying (DCR share, 95% bars)", plot),
        "width": plot,
    }
    return _top(spec, datasets)
