"""Time-series kernels: a series is a ``(steps, entities, channels)`` array that each
component adds its part to, one numpy call for every entity at once.

``TimeSeries.sample`` runs these functions and ``TimeSeries.to_code`` copies their
source into the exported cell, followed by one commented call per component.

Random streams: a component's draws come from ``np.random.default_rng([*stream, sub])``
with ``stream = [seed, key]`` (``key`` is a stable hash of the component's kind and
rank); ``sub`` 0 is its main draws, 1 its per-entity ``vary`` factors and 2 a
secondary draw (Student-t's chi-square, the sizes of random jumps). Draws are made
time first, so a shorter sample is the start of a longer one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def time_index(start, end, steps, freq):
    """``steps`` timestamps every ``freq``, from ``start`` or finishing at ``end``."""
    return pd.date_range(start=start, end=end, periods=steps, freq=freq)


def empty_series(steps, entities, channels):
    """The sum that components add to, shaped (steps, entities, channels)."""
    return np.zeros((steps, entities, channels))


def channel_cholesky(correlation):
    """The factor that correlates the channels' random parts (``z @ chol.T``)."""
    return np.linalg.cholesky(np.array(correlation, dtype=float))


def random_stream(stream, sub):
    """Sub-stream ``sub`` of a component's own random stream ``[seed, key]``."""
    return np.random.default_rng([*stream, sub])


def step_numbers(steps):
    """0, 1, 2, ... as floats, shaped (steps, 1, 1) to broadcast over entities and channels."""
    return np.arange(steps, dtype=float)[:, None, None]


def correlated_normal(rng, steps, entities, channels, chol):
    """Standard normal draws, correlated across channels when ``chol`` is given."""
    z = rng.standard_normal((steps, entities, channels))
    return z if chol is None else z @ chol.T


def add_part(y, part, vary=0.0, stream=None):
    """``y += part``, the part first scaled by exp(vary * z) per entity and channel."""
    if vary > 0:
        spread = random_stream(stream, 1).standard_normal(y.shape[1:])
        part = part * np.exp(vary * spread)
    y += part
    return y


def add_trend(y, level, slope, bends=(), vary=0.0, stream=None):
    """``level + slope * step``; at each ``(step, change)`` in ``bends`` the slope changes."""
    t = step_numbers(y.shape[0])
    part = level + slope * t
    for pos, change in bends:
        part = part + change * np.maximum(t - pos, 0.0)
    return add_part(y, part, vary, stream)


def add_seasonality(y, period, amplitude, phase=0.0, vary=0.0, stream=None):
    """A sine wave of ``period`` steps, shifted by ``phase`` of a cycle."""
    t = step_numbers(y.shape[0])
    part = amplitude * np.sin(2 * np.pi * (t / period + phase))
    return add_part(y, part, vary, stream)


def add_fourier(y, period, coefficients, vary=0.0, stream=None):
    """A seasonal shape: ``[a, b]`` weights of sin and cos for harmonics k = 1, 2, ..."""
    t = step_numbers(y.shape[0])
    part = np.zeros_like(t)
    for k, (a, b) in enumerate(coefficients, start=1):
        angle = 2 * np.pi * k * t / period
        part = part + a * np.sin(angle) + b * np.cos(angle)
    return add_part(y, part, vary, stream)


def add_profile(y, values, vary=0.0, stream=None):
    """A repeating profile: step i gets ``values[i % len(values)]``."""
    part = np.array(values, dtype=float)[np.arange(y.shape[0]) % len(values)][:, None, None]
    return add_part(y, part, vary, stream)


def add_noise(y, scale, stream, kind="normal", df=None, chol=None, vary=0.0):
    """Independent Gaussian noise, or Student-t (normal / sqrt(chi2 / df)) with ``kind="t"``."""
    steps, entities, channels = y.shape
    part = correlated_normal(random_stream(stream, 0), steps, entities, channels, chol)
    part *= scale
    if kind == "t":
        # One chi-square draw per step and entity, shared by its channels (multivariate t).
        chi2 = random_stream(stream, 2).chisquare(df, size=(steps, entities, 1))
        chi2 /= df
        part /= np.sqrt(chi2, out=chi2)
    return add_part(y, part, vary, stream)


