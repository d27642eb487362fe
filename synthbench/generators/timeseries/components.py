"""The building blocks of a :class:`~synthbench.TimeSeries`.

Two kinds of declared objects:

* **components** (:class:`Trend`, :class:`Seasonality`, :class:`Fourier`,
  :class:`SeasonalProfile`, :class:`Noise`, :class:`AR`, :class:`RandomWalk`,
  :class:`LevelShift`) each *add* a part to the series; the series is their sum.
* **events** (:class:`Anomaly`, :class:`Missing`) act on stretches of steps after the
  sum: an anomaly adds a bump and sets the label column, a missing stretch blanks it.

Every array is shaped ``(steps, entities, channels)``, time first, so one numpy call
makes every entity at once, and a longer sample starts with the draws of a shorter
one. A component's ``part`` and ``part_code`` mirror each other line for line: the
first computes, the second writes the same computation into the exported cell, and the
common tests hold them to it.

Positions (``at=``, ``changepoints=``) are a step number (an int; 0 is the first step)
or a timestamp string, meaning the first step at or after it (a naive string is read in
the series' timezone). They must lie inside the sampled series, or the error names the
parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ...codegen import literal, wrap
from ...params import AnyOf, Component, Float, Int, ListOf, Optional, Options, Param, Str

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
    """What a component needs to make its part of one sample."""

    n: int
    entities: int
    channels: int
    seed: int
    timestamps: pd.DatetimeIndex
    #: Cholesky factor of the channels' correlation, or None when they are independent.
    chol: np.ndarray | None
    #: Reject seasonal periods longer than the series (off for fitted profiles).
    strict: bool = True

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.n, self.entities, self.channels)

    @property
    def t(self) -> np.ndarray:
        return np.arange(self.n, dtype=float)[:, None, None]

    def rng(self, key: int, sub: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, key, sub])

    def normal(self, rng: np.random.Generator, steps: int) -> np.ndarray:
        z = rng.standard_normal((steps, self.entities, self.channels))
        return z if self.chol is None else z @ self.chol.T

    def normal_code(self, steps: str) -> str:
        draw = f"rng.standard_normal(({steps}, N_ENTITIES, N_CHANNELS))"
        return draw if self.chol is None else f"{draw} @ CHOL.T"

    def position(self, owner: Component, param: str, at: Any) -> int:
        """The step that ``at`` names, or a clear error if it is outside the series."""
        first, last = self.timestamps[0], self.timestamps[-1]
        rule = f"must lie inside the series: steps 0 to {self.n - 1}, {first} to {last}"
        if isinstance(at, str):
            try:
                stamp = pd.Timestamp(at)
                if stamp.tz is None and first.tz is not None:
                    stamp = stamp.tz_localize(first.tz)  # a naive time reads as the series' local time
                inside = first <= stamp <= last
            except (ValueError, TypeError):
                # A naive date against a timezone-aware index (or the reverse).
                raise owner.invalid(param, f"must match the series' timezone ({first.tz})", at) from None
            if not inside:
                raise owner.invalid(param, rule, at)
            return int(self.timestamps.searchsorted(stamp))
        if not 0 <= at < self.n:
            raise owner.invalid(param, rule, at)
        return int(at)

    def where(self, pos: int) -> str:
        return f"step {pos} ({self.timestamps[pos]})"


class SeriesComponent(Component):
    """A part added to the series. Subclasses implement ``part``, ``part_code``, ``describe``."""

    #: Draws random numbers (and so gets ``rng = ...`` in the exported code).
    stochastic: ClassVar[bool] = False
    #: Needs ``from scipy.signal import lfilter``.
    needs_scipy: ClassVar[bool] = False

    def describe(self) -> str:
        """One line for the comment above this component's code."""
        return type(self).__name__

    def part(self, ctx: Context, key: int) -> np.ndarray:
        """This component's contribution, broadcastable to ``(steps, entities, channels)``."""
        raise NotImplementedError

    def part_code(self, ctx: Context, key: int) -> list[str]:
        """Lines that set ``part`` (``rng`` is already this component's main stream)."""
        raise NotImplementedError

    def _check_params(self) -> None:
        for p in type(self).params:
            if p.constraint is POSITION or getattr(p.constraint, "item", None) is POSITION:
                values = getattr(self, p.name)
                for v in values if isinstance(values, (list, tuple)) else [values]:
                    check_timestamp(self, p.name, v)


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

    def _hinges(self, ctx: Context) -> list[tuple[int, Any]]:
        return [(ctx.position(self, "changepoints", c), d) for c, d in zip(self.changepoints, self.slope_changes)]

    def part(self, ctx: Context, key: int) -> np.ndarray:
        t = ctx.t
        part = self.level + self.slope * t
        for pos, change in self._hinges(ctx):
            part = part + change * np.maximum(t - pos, 0.0)
        return part

    def part_code(self, ctx: Context, key: int) -> list[str]:
        lines = [f"part = {literal(self.level)} + {literal(self.slope)} * t"]
        for pos, change in self._hinges(ctx):
            lines.append(f"part = part + {literal(change)} * np.maximum(t - {pos}, 0.0)  # bend at {ctx.where(pos)}")
        return lines


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

    def part(self, ctx: Context, key: int) -> np.ndarray:
        _period_check(self, ctx)
        return self.amplitude * np.sin(2 * np.pi * (ctx.t / self.period + self.phase))

    def part_code(self, ctx: Context, key: int) -> list[str]:
        _period_check(self, ctx)
        period, phase = literal(self.period), literal(self.phase)
        return [f"part = {literal(self.amplitude)} * np.sin(2 * np.pi * (t / {period} + {phase}))"]


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

    def part(self, ctx: Context, key: int) -> np.ndarray:
        _period_check(self, ctx)
        t = ctx.t
        part = np.zeros_like(t)
        for k, (a, b) in enumerate(self.coefficients, start=1):
            angle = 2 * np.pi * k * t / self.period
            part = part + a * np.sin(angle) + b * np.cos(angle)
        return part

    def part_code(self, ctx: Context, key: int) -> list[str]:
        _period_check(self, ctx)
        pairs = [literal([a, b]) for a, b in self.coefficients]
        return [
            *wrap("coefficients = [", pairs, "]  # [sin, cos] weights of harmonics k = 1, 2, ..."),
            "part = np.zeros_like(t)",
            "for k, (a, b) in enumerate(coefficients, start=1):",
            f"    angle = 2 * np.pi * k * t / {literal(self.period)}",
            "    part = part + a * np.sin(angle) + b * np.cos(angle)",
        ]


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

    def part(self, ctx: Context, key: int) -> np.ndarray:
        _period_check(self, ctx)
        return np.array(self.values, dtype=float)[np.arange(ctx.n) % self.period][:, None, None]

    def part_code(self, ctx: Context, key: int) -> list[str]:
        _period_check(self, ctx)
        return [
            *wrap("profile = np.array([", [literal(v) for v in self.values], "], dtype=float)"),
            f"part = profile[np.arange(N_STEPS) % {self.period}][:, None, None]",
        ]


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

    stochastic = True
    params = (
        Param("kind", Options(("normal", "t")), "normal", "Gaussian or Student-t."),
        Param("scale", Float(0, None), 1.0, "Standard deviation (normal) or scale (t)."),
        Param("df", Float(0, 1e6, closed="right"), 5.0, "Degrees of freedom of the t distribution."),
        _VARY,
    )

    def describe(self) -> str:
        if self.kind == "t":
            return f"Noise: Student-t, scale {_g(self.scale)}, df {_g(self.df)}"
        return f"Noise: normal, scale {_g(self.scale)}"

    def part(self, ctx: Context, key: int) -> np.ndarray:
        # In place, to spare 1M-element temporaries; the values equal part_code's.
        part = ctx.normal(ctx.rng(key, 0), ctx.n)
        part *= self.scale
        if self.kind == "t":
            chi2 = ctx.rng(key, 2).chisquare(self.df, size=(ctx.n, ctx.entities, 1))
            chi2 /= self.df
            part /= np.sqrt(chi2, out=chi2)
        return part

    def part_code(self, ctx: Context, key: int) -> list[str]:
        lines = [f"part = {literal(self.scale)} * {ctx.normal_code('N_STEPS')}"]
        if self.kind == "t":
            df = literal(self.df)
            lines += [
                f"rng = np.random.default_rng([SEED, {key}, 2])  # the chi-square draws' own stream",
                f"chi2 = rng.chisquare({df}, size=(N_STEPS, N_ENTITIES, 1))",
                f"part = part / np.sqrt(chi2 / {df})  # normal / sqrt(chi2 / df) is Student-t",
            ]
        return lines


