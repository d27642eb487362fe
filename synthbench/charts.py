"""Altair comparison charts over pre-binned data.

Every function here takes *aggregates* (the binned tables in
:attr:`synthbench.evaluate.Report.chart_data`, :func:`synthbench.balancing_report.class_counts`
or a bucketed time series) and returns an Altair chart. None of them sees raw rows, so a
100k-row comparison stays a few hundred marks. Altair is imported inside the functions,
so ``import synthbench`` stays light.

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

from typing import Any

import pandas as pd

from .exceptions import DataError, InvalidParameterError

__all__ = [
    "category_chart",
    "class_counts_chart",
    "column_chart",
    "correlation_chart",
    "fleet_chart",
    "histogram_chart",
    "timeseries_chart",
]

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
    alt = _alt()
    labels = _labels(labels)
    plot = _width(width) - Y_AXIS
    table = _check_table(table, ("left", "right", "real", "synthetic"), "histogram")
    long = _melt(table, ["left", "right"], labels)
    kind = "T" if pd.api.types.is_datetime64_any_dtype(table["left"]) else "Q"
    return (
        alt.Chart(long, width=plot, height=HEIGHT, title=_title(alt, column, plot))
        .mark_bar(opacity=0.55, binSpacing=0)
        .encode(
            x=alt.X(f"left:{kind}", title=None, scale=alt.Scale(zero=False)),
            x2=alt.X2("right"),
            y=alt.Y("share:Q", title="share of rows", stack=None),
            y2=alt.Y2(datum=0),
            color=_color(alt, labels),
            tooltip=_tips(alt, "source:N", f"left:{kind}", f"right:{kind}", ("share:Q", ".3f")),
        )
    )


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
    alt = _alt()
    labels = _labels(labels)
    plot = _width(width) - Y_AXIS
    table = _check_table(table, ("category", "real", "synthetic"), "category")
    long = _melt(table.assign(category=table["category"].astype(str)), ["category"], labels)
    return (
        alt.Chart(long, width=plot, height=HEIGHT, title=_title(alt, column, plot))
        .mark_bar()
        .encode(
            x=alt.X("category:N", title=None, sort=None, axis=alt.Axis(labelLimit=120)),
            xOffset=alt.XOffset("source:N", scale=alt.Scale(domain=list(labels))),
            y=alt.Y("share:Q", title="share of rows"),
            color=_color(alt, labels),
            tooltip=_tips(alt, "source:N", "category:N", ("share:Q", ".3f")),
        )
    )


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
    alt = _alt()
    labels = _labels(labels)
    width = _width(width)
    table = _check_table(correlations, ("column_1", "column_2", "real", "synthetic"), "correlations")
    table = table.assign(column_1=table["column_1"].astype(str), column_2=table["column_2"].astype(str))
    long = _melt(table, ["column_1", "column_2"], labels)
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
    color = alt.Color(
        "share:Q",
        title="correlation",
        scale=alt.Scale(scheme="redblue", domain=[-1, 1]),
        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=min(160, size)),
    )
    # One plain chart per side (not a facet): a facet's headers join the layout grid of the
    # panel's combined chart and push the charts above it to the right, past the width.
    views = [
        alt.Chart(long[long["source"] == label], width=size, height=size, title=_title(alt, label, size))
        .mark_rect()
        .encode(
            x=alt.X("column_1:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_PX - 10)),
            y=alt.Y("column_2:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_PX - 10, orient="right")),
            color=color,
            tooltip=[
                *_tips(alt, "column_1:N", "column_2:N"),
                alt.Tooltip("share:Q", title="correlation", format=".2f"),
            ],
        )
        for label in labels
    ]
    both = alt.hconcat(*views) if across else alt.vconcat(*views)
    return both.properties(title=alt.TitleParams("correlations", anchor="start"))


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
    alt = _alt()
    plot = _width(width) - Y_AXIS
    table = _check_table(counts, ("class", "before", "after"), "class counts")
    long = table[["class", "before", "after"]].assign(**{"class": table["class"].astype(str)})
    long = long.melt(id_vars=["class"], value_vars=["before", "after"], var_name="when", value_name="rows")
    return (
        alt.Chart(long, width=plot, height=HEIGHT, title=_title(alt, "rows per class, before and after", plot))
        .mark_bar()
        .encode(
            x=alt.X("class:N", title=None, sort=None, axis=alt.Axis(labelLimit=120)),
            xOffset=alt.XOffset("when:N", scale=alt.Scale(domain=["before", "after"])),
            y=alt.Y("rows:Q", title="rows"),
            color=alt.Color(
                "when:N", scale=alt.Scale(domain=["before", "after"], range=list(COLORS)), legend=_legend(alt)
            ),
            tooltip=_tips(alt, "class:N", "when:N", "rows:Q"),
        )
    )


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
    if column in chart_data.get("histograms", {}):
        return histogram_chart(chart_data["histograms"][column], column, labels=labels, width=width)
    if column in chart_data.get("categories", {}):
        return category_chart(chart_data["categories"][column], column, labels=labels, width=width)
    known = sorted(map(str, [*chart_data.get("histograms", {}), *chart_data.get("categories", {})]))
    raise InvalidParameterError(f"The 'column' parameter must be one of {known}. Got {column!r} instead.")


def _melt(table: pd.DataFrame, keys: list[str], labels: tuple[str, ...]) -> pd.DataFrame:
    sides = ["real", "synthetic"] if len(labels) == 2 else ["synthetic"]
    long = table[[*keys, *sides]].rename(columns=dict(zip(sides, labels, strict=True)))
    return long.melt(id_vars=keys, value_vars=list(labels), var_name="source", value_name="share")
