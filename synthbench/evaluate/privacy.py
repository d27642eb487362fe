"""Privacy: the three disclosure risks of releasing synthetic data instead of the real data.

``real`` is the data the generator learned from; ``holdout`` is real data from the same
source that the generator never saw. The holdout is the baseline: synthetic data is no
riskier than the holdout if an attacker learns as much from it as from other people's
real records, and it leaks its training rows if it sits closer to them than the holdout
does.

Distance between records (Gower)
--------------------------------
All three risks use synthbench's one distance between records (defined in
:mod:`synthbench.table`, and also behind the balancing report's near copies), the Gower
distance ``d(x, y) = (1/p) * sum_j d_j`` over the p compared columns:

- numerical and datetime columns: ``d_j = |x_j - y_j| / range_j``, where ``range_j`` is
  max - min of the *real* column and values beyond it count as its nearest end, so
  ``d_j`` is at most 1 (for a constant real column: 0 if equal, else 1);
- categorical and boolean columns: ``d_j = 0`` if equal, else 1;
- missing values: missing vs missing is 0; in a categorical column missing is one more
  category; in a numerical column a missing value sits at the middle of the real range
  plus a fixed 0.5, so missing vs present costs ``0.5 + |0.5 - scaled value|``
  (between 0.5 and 1 for values within the real range).

Identifier columns (sdtype ``id``) are left out. The distance is an L1 distance in an
embedding (scaled numbers, one-hot categories weighted 1/2), so scikit-learn's
``NearestNeighbors(metric="manhattan")`` finds nearest records exactly.

Examples
--------
>>> import pandas as pd
>>> real = pd.DataFrame({"age": [20, 40, 60], "city": ["a", "b", "a"]})
>>> gower_distances(real, pd.DataFrame({"age": [40], "city": ["a"]})).round(3).tolist()
[[0.25], [0.5], [0.25]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..base import check_seed
from ..exceptions import DataError, InvalidParameterError
from ..params import Int, check_value, short_repr
from ..table import as_float, common_datetime_unit, gower_embedding, nearest
from ._types import CONTINUOUS, KIND_OF_SDTYPE, check_frames, column_types
from .privacy_attacks import linkability_hits, singling_out_hits

__all__ = [
    "attribute_disclosure",
    "gower_distances",
    "identity_disclosure",
    "membership_disclosure",
    "privacy_report",
]

_COLUMNS = ["measure", "synthetic", "baseline", "description"]


def _embed(frames: Sequence[pd.DataFrame], types: Mapping[str, str], columns: Sequence[Any]) -> list[np.ndarray]:
    """Each frame as a float matrix whose L1 distances are Gower distances (frames[0] is the reference)."""
    return gower_embedding(frames, {c: KIND_OF_SDTYPE[types[c]] for c in columns}, columns)


def _setup(
    real: Any,
    others: Mapping[str, Any],
    columns: Sequence[Any] | None,
    overrides: Mapping[str, str] | None,
) -> tuple[dict[str, str], list[Any]]:
    for name, frame in others.items():
        check_frames(real, frame, names=("real", name))
    types = column_types(real, next(iter(others.values())), overrides)
    for name, frame in list(others.items())[1:]:
        column_types(real, frame, overrides, names=("real", name))
    if columns is None:
        columns = [c for c, t in types.items() if t != "id"]
    else:
        columns = list(columns)
        unknown = [c for c in columns if c not in real.columns]
        if unknown or not columns:
            raise InvalidParameterError(
                f"The 'columns' parameter must be a non-empty list of columns of the data. Got {short_repr(columns)}; "
                f"unknown: {unknown}."
            )
    return types, columns


def gower_distances(
    reference: pd.DataFrame, others: pd.DataFrame, *, column_types: Mapping[str, str] | None = None
) -> np.ndarray:
    """Gower distances between every row of ``reference`` and every row of ``others``.

    Ranges come from ``reference``. Returns an array of shape (len(reference), len(others)).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [0.0, 10.0], "c": ["u", "v"]})
    >>> gower_distances(a, a).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    types, columns = _setup(reference, {"other": others}, None, column_types)
    ref, oth = _embed([reference, others], types, columns)
    return np.abs(ref[:, None, :] - oth[None, :, :]).sum(axis=2)


