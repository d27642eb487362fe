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
* Every array is ``(entities, steps, channels)``; each component adds its part to a
  whole block of entities in one numpy call.
* **One source.** The parameters compile to a plan of calls to the kernels of
  :mod:`synthbench.kernels.timeseries` with literal arguments: ``sample`` runs it and
  ``to_code`` writes the kernels' source and the same calls, one commented call per
  component, so the exported cell makes the same frame by construction.
* **Random streams, keyed by item and entity.** Each component, anomaly and missing
  stretch draws from its own streams, keyed by ``key``, a stable hash of its kind and
  its rank among items of that kind (the second ``Seasonality`` is ``"Seasonality#1"``):
  editing, adding or removing one item leaves the draws of every other item unchanged,
  which keeps a live preview steady while a knob turns. Within an item, entity ``e``
  draws from ``np.random.default_rng([seed, key, sub, e // 64])``, after the entities
  before it in its group of 64, one numpy call per group. So an entity's series depends
  only on the seed, its number and the components: it is the same whether 1, 10 or
  100,000 entities are made, and in whichever streamed block, file or Dask partition it
  lands. ``sub`` 0 is the main draws, 1 the per-entity ``vary`` factors, 2 a secondary
  draw (chi-square of t noise, sizes of random level shifts), 3 and 4 the fleet's
  shared draws (``shared=True`` on a ``LevelShift``, ``Anomaly`` or ``Missing``: the
  same steps for every entity). A single series is what earlier versions made, and its
  random parts in ``sample(n)`` are the first ``n`` steps of ``sample(m)`` for
  ``m > n``; the other entities of a group draw after the first, so theirs depend on
  ``n`` (random anomaly and gap placement always does).
* **Streaming.** ``to_parquet``, ``to_dask`` and ``synthbench generate`` make the frame
  in blocks of whole groups of entities (about 65,536 rows, at least 64 series), each
  block on its own; files hold whole series. Memory is that of a block or a file,
  whatever the fleet size.
* **Channels** share the deterministic parts (trend, seasonality); the random parts
  (noise, AR shocks, random-walk steps, random jump sizes) are correlated across
  channels through the Cholesky factor of ``correlation``.
"""

from __future__ import annotations

import inspect
import math
import warnings
import zlib
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ...base import Generator
from ...codegen import CodeCell, Plan, Ref
from ...exceptions import InvalidParameterError
from ...kernels.timeseries import (
    add_anomaly,
    blank,
    channel_cholesky,
    empty_labels,
    empty_series,
    entity_groups,
    long_frame,
    time_index,
)
from ...params import AnyOf, ComponentOf, Date, Float, Int, ListOf, Optional, Param, Str
from ...registry import register
from ...scale import BLOCK_SIZE
from .components import (
    COMPONENT_TYPES,
    Anomaly,
    Context,
    Missing,
    RandomWalk,
    Trend,
    check_timestamp,
)

__all__ = ["TimeSeries", "check_freq", "stream_key", "stream_keys"]

#: A column name: one line of text that pandas and Arrow can store (no lone surrogates).
_NAME = Str(pattern="[^\n\r\ud800-\udfff]+", max_len=200, what="a non-empty single-line str")
_DATE = Date()
#: Sums that could pass this are refused: float64 ends near 1.8e308.
_MAX_VALUE = 1e300
#: Most element operations a sample may take (under a minute of numpy work).
_MAX_OPERATIONS = 1e10
#: Most steps of a calendar frequency pandas builds one at a time (about 15 s per million).
_MAX_CALENDAR_STEPS = 1_000_000
#: Entities per group of random streams (the kernels' ``group_size``); blocks hold whole groups.
ENTITY_GROUP: int = inspect.signature(entity_groups).parameters["group_size"].default
#: Calendar frequencies pandas builds in one vectorised call.
_FAST_CALENDAR = (pd.offsets.BusinessDay, pd.offsets.CustomBusinessDay)


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
    except (ValueError, TypeError, OverflowError, FutureWarning, DeprecationWarning):
        raise owner.invalid(param, rule, freq) from None
    if offset.n <= 0:
        raise owner.invalid(param, "must step forward in time (a positive multiple)", freq)
    return offset


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
    #: Streams in blocks of whole entities (see ``_stream_rows``): each entity's draws are
    #: keyed by its number, so a block is made on its own.
    block_size: ClassVar[int] = BLOCK_SIZE
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

    # -- the plan ---------------------------------------------------------------------
    def _span(self, n: int) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timedelta | None, pd.DatetimeIndex | None]:
        """The first and last of the ``n`` timestamps, and the fixed step between them or,
        for calendar steps (B, W, MS, ...), the index itself: a fixed-step index is not
        made here (``to_code`` writes code, not data)."""
        offset = check_freq(self, "freq", self.freq)
        name = "start" if self.start is not None else "end"
        try:
            step = pd.Timedelta(offset)
        except (ValueError, TypeError, OverflowError):
            step = None
        if step is None and n > _MAX_CALENDAR_STEPS and not isinstance(offset, _FAST_CALENDAR):
            raise self.invalid(
                "freq",
                f"must be a fixed step (such as 'h' or 'D') for more than {_MAX_CALENDAR_STEPS:,} steps: "
                f"pandas makes this calendar index one step at a time, too slow for {n:,} steps",
                self.freq,
            )
        try:
            if step is None:
                index = time_index(self.start, self.end, n, self.freq)
                return index[0], index[-1], None, index
            if self.start is not None:
                first = time_index(self.start, None, 1, self.freq)[0]
                return first, first + (n - 1) * step, step, None
            last = time_index(None, self.end, 1, self.freq)[0]
            return last - (n - 1) * step, last, step, None
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            raise self.invalid(
                name,
                f"must leave room for {n} steps of {self.freq!r}: the series would exceed pandas' date range",
                getattr(self, name),
            ) from None

    def _check_range(self, n: int) -> None:
        """Refuse parameters whose sum would overflow float64 (a silent inf otherwise)."""
        total = sum(c.bound(n) * math.exp(8 * c.vary) for c in self.components)
        total += sum(abs(a.magnitude) for a in self.anomalies)
        if not total < _MAX_VALUE:
            raise self.invalid(
                "components",
                f"must keep the values within float64's range: over {n} steps their sum could reach "
                f"about {total:.3g}, above {_MAX_VALUE:.0e} (lower the levels, slopes or scales)",
                [type(c).__name__ for c in self.components],
            )

    def _plan(self, n: int, seed: int, strict: bool = True, block: tuple[int, int] | None = None) -> Plan:
        """The kernel calls that make ``sample(n, seed)``: ``sample`` runs them, ``to_code`` writes them.

        ``block = (first, count)`` makes only entities ``first .. first + count - 1`` (the
        rows of that block of ``sample(n, seed)``, as streaming makes them). Each commented
        call starts a block of the exported cell: the index, one block per component,
        anomaly and missing stretch, and the frame.
        """
        first, count = block if block is not None else (0, self.entities)
        self._check_range(n)
        self._check_work(n, count)
        correlated = self._chol() is not None
        ctx = Context(n, self.entities, seed, *self._span(n), Ref("chol") if correlated else None, strict, first)
        plan = Plan()
        where = {"start": self.start, "end": None} if self.start is not None else {"start": None, "end": self.end}
        plan.call(
            "timestamps", time_index, **where, steps=n, freq=self.freq, comment="The time index and the empty sum."
        )
        plan.call("y", empty_series, count, n, len(self.channels))
        if correlated:
            plan.call(
                "chol",
                channel_cholesky,
                self._correlation_matrix(),
                comment="The channels' random parts are correlated through this Cholesky factor.",
            )
        for comp, key in zip(self.components, stream_keys(self.components)):
            func, kwargs = comp.kernel_call(ctx, key)
            if comp.vary > 0:
                kwargs = {**kwargs, "vary": comp.vary, **ctx.random(key)}
            plan.call("y", func, Ref("y"), comment=comp.describe(), **kwargs)
        labels = Ref("labels") if self.label_column is not None and self.anomalies else None
        if labels is not None:
            plan.call("labels", empty_labels, count, n, comment="Anomaly labels, one per entity and step.")
        for event, key in zip(self.anomalies, stream_keys(self.anomalies)):
            kwargs = event.where(ctx, key)
            if labels is not None:
                kwargs = {"labels": labels, **kwargs}
            plan.call("y", add_anomaly, Ref("y"), event.shift, comment=event.describe(kwargs.get("start")), **kwargs)
        for event, key in zip(self.missing, stream_keys(self.missing)):
            kwargs = event.where(ctx, key)
            plan.call("y", blank, Ref("y"), comment=event.describe(kwargs.get("start")), **kwargs)
        frame: dict[str, Any] = {"time_column": self.time_column, "channels": list(self.channels)}
        if self.entities > 1:
            frame["entity_column"] = self.entity_column
        if labels is not None:
            frame["labels"] = labels
        if self.label_column is not None:
            frame["label_column"] = self.label_column
        if self.decimals is not None:
            frame["decimals"] = self.decimals
        if first:
            frame["first"] = first
        plan.call(
            "df",
            long_frame,
            Ref("timestamps"),
            Ref("y"),
            comment="Long format: one row per entity and step.",
            **frame,
        )
        return plan

    def _check_work(self, n: int, entities: int | None = None) -> None:
        """Refuse a sample (or a block of ``entities``) whose element operations would take
        minutes (memory is checked apart)."""
        entities = self.entities if entities is None else entities
        cells = n * entities * len(self.channels)
        ops = sum(c.operations(n, cells) for c in self.components) + 4 * cells
        ops += sum(
            2 * n * entities + (e.affected(entities) * e.count * 4 if e.at is None else 0)
            for e in (*self.anomalies, *self.missing)
        )
        if ops > _MAX_OPERATIONS:
            raise InvalidParameterError(
                f"TimeSeries.sample(n={n:,}) would take about {ops:.2g} element operations ({n:,} steps x "
                f"{entities:,} entities x {len(self.channels)} channel(s), {len(self.components)} component(s), "
                f"{len(self.anomalies) + len(self.missing)} event(s)), over the limit of {_MAX_OPERATIONS:.0e}. "
                "Ask for fewer steps or entities, or use fewer components and events."
            )

    def _estimate_bytes(self, n: int, entities: int | None = None) -> int:
        """Peak memory of ``sample(n)`` (and of its exported code), or of a block of
        ``entities``, in bytes, roughly.

        Checked before anything is allocated: the series, the largest component's
        temporaries, an AR burn-in, random stretches, and the long-format frame.
        """
        entities, channels = self.entities if entities is None else entities, len(self.channels)
        cell = n * entities * channels * 8  # one (entities, steps, channels) float array
        work = max([c.work(n) for c in self.components], default=0)
        burn = max([c.extra_steps() for c in self.components], default=0)
        events = max(
            [
                (n + 1) * e.affected(entities) * 16 + e.affected(entities) * e.count * 24
                for e in (*self.anomalies, *self.missing)
                if e.at is None
            ],
            default=0,
        )
        rows = n * entities
        frame = rows * (channels * 8 + 8 + 8 + 1) + rows * 16  # columns, and the take/tile/repeat indices
        return cell * (2 + work) + burn * entities * channels * 16 + events + rows * 2 + frame + n * 8

    # -- sampling -----------------------------------------------------------------------
    def _sample(self, n: int, seed: int, *, strict: bool = True) -> pd.DataFrame:
        return self._plan(n, seed, strict).run()["df"]

    # -- streaming: blocks of whole entities ------------------------------------------------
    def _entities_per_block(self, n: int) -> int:
        """Whole groups of entities, about 65,536 rows (at least one group of 64 series)."""
        return ENTITY_GROUP * max(1, BLOCK_SIZE // (n * ENTITY_GROUP))

    def _stream_rows(self, n: int) -> tuple[int, int]:
        return n * self.entities, n * self._entities_per_block(n)

    def _file_rows(self, n: int, rows: int) -> int:
        """Files hold whole series: ``rows`` rounded down to whole entities, at least one."""
        return max(n, rows // n * n)

    def _estimate_rows_bytes(self, n: int, rows: int) -> int:
        return self._estimate_bytes(n, entities=min(self.entities, -(-rows // n)))

    def _sample_blocks(self, n: int, seed: int, start: int, stop: int, *, strict: bool = True) -> pd.DataFrame:
        """Entities of blocks ``start <= k < stop``: rows of ``sample(n, seed)``, made on their own."""
        per = self._entities_per_block(n)
        first = min(start * per, self.entities)
        count = min(stop * per, self.entities) - first
        return self._plan(n, seed, strict, block=(first, count)).run()["df"]

    # -- code ---------------------------------------------------------------------------
    def _to_code(self, n: int, seed: int, *, title: str | None = None, strict: bool = True) -> str:
        plan = self._plan(n, seed, strict)
        entities = "entity" if self.entities == 1 else "entities"
        title = title or f"{type(self).__name__}: {n} steps x {self.entities} {entities}, seed {seed}."
        cell = CodeCell(title + "\nRegenerates the frame as `df`; arrays are shaped (entities, steps, channels).")
        cell.need("import numpy as np", "import pandas as pd")
        cell.kernels(plan.kernels())
        blocks: list[Plan] = []
        for step in plan.steps:
            if step.comment or not blocks:
                blocks.append(Plan())
            blocks[-1].steps.append(step)
        for block in blocks:
            cell.block(None, *block.lines())
        return cell.render()
