"""The building blocks of a :class:`~synthbench.TimeSeries`.

Two kinds of declared objects:

* **components** (:class:`Trend`, :class:`Seasonality`, :class:`Fourier`,
  :class:`SeasonalProfile`, :class:`Noise`, :class:`AR`, :class:`RandomWalk`,
  :class:`LevelShift`) each *add* a part to the series; the series is their sum.
* **events** (:class:`Anomaly`, :class:`Missing`) act on stretches of steps after the
  sum: an anomaly adds a bump and sets the label column, a missing stretch blanks it.

Every array is shaped ``(entities, steps, channels)``, so one numpy call makes a whole
block of entities at once; random draws are keyed by entity (see
:mod:`synthbench.kernels.timeseries`), so an entity is the same in any block. Each
component and event compiles to one call of a kernel of
:mod:`synthbench.kernels.timeseries` with literal arguments (``kernel_call`` /
``where``); ``sample`` runs those calls and ``to_code`` writes them, so the exported
cell computes exactly what the library does.

Positions (``at=``, ``changepoints=``) are a step number (an int; 0 is the first step)
or a timestamp string, meaning the first step at or after it (a naive string is read in
the series' timezone). They must lie inside the sampled series, or the error names the
parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...codegen import Ref
from ...kernels.timeseries import (
    add_ar,
    add_fourier,
    add_level_shift,
    add_noise,
    add_profile,
    add_random_walk,
    add_seasonality,
    add_trend,
)
from ...params import AnyOf, Bool, Component, Float, Int, ListOf, Optional, Options, Param, Str

__all__ = [
    "AR",
    "COMPONENT_TYPES",
    "Anomaly",
    "Fourier",
    "LevelShift",
    "Missing",
    "Noise",
    "RandomWalk",
    "SeasonalProfile",
    "Seasonality",
    "SeriesComponent",
    "Trend",
]

#: A step number or a timestamp string.
POSITION = AnyOf((Int(0, 10**12), Str(max_len=100, what="a timestamp str")))
_VARY = Param(
    "vary",
    Float(0, 5),
    0.0,
    "Per-entity spread: each entity and channel scales this part by exp(vary * z), z ~ N(0, 1).",
)
_SCALE = Param("scale", Float(0, None), 1.0, "Standard deviation of the random steps.")
#: AR burn-in stops once the start's influence has decayed below this factor.
_BURN_TOLERANCE = 1e-8
_MAX_BURN_IN = 5_000


def _g(value: Any) -> str:
    """A number for a comment: short (the code beside it has the exact literal)."""
    return f"{value:.6g}"


def check_timestamp(owner: Component, param: str, value: Any) -> None:
    """Reject a timestamp string pandas cannot read, or one that depends on the clock."""
    if not isinstance(value, str):
        return
    rule = "must be a step number or a timestamp str such as '2024-03-01'"
    if value.strip().lower() in ("now", "today", "nat", ""):
        raise owner.invalid(param, rule + " (a fixed date, so the data is reproducible)", value)
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise owner.invalid(param, rule, value) from None
    if stamp is pd.NaT:
        raise owner.invalid(param, rule, value)


@dataclass
class Context:
    """What a component needs to compile its call for one sample."""

    n: int
    entities: int
    seed: int
    first: pd.Timestamp
    last: pd.Timestamp
    #: A fixed step between timestamps (positions by arithmetic: the index is not made), or
    #: None for calendar steps, whose ``index`` is made.
    step: pd.Timedelta | None
    index: pd.DatetimeIndex | None
    #: The plan variable holding the channels' Cholesky factor, or None when they are independent.
    chol: Ref | None
    #: Reject seasonal periods longer than the series (off for fitted profiles).
    strict: bool = True
    #: The first entity of the block being made (0 for a whole sample).
    first_entity: int = 0

    def stream(self, key: int) -> list[int]:
        """A component's random stream: ``[seed, key]`` (see :mod:`synthbench.kernels.timeseries`)."""
        return [self.seed, key]

    def random(self, key: int, **kwargs: Any) -> dict[str, Any]:
        """``kwargs`` plus what a random kernel needs: the stream and, for a block of entities
        after the first, the first entity's number."""
        kwargs["stream"] = self.stream(key)
        if self.first_entity:
            kwargs["first"] = self.first_entity
        return kwargs

    def _steps_before(self, stamp: pd.Timestamp) -> int:
        """How many steps of the series come before ``stamp`` (the index of the first at or after it)."""
        if self.index is not None:
            return int(self.index.searchsorted(stamp))
        return int(-((self.first - stamp) // self.step))

    def position(self, owner: Component, param: str, at: Any) -> int:
        """The step that ``at`` names, or a clear error if it is outside the series."""
        first, last = self.first, self.last
        rule = f"must lie inside the series: a step from 0 to at most {self.n - 1}, or a time from {first} to {last}"
        if isinstance(at, str):
            try:
                stamp = pd.Timestamp(at)
                if stamp.tz is None and first.tz is not None:
                    stamp = stamp.tz_localize(first.tz)  # a naive time reads as the series' local time
                inside = first <= stamp <= last
            except (ValueError, TypeError, OverflowError):
                # A naive date against a timezone-aware index (or the reverse).
                raise owner.invalid(param, f"must match the series' timezone ({first.tz})", at) from None
            if not inside:
                raise owner.invalid(param, rule, at)
            return self._steps_before(stamp)
        if not 0 <= at < self.n:
            raise owner.invalid(param, rule, at)
        return int(at)


#: A kernel and its keyword arguments: one call of the plan.
KernelCall = tuple[Callable[..., Any], dict[str, Any]]


class SeriesComponent(Component):
    """A part added to the series. Subclasses implement ``kernel_call``, ``describe`` and ``bound``."""

    def describe(self) -> str:
        """One line for the comment above this component's call (numbers only, no user text)."""
        return type(self).__name__

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        """The kernel of :mod:`synthbench.kernels.timeseries` that adds this part, and its
        literal arguments (``vary`` is added by the series)."""
        raise NotImplementedError

    def bound(self, n: int) -> float:
        """A rough bound on the part's absolute value over ``n`` steps (to refuse overflow)."""
        raise NotImplementedError

    def work(self, n: int) -> int:
        """Extra (steps x entities x channels) arrays of 8 bytes the part needs beyond the sum."""
        return 0

    def extra_steps(self) -> int:
        """Steps drawn beyond the ``n`` kept ones (an AR burn-in)."""
        return 0

    def operations(self, n: int, cells: int) -> int:
        """About how many element operations the part takes (``cells`` = steps x entities x channels)."""
        return 2 * cells + n

    def _check_params(self) -> None:
        for p in type(self).params:
            if p.constraint is POSITION or getattr(p.constraint, "item", None) is POSITION:
                values = getattr(self, p.name)
                for v in values if isinstance(values, (list, tuple)) else [values]:
                    check_timestamp(self, p.name, v)


def _random(comp: SeriesComponent, ctx: Context, key: int, **kwargs: Any) -> dict[str, Any]:
    """``kwargs`` plus the component's stream and, for correlated channels, the Cholesky factor."""
    kwargs = ctx.random(key, **kwargs)
    if ctx.chol is not None:
        kwargs["chol"] = ctx.chol
    return kwargs


def _period_check(comp: SeriesComponent, ctx: Context) -> None:
    if ctx.strict and comp.period > ctx.n:
        raise comp.invalid(
            "period",
            f"must be at most the series length ({ctx.n} steps); a longer cycle never shows. "
            "Periods count steps of the index's frequency (e.g. 24 for daily cycles in hourly data)",
            comp.period,
        )


# -- deterministic shapes -------------------------------------------------------------


class Trend(SeriesComponent):
    """A level plus a linear or piecewise-linear trend.

    ``level + slope * step``; at each changepoint the slope changes by the matching entry
    of ``slope_changes`` (a hinge, as in Prophet), so the line bends without jumping.

    >>> from synthbench.timeseries import Trend
    >>> Trend(level=10, slope=0.5).describe()
    'Trend: level 10, slope 0.5 per step'
    """

    params = (
        Param("level", Float(), 0.0, "Value at the first step."),
        Param("slope", Float(), 0.0, "Change per step."),
        Param("changepoints", ListOf(POSITION, max_len=1_000), (), "Where the slope changes (steps or timestamps)."),
        Param("slope_changes", ListOf(Float(), max_len=1_000), (), "How much the slope changes at each changepoint."),
        _VARY,
    )

    def _check_params(self) -> None:
        super()._check_params()
        if len(self.slope_changes) != len(self.changepoints):
            raise self.invalid(
                "slope_changes", f"must have one entry per changepoint ({len(self.changepoints)})", self.slope_changes
            )

    def describe(self) -> str:
        bends = f", {len(self.changepoints)} changepoint(s)" if self.changepoints else ""
        return f"Trend: level {_g(self.level)}, slope {_g(self.slope)} per step{bends}"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        kwargs: dict[str, Any] = {"level": self.level, "slope": self.slope}
        if self.changepoints:
            kwargs["bends"] = [
                (ctx.position(self, "changepoints", c), d) for c, d in zip(self.changepoints, self.slope_changes)
            ]
        return add_trend, kwargs

    def bound(self, n: int) -> float:
        return abs(self.level) + (abs(self.slope) + sum(abs(d) for d in self.slope_changes)) * n

    def operations(self, n: int, cells: int) -> int:
        return 2 * cells + 4 * n * (1 + len(self.changepoints))


class Seasonality(SeriesComponent):
    """A sine wave: ``amplitude * sin(2 * pi * (step / period + phase))``.

    ``period`` counts steps (7 for a weekly cycle in daily data, 24 for a daily cycle in
    hourly data, 365.25 for a yearly cycle in daily data); ``phase`` shifts the wave by
    that fraction of a cycle. Several seasonalities simply add up.

    >>> from synthbench.timeseries import Seasonality
    >>> Seasonality(period=7, amplitude=2).describe()
    'Seasonality: period 7 steps, amplitude 2'
    """

    params = (
        Param("period", Float(2, 1e9), 7, "Length of one cycle, in steps."),
        Param("amplitude", Float(), 1.0, "Height of the wave above its mean."),
        Param("phase", Float(0, 1, closed="left"), 0.0, "Shift, as a fraction of a cycle."),
        _VARY,
    )

    def describe(self) -> str:
        return f"Seasonality: period {_g(self.period)} steps, amplitude {_g(self.amplitude)}"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        _period_check(self, ctx)
        return add_seasonality, {"period": self.period, "amplitude": self.amplitude, "phase": self.phase}

    def bound(self, n: int) -> float:
        return abs(self.amplitude)


class Fourier(SeriesComponent):
    """A seasonal shape from Fourier terms: ``sum_k a_k sin(2 pi k t / P) + b_k cos(2 pi k t / P)``.

    ``coefficients`` lists ``[a_k, b_k]`` for k = 1, 2, ...; more pairs give sharper
    shapes. :class:`FittedTimeSeries` learns its seasonal profiles in this form.

    >>> from synthbench.timeseries import Fourier
    >>> Fourier(period=365.25, coefficients=[[1.0, 0.5], [0.2, 0.0]]).describe()
    'Fourier: period 365.25 steps, 2 harmonic(s)'
    """

    params = (
        Param("period", Float(2, 1e9), 7, "Length of one cycle, in steps."),
        Param(
            "coefficients",
            ListOf(ListOf(Float(), min_len=2, max_len=2), min_len=1, max_len=100),
            ((1.0, 0.0),),
            "[sin, cos] weights of harmonics 1, 2, ...",
        ),
        _VARY,
    )

    def describe(self) -> str:
        return f"Fourier: period {_g(self.period)} steps, {len(self.coefficients)} harmonic(s)"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        _period_check(self, ctx)
        return add_fourier, {"period": self.period, "coefficients": [[a, b] for a, b in self.coefficients]}

    def bound(self, n: int) -> float:
        return sum(abs(a) + abs(b) for a, b in self.coefficients)

    def operations(self, n: int, cells: int) -> int:
        return 2 * cells + 8 * n * len(self.coefficients)


class SeasonalProfile(SeriesComponent):
    """A repeating profile given value by value, e.g. a weekday effect.

    Step ``i`` gets ``values[i % period]``; step 0 is the series' first timestamp.

    >>> from synthbench.timeseries import SeasonalProfile
    >>> SeasonalProfile(period=7, values=[0, 0, 0, 0, 1, 3, 2]).describe()
    'SeasonalProfile: 7 values, repeating'
    """

    params = (
        Param("period", Int(2, 1_000_000), 7, "Number of values in one cycle."),
        Param(
            "values",
            ListOf(Float(), min_len=2, max_len=1_000_000),
            (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0),
            "One value per step of the cycle.",
        ),
        _VARY,
    )

    def _check_params(self) -> None:
        if len(self.values) != self.period:
            raise self.invalid("values", f"must have one value per step of the period ({self.period})", self.values)

    def describe(self) -> str:
        return f"SeasonalProfile: {self.period} values, repeating"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        _period_check(self, ctx)
        return add_profile, {"values": list(self.values)}

    def bound(self, n: int) -> float:
        return max(abs(v) for v in self.values)


# -- random parts ----------------------------------------------------------------------


class Noise(SeriesComponent):
    """Independent noise at every step: Gaussian, or Student-t for heavy tails.

    ``scale`` is the standard deviation for ``kind="normal"`` and the t distribution's
    scale for ``kind="t"`` (its standard deviation is ``scale * sqrt(df / (df - 2))``
    when ``df > 2``). Channels get correlated noise when the series declares a
    ``correlation`` (a multivariate t shares one chi-square draw across channels).

    >>> from synthbench.timeseries import Noise
    >>> Noise(kind="t", scale=0.5, df=3).describe()
    'Noise: Student-t, scale 0.5, df 3'
    """

    params = (
        Param("kind", Options(("normal", "t")), "normal", "Gaussian or Student-t."),
        Param("scale", Float(0, None), 1.0, "Standard deviation (normal) or scale (t)."),
        Param("df", Float(1, 1e6), 5.0, "Degrees of freedom of the t distribution (1 is Cauchy)."),
        _VARY,
    )

    def describe(self) -> str:
        if self.kind == "t":
            return f"Noise: Student-t, scale {_g(self.scale)}, df {_g(self.df)}"
        return f"Noise: normal, scale {_g(self.scale)}"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        extra = {"kind": "t", "df": self.df} if self.kind == "t" else {}
        return add_noise, _random(self, ctx, key, scale=self.scale, **extra)

    def bound(self, n: int) -> float:
        # A normal draw beyond 40 sd never happens, nor a t draw (df >= 1) beyond 1e20.
        return self.scale * (40.0 if self.kind == "normal" else 1e20)

    def work(self, n: int) -> int:
        return 2

    def operations(self, n: int, cells: int) -> int:
        return 5 * cells


def ar_radius(phi: Any) -> float:
    """How fast an AR process forgets: the largest |eigenvalue| of its companion matrix.

    These eigenvalues are the reciprocals of the roots of ``1 - phi_1 z - ... - phi_p z^p``,
    so the process is stationary when the radius is below 1. Unlike the roots, they stay
    finite for tiny (even subnormal) coefficients.
    """
    p = len(phi)
    companion = np.zeros((p, p))
    companion[0] = [float(v) for v in phi]
    companion[np.arange(1, p), np.arange(p - 1)] = 1.0
    try:
        return float(np.max(np.abs(np.linalg.eigvals(companion)))) if p else 0.0
    except np.linalg.LinAlgError:  # eigenvalues did not converge: treat as not stationary
        return math.inf


def burn_in(phi: Any) -> int:
    """Steps to run an AR process before keeping it, so it starts in its steady state."""
    radius = ar_radius(phi)
    if radius == 0:
        return 0
    return min(_MAX_BURN_IN, len(phi) + math.ceil(math.log(_BURN_TOLERANCE) / math.log(radius)))


class AR(SeriesComponent):
    """An autoregressive AR(p) process: ``x_t = phi_1 x_{t-1} + ... + phi_p x_{t-p} + e_t``.

    ``e_t`` is Gaussian with standard deviation ``scale``. The coefficients must make a
    stationary process (every root of ``1 - phi_1 z - ... - phi_p z^p`` outside the
    unit circle); otherwise the series would explode and the error says so. For a unit
    root use :class:`RandomWalk`. The process runs for a burn-in (until the zero start
    is forgotten to 1e-8) before the first kept step, so it starts in its steady state.
    The recursion is :func:`scipy.signal.lfilter` over every entity at once.

    >>> from synthbench.timeseries import AR
    >>> AR(phi=[0.8]).describe()
    'AR(1): phi [0.8], innovation scale 1'
    """

    params = (
        Param("phi", ListOf(Float(-100, 100), min_len=1, max_len=50), (0.5,), "Coefficients phi_1, ..., phi_p."),
        _SCALE,
        _VARY,
    )

    def _check_params(self) -> None:
        radius = ar_radius(self.phi)
        if not radius < 1 / (1 + 1e-9):
            smallest = 1 / radius if radius > 0 else math.inf
            raise self.invalid(
                "phi",
                "must describe a stationary process: the roots of 1 - phi_1 z - ... - phi_p z^p "
                f"must lie outside the unit circle (the smallest has |z| = {smallest:.4g}); "
                "use RandomWalk for a unit root",
                list(self.phi),
            )

    def describe(self) -> str:
        phi = ", ".join(_g(p) for p in self.phi)
        return f"AR({len(self.phi)}): phi [{phi}], innovation scale {_g(self.scale)}"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        phi = [float(p) for p in self.phi]
        return add_ar, _random(self, ctx, key, phi=phi, scale=self.scale, burn_in=burn_in(self.phi))

    def bound(self, n: int) -> float:
        from scipy.signal import lfilter

        # |x| <= sum |h| * max |shock|, with h the impulse response (it can grow before it decays).
        impulse = np.zeros(min(burn_in(self.phi) + n, 20_000))
        impulse[0] = 1.0
        with np.errstate(all="ignore"):
            gain = float(np.sum(np.abs(lfilter([1.0], [1.0] + [-float(p) for p in self.phi], impulse))))
        return self.scale * 40.0 * gain * 2 if math.isfinite(gain) else math.inf

    def work(self, n: int) -> int:
        return 3

    def extra_steps(self) -> int:
        return burn_in(self.phi)

    def operations(self, n: int, cells: int) -> int:
        return (cells + cells // max(n, 1) * self.extra_steps()) * (len(self.phi) + 4)


class RandomWalk(SeriesComponent):
    """Cumulative sum of Gaussian steps (plus ``drift`` per step), starting near 0.

    Add a :class:`Trend` for the level it wanders around: a daily temperature is
    ``Trend(level=15) + RandomWalk(scale=1)``.

    >>> from synthbench.timeseries import RandomWalk
    >>> RandomWalk(scale=0.5).describe()
    'RandomWalk: step scale 0.5, drift 0'
    """

    params = (_SCALE, Param("drift", Float(), 0.0, "Added to every step."), _VARY)

    def describe(self) -> str:
        return f"RandomWalk: step scale {_g(self.scale)}, drift {_g(self.drift)}"

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        return add_random_walk, _random(self, ctx, key, scale=self.scale, drift=self.drift)

    def bound(self, n: int) -> float:
        return (abs(self.drift) + 40.0 * self.scale) * n

    def work(self, n: int) -> int:
        return 2

    def operations(self, n: int, cells: int) -> int:
        return 5 * cells


class LevelShift(SeriesComponent):
    """Permanent jumps of the level (regime changes), at given and/or random steps.

    ``at`` and ``sizes`` place jumps at chosen steps. With ``rate > 0`` each entity also
    jumps at each step with probability ``rate``, by a Gaussian amount of standard
    deviation ``scale`` (correlated across channels when the series declares a
    ``correlation``). Unlike an :class:`Anomaly`, a level shift is not labelled.

    >>> from synthbench.timeseries import LevelShift
    >>> LevelShift(at=[100], sizes=[5.0], rate=0.01).describe()
    'LevelShift: 1 fixed jump(s), random jumps at rate 0.01 (scale 1)'
    """

    params = (
        Param("at", ListOf(POSITION, max_len=1_000), (), "Steps or timestamps of the fixed jumps."),
        Param("sizes", ListOf(Float(), max_len=1_000), (), "Size of each fixed jump."),
        Param("rate", Float(0, 1), 0.0, "Chance of a random jump at each step."),
        Param("scale", Float(0, None), 1.0, "Standard deviation of a random jump."),
        Param(
            "shared",
            Bool(),
            False,
            "Random jumps hit every entity at the same steps by the same sizes (a fleet-wide regime change).",
        ),
        _VARY,
    )

    def _check_params(self) -> None:
        super()._check_params()
        if len(self.sizes) != len(self.at):
            raise self.invalid("sizes", f"must have one entry per jump in 'at' ({len(self.at)})", self.sizes)

    def describe(self) -> str:
        text = f"LevelShift: {len(self.at)} fixed jump(s)"
        if self.rate > 0:
            text += f", random jumps at rate {_g(self.rate)} (scale {_g(self.scale)})"
            text += ", shared by every entity" if self.shared else ""
        return text

    def kernel_call(self, ctx: Context, key: int) -> KernelCall:
        kwargs: dict[str, Any] = {}
        if self.at:
            kwargs["jumps"] = [(ctx.position(self, "at", a), s) for a, s in zip(self.at, self.sizes)]
        if self.rate > 0:
            kwargs = _random(self, ctx, key, **kwargs, rate=self.rate, scale=self.scale)
            if self.shared:
                kwargs["shared"] = True
        return add_level_shift, kwargs

    def bound(self, n: int) -> float:
        return sum(abs(s) for s in self.sizes) + (40.0 * self.scale * n if self.rate > 0 else 0.0)

    def work(self, n: int) -> int:
        return 2 if self.rate > 0 else 0

    def operations(self, n: int, cells: int) -> int:
        return (6 if self.rate > 0 else 2) * cells + 2 * n * len(self.at)


# -- events ------------------------------------------------------------------------------


class _Event(Component):
    """A stretch of ``length`` steps at ``at``, or ``count`` random stretches per entity."""

    def _check_params(self) -> None:
        check_timestamp(self, "at", self.at)
        if self.at is None and self.length is None:
            raise self.invalid("length", "must be an int when 'at' is None (random placement)", self.length)

    def _where(self, start: int | None = None) -> str:
        """Where the event is, in words and numbers (``start``: the step ``at`` names)."""
        if self.entities is None:
            who = "all entities"
        elif len(self.entities) <= 10:
            who = f"entities {[int(e) for e in self.entities]}"
        else:
            who = f"{len(self.entities)} entities"
        if self.at is None:
            each = "shared by" if self.shared else "per entity,"
            return f"in {self.count} random stretch(es) of {self.length} step(s) {each} {who}"
        span = "to the end" if self.length is None else f"for {self.length} step(s)"
        if start is None:
            start = self.at if isinstance(self.at, int) else None
        at = "a given timestamp" if start is None else f"step {start}"
        return f"from {at} {span}, {who}"

    def where(self, ctx: Context, key: int) -> dict[str, Any]:
        """The arguments of :func:`~synthbench.kernels.timeseries.stretches` for this event."""
        kwargs: dict[str, Any] = {"first": ctx.first_entity} if ctx.first_entity else {}
        if self.entities is not None:
            kwargs["entities"] = [int(e) for e in self.entities]
        if self.at is not None:
            start = ctx.position(self, "at", self.at)
            stop = ctx.n if self.length is None else start + self.length
            if stop > ctx.n:
                raise self.invalid(
                    "length",
                    f"must keep the stretch inside the series: it starts at step {start} of {ctx.n}",
                    self.length,
                )
            return {**kwargs, "start": start, "stop": stop}
        if self.length > ctx.n:
            raise self.invalid("length", f"must be at most the series length ({ctx.n} steps)", self.length)
        kwargs = {**kwargs, "length": self.length, "count": self.count, "stream": ctx.stream(key)}
        return {**kwargs, "shared": True} if self.shared else kwargs

    def affected(self, entities: int) -> int:
        """How many entities the event touches."""
        return entities if self.entities is None else len(self.entities)

    def describe(self, start: int | None = None) -> str:
        """One line for the comment above this event's call (numbers only, no user text)."""
        raise NotImplementedError


_EVENT_PARAMS = (
    Param("at", Optional(POSITION), None, "Start step or timestamp; None places `count` stretches at random."),
    Param("length", Optional(Int(1, 10**9)), 1, "Steps covered; None means to the end of the series."),
    Param("count", Int(1, 100_000), 1, "Random stretches per entity (when 'at' is None)."),
    Param(
        "entities",
        Optional(ListOf(Int(0, 10**9), min_len=1, max_len=100_000, unique=True)),
        None,
        "Entity numbers affected (0 is the first); None means all.",
    ),
    Param(
        "shared",
        Bool(),
        False,
        "Random stretches fall on the same steps for every entity (a fleet-wide outage or incident).",
    ),
)


class Anomaly(_Event):
    """An injected anomaly, labelled in the series' ``label_column``.

    ``kind="spike"`` adds ``magnitude`` over ``length`` steps, ``"dip"`` subtracts it,
    ``"level_shift"`` moves the level by ``magnitude`` (either sign) for ``length``
    steps or, with ``length=None``, until the end. Placement is fixed (``at``) or
    random (``count`` stretches per entity, each inside the series). Every covered
    step is labelled ``True``.

    >>> from synthbench.timeseries import Anomaly
    >>> Anomaly(kind="dip", at=50, length=3, magnitude=4).describe()
    'Anomaly: dip of 4 from step 50 for 3 step(s), all entities'
    """

    params = (
        Param("kind", Options(("spike", "dip", "level_shift")), "spike", "Bump up, bump down, or shifted level."),
        *_EVENT_PARAMS,
        Param("magnitude", Float(), 3.0, "Size of the bump (in the series' units)."),
    )

    def _check_params(self) -> None:
        super()._check_params()
        if self.kind != "level_shift" and self.magnitude <= 0:
            raise self.invalid("magnitude", f"must be > 0 for a {self.kind} (the kind sets the sign)", self.magnitude)
        if self.magnitude == 0:
            raise self.invalid("magnitude", "must not be 0", self.magnitude)

    @property
    def shift(self) -> float:
        """What the anomaly adds to each covered step."""
        return -self.magnitude if self.kind == "dip" else self.magnitude

    def describe(self, start: int | None = None) -> str:
        return f"Anomaly: {self.kind} of {_g(self.magnitude)} {self._where(start)}"


class Missing(_Event):
    """A stretch of missing values (NaN in every channel; the rows stay).

    >>> from synthbench.timeseries import Missing
    >>> Missing(count=2, length=5).describe()
    'Missing: in 2 random stretch(es) of 5 step(s) per entity, all entities'
    """

    params = _EVENT_PARAMS

    def describe(self, start: int | None = None) -> str:
        return f"Missing: {self._where(start)}"


#: The component classes a TimeSeries accepts, by name (for specs).
COMPONENT_TYPES: dict[str, type[SeriesComponent]] = {
    cls.__name__: cls for cls in (Trend, Seasonality, Fourier, SeasonalProfile, Noise, AR, RandomWalk, LevelShift)
}
