"""FittedTimeSeries: learn trend, seasonal profile and AR residual from a real series.

The model is the classical decomposition, fitted by ordinary least squares with numpy
(no statsmodels):

1. put the series on its regular grid (``freq`` given or inferred; gaps become NaN);
2. regress the values on ``1``, the step number (``trend="linear"``) and, for each
   seasonal period P, Fourier terms ``sin(2 pi k t / P)``, ``cos(2 pi k t / P)`` for
   ``k = 1 .. min(harmonics, P // 2)``; missing steps are left out of the fit;
3. fit an AR(p) to the residuals by least squares on the lagged residuals (rows whose
   lags are all present); if the estimate is not stationary, its roots are pushed
   just outside the unit circle (``phi_k * r**k``), so sampling never explodes;
4. keep the residual AR innovations' standard deviation (or, for ``ar_order=0``, the
   residuals' own) as the noise scale.

What it learns is a list of :mod:`~synthbench.timeseries` components (``Trend``,
``Fourier`` per period, ``AR`` or ``Noise``), so sampling and ``to_code`` are exactly
those of a :class:`~synthbench.TimeSeries` with the learned numbers written as literals,
and the spec's ``state`` holds the same components as JSON. New series start at the
data's first timestamp, so they overlay the real one (a named timezone is kept as the
first timestamp's UTC offset, since the state is plain JSON).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ...base import Generator
from ...exceptions import DataError, InvalidParameterError, SpecError
from ...params import ComponentOf, Float, Int, ListOf, Optional, Options, Param, Str, short_repr
from ...registry import register
from .components import AR, COMPONENT_TYPES, Fourier, Noise, SeriesComponent, Trend, ar_radius, check_timestamp
from .core import _NAME, TimeSeries, check_freq

__all__ = ["FittedTimeSeries", "example_temperatures"]

_COMPONENTS = ListOf(ComponentOf(COMPONENT_TYPES, "a time-series component"), min_len=1, max_len=100)
#: Most steps a fitted grid may have (a guard against a tiny ``freq`` over a long span).
_MAX_GRID = 10_000_000
#: Largest absolute value the fit accepts: squares and sums of squares stay finite.
_MAX_ABS = 1e150
#: Most memory the least-squares fit may take (design matrix and its copies).
_MAX_FIT_BYTES = 2 * 2**30


def example_temperatures(days: int = 1096, seed: int = 0) -> pd.DataFrame:
    """A deterministic, temperature-like daily series (degrees Celsius) to fit in examples.

    A yearly cycle around 11 degrees with a slight warming trend and AR(1) weather
    noise, from 2021-01-01. Made from ``np.random.default_rng(seed)``, so it is the same
    everywhere; it stands in for a real station record, which we do not ship.

    >>> from synthbench.timeseries import example_temperatures
    >>> example_temperatures().shape
    (1096, 2)
    """
    from scipy.signal import lfilter

    t = np.arange(days, dtype=float)
    rng = np.random.default_rng(seed)
    weather = lfilter([1.0], [1.0, -0.7], 1.8 * rng.standard_normal(days))
    temperature = 11.0 + 0.001 * t + 8.5 * np.sin(2 * np.pi * (t / 365.25 - 0.3)) + weather
    return pd.DataFrame(
        {"timestamp": pd.date_range("2021-01-01", periods=days, freq="D"), "temperature": np.round(temperature, 1)}
    )


@register
class FittedTimeSeries(Generator):
    """A time series that learns trend, seasonality and AR noise from a real series.

    See the module docstring for the model. ``fit(df)`` takes one series: a datetime
    column (or a ``DatetimeIndex``) and a numeric value column; ``sample(n)`` makes
    ``n`` steps from the data's first timestamp for each of ``entities`` new series.

    Parameters
    ----------
    time_column : str or None
        The data's datetime column (also the output's); None reads the data's
        ``DatetimeIndex`` and names the output column "timestamp".
    value_column : str or None
        The column to learn; None picks the only numeric column.
    freq : str or None
        The data's frequency; None infers it with :func:`pandas.infer_freq`.
    trend : {"linear", "constant"}
        A straight-line trend or just a level.
    periods : list of float
        Seasonal periods to learn, in steps (7 and 365.25 for daily data). The data
        must cover each at least twice.
    harmonics : int
        Fourier harmonics per period (capped at period // 2); more follow sharper shapes.
    ar_order : int
        Order p of the AR model of the residuals; 0 means independent noise.
    entities : int
        How many new series ``sample`` makes.
    entity_column : str
        Name of the entity column when ``entities > 1``.

    Attributes
    ----------
    components_ : list
        The learned ``Trend``, ``Fourier`` (one per period) and ``AR``/``Noise``.
    freq_, start_, column_ : str
        The data's frequency, first timestamp and value column.
    n_obs_ : int
        Non-missing values fitted.

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.timeseries import example_temperatures
    >>> real = example_temperatures()
    >>> gen = sb.FittedTimeSeries(periods=[365.25], harmonics=2).fit(real)
    >>> [type(c).__name__ for c in gen.components_]
    ['Trend', 'Fourier', 'AR']
    >>> round(gen.components_[2].phi[0], 1)
    0.7
    >>> gen.sample(730, seed=1).columns.tolist()
    ['timestamp', 'temperature']
    """

    family: ClassVar[str] = "timeseries"
    panel: ClassVar[str] = "TimeSeriesPanel"
    block_size: ClassVar[int] = TimeSeries.block_size
    workbench: ClassVar[int] = 5
    learns: ClassVar[bool] = True
    min_rows: ClassVar[int] = 1
    params = (
        Param("time_column", Optional(_NAME), "timestamp", "Datetime column; None reads the DatetimeIndex."),
        Param("value_column", Optional(_NAME), None, "Column to learn; None picks the only numeric one."),
        Param(
            "freq", Optional(Str(max_len=50, what="a pandas frequency str")), None, "Data frequency; None infers it."
        ),
        Param("trend", Options(("linear", "constant")), "linear", "Straight-line trend or just a level."),
        Param("periods", ListOf(Float(2, 1e9), max_len=20, unique=True), (), "Seasonal periods to learn, in steps."),
        Param("harmonics", Int(1, 50), 3, "Fourier harmonics per period."),
        Param("ar_order", Int(0, 20), 1, "AR order of the residuals (0: independent noise)."),
        Param("entities", Int(1, 1_000_000), 1, "Number of new series to sample."),
        Param("entity_column", _NAME, "entity", "Name of the entity column (several entities only)."),
    )

    @classmethod
    def for_data(cls, data: pd.DataFrame, *, target: str | None = None) -> FittedTimeSeries | None:
        """Learns the first datetime column of ``data``; None (no workbench tab) without one."""
        times = [c for c in data.columns if pd.api.types.is_datetime64_any_dtype(data[c])]
        return cls(time_column=times[0]) if times and isinstance(times[0], str) else None

    @classmethod
    def example(cls) -> FittedTimeSeries:
        """Fitted to :func:`example_temperatures` (three years of daily temperatures)."""
        return cls(periods=[365.25], harmonics=2).fit(example_temperatures())

    def _check_params(self) -> None:
        if self.freq is not None:
            check_freq(self, "freq", self.freq)

    # -- fitting ----------------------------------------------------------------------
    def _read(self, data: Any) -> tuple[pd.DatetimeIndex, np.ndarray, str]:
        """The timestamps (sorted) and values of the series to learn, and the value column."""
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"FittedTimeSeries.fit needs a pandas DataFrame. Got {type(data).__name__} instead.")
        if data.columns.has_duplicates:
            repeated = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
            raise DataError(f"The data's column names must be unique; {short_repr(repeated)} repeat.")
        if self.time_column is None:
            if not isinstance(data.index, pd.DatetimeIndex):
                raise DataError("With time_column=None the data's index must be a DatetimeIndex.")
            times = data.index
        else:
            if self.time_column not in data.columns:
                raise DataError(
                    f"The data has no time column {self.time_column!r} (time_column). "
                    f"Its columns are {list(map(str, data.columns))[:20]}."
                )
            if not pd.api.types.is_datetime64_any_dtype(data[self.time_column]):
                raise DataError(
                    f"The time column {self.time_column!r} must hold datetimes. "
                    f"Got dtype {data[self.time_column].dtype} instead; convert it with pd.to_datetime."
                )
            times = pd.DatetimeIndex(data[self.time_column])
        column = self.value_column
        if column is None:
            numeric = [
                c
                for c in data.columns
                if c != self.time_column
                and pd.api.types.is_numeric_dtype(data[c])
                and not pd.api.types.is_bool_dtype(data[c])
                and not pd.api.types.is_complex_dtype(data[c])
            ]
            if len(numeric) != 1:
                raise DataError(
                    f"Set value_column: the data has {len(numeric)} numeric columns "
                    f"{short_repr(numeric)}, and FittedTimeSeries learns one."
                )
            column = numeric[0]
        elif column not in data.columns:
            raise DataError(f"The data has no value column {column!r} (value_column).")
        if not _NAME.is_satisfied_by(column):
            raise DataError(
                f"The value column's name must be {_NAME.describe()} (at most 200 characters), as it names the "
                f"output column. Got {short_repr(column)} instead; rename the column first."
            )
        values = data[column]
        if (
            not pd.api.types.is_numeric_dtype(values)
            or pd.api.types.is_bool_dtype(values)
            or pd.api.types.is_complex_dtype(values)
        ):
            raise DataError(f"The value column {column!r} must be numeric. Got dtype {values.dtype} instead.")
        values = values.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise DataError(f"The value column {column!r} holds infinite values; replace or drop them first.")
        if np.nanmax(np.abs(values), initial=0.0) > _MAX_ABS:
            raise DataError(
                f"The value column {column!r} holds values beyond +-{_MAX_ABS:.0e}, too large to fit by least "
                "squares (their squares overflow); rescale it first."
            )
        if times.hasnans:
            raise DataError("The timestamps contain missing values (NaT).")
        if times.has_duplicates:
            raise DataError("The timestamps must be unique (one series); found repeated timestamps.")
        order = np.argsort(times.asi8, kind="stable")
        return times[order], values[order], column

    def _grid(self, times: pd.DatetimeIndex) -> tuple[pd.DatetimeIndex, str]:
        if len(times) < 3:
            raise DataError(f"FittedTimeSeries needs at least 3 timestamps. Got {len(times)}.")
        freq = self.freq
        if freq is None:
            with warnings.catch_warnings():
                # pandas 3.1 announces that infer_freq will return an offset; either works here.
                warnings.filterwarnings("ignore", message=".*infer_freq.*")
                inferred = pd.infer_freq(times)
            freq = None if inferred is None else pd.tseries.frequencies.to_offset(inferred).freqstr
            if freq is None:
                raise DataError(
                    "Cannot infer the data's frequency (gaps or irregular steps?); pass freq=, e.g. freq='D'."
                )
        offset = check_freq(self, "freq", freq)
        steps = self._grid_steps(times, offset, freq)
        if not steps <= _MAX_GRID:
            raise self.invalid(
                "freq",
                f"must give at most {_MAX_GRID:,} steps over the data's span ({times[-1] - times[0]}); "
                f"it gives about {steps:.3g}. Pass a coarser freq",
                freq,
            )
        try:
            grid = pd.date_range(times[0], times[-1], freq=offset)
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            raise DataError(f"Cannot lay the timestamps on a {freq!r} grid within pandas' date range.") from None
        if len(grid) > _MAX_GRID or len(grid) == 0 or grid[0] != times[0] or not times.isin(grid).all():
            raise DataError(
                f"The timestamps are not on a regular {freq!r} grid from {times[0]}; pass the right freq= "
                "(timestamps off the grid cannot be placed)."
            )
        return grid, offset.freqstr

    def _grid_steps(self, times: pd.DatetimeIndex, offset: pd.DateOffset, freq: str) -> float:
        """About how many steps of ``offset`` the data spans, found before any grid is built."""
        span = (times[-1] - times[0]).total_seconds()  # seconds as floats: no unit can overflow
        try:
            step = pd.Timedelta(offset).total_seconds()  # fixed steps (h, min, 15s, D, ...)
        except (ValueError, TypeError, OverflowError):  # calendar steps (B, W, MS, ...): mean of ten
            try:
                step = ((times[0] + 10 * offset) - times[0]).total_seconds() / 10
            except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
                raise DataError(
                    f"Cannot lay the timestamps on a {freq!r} grid: its steps leave pandas' date range."
                ) from None
            # Calendar steps vary in length (weekends, months): allow for the shortest.
            step /= 2
        return span / step + 1 if step > 0 else math.inf

    def _check_fit_size(self, steps: int, columns: int) -> None:
        """Refuse a design matrix that would not fit in memory, before making it."""
        needed = steps * (columns + self.ar_order) * 8 * 4
        if needed > _MAX_FIT_BYTES:
            raise self.invalid(
                "harmonics",
                f"must keep the fit within {_MAX_FIT_BYTES / 2**30:.0f} GiB: {steps:,} steps x {columns} regressors "
                f"need about {needed / 2**30:.3g} GiB (lower harmonics, periods or ar_order, or fit a shorter series)",
                self.harmonics,
            )

    def _fit(self, data: pd.DataFrame) -> None:
        times, values, column = self._read(data)
        grid, freq = self._grid(times)
        y = pd.Series(values, index=times).reindex(grid).to_numpy(dtype=float)
        steps = len(grid)
        for period in self.periods:
            if steps < 2 * period:
                raise InvalidParameterError(
                    f"The 'periods' parameter of FittedTimeSeries must list periods the data covers at "
                    f"least twice ({steps} steps here). Got {period} instead."
                )
        orders = [min(self.harmonics, int(p // 2)) for p in self.periods]
        self._check_fit_size(steps, 2 + 2 * sum(orders))
        t = np.arange(steps, dtype=float)
        columns = [np.ones(steps)]
        if self.trend == "linear":
            columns.append(t)
        for period, order in zip(self.periods, orders):
            for k in range(1, order + 1):
                angle = 2 * np.pi * k * t / period
                columns += [np.sin(angle), np.cos(angle)]
        X = np.column_stack(columns)
        ok = np.isfinite(y)
        needed = X.shape[1] + self.ar_order + 10
        if ok.sum() < needed:
            raise DataError(
                f"FittedTimeSeries needs at least {needed} non-missing values for this model "
                f"(trend, {sum(orders)} harmonic(s), AR({self.ar_order})). Got {int(ok.sum())}."
            )
        beta = np.linalg.lstsq(X[ok], y[ok], rcond=None)[0]
        resid = y - X @ beta

        components: list[SeriesComponent] = [
            Trend(level=float(beta[0]), slope=float(beta[1]) if self.trend == "linear" else 0.0)
        ]
        i = 2 if self.trend == "linear" else 1
        for period, order in zip(self.periods, orders):
            pairs = [[float(beta[i + 2 * k]), float(beta[i + 2 * k + 1])] for k in range(order)]
            components.append(Fourier(period=period, coefficients=pairs))
            i += 2 * order
        components.append(self._noise(resid))

        for comp in components:
            try:
                comp.validate()
            except InvalidParameterError as exc:  # e.g. a scale that overflowed
                raise DataError(f"FittedTimeSeries learned an unusable model from this data: {exc}") from None
        self.components_ = components
        self.freq_ = freq
        self.start_ = str(grid[0])
        self.column_ = column
        self.n_obs_ = int(ok.sum())

    def _noise(self, resid: np.ndarray) -> SeriesComponent:
        p = self.ar_order
        if p == 0:
            return Noise(scale=float(np.sqrt(np.nanmean(resid**2))))
        lags = np.column_stack([resid[p - j : len(resid) - j] for j in range(1, p + 1)])
        target = resid[p:]
        ok = np.isfinite(target) & np.isfinite(lags).all(axis=1)
        if ok.sum() < p + 10:
            raise DataError(
                f"Too few runs of {p + 1} consecutive values to fit AR({p}) to the residuals "
                f"({int(ok.sum())}); lower ar_order or fill the gaps."
            )
        phi = np.linalg.lstsq(lags[ok], target[ok], rcond=None)[0]
        scale = float(np.sqrt(np.mean((target[ok] - lags[ok] @ phi) ** 2)))
        radius = ar_radius(phi)  # 1 / the smallest root's |z|
        if not np.isfinite(radius):
            raise DataError(f"Cannot fit AR({p}) to the residuals (the estimate is not finite); lower ar_order.")
        if radius >= 1 / 1.01:
            # Non-stationary estimate: scale the roots out to |z| = 1.02 (phi_k * r**k).
            r = 1 / (radius * 1.02)
            phi = phi * r ** np.arange(1, p + 1)
        return AR(phi=[float(v) for v in phi], scale=scale)

    # -- state ----------------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        return {
            "freq": self.freq_,
            "start": self.start_,
            "column": self.column_,
            "n_obs": self.n_obs_,
            "components": _COMPONENTS.to_json(self.components_),
        }

    def _set_state(self, state: Any) -> None:
        keys = {"freq", "start", "column", "n_obs", "components"}
        if not isinstance(state, dict) or set(state) != keys:
            raise SpecError(
                f"The 'state' of a FittedTimeSeries spec must be an object with keys {sorted(keys)}. "
                f"Got {short_repr(state)} instead."
            )
        components = _COMPONENTS.from_json(state["components"], "spec['state']['components']")
        for name, constraint in (("freq", _NAME), ("start", _NAME), ("column", _NAME), ("n_obs", Int(1))):
            if not constraint.is_satisfied_by(state[name]):
                raise SpecError(
                    f"Invalid value at spec['state'][{name!r}]: must be {constraint.describe()}. "
                    f"Got {short_repr(state[name])} instead."
                )
        self.components_ = list(components)
        self.freq_, self.start_, self.column_, self.n_obs_ = (
            state["freq"],
            state["start"],
            state["column"],
            state["n_obs"],
        )
        try:
            check_timestamp(self, "start", self.start_)
            self._series().validate()
        except InvalidParameterError as exc:
            for name in ("components_", "freq_", "start_", "column_", "n_obs_"):
                delattr(self, name)
            raise SpecError(f"Invalid 'state' in the FittedTimeSeries spec: {exc}") from None

    # -- sampling -------------------------------------------------------------------------
    def _series(self) -> TimeSeries:
        """The learned model as a TimeSeries (same streams, same code)."""
        return TimeSeries(
            start=self.start_,
            freq=self.freq_,
            entities=self.entities,
            channels=[self.column_],
            components=list(self.components_),
            time_column=self.time_column or "timestamp",
            entity_column=self.entity_column,
            label_column=None,
        )

    def _estimate_bytes(self, n: int) -> int:
        """Peak memory of ``sample(n)``, in bytes, roughly (that of the learned series)."""
        return self._series()._estimate_bytes(n) if self.is_fitted else 0

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        series = self._series()
        series.validate()
        return series._sample(n, seed, strict=False)

    # Streaming: blocks of whole entities, as the learned TimeSeries makes them.
    def _stream_rows(self, n: int) -> tuple[int, int]:
        return self._series()._stream_rows(n)

    def _file_rows(self, n: int, rows: int) -> int:
        return self._series()._file_rows(n, rows)

    def _estimate_rows_bytes(self, n: int, rows: int) -> int:
        return self._series()._estimate_rows_bytes(n, rows)

    def _sample_blocks(self, n: int, seed: int, start: int, stop: int) -> pd.DataFrame:
        return self._series()._sample_blocks(n, seed, start, stop, strict=False)

    def _to_code(self, n: int, seed: int) -> str:
        series = self._series()
        series.validate()
        entities = "entity" if self.entities == 1 else "entities"
        periods = ", ".join(str(c.period) for c in self.components_ if isinstance(c, Fourier)) or "none"
        title = (
            f"FittedTimeSeries: {n} steps x {self.entities} {entities}, seed {seed}.\n"
            f"Learned from {self.n_obs_} values: trend, seasonal period(s) {periods}, residual noise."
        )
        return series._to_code(n, seed, title=title, strict=False)
