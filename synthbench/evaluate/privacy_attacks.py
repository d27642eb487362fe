"""Singling-out and linkability attacks for :func:`synthbench.evaluate.privacy_report`.

Both follow the design of the ``anonymeter`` package (Giomi et al. 2022, "A Unified
Framework for Quantifying Privacy Risk in Synthetic Data"), vectorised with numpy, so
their figures can be checked against it (``tests/test_anonymeter_agreement.py``):

Singling out (anonymeter's ``SinglingOutEvaluator``, multivariate mode)
    The attacker writes *predicates* from the synthetic data: take a random synthetic
    row and ``n_cols`` random columns, and ask for rows with the same label (``==``),
    a missing value (``isna``), or a number at least as extreme (``>=`` the value if it
    is above the synthetic median, else ``<=``). A predicate that matches exactly one
    synthetic row is kept (each predicate once), until ``n_attacks`` are found or
    50 x ``n_attacks`` rows were tried. An attack succeeds when its predicate matches
    exactly one row of the target data: the training rows (``train``) or the holdout
    (``control``). The baseline draws predicates at random: random columns, random
    operators (``==``/``!=`` for labels, the six comparisons for numbers) and random
    values seen in the synthetic data. Rates are per requested attack, as in anonymeter
    (too few predicates found lowers every rate alike). Duplicated rows are dropped
    first, as in anonymeter.
Linkability (anonymeter's ``LinkabilityEvaluator``)
    The attacker holds two sets of columns of a target person from two sources and
    links them through the synthetic data: the synthetic row nearest the target on the
    first set and the one nearest on the second set are the same row (with
    ``n_neighbors``, the two sets of nearest rows share one). Success on training
    targets vs holdout targets; the baseline picks synthetic rows at random.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..table import as_float, common_datetime_unit, gower_embedding, nearest
from ._types import CONTINUOUS, KIND_OF_SDTYPE

__all__ = ["linkability_hits", "singling_out_hits"]

# Operators of a predicate's conditions.
_EQ, _NE, _LT, _GT, _LE, _GE, _ISNA, _NOTNA = range(8)
#: Queries evaluated at once (bounds the query x row boolean matrices).
_CHUNK = 256


def _as_matrix(frames: Sequence[pd.DataFrame], types: Mapping[Any, str], columns: Sequence[Any]) -> list[np.ndarray]:
    """Each frame as floats: numbers and datetimes as they are, labels as shared codes; NaN where missing."""
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    for col in columns:
        sdtype = types[col]
        if sdtype in CONTINUOUS:
            unit = common_datetime_unit(*(f[col] for f in frames)) if sdtype == "datetime" else None
            values = [as_float(f[col], sdtype, unit=unit) for f in frames]
        else:
            both = pd.Series(np.concatenate([f[col].to_numpy(dtype=object) for f in frames]), dtype=object)
            codes = pd.factorize(both, use_na_sentinel=True)[0].astype(float)
            codes[codes < 0] = np.nan
            values = np.split(codes, np.cumsum([len(f) for f in frames])[:-1])
        for i, v in enumerate(values):
            blocks[i].append(v)
    return [np.column_stack(b) for b in blocks]


def _distinct_rows(x: np.ndarray) -> np.ndarray:
    """Rows of x without duplicates (NaN equal to NaN), in first-seen order."""
    if not len(x):
        return x
    keys = pd.DataFrame(x).duplicated().to_numpy()
    return x[~keys]


def _counts(x: np.ndarray, cols: np.ndarray, ops: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """How many rows of x each query (a conjunction of conditions) matches."""
    out = np.zeros(len(cols), dtype=np.int64)
    for start in range(0, len(cols), _CHUNK):
        c, o, v = cols[start : start + _CHUNK], ops[start : start + _CHUNK], vals[start : start + _CHUNK]
        match = np.ones((len(c), len(x)), dtype=bool)
        with np.errstate(invalid="ignore"):
            for j in range(c.shape[1]):
                column = x[:, c[:, j]].T  # (queries, rows)
                value, op = v[:, j][:, None], o[:, j][:, None]
                cond = np.select(
                    [op == _EQ, op == _NE, op == _LT, op == _GT, op == _LE, op == _GE, op == _ISNA],
                    [
                        column == value,
                        column != value,
                        column < value,
                        column > value,
                        column <= value,
                        column >= value,
                        np.isnan(column),
                    ],
                    default=~np.isnan(column),
                )
                match &= cond
        out[start : start + len(c)] = match.sum(axis=1)
    return out


def _attack_queries(
    syn: np.ndarray, continuous: np.ndarray, n_queries: int, n_cols: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicates from synthetic rows that single out one synthetic row (see the module doc)."""
    p = syn.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no median
        medians = np.nanmedian(syn, axis=0) if len(syn) else np.zeros(p)
    found: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    tried, budget = 0, 50 * n_queries
    while len(found) < n_queries and tried < budget and len(syn):
        batch = min(512, budget - tried)
        tried += batch
        rows = syn[rng.integers(len(syn), size=batch)]
        cols = np.argsort(rng.random((batch, p)), axis=1)[:, :n_cols]
        cols.sort(axis=1)
        vals = np.take_along_axis(rows, cols, axis=1)
        above = vals > medians[cols]
        ops = np.where(continuous[cols], np.where(above, _GE, _LE), _EQ)
        ops = np.where(np.isnan(vals), _ISNA, ops)
        single = _counts(syn, cols, ops, vals) == 1
        for i in np.flatnonzero(single):
            key = (tuple(cols[i]), tuple(ops[i]), tuple(np.nan_to_num(vals[i], nan=np.inf)))
            if key not in found and len(found) < n_queries:
                found[key] = (cols[i], ops[i], vals[i])
    if not found:
        empty = np.zeros((0, n_cols))
        return empty.astype(np.int64), empty.astype(np.int64), empty
    cols, ops, vals = (np.array(part) for part in zip(*found.values(), strict=True))
    return cols, ops, vals


