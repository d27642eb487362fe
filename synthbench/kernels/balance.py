"""Kernels of the balancing family: a DataFrame to imbalanced-learn's matrix and back.

``Balance`` and ``Imbalance`` compile to a few calls of these functions; ``sample``
runs them on the fitted frame and ``to_code`` writes them into the cell, run on the
variable that holds the user's frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def class_codes(data, target):
    """The target column as integer codes 0, 1, ... in the order of its sorted labels."""
    codes, _ = pd.factorize(data[target], sort=True)
    return np.asarray(codes, dtype=np.int64)


def encode_features(data, target, clock, categorical):
    """The feature columns as one float64 matrix for imbalanced-learn.

    Ints and booleans are numbers already; datetimes and timedeltas (``clock``) become
    int64 counts of their unit; ``categorical`` columns become integer codes.
    """
    X = data.drop(columns=target)
    for col in clock:
        X[col] = X[col].astype("int64")
    for col in categorical:
        X[col] = pd.factorize(X[col])[0]
    return X.to_numpy(dtype="float64")


def make_sampler(name, params, seed):
    """imbalanced-learn's sampler ``name`` with ``params`` and ``random_state=seed``.

    A ``"smote"`` entry of ``params`` holds the arguments of the SMOTE step of SMOTETomek
    and SMOTEENN, seeded the same way.
    """
    from imblearn import combine, over_sampling, under_sampling

    params = dict(params)
    if "smote" in params:
        params["smote"] = over_sampling.SMOTE(**params["smote"], random_state=seed)
    for module in (over_sampling, under_sampling, combine):
        if name in module.__all__:
            return getattr(module, name)(**params, random_state=seed)
    raise ValueError(f"imbalanced-learn has no sampler {name!r}")


def resample(X, y, sampler, params, seed):
    """Run an interpolating sampler; returns the real rows kept and the new rows.

    The result is ``(kept, X_new, y_new)``: ``kept`` are row numbers of X that stay, in
    their order, and ``X_new``, ``y_new`` the rows the sampler made.
    """
    s = make_sampler(sampler, params, seed)
    X_res, y_res = s.fit_resample(X, y)
    cleaner = getattr(s, "tomek_", getattr(s, "enn_", None))
    if cleaner is None:
        return np.arange(len(X)), X_res[len(X) :], y_res[len(X) :]
    # The cleaning step drops rows of SMOTE's output, and sample_indices_ says which it
    # kept: below len(X) a real row, from len(X) on a new one. Real rows go first, in order.
    order = np.argsort(cleaner.sample_indices_, kind="stable")
    source = cleaner.sample_indices_[order]
    kept = source[source < len(X)]
    return kept, X_res[order][len(kept) :], y_res[order][len(kept) :]


def rebuild(data, resampled, target, whole, clock, categorical, mark=None):
    """The balanced frame: the kept real rows as they are, then the new rows.

    New rows get the real columns' dtypes: interpolated ints, booleans, datetimes and
    timedeltas (``whole``) are rounded and kept within the column's range first (a
    sampler that extrapolates cannot make a boolean -1), ``clock`` columns go back from
    int64 counts, codes become categories again. ``mark`` names a bool column that is
    True on the new rows.
    """
    kept, X_new, y_new = resampled
    real = data.iloc[kept]
    new = pd.DataFrame(X_new, columns=data.columns.drop(target), copy=False)
    for col in whole:
        numbers = data[col].astype("int64") if col in clock else data[col]
        new[col] = new[col].round().clip(float(numbers.min()), float(numbers.max()))
    for col in clock:
        new[col] = new[col].astype("int64")
    for col in categorical:
        new[col] = pd.factorize(data[col])[1].take(new[col].astype("int64"))
    new[target] = pd.factorize(data[target], sort=True)[1].take(y_new)
    new = new[data.columns].astype(data.dtypes)
    out = pd.concat([real, new], ignore_index=True)
    if mark is not None:
        out[mark] = np.arange(len(out)) >= len(real)
    return out


def pick_rows(y, sampler, params, seed, sort):
    """Row numbers a random sampler picks (it only picks rows, so it gets row numbers)."""
    s = make_sampler(sampler, params, seed)
    s.fit_resample(np.arange(len(y)).reshape(-1, 1), y)
    return np.sort(s.sample_indices_) if sort else s.sample_indices_


def imbalance_rows(y, keep, seed):
    """Row numbers ``make_imbalance`` keeps (``keep``: class code -> rows), in their order."""
    from imblearn.datasets import make_imbalance

    rows, _ = make_imbalance(np.arange(len(y)).reshape(-1, 1), y, sampling_strategy=keep, random_state=seed)
    return np.sort(rows[:, 0])


def take_rows(data, rows, mark=None):
    """The rows of ``data`` at ``rows``, as they are, with a fresh index.

    ``mark`` names a bool column that is True on repeated rows beyond the frame's length.
    """
    out = data.iloc[rows].reset_index(drop=True)
    if mark is not None:
        out[mark] = np.arange(len(out)) >= len(data)
    return out
