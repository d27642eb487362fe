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
    "histogram_chart",
    "timeseries_chart",
]

#: Colours of the two sides of every comparison (reference first).
COLORS = ("#4c78a8", "#f58518")
WIDTH, HEIGHT = 260, 180


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


def _labels(labels: Any) -> tuple[str, str]:
    if not (isinstance(labels, (list, tuple)) and len(labels) == 2 and all(isinstance(x, str) for x in labels)):
        raise InvalidParameterError(f"The 'labels' parameter must be a pair of str. Got {labels!r} instead.")
    return labels[0], labels[1]


def _color(alt: Any, labels: tuple[str, str]) -> Any:
    return alt.Color("source:N", scale=alt.Scale(domain=list(labels), range=list(COLORS)), title=None)


def histogram_chart(table: pd.DataFrame, column: str, *, labels: tuple[str, str] = ("real", "synthetic")) -> Any:
    """Overlaid histograms of one numeric or datetime column.

    Parameters
    ----------
    table : DataFrame
        Columns ``left``, ``right``, ``real``, ``synthetic`` (bin edges and shares), as in
        ``Report.chart_data["histograms"][column]``.
    column : str
        The column's name, for the axis title.
    labels : pair of str
        Legend names of the real and the synthetic side.

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
    real, synthetic = _labels(labels)
    table = _check_table(table, ("left", "right", "real", "synthetic"), "histogram")
    long = _melt(table, ["left", "right"], real, synthetic)
    kind = "T" if pd.api.types.is_datetime64_any_dtype(table["left"]) else "Q"
    return (
        alt.Chart(long, width=WIDTH, height=HEIGHT, title=str(column))
        .mark_bar(opacity=0.55, binSpacing=0)
        .encode(
            x=alt.X(f"left:{kind}", title=str(column), scale=alt.Scale(zero=False)),
            x2="right",
            y=alt.Y("share:Q", title="share of rows", stack=None),
            y2=alt.datum(0),
            color=_color(alt, (real, synthetic)),
            tooltip=["source:N", f"left:{kind}", f"right:{kind}", alt.Tooltip("share:Q", format=".3f")],
        )
    )


def category_chart(table: pd.DataFrame, column: str, *, labels: tuple[str, str] = ("real", "synthetic")) -> Any:
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
    real, synthetic = _labels(labels)
    table = _check_table(table, ("category", "real", "synthetic"), "category")
    long = _melt(table.assign(category=table["category"].astype(str)), ["category"], real, synthetic)
    return (
        alt.Chart(long, width=WIDTH, height=HEIGHT, title=str(column))
        .mark_bar()
        .encode(
            x=alt.X("category:N", title=str(column), sort=None),
            xOffset=alt.XOffset("source:N", scale=alt.Scale(domain=[real, synthetic])),
            y=alt.Y("share:Q", title="share of rows"),
            color=_color(alt, (real, synthetic)),
            tooltip=["source:N", "category:N", alt.Tooltip("share:Q", format=".3f")],
        )
    )


def correlation_chart(correlations: pd.DataFrame, *, labels: tuple[str, str] = ("real", "synthetic")) -> Any:
    """Side-by-side Pearson correlation heatmaps, real and synthetic.

    ``correlations`` is the long form of ``Report.chart_data["correlations"]``: columns
    ``column_1``, ``column_2``, ``real``, ``synthetic``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"column_1": ["x", "y", "x", "y"], "column_2": ["x", "y", "y", "x"],
    ...                   "real": [1.0, 1.0, 0.5, 0.5], "synthetic": [1.0, 1.0, 0.1, 0.1]})
    >>> spec = correlation_chart(c).to_dict()
    >>> spec["spec"]["mark"]["type"], spec["facet"]["column"]["field"]
    ('rect', 'source')
    """
    alt = _alt()
    real, synthetic = _labels(labels)
    table = _check_table(correlations, ("column_1", "column_2", "real", "synthetic"), "correlations")
    long = _melt(
        table.assign(column_1=table["column_1"].astype(str), column_2=table["column_2"].astype(str)),
        ["column_1", "column_2"],
        real,
        synthetic,
    )
    # Two heatmaps side by side fit a notebook column: at most 180 px each.
    size = max(90, min(180, 16 * table["column_1"].nunique()))
    return (
        alt.Chart(long, width=size, height=size)
        .mark_rect()
        .encode(
            x=alt.X("column_1:N", title=None, sort=None),
            y=alt.Y("column_2:N", title=None, sort=None),
            color=alt.Color("share:Q", title="correlation", scale=alt.Scale(scheme="redblue", domain=[-1, 1])),
            tooltip=["column_1:N", "column_2:N", alt.Tooltip("share:Q", title="correlation", format=".2f")],
        )
        .facet(column=alt.Column("source:N", title=None, sort=[real, synthetic]))
        .properties(title="correlations")
    )


def timeseries_chart(table: pd.DataFrame, column: str, *, labels: tuple[str, str] = ("real", "synthetic")) -> Any:
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
    real, synthetic = _labels(labels)
    table = _check_table(table, ("time", "value", "source"), "time series")
    kind = "T" if pd.api.types.is_datetime64_any_dtype(table["time"]) else "Q"
    return (
        alt.Chart(table, width=int(1.5 * WIDTH), height=HEIGHT, title=str(column))
        .mark_line(opacity=0.85)
        .encode(
            x=alt.X(f"time:{kind}", title=None),
            y=alt.Y("value:Q", title=str(column)),
            color=_color(alt, (real, synthetic)),
            tooltip=["source:N", f"time:{kind}", alt.Tooltip("value:Q", format=".3f")],
        )
    )


def class_counts_chart(counts: pd.DataFrame) -> Any:
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
    table = _check_table(counts, ("class", "before", "after"), "class counts")
    long = table[["class", "before", "after"]].assign(**{"class": table["class"].astype(str)})
    long = long.melt(id_vars=["class"], value_vars=["before", "after"], var_name="when", value_name="rows")
    return (
        alt.Chart(long, width=WIDTH, height=HEIGHT, title="rows per class")
        .mark_bar()
        .encode(
            x=alt.X("class:N", title="class", sort=None),
            xOffset=alt.XOffset("when:N", scale=alt.Scale(domain=["before", "after"])),
            y=alt.Y("rows:Q", title="rows"),
            color=alt.Color("when:N", scale=alt.Scale(domain=["before", "after"], range=list(COLORS)), title=None),
            tooltip=["class:N", "when:N", "rows:Q"],
        )
    )


def column_chart(chart_data: dict[str, Any], column: str, *, labels: tuple[str, str] = ("real", "synthetic")) -> Any:
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
        return histogram_chart(chart_data["histograms"][column], column, labels=labels)
    if column in chart_data.get("categories", {}):
        return category_chart(chart_data["categories"][column], column, labels=labels)
    known = sorted(map(str, [*chart_data.get("histograms", {}), *chart_data.get("categories", {})]))
    raise InvalidParameterError(f"The 'column' parameter must be one of {known}. Got {column!r} instead.")


def _melt(table: pd.DataFrame, keys: list[str], real: str, synthetic: str) -> pd.DataFrame:
    long = table[[*keys, "real", "synthetic"]].rename(columns={"real": real, "synthetic": synthetic})
    return long.melt(id_vars=keys, value_vars=[real, synthetic], var_name="source", value_name="share")
