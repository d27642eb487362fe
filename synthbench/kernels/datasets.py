"""Kernels of the scikit-learn dataset family (Classification, Regression, Blobs, Moons, Circles)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["dataset_frame"]


def dataset_frame(maker, features, targets, **params):
    """``sklearn.datasets.<maker>(**params)`` as a DataFrame: the named features, then the targets."""
    from sklearn import datasets

    X, y = getattr(datasets, maker)(**params)[:2]
    df = pd.DataFrame(X, columns=features)
    y = np.asarray(y).reshape(len(X), -1)
    for j, name in enumerate(targets):
        df[name] = y[:, j]
    return df
