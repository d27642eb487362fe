"""What balancing did: class counts, a classifier's minority recall, and near-copies.

Three small, pure functions over DataFrames, used by the balancing tutorial:

* :func:`class_counts`: rows per class before and after;
* :func:`compare_classifiers`: the same classifier trained on the original and on the
  balanced training data, scored on the same real held-out test set (minority recall
  and F1, macro F1, balanced accuracy);
* :func:`near_copy_share`: the share of synthetic rows that sit almost on top of a real
  row. SMOTE interpolates between real records, so its rows can be close to copies:
  a privacy risk worth showing.

>>> import synthbench as sb
>>> from synthbench.balancing_report import class_counts
>>> gen = sb.Balance.example()
>>> class_counts(gen.data_, gen.sample(seed=0), "cultivar")
     class  before  after  added
0  class_0      59     71     12
1  class_1      71     71      0
2  class_2      12     71     59
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError, InvalidParameterError
from .params import short_repr
from .table import check_frame, column_kind, column_kinds, gower_embedding, nearest, refuse_infinite

__all__ = ["class_counts", "compare_classifiers", "near_copy_share"]


def _check(frame: Any, name: str, target: Any = None, *, min_rows: int = 1) -> pd.DataFrame:
    check_frame(frame, f"The {name!r} argument", min_rows=min_rows)
    if target is not None and target not in frame.columns:
        raise DataError(f"The {name!r} frame has no target column {target!r}. Its columns are {list(frame.columns)}.")
    if target is not None:
        column_kind(frame[target], f"The {name!r} argument")
    return frame


def class_counts(before: pd.DataFrame, after: pd.DataFrame, target: str) -> pd.DataFrame:
    """Rows per class before and after resampling, one row per class.

    Returns a DataFrame with columns ``class``, ``before``, ``after`` and ``added``
    (negative when rows were removed), classes sorted.
    """
    _check(before, "before", target)
    _check(after, "after", target)
    counts = pd.concat(
        [before[target].value_counts(), after[target].value_counts()], axis=1, keys=["before", "after"]
    ).fillna(0)
    counts = counts.astype("int64")
    with contextlib.suppress(TypeError):  # labels of mixed types keep their order of appearance
        counts = counts.sort_index()
    counts["added"] = counts["after"] - counts["before"]
    return counts.rename_axis("class").reset_index()


def _as_numbers(frame: pd.DataFrame, numeric: list) -> pd.DataFrame:
    """Numeric feature columns as float64 (datetimes as int64 counts of their unit)."""
    out = frame[numeric].copy()
    for c in numeric:
        if pd.api.types.is_datetime64_any_dtype(out[c]) or pd.api.types.is_timedelta64_dtype(out[c]):
            out[c] = out[c].astype("int64")
    return out.astype("float64")


def compare_classifiers(
    train: pd.DataFrame,
    balanced: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    model: Any = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Train one classifier on ``train`` and on ``balanced``; score both on ``test``.

    Parameters
    ----------
    train : DataFrame
        The original (imbalanced) training data.
    balanced : DataFrame
        ``train`` after balancing. Columns not in ``train`` (such as a
        ``mark_synthetic`` column) are ignored.
    test : DataFrame
        Real rows held out before balancing; never resampled.
    target : str
        The class label column.
    model : scikit-learn classifier, optional
        Cloned for each training set. Default: ``LogisticRegression(max_iter=2000)``.
        Features are standardised (numbers, booleans, datetimes) or one-hot encoded
        (categories) first.
    seed : int
        ``random_state`` of the model, when it has one.

    Returns
    -------
    DataFrame
        One row per training set (``original``, ``balanced``) with ``minority_recall``
        and ``minority_f1`` (the class with fewest rows in ``train``), ``macro_f1`` and
        ``balanced_accuracy``.

    Examples
    --------
    >>> import synthbench as sb
    >>> from sklearn.datasets import load_breast_cancer
    >>> from synthbench.balancing_report import compare_classifiers
    >>> df = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 4, -1]]
    >>> test = df.iloc[::3]
    >>> train = df.drop(test.index)
    >>> train = train[(train["target"] == 1) | (train.index % 12 == 1)]  # few malignant rows
    >>> balanced = sb.Balance().fit(train).sample(seed=0)
    >>> scores = compare_classifiers(train, balanced, test, "target")
    >>> scores["training"].tolist()
    ['original', 'balanced']
    >>> bool(scores.loc[1, "minority_recall"] > scores.loc[0, "minority_recall"])
    True
    """
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    for frame, name in ((train, "train"), (balanced, "balanced"), (test, "test")):
        _check(frame, name, target)
    features = [c for c in train.columns if c != target]
    absent = [c for c in features if c not in balanced.columns or c not in test.columns]
    if absent:
        raise DataError(f"Columns {absent} of 'train' are missing from 'balanced' or 'test'.")
    for frame, name in ((test, "test"), (balanced, "balanced"), (train, "train")):
        kinds = column_kinds(frame, f"The {name!r} argument", columns=features)
        refuse_infinite(frame, kinds, f"The {name!r} argument")
    # Numbers, booleans and datetimes are standardised; categories one-hot encoded.
    numeric = [c for c in features if kinds[c] != "categorical"]
    categorical = [c for c in features if kinds[c] == "categorical"]
    prep = ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(FunctionTransformer(_as_numbers, kw_args={"numeric": numeric}), StandardScaler()),
                numeric,
            ),
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    if model is None:
        model = LogisticRegression(max_iter=2000)
    if not hasattr(model, "fit") or not hasattr(model, "predict"):
        raise InvalidParameterError(
            "The 'model' parameter of compare_classifiers must be a scikit-learn classifier. "
            f"Got {short_repr(model)} instead."
        )
    if "random_state" in model.get_params():
        model = clone(model).set_params(random_state=seed)
    minority = train[target].value_counts().idxmin()
    rows = []
    for name, frame in (("original", train), ("balanced", balanced)):
        pipe = make_pipeline(clone(prep), clone(model))
        try:
            pipe.fit(frame[features], frame[target])
            truth, pred = test[target], pipe.predict(test[features])
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"compare_classifiers could not train or score the model on the {name} rows: {exc}"
            ) from None
        rows.append(
            {
                "training": name,
                "rows": len(frame),
                "minority_recall": recall_score(truth, pred, labels=[minority], average="macro", zero_division=0),
                "minority_f1": f1_score(truth, pred, labels=[minority], average="macro", zero_division=0),
                "macro_f1": f1_score(truth, pred, average="macro", zero_division=0),
                "balanced_accuracy": balanced_accuracy_score(truth, pred),
            }
        )
    return pd.DataFrame(rows)