def _random_queries(
    syn: np.ndarray, continuous: np.ndarray, n_queries: int, n_cols: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The baseline's predicates: random columns, operators and values seen in the synthetic data."""
    p = syn.shape[1]
    cols = np.argsort(rng.random((n_queries, p)), axis=1)[:, :n_cols]
    cols.sort(axis=1)
    vals = np.empty(cols.shape)
    for j in range(p):
        uniques = pd.unique(syn[:, j]) if len(syn) else np.array([np.nan])
        at = cols == j
        vals[at] = uniques[rng.integers(len(uniques), size=int(at.sum()))]
    ops = np.where(
        continuous[cols], rng.integers(_EQ, _GE + 1, size=cols.shape), rng.integers(_EQ, _NE + 1, size=cols.shape)
    )
    ops = np.where(np.isnan(vals), rng.integers(_ISNA, _NOTNA + 1, size=cols.shape), ops)
    return cols, ops, vals


def singling_out_hits(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    types: Mapping[Any, str],
    columns: Sequence[Any],
    n_attacks: int,
    n_cols: int,
    rng: np.random.Generator,
) -> tuple[float, float, float, int]:
    """Successful singling-out attacks on train and on holdout, the random baseline's, and
    how many predicates were found (see the module doc)."""
    n_cols = min(n_cols, len(columns))
    tr, syn, ho = (_distinct_rows(m) for m in _as_matrix([train, synthetic, holdout], types, columns))
    continuous = np.array([types[c] in CONTINUOUS for c in columns])
    cols, ops, vals = _attack_queries(syn, continuous, n_attacks, n_cols, rng)
    hits = float(np.sum(_counts(tr, cols, ops, vals) == 1))
    control = float(np.sum(_counts(ho, cols, ops, vals) == 1))
    r_cols, r_ops, r_vals = _random_queries(syn, continuous, n_attacks, n_cols, rng)
    baseline = float(np.sum(_counts(tr, r_cols, r_ops, r_vals) == 1))
    return hits, control, baseline, len(cols)


def linkability_hits(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    types: Mapping[Any, str],
    sides: tuple[Sequence[Any], Sequence[Any]],
    n_targets: int,
    n_neighbors: int,
    rng: np.random.Generator,
) -> tuple[float, float, float]:
    """Targets linked through the synthetic data: training ones, holdout ones, and the
    random baseline's (see the module doc)."""
    t_idx = rng.choice(len(train), n_targets, replace=False)
    h_idx = rng.choice(len(holdout), n_targets, replace=False)
    near = []
    for side in sides:
        kinds = {c: KIND_OF_SDTYPE[types[c]] for c in side}
        emb_train, emb_syn, emb_hold = gower_embedding([train, synthetic, holdout], kinds, list(side))
        near.append(
            (nearest(emb_syn, emb_train[t_idx], n_neighbors)[1], nearest(emb_syn, emb_hold[h_idx], n_neighbors)[1])
        )

    def linked(a: np.ndarray, b: np.ndarray) -> float:
        return float(sum(bool(set(x) & set(y)) for x, y in zip(a, b, strict=True)))

    k = min(n_neighbors, len(synthetic))
    random_sets = [np.array([rng.choice(len(synthetic), k, replace=False) for _ in range(n_targets)]) for _ in "ab"]
    return linked(near[0][0], near[1][0]), linked(near[0][1], near[1][1]), linked(*random_sets)
