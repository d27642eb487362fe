"""Time-series kernels: a series is an ``(entities, steps, channels)`` array that each
component adds its part to, one numpy call for a whole block of entities at once.

``TimeSeries.sample`` runs these functions and ``TimeSeries.to_code`` copies their
source into the exported cell, followed by one commented call per component.

Random streams are keyed by entity: a component's draws for entity ``e`` come from
``np.random.default_rng([*stream, sub, e // 64])`` with ``stream = [seed, key]``
(``key`` is a stable hash of the component's kind and rank), entity after entity in
its group of 64 (``entity_draws``). So entity ``e`` gets the same draws whether 1, 10 or
100,000 entities are made and whichever block of entities it is made in, and a group's
draws are one numpy call for all its entities. ``sub`` 0 is a component's main draws, 1
its per-entity ``vary`` factors, 2 a secondary draw (Student-t's chi-square, the sizes
of random jumps), 3 and 4 the fleet's shared draws (``shared=True``: one stream for every
entity). Group 0's stream ``[seed, key, sub, 0]`` is numpy's ``[seed, key, sub]``, so a
single series is what earlier versions made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def time_index(start, end, steps, freq):
    """``steps`` timestamps every ``freq``, from ``start`` or finishing at ``end``."""
    return pd.date_range(start=start, end=end, periods=steps, freq=freq)


def empty_series(entities, steps, channels):
    """The sum that components add to, shaped (entities, steps, channels)."""
    return np.zeros((entities, steps, channels))


def channel_cholesky(correlation):
    """The factor that correlates the channels' random parts (``z @ chol.T``)."""
    return np.linalg.cholesky(np.array(correlation, dtype=float))


def random_stream(stream, sub, group=0):
    """Sub-stream ``sub`` of a component's stream ``[seed, key]`` for the entity group ``group``."""
    return np.random.default_rng([*stream, sub, group])


def draw_into(rng, kind, a, out):
    """Fill ``out`` with draws from ``rng``: "normal" (standard normal), "uniform" (on [0, 1)),
    "gamma" (standard gamma of shape ``a``) or "integers" (in ``range(a)``)."""
    if kind == "normal":
        rng.standard_normal(out=out)
    elif kind == "uniform":
        rng.random(out=out)
    elif kind == "gamma":
        rng.standard_gamma(a, out=out)
    else:
        out[...] = rng.integers(0, a, size=out.shape)
    return out


