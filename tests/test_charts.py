"""Chart builders: tested on their Vega-Lite specs (``to_dict()``), over real binned data."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.datasets import load_wine

import synthbench as sb
from synthbench import charts
from synthbench.balancing_report import class_counts
from synthbench.evaluate import quality_report
from synthbench.exceptions import DataError, InvalidParameterError
from synthbench.widgets import timeseries_buckets

pytest.importorskip("altair")


@pytest.fixture(scope="module")
def wine_report():
    real = load_wine(as_frame=True).frame
    real["target"] = real["target"].map({0: "a", 1: "b", 2: "c"})
    synthetic = sb.GaussianCopula().fit(real).sample(5000, seed=0)
    return quality_report(real, synthetic, bins=20)


def _data(spec: dict) -> list:
    return spec["datasets"][spec["data"]["name"]]


def test_histogram_overlays_both_sides(wine_report):
    spec = charts.histogram_chart(wine_report.chart_data["histograms"]["alcohol"], "alcohol").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "left" and spec["encoding"]["x2"]["field"] == "right"
    assert spec["encoding"]["y"]["stack"] is None  # overlaid, not stacked
    rows = _data(spec)
    assert len(rows) == 40  # 20 bins x 2 sides: aggregates, not 5000 rows
    assert {r["source"] for r in rows} == {"real", "synthetic"}
    assert sum(r["share"] for r in rows if r["source"] == "real") == pytest.approx(1.0)


def test_categories_are_grouped_bars(wine_report):
    spec = charts.category_chart(
        wine_report.chart_data["categories"]["target"], "target", labels=("start", "now")
    ).to_dict()
    assert spec["encoding"]["xOffset"]["field"] == "source"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["start", "now"]
    assert sorted({r["category"] for r in _data(spec)}) == ["a", "b", "c"]
    assert len(_data(spec)) == 6


def test_correlation_heatmaps_side_by_side_when_there_is_room(wine_report):
    corr = wine_report.chart_data["correlations"]
    spec = charts.correlation_chart(corr, width=800).to_dict()
    assert [v["mark"]["type"] for v in spec["hconcat"]] == ["rect", "rect"]
    assert [v["title"]["text"] for v in spec["hconcat"]] == ["real", "synthetic"]
    assert [v["title"]["text"] for v in charts.correlation_chart(corr, width=400).to_dict()["vconcat"]] == [
        "real",
        "synthetic",
    ]
    assert spec["hconcat"][0]["encoding"]["color"]["scale"]["domain"] == [-1, 1]
    rows = [r for v in spec["hconcat"] for r in spec["datasets"][v["data"]["name"]]]
    assert len(rows) == 2 * len(corr) == 2 * 13 * 13


def test_datetime_histogram_is_temporal():
    real = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=200, freq="D")})
    report = quality_report(real, real.iloc[::2], bins=10)
    spec = charts.histogram_chart(report.chart_data["histograms"]["t"], "t").to_dict()
    assert spec["encoding"]["x"]["type"] == "temporal"


def test_timeseries_overlay_is_bucketed():
    gen = sb.TimeSeries.example()
    real, synthetic = gen.sample(5000, seed=1), gen.sample(5000, seed=2)
    table = timeseries_buckets(real, synthetic, "timestamp", "temperature", max_points=100)
    spec = charts.timeseries_chart(table, "temperature").to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert len(_data(spec)) <= 200


def test_class_counts_before_after():
    real = load_wine(as_frame=True).frame
    balanced = sb.Balance(target="target").fit(real).sample(seed=0)
    spec = charts.class_counts_chart(class_counts(real, balanced, "target")).to_dict()
    after = [r["rows"] for r in _data(spec) if r["when"] == "after"]
    assert len(set(after)) == 1  # balanced
    assert spec["encoding"]["xOffset"]["field"] == "when"


def test_column_chart_dispatch_and_errors(wine_report):
    assert charts.column_chart(wine_report.chart_data, "alcohol").to_dict()["encoding"]["x2"]["field"] == "right"
    assert "xOffset" in charts.column_chart(wine_report.chart_data, "target").to_dict()["encoding"]
    with pytest.raises(InvalidParameterError, match="'column' parameter must be one of"):
        charts.column_chart(wine_report.chart_data, "nope")
    with pytest.raises(DataError, match="must have the columns"):
        charts.histogram_chart(pd.DataFrame({"left": [1]}), "x")
    for labels in (("a", "a"), ("a", "b", "c"), ("a", 1)):
        with pytest.raises(InvalidParameterError, match="'labels'"):
            charts.histogram_chart(wine_report.chart_data["histograms"]["alcohol"], "x", labels=labels)
    for width in (100, 10**6, 400.0, True):
        with pytest.raises(InvalidParameterError, match="'width' parameter"):
            charts.histogram_chart(wine_report.chart_data["histograms"]["alcohol"], "x", width=width)


def test_one_label_draws_the_synthetic_side_alone(wine_report):
    spec = charts.column_chart(wine_report.chart_data, "target", labels=("synthetic",)).to_dict()
    assert {r["source"] for r in _data(spec)} == {"synthetic"}
    assert spec["encoding"]["color"]["scale"]["range"] == [charts.COLORS[1]]


def _svg_fits(chart, width: int) -> str:
    """Render ``chart`` as the browser would (Vega, SVG) and check it fits ``width`` pixels."""
    import re

    vlc = pytest.importorskip("vl_convert")
    svg = vlc.vegalite_to_svg(chart.to_dict())
    drawn = float(re.search(r'<svg[^>]*width="([0-9.]+)"', svg).group(1))
    assert drawn <= width, f"{drawn} px drawn in a {width} px budget"
    return svg


@pytest.mark.parametrize("width", [320, 400, 560, 900])
def test_charts_fit_their_width_with_legends_and_titles(wine_report, width):
    data = wine_report.chart_data
    svg = _svg_fits(charts.column_chart(data, "alcohol", width=width), width)
    assert ">real</text>" in svg and ">synthetic</text>" in svg and ">alcohol</text>" in svg
    svg = _svg_fits(charts.column_chart(data, "target", width=width), width)
    assert ">synthetic</text>" in svg
    svg = _svg_fits(charts.correlation_chart(data["correlations"], width=width), width)
    assert ">correlations</text>" in svg and ">flavanoids</text>" in svg
    combined = charts.column_chart(data, "alcohol", width=width) & charts.correlation_chart(
        data["correlations"], width=width
    )
    _svg_fits(combined, width)  # what the panel shows: the column above the heatmaps
    real = load_wine(as_frame=True).frame
    counts = class_counts(real, sb.Balance(target="target").fit(real).sample(seed=0), "target")
    combined = charts.class_counts_chart(counts, width=width) & charts.column_chart(data, "alcohol", width=width)
    svg = _svg_fits(combined.resolve_scale(color="independent"), width)
    assert ">before</text>" in svg and ">after</text>" in svg and ">synthetic</text>" in svg
    gen = sb.TimeSeries.example()
    table = timeseries_buckets(gen.sample(2000, seed=1), gen.sample(2000, seed=2), "timestamp", "temperature")
    svg = _svg_fits(charts.timeseries_chart(table, "temperature", width=width), width)
    assert ">synthetic</text>" in svg
