"""Kernels of the fitted family (Gaussian copula, Gaussian mixture, CART).

The fitted generators compile what they learned into a plan of calls to these
functions, with the learned state as literal arguments; ``sample`` runs the plan and
``to_code`` writes the same functions and calls (see :mod:`synthbench.kernels`). Each
column is described by a plain dict (see :mod:`synthbench.generators.fitted._types`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "as_dtype",
    "cart_codes_as_predictor",
    "cart_column",
    "cart_fill",
    "cart_predictors",
    "cart_scale",
    "cart_smooth",
    "column_of_codes",
    "frame_of",
    "identifier_column",
    "latent_cdf",
    "latent_draws",
    "leaf_draw",
    "make_column",
    "sample_latent",
    "tree_leaves",
    "unpack",
]


def sample_latent(n, rng, weights, means, covs):
    """Draw n rows from a mixture of Gaussians (a Gaussian copula has one component)."""
    means = np.asarray(means, dtype=float)
    if len(weights) == 1:
        component = np.zeros(n, dtype=np.int64)
    else:
        component = rng.choice(len(weights), size=n, p=np.asarray(weights, dtype=float))
    eps = rng.standard_normal((n, means.shape[1]))
    z = np.empty_like(eps)
    for k, cov in enumerate(covs):
        rows = component == k
        z[rows] = means[k] + eps[rows] @ np.linalg.cholesky(np.asarray(cov, dtype=float)).T
    return z


def latent_cdf(z, weights, means, covs):
    """Uniforms from latent scores, through each column's marginal CDF under the model.

    For a copula this is the normal CDF; for a mixture, the mixture's own marginal, so
    every column's learned distribution comes out exactly.
    """
    from scipy.special import ndtr

    means = np.asarray(means, dtype=float)
    sds = np.sqrt(np.array([np.diag(np.asarray(cov, dtype=float)) for cov in covs]))
    u = np.zeros_like(z)
    for k, weight in enumerate(weights):
        u += weight * ndtr((z - means[k]) / sds[k])
    return u


def latent_draws(n, seed, weights, means, covs, null_rates):
    """Uniforms (n x columns) from the latent Gaussian model, and which cells go missing."""
    rng = np.random.default_rng(seed)
    z = sample_latent(n, rng, weights, means, covs)
    u = latent_cdf(z, weights, means, covs)
    missing = rng.random(z.shape) < np.asarray(null_rates, dtype=float)
    return u, missing


def make_column(draws, j, col):
    """Column j of the draws, through its learned marginal, as a named Series of its dtype."""
    u, missing = draws[0][:, j], draws[1][:, j]
    if "knots" in col:
        # Continuous: read the value off the learned quantile function. Knots are scaled
        # by a power of two (exact) so that even a range near the float limit interpolates.
        knots = np.asarray(col["knots"], dtype=float)
        exponent = int(np.frexp(np.max(np.abs(knots)))[1])
        x = np.ldexp(np.interp(u, col["probs"], np.ldexp(knots, -exponent)), exponent)
        if col.get("decimals") is not None:
            x = np.round(x, col["decimals"])
        if col.get("step") is not None:
            x = np.rint(x / col["step"]) * col["step"]
    else:
        # Discrete: the value whose cumulative-frequency interval holds u.
        cum = np.asarray(col["cum"], dtype=float)
        x = np.asarray(col["values"], dtype=object)[np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)]
        if col["kind"] in ("numeric", "integer", "datetime"):
            x = x.astype(float if col["kind"] == "numeric" else np.int64)
    return as_dtype(x, missing, col).rename(col["name"])


def frame_of(columns):
    """The named columns side by side, in order."""
    return pd.DataFrame({s.name: s for s in columns}, index=pd.RangeIndex(len(columns[0])))


def as_dtype(x, missing, col):
    """Values x as a Series of the column's dtype, missing where ``missing`` is True."""
    if col["kind"] == "datetime":
        s = pd.Series(np.asarray(x).astype("int64").astype(f"datetime64[{col['unit']}]"))
        if col.get("tz"):
            s = s.dt.tz_localize("UTC").dt.tz_convert(col["tz"])
    elif col["dtype"] == "category":
        s = pd.Series(pd.Categorical(x, categories=col["categories"], ordered=col["ordered"]))
    else:
        s = pd.Series(x).astype(col["dtype"])
    return s.where(~missing) if missing.any() else s


