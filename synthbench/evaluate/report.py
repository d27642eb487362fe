"""``quality_report``: the fidelity scores, their details and binned chart data in one object.

>>> import pandas as pd
>>> real = pd.DataFrame({"x": [1.0, 2, 3, 4], "c": list("aabb")})
>>> report = quality_report(real, real)
>>> report.score
1.0
>>> sorted(report.chart_data)
['categories', 'correlations', 'histograms', 'pair_scores']
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..params import Int, check_value
from ._types import check_frames
from ._types import column_types as _column_types
from .fidelity import (
    ASSOCIATION_THRESHOLD,
    CORRELATION_THRESHOLD,
    _check_threshold,
    _Column,
    _column_rows,
    _pair_rows,
    _prepare,
    _profile,
    _scores,
    _setup,
)

__all__ = ["Report", "quality_report", "sample_chart_data"]

HOLDOUT_NOTE = (
    "The holdout is real data the generator never saw, scored against the training data with the "
    "same definitions: it shows what real data scores. A synthetic score near it is as good as new "
    "real data; a synthetic score above the holdout's suggests copying of the training rows."
)


@dataclass(repr=False)
class Report:
    """What :func:`quality_report` found: scores, tidy details and chart-ready aggregates.

    Attributes
    ----------
    score : float
        Overall quality (mean of the two property scores), as SDMetrics' QualityReport.
    column_shapes_score, column_pair_trends_score : float
        The two property scores.
    column_details : DataFrame
        One row per column (see :func:`~synthbench.evaluate.column_shapes`).
    pair_details : DataFrame
        One row per column pair (see :func:`~synthbench.evaluate.column_pair_trends`).
    column_types : dict
        The sdtype used for every column.
    chart_data : dict
        Binned data only, never raw rows: ``histograms`` and ``categories`` (dicts of
        column -> DataFrame of real/synthetic shares per bin or category),
        ``correlations`` (long-form Pearson matrices of the continuous columns) and
        ``pair_scores`` (long-form matrix of pair scores).
    n_real, n_synthetic : int
        Row counts.
    holdout_score, holdout_column_shapes_score, holdout_column_pair_trends_score : float or None
        With ``holdout=``: the same scores for the holdout against the real data, the
        ceiling a synthetic score is read against (``None`` without a holdout). The
        details then have a ``holdout_score`` column beside ``score``.
    n_holdout : int
        Holdout row count (0 without a holdout).
    """

    score: float
    column_shapes_score: float
    column_pair_trends_score: float
    column_details: pd.DataFrame
    pair_details: pd.DataFrame
    column_types: dict[str, str]
    chart_data: dict[str, Any] = field(default_factory=dict)
    n_real: int = 0
    n_synthetic: int = 0
    holdout_score: float | None = None
    holdout_column_shapes_score: float | None = None
    holdout_column_pair_trends_score: float | None = None
    n_holdout: int = 0

    @property
    def has_holdout(self) -> bool:
        """Whether the report was made with a holdout (and so shows its ceiling)."""
        return self.holdout_score is not None

    @property
    def properties(self) -> pd.DataFrame:
        """The property scores as a two-row frame, like SDMetrics' ``get_properties()``.

        With a holdout, two more columns: ``holdout`` (its score, the ceiling) and
        ``synthetic_minus_holdout``.
        """
        frame = pd.DataFrame(
            {
                "property": ["Column Shapes", "Column Pair Trends"],
                "score": [self.column_shapes_score, self.column_pair_trends_score],
            }
        )
        if self.has_holdout:
            frame["holdout"] = [self.holdout_column_shapes_score, self.holdout_column_pair_trends_score]
            frame["synthetic_minus_holdout"] = frame["score"] - frame["holdout"]
        return frame

    def worst_columns(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` columns whose shapes match worst."""
        return self.column_details.nsmallest(n, "score")

    def worst_pairs(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` counted column pairs whose trends match worst."""
        counted = self.pair_details[self.pair_details["contributes"]]
        return counted.nsmallest(n, "score")

    def to_dict(self) -> dict[str, Any]:
        """Scores and details as plain JSON-able data (no chart data)."""
        return {
            "score": _json_float(self.score),
            "column_shapes": _json_float(self.column_shapes_score),
            "column_pair_trends": _json_float(self.column_pair_trends_score),
            "n_real": self.n_real,
            "n_synthetic": self.n_synthetic,
            "column_types": dict(self.column_types),
            "columns": _records(self.column_details),
            "pairs": _records(self.pair_details),
            **self._holdout_dict(),
        }

    def _holdout_dict(self) -> dict[str, Any]:
        if not self.has_holdout:
            return {}
        pairs = [
            ("score", self.score, self.holdout_score),
            ("column_shapes", self.column_shapes_score, self.holdout_column_shapes_score),
            ("column_pair_trends", self.column_pair_trends_score, self.holdout_column_pair_trends_score),
        ]
        return {
            "n_holdout": self.n_holdout,
            "holdout": {name: _json_float(h) for name, _, h in pairs},
            "synthetic_minus_holdout": {name: _json_float(syn - h) for name, syn, h in pairs},
            "holdout_note": HOLDOUT_NOTE,
        }

    def __repr__(self) -> str:
        return (
            f"Report(score={_fmt(self.score)}, column_shapes={_fmt(self.column_shapes_score)}, "
            f"column_pair_trends={_fmt(self.column_pair_trends_score)}, "
            f"columns={len(self.column_details)}, pairs={len(self.pair_details)}{self._holdout_repr()})"
        )

    def _holdout_repr(self) -> str:
        if not self.has_holdout:
            return ""
        return (
            f", holdout_score={_fmt(self.holdout_score)}, "
            f"holdout_column_shapes={_fmt(self.holdout_column_shapes_score)}, "
            f"holdout_column_pair_trends={_fmt(self.holdout_column_pair_trends_score)}"
        )

    def _holdout_html(self) -> str:
        if not self.has_holdout:
            return (
                "<table><tr><th>Column Shapes</th><th>Column Pair Trends</th></tr>"
                f"<tr><td>{_bar(self.column_shapes_score)}</td><td>{_bar(self.column_pair_trends_score)}</td></tr></table>"
            )
        rows = [
            ("Synthetic", self.score, self.column_shapes_score, self.column_pair_trends_score),
            (
                f"Holdout ({self.n_holdout:,} real rows; the ceiling)",
                self.holdout_score,
                self.holdout_column_shapes_score,
                self.holdout_column_pair_trends_score,
            ),
        ]
        body = "".join(
            f"<tr><td>{name}</td><td>{_bar(o)}</td><td>{_bar(c)}</td><td>{_bar(p)}</td></tr>" for name, o, c, p in rows
        )
        return (
            "<table><tr><th></th><th>Overall</th><th>Column Shapes</th><th>Column Pair Trends</th></tr>"
            f"{body}</table><p style='margin: 0.2em 0'>{html.escape(HOLDOUT_NOTE)}</p>"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(r.column))}</td><td>{r.sdtype}</td><td>{r.metric}</td>"
            f"<td>{_bar(r.score)}</td><td>{_fmt(r.missing_similarity)}</td><td>{_fmt(r.coverage)}</td></tr>"
            for r in self.column_details.itertuples()
        )
        worst = "".join(
            f"<tr><td>{html.escape(str(r.column_1))} &times; {html.escape(str(r.column_2))}</td>"
            f"<td>{r.metric}</td><td>{_bar(r.score)}</td></tr>"
            for r in self.worst_pairs(5).itertuples()
        )
        counted = int(self.pair_details["contributes"].sum()) if len(self.pair_details) else 0
        skipped = [c for c, t in self.column_types.items() if t == "id"]
        note = f"<p>Skipped identifier columns: {html.escape(', '.join(map(str, skipped)))}</p>" if skipped else ""
        return (
            '<div class="synthbench-report" style="font-family: sans-serif; max-width: 56em">'
            f"<h3 style='margin: 0.2em 0'>Quality report: {_pct(self.score)}</h3>"
            f"<p style='margin: 0.2em 0'>{self.n_real:,} real rows, {self.n_synthetic:,} synthetic rows, "
            f"{len(self.column_details)} columns, {len(self.pair_details)} pairs ({counted} counted).</p>"
            f"{self._holdout_html()}"
            "<details open><summary>Columns</summary><table><tr><th>column</th><th>type</th><th>metric</th>"
            f"<th>score</th><th>missing</th><th>coverage</th></tr>{rows}</table></details>"
            "<details><summary>Weakest counted pairs</summary><table><tr><th>pair</th><th>metric</th>"
            f"<th>score</th></tr>{worst}</table></details>{note}</div>"
        )


def _json_float(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (_json_float(v) if isinstance(v, float) else v) for k, v in rec.items()})
    return out


def _fmt(x: float) -> str:
    return "n/a" if x is None or np.isnan(x) else f"{x:.3f}"


def _pct(x: float) -> str:
    return "n/a" if x is None or np.isnan(x) else f"{100 * x:.1f}%"


def _bar(x: float) -> str:
    if x is None or np.isnan(x):
        return "n/a"
    color = "#2e7d32" if x >= 0.8 else "#f9a825" if x >= 0.6 else "#c62828"
    return (
        f'<span style="display:inline-block;width:6em;background:#eee;vertical-align:middle">'
        f'<span style="display:block;width:{100 * x:.0f}%;height:0.8em;background:{color}"></span></span> {x:.3f}'
    )


# -- chart data: aggregates only ------------------------------------------------------------
def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else counts.astype("float64")


def _histogram(col: _Column, bins: int) -> pd.DataFrame:
    s = col.synthetic[~np.isnan(col.synthetic)]
    r = col.real_present if col.real_present is not None else col.real[~np.isnan(col.real)]
    ends = [x for x in (r[:1], r[-1:], s) if len(x)] if col.real_present is not None else [r, s]
    both = np.concatenate(ends) if ends else np.empty(0)
    lo, hi = (min(both.min(), both.max()), both.max()) if len(both) else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    # Equal-width bins over a given range take numpy's fast path (no search per value).
    syn_counts, edges = np.histogram(s, bins=bins, range=(lo, hi))
    if col.real_present is not None:
        # The kept, sorted real values: bin counts from one search per edge, the counts
        # np.histogram gives ([left, right) bins, the last one closed).
        below = np.searchsorted(r, edges[:-1], side="left")
        real_counts = np.diff(np.r_[below, len(r)])
    else:
        real_counts, _ = np.histogram(r, bins=bins, range=(lo, hi))
    frame = pd.DataFrame(
        {"left": edges[:-1], "right": edges[1:], "real": _shares(real_counts), "synthetic": _shares(syn_counts)}
    )
    if col.sdtype == "datetime":
        for side in ("left", "right"):
            frame[side] = pd.to_datetime(frame[side].round().astype("int64"), unit=col.unit)
    return frame


def _categories(col: _Column, max_categories: int) -> pd.DataFrame:
    labels = col.labels
    r = np.bincount(col.real[col.real >= 0], minlength=col.n_codes)
    s = np.bincount(col.synthetic[col.synthetic >= 0], minlength=col.n_codes)
    order = np.lexsort((-s, -r))
    top, rest = order[:max_categories], order[max_categories:]
    names = [str(labels[i]) for i in top]
    real_counts, syn_counts = list(r[top]), list(s[top])
    if len(rest):
        names.append("(other)")
        real_counts.append(r[rest].sum())
        syn_counts.append(s[rest].sum())
    n_real_missing = int((col.real < 0).sum())
    n_syn_missing = int((col.synthetic < 0).sum())
    if n_real_missing or n_syn_missing:
        names.append("(missing)")
        real_counts.append(n_real_missing)
        syn_counts.append(n_syn_missing)
    rc = np.asarray(real_counts, dtype="float64")
    sc = np.asarray(syn_counts, dtype="float64")
    return pd.DataFrame(
        {"category": names, "real": rc / len(col.real), "synthetic": sc / len(col.synthetic)},
    )


def _long_matrix(names: list[Any], pairs: pd.DataFrame, value_cols: Mapping[str, str], diagonal: float) -> pd.DataFrame:
    """A symmetric matrix in long form: the diagonal, then each pair both ways round."""
    first = pairs["column_1"].to_numpy(dtype=object)
    second = pairs["column_2"].to_numpy(dtype=object)
    names_arr = np.asarray(names, dtype=object)
    data: dict[str, Any] = {
        "column_1": np.concatenate([names_arr, first, second]),
        "column_2": np.concatenate([names_arr, second, first]),
    }
    for source, target in value_cols.items():
        values = pairs[source].to_numpy(dtype="float64")
        data[target] = np.concatenate([np.full(len(names), diagonal), values, values])
    return pd.DataFrame(data)


def _chart_data(
    columns: list[_Column],
    pairs: pd.DataFrame,
    bins: int,
    max_categories: int,
) -> dict[str, Any]:
    histograms, categories = {}, {}
    for col in columns:
        if col.continuous:
            histograms[col.name] = _histogram(col, bins)
        else:
            categories[col.name] = _categories(col, max_categories)
    continuous = [c.name for c in columns if c.continuous]
    corr_pairs = pairs[pairs["metric"] == "CorrelationSimilarity"]
    correlations = _long_matrix(
        continuous, corr_pairs, {"real_correlation": "real", "synthetic_correlation": "synthetic"}, 1.0
    )
    pair_scores = _long_matrix([c.name for c in columns], pairs, {"score": "score"}, 1.0)
    return {
        "histograms": histograms,
        "categories": categories,
        "correlations": correlations,
        "pair_scores": pair_scores,
    }


def sample_chart_data(frame: pd.DataFrame, *, bins: int = 20, max_categories: int = 20) -> dict[str, Any]:
    """The chart data of one frame described alone: what :func:`quality_report` would chart
    for ``quality_report(frame, frame)``, without the scores (nothing to compare with).

    Histograms, category shares and Pearson correlations, with the same bins and pooling;
    ``pair_scores`` is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.1, 5.9, 8.2], "c": list("aabb")})
    >>> data = sample_chart_data(frame, bins=4)
    >>> data["histograms"]["x"]["synthetic"].tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> data["correlations"].equals(quality_report(frame, frame, bins=4).chart_data["correlations"])
    True
    """
    bins = _check_int(bins, "bins", 1)
    max_categories = _check_int(max_categories, "max_categories", 1)
    check_frames(frame, frame, names=("data", "data"))
    types = _column_types(frame, frame)
    columns = _prepare(frame, frame, types)
    continuous = [c for c in columns if c.continuous]
    # Correlation pairs only: the frame against itself scores 1 everywhere.
    pairs = _pair_rows(continuous, 0.0, 0.0)
    data = _chart_data(columns, pairs, bins, max_categories)
    del data["pair_scores"]
    return data


def _check_int(value: Any, name: str, low: int) -> int:
    return int(check_value(value, name, Int(low)))


def quality_report(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    column_types: Mapping[str, str] | None = None,
    real_correlation_threshold: float = CORRELATION_THRESHOLD,
    real_association_threshold: float = ASSOCIATION_THRESHOLD,
    bins: int = 20,
    max_categories: int = 20,
    holdout: pd.DataFrame | None = None,
) -> Report:
    """Compare synthetic data with real data: SDMetrics' quality score, details and chart data.

    Parameters
    ----------
    real, synthetic : DataFrame
        Frames with the same columns (row counts may differ). ``real`` may be a
        :class:`~synthbench.evaluate.RealProfile` of the real frame: the same report,
        with the real side's work kept between calls.
    column_types : dict, optional
        Column name to sdtype where the inferred one is not wanted
        (``"numerical"``, ``"datetime"``, ``"categorical"``, ``"boolean"``, ``"id"``).
    real_correlation_threshold, real_association_threshold : float in [0, 1]
        Relevance thresholds for counting a pair in Column Pair Trends (SDMetrics'
        defaults 0.5 and 0.3; 0 counts every pair).
    bins : int
        Histogram bins per continuous column in the chart data.
    max_categories : int
        Categories shown per discrete column in the chart data; the rest are pooled
        as ``"(other)"``.
    holdout : DataFrame, optional
        Real rows the generator never saw, with the same columns. The report then also
        scores the holdout against ``real`` with the same definitions and column types,
        the ceiling to read the synthetic score against: a synthetic score above the
        holdout's suggests copying of the training rows.

    Returns
    -------
    Report

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.1, 5.9, 8.2], "c": list("aabb")})
    >>> syn = pd.DataFrame({"x": [1.5, 2.0, 3.5, 4.0], "y": [2.0, 4.0, 7.0, 8.0], "c": list("abbb")})
    >>> report = quality_report(real, syn)
    >>> round(report.score, 3), round(report.column_shapes_score, 3)
    (0.708, 0.75)
    >>> report.chart_data["categories"]["c"]
      category  real  synthetic
    0        b   0.5       0.75
    1        a   0.5       0.25
    >>> with_ceiling = quality_report(real, syn, holdout=real.iloc[::-1])
    >>> with_ceiling.score == report.score, with_ceiling.holdout_score
    (True, 1.0)
    """
    corr_t = _check_threshold(real_correlation_threshold, "real_correlation_threshold")
    assoc_t = _check_threshold(real_association_threshold, "real_association_threshold")
    bins = _check_int(bins, "bins", 1)
    max_categories = _check_int(max_categories, "max_categories", 1)
    types, columns = _setup(real, synthetic, column_types)
    profile = _profile(real)
    shapes = _column_rows(columns)
    pairs = _pair_rows(columns, corr_t, assoc_t, profile)
    scores = _scores(shapes, pairs)
    if profile is not None:
        column_types, real = profile.column_types, profile.frame
    ceiling: dict[str, Any] = {}
    if holdout is not None:
        ceiling = _holdout_scores(real, holdout, column_types, types, shapes, pairs, corr_t, assoc_t)
    return Report(
        score=scores["score"],
        column_shapes_score=scores["column_shapes"],
        column_pair_trends_score=scores["column_pair_trends"],
        column_details=shapes,
        pair_details=pairs,
        column_types=types,
        chart_data=_chart_data(columns, pairs, bins, max_categories),
        n_real=len(real),
        n_synthetic=len(synthetic),
        **ceiling,
    )


def _holdout_scores(
    real: pd.DataFrame,
    holdout: Any,
    overrides: Mapping[str, str] | None,
    types: dict[str, str],
    shapes: pd.DataFrame,
    pairs: pd.DataFrame,
    corr_t: float,
    assoc_t: float,
) -> dict[str, Any]:
    """The holdout scored against ``real`` with the synthetic run's types; adds ``holdout_score`` to the details."""
    check_frames(real, holdout, names=("real", "holdout"))
    # Checks the holdout's columns agree in type with the real data (DataError otherwise).
    _column_types(real, holdout, overrides, names=("real", "holdout"))
    columns = _prepare(real, holdout, types)
    h_shapes = _column_rows(columns)
    h_pairs = _pair_rows(columns, corr_t, assoc_t)
    h_scores = _scores(h_shapes, h_pairs)
    shapes["holdout_score"] = h_shapes["score"].to_numpy()
    pairs["holdout_score"] = h_pairs["score"].to_numpy()
    return {
        "holdout_score": h_scores["score"],
        "holdout_column_shapes_score": h_scores["column_shapes"],
        "holdout_column_pair_trends_score": h_scores["column_pair_trends"],
        "n_holdout": len(holdout),
    }