def entity_groups(first, count, group_size=64):
    """For each group of ``group_size`` entities that entities ``first .. first + count - 1`` touch:
    its number, its first entity, and the range ``skip:end`` of its entities that are wanted."""
    stop = first + count
    for g in range(first // group_size, -(-stop // group_size)):
        lo = g * group_size
        yield g, lo, max(first, lo) - lo, min(stop, lo + group_size) - lo


def entity_draws(stream, sub, first, count, shape, kind="normal", a=1.0, group_size=64):
    """Draws for entities ``first .. first + count - 1``, shaped ``(count, *shape)``.

    Entity ``e`` draws from its group's stream ``random_stream(stream, sub, e // group_size)``
    after the entities before it in the group, so its draws never depend on how many
    entities are made nor on the block: one numpy call per group, not per entity.
    """
    out = np.empty((count, *shape))
    for g, lo, skip, end in entity_groups(first, count, group_size):
        rng = random_stream(stream, sub, g)
        if skip:
            # The group's entities before the block are drawn and dropped, so the rest line up.
            draw_into(rng, kind, a, np.empty((skip, *shape)))
        draw_into(rng, kind, a, out[lo + skip - first : lo + end - first])
    return out


def step_numbers(steps):
    """0, 1, 2, ... as floats, shaped (1, steps, 1) to broadcast over entities and channels."""
    return np.arange(steps, dtype=float)[None, :, None]


def correlated_normal(stream, first, shape, chol):
    """Standard normal draws of entities ``first ..`` shaped ``shape`` = (entities, steps, channels),
    correlated across channels when ``chol`` is given."""
    z = entity_draws(stream, 0, first, shape[0], shape[1:])
    return z if chol is None else z @ chol.T


def add_part(y, part, vary=0.0, stream=None, first=0):
    """``y += part``, the part first scaled by exp(vary * z) per entity and channel."""
    if vary > 0:
        spread = entity_draws(stream, 1, first, y.shape[0], y.shape[2:])
        part = part * np.exp(vary * spread)[:, None, :]
    y += part
    return y


def add_trend(y, level, slope, bends=(), vary=0.0, stream=None, first=0):
    """``level + slope * step``; at each ``(step, change)`` in ``bends`` the slope changes."""
    t = step_numbers(y.shape[1])
    part = level + slope * t
    for pos, change in bends:
        part = part + change * np.maximum(t - pos, 0.0)
    return add_part(y, part, vary, stream, first)


def add_seasonality(y, period, amplitude, phase=0.0, vary=0.0, stream=None, first=0):
    """A sine wave of ``period`` steps, shifted by ``phase`` of a cycle."""
    t = step_numbers(y.shape[1])
    part = amplitude * np.sin(2 * np.pi * (t / period + phase))
    return add_part(y, part, vary, stream, first)


def add_fourier(y, period, coefficients, vary=0.0, stream=None, first=0):
    """A seasonal shape: ``[a, b]`` weights of sin and cos for harmonics k = 1, 2, ..."""
    t = step_numbers(y.shape[1])
    part = np.zeros_like(t)
    for k, (a, b) in enumerate(coefficients, start=1):
        angle = 2 * np.pi * k * t / period
        part = part + a * np.sin(angle) + b * np.cos(angle)
    return add_part(y, part, vary, stream, first)


def add_profile(y, values, vary=0.0, stream=None, first=0):
    """A repeating profile: step i gets ``values[i % len(values)]``."""
    part = np.array(values, dtype=float)[np.arange(y.shape[1]) % len(values)][None, :, None]
    return add_part(y, part, vary, stream, first)


def add_noise(y, scale, stream, kind="normal", df=None, chol=None, vary=0.0, first=0):
    """Independent Gaussian noise, or Student-t (normal / sqrt(chi2 / df)) with ``kind="t"``."""
    part = correlated_normal(stream, first, y.shape, chol)
    part *= scale
    if kind == "t":
        # One chi-square draw per entity and step, shared by its channels (multivariate t):
        # chi2(df) = 2 * gamma(df / 2), so part / sqrt(chi2 / df) = part * sqrt(df / (2 * gamma)).
        gamma = entity_draws(stream, 2, first, y.shape[0], (y.shape[1], 1), "gamma", df / 2)
        gamma *= 2.0
        gamma /= df
        part /= np.sqrt(gamma, out=gamma)
    return add_part(y, part, vary, stream, first)


def add_ar(y, phi, scale, burn_in, stream, chol=None, vary=0.0, first=0):
    """AR(p): ``x[t] = phi[0] x[t-1] + ... + shock[t]``, run ``burn_in`` steps before the first kept one."""
    from scipy.signal import lfilter

    entities, steps, channels = y.shape
    shocks = correlated_normal(stream, first, (entities, burn_in + steps, channels), chol)
    shocks *= scale
    part = lfilter([1.0], [1.0] + [-p for p in phi], shocks, axis=1)[:, burn_in:]
    return add_part(y, part, vary, stream, first)


def add_random_walk(y, scale, drift, stream, chol=None, vary=0.0, first=0):
    """Cumulative sum of ``drift + scale * z`` steps."""
    moves = correlated_normal(stream, first, y.shape, chol)
    moves *= scale
    moves += drift
    part = np.cumsum(moves, axis=1, out=moves)
    return add_part(y, part, vary, stream, first)


def jump_moves(hits, sizes, scale, channels):
    """(entities, steps, channels) moves: ``scale * sizes`` at the ``hits``, in entity then time order."""
    moves = np.zeros((*hits.shape, channels))
    moves[hits] = scale * sizes
    return moves


def add_level_shift(y, jumps=(), rate=0.0, scale=1.0, stream=None, chol=None, vary=0.0, first=0, shared=False):
    """Permanent jumps: ``(step, size)`` pairs, plus random ones at ``rate`` per step and entity
    (``shared``: at the same steps and by the same sizes for every entity, from the fleet's stream)."""
    entities, steps, channels = y.shape
    t = step_numbers(steps)
    part = np.zeros_like(t)
    for pos, size in jumps:
        part = part + size * (t >= pos)
    if rate > 0 and shared:
        hits = random_stream(stream, 3).random((1, steps)) < rate
        sizes = random_stream(stream, 4).standard_normal((int(hits.sum()), channels))
        part = part + np.cumsum(jump_moves(hits, sizes if chol is None else sizes @ chol.T, scale, channels), axis=1)
    elif rate > 0:
        moves = np.zeros(y.shape)
        for g, lo, skip, end in entity_groups(first, entities):
            # Per group of entities (as in entity_draws): the jumps of its first entities, then
            # their sizes, in entity then time order (only the jumps that happen are drawn).
            hits = random_stream(stream, 0, g).random((end, steps)) < rate
            rows, cols = np.nonzero(hits)
            sizes = random_stream(stream, 2, g).standard_normal((len(rows), channels))
            mine = rows >= skip
            sizes = sizes[mine] if chol is None else sizes[mine] @ chol.T
            moves[lo - first + rows[mine], cols[mine]] = scale * sizes
        part = np.add(np.cumsum(moves, axis=1, out=moves), part, out=moves)
    return add_part(y, part, vary, stream, first)


def empty_labels(entities, steps):
    """The anomaly labels, shaped (entities, steps)."""
    return np.zeros((entities, steps), dtype=bool)


def stretches(
    n_entities, steps, first=0, entities=None, start=None, stop=None, length=None, count=None, stream=None, shared=False
):
    """Which (entity, step) cells of entities ``first .. first + n_entities - 1`` a stretch covers:
    steps ``start:stop``, or ``count`` random stretches of ``length`` steps per entity (drawn
    per entity, or once for the fleet when ``shared``). ``entities`` lists the entity numbers
    affected (None: all)."""
    hit = np.zeros((n_entities, steps), dtype=bool)
    if entities is None:
        rows = np.arange(n_entities)
    else:
        rows = np.asarray([e for e in entities if first <= e < first + n_entities], dtype=np.int64) - first
    if start is not None:
        hit[rows, start:stop] = True
        return hit
    if len(rows) == 0:
        return hit
    high = steps - length + 1
    if shared:
        starts = np.broadcast_to(random_stream(stream, 3).integers(0, high, size=count), (len(rows), count))
    else:
        starts = entity_draws(stream, 0, first, int(rows[-1]) + 1, (count,), "integers", high)[rows].astype(np.int64)
    if len(rows) * count * length <= hit.size // 8:
        # Few covered cells: mark them directly.
        cells = (starts[:, :, None] + np.arange(length)).reshape(len(rows), -1)
        hit[np.repeat(rows, cells.shape[1]), cells.ravel()] = True
        return hit
    # Count stretches begun minus ended at each step: memory grows with steps, not count * length.
    size = len(rows) * (steps + 1)
    base = (np.arange(len(rows)) * (steps + 1))[:, None]
    cover = np.bincount((base + starts).ravel(), minlength=size)
    cover -= np.bincount((base + starts + length).ravel(), minlength=size)
    hit[rows] = np.cumsum(cover.reshape(len(rows), steps + 1), axis=1)[:, :steps] > 0
    return hit


def add_anomaly(
    y,
    shift,
    labels=None,
    first=0,
    entities=None,
    start=None,
    stop=None,
    length=None,
    count=None,
    stream=None,
    shared=False,
):
    """Add ``shift`` over the stretch (see ``stretches``) and mark it in ``labels``, if given."""
    hit = stretches(y.shape[0], y.shape[1], first, entities, start, stop, length, count, stream, shared)
    y[hit] += shift
    if labels is not None:
        labels |= hit
    return y


def blank(y, first=0, entities=None, start=None, stop=None, length=None, count=None, stream=None, shared=False):
    """Set every channel to NaN over the stretch (see ``stretches``); the rows stay."""
    y[stretches(y.shape[0], y.shape[1], first, entities, start, stop, length, count, stream, shared)] = np.nan
    return y


def long_frame(
    timestamps, y, time_column, channels, entity_column=None, labels=None, label_column=None, decimals=None, first=0
):
    """One row per entity and step, entities one after another (numbered from ``first``);
    values rounded to ``decimals``. ``label_column`` holds ``labels`` (all False when there are none)."""
    entities, steps = y.shape[:2]
    if decimals is not None:
        y = np.round(y, decimals)
    data = {}
    if entity_column is not None:
        data[entity_column] = np.repeat(np.arange(first, first + entities), steps)
        data[time_column] = timestamps.take(np.tile(np.arange(steps), entities))
    else:
        data[time_column] = timestamps
    for c, name in enumerate(channels):
        data[name] = y[:, :, c].ravel()
    if label_column is not None:
        data[label_column] = (labels if labels is not None else empty_labels(entities, steps)).ravel()
    return pd.DataFrame(data, copy=False)
