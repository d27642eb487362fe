"""Kernels of the neural generators (tabular VAE and conditional GAN): numpy only.

Training happens in JAX (see :mod:`synthbench.generators.fitted._neural`); what comes
out is a small network whose weights travel as base64 float32 text. Sampling runs the
network forward in numpy and turns its outputs into columns through the columns'
*mode-specific normalisation*: a numeric value is written as one of a few Gaussian
modes (a one-hot block) and its position inside that mode (a number in [-1, 1]);
labels are one-hot blocks. ``sample`` runs these kernels and ``to_code`` writes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "neural_column",
    "neural_draws",
    "neural_forward",
    "neural_frame",
    "neural_network",
    "neural_series",
    "neural_unpack",
]


def neural_unpack(text, shape):
    """Float32 numbers written as base64 text (little-endian), as a float64 array of ``shape``."""
    import base64

    raw = base64.b64decode(text.encode("ascii"), validate=True)
    return np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(shape)


def neural_network(layers):
    """The layers' weights and biases as arrays: a list of (weight, bias, kind)."""
    out = []
    for layer in layers:
        n_in, n_out = layer["shape"]
        out.append(
            (neural_unpack(layer["weight"], (n_in, n_out)), neural_unpack(layer["bias"], (n_out,)), layer["kind"])
        )
    return out


def neural_forward(x, net):
    """The network's output for inputs x: dense layers, ReLU between them.

    A "relu" layer is ReLU(x W + b); a "residual" layer puts ReLU(x W + b) beside its
    input (CTGAN's generator); the last, "linear", is x W + b.
    """
    for weight, bias, kind in net:
        y = x @ weight + bias
        if kind == "relu":
            x = np.maximum(y, 0.0)
        elif kind == "residual":
            x = np.concatenate([np.maximum(y, 0.0), x], axis=1)
        else:
            x = y
    return x


def neural_draws(n, seed, layers, latent, cond, n_columns, sigmas):
    """Network outputs for n rows of noise, and the uniforms and noise that decode them.

    Noise z ~ N(0, 1) goes through the network (after a conditional vector, for a GAN
    with ``cond``: one label column picked at random, one of its labels drawn at its
    training frequency). Rows go through in blocks, so memory stays bounded.
    """
    rng = np.random.default_rng(seed)
    net = neural_network(layers)
    z = rng.standard_normal((n, latent))
    if cond:
        widths = [len(p) for p in cond]
        vec = np.zeros((n, sum(widths)))
        which = rng.integers(len(cond), size=n)
        u = rng.random(n)
        start = np.concatenate([[0], np.cumsum(widths)])
        for k, probs in enumerate(cond):
            rows = which == k
            cum = np.cumsum(np.asarray(probs, dtype=float))
            label = np.minimum(np.searchsorted(cum / cum[-1], u[rows], side="right"), len(probs) - 1)
            vec[np.flatnonzero(rows), start[k] + label] = 1.0
        z = np.concatenate([z, vec], axis=1)
    chunks = [neural_forward(z[i : i + 65_536], net) for i in range(0, n, 65_536)]
    raw = np.concatenate(chunks) if chunks else np.zeros((0, layers[-1]["shape"][1]))  # no rows, every output
    u = rng.random((n, n_columns))
    eps = rng.standard_normal((n, n_columns)) * np.asarray(sigmas, dtype=float)
    return raw, u, eps


def neural_series(x, missing, col):
    """Values x as a Series of the column's dtype, missing where ``missing`` is True."""
    if col["kind"] == "datetime":
        s = pd.Series(np.asarray(x).astype("int64").astype(f"datetime64[{col['unit']}]"))
        if col.get("tz"):
            s = s.dt.tz_localize("UTC").dt.tz_convert(col["tz"])
    elif col["dtype"] == "category":
        s = pd.Series(pd.Categorical(x, categories=col["categories"], ordered=col["ordered"]))
    else:
        s = pd.Series(x).astype(col["dtype"])
    s = s.where(~missing) if missing.any() else s
    return s.rename(col["name"])


def neural_column(draws, j, at, col):
    """Column j, decoded from the network outputs starting at position ``at``.

    A label column's outputs are scores of its labels (then "missing", if it had gaps):
    a label is drawn with the softmax of the scores. A numeric column has a position
    (tanh of the first output, plus the VAE's learned noise) and mode scores: a mode is
    drawn the same way and the value is the mode's mean plus four of its standard
    deviations times the position, clipped to the training range.
    """
    raw, u, eps = draws
    if col["kind"] in ("categorical", "boolean"):
        scores = raw[:, at : at + len(col["values"]) + (col["null_rate"] > 0)]
    else:
        scores = raw[:, at + 1 : at + 1 + len(col["means"]) + (col["null_rate"] > 0)]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    pick = np.minimum((cum < u[:, j : j + 1]).sum(axis=1), scores.shape[1] - 1)
    if col["kind"] in ("categorical", "boolean"):
        missing = pick >= len(col["values"])
        values = np.asarray(col["values"], dtype=object)
        return neural_series(values[np.where(missing, 0, pick)], missing, col)
    missing = pick >= len(col["means"])
    mode = np.where(missing, 0, pick)
    position = np.clip(np.tanh(raw[:, at]) + eps[:, j], -1.0, 1.0)
    means, stds = np.asarray(col["means"], dtype=float), np.asarray(col["stds"], dtype=float)
    x = col["center"] + col["scale"] * (means[mode] + 4.0 * stds[mode] * position)
    x = np.clip(x, col["low"], col["high"])
    if col["kind"] == "numeric":
        if col.get("decimals") is not None:
            x = np.round(x, col["decimals"])
        return neural_series(x, missing, col)
    x = np.clip(np.rint(x / col["step"]) * col["step"], col["low"], col["high"])
    return neural_series(x.astype(np.int64), missing, col)


def neural_frame(columns):
    """The named columns side by side, in order."""
    return pd.DataFrame({s.name: s for s in columns}, index=pd.RangeIndex(len(columns[0])))
