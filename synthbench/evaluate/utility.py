"""Utility: is a model trained on synthetic data as good as one trained on real data?

Train-on-synthetic-test-on-real (TSTR) against train-on-real-test-on-real (TRTR): the same
scikit-learn model is fitted once on the real training rows and once on the synthetic
rows, and both are scored on the same real test rows. A ratio TSTR / TRTR near 1 means
the synthetic data is as useful for that task as the real data.

Features are prepared the same way for both: numbers (datetimes as timestamps,
booleans as 0/1) with missing values replaced by the real median, categories one-hot
encoded (missing is a category, categories unseen in training are ignored).

>>> from sklearn.datasets import load_iris
>>> df = load_iris(as_frame=True).frame.sample(frac=1.0, random_state=0)
>>> out = utility(df.iloc[:100], df.iloc[:100], df.iloc[100:], target="target", task="classification", model="linear")
>>> float(out.set_index("metric").loc["accuracy", "ratio"])
1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..base import check_seed
from ..exceptions import DataError, InvalidParameterError
from ..params import short_repr
from ..table import as_float, common_datetime_unit
from ._types import CONTINUOUS, check_frames
from ._types import column_types as _infer_types

__all__ = ["utility"]

_TASKS = ("auto", "classification", "regression")
_MODELS = ("boosting", "forest", "linear")


def _features(
    frames: list[pd.DataFrame], types: Mapping[str, str], columns: list[Any]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Numeric matrices and category matrices (object) for each frame; frames[0] sets the medians."""
    numeric: list[list[np.ndarray]] = [[] for _ in frames]
    categories: list[list[np.ndarray]] = [[] for _ in frames]
    for col in columns:
        sdtype = types[col]
        if sdtype in CONTINUOUS or sdtype == "boolean":
            if sdtype == "boolean":
                values = [
                    pd.to_numeric(f[col].astype(object), errors="coerce").to_numpy(dtype="float64") for f in frames
                ]
            else:
                unit = common_datetime_unit(*(f[col] for f in frames)) if sdtype == "datetime" else None
                values = [as_float(f[col], sdtype, unit=unit) for f in frames]
            fill = np.nanmedian(values[0]) if (~np.isnan(values[0])).any() else 0.0
            for i, v in enumerate(values):
                numeric[i].append(np.where(np.isnan(v), fill, v))
        else:
            for i, f in enumerate(frames):
                categories[i].append(f[col].astype(object).where(f[col].notna(), "(missing)").astype(str).to_numpy())
    num = [np.column_stack(n) if n else np.empty((len(f), 0)) for n, f in zip(numeric, frames)]
    cat = [np.column_stack(c) if c else np.empty((len(f), 0), dtype=object) for c, f in zip(categories, frames)]
    return num, cat


def _model(task: str, model: str, seed: int, n_num: int, n_cat: int) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    classify = task == "classification"
    if model == "linear":
        estimator = LogisticRegression(max_iter=2000) if classify else Ridge()
    elif model == "forest":
        cls = RandomForestClassifier if classify else RandomForestRegressor
        estimator = cls(n_estimators=100, random_state=seed, n_jobs=1)
    else:
        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        estimator = cls(random_state=seed)
    transformers = []
    if n_num:
        transformers.append(("numbers", StandardScaler(), list(range(n_num))))
    if n_cat:
        onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        transformers.append(("categories", onehot, list(range(n_num, n_num + n_cat))))
    return make_pipeline(ColumnTransformer(transformers), estimator)