def ar_roots(phi: Any) -> np.ndarray:
    """Roots of the AR characteristic polynomial ``1 - phi_1 z - ... - phi_p z^p``."""
    coefficients = [-float(p) for p in reversed(phi)] + [1.0]  # highest power first
    return np.roots(coefficients)


def burn_in(phi: Any) -> int:
    """Steps to run an AR process before keeping it, so it starts in its steady state."""
    roots = ar_roots(phi)
    if roots.size == 0:
        return 0
    radius = float(np.max(1 / np.abs(roots)))  # how fast the start is forgotten
    if radius == 0:
        return len(phi)
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

    stochastic = True
    needs_scipy = True
    params = (
        Param("phi", ListOf(Float(-100, 100), min_len=1, max_len=50), (0.5,), "Coefficients phi_1, ..., phi_p."),
        _SCALE,
        _VARY,
    )

    def _check_params(self) -> None:
        roots = ar_roots(self.phi)
        if roots.size and np.min(np.abs(roots)) <= 1 + 1e-9:
            raise self.invalid(
                "phi",
                "must describe a stationary process: the roots of 1 - phi_1 z - ... - phi_p z^p "
                f"must lie outside the unit circle (the smallest has |z| = {np.min(np.abs(roots)):.4g}); "
                "use RandomWalk for a unit root",
                list(self.phi),
            )

    def describe(self) -> str:
        phi = ", ".join(_g(p) for p in self.phi)
        return f"AR({len(self.phi)}): phi [{phi}], innovation scale {_g(self.scale)}"

    def _denominator(self) -> list[float]:
        return [1.0] + [-float(p) for p in self.phi]

    def part(self, ctx: Context, key: int) -> np.ndarray:
        from scipy.signal import lfilter

        burn = burn_in(self.phi)
        shocks = ctx.normal(ctx.rng(key, 0), burn + ctx.n)
        shocks *= self.scale
        return lfilter([1.0], self._denominator(), shocks, axis=0)[burn:]

    def part_code(self, ctx: Context, key: int) -> list[str]:
        burn = burn_in(self.phi)
        return [
            f"shocks = {literal(self.scale)} * {ctx.normal_code(f'{burn} + N_STEPS')}",
            f"# x[t] = sum(phi[i] * x[t - i]) + shock[t], run {burn} steps before the first kept one",
            f"part = lfilter([1.0], {literal(self._denominator())}, shocks, axis=0)[{burn}:]",
        ]