# -- identity disclosure ----------------------------------------------------------------------
def identity_disclosure(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    *,
    columns: Sequence[Any] | None = None,
    column_types: Mapping[str, str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Does the synthetic data copy, or sit suspiciously close to, real records?

    Parameters
    ----------
    real : DataFrame
        The data the generator was fitted on.
    synthetic : DataFrame
        Its synthetic counterpart.
    holdout : DataFrame, optional
        Real rows the generator never saw: the baseline. Without it, baselines are NaN.
    columns : list, optional
        Columns to compare records on (default: all but identifier columns).
    column_types : dict, optional
        sdtype overrides.
    seed : int
        Seeds the subsample of ``real`` used for ``closer_to_real_share``.

    Returns
    -------
    DataFrame
        One row per measure with its value for the synthetic data and for the holdout
        (the baseline): ``exact_copies`` (share of rows equal to a real row),
        ``dcr_median`` and ``dcr_5th_percentile`` (distance to the closest real
        record), ``nndr_median`` (closest / second-closest real distance; near 0 means
        a row singles out one real record), ``closer_to_real_share`` (share of
        synthetic rows nearer to a real row than to any holdout row, comparing equal
        numbers of each; 0.5 is ideal) and ``dcr_protection``
        (``min(1, 2 * (1 - closer_to_real_share))``: 1 safe, 0 every row hugs the
        training data).

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> df = load_wine(as_frame=True).frame.sample(frac=1.0, random_state=0)
    >>> real, holdout = df.iloc[:89], df.iloc[89:]
    >>> copied = identity_disclosure(real, real, holdout).set_index("measure")
    >>> copied.loc["exact_copies", ["synthetic", "baseline"]].tolist()
    [1.0, 0.0]
    >>> float(copied.loc["dcr_protection", "synthetic"])
    0.0
    """
    seed = check_seed(seed, owner="identity_disclosure", allow_none=False)
    others = {"synthetic": synthetic} if holdout is None else {"synthetic": synthetic, "holdout": holdout}
    types, columns = _setup(real, others, columns, column_types)
    frames = [real, synthetic] + ([] if holdout is None else [holdout])
    emb = _embed(frames, types, columns)
    ref, syn = emb[0], emb[1]

    def measures(queries: np.ndarray) -> dict[str, float]:
        dist, _ = nearest(ref, queries, 2)
        d1 = dist[:, 0]
        d2 = dist[:, 1] if dist.shape[1] > 1 else dist[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            nndr = np.where(d2 > 0, d1 / np.where(d2 > 0, d2, 1.0), 1.0)
        return {
            "exact_copies": float(np.mean(d1 <= 1e-12)),
            "dcr_median": float(np.median(d1)),
            "dcr_5th_percentile": float(np.percentile(d1, 5)),
            "nndr_median": float(np.median(nndr)),
        }

    mine = measures(syn)
    base = measures(emb[2]) if holdout is not None else dict.fromkeys(mine, np.nan)
    closer, protection = np.nan, np.nan
    if holdout is not None:
        hold = emb[2]
        rng = np.random.default_rng(seed)
        n = min(len(ref), len(hold))
        train_part = ref[rng.choice(len(ref), n, replace=False)]
        hold_part = hold[rng.choice(len(hold), n, replace=False)]
        d_train = nearest(train_part, syn, 1)[0][:, 0]
        d_hold = nearest(hold_part, syn, 1)[0][:, 0]
        closer = float(np.mean(d_train < d_hold) + 0.5 * np.mean(d_train == d_hold))
        protection = float(min(1.0, 2.0 * (1.0 - closer)))
    descriptions = {
        "exact_copies": "share of rows identical to a real row",
        "dcr_median": "median Gower distance to the closest real row",
        "dcr_5th_percentile": "5th percentile of the distance to the closest real row",
        "nndr_median": "median ratio of closest to second-closest real distance",
    }
    rows = [[m, mine[m], base[m], descriptions[m]] for m in descriptions]
    rows.append(["closer_to_real_share", closer, 0.5, "share of rows nearer the training rows than the holdout"])
    rows.append(["dcr_protection", protection, 1.0, "min(1, 2 * (1 - closer_to_real_share)); 1 is safe"])
    return pd.DataFrame(rows, columns=_COLUMNS)


# -- attribute disclosure ---------------------------------------------------------------------
def _guesses(
    released: np.ndarray, released_target: np.ndarray, targets: np.ndarray, k: int, categorical: bool
) -> np.ndarray:
    _, idx = nearest(released, targets, k)
    neighbours = released_target[idx]
    if not categorical:
        return np.nanmean(neighbours, axis=1) if not np.isnan(neighbours).all() else neighbours[:, 0]
    if neighbours.shape[1] == 1:
        return neighbours[:, 0]
    # Majority vote, ties to the nearest neighbour's value.
    out = neighbours[:, 0].copy()
    for i, row in enumerate(neighbours):
        values, counts = np.unique(row, return_counts=True)
        best = values[counts == counts.max()]
        if len(best) == 1:
            out[i] = best[0]
    return out


def attribute_disclosure(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    *,
    sensitive: Any,
    quasi_identifiers: Sequence[Any] | None = None,
    k: int = 1,
    tolerance: float = 0.05,
    column_types: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Can an attacker who knows a real person's quasi-identifiers infer their sensitive value?

    The attack: for each real record, find the ``k`` released records closest on the
    quasi-identifiers (Gower distance) and guess the sensitive value from them (the
    majority category, or the mean of a number; a number counts as guessed when
    within ``tolerance`` x the real range). It is run on the synthetic data and, as
    the baseline, on the holdout: what anyone could infer from other people's real
    data is not disclosure caused by the synthetic data.

    Parameters
    ----------
    real, synthetic, holdout : DataFrame
        Training data, synthetic data, and (optional, recommended) unseen real data.
    sensitive : column name
        The column the attacker tries to infer.
    quasi_identifiers : list, optional
        What the attacker knows (default: every other non-identifier column).
    k : int
        Neighbours voting on the guess.
    tolerance : float
        For a numerical sensitive column, how close (as a share of the real range) a
        guess must be to count.
    column_types : dict, optional
        sdtype overrides.

    Returns
    -------
    DataFrame
        Rows ``correct_share`` (share of real records guessed right from the synthetic
        data vs from the holdout, or vs the naive guess without a holdout),
        ``naive_share`` (always guessing the most common value / the median) and
        ``risk`` = ``max(0, (synthetic - baseline) / (1 - baseline))``: 0 when the
        synthetic data teaches no more than the baseline, 1 when it reveals every value.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> df = load_iris(as_frame=True).frame.sample(frac=1.0, random_state=0)
    >>> real, holdout = df.iloc[:75], df.iloc[75:]
    >>> out = attribute_disclosure(real, real, holdout, sensitive="target").set_index("measure")
    >>> float(out.loc["correct_share", "synthetic"]), float(out.loc["risk", "synthetic"])
    (1.0, 1.0)
    """
    check_value(k, "k", Int(1), "attribute_disclosure")
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance <= 1:
        raise InvalidParameterError(
            "The 'tolerance' parameter of attribute_disclosure must be a float in [0, 1]. "
            f"Got {short_repr(tolerance)} instead."
        )
    others = {"synthetic": synthetic} if holdout is None else {"synthetic": synthetic, "holdout": holdout}
    types, _ = _setup(real, others, None, column_types)
    if sensitive not in real.columns:
        raise InvalidParameterError(
            f"The 'sensitive' parameter must be a column of the data. Got {short_repr(sensitive)}; "
            f"columns: {list(real.columns)}."
        )
    if quasi_identifiers is None:
        quasi_identifiers = [c for c, t in types.items() if t != "id" and c != sensitive]
    _, qis = _setup(real, others, quasi_identifiers, column_types)
    if sensitive in qis:
        raise InvalidParameterError("The 'sensitive' column cannot also be a quasi-identifier.")
    frames = [real, synthetic] + ([] if holdout is None else [holdout])
    emb = _embed(frames, types, qis)
    sdtype = types[sensitive]
    categorical = sdtype not in CONTINUOUS
    if categorical:
        values = pd.Series(np.concatenate([f[sensitive].to_numpy(dtype=object) for f in frames]), dtype=object)
        codes = pd.factorize(values, use_na_sentinel=False)[0].astype("float64")
        parts = np.split(codes, np.cumsum([len(f) for f in frames])[:-1])
        tol = 0.0
    else:
        unit = common_datetime_unit(*(f[sensitive] for f in frames)) if sdtype == "datetime" else None
        parts = [as_float(f[sensitive], sdtype, unit=unit) for f in frames]
        ref = parts[0][~np.isnan(parts[0])]
        tol = tolerance * ((ref.max() - ref.min()) if len(ref) else 0.0)
    truth = parts[0]

    def correct(guess: np.ndarray) -> float:
        if categorical:
            return float(np.mean(guess == truth))
        return float(np.mean(np.abs(guess - truth) <= tol))

    if categorical:
        values_, counts = np.unique(truth, return_counts=True)
        naive = correct(np.full(len(truth), values_[np.argmax(counts)]))
    else:
        naive = correct(np.full(len(truth), np.nanmedian(truth)))
    from_syn = correct(_guesses(emb[1], parts[1], emb[0], k, categorical))
    baseline = correct(_guesses(emb[2], parts[2], emb[0], k, categorical)) if holdout is not None else naive
    risk = max(0.0, (from_syn - baseline) / (1.0 - baseline)) if baseline < 1 else 0.0
    rows = [
        ["correct_share", from_syn, baseline, "share of real records whose sensitive value the attack guesses"],
        ["naive_share", naive, naive, "share guessed by always answering the most common value / the median"],
        ["risk", risk, 0.0, "(synthetic - baseline) / (1 - baseline), floored at 0"],
    ]
    return pd.DataFrame(rows, columns=_COLUMNS)


# -- membership disclosure --------------------------------------------------------------------
def membership_disclosure(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    columns: Sequence[Any] | None = None,
    column_types: Mapping[str, str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Can an attacker holding the synthetic data tell who was in the training data?

    The attack scores each candidate record by how close the nearest synthetic record
    is (closer = "was in training"). Candidates are equal numbers of training rows
    (members) and holdout rows (non-members); the attack's ROC AUC is 0.5 when it
    cannot tell them apart and 1 when it always can.

    Returns
    -------
    DataFrame
        Rows ``auc`` (ROC AUC of the attack; baseline 0.5) and ``advantage``
        (``max(0, 2 * auc - 1)``; baseline 0).

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> df = load_wine(as_frame=True).frame.sample(frac=1.0, random_state=0)
    >>> real, holdout = df.iloc[:89], df.iloc[89:]
    >>> membership_disclosure(real, real, holdout).set_index("measure")["synthetic"].tolist()
    [1.0, 1.0]
    """
    from sklearn.metrics import roc_auc_score

    seed = check_seed(seed, owner="membership_disclosure", allow_none=False)
    if holdout is None:
        raise DataError("membership_disclosure needs a holdout: real rows the generator never saw.")
    types, columns = _setup(real, {"synthetic": synthetic, "holdout": holdout}, columns, column_types)
    ref, syn, hold = _embed([real, synthetic, holdout], types, columns)
    rng = np.random.default_rng(seed)
    n = min(len(ref), len(hold))
    members = ref[rng.choice(len(ref), n, replace=False)]
    outsiders = hold[rng.choice(len(hold), n, replace=False)]
    d_members = nearest(syn, members, 1)[0][:, 0]
    d_outsiders = nearest(syn, outsiders, 1)[0][:, 0]
    labels = np.r_[np.ones(n), np.zeros(n)]
    auc = float(roc_auc_score(labels, -np.r_[d_members, d_outsiders]))
    rows = [
        ["auc", auc, 0.5, "ROC AUC of telling training rows from holdout rows by distance to the synthetic data"],
        ["advantage", max(0.0, 2 * auc - 1), 0.0, "max(0, 2 * auc - 1): how much better than guessing"],
    ]
    return pd.DataFrame(rows, columns=_COLUMNS)


# -- holdout-referenced report ----------------------------------------------------------------
_REPORT_COLUMNS = [
    "measure",
    "train",
    "control",
    "baseline",
    "ci_low",
    "ci_high",
    "risk",
    "risk_low",
    "risk_high",
    "n",
    "description",
]
_Z95 = 1.959963984540054


def _wilson(successes: float, n: int) -> tuple[float, float, float, float]:
    """Wilson score interval (95%) of a success rate: (low, high, half width, centre)."""
    if n == 0:
        return np.nan, np.nan, np.nan, np.nan
    z2 = _Z95**2
    p = successes / n
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z95 / (1 + z2 / n) * np.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half), half, centre


def _risk(train: float, train_err: float, control: float, control_err: float) -> tuple[float, float, float]:
    """anonymeter's risk ``(train - control) / (1 - control)`` with its propagated 95% interval, clipped to [0, 1]."""
    if not control < 1:
        return 0.0, 0.0, 0.0
    denom = 1.0 - control
    value = (train - control) / denom
    err = np.sqrt((train_err / denom) ** 2 + (control_err * (train - 1.0) / denom**2) ** 2)
    clip = lambda v: float(min(1.0, max(0.0, v)))  # noqa: E731
    return clip(value), clip(value - err), clip(value + err)


def _row(measure: str, hits: float, control_hits: float | None, n: int, baseline: float, description: str) -> list[Any]:
    """One measure's row. As in anonymeter, the risk compares the *Wilson centres* of the two
    rates ((hits + z**2/2) / (n + z**2)), which differ from the raw shares shown in ``train``
    and ``control`` by less than 2/n; a known control rate (by symmetry) is used as it is."""
    train = hits / n
    low, high, err, centre = _wilson(hits, n)
    if control_hits is None:  # the control rate is known exactly (by symmetry)
        control, control_err, control_centre = baseline, 0.0, baseline
    else:
        control = control_hits / n
        _, _, control_err, control_centre = _wilson(control_hits, n)
    risk, risk_low, risk_high = _risk(centre, err, control_centre, control_err)
    return [measure, train, control, baseline, low, high, risk, risk_low, risk_high, n, description]


def privacy_report(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    secret: Any = None,
    known: Sequence[Any] | None = None,
    n_attacks: int = 2000,
    tolerance: float = 0.05,
    singling_out_columns: int = 3,
    link_columns: tuple[Sequence[Any], Sequence[Any]] | None = None,
    column_types: Mapping[str, str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Privacy attacks on the synthetic data, each referenced to a holdout the generator never saw.

    Every measure is a success rate run twice: against the training rows (``train``) and
    against the holdout rows (``control``), whose success is what an attacker achieves on
    people who were *not* in the training data. The risk is the excess of the first over
    the second, as in the ``anonymeter`` package: ``risk = (train - control) / (1 - control)``,
    clipped to [0, 1], with a 95% interval propagated from the Wilson intervals of both
    rates. ``baseline`` is what a random guess achieves (NaN where no guess applies).
    Records are compared with the library's one Gower distance (see the module docstring).
    For a fair comparison, the training rows are subsampled to the holdout's size
    (or the other way round), so a 50/50 split uses every row.

    Parameters
    ----------
    real : DataFrame
        The training rows the generator was fitted on.
    synthetic : DataFrame
        Its output.
    holdout : DataFrame
        Real rows from the same source that the generator never saw (the control).
    secret : column name, optional
        For the attribute inference attack: the column the attacker tries to learn.
        Without it, that row is left out.
    known : list, optional
        The columns the attacker knows about a target (default: every other
        non-identifier column).
    n_attacks : int
        At most this many synthetic rows, targets and guesses per attack; bounds time.
    tolerance : float
        For a numerical ``secret``, a guess within ``tolerance`` x the training range counts.
    singling_out_columns : int
        Columns in each singling-out predicate (anonymeter's ``n_cols``, default 3).
    link_columns : (list, list), optional
        The two sets of columns the linkability attacker holds (default: the non-identifier
        columns split in two halves, in their order).
    column_types : dict, optional
        sdtype overrides.
    seed : int
        Seeds the subsamples and the random guesses: same seed, same report.

    Returns
    -------
    DataFrame
        One row per measure, with columns ``train``, ``control``, ``baseline``,
        ``ci_low``/``ci_high`` (95% Wilson interval of ``train``), ``risk`` and
        ``risk_low``/``risk_high``, ``n`` (attacks) and ``description``:

        - ``identical_match``: share of synthetic rows equal to a training row
          (train) vs to a holdout row (control);
        - ``dcr_share``: share of synthetic rows strictly closer to the training rows
          than to the holdout rows (SDMetrics' ``DCROverfittingProtection`` percentage;
          its score is ``1 - risk``). About 0.5 means no memorisation; the control is
          0.5 by symmetry;
        - ``nndr_below_half``: share of synthetic rows whose closest training row is
          less than half as far as the second closest (the row singles out one record),
          vs the same against the holdout;
        - ``membership``: an attacker flags as members the half of equal numbers of
          training and holdout targets nearest the synthetic data; train is the share of
          training targets flagged, control the share of holdout targets flagged,
          baseline 0.5; ``train - control`` is the attack's advantage;
        - ``singling_out``: predicates written from the synthetic data that match exactly
          one synthetic row ("bill_length_mm >= 58 and island == 'Dream'"), and how many
          match exactly one training row vs one holdout row; baseline: random predicates
          (see :mod:`synthbench.evaluate.privacy_attacks`; anonymeter's multivariate
          ``SinglingOutEvaluator``);
        - ``linkability``: targets whose two halves of columns (``link_columns``) have the
          same nearest synthetic row, training targets vs holdout targets; baseline: two
          random synthetic rows (anonymeter's ``LinkabilityEvaluator``);
        - ``attribute_inference`` (with ``secret``): the attacker takes the ``secret``
          of the synthetic row nearest a target on the ``known`` columns; success on
          training targets vs holdout targets; baseline: the secret of a random
          synthetic row.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> df = load_wine(as_frame=True).frame.sample(frac=1.0, random_state=0)
    >>> real, holdout = df.iloc[:89], df.iloc[89:]
    >>> out = privacy_report(real, real, holdout, secret="target").set_index("measure")
    >>> out.loc["dcr_share", ["train", "control"]].tolist()
    [1.0, 0.5]
    >>> round(float(out.loc["dcr_share", "risk"]), 2)
    0.96
    >>> float(out.loc["membership", "train"]), float(out.loc["membership", "control"])
    (1.0, 0.0)
    """
    owner = "privacy_report"
    seed = check_seed(seed, owner=owner, allow_none=False)
    check_value(n_attacks, "n_attacks", Int(10, 100_000), owner)
    check_value(singling_out_columns, "singling_out_columns", Int(1, 100), owner)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance <= 1:
        raise InvalidParameterError(
            f"The 'tolerance' parameter of {owner} must be a float in [0, 1]. Got {short_repr(tolerance)} instead."
        )
    if holdout is None:
        raise DataError(f"{owner} needs a holdout: real rows the generator never saw, with the training columns.")
    types, columns = _setup(real, {"synthetic": synthetic, "holdout": holdout}, None, column_types)
    if len(real) < 2 or len(holdout) < 2:
        raise DataError(
            f"{owner} needs at least 2 training rows and 2 holdout rows. "
            f"Got {len(real)} training and {len(holdout)} holdout rows."
        )
    if secret is not None and not _is_column(secret, real):
        raise DataError(
            f"The 'secret' column must be a column of the data. Got {short_repr(secret)}; columns: "
            f"{short_repr(list(real.columns))}."
        )
    if secret is None and known is not None:
        raise InvalidParameterError(f"The 'known' parameter of {owner} needs a 'secret' column to attack.")
    rng = np.random.default_rng(seed)
    n_ref = min(len(real), len(holdout))
    train_idx = np.sort(rng.choice(len(real), n_ref, replace=False))
    hold_idx = np.sort(rng.choice(len(holdout), n_ref, replace=False))
    syn_idx = np.sort(rng.choice(len(synthetic), min(len(synthetic), n_attacks), replace=False))
    n_syn = len(syn_idx)

    # Ranges from the training rows; equal numbers of training and holdout rows.
    ref, syn, hold = _embed([real, synthetic, holdout], types, columns)
    ref, hold, syn_q = ref[train_idx], hold[hold_idx], syn[syn_idx]
    d_train, _ = nearest(ref, syn_q, 2)
    d_hold, _ = nearest(hold, syn_q, 2)
    rows = []
    rows.append(
        _row(
            "identical_match",
            float(np.sum(d_train[:, 0] <= 1e-12)),
            float(np.sum(d_hold[:, 0] <= 1e-12)),
            n_syn,
            np.nan,
            "share of synthetic rows identical to a training row (control: to a holdout row)",
        )
    )
    rows.append(
        _row(
            "dcr_share",
            float(np.sum(d_train[:, 0] < d_hold[:, 0])),
            None,
            n_syn,
            0.5,
            "share of synthetic rows closer to the training rows than to the holdout rows; 0.5 is ideal",
        )
    )

    def below_half(dist: np.ndarray) -> float:
        if dist.shape[1] < 2:
            return 0.0
        return float(np.sum(dist[:, 0] < 0.5 * dist[:, 1]))

    rows.append(
        _row(
            "nndr_below_half",
            below_half(d_train),
            below_half(d_hold),
            n_syn,
            np.nan,
            "share of synthetic rows whose closest training row is under half as far as the second (control: holdout)",
        )
    )
    # Membership: equal numbers of member (training) and non-member (holdout) targets.
    n_targets = min(n_ref, n_attacks)
    members = ref[rng.choice(n_ref, n_targets, replace=False)]
    outsiders = hold[rng.choice(n_ref, n_targets, replace=False)]
    dist = np.r_[nearest(syn, members, 1)[0][:, 0], nearest(syn, outsiders, 1)[0][:, 0]]
    order = np.lexsort((rng.permutation(len(dist)), dist))  # nearest first, ties in random order
    flagged = np.zeros(len(dist), dtype=bool)
    flagged[order[:n_targets]] = True
    rows.append(
        _row(
            "membership",
            float(flagged[:n_targets].sum()),
            float(flagged[n_targets:].sum()),
            n_targets,
            0.5,
            "share of targets flagged as training members (control: holdout targets flagged); "
            "train - control is the advantage",
        )
    )
    rows.append(
        _singling_out_row(
            real, synthetic, holdout, train_idx, hold_idx, types, columns, n_attacks, singling_out_columns, rng
        )
    )
    sides = _link_sides(link_columns, columns, real, owner)
    if sides is not None:
        hits, control, base = linkability_hits(
            real.iloc[train_idx], synthetic, holdout.iloc[hold_idx], types, sides, n_targets, 1, rng
        )
        rows.append(
            _row(
                "linkability",
                hits,
                control,
                n_targets,
                base / n_targets,
                "share of targets whose two halves of columns have the same nearest synthetic row "
                "(control: holdout targets; baseline: random rows)",
            )
        )
    if secret is not None:
        rows.append(
            _attribute_row(real, synthetic, holdout, types, secret, known, n_targets, tolerance, rng, column_types)
        )
    return pd.DataFrame(rows, columns=_REPORT_COLUMNS)


def _singling_out_row(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    train_idx: np.ndarray,
    hold_idx: np.ndarray,
    types: Mapping[str, str],
    columns: Sequence[Any],
    n_attacks: int,
    n_cols: int,
    rng: np.random.Generator,
) -> list[Any]:
    hits, control, base, found = singling_out_hits(
        real.iloc[train_idx], synthetic, holdout.iloc[hold_idx], types, columns, n_attacks, n_cols, rng
    )
    return _row(
        "singling_out",
        hits,
        control,
        n_attacks,
        base / n_attacks,
        f"share of {n_attacks} predicates written from the synthetic data ({found} single out one synthetic row) "
        "that single out one training row (control: one holdout row; baseline: random predicates)",
    )


def _link_sides(
    link_columns: Any, columns: Sequence[Any], real: pd.DataFrame, owner: str
) -> tuple[list[Any], list[Any]] | None:
    """The linkability attacker's two sets of columns (None: fewer than two columns to split)."""
    if link_columns is None:
        if len(columns) < 2:
            return None
        half = (len(columns) + 1) // 2
        return list(columns[:half]), list(columns[half:])
    ok = (
        isinstance(link_columns, (tuple, list))
        and len(link_columns) == 2
        and all(
            isinstance(side, (list, tuple)) and side and all(_is_column(c, real) and c in columns for c in side)
            for side in link_columns
        )
        and not set(link_columns[0]) & set(link_columns[1])
    )
    if not ok:
        raise InvalidParameterError(
            f"The 'link_columns' parameter of {owner} must be None or two non-empty lists of (non-identifier) "
            f"columns of the data with no column in both. Got {short_repr(link_columns)} instead."
        )
    return list(link_columns[0]), list(link_columns[1])


def _is_column(name: Any, frame: pd.DataFrame) -> bool:
    """Whether ``name`` is a column of ``frame`` (False for unhashable names instead of a TypeError)."""
    try:
        hash(name)
    except TypeError:
        return False
    return name in frame.columns


def _attribute_row(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    types: Mapping[str, str],
    secret: Any,
    known: Sequence[Any] | None,
    n_targets: int,
    tolerance: float,
    rng: np.random.Generator,
    overrides: Mapping[str, str] | None,
) -> list[Any]:
    if known is None:
        known = [c for c, t in types.items() if t != "id" and c != secret]
    elif isinstance(known, str) or not isinstance(known, Sequence) or not known:
        raise InvalidParameterError(
            f"The 'known' parameter of privacy_report must be a non-empty list of columns. Got {short_repr(known)}."
        )
    unknown = [c for c in known if not _is_column(c, real)]
    if unknown:
        raise InvalidParameterError(
            f"The 'known' parameter of privacy_report must list columns of the data. Got {short_repr(list(known))}; "
            f"unknown: {short_repr(unknown)}."
        )
    _, known = _setup(real, {"synthetic": synthetic, "holdout": holdout}, known, overrides)
    if secret in known:
        raise InvalidParameterError("The 'secret' column cannot also be one of the 'known' columns.")
    frames = [real, synthetic, holdout]
    sdtype = types[secret]
    categorical = sdtype not in CONTINUOUS
    if categorical:
        values = pd.Series(np.concatenate([f[secret].to_numpy(dtype=object) for f in frames]), dtype=object)
        codes = pd.factorize(values, use_na_sentinel=False)[0].astype("float64")
        truth_train, secret_syn, truth_hold = np.split(codes, np.cumsum([len(f) for f in frames])[:-1])
        tol = 0.0
    else:
        unit = common_datetime_unit(*(f[secret] for f in frames)) if sdtype == "datetime" else None
        truth_train, secret_syn, truth_hold = (as_float(f[secret], sdtype, unit=unit) for f in frames)
        present = truth_train[~np.isnan(truth_train)]
        tol = tolerance * ((present.max() - present.min()) if len(present) else 0.0)

    def hits(guess: np.ndarray, truth: np.ndarray) -> float:
        both_missing = np.isnan(guess) & np.isnan(truth)
        with np.errstate(invalid="ignore"):
            return float(np.sum((np.abs(guess - truth) <= tol) | both_missing))

    emb_train, emb_syn, emb_hold = _embed(frames, types, known)
    t_idx = rng.choice(len(real), min(n_targets, len(real)), replace=False)
    h_idx = rng.choice(len(holdout), len(t_idx), replace=False)
    guess_train = secret_syn[nearest(emb_syn, emb_train[t_idx], 1)[1][:, 0]]
    guess_hold = secret_syn[nearest(emb_syn, emb_hold[h_idx], 1)[1][:, 0]]
    random_guess = secret_syn[rng.integers(len(secret_syn), size=len(t_idx))]
    n = len(t_idx)
    row = _row(
        "attribute_inference",
        hits(guess_train, truth_train[t_idx]),
        hits(guess_hold, truth_hold[h_idx]),
        n,
        hits(random_guess, truth_train[t_idx]) / n,
        "share of targets whose secret the nearest synthetic row on the known columns gives "
        "(train targets vs holdout targets; baseline: a random synthetic row)",
    )
    return row