def cart_predictors(n, d):
    """The table so far as the trees see it, filled one column at a time (see cart_column).

    Two float32 copies of each column, one with missing values as -inf and one as +inf,
    so a node sends a missing value its way with a single comparison. Left unset: a
    tree reads only the columns before its own, which are written by then.
    """
    return np.empty((2, d, n), dtype=np.float32)


def cart_scale(col):
    """The power of two that brings a column's codes into [-1, 1].

    The trees split in float32; scaling by a power of two is exact and keeps the order,
    so even values near the float64 limit fit. Labels are coded by their position.
    """
    if col["kind"] in ("categorical", "boolean"):
        return int(np.frexp(max(len(col["values"]) - 1, 0))[1])
    return int(np.frexp(np.max(np.abs(np.asarray(col["values"], dtype=float))))[1])


def cart_codes_as_predictor(codes, col):
    """A column's value positions (-1 where missing) as the scaled float32 the trees split on."""
    if col["kind"] in ("categorical", "boolean"):
        table = np.arange(len(col["values"]), dtype=float)
    else:
        table = np.asarray(col["values"], dtype=float)
    table = np.append(np.ldexp(table, -cart_scale(col)), np.nan).astype(np.float32)
    return table[codes]  # position -1 reads the NaN at the end


def tree_leaves(x, tree):
    """The leaf each row ends in, going down the tree from node 0 (x from cart_predictors).

    At a node, a row goes left if its value of the node's feature is at most the
    threshold; a missing value goes the way ``missing_left`` says.
    """
    feature = np.asarray(tree["feature"], dtype=np.int64)
    left = np.asarray(tree["left"], dtype=np.int64)
    right = np.asarray(tree["right"], dtype=np.int64)
    n = x.shape[2]
    if feature[0] < 0:
        return np.zeros(n, dtype=np.int64)
    # Float32 values compare with a float64 threshold as with the largest float32 below it.
    limit = np.finfo(np.float32).max
    threshold = np.clip(np.asarray(tree["threshold"], dtype=float), -limit, limit)
    below = threshold.astype(np.float32)
    below = np.where(below > threshold, np.nextafter(below, np.float32(-np.inf)), below)
    # Node k is written 2k, so its children are child[2k + went_left]; a leaf is its own child.
    is_leaf = feature < 0
    nodes = np.arange(len(feature))
    child = np.stack([np.where(is_leaf, nodes, right), np.where(is_leaf, nodes, left)], axis=1)
    child = (2 * child).reshape(-1)
    # Where each node reads its feature: the -inf copy if missing goes left, else the +inf one.
    copy = np.where(np.asarray(tree["missing_left"], dtype=bool), 0, 1)
    start = np.repeat(np.where(is_leaf, 0, (copy * x.shape[1] + np.maximum(feature, 0)) * n), 2)
    below, is_leaf = np.repeat(below, 2), np.repeat(is_leaf, 2)
    flat = x.reshape(-1)
    leaf = np.zeros(n, dtype=np.int64)
    # A block of rows at a time, so the rows' arrays stay in the processor's cache; rows
    # that reached a leaf are dropped every few steps (until then they stay in place).
    for first in range(0, n, 65_536):
        active = np.arange(first, min(first + 65_536, n))
        node = np.zeros(len(active), dtype=np.int64)
        step = 0
        while len(active):
            node = child[node + (flat[start[node] + active] <= below[node])]
            step += 1
            if step % 4 == 0:
                done = is_leaf[node]
                leaf[active[done]] = node[done] // 2
                active, node = active[~done], node[~done]
    return leaf


