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
    "cart_sample",
    "column_from_list",
    "encode_for_trees",
    "frame_from_lists",
    "frame_of",
    "latent_cdf",
    "latent_draws",
    "leaf_members",
    "make_column",
    "sample_latent",
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


def column_from_list(values, col):
    """A column rebuilt from a JSON list (None where missing)."""
    missing = np.array([v is None for v in values], dtype=bool)
    fill = next((v for v in values if v is not None), 0)
    # Object values keep every int exact (uint64 beyond 2**63 included) until the cast.
    return as_dtype(np.array([fill if v is None else v for v in values], dtype=object), missing, col)


def frame_from_lists(rows, columns):
    """A frame rebuilt from JSON lists, one per column (None where missing)."""
    return pd.DataFrame({col["name"]: column_from_list(rows[col["name"]], col) for col in columns})


def encode_for_trees(frame, columns):
    """Columns as floats a decision tree can split on: label codes, datetimes as ints, NaN if missing."""
    out = np.full((len(frame), len(columns)), np.nan)
    for j, col in enumerate(columns):
        s = frame[col["name"]]
        if col["kind"] in ("categorical", "boolean"):
            codes = pd.Categorical(s, categories=col["labels"]).codes
            out[:, j] = np.where(codes >= 0, codes, np.nan)
        elif col["kind"] == "datetime":
            ints = pd.DatetimeIndex(s).asi8.astype(float)
            out[:, j] = np.where(s.isna().to_numpy(), np.nan, ints)
        else:
            out[:, j] = s.to_numpy(dtype="float64", na_value=np.nan)
    return out


def leaf_members(real_leaves, synthetic_leaves, rng):
    """For each synthetic row, a random real row from the same leaf (synthpop's CART draw)."""
    order = np.argsort(real_leaves, kind="stable")
    leaves = real_leaves[order]
    start = np.searchsorted(leaves, synthetic_leaves, side="left")
    count = np.searchsorted(leaves, synthetic_leaves, side="right") - start
    pick = start + (rng.random(len(synthetic_leaves)) * count).astype(np.int64)
    return order[pick]


def cart_sample(data, columns, n, seed, min_samples_leaf, max_depth, random_state, given=None):
    """Sequential CART synthesis: each column drawn from a tree fitted on the ones before it.

    The first column is a bootstrap of its real values. Each later column gets a
    decision tree fitted on the real data with the earlier columns as predictors; a
    synthetic row falls into a leaf and takes the value of a random real row of that
    leaf. Columns in ``given`` are kept as they are and act as predictors first.
    """
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    rng = np.random.default_rng(seed)
    names = [col["name"] for col in columns]
    kept = [] if given is None else [j for j, name in enumerate(names) if name in given.columns]
    order = kept + [j for j in range(len(names)) if j not in kept]
    # Each column scaled by a power of two (exact, and splits do not change) into [-1, 1],
    # so float32, in which the trees split, holds every value.
    codes = encode_for_trees(data, columns)
    exponents = np.frexp(np.nanmax(np.abs(codes), axis=0))[1]
    real = np.ldexp(codes, -exponents)
    synthetic = np.full((n, len(columns)), np.nan)
    if kept:
        given_codes = encode_for_trees(given.reset_index(drop=True), [columns[j] for j in kept])
        synthetic[:, kept] = np.ldexp(given_codes, -exponents[kept])
    rows = {}
    for step, j in enumerate(order):
        if j in kept:
            continue
        before = order[:step]
        if not before:
            rows[j] = rng.integers(0, len(data), size=n)
        elif n == 0:
            rows[j] = np.zeros(0, dtype=np.int64)
        else:
            y = real[:, j]
            if columns[j]["kind"] in ("categorical", "boolean"):
                y = codes[:, j]
                tree = DecisionTreeClassifier(
                    min_samples_leaf=min_samples_leaf, max_depth=max_depth, random_state=random_state
                )
                y = np.where(np.isnan(y), -1, y).astype(np.int64)
            else:
                tree = DecisionTreeRegressor(
                    min_samples_leaf=min_samples_leaf, max_depth=max_depth, random_state=random_state
                )
                # Missing targets form their own value, one unit plus the range below the
                # lowest real one, so a leaf can hold them (in the column's scale).
                low, high = np.nanmin(y), np.nanmax(y)
                y = np.where(np.isnan(y), low - np.ldexp(1.0, -exponents[j]) - (high - low), y)
            tree.fit(real[:, before], y)
            rows[j] = leaf_members(tree.apply(real[:, before]), tree.apply(synthetic[:, before]), rng)
        synthetic[:, j] = real[rows[j], j]
    out = {}
    for j, name in enumerate(names):
        if j in kept:
            out[name] = given[name].reset_index(drop=True)
        else:
            column = data[name].iloc[rows[j]].reset_index(drop=True)
            # One missing marker in object columns (None and NaN both mean missing).
            out[name] = column.where(column.notna()) if column.dtype == object else column
    return pd.DataFrame(out)