def _scores(task: str, fitted: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    pred = fitted.predict(x)
    if task == "regression":
        return {
            "r2": float(metrics.r2_score(y, pred)),
            "mae": float(metrics.mean_absolute_error(y, pred)),
            "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))),
        }
    out = {
        "accuracy": float(metrics.accuracy_score(y, pred)),
        "balanced_accuracy": float(metrics.balanced_accuracy_score(y, pred)),
        "f1_macro": float(metrics.f1_score(y, pred, average="macro", zero_division=0)),
    }
    classes = list(fitted.classes_)
    if len(np.unique(y)) == 2 and len(classes) == 2:
        proba = fitted.predict_proba(x)[:, 1]
        out["roc_auc"] = float(metrics.roc_auc_score(y == classes[1], proba))
    return out


def utility(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    *,
    target: Any,
    task: str = "auto",
    model: str = "boosting",
    test_size: float = 0.3,
    column_types: Mapping[str, str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """TSTR against TRTR for one target column.

    Parameters
    ----------
    real : DataFrame
        Real training data (what the generator was fitted on).
    synthetic : DataFrame
        Synthetic data with the same columns.
    holdout : DataFrame, optional
        Real test rows the generator never saw. Without it, ``test_size`` of ``real``
        is split off as the test set (seeded); if the generator saw those rows, TSTR
        is flattered, so pass a holdout when you have one.
    target : column name
        The column to predict.
    task : {"auto", "classification", "regression"}
        ``"auto"``: regression for a numerical target, classification otherwise.
    model : {"boosting", "forest", "linear"}
        HistGradientBoosting, RandomForest (100 trees) or Logistic/Ridge regression.
    test_size : float in (0, 1)
        Share of ``real`` held out when no ``holdout`` is given.
    column_types : dict, optional
        sdtype overrides.
    seed : int
        ``random_state`` of the split and the models.

    Returns
    -------
    DataFrame
        One row per metric (classification: accuracy, balanced_accuracy, f1_macro,
        roc_auc for binary targets; regression: r2, mae, rmse) with columns
        ``metric, trtr, tstr, ratio`` (tstr / trtr) and ``difference`` (tstr - trtr).
    """
    from sklearn.model_selection import train_test_split

    seed = check_seed(seed, owner="utility", allow_none=False)
    if task not in _TASKS:
        raise InvalidParameterError(
            f"The 'task' parameter of utility must be one of {list(_TASKS)}. Got {short_repr(task)} instead."
        )
    if model not in _MODELS:
        raise InvalidParameterError(
            f"The 'model' parameter of utility must be one of {list(_MODELS)}. Got {short_repr(model)} instead."
        )
    if isinstance(test_size, bool) or not isinstance(test_size, int | float) or not 0 < test_size < 1:
        raise InvalidParameterError(
            "The 'test_size' parameter of utility must be a float in the range (0, 1). "
            f"Got {short_repr(test_size)} instead."
        )
    check_frames(real, synthetic)
    if holdout is not None:
        check_frames(real, holdout, names=("real", "holdout"))
    if target not in real.columns:
        raise InvalidParameterError(
            f"The 'target' parameter of utility must be a column of the data. Got {short_repr(target)}; "
            f"columns: {list(real.columns)}."
        )
    types = _infer_types(real, synthetic, column_types)
    if task == "auto":
        task = "regression" if types[target] in CONTINUOUS else "classification"

    if holdout is None:
        train, test = train_test_split(real, test_size=test_size, random_state=seed)
    else:
        train, test = real, holdout
    frames = [f[f[target].notna()] for f in (train, synthetic, test)]
    for name, f in zip(("real training", "synthetic", "test"), frames):
        if len(f) < 2:
            raise DataError(f"The {name} data has fewer than 2 rows with a '{target}' value.")
    features = [c for c, t in types.items() if c != target and t != "id"]
    if not features:
        raise DataError(f"No feature columns are left to predict '{target}' from.")
    num, cat = _features(frames, types, features)
    x = [np.hstack([n.astype(object), c]) if c.shape[1] else n for n, c in zip(num, cat)]
    if task == "regression":
        unit = common_datetime_unit(*(f[target] for f in frames)) if types[target] == "datetime" else None
        y = [as_float(f[target], types[target], unit=unit) for f in frames]
    else:
        y = [f[target].astype(object).astype(str).to_numpy() for f in frames]
    results = {}
    for label, xi, yi in (("trtr", x[0], y[0]), ("tstr", x[1], y[1])):
        estimator = _model(task, model, seed, num[0].shape[1], cat[0].shape[1])
        try:
            fitted = estimator.fit(xi, yi)
        except ValueError as exc:
            source = "real training" if label == "trtr" else "synthetic"
            raise DataError(f"Could not fit a {task} model on the {source} data for target '{target}': {exc}") from None
        results[label] = _scores(task, fitted, x[2], y[2])
    rows = []
    for metric in results["trtr"]:
        trtr, tstr = results["trtr"][metric], results["tstr"].get(metric, np.nan)
        ratio = tstr / trtr if trtr != 0 else np.nan
        rows.append({"metric": metric, "trtr": trtr, "tstr": tstr, "ratio": ratio, "difference": tstr - trtr})
    return pd.DataFrame(rows, columns=["metric", "trtr", "tstr", "ratio", "difference"])
