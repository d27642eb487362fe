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

__all__ = [
    "DEFAULT_EPSILONS",
    "default_target",
    "epsilon_tradeoff",
    "holdout_split",
    "privacy_knob",
    "privacy_tradeoff",
    "sweep",
]

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
    runs: list[tuple[str, Any, Any]] = []
    for eps in epsilons:
        gen = type(generator)(**{**generator.get_params(), "epsilon": eps, "random_state": seed})
        runs.append((f"epsilon {eps:g}", float(eps), gen))
    if reference:
        runs.append(("no DP", float("nan"), GaussianCopula(random_state=seed)))

    def score(synthetic: pd.DataFrame) -> dict[str, float]:
        out = {"quality": quality_report(train, synthetic).score, "tstr_accuracy": nan, "trtr_accuracy": nan}
        if target is not None:
            scores = utility(train, synthetic, holdout, target=target, seed=seed).set_index("metric")
            out["tstr_accuracy"] = float(scores.loc["accuracy", "tstr"])
            out["trtr_accuracy"] = float(scores.loc["accuracy", "trtr"])
        return out

    nan = float("nan")
    table = sweep(runs, train, score, ("quality", "tstr_accuracy", "trtr_accuracy"), seed=seed, progress=progress)
    return table.rename(columns={"value": "epsilon"})