def leaf_draw(leaf, u, tree):
    """For each row, one value position of its leaf, drawn with the leaf's counts (uniform u)."""
    offsets = np.asarray(tree["offsets"], dtype=np.int64)
    counts = np.asarray(tree["counts"], dtype=np.int64)
    cum = np.concatenate([[0], np.cumsum(counts)])
    low = cum[offsets[leaf]]
    size = cum[offsets[leaf + 1]] - low
    pick = low + np.minimum((u * size).astype(np.int64), size - 1)
    # The leaves' values repeated by their counts: a pick is a position in the training rows.
    return np.repeat(np.asarray(tree["codes"], dtype=np.int64), counts)[pick]


def column_of_codes(codes, col):
    """A named Series of the column's dtype from value positions (-1 where missing)."""
    missing = codes < 0
    at = np.where(missing, 0, codes)
    values, kind = col["values"], col["kind"]
    if col["dtype"] == "category":
        dtype = pd.CategoricalDtype(col["categories"], ordered=col["ordered"])
        return pd.Series(pd.Categorical.from_codes(np.where(missing, -1, codes), dtype=dtype), name=col["name"])
    if kind == "numeric":
        x = np.asarray(values, dtype=float)[at]
    elif kind == "integer":
        x = np.asarray(values, dtype=col["dtype"].lower())[at]
    elif kind == "datetime":
        x = np.asarray(values, dtype=np.int64)[at]
    elif kind == "boolean":
        x = np.asarray(values, dtype=bool)[at]
    else:
        x = np.array(values, dtype=object)[at]
    return as_dtype(x, missing, col).rename(col["name"])


def unpack(value):
    """An array written packed ({"dtype", "size", "data"}: zlib, base64), or a list as it is.

    Integers are stored as the differences between neighbours (the running sum gives
    them back), and with "decimals" they are floats in steps of 10**-decimals.
    """
    if not isinstance(value, dict):
        return value
    import base64
    import zlib

    raw = np.frombuffer(zlib.decompress(base64.b64decode(value["data"])), dtype=value["dtype"])
    if raw.dtype.kind == "f":
        return raw.astype(float)
    ints = np.cumsum(raw, dtype=np.int64)
    return ints if value.get("decimals") is None else ints / 10.0 ** value["decimals"]


def cart_column(x, j, seed, col, tree, smoothing="none"):
    """Column j, drawn through its tree (synthpop's CART draw, fitted once).

    Each row goes down the tree on the columns drawn before it (columns 0..j-1 of x) and
    takes one of the values of the leaf it lands in, as often as the training rows of
    that leaf had it. The draws are written into row j of x for the trees after it.
    With smoothing="density", numbers are then smoothed within their leaf (cart_smooth).
    """
    col = {**col, "values": unpack(col["values"])}
    tree = {k: unpack(v) for k, v in tree.items()}
    u = np.random.default_rng([seed, j]).random(x.shape[2])
    leaf = tree_leaves(x, tree)
    codes = leaf_draw(leaf, u, tree)
    cart_fill(x, j, cart_codes_as_predictor(codes, col))
    if smoothing == "density":
        return cart_smooth(codes, leaf, seed, j, col, tree)
    return column_of_codes(codes, col)