def add_ar(y, phi, scale, burn_in, stream, chol=None, vary=0.0):
    """AR(p): ``x[t] = phi[0] x[t-1] + ... + shock[t]``, run ``burn_in`` steps before the first kept one."""
    from scipy.signal import lfilter

    steps, entities, channels = y.shape
    shocks = correlated_normal(random_stream(stream, 0), burn_in + steps, entities, channels, chol)
    shocks *= scale
    part = lfilter([1.0], [1.0] + [-p for p in phi], shocks, axis=0)[burn_in:]
    return add_part(y, part, vary, stream)


def add_random_walk(y, scale, drift, stream, chol=None, vary=0.0):
    """Cumulative sum of ``drift + scale * z`` steps."""
    steps, entities, channels = y.shape
    moves = correlated_normal(random_stream(stream, 0), steps, entities, channels, chol)
    moves *= scale
    moves += drift
    part = np.cumsum(moves, axis=0, out=moves)
    return add_part(y, part, vary, stream)


def add_level_shift(y, jumps=(), rate=0.0, scale=1.0, stream=None, chol=None, vary=0.0):
    """Permanent jumps: ``(step, size)`` pairs, plus random ones at ``rate`` per step and entity."""
    steps, entities, channels = y.shape
    t = step_numbers(steps)
    part = np.zeros_like(t)
    for pos, size in jumps:
        part = part + size * (t >= pos)
    if rate > 0:
        hits = random_stream(stream, 0).random((steps, entities)) < rate
        # Only the jumps that happen are drawn, in time order, from their own sub-stream.
        sizes = random_stream(stream, 2).standard_normal((int(hits.sum()), channels))
        if chol is not None:
            sizes = sizes @ chol.T
        moves = np.zeros(y.shape)
        moves[hits] = scale * sizes
        part = part + np.cumsum(moves, axis=0, out=moves)
    return add_part(y, part, vary, stream)


def empty_labels(steps, entities):
    """The anomaly labels, shaped (steps, entities)."""
    return np.zeros((steps, entities), dtype=bool)


def stretches(steps, n_entities, entities=None, start=None, stop=None, length=None, count=None, stream=None):
    """Which (step, entity) cells a stretch covers: steps ``start:stop``, or ``count``
    random stretches of ``length`` steps per entity. ``entities`` lists the entity
    numbers affected (None: all)."""
    hit = np.zeros((steps, n_entities), dtype=bool)
    cols = np.arange(n_entities) if entities is None else np.asarray(entities)
    if start is not None:
        hit[start:stop, cols] = True
        return hit
    k = len(cols)
    starts = random_stream(stream, 0).integers(0, steps - length + 1, size=(k, count))
    # Count stretches begun minus ended at each step: memory grows with steps, not count * length.
    col = np.arange(k)[:, None]
    size = (steps + 1) * k
    cover = np.bincount((starts * k + col).ravel(), minlength=size)
    cover -= np.bincount(((starts + length) * k + col).ravel(), minlength=size)
    hit[:, cols] = np.cumsum(cover.reshape(steps + 1, k), axis=0)[:steps] > 0
    return hit


def add_anomaly(y, shift, labels=None, entities=None, start=None, stop=None, length=None, count=None, stream=None):
    """Add ``shift`` over the stretch (see ``stretches``) and mark it in ``labels``, if given."""
    hit = stretches(y.shape[0], y.shape[1], entities, start, stop, length, count, stream)
    y[hit] += shift
    if labels is not None:
        labels |= hit
    return y


def blank(y, entities=None, start=None, stop=None, length=None, count=None, stream=None):
    """Set every channel to NaN over the stretch (see ``stretches``); the rows stay."""
    y[stretches(y.shape[0], y.shape[1], entities, start, stop, length, count, stream)] = np.nan
    return y


def long_frame(timestamps, y, time_column, channels, entity_column=None, labels=None, label_column=None, decimals=None):
    """One row per entity and step, entities one after another; values rounded to ``decimals``.

    ``label_column`` holds ``labels`` (all False when there are none).
    """
    steps, entities = y.shape[:2]
    if decimals is not None:
        y = np.round(y, decimals)
    data = {}
    if entity_column is not None:
        data[entity_column] = np.repeat(np.arange(entities), steps)
        data[time_column] = timestamps.take(np.tile(np.arange(steps), entities))
    else:
        data[time_column] = timestamps
    for c, name in enumerate(channels):
        data[name] = y[:, :, c].T.ravel()
    if label_column is not None:
        data[label_column] = (labels if labels is not None else empty_labels(steps, entities)).T.ravel()
    return pd.DataFrame(data, copy=False)