def near_copy_share(
    real: pd.DataFrame, synthetic: pd.DataFrame, *, target: str | None = None, threshold: float = 0.1
) -> float:
    """Share of ``synthetic`` rows that are near-copies of a row of ``real``.

    Columns shared by both frames (without ``target``) are compared with synthbench's
    one distance between records, the Gower distance of :mod:`synthbench.table`
    (numbers, booleans' and datetimes' differences scaled by ``real``'s range, a
    different category counting 1, averaged over the columns; missing values allowed).
    A synthetic row is a near-copy when its distance to the closest real row is at
    most ``threshold`` times the median distance between a real row and its closest
    *other* real row: it sits far closer to a real record than real records sit to
    each other. ``threshold=0`` counts exact copies only.

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.balancing_report import near_copy_share
    >>> gen = sb.Balance.example()
    >>> out = gen.sample(seed=0)
    >>> share = near_copy_share(gen.data_, out[out["synthetic"]], target="cultivar")
    >>> 0 <= share <= 1
    True
    >>> near_copy_share(gen.data_, gen.data_.head(10), target="cultivar")  # real rows copy themselves
    1.0
    """
    _check(real, "real", min_rows=2)
    _check(synthetic, "synthetic")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold < np.inf:
        raise InvalidParameterError(
            "The 'threshold' parameter of near_copy_share must be a finite float >= 0. "
            f"Got {short_repr(threshold)} instead."
        )
    columns = [c for c in real.columns if c in synthetic.columns and c != target]
    if not columns:
        raise DataError("'real' and 'synthetic' share no columns to compare (besides the target).")
    kinds = column_kinds(real, "The 'real' argument", columns=columns)
    column_kinds(synthetic, "The 'synthetic' argument", columns=columns)
    R, S = gower_embedding([real, synthetic], kinds, columns)
    real_gap = float(np.median(nearest(R, R, 2)[0][:, 1]))
    closest = nearest(R, S, 1)[0][:, 0]
    return float(np.mean(closest <= threshold * real_gap + 1e-12))
