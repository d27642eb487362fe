"""What differential privacy costs: quality and train-synthetic-test-real accuracy against epsilon.

:func:`epsilon_tradeoff` splits the real rows into a training half and a holdout half,
fits a differentially private generator at each epsilon (and, as the "no DP" reference,
a Gaussian copula, which has no privacy guarantee), samples as many rows as the training
half, and scores each synthetic frame against the training rows (the quality score of
:func:`~synthbench.evaluate.quality_report`) and on the holdout (a classifier trained on
synthetic rows and tested on the real holdout, :func:`~synthbench.evaluate.utility`).
The DP panel's chart and ``benchmarks/bench_privacy.py`` draw from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..base import check_seed
from ..exceptions import DataError, InvalidParameterError
from ..params import short_repr
from ..table import check_frame

__all__ = ["DEFAULT_EPSILONS", "default_target", "epsilon_tradeoff", "holdout_split"]

#: The epsilons of the DP panel's chart: strong (0.1) to weak (10) privacy.
DEFAULT_EPSILONS = (0.1, 0.3, 1.0, 3.0, 10.0)


def holdout_split(data: pd.DataFrame, *, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows shuffled (seeded) and cut in two halves: (training, holdout), fresh indexes.

    >>> import pandas as pd
    >>> train, holdout = holdout_split(pd.DataFrame({"x": range(10)}), seed=0)
    >>> len(train), len(holdout), sorted(train["x"].tolist() + holdout["x"].tolist()) == list(range(10))
    (5, 5, True)
    """
    check_frame(data, "The data of holdout_split", min_rows=4)
    seed = check_seed(seed, owner="holdout_split", allow_none=False)
    order = np.random.default_rng(seed).permutation(len(data))
    half = len(data) // 2
    return (
        data.iloc[order[:half]].reset_index(drop=True),
        data.iloc[order[half:]].reset_index(drop=True),
    )


def default_target(data: pd.DataFrame) -> Any:
    """The column a TSTR classifier predicts by default: the last label column with 2 to 20
    values (None if there is none).

    >>> from synthbench.data import load_penguins
    >>> default_target(load_penguins())
    'sex'
    """
    for name in reversed(list(data.columns)):
        series = data[name]
        labels = (
            isinstance(series.dtype, pd.CategoricalDtype)
            or series.dtype == bool
            or (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype))
        )
        if labels and 2 <= series.nunique() <= 20:
            return name
    return None


def epsilon_tradeoff(
    data: pd.DataFrame,
    generator: Any = None,
    *,
    epsilons: Sequence[float] = DEFAULT_EPSILONS,
    target: Any = "auto",
    reference: bool = True,
    seed: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
) -> pd.DataFrame:
    """Fit the DP generator at each epsilon on half the rows and score it against the other half.

    Parameters
    ----------
    data : DataFrame
        The real rows (split in halves with :func:`holdout_split`, seeded).
    generator : PrivateMST or PrivateAIM, optional
        The unfitted generator whose epsilon varies (its other parameters are kept);
        default ``PrivateMST(bounds_from_data=True)``.
    epsilons : list of float
        The budgets to try.
    target : column name, "auto" or None
        The column a classifier predicts for TSTR ("auto": :func:`default_target`;
        None: no TSTR, the accuracy columns are NaN).
    reference : bool
        Add a "no DP" row: a Gaussian copula (no privacy guarantee) on the same halves.
    seed : int
        Seeds the split, the fits (``random_state``) and the samples.
    progress : callable, optional
        Called as ``progress(done, total, label)`` before each fit.

    Returns
    -------
    DataFrame
        One row per fit: ``label`` ("epsilon 0.1", ..., "no DP"), ``epsilon`` (NaN for
        no DP), ``quality`` (quality score against the training half), ``tstr_accuracy``
        (trained on synthetic rows, tested on the holdout), ``trtr_accuracy`` (trained on
        the training half, the ceiling), ``fit_seconds`` and ``fit_cpu_seconds``
        (this process's CPU time), and ``error``: why a fit
        failed (scores NaN), e.g. too few rows to find bounds privately at a small
        epsilon; empty when it worked.
    """
    from ..generators import GaussianCopula
    from ..generators.private import PrivateGenerator, PrivateMST
    from .report import quality_report
    from .utility import utility

    seed = check_seed(seed, owner="epsilon_tradeoff", allow_none=False)
    if generator is None:
        generator = PrivateMST(bounds_from_data=True)
    if not isinstance(generator, PrivateGenerator):
        raise InvalidParameterError(
            "The 'generator' parameter of epsilon_tradeoff must be a differentially private generator "
            f"(PrivateMST, PrivateAIM). Got {short_repr(generator)} instead."
        )
    if isinstance(epsilons, (str, bytes)) or not isinstance(epsilons, Sequence) or not epsilons:
        raise InvalidParameterError(
            "The 'epsilons' parameter of epsilon_tradeoff must be a non-empty list of floats in (0, 100]. "
            f"Got {short_repr(epsilons)} instead."
        )
    train, holdout = holdout_split(data, seed=seed)
    if target == "auto":
        target = default_target(train)
    elif target is not None and target not in data.columns:
        raise InvalidParameterError(
            f"The 'target' parameter of epsilon_tradeoff must be a column of the data, 'auto' or None. "
            f"Got {short_repr(target)} instead."
        )
    runs: list[tuple[str, float, Any]] = []
    for eps in epsilons:
        gen = type(generator)(**{**generator.get_params(), "epsilon": eps, "random_state": seed})
        runs.append((f"epsilon {eps:g}", float(eps), gen))
    if reference:
        runs.append(("no DP", float("nan"), GaussianCopula(random_state=seed)))
    rows = []
    for i, (label, eps, gen) in enumerate(runs):
        if progress is not None:
            progress(i, len(runs), label)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            gen.fit(train)
        except DataError as exc:  # e.g. too few rows to find bounds privately at this epsilon
            nan = float("nan")
            rows.append([label, eps, nan, nan, nan, time.perf_counter() - start, time.process_time() - cpu, str(exc)])
            continue
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        synthetic = gen.sample(len(train), seed=seed)
        quality = quality_report(train, synthetic).score
        tstr = trtr = float("nan")
        if target is not None:
            scores = utility(train, synthetic, holdout, target=target, seed=seed).set_index("metric")
            tstr, trtr = float(scores.loc["accuracy", "tstr"]), float(scores.loc["accuracy", "trtr"])
        rows.append([label, eps, quality, tstr, trtr, seconds, cpu_seconds, ""])
    if progress is not None:
        progress(len(runs), len(runs), "done")
    columns = [
        "label",
        "epsilon",
        "quality",
        "tstr_accuracy",
        "trtr_accuracy",
        "fit_seconds",
        "fit_cpu_seconds",
        "error",
    ]
    return pd.DataFrame(rows, columns=columns)
