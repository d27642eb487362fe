"""The sampling functions that exported code cells contain, word for word.

The fitted generators sample with these functions, and their ``to_code`` copies the
source of the same functions into the cell (``inspect.getsource``), so the library and
the exported code cannot drift apart. They therefore use only numpy, pandas and (inside
the function, where needed) scikit-learn, and nothing from synthbench. Each column is
described by a plain dict (see :mod:`synthbench.generators.fitted._types`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "as_dtype",
    "cart_sample",
    "column_from_list",
    "encode_for_trees",
    "latent_cdf",
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


def make_column(u, missing, col):
    """One column from uniforms u in (0, 1), through its learned marginal, in its dtype."""
    if "knots" in col:
        # Continuous: read the value off the learned quantile function.
        x = np.interp(u, col["probs"], col["knots"])
        if col.get("decimals") is not None:
            x = np.round(x, col["decimals"])
        if col.get("step") is not None:
            x = np.rint(x / col["step"]) * col["step"]
    else:
        # Discrete: the value whose cumulative-frequency interval holds u.
        cum = np.asarray(col["cum"], dtype=float)
        x = np.asarray(col["values"])[np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)]
    return as_dtype(x, missing, col)


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
    return as_dtype(np.array([fill if v is None else v for v in values]), missing, col)


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


def cart_sample(data, columns, n, rng, min_samples_leaf, max_depth, random_state, given=None):
    """Sequential CART synthesis: each column drawn from a tree fitted on the ones before it.

    The first column is a bootstrap of its real values. Each later column gets a
    decision tree fitted on the real data with the earlier columns as predictors; a
    synthetic row falls into a leaf and takes the value of a random real row of that
    leaf. Columns in ``given`` are kept as they are and act as predictors first.
    """
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    names = [col["name"] for col in columns]
    kept = [] if given is None else [j for j, name in enumerate(names) if name in given.columns]
    order = kept + [j for j in range(len(names)) if j not in kept]
    real = encode_for_trees(data, columns)
    synthetic = np.full((n, len(columns)), np.nan)
    if kept:
        synthetic[:, kept] = encode_for_trees(given.reset_index(drop=True), [columns[j] for j in kept])
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
                tree = DecisionTreeClassifier(
                    min_samples_leaf=min_samples_leaf, max_depth=max_depth, random_state=random_state
                )
                y = np.where(np.isnan(y), -1, y).astype(np.int64)
            else:
                tree = DecisionTreeRegressor(
                    min_samples_leaf=min_samples_leaf, max_depth=max_depth, random_state=random_state
                )
                # Missing targets form their own value, below every real one, so a leaf can hold them.
                low, high = np.nanmin(y), np.nanmax(y)
                y = np.where(np.isnan(y), low - 1 - (high - low), y)
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
