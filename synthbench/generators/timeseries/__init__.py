"""The time-series family: declared components summed over a real DatetimeIndex.

>>> import synthbench as sb
>>> from synthbench.timeseries import Noise, Seasonality, Trend
>>> gen = sb.TimeSeries(freq="h", components=[Trend(level=20), Seasonality(period=24, amplitude=5),
...                                           Noise(scale=0.5)])
>>> gen.sample(48, seed=1).shape
(48, 3)

See :class:`TimeSeries` for the generator built from components and
:class:`FittedTimeSeries` for the one that learns trend, seasonality and AR noise
from a real series.
"""

from .components import (
    AR,
    COMPONENT_TYPES,
    Anomaly,
    Fourier,
    LevelShift,
    Missing,
    Noise,
    RandomWalk,
    Seasonality,
    SeasonalProfile,
    SeriesComponent,
    Trend,
)
from .core import TimeSeries
from .fitted import FittedTimeSeries, example_temperatures

__all__ = [
    "AR",
    "COMPONENT_TYPES",
    "Anomaly",
    "FittedTimeSeries",
    "Fourier",
    "LevelShift",
    "Missing",
    "Noise",
    "RandomWalk",
    "SeasonalProfile",
    "Seasonality",
    "SeriesComponent",
    "TimeSeries",
    "Trend",
    "example_temperatures",
]