def sweep(
    runs: Sequence[tuple[str, Any, Any]],
    train: pd.DataFrame,
    score: Callable[[pd.DataFrame], dict[str, float]],
    scores: Sequence[str],
    *,
    seed: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> pd.DataFrame:
    """Fit each generator of ``runs`` on ``train``, sample as many rows and score them.

    The one loop behind :func:`epsilon_tradeoff` and :func:`privacy_tradeoff`. ``runs`` are
    ``(label, value, unfitted generator)``; ``score(synthetic)`` returns the ``scores``
    columns. A fit that raises :class:`~synthbench.exceptions.DataError` (e.g. too few rows
    at a small epsilon) gives NaN scores and its message in ``error``.

    Returns one row per run: ``label``, ``value``, the ``scores``, ``fit_seconds``,
    ``fit_cpu_seconds`` (this process's CPU time) and ``error`` ("" when it worked).
    """
    rows = []
    for i, (label, value, gen) in enumerate(runs):
        if progress is not None:
            progress(i, len(runs), label)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            gen.fit(train)
        except DataError as exc:
            nan = float("nan")
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
            rows.append([label, value, *([nan] * len(scores)), seconds, cpu_seconds, str(exc)])
            continue
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        out = score(gen.sample(len(train), seed=seed))
        rows.append([label, value, *(out[name] for name in scores), seconds, cpu_seconds, ""])
    if progress is not None:
        progress(len(runs), len(runs), "done")
    return pd.DataFrame(rows, columns=["label", "value", *scores, "fit_seconds", "fit_cpu_seconds", "error"])


#: The columns of :func:`privacy_tradeoff`'s scores.
TRADEOFF_SCORES = (
    "quality",
    "ceiling",
    "dcr_share",
    "dcr_low",
    "dcr_high",
    "identical_share",
    "membership_risk",
    "attribute_risk",
)


def privacy_knob(generator: Any) -> tuple[str, tuple[Any, ...]] | None:
    """The parameter that trades quality for privacy in ``generator`` (a class or an
    instance), and the values worth trying: its class attribute ``privacy_knob``, or None.

    >>> import synthbench as sb
    >>> privacy_knob(sb.CART)
    ('min_samples_leaf', (1, 5, 20, 50, 100))
    """
    knob = getattr(generator, "privacy_knob", None)
    return None if knob is None else (knob[0], tuple(knob[1]))


def privacy_tradeoff(
    data: pd.DataFrame,
    generator: Any,
    param: str | None = None,
    values: Sequence[Any] | None = None,
    *,
    n_attacks: int = 500,
    seed: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
) -> pd.DataFrame:
    """What a generator's privacy knob trades: quality against copying, one fit per value.

    The rows are split in halves (:func:`holdout_split`, seeded); for each value of
    ``param`` a copy of ``generator`` (its other parameters kept, ``random_state=seed``
    where it has one) is fitted on the training half and samples as many rows, which are
    scored against both halves: the quality score against the training rows beside the
    holdout's own score (the ceiling: what unseen real rows score), and the key figures of
    :func:`~synthbench.evaluate.privacy_report` with the holdout as the control.

    Parameters
    ----------
    data : DataFrame
        The real rows (at least 20).
    generator : fitted generator
        An instance (fitted or not) of a generator that learns from data, e.g.
        ``sb.CART()``; only its parameters are used.
    param : str, optional
        The parameter to vary; default the generator's declared knob
        (:func:`privacy_knob`: ``min_samples_leaf`` for CART, ``n_components`` for the
        mixture, ``identifiers`` for the copula).
    values : list, optional
        The values to try, in the order drawn; default the knob's declared values.
    n_attacks : int
        At most this many synthetic rows and targets per attack (bounds time).
    seed : int
        Seeds the split, the fits, the samples and the attacks.
    progress : callable, optional
        Called as ``progress(done, total, label)`` before each fit.

    Returns
    -------
    DataFrame
        One row per value: ``label`` ("min_samples_leaf=20"), ``param``, ``value``,
        ``quality`` (synthetic against the training half) and ``ceiling`` (the holdout
        against the training half), ``dcr_share`` with its 95% interval ``dcr_low`` and
        ``dcr_high`` (share of synthetic rows closer to a training row than to a holdout
        row; 0.5 means no memorisation), ``identical_share`` (synthetic rows equal to a
        training row), ``membership_risk`` and ``attribute_risk`` (excess success over the
        control, :func:`~synthbench.evaluate.privacy_report`; attribute risk is NaN without
        a label column to attack), ``fit_seconds``, ``fit_cpu_seconds`` and ``error``
        (why a fit failed; "" when it worked).

    Raises
    ------
    InvalidParameterError
        A generator that does not learn from data, an unknown ``param``, or a value the
        generator refuses (before anything is fitted).
    DataError
        Fewer than 20 rows, or data the generator cannot read.

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.data import load_penguins
    >>> out = privacy_tradeoff(load_penguins(), sb.CART(), values=[1, 100], n_attacks=100)
    >>> out[["label", "value"]].to_dict("list")
    {'label': ['min_samples_leaf=1', 'min_samples_leaf=100'], 'value': [1, 100]}
    >>> bool(out["dcr_share"].iloc[0] > out["dcr_share"].iloc[1])
    True
    """
    from ..base import Generator
    from .privacy import privacy_report
    from .report import quality_report

    owner = "privacy_tradeoff"
    seed = check_seed(seed, owner=owner, allow_none=False)
    if isinstance(generator, type) and issubclass(generator, Generator):
        generator = generator()
    if not isinstance(generator, Generator) or not generator.learns:
        raise InvalidParameterError(
            f"The 'generator' parameter of {owner} must be a generator that learns from data "
            f"(e.g. sb.CART(), sb.GaussianCopula()). Got {short_repr(generator)} instead."
        )
    name = type(generator).__name__
    knob = privacy_knob(generator)
    params = generator.get_params()
    if param is None:
        if knob is None:
            raise InvalidParameterError(
                f"{name} declares no privacy knob: pass 'param' (one of {sorted(params)}) and 'values'."
            )
        param = knob[0]
    if not isinstance(param, str) or param not in params:
        raise InvalidParameterError(
            f"The 'param' parameter of {owner} must be a parameter of {name}, one of {sorted(params)}. "
            f"Got {short_repr(param)} instead."
        )
    if values is None:
        if knob is None or knob[0] != param:
            raise InvalidParameterError(f"The 'values' parameter of {owner} is needed to vary {name}'s {param!r}.")
        values = knob[1]
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not 1 <= len(values) <= 50:
        raise InvalidParameterError(
            f"The 'values' parameter of {owner} must be a list of 1 to 50 values of {param!r}. "
            f"Got {short_repr(values)} instead."
        )
    check_frame(data, f"The data of {owner}", min_rows=20)
    runs: list[tuple[str, Any, Any]] = []
    for value in values:
        settings = {**params, param: value}
        if "random_state" in params and param != "random_state":
            settings["random_state"] = seed
        gen = type(generator)(**settings)
        try:
            gen.validate()
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"{owner} cannot try {param}={short_repr(value)}: {exc}") from None
        runs.append((f"{param}={value}", value, gen))
    train, holdout = holdout_split(data, seed=seed)
    secret = default_target(train)

    def score(synthetic: pd.DataFrame) -> dict[str, float]:
        quality = quality_report(train, synthetic, holdout=holdout)
        report = privacy_report(train, synthetic, holdout, secret=secret, n_attacks=n_attacks, seed=seed).set_index(
            "measure"
        )
        dcr = report.loc["dcr_share"]
        nan = float("nan")
        return {
            "quality": float(quality.score),
            "ceiling": float(quality.holdout_score),
            "dcr_share": float(dcr["train"]),
            "dcr_low": float(dcr["ci_low"]),
            "dcr_high": float(dcr["ci_high"]),
            "identical_share": float(report.loc["identical_match", "train"]),
            "membership_risk": float(report.loc["membership", "risk"]),
            "attribute_risk": float(report.loc["attribute_inference", "risk"])
            if "attribute_inference" in report.index
            else nan,
        }

    table = sweep(runs, train, score, TRADEOFF_SCORES, seed=seed, progress=progress)
    table.insert(1, "param", param)
    table["value"] = pd.Series(list(values), dtype=object)
    return table