def cart_smooth(codes, leaf, seed, j, col, tree):
    """Column j with its drawn numbers smoothed (synthpop's smoothing="density").

    Each number moves by a Gaussian kernel whose bandwidth is Silverman's rule on the
    values of its leaf (1.06 x their standard deviation x their count ** -1/5), shrunk
    towards the leaf's mean so that the leaf's mean and variance are kept, then rounded
    to the column's decimals (integers to integers); a number that would leave the
    column's range stays the real value drawn. The trees after it still see the drawn
    real value. Labels, dates and integers beyond 2**53 are drawn as they are.
    """
    if col["kind"] not in ("numeric", "integer"):
        return column_of_codes(codes, col)
    table = np.asarray(col["values"], dtype=float)
    if np.max(np.abs(table)) > 2.0**53:
        return column_of_codes(codes, col)
    offsets = np.asarray(tree["offsets"], dtype=np.int64)
    entry_codes = np.asarray(tree["codes"], dtype=np.int64)
    leaf_of_entry = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    weight = np.where(entry_codes >= 0, np.asarray(tree["counts"], dtype=float), 0.0)
    value = table[np.maximum(entry_codes, 0)]
    size = np.bincount(leaf_of_entry, weights=weight, minlength=len(offsets) - 1)
    mean = np.bincount(leaf_of_entry, weights=weight * value, minlength=len(size)) / np.maximum(size, 1)
    spread = np.bincount(leaf_of_entry, weights=weight * (value - mean[leaf_of_entry]) ** 2, minlength=len(size))
    sd = np.sqrt(spread / np.maximum(size - 1, 1))
    ratio = 1.06 * np.maximum(size, 1) ** -0.2  # the bandwidth over the leaf's standard deviation
    missing = codes < 0
    noise = np.random.default_rng([seed, j, 1]).standard_normal(len(codes))
    drawn = table[np.maximum(codes, 0)]
    centre = mean[leaf]
    # Shrunk towards the leaf's mean so its mean and variance stay as they were.
    x = centre + (drawn - centre + noise * (ratio * sd)[leaf]) / np.sqrt(1 + ratio**2)[leaf]
    x = np.where((x < table[0]) | (x > table[-1]), drawn, x)  # no value beyond the real range
    decimals = (
        0 if col["kind"] == "integer" else next((d for d in range(7) if np.all(np.round(table, d) == table)), None)
    )
    if decimals is not None:
        x = np.round(x, decimals)
    return as_dtype(x, missing, col).rename(col["name"])


def cart_fill(x, j, values):
    """Write column j's float32 values into both copies of x (missing as -inf and as +inf)."""
    missing = np.isnan(values)
    x[0, j] = np.where(missing, -np.inf, values)
    x[1, j] = np.where(missing, np.inf, values)


def identifier_column(n, seed, k, col):
    """Identifier-like text column k, made by rules from its learned shape, never copied.

    The shape is the distribution of the values' lengths ("lengths", "length_counts")
    and, per character position, how often each character class came there ("classes":
    upper-case letter, lower-case letter, digit, then the characters " ", "-", "_", ".",
    "'", "@", "/"). Each value draws a length, then per position a class and a character
    of that class uniformly. With "unique", repeated values are drawn again (20 rounds).
    """
    rng = np.random.default_rng([seed, 3, k])
    alphabet = [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "abcdefghijklmnopqrstuvwxyz",
        "0123456789",
        " ",
        "-",
        "_",
        ".",
        "'",
        "@",
        "/",
    ]
    sizes = np.array([len(a) for a in alphabet])
    table = np.array([list(a.ljust(26, a[0])) for a in alphabet])
    length_cum = np.cumsum(np.asarray(col["length_counts"], dtype=float))
    lengths = np.asarray(col["lengths"], dtype=np.int64)
    counts = np.asarray(col["classes"], dtype=float).reshape(-1, len(alphabet))
    width = max(len(counts), 1)
    cum = np.cumsum(counts, axis=1) / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    cum = np.vstack([cum, np.ones((width - len(counts), len(alphabet)))])

    def draw(m):
        parts = []
        for first in range(0, m, 65_536):
            size = min(65_536, m - first)
            length = lengths[np.searchsorted(length_cum, rng.random(size) * length_cum[-1], side="right")]
            u = rng.random((size, width))
            cls = np.minimum((u[:, :, None] >= cum[None]).sum(axis=2), len(alphabet) - 1)
            pick = (rng.random((size, width)) * sizes[cls]).astype(np.int64)
            chars = np.where(np.arange(width) < length[:, None], table[cls, pick], "")
            parts.append(np.ascontiguousarray(chars).view(f"<U{width}").reshape(-1))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=f"<U{width}")

    values = draw(n)
    if col["unique"]:
        for _ in range(20):
            again = pd.Series(values).duplicated().to_numpy()
            if not again.any():
                break
            values[again] = draw(int(again.sum()))
    missing = rng.random(n) < col["null_rate"]
    return as_dtype(values.astype(object), missing, col).rename(col["name"])
