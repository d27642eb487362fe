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
from ._types import column_values, encode_labels, factorize

__all__ = ["learn_marginal", "normal_scores", "order_labels", "prepare", "repair_cov", "sqrt_psd"]

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


def prepare(series: pd.Series, col: dict[str, Any]) -> dict[str, Any]:
    """What fitting reads of a column, computed once and shared by the marginal, the label
    order and the normal scores: which rows are present and, for labels, each row's
    position among the distinct labels; for numbers, the present values and their order
    (one sort per column)."""
    out: dict[str, Any] = {"present": series.notna().to_numpy()}
    if col["kind"] in ("categorical", "boolean"):
        out["local"], out["uniques"] = factorize(series)
        return out
    x = column_values(series, col)
    order = np.argsort(x)
    ordered = x[order]
    new = np.ones(len(x), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    out.update(x=x, order=order, ordered=ordered, new=new)
    return out


def _label_codes(prepared: dict[str, Any], values: list[Any]) -> np.ndarray:
    """Each present row's position in ``values`` (every observed label is among them)."""
    found = pd.Index(values, dtype=object).get_indexer(pd.Index(prepared["uniques"], dtype=object))
    local = prepared["local"]
    return found[local[local >= 0]]


def _label_order(prepared: dict[str, Any], col: dict[str, Any]) -> list[Any]:
    """Labels by falling frequency (ties by first appearance); ordered categories keep their order."""
    uniques = prepared["uniques"]
    if col["kind"] == "boolean":
        return [v for v in (False, True) if v in uniques]
    if col.get("ordered"):
        seen = set(uniques)
        return [c for c in col["categories"] if c in seen]
    local = prepared["local"]
    counts = np.bincount(local[local >= 0], minlength=len(uniques))
    return [uniques[i] for i in np.argsort(-counts, kind="stable")]


def learn_marginal(
    series: pd.Series,
    col: dict[str, Any],
    n_knots: int,
    max_discrete: int,
    owner: str = "fit",
    tails: str = "empirical",
    prepared: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add the learned marginal to a column dict (and return it).

    With ``tails="trimmed"``, the lowest and highest knots (the training minimum and
    maximum) are replaced by their inner neighbours, when there are at least three.
    ``prepared`` is :func:`prepare`'s result for the column, if already computed.
    """
    if col["kind"] == "integer":
        present = series.dropna()
        if len(present) and (present.min() < -EXACT_INT or present.max() > EXACT_INT):
            raise DataError(
                f"{owner} cannot learn column {col['name']!r} exactly: it holds integers beyond +-2**53 "
                f"({EXACT_INT}), which lose digits as floats. Convert it to float64, or to str to keep it "
                "as categories, first."
            )
    if prepared is None:
        prepared = prepare(series, col)
    if col["kind"] in ("categorical", "boolean"):
        labels = _label_order(prepared, col)
        counts = np.bincount(_label_codes(prepared, labels), minlength=len(labels))
        col["values"] = labels
        col["cum"] = (np.cumsum(counts) / counts.sum()).tolist()
        col["cum"][-1] = 1.0
        return col
    ordered, new = prepared["ordered"], prepared["new"]
    distinct = ordered[new]
    if len(distinct) <= max_discrete:
        counts = np.diff(np.append(np.flatnonzero(new), len(ordered)))
        as_int = col["kind"] in ("integer", "datetime")
        col["values"] = [int(v) if as_int else float(v) for v in distinct]
        col["cum"] = (np.cumsum(counts) / counts.sum()).tolist()
        col["cum"][-1] = 1.0
        return col
    ordered = ordered.astype(float)
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
        col["decimals"] = _decimals(distinct)
    elif col["kind"] == "integer":
        col["step"] = 1
    else:
        col["step"] = _datetime_step(distinct, col["unit"])
    return col


def order_labels(
    data: pd.DataFrame,
    columns: list[dict[str, Any]],
    random_state: int,
    prepared: list[dict[str, Any]] | None = None,
) -> None:
    """Reorder unordered categories along the main direction of the numeric columns.

    A Gaussian copula treats a label column through the order of its cumulative
    intervals. By frequency (SDV's choice) a category that goes with large values can
    sit between two that go with small ones, and the dependence is lost. Ordering the
    categories by the mean of the numeric columns' first principal component makes the
    label monotone in the strongest dependence instead. Deterministic.
    """
    if prepared is None:
        prepared = [prepare(data[c["name"]], c) for c in columns]
    numeric = [j for j, c in enumerate(columns) if c["kind"] not in ("categorical", "boolean")]
    labels = [
        j for j, c in enumerate(columns) if c["kind"] == "categorical" and not c.get("ordered") and len(c["values"]) > 2
    ]
    if not numeric or not labels:
        return
    rng = np.random.default_rng([random_state, 1])
    scores = np.column_stack(
        [normal_scores(data[columns[j]["name"]], columns[j], rng, prepared=prepared[j]) for j in numeric]
    )
    corr = np.corrcoef(scores, rowvar=False) if scores.shape[1] > 1 else np.ones((1, 1))
    try:
        direction = np.linalg.eigh(np.nan_to_num(corr))[1][:, -1]
    except np.linalg.LinAlgError:
        return
    projection = scores @ direction
    for j in labels:
        col, prep = columns[j], prepared[j]
        codes = _label_codes(prep, col["values"])
        k = len(col["values"])
        means = np.bincount(codes, weights=projection[prep["present"]], minlength=k) / np.bincount(codes, minlength=k)
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


def _mid_ranks(prepared: dict[str, Any]) -> np.ndarray:
    """Each value's rank from 1, ties sharing their average rank (scipy's rankdata), from the one sort."""
    new, order = prepared["new"], prepared["order"]
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(new))
    ranks = np.empty(len(new))
    ranks[order] = ((starts + ends + 1) / 2)[np.cumsum(new) - 1]
    return ranks


def normal_scores(
    series: pd.Series,
    col: dict[str, Any],
    rng: np.random.Generator | None,
    owner: str = "fit",
    prepared: dict[str, Any] | None = None,
) -> np.ndarray:
    """Normal scores of a column's values; 0 where missing.

    With ``rng`` (fitting), continuous values get mid-ranks and a discrete value a
    uniform draw inside its cumulative-frequency interval, so ties do not bias the
    correlations. Without ``rng`` (conditioning), a value is mapped through the
    learned marginal and a discrete value to the middle of its interval.
    ``prepared`` (fitting only) is :func:`prepare`'s result for the column.
    """
    from scipy.special import ndtri

    if prepared is not None and "z" in prepared:
        return prepared["z"]
    z = np.zeros(len(series))
    present = series.notna().to_numpy()
    labels = col["kind"] in ("categorical", "boolean")
    if prepared is None and (rng is None or labels or "cum" in col):
        x = None if labels else column_values(series, col)
    elif prepared is None:
        prepared = prepare(series, col)
    if prepared is not None and not labels:
        x = prepared["x"]
    if "cum" in col:
        values = col["values"]
        if labels:
            if prepared is not None:
                codes = _label_codes(prepared, values)
            else:
                codes = encode_labels(series, values, col["name"], owner)[present]
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
        u = (_mid_ranks(prepared) - 0.5) / len(prepared["x"])
    else:
        u = _uniform_of_values(x, col)
    z[present] = ndtri(np.clip(u, _EPS, 1 - _EPS))
    if prepared is not None and "cum" not in col:
        prepared["z"] = z  # deterministic: the label order and the model share it
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