class RandomWalk(SeriesComponent):
    """Cumulative sum of Gaussian steps (plus ``drift`` per step), starting near 0.

    Add a :class:`Trend` for the level it wanders around: a daily temperature is
    ``Trend(level=15) + RandomWalk(scale=1)``.

    >>> from synthbench.timeseries import RandomWalk
    >>> RandomWalk(scale=0.5).describe()
    'RandomWalk: step scale 0.5, drift 0'
    """

    stochastic = True
    params = (_SCALE, Param("drift", Float(), 0.0, "Added to every step."), _VARY)

    def describe(self) -> str:
        return f"RandomWalk: step scale {_g(self.scale)}, drift {_g(self.drift)}"

    def part(self, ctx: Context, key: int) -> np.ndarray:
        steps = ctx.normal(ctx.rng(key, 0), ctx.n)
        steps *= self.scale
        steps += self.drift
        return np.cumsum(steps, axis=0, out=steps)

    def part_code(self, ctx: Context, key: int) -> list[str]:
        steps = f"{literal(self.drift)} + {literal(self.scale)} * {ctx.normal_code('N_STEPS')}"
        return [f"part = np.cumsum({steps}, axis=0)"]


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
        _VARY,
    )

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        return self.rate > 0

    def _check_params(self) -> None:
        super()._check_params()
        if len(self.sizes) != len(self.at):
            raise self.invalid("sizes", f"must have one entry per jump in 'at' ({len(self.at)})", self.sizes)

    def describe(self) -> str:
        text = f"LevelShift: {len(self.at)} fixed jump(s)"
        if self.rate > 0:
            text += f", random jumps at rate {_g(self.rate)} (scale {_g(self.scale)})"
        return text

    def _jumps(self, ctx: Context) -> list[tuple[int, Any]]:
        return [(ctx.position(self, "at", a), s) for a, s in zip(self.at, self.sizes)]

    def part(self, ctx: Context, key: int) -> np.ndarray:
        t = ctx.t
        part = np.zeros_like(t)
        for pos, size in self._jumps(ctx):
            part = part + size * (t >= pos)
        if self.rate > 0:
            hits = ctx.rng(key, 0).random((ctx.n, ctx.entities)) < self.rate
            # Only the jumps that happen are drawn, in time order, from their own stream.
            sizes = ctx.rng(key, 2).standard_normal((int(hits.sum()), ctx.channels))
            if ctx.chol is not None:
                sizes = sizes @ ctx.chol.T
            jumps = np.zeros(ctx.shape)
            jumps[hits] = self.scale * sizes
            part = part + np.cumsum(jumps, axis=0, out=jumps)
        return part

    def part_code(self, ctx: Context, key: int) -> list[str]:
        lines = ["part = np.zeros_like(t)"]
        for pos, size in self._jumps(ctx):
            lines.append(f"part = part + {literal(size)} * (t >= {pos})  # jump at {ctx.where(pos)}")
        if self.rate > 0:
            corr = " @ CHOL.T" if ctx.chol is not None else ""
            lines += [
                f"hits = rng.random((N_STEPS, N_ENTITIES)) < {literal(self.rate)}  # where an entity jumps",
                f"rng = np.random.default_rng([SEED, {key}, 2])  # the jump sizes' own stream",
                f"sizes = rng.standard_normal((int(hits.sum()), N_CHANNELS)){corr}",
                "jumps = np.zeros((N_STEPS, N_ENTITIES, N_CHANNELS))",
                f"jumps[hits] = {literal(self.scale)} * sizes",
                "part = part + np.cumsum(jumps, axis=0)",
            ]
        return lines


