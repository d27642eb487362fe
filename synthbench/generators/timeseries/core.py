"""TimeSeries: a declared sum of components over a real DatetimeIndex.

How a sample is laid out (and why):

* ``sample(n)`` makes ``n`` **steps** per entity (pandas' ``periods``): the index is
  ``pd.date_range(start=start, periods=n, freq=freq)``, or, with ``end``, the ``n``
  steps that finish at ``end``. The frame has ``n * entities`` rows.
* **Index policy.** The frame is in long format with a plain ``RangeIndex``; time is
  the real datetime column ``time_column`` ("timestamp"), sorted within each entity,
  entities stacked one after another (``entity_column`` holds 0, 1, ... and is left
  out when there is a single entity). ``df.set_index("timestamp")`` gives a
  ``DatetimeIndex`` with the declared frequency for one entity;
  ``df.pivot(index="timestamp", columns="entity", values="value")`` gives the wide form.
  Missing stretches keep their rows, with NaN values.
* Every array is ``(steps, entities, channels)``; each component adds its part to all
  entities in one numpy call.
* **Random streams.** Each component, anomaly and missing stretch draws from its own
  streams ``np.random.default_rng([seed, key, sub])``, where ``key`` is a stable hash
  of its kind and its rank among items of that kind (the second ``Seasonality`` is
  ``"Seasonality#1"``). Editing, adding or removing one item leaves the draws of
  every other item unchanged, which keeps a live preview steady while a knob turns.
  ``sub`` 0 is the main draws, 1 the per-entity ``vary`` factors, 2 a secondary draw
  (chi-square of t noise, sizes of random level shifts). Draws are made time first,
  so the random parts of ``sample(n)`` are the first ``n`` steps of ``sample(m)``
  for any ``m > n`` (random anomaly and gap placement depends on ``n``).
* **Channels** share the deterministic parts (trend, seasonality); the random parts
  (noise, AR shocks, random-walk steps, random jump sizes) are correlated across
  channels through the Cholesky factor of ``correlation``.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ...base import Generator
from ...codegen import CodeCell, literal
from ...params import AnyOf, ComponentOf, Float, Int, ListOf, Optional, Param, Str
from ...registry import register
from .components import (
    COMPONENT_TYPES,
    Anomaly,
    Context,
    Missing,
    RandomWalk,
    SeriesComponent,
    Trend,
    check_timestamp,
)

__all__ = ["TimeSeries", "check_freq", "stream_key", "stream_keys"]

_NAME = Str(pattern=r"[^\n\r]+", max_len=200, what="a non-empty single-line str")
_DATE = Str(max_len=100, what="a date/time str such as '2024-01-01'")


def stream_key(kind: str, rank: int) -> int:
    """A stable 32-bit key for the ``rank``-th item of class ``kind`` (same on every platform)."""
    return zlib.crc32(f"{kind}#{rank}".encode())


def stream_keys(items: Sequence[Any]) -> list[int]:
    """The stream key of each item: its class name and rank among items of that class."""
    seen: dict[str, int] = {}
    keys = []
    for item in items:
        kind = type(item).__name__
        keys.append(stream_key(kind, seen.get(kind, 0)))
        seen[kind] = seen.get(kind, 0) + 1
    return keys


def check_freq(owner: Any, param: str, freq: str) -> pd.DateOffset:
    """The pandas offset for ``freq``, or an error naming ``param`` of ``owner``."""
    rule = "must be a pandas frequency alias such as 'h', 'D', 'B', 'W', 'MS' or '15min'"
    try:
        # A deprecated alias would break the exported code on the next pandas.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError, FutureWarning, DeprecationWarning):
        raise owner.invalid(param, rule, freq) from None
    if offset.n <= 0:
        raise owner.invalid(param, "must step forward in time (a positive multiple)", freq)
    return offset


def _part(comp: SeriesComponent, key: int, ctx: Context) -> np.ndarray:
    """A component's part, times its per-entity factors when it has ``vary``."""
    part = comp.part(ctx, key)
    if comp.vary > 0:
        part = part * np.exp(comp.vary * ctx.rng(key, 1).standard_normal((ctx.entities, ctx.channels)))
    return part


def _q(name: str) -> str:
    return literal(name)


