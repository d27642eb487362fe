"""What a fleet chart draws: a few sampled entities, the fleet's mean and its 5-95% band.

A fleet of 100,000 sensors over a year is a billion points; a chart needs a few hundred.
:func:`fleet_summary` buckets time (at most ``max_points`` buckets) and, per bucket,
reduces every entity at once with numpy: the mean, the 5% and 95% quantiles of the
values in the bucket, and the bucket means of a few evenly spaced entities. Only these
aggregates reach Altair (:func:`synthbench.charts.fleet_chart`).

>>> import synthbench as sb
>>> from synthbench.timeseries import Noise, Trend
>>> df = sb.TimeSeries(entities=50, components=[Trend(level=10), Noise()]).sample(365, seed=0)
>>> bands, lines = fleet_summary(df, "timestamp", "entity", "value", max_points=100)
>>> len(bands), sorted(lines["series"].unique())
(100, ['entity 0', 'entity 24', 'entity 49', 'mean'])
>>> bool((bands["low"] <= bands["high"]).all())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...exceptions import DataError

__all__ = ["fleet_summary"]


def _bucket_codes(times: pd.Series, max_points: int) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each row's time bucket (0 .. buckets - 1) and the buckets' start times."""
    # Microseconds: nanoseconds overflow past the year 2262 (long daily series get there).
    ts = pd.to_datetime(times).to_numpy().astype("datetime64[us]").astype("int64")
    lo, hi = int(ts.min()), int(ts.max())
    steps = np.unique(ts)
    if len(steps) <= max_points:  # one bucket per timestamp: nothing is averaged away
        return np.searchsorted(steps, ts), pd.DatetimeIndex(steps.astype("datetime64[us]"))
    edges = np.linspace(lo, hi, max_points + 1)
    codes = np.clip(np.searchsorted(edges, ts, side="right") - 1, 0, max_points - 1)
    return codes, pd.DatetimeIndex(edges[:-1].astype("int64").astype("datetime64[us]"))


def fleet_summary(
    frame: pd.DataFrame,
    time_column: str,
    entity_column: str,
    column: str,
    *,
    entities: int = 3,
    max_points: int = 300,
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The band and the lines of a fleet chart, aggregated with numpy.

    Returns ``bands`` (columns ``time``, ``low``, ``high``, ``mean``: the quantiles and
    mean of every value in each time bucket) and ``lines`` (``time``, ``value``,
    ``series``: the fleet mean and the bucket means of ``entities`` evenly spaced entities,
    first and last included). Missing values are left out; a bucket without any holds NaN, so
    the chart's lines and band break there (an outage shows as a gap).
    """
    for name in (time_column, entity_column, column):
        if name not in frame.columns:
            raise DataError(f"The frame has no column {name!r}; it has {list(map(str, frame.columns))[:20]}.")
    if len(frame) == 0:
        raise DataError("The frame is empty: there is no fleet to summarise.")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
    codes, starts = _bucket_codes(frame[time_column], max_points)
    buckets = len(starts)
    ok = ~np.isnan(values)
    counts = np.bincount(codes[ok], minlength=buckets)
    mean = np.bincount(codes[ok], weights=values[ok], minlength=buckets) / np.maximum(counts, 1)
    # Quantiles per bucket: sort by (bucket, value) once, then index each bucket's run.
    order = np.lexsort((values[ok], codes[ok]))
    sorted_values = values[ok][order]
    begin = np.concatenate([[0], np.cumsum(counts)[:-1]])
    low, high = (
        sorted_values[np.minimum(begin + np.floor(q * np.maximum(counts - 1, 0)).astype(np.int64), len(order) - 1)]
        if len(order)
        else np.full(buckets, np.nan)
        for q in quantiles
    )
    empty = counts == 0
    mean[empty] = low[empty] = high[empty] = np.nan
    bands = pd.DataFrame({"time": starts, "low": low, "high": high, "mean": mean})
    lines = [pd.DataFrame({"time": starts, "value": mean, "series": "mean"})]
    ids = pd.unique(frame[entity_column])
    picks = ids[np.unique(np.linspace(0, len(ids) - 1, min(entities, len(ids))).round().astype(int))]
    entity = frame[entity_column].to_numpy()
    for pick in picks:
        rows = (entity == pick) & ok
        n = np.bincount(codes[rows], minlength=buckets)
        sums = np.bincount(codes[rows], weights=values[rows], minlength=buckets)
        with np.errstate(invalid="ignore", divide="ignore"):
            lines.append(pd.DataFrame({"time": starts, "value": sums / n, "series": f"entity {pick}"}))
    return bands, pd.concat(lines, ignore_index=True)
