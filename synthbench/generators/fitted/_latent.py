"""Marginals and normal scores: the shared half of the Gaussian copula and mixture.

Each column gets a *marginal*: learned quantiles (``probs``/``knots``, linear
interpolation between at most ``n_knots`` points, observed min and max kept) for
continuous columns, or values with cumulative frequencies (``values``/``cum``) for
labels and for numbers with few distinct values. A column's *normal score* of a value is
``ndtri(F(value))``; the models learn the dependence of these scores, and sampling maps
new scores back through the marginals (:func:`synthbench.kernels.fitted.make_column`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...exceptions import DataError
from ...params import short_repr
from ._state import EXACT_INT
from ._types import column_values, encode_labels

__all__ = ["learn_marginal", "normal_scores", "order_labels", "repair_cov", "sqrt_psd"]

_EPS = 1e-9
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def _datetime_step(ints: np.ndarray, unit: str) -> int:
    """The coarsest of day, hour, minute, second, ... that every value is a multiple of."""
    per_ns = _UNIT_NS[unit]
    for ns in (86_400 * 10**9, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3, 1):
        if ns >= per_ns and ns % per_ns == 0 and np.all(ints % (ns // per_ns) == 0):
            return ns // per_ns
    return 1


def _decimals(x: np.ndarray) -> int | None:
    with np.errstate(all="ignore"):  # values near the float limit overflow when scaled: no decimals then
        for d in range(7):
            if np.all(np.round(x, d) == x):
                return d
    return None


def _scaled(x: np.ndarray) -> tuple[np.ndarray, int]:
    """``x`` divided by a power of two (exactly) so its largest magnitude is below 1."""
    exponent = int(np.frexp(np.max(np.abs(x)))[1]) if len(x) else 0
    return np.ldexp(x, -exponent), exponent


def _label_order(values: np.ndarray, col: dict[str, Any]) -> list[Any]:
    """Labels by falling frequency (ties by first appearance); ordered categories keep their order."""
    if col["kind"] == "boolean":
        return [v for v in (False, True) if (values == v).any()]
    counts = pd.Series(values).value_counts(sort=False)
    if col.get("ordered"):
        return [c for c in col["categories"] if c in counts.index]
    ranked = sorted(range(len(counts)), key=lambda i: -counts.iloc[i])
    return [counts.index[i] for i in ranked]


def learn_marginal(
    series: pd.Series,
    col: dict[str, Any],
    n_knots: int,
    max_discrete: int,
    owner: str = "fit",
    tails: str = "empirical",
) -> dict[str, Any]:
    """Add the learned marginal to a column dict (and return it).

    With ``tails="trimmed"``, the lowest and highest knots (the training minimum and
    maximum) are replaced by their inner neighbours, when there are at least three.
    """
    if col["kind"] == "integer":
        present = series.dropna()
        if len(present) and (present.min() < -EXACT_INT or present.max() > EXACT_INT):
            raise DataError(
                f"{owner} cannot learn column {col['name']!r} exactly: it holds integers beyond +-2**53 "
                f"({EXACT_INT}), which lose digits as floats. Convert it to float64, or to str to keep it "
                "as categories, first."
            )
    x = column_values(series, col)
    if col["kind"] in ("categorical", "boolean"):
        labels = _label_order(x, col)
        codes = encode_labels(pd.Series(x, dtype=object), labels, col["name"], "fit")
        counts = np.bincount(codes, minlength=len(labels))
        col["values"] = [v.item() if hasattr(v, "item") else v for v in labels]
        col["cum"] = (np.cumsum(counts) / counts.sum()).tolist()
        col["cum"][-1] = 1.0
        return col
    distinct, counts = np.unique(x, return_counts=True)
    if len(distinct) <= max_discrete:
        as_int = col["kind"] in ("integer", "datetime")
        col["values"] = [int(v) if as_int else float(v) for v in distinct]
        col["cum"] = (np.cumsum(counts) / counts.sum()).tolist()
        col["cum"][-1] = 1.0
        return col
    ordered = np.sort(x.astype(float))
    if len(ordered) <= n_knots:
        probs, knots = np.linspace(0, 1, len(ordered)), ordered
    else:
        probs = np.linspace(0, 1, n_knots)
        scaled, exponent = _scaled(ordered)  # so a range near the float limit does not overflow
        knots = np.ldexp(np.quantile(scaled, probs), exponent)
    if tails == "trimmed" and len(knots) >= 3:
        knots = np.concatenate([knots[1:2], knots[1:-1], knots[-2:-1]])
    col["probs"] = probs.tolist()
    col["knots"] = knots.tolist()
    if col["kind"] == "numeric":
        col["decimals"] = _decimals(x)
    elif col["kind"] == "integer":
        col["step"] = 1
    else:
        col["step"] = _datetime_step(x, col["unit"])
    return col


def order_labels(data: pd.DataFrame, columns: list[dict[str, Any]], random_state: int) -> None:
    """Reorder unordered categories along the main direction of the numeric columns.

    A Gaussian copula treats a label column through the order of its cumulative
    intervals. By frequency (SDV's choice) a category that goes with large values can
    sit between two that go with small ones, and the dependence is lost. Ordering the
    categories by the mean of the numeric columns' first principal component makes the
    label monotone in the strongest dependence instead. Deterministic.
    """
    numeric = [c for c in columns if c["kind"] not in ("categorical", "boolean")]
    labels = [c for c in columns if c["kind"] == "categorical" and not c.get("ordered") and len(c["values"]) > 2]
    if not numeric or not labels:
        return
    rng = np.random.default_rng([random_state, 1])
    scores = np.column_stack([normal_scores(data[c["name"]], c, rng) for c in numeric])
    corr = np.corrcoef(scores, rowvar=False) if scores.shape[1] > 1 else np.ones((1, 1))
    try:
        direction = np.linalg.eigh(np.nan_to_num(corr))[1][:, -1]
    except np.linalg.LinAlgError:
        return
    projection = pd.Series(scores @ direction)
    for col in labels:
        codes = encode_labels(data[col["name"]], col["values"], col["name"], "fit")
        present = codes >= 0
        means = projection[present].groupby(codes[present]).mean().reindex(range(len(col["values"]))).to_numpy()
        cum = np.asarray(col["cum"])
        counts = np.diff(np.concatenate([[0.0], cum]))
        order = sorted(range(len(means)), key=lambda i: (means[i], i))
        col["values"] = [col["values"][i] for i in order]
        col["cum"] = np.cumsum(counts[order]).tolist()
        col["cum"][-1] = 1.0


def _uniform_of_values(x: np.ndarray, col: dict[str, Any]) -> np.ndarray:
    """F(value) for known values of a quantile column (conditioning; clipped into (0, 1))."""
    knots, exponent = _scaled(np.asarray(col["knots"], dtype=float))
    u = np.interp(np.ldexp(x.astype(float), -exponent), knots, col["probs"])
    return np.clip(u, _EPS, 1 - _EPS)


def normal_scores(
    series: pd.Series, col: dict[str, Any], rng: np.random.Generator | None, owner: str = "fit"
) -> np.ndarray:
    """Normal scores of a column's values; 0 where missing.

    With ``rng`` (fitting), continuous values get mid-ranks and a discrete value a
    uniform draw inside its cumulative-frequency interval, so ties do not bias the
    correlations. Without ``rng`` (conditioning), a value is mapped through the
    learned marginal and a discrete value to the middle of its interval.
    """
    from scipy.special import ndtri
    from scipy.stats import rankdata

    z = np.zeros(len(series))
    present = series.notna().to_numpy()
    x = column_values(series, col)
    if "cum" in col:
        values = col["values"]
        if col["kind"] in ("categorical", "boolean"):
            codes = encode_labels(pd.Series(x, dtype=object), values, col["name"], owner)
        else:
            # Numeric discrete values are sorted: find each by binary search.
            known = np.asarray(values, dtype=float)
            codes = np.minimum(np.searchsorted(known, x.astype(float)), len(known) - 1)
            unknown = known[codes] != x
            if unknown.any():
                bad = x[unknown][0].item()
                raise DataError(
                    f"{owner}: column {col['name']!r} holds {short_repr(bad)}, which the fitted data never had."
                )
        cum = np.asarray(col["cum"])
        low = np.concatenate([[0.0], cum[:-1]])[codes]
        high = cum[codes]
        share = rng.random(len(codes)) if rng is not None else np.full(len(codes), 0.5)
        u = low + (high - low) * share
    elif rng is not None:
        u = (rankdata(x) - 0.5) / len(x)
    else:
        u = _uniform_of_values(x, col)
    z[present] = ndtri(np.clip(u, _EPS, 1 - _EPS))
    return z


def repair_cov(cov: np.ndarray, *, correlation: bool, floor: float = 1e-6) -> np.ndarray:
    """Nearest positive-definite matrix (eigenvalues clipped at ``floor``), unit diagonal if asked.

    Never raises: a matrix numpy cannot decompose becomes the identity.
    """
    d = cov.shape[0]
    try:
        cov = np.where(np.isfinite(cov), cov, 0.0)
        cov = (cov + cov.T) / 2
        w, v = np.linalg.eigh(cov)
        cov = (v * np.maximum(w, floor)) @ v.T
        cov = (cov + cov.T) / 2
        if correlation:
            scale = np.sqrt(np.diag(cov))
            cov = cov / np.outer(scale, scale)
            np.fill_diagonal(cov, 1.0)
        for ridge in (0.0, 1e-8, 1e-6, 1e-4, 1e-2):
            candidate = cov + ridge * np.eye(d)
            if correlation and ridge:
                candidate = candidate / (1 + ridge)
                np.fill_diagonal(candidate, 1.0)
            try:
                np.linalg.cholesky(candidate)
                return candidate
            except np.linalg.LinAlgError:
                continue
    except np.linalg.LinAlgError:
        pass
    return np.eye(d)


def sqrt_psd(cov: np.ndarray) -> np.ndarray:
    """A matrix square root A with A @ A.T == cov (eigenvalues below 0 treated as 0)."""
    try:
        w, v = np.linalg.eigh((cov + cov.T) / 2)
    except np.linalg.LinAlgError:
        return np.zeros_like(cov)
    return v * np.sqrt(np.maximum(w, 0.0))