@register
class TimeSeries(Generator):
    """Time series declared from components: trend, seasonality, noise, AR, random walk, shifts.

    ``sample(n, seed=...)`` returns ``n`` steps per entity in long format (see the
    module docstring for the index policy and the random streams). The values are the
    sum of ``components``; then ``anomalies`` are injected and labelled, values are
    rounded to ``decimals``, and ``missing`` stretches are blanked.

    Parameters
    ----------
    start, end : str, optional
        Where the index starts, or (instead) where it ends; exactly one is set.
        Timezone-aware strings ("2024-01-01 00:00+01:00") give a tz-aware index.
    freq : str
        A pandas frequency alias: "h", "D", "B" (business days), "W", "MS",
        "15min", ... Component periods count steps of this frequency.
    entities : int
        Number of series (stores, sensors, ...), made at once.
    channels : list of str
        Value columns; several channels share the deterministic parts and have
        correlated random parts.
    correlation : float or list of lists
        Correlation of the channels' random parts: one number for every pair, or a
        full matrix (symmetric, ones on the diagonal, positive definite).
    components : list of components
        :class:`Trend`, :class:`Seasonality`, :class:`Fourier`, :class:`SeasonalProfile`,
        :class:`Noise`, :class:`AR`, :class:`RandomWalk`, :class:`LevelShift`
        (from ``synthbench.timeseries``), added up. Each has a ``vary`` knob for
        per-entity variation.
    anomalies : list of Anomaly
        Spikes, dips and temporary level shifts, labelled in ``label_column``.
    missing : list of Missing
        Stretches of missing values.
    time_column, entity_column : str
        Names of the datetime column and of the entity number column.
    label_column : str or None
        Name of the boolean anomaly label column; None leaves it out.
    decimals : int or None
        Round the values (e.g. 1 for temperatures); None keeps full precision.

    Examples
    --------
    The seeds' daily temperature: a base level plus cumulative noise over a date range.

    >>> import synthbench as sb
    >>> from synthbench.timeseries import RandomWalk, Trend
    >>> gen = sb.TimeSeries(start="2024-01-01", freq="D", channels=["temperature"],
    ...                     components=[Trend(level=15), RandomWalk(scale=1.0)],
    ...                     label_column=None, decimals=1)
    >>> df = gen.sample(365, seed=42)
    >>> df.shape
    (365, 2)
    >>> df["timestamp"].iloc[[0, -1]].dt.strftime("%Y-%m-%d").tolist()
    ['2024-01-01', '2024-12-30']

    Three stores with a weekly cycle, AR noise and one labelled spike:

    >>> from synthbench.timeseries import AR, Anomaly, Seasonality
    >>> stores = sb.TimeSeries(start="2024-01-01", freq="D", entities=3, channels=["sales"],
    ...     components=[Trend(level=100, slope=0.1, vary=0.2), Seasonality(period=7, amplitude=10),
    ...                 AR(phi=[0.7], scale=3)],
    ...     anomalies=[Anomaly(kind="spike", at="2024-02-14", magnitude=40)])
    >>> df = stores.sample(90, seed=0)
    >>> df.columns.tolist()
    ['entity', 'timestamp', 'sales', 'is_anomaly']
    >>> df.loc[df["is_anomaly"], "timestamp"].dt.strftime("%m-%d").tolist()
    ['02-14', '02-14', '02-14']
    """

    family: ClassVar[str] = "timeseries"
    panel: ClassVar[str] = "TimeSeriesPanel"
    why_not_streamable: ClassVar[str] = (
        "a series is one path through time whose random draws interleave all entities, "
        "so a block of rows cannot be made on its own"
    )
    min_rows: ClassVar[int] = 1
    params = (
        Param("start", Optional(_DATE), "2024-01-01", "First timestamp (or set 'end' instead)."),
        Param("end", Optional(_DATE), None, "Last timestamp, instead of 'start'."),
        Param(
            "freq",
            Str(max_len=50, what="a pandas frequency str"),
            "D",
            "Step between rows: 'h', 'D', 'B', '15min', ...",
        ),
        Param("entities", Int(1, 1_000_000), 1, "Number of series."),
        Param("channels", ListOf(_NAME, min_len=1, max_len=100, unique=True), ("value",), "Value columns."),
        Param(
            "correlation",
            AnyOf((Float(-1, 1), ListOf(ListOf(Float(-1, 1), min_len=1, max_len=100), min_len=1, max_len=100))),
            0.0,
            "Correlation of the channels' random parts (one number or a matrix).",
        ),
        Param(
            "components",
            ListOf(ComponentOf(COMPONENT_TYPES, "a time-series component"), max_len=200),
            (),
            "The parts that add up to the series.",
        ),
        Param(
            "anomalies",
            ListOf(ComponentOf({"Anomaly": Anomaly}, "an Anomaly"), max_len=1_000),
            (),
            "Injected, labelled anomalies.",
        ),
        Param(
            "missing",
            ListOf(ComponentOf({"Missing": Missing}, "a Missing stretch"), max_len=1_000),
            (),
            "Stretches of missing values.",
        ),
        Param("time_column", _NAME, "timestamp", "Name of the datetime column."),
        Param("entity_column", _NAME, "entity", "Name of the entity column (several entities only)."),
        Param("label_column", Optional(_NAME), "is_anomaly", "Name of the anomaly label column; None leaves it out."),
        Param("decimals", Optional(Int(0, 15)), None, "Round the values to this many decimals."),
    )

    @classmethod
    def example(cls) -> TimeSeries:
        """The seeds' daily temperature: 15 degrees plus cumulative Gaussian noise."""
        return cls(
            start="2024-01-01",
            freq="D",
            channels=["temperature"],
            components=[Trend(level=15.0), RandomWalk(scale=1.0)],
            label_column=None,
        )

    # -- validation -------------------------------------------------------------------
    def _check_params(self) -> None:
        if (self.start is None) == (self.end is None):
            raise self.invalid("start", "must be set, or else 'end' (exactly one of them)", self.start)
        for name in ("start", "end"):
            check_timestamp(self, name, getattr(self, name))
        check_freq(self, "freq", self.freq)
        names = [self.time_column, *self.channels]
        if self.entities > 1:
            names.insert(0, self.entity_column)
        if self.label_column is not None:
            names.append(self.label_column)
        if len(set(names)) != len(names):
            raise self.invalid("channels", f"must differ from the other column names {names}", list(self.channels))
        self._chol()
        for event in (*self.anomalies, *self.missing):
            if event.entities is not None and max(event.entities) >= self.entities:
                raise event.invalid(
                    "entities", f"must be entity numbers below entities={self.entities}", list(event.entities)
                )

    def _correlation_matrix(self) -> list[list[float]]:
        k = len(self.channels)
        if isinstance(self.correlation, (list, tuple)):
            return [[float(v) for v in row] for row in self.correlation]
        rho = float(self.correlation)
        return [[1.0 if i == j else rho for j in range(k)] for i in range(k)]

    def _chol(self) -> np.ndarray | None:
        """Cholesky factor of the channels' correlation; None when they are independent."""
        k = len(self.channels)
        matrix = self._correlation_matrix()
        if isinstance(self.correlation, (list, tuple)):
            if len(matrix) != k or any(len(row) != k for row in matrix):
                raise self.invalid("correlation", f"must be a {k} x {k} matrix (one row per channel)", self.correlation)
            m = np.array(matrix)
            if not (np.allclose(m, m.T, rtol=0, atol=1e-12) and np.all(np.diag(m) == 1)):
                raise self.invalid("correlation", "must be symmetric with ones on the diagonal", self.correlation)
        if k == 1 or all(matrix[i][j] == 0 for i in range(k) for j in range(k) if i != j):
            return None
        try:
            return np.linalg.cholesky(np.array(matrix))
        except np.linalg.LinAlgError:
            bound = f" (for one number and {k} channels: > {-1 / (k - 1):.4g} and < 1)"
            raise self.invalid("correlation", "must be positive definite" + bound, self.correlation) from None

    # -- sampling -----------------------------------------------------------------------
    def _index(self, n: int) -> pd.DatetimeIndex:
        where = {"start": self.start} if self.start is not None else {"end": self.end}
        try:
            return pd.date_range(**where, periods=n, freq=self.freq)
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            name = next(iter(where))
            raise self.invalid(
                name, f"must give {n} steps of {self.freq!r} within pandas' date range", where[name]
            ) from None

    def _context(self, n: int, seed: int, strict: bool) -> Context:
        return Context(
            n=n,
            entities=self.entities,
            channels=len(self.channels),
            seed=seed,
            timestamps=self._index(n),
            chol=self._chol(),
            strict=strict,
        )

    def simulate(self, n: int, seed: int, *, strict: bool = True) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
        """The index, the values ``(steps, entities, channels)`` and the labels ``(steps, entities)``.

        ``strict=False`` allows seasonal periods longer than ``n`` (fitted profiles).
        """
        ctx = self._context(n, seed, strict)
        y = np.zeros(ctx.shape)
        for comp, key in zip(self.components, stream_keys(self.components)):
            y += _part(comp, key, ctx)
        labels = np.zeros((n, self.entities), dtype=bool)
        for anomaly, key in zip(self.anomalies, stream_keys(self.anomalies)):
            hit = anomaly.mask(ctx, key)
            y[hit] += anomaly.shift
            labels |= hit
        if self.decimals is not None:
            y = np.round(y, self.decimals)
        if self.missing:
            gaps = np.zeros((n, self.entities), dtype=bool)
            for gap, key in zip(self.missing, stream_keys(self.missing)):
                gaps |= gap.mask(ctx, key)
            y[gaps] = np.nan
        return ctx.timestamps, y, labels

    def _frame(self, timestamps: pd.DatetimeIndex, y: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
        n, entities = labels.shape
        data: dict[str, Any] = {}
        if entities > 1:
            data[self.entity_column] = np.repeat(np.arange(entities), n)
            data[self.time_column] = timestamps.take(np.tile(np.arange(n), entities))
        else:
            data[self.time_column] = timestamps
        for c, name in enumerate(self.channels):
            data[name] = y[:, :, c].T.ravel()
        if self.label_column is not None:
            data[self.label_column] = labels.T.ravel()
        return pd.DataFrame(data, copy=False)  # every array here is freshly made

    def _sample(self, n: int, seed: int, *, strict: bool = True) -> pd.DataFrame:
        return self._frame(*self.simulate(n, seed, strict=strict))

    # -- code ---------------------------------------------------------------------------
    def _to_code(self, n: int, seed: int, *, title: str | None = None, strict: bool = True) -> str:
        ctx = self._context(n, seed, strict)
        entities = "entity" if self.entities == 1 else "entities"
        title = title or f"{type(self).__name__}: {n} steps x {self.entities} {entities}, seed {seed}."
        cell = CodeCell(title + "\nRegenerates the frame as `df`; arrays are shaped (steps, entities, channels).")
        cell.need("import numpy as np", "import pandas as pd")
        where = f"start={_q(self.start)}" if self.start is not None else f"end={_q(self.end)}"
        setup = [
            f"SEED = {seed}",
            f"N_STEPS, N_ENTITIES, N_CHANNELS = {n}, {self.entities}, {len(self.channels)}",
            f"timestamps = pd.date_range({where}, periods=N_STEPS, freq={_q(self.freq)})",
            "t = np.arange(N_STEPS, dtype=float)[:, None, None]  # step number",
            "y = np.zeros((N_STEPS, N_ENTITIES, N_CHANNELS))",
        ]
        if ctx.chol is not None:
            setup.append("# Channels' random parts are correlated through the Cholesky factor of CORR.")
            setup.append(f"CORR = {literal(self._correlation_matrix())}")
            setup.append("CHOL = np.linalg.cholesky(np.array(CORR))")
        cell.block(None, *setup)

        for comp, key in zip(self.components, stream_keys(self.components)):
            lines = []
            if comp.stochastic:
                lines.append(f"rng = np.random.default_rng([SEED, {key}, 0])  # this component's own stream")
            if comp.needs_scipy:
                cell.need("from scipy.signal import lfilter")
            lines += comp.part_code(ctx, key)
            if comp.vary > 0:
                lines += [
                    f"spread = np.random.default_rng([SEED, {key}, 1]).standard_normal((N_ENTITIES, N_CHANNELS))",
                    f"part = part * np.exp({literal(comp.vary)} * spread)  # per-entity variation",
                ]
            lines.append("y += part")
            cell.block(comp.describe(), *lines)

        if self.anomalies:
            cell.block(None, "labels = np.zeros((N_STEPS, N_ENTITIES), dtype=bool)")
        for anomaly, key in zip(self.anomalies, stream_keys(self.anomalies)):
            lines = [*anomaly.mask_code(ctx, key), f"y[hit] += {literal(anomaly.shift)}"]
            if self.label_column is not None:
                lines.append("labels |= hit")
            cell.block(anomaly.describe(), *lines)
        if self.decimals is not None:
            cell.block(None, f"y = np.round(y, {self.decimals})")
        if self.missing:
            cell.block(None, "gaps = np.zeros((N_STEPS, N_ENTITIES), dtype=bool)")
            for gap, key in zip(self.missing, stream_keys(self.missing)):
                cell.block(gap.describe(), *gap.mask_code(ctx, key), "gaps |= hit")
            cell.block(None, "y[gaps] = np.nan  # the rows stay, their values go missing")
        cell.block("Long format: one row per entity and step.", *self._frame_code())
        return cell.render()

    def _frame_code(self) -> list[str]:
        lines = ["df = pd.DataFrame({"]
        if self.entities > 1:
            lines.append(f"    {_q(self.entity_column)}: np.repeat(np.arange(N_ENTITIES), N_STEPS),")
            lines.append(f"    {_q(self.time_column)}: timestamps.take(np.tile(np.arange(N_STEPS), N_ENTITIES)),")
        else:
            lines.append(f"    {_q(self.time_column)}: timestamps,")
        for c, name in enumerate(self.channels):
            lines.append(f"    {_q(name)}: y[:, :, {c}].T.ravel(),")
        if self.label_column is not None:
            labels = "labels.T.ravel()" if self.anomalies else "np.zeros(N_STEPS * N_ENTITIES, dtype=bool)"
            lines.append(f"    {_q(self.label_column)}: {labels},")
        lines.append("})")
        return lines
