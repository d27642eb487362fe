"""Time-series components for :class:`synthbench.TimeSeries` (``from synthbench import timeseries as ts``)."""

from .generators.timeseries import (
    AR,
    COMPONENT_TYPES,
    Anomaly,
    FittedTimeSeries,
    Fourier,
    LevelShift,
    Missing,
    Noise,
    RandomWalk,
    Seasonality,
    SeasonalProfile,
    SeriesComponent,
    TimeSeries,
    Trend,
    example_temperatures,
)

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