# -- events ------------------------------------------------------------------------------


class _Event(Component):
    """A stretch of ``length`` steps at ``at``, or ``count`` random stretches per entity."""

    def _check_params(self) -> None:
        check_timestamp(self, "at", self.at)
        if self.at is None and self.length is None:
            raise self.invalid("length", "must be an int when 'at' is None (random placement)", self.length)

    def _where(self) -> str:
        who = "all entities" if self.entities is None else f"entities {list(self.entities)}"
        if self.at is None:
            return f"{self.count} random stretch(es) of {self.length} step(s) per entity, {who}"
        span = "to the end" if self.length is None else f"for {self.length} step(s)"
        return f"from {self.at!r} {span}, {who}"

    def _fixed(self, ctx: Context) -> tuple[int, int]:
        start = ctx.position(self, "at", self.at)
        stop = ctx.n if self.length is None else start + self.length
        if stop > ctx.n:
            raise self.invalid(
                "length",
                f"must keep the stretch inside the series: it starts at step {start} of {ctx.n}",
                self.length,
            )
        return start, stop

    def _check_random(self, ctx: Context) -> None:
        if self.length > ctx.n:
            raise self.invalid("length", f"must be at most the series length ({ctx.n} steps)", self.length)

    def mask(self, ctx: Context, key: int) -> np.ndarray:
        """Which (step, entity) cells the event covers."""
        hit = np.zeros((ctx.n, ctx.entities), dtype=bool)
        entities = list(range(ctx.entities)) if self.entities is None else list(self.entities)
        if self.at is not None:
            start, stop = self._fixed(ctx)
            hit[start:stop, entities] = True
            return hit
        self._check_random(ctx)
        starts = ctx.rng(key, 0).integers(0, ctx.n - self.length + 1, size=(len(entities), self.count))
        steps = starts[:, :, None] + np.arange(self.length)
        hit[steps.ravel(), np.repeat(entities, self.count * self.length)] = True
        return hit

    def mask_code(self, ctx: Context, key: int) -> list[str]:
        lines = ["hit = np.zeros((N_STEPS, N_ENTITIES), dtype=bool)"]
        who = "np.arange(N_ENTITIES)" if self.entities is None else literal(list(self.entities))
        if self.at is not None:
            start, stop = self._fixed(ctx)
            cols = "" if self.entities is None else f", {literal(list(self.entities))}"
            return [*lines, f"hit[{start}:{stop}{cols}] = True  # from {ctx.where(start)}"]
        self._check_random(ctx)
        return [
            *lines,
            f"rng = np.random.default_rng([SEED, {key}, 0])",
            f"entities = {who}",
            f"starts = rng.integers(0, N_STEPS - {self.length} + 1, size=(len(entities), {self.count}))",
            f"steps = starts[:, :, None] + np.arange({self.length})",
            f"hit[steps.ravel(), np.repeat(entities, {self.count * self.length})] = True",
        ]


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
    'Anomaly: dip of 4 from 50 for 3 step(s), all entities'
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

    def describe(self) -> str:
        return f"Anomaly: {self.kind} of {_g(self.magnitude)} {self._where()}"


class Missing(_Event):
    """A stretch of missing values (NaN in every channel; the rows stay).

    >>> from synthbench.timeseries import Missing
    >>> Missing(count=2, length=5).describe()
    'Missing: 2 random stretch(es) of 5 step(s) per entity, all entities'
    """

    params = _EVENT_PARAMS

    def describe(self) -> str:
        return f"Missing: {self._where()}"


#: The component classes a TimeSeries accepts, by name (for specs).
COMPONENT_TYPES: dict[str, type[SeriesComponent]] = {
    cls.__name__: cls for cls in (Trend, Seasonality, Fourier, SeasonalProfile, Noise, AR, RandomWalk, LevelShift)
}
