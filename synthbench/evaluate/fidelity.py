"""Fidelity: how closely synthetic data follows the real data, column by column and pair by pair.

The metrics and the overall score use the definitions of SDMetrics' single-column and
column-pair metrics and of its single-table ``QualityReport`` (SDMetrics 0.32), computed
in numpy so they are fast enough to re-run on every widget change:

========================  ===========================================================
``KSComplement``          numerical/datetime column: 1 - Kolmogorov-Smirnov D statistic
                          of the non-missing values (datetimes as timestamps).
``TVComplement``          categorical/boolean column: 1 - total variation distance of
                          the category frequencies (missing values dropped).
``MissingValueSimilarity``  1 - |share missing real - share missing synthetic|.
``RangeCoverage``         numerical/datetime: how much of the real [min, max] the
                          synthetic values span (NaN for a constant real column).
``CategoryCoverage``      categorical/boolean: share of real categories that occur in
                          the synthetic data.
``CorrelationSimilarity``  two continuous columns: 1 - |Pearson real - Pearson
                          synthetic| / 2, on the rows where both are present.
``ContingencySimilarity``  any pair with a discrete column: 1 - total variation distance
                          of the two-way frequency tables (missing counts as a value).
========================  ===========================================================

Quality score (SDMetrics' ``QualityReport``): *Column Shapes* is the mean of the
KS/TV complements; *Column Pair Trends* is the mean of the pair scores that pass
SDMetrics' relevance thresholds (|real Pearson| > 0.5 for correlation pairs, real
Cramér's V > 0.3 for contingency pairs; both 0 counts every pair); the overall score
is the mean of the two. In a pair of a continuous and a discrete column, the
continuous one is cut into 10 equal-width bins over *its own frame's* range (real and
synthetic binned separately, as SDMetrics does; a missing value shares the top bin).
Where SDMetrics subsamples 50,000 rows for contingency tables, we use every row.

Examples
--------
>>> import pandas as pd
>>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"]})
>>> synthetic = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0], "c": ["a", "b", "b", "b"]})
>>> column_shapes(real, synthetic)[["column", "metric", "score"]]
  column        metric  score
0      x  KSComplement   0.75
1      c  TVComplement   0.75
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, InvalidParameterError
from ..params import short_repr
from ..table import check_frame
from ._types import (
    CONTINUOUS,
    DISCRETE,
    as_float,
    check_frames,
    column_types,
    common_datetime_unit,
    continuous_pair,
    discrete_codes,
)

__all__ = [
    "RealProfile",
    "category_coverage",
    "column_pair_trends",
    "column_shapes",
    "contingency_similarity",
    "correlation_similarity",
    "ks_complement",
    "missing_value_similarity",
    "quality_score",
    "range_coverage",
    "tv_complement",
]

#: SDMetrics rounds floats to this many decimals before its KS test (sys.float_info.dig - 1).
_KS_DECIMALS = 14
#: SDMetrics' default relevance thresholds in ``QualityReport`` (0.32).
CORRELATION_THRESHOLD = 0.5
ASSOCIATION_THRESHOLD = 0.3
#: Bins for a continuous column in a contingency pair (``np.histogram_bin_edges`` default).
_PAIR_BINS = 10


# -- single-column metrics over arrays ---------------------------------------------------
def _ks_statistic(a: np.ndarray, b: np.ndarray, *, a_sorted: bool = False) -> float:
    """Two-sample KS D statistic: the largest gap between the two empirical CDFs.

    Equal to ``scipy.stats.ks_2samp(a, b).statistic``. Between two distinct values of
    ``b`` its CDF is flat and ``a``'s only grows, so the largest gap is at one of the
    ends: at each distinct value of ``b`` and just before it. That takes two sorted
    searches of ``b``'s values in ``a`` and none of ``a``'s (``a`` may be the long, kept
    real side). ``a_sorted`` says ``a`` is sorted already.
    """
    a = a if a_sorted else np.sort(a)
    b = np.sort(b)
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])  # first of each run of ties
    ends = np.r_[starts[1:], len(b)]  # one past the last
    values = b[starts]
    at = np.searchsorted(a, values, side="right") / len(a) - ends / len(b)
    before = np.searchsorted(a, values, side="left") / len(a) - starts / len(b)
    return float(max(np.abs(at).max(), np.abs(before).max()))


def _ks_real(real: np.ndarray, rounded: bool) -> np.ndarray:
    """The real side of the KS test: present values, rounded as SDMetrics does, sorted."""
    real = real[~np.isnan(real)]
    return np.sort(np.round(real, _KS_DECIMALS) if rounded else real)


def _ks_complement(
    real: np.ndarray, synthetic: np.ndarray, rounded: bool, *, real_sorted: np.ndarray | None = None
) -> float:
    real = _ks_real(real, rounded) if real_sorted is None else real_sorted
    synthetic = synthetic[~np.isnan(synthetic)]
    if len(real) == 0 or len(synthetic) == 0:
        return float("nan")
    if rounded:
        synthetic = np.round(synthetic, _KS_DECIMALS)
    return 1.0 - _ks_statistic(real, synthetic, a_sorted=True)


def _tv_complement(real: np.ndarray, synthetic: np.ndarray, n_codes: int) -> float:
    real = real[real >= 0]
    synthetic = synthetic[synthetic >= 0]
    if len(real) == 0 or len(synthetic) == 0:
        return float("nan")
    r = np.bincount(real, minlength=n_codes).astype("float64")
    s = np.bincount(synthetic, minlength=n_codes).astype("float64")
    # SDMetrics adds 1e-6 to real counts of categories only the synthetic data has, so
    # the real total grows by 1e-6 per such category; reproduced for exact agreement.
    new = (r == 0) & (s > 0)
    r[new] = 1e-6
    present = (r > 0) | (s > 0)
    return float(1.0 - 0.5 * np.abs(s[present] / len(synthetic) - r[present] / r.sum()).sum())


def _range_coverage(real: np.ndarray, synthetic: np.ndarray) -> float:
    if np.isnan(real).all() or np.isnan(synthetic).all():
        return float("nan")
    min_r, max_r = np.nanmin(real), np.nanmax(real)
    min_s, max_s = np.nanmin(synthetic), np.nanmax(synthetic)
    if min_r == max_r:
        return float("nan")
    low = max((min_s - min_r) / (max_r - min_r), 0)
    high = max((max_r - max_s) / (max_r - min_r), 0)
    return float(max(1 - (low + high), 0))


def _category_coverage(real: np.ndarray, synthetic: np.ndarray) -> float:
    real_values = np.unique(real[real >= 0])
    if len(real_values) == 0:
        return float("nan")
    return float(np.isin(real_values, synthetic).mean())


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r as ``scipy.stats.pearsonr``: NaN for a constant input."""
    if len(x) < 2:
        raise DataError("fewer than 2 rows have both values")
    if (x == x[0]).all() or (y == y[0]).all():
        return float("nan")
    xm = x - x.mean()
    ym = y - y.mean()
    xm = xm / np.abs(xm).max()
    ym = ym / np.abs(ym).max()
    # Elementwise sums rather than BLAS dot: a threaded ddot stalls on a busy machine.
    r = (xm * ym).sum() / np.sqrt((xm * xm).sum() * (ym * ym).sum())
    return float(np.clip(r, -1.0, 1.0))


def _cramers_v(counts: np.ndarray) -> float:
    """Cramér's V of a two-way table (no continuity correction), as ``scipy.stats.contingency.association``."""
    table = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return float("nan")
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / n / (min(table.shape) - 1)))


def _joint_counts(
    ra: np.ndarray, rb: np.ndarray, sa: np.ndarray, sb: np.ndarray, ka: int, kb: int
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Counts of each (a, b) cell in real and synthetic data, over a shared cell index."""
    jr = ra * kb + rb
    js = sa * kb + sb
    if ka * kb <= 4 * (len(jr) + len(js)) + 1024:
        cells = ka * kb
        return np.bincount(jr, minlength=cells), np.bincount(js, minlength=cells), (ka, kb)
    # Many categories: count only the cells that occur.
    uniq, inverse = np.unique(np.concatenate([jr, js]), return_inverse=True)
    cr = np.bincount(inverse[: len(jr)], minlength=len(uniq))
    cs = np.bincount(inverse[len(jr) :], minlength=len(uniq))
    return cr, cs, (-1, -1)


# -- prepared columns --------------------------------------------------------------------
@dataclass
class _Column:
    """One column of both frames, encoded once for every metric that needs it."""

    name: Any
    sdtype: str
    real: np.ndarray  # float64 values (continuous) or int codes, -1 missing (discrete)
    synthetic: np.ndarray
    n_codes: int = 0
    rounded: bool = False  # float column: SDMetrics rounds it before the KS test
    pair_real: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    pair_synthetic: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    pair_k: int = 0
    labels: pd.Index | None = None  # discrete: the value behind each code
    unit: str | None = None  # datetime: the resolution both sides are counted in
    real_sorted: np.ndarray | None = None  # continuous: the real side of the KS test, when prepared
    real_present: np.ndarray | None = None  # continuous: the real values present, sorted, when prepared

    @property
    def continuous(self) -> bool:
        return self.sdtype in CONTINUOUS


def _bin_codes(values: np.ndarray) -> np.ndarray:
    # SDMetrics' ColumnPairTrends: np.digitize against np.histogram_bin_edges of the
    # frame's own non-missing values; NaN lands in the top index (len(edges)).
    edges = np.histogram_bin_edges(values[~np.isnan(values)], bins=_PAIR_BINS)
    return np.digitize(values, bins=edges).astype(np.int64)


def _prepare(
    real: pd.DataFrame, synthetic: pd.DataFrame, types: Mapping[str, str], profile: RealProfile | None = None
) -> list[_Column]:
    columns = []
    for name, sdtype in types.items():
        if sdtype not in CONTINUOUS + DISCRETE:
            continue
        r, s = real[name], synthetic[name]
        if sdtype in CONTINUOUS:
            rounded = sdtype == "numerical" and (
                pd.api.types.is_float_dtype(r.dtype) or pd.api.types.is_float_dtype(s.dtype)
            )
            if profile is None:
                rv, sv = continuous_pair(r, s, sdtype)
                unit = common_datetime_unit(r, s) if sdtype == "datetime" else None
                col = _Column(name, sdtype, rv, sv, rounded=rounded, unit=unit)
                col.pair_real = _bin_codes(rv)
            else:
                col = profile._continuous(name, sdtype, s, rounded)
            col.pair_synthetic = _bin_codes(col.synthetic)
            col.pair_k = _PAIR_BINS + 2
        elif profile is not None:
            columns.append(profile._discrete(name, sdtype, s))
            continue
        else:
            rc, sc, labels = discrete_codes(r, s)
            k = len(labels)
            col = _Column(name, sdtype, rc, sc, n_codes=k, labels=labels)
            # Missing values are a cell of their own in contingency tables (groupby dropna=False).
            col.pair_real = np.where(rc < 0, k, rc)
            col.pair_synthetic = np.where(sc < 0, k, sc)
            col.pair_k = k + 1
        columns.append(col)
    return columns


def _setup(real: Any, synthetic: Any, overrides: Mapping[str, str] | None) -> tuple[dict[str, str], list[_Column]]:
    if isinstance(real, RealProfile):
        return real._setup(synthetic, overrides)
    check_frames(real, synthetic)
    types = column_types(real, synthetic, overrides)
    return types, _prepare(real, synthetic, types)


class RealProfile:
    """The real side of every comparison, read once: a prepared reference.

    Pass it wherever a function of this module (or :func:`quality_report`) takes the
    real frame; the results are the same as with the frame itself, but what depends
    only on the real data is computed at the first comparison and kept: column types,
    numbers and category codes, sorted values for the KS test, the pair bins, the real
    correlations and contingency tables. A panel comparing many samples with one real
    frame pays for the real side once.

    Parameters
    ----------
    real : DataFrame
        The real frame. The profile keeps a reference to it, not a copy: do not change
        it in place while the profile is in use.
    column_types : dict, optional
        sdtype overrides, as in :func:`column_shapes` (then fixed for the profile).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> syn = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0], "c": list("abbb")})
    >>> profile = RealProfile(real)
    >>> quality_score(profile, syn) == quality_score(real, syn)
    True
    """

    def __init__(self, real: pd.DataFrame, *, column_types: Mapping[str, str] | None = None) -> None:
        check_frame(real, "The real data")
        self.frame = real
        self.column_types = None if column_types is None else dict(column_types)
        self._kinds: dict[Any, tuple[str, bool]] = {}
        self._memo: dict[tuple, Any] = {}

    def __repr__(self) -> str:
        return f"RealProfile({self.frame.shape[0]} rows x {self.frame.shape[1]} columns)"

    def _get(self, key: tuple, make: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def _setup(self, synthetic: Any, overrides: Mapping[str, str] | None) -> tuple[dict[str, str], list[_Column]]:
        if overrides is not None and dict(overrides) != (self.column_types or {}):
            raise InvalidParameterError(
                "The 'column_types' parameter cannot change a RealProfile's column types; "
                "give them to RealProfile(real, column_types=...) instead."
            )
        check_frame(synthetic, "The synthetic data")
        real = self.frame
        missing = [c for c in real.columns if c not in synthetic.columns]
        extra = [c for c in synthetic.columns if c not in real.columns]
        if missing or extra:
            raise DataError(
                "The real and synthetic data must have the same columns. "
                f"Missing in synthetic: {missing}; not in real: {extra}."
            )
        types = column_types(real, synthetic, self.column_types, real_kinds=self._kinds)
        return types, _prepare(real, synthetic, types, self)

    def _continuous(self, name: Any, sdtype: str, synthetic: pd.Series, rounded: bool) -> _Column:
        real = self.frame[name]
        unit = None
        if sdtype == "datetime":
            # Both sides on the finer of the two resolutions, as continuous_pair does.
            real_unit = self._get(("unit", name), lambda: _unit(real, name))
            unit = max(real_unit, _unit(synthetic, name), key=_UNITS.index)
            rv = self._get(("dates", name, unit), lambda: _dates(real, unit, name))
            sv = _dates(synthetic, unit, name)
        else:
            rv = self._get(("values", name, sdtype), lambda: as_float(real, sdtype))
            sv = as_float(synthetic, sdtype)
        col = _Column(name, sdtype, rv, sv, rounded=rounded, unit=unit)
        col.real_present = self._get(("present", name, sdtype, unit), lambda: np.sort(rv[~np.isnan(rv)]))
        col.real_sorted = (
            self._get(("ks", name, sdtype, unit), lambda: _ks_real(rv, True)) if rounded else col.real_present
        )
        col.pair_real = self._get(("bins", name, sdtype, unit), lambda: _bin_codes(rv))
        return col

    def _discrete(self, name: Any, sdtype: str, synthetic: pd.Series) -> _Column:
        real = self.frame[name]

        def encode() -> tuple[np.ndarray, pd.Series]:
            codes, _ = pd.factorize(real, use_na_sentinel=True)
            codes = np.asarray(codes, dtype=np.int64)
            _, first = np.unique(codes[codes >= 0], return_index=True)
            # The real rows where each value first occurs, in code order (dtype kept).
            positions = np.flatnonzero(codes >= 0)[np.sort(first)]
            return codes, real.iloc[positions]

        rc, firsts = self._get(("codes", name), encode)
        # Codes of the first occurrences then the synthetic column number the values as the
        # whole real column followed by the synthetic one would (first appearance order).
        _, sc, labels = discrete_codes(firsts, synthetic)
        k = len(labels)
        col = _Column(name, sdtype, rc, sc, n_codes=k, labels=labels)
        col.pair_real = np.where(rc < 0, k, rc)
        col.pair_synthetic = np.where(sc < 0, k, sc)
        col.pair_k = k + 1
        return col


_UNITS = ("s", "ms", "us", "ns")


def _unit(series: pd.Series, name: Any) -> str:
    try:
        return common_datetime_unit(series)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"Column {name!r} is treated as datetime but cannot be read as dates: {exc}") from None


def _profile(real: Any) -> RealProfile | None:
    return real if isinstance(real, RealProfile) else None


def _dates(series: pd.Series, unit: str, name: Any) -> np.ndarray:
    try:
        return as_float(series, "datetime", unit=unit)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"Column {name!r} is treated as datetime but cannot be read as dates: {exc}") from None


def _check_threshold(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not 0 <= value <= 1:
        raise InvalidParameterError(
            f"The {name!r} parameter must be a float in the range [0, 1]. Got {short_repr(value)} instead."
        )
    return float(value)


# -- property frames ---------------------------------------------------------------------
def _column_rows(columns: list[_Column]) -> pd.DataFrame:
    rows = []
    for c in columns:
        missing_real = float(np.mean(np.isnan(c.real) if c.continuous else c.real < 0))
        missing_syn = float(np.mean(np.isnan(c.synthetic) if c.continuous else c.synthetic < 0))
        if c.continuous:
            metric, score = "KSComplement", _ks_complement(c.real, c.synthetic, c.rounded, real_sorted=c.real_sorted)
            cov_metric, coverage = "RangeCoverage", _range_coverage(c.real, c.synthetic)
        else:
            metric, score = "TVComplement", _tv_complement(c.real, c.synthetic, c.n_codes)
            cov_metric, coverage = "CategoryCoverage", _category_coverage(c.real, c.synthetic)
        rows.append(
            {
                "column": c.name,
                "sdtype": c.sdtype,
                "metric": metric,
                "score": score,
                "missing_real": missing_real,
                "missing_synthetic": missing_syn,
                "missing_similarity": 1.0 - abs(missing_real - missing_syn),
                "coverage_metric": cov_metric,
                "coverage": coverage,
            }
        )
    cols = [
        "column",
        "sdtype",
        "metric",
        "score",
        "missing_real",
        "missing_synthetic",
        "missing_similarity",
        "coverage_metric",
        "coverage",
    ]
    return pd.DataFrame(rows, columns=cols)


def _is_constant(values: np.ndarray) -> bool:
    """Exactly one distinct non-missing value (pandas ``nunique() == 1``)."""
    present = values[~np.isnan(values)]
    return len(present) > 0 and present.min() == present.max()


def _correlations(values: list[np.ndarray]) -> np.ndarray:
    """Pearson matrix of complete columns in one matrix product; NaN where a column has gaps."""
    p = len(values)
    out = np.full((p, p), np.nan)
    complete = [i for i, v in enumerate(values) if not np.isnan(v).any() and len(v) > 1 and not _is_constant(v)]
    if complete:
        x = np.column_stack([values[i] for i in complete])
        x = x - x.mean(axis=0)
        x = x / np.abs(x).max(axis=0)  # scaled like scipy, so huge timestamps do not overflow
        gram = x.T @ x
        norm = np.sqrt(np.diag(gram))
        out[np.ix_(complete, complete)] = np.clip(gram / np.outer(norm, norm), -1.0, 1.0)
    return out


def _pair_rows(
    columns: list[_Column],
    correlation_threshold: float,
    association_threshold: float,
    profile: RealProfile | None = None,
) -> pd.DataFrame:
    rows = []
    continuous = [c for c in columns if c.continuous]
    memo = profile._get if profile is not None else (lambda _key, make: make())
    constant_real = {c.name: memo(("constant", c.name, c.unit), lambda c=c: _is_constant(c.real)) for c in continuous}
    constant_syn = {c.name: _is_constant(c.synthetic) for c in continuous}
    position = {id(c): i for i, c in enumerate(continuous)}
    corr_key = ("correlations", tuple((c.name, c.unit) for c in continuous))
    corr_real = memo(corr_key, lambda: _correlations([c.real for c in continuous]))
    corr_syn = _correlations([c.synthetic for c in columns if c.continuous])
    for a, b in itertools.combinations(columns, 2):
        row = {"column_1": a.name, "column_2": b.name, "real_correlation": np.nan}
        row.update({"synthetic_correlation": np.nan, "real_association": np.nan, "error": None})
        if a.continuous and b.continuous:
            row["metric"] = "CorrelationSimilarity"
            score = np.nan
            if constant_real[a.name] or constant_real[b.name] or constant_syn[a.name] or constant_syn[b.name]:
                row["error"] = "a column is constant, so the correlation is undefined"
            else:
                i, j = position[id(a)], position[id(b)]
                try:
                    r_real = corr_real[i, j]
                    if np.isnan(r_real):
                        keep = ~(np.isnan(a.real) | np.isnan(b.real))
                        r_real = _pearson(a.real[keep], b.real[keep])
                    r_syn = corr_syn[i, j]
                    if np.isnan(r_syn):
                        keep = ~(np.isnan(a.synthetic) | np.isnan(b.synthetic))
                        r_syn = _pearson(a.synthetic[keep], b.synthetic[keep])
                except DataError as exc:
                    row["error"] = str(exc)
                else:
                    row["real_correlation"], row["synthetic_correlation"] = r_real, r_syn
                    score = 1 - abs(r_real - r_syn) / 2
            contributes = correlation_threshold <= 0 or (
                not np.isnan(row["real_correlation"]) and abs(row["real_correlation"]) > correlation_threshold
            )
            if row["error"] is not None:
                contributes = False
        else:
            row["metric"] = "ContingencySimilarity"
            cr, cs, shape = _pair_counts(a, b, profile)
            score = 1.0 - 0.5 * np.abs(cr / len(a.pair_real) - cs / len(a.pair_synthetic)).sum()
            if association_threshold > 0:
                key = ("association", a.name, b.name, a.pair_k, b.pair_k, a.unit, b.unit)
                row["real_association"] = memo(key, lambda a=a, b=b, cr=cr, shape=shape: _association(a, b, cr, shape))
                contributes = not np.isnan(row["real_association"]) and row["real_association"] > association_threshold
            else:
                contributes = True
        row["score"] = float(score)
        row["contributes"] = bool(contributes)
        rows.append(row)
    cols = [
        "column_1",
        "column_2",
        "metric",
        "score",
        "real_correlation",
        "synthetic_correlation",
        "real_association",
        "contributes",
        "error",
    ]
    return pd.DataFrame(rows, columns=cols).astype({"contributes": bool})


def _pair_counts(a: _Column, b: _Column, profile: RealProfile | None) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Real and synthetic counts of a contingency pair; the real ones kept by a profile when dense."""
    cells = a.pair_k * b.pair_k
    if profile is None or cells > 4 * (len(a.pair_real) + len(a.pair_synthetic)) + 1024:
        return _joint_counts(a.pair_real, b.pair_real, a.pair_synthetic, b.pair_synthetic, a.pair_k, b.pair_k)
    key = ("counts", a.name, b.name, a.pair_k, b.pair_k, a.unit, b.unit)
    cr = profile._get(key, lambda: np.bincount(a.pair_real * b.pair_k + b.pair_real, minlength=cells))
    cs = np.bincount(a.pair_synthetic * b.pair_k + b.pair_synthetic, minlength=cells)
    return cr, cs, (a.pair_k, b.pair_k)


def _association(a: _Column, b: _Column, cr: np.ndarray, shape: tuple[int, int]) -> float:
    table = cr.reshape(shape) if shape[0] > 0 else _dense_table(a.pair_real, b.pair_real)
    return _cramers_v(table.astype("float64"))


def _dense_table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1)
    return table


def _mean(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def _scores(shapes: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, float]:
    shape_score = _mean(shapes["score"])
    pair_score = _mean(pairs.loc[pairs["contributes"], "score"]) if len(pairs) else float("nan")
    both = [s for s in (shape_score, pair_score) if not np.isnan(s)]
    overall = float(np.mean(both)) if both else float("nan")
    return {"score": overall, "column_shapes": shape_score, "column_pair_trends": pair_score}


# -- public API --------------------------------------------------------------------------
def column_shapes(
    real: pd.DataFrame, synthetic: pd.DataFrame, *, column_types: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per column: its shape score and its missing-value and coverage similarity.

    Parameters
    ----------
    real, synthetic : DataFrame
        Frames with the same columns (row counts may differ).
    column_types : dict, optional
        Column name to sdtype (``"numerical"``, ``"datetime"``, ``"categorical"``,
        ``"boolean"`` or ``"id"``) where the inferred type is not wanted. ``id``
        columns are skipped.

    Returns
    -------
    DataFrame
        Columns ``column, sdtype, metric, score, missing_real, missing_synthetic,
        missing_similarity, coverage_metric, coverage``. ``score`` is the
        KSComplement or TVComplement; NaN where a side has no values.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"age": [20, 30, 40, None], "member": [True, False, True, True]})
    >>> syn = pd.DataFrame({"age": [25, 30, 35, 45], "member": [True, True, True, False]})
    >>> column_shapes(real, syn)[["column", "score", "missing_similarity", "coverage"]]
       column     score  missing_similarity  coverage
    0     age  0.666667                0.75      0.75
    1  member  1.000000                1.00      1.00
    """
    _, columns = _setup(real, synthetic, column_types)
    return _column_rows(columns)


def column_pair_trends(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    column_types: Mapping[str, str] | None = None,
    real_correlation_threshold: float = CORRELATION_THRESHOLD,
    real_association_threshold: float = ASSOCIATION_THRESHOLD,
) -> pd.DataFrame:
    """One row per column pair: correlation or contingency similarity.

    Parameters
    ----------
    real, synthetic : DataFrame
        Frames with the same columns.
    column_types : dict, optional
        sdtype overrides, as in :func:`column_shapes`.
    real_correlation_threshold, real_association_threshold : float in [0, 1]
        A pair counts towards the *Column Pair Trends* score only if the real data's
        |Pearson r| (continuous pairs) or Cramér's V (other pairs) exceeds this
        (SDMetrics' defaults 0.5 and 0.3). ``score`` is reported for every pair.

    Returns
    -------
    DataFrame
        Columns ``column_1, column_2, metric, score, real_correlation,
        synthetic_correlation, real_association, contributes, error``.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 4, 6, 8], "c": list("aabb")})
    >>> syn = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [8.0, 6, 4, 2], "c": list("abab")})
    >>> column_pair_trends(real, syn)[["column_1", "column_2", "metric", "score", "contributes"]]
      column_1 column_2                 metric  score  contributes
    0        x        y  CorrelationSimilarity    0.0         True
    1        x        c  ContingencySimilarity    0.5         True
    2        y        c  ContingencySimilarity    0.5         True
    """
    corr_t = _check_threshold(real_correlation_threshold, "real_correlation_threshold")
    assoc_t = _check_threshold(real_association_threshold, "real_association_threshold")
    _, columns = _setup(real, synthetic, column_types)
    return _pair_rows(columns, corr_t, assoc_t, _profile(real))


def quality_score(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    column_types: Mapping[str, str] | None = None,
    real_correlation_threshold: float = CORRELATION_THRESHOLD,
    real_association_threshold: float = ASSOCIATION_THRESHOLD,
) -> dict[str, float]:
    """SDMetrics' ``QualityReport`` scores: overall, Column Shapes and Column Pair Trends.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2, 3, 4], "c": list("aabb")})
    >>> quality_score(real, real)
    {'score': 1.0, 'column_shapes': 1.0, 'column_pair_trends': 1.0}
    """
    corr_t = _check_threshold(real_correlation_threshold, "real_correlation_threshold")
    assoc_t = _check_threshold(real_association_threshold, "real_association_threshold")
    _, columns = _setup(real, synthetic, column_types)
    return _scores(_column_rows(columns), _pair_rows(columns, corr_t, assoc_t, _profile(real)))


# -- the single metrics on Series, for users who want one number -------------------------
def _series_pair(real: Any, synthetic: Any) -> tuple[pd.Series, pd.Series]:
    real = pd.Series(real) if not isinstance(real, pd.Series) else real
    synthetic = pd.Series(synthetic) if not isinstance(synthetic, pd.Series) else synthetic
    if len(real) == 0 or len(synthetic) == 0:
        raise DataError("Both the real and the synthetic column need at least one value.")
    return real.rename("column"), synthetic.rename("column")


def _one_column(real: Any, synthetic: Any) -> _Column:
    r, s = _series_pair(real, synthetic)
    types = column_types(r.to_frame(), s.to_frame())
    if types["column"] == "id":
        types["column"] = "categorical"
    return _prepare(r.to_frame(), s.to_frame(), types)[0]


def ks_complement(real: Any, synthetic: Any) -> float:
    """1 - the two-sample Kolmogorov-Smirnov statistic of two numeric or datetime columns.

    Examples
    --------
    >>> ks_complement([1, 2, 3, 4], [3, 4, 5, 6])
    0.5
    """
    c = _one_column(real, synthetic)
    if not c.continuous:
        raise DataError(f"ks_complement needs numerical or datetime values. Got {c.sdtype} values instead.")
    return _ks_complement(c.real, c.synthetic, c.rounded)


def tv_complement(real: Any, synthetic: Any) -> float:
    """1 - the total variation distance between the category frequencies of two columns.

    Examples
    --------
    >>> tv_complement(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    0.75
    """
    r, s = _series_pair(real, synthetic)
    rc, sc, labels = discrete_codes(r, s)
    return _tv_complement(rc, sc, len(labels))


def missing_value_similarity(real: Any, synthetic: Any) -> float:
    """1 - the difference between the shares of missing values.

    Examples
    --------
    >>> missing_value_similarity([1, None, 3, 4], [1, 2, 3, 4])
    0.75
    """
    r, s = _series_pair(real, synthetic)
    return float(1.0 - abs(r.isna().mean() - s.isna().mean()))


def range_coverage(real: Any, synthetic: Any) -> float:
    """How much of the real [min, max] range the synthetic values cover (0 to 1).

    Examples
    --------
    >>> range_coverage([0, 10], [5, 20])
    0.5
    """
    c = _one_column(real, synthetic)
    if not c.continuous:
        raise DataError(f"range_coverage needs numerical or datetime values. Got {c.sdtype} values instead.")
    return _range_coverage(c.real, c.synthetic)


def category_coverage(real: Any, synthetic: Any) -> float:
    """Share of the real categories that occur in the synthetic data.

    Examples
    --------
    >>> category_coverage(["a", "b", "c", "d"], ["a", "a", "b"])
    0.5
    """
    r, s = _series_pair(real, synthetic)
    rc, sc, _ = discrete_codes(r, s)
    return _category_coverage(rc, sc)


def correlation_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """1 - |Pearson r of the real pair - Pearson r of the synthetic pair| / 2 (two columns each).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1, 2, 3], "y": [1, 2, 3]})
    >>> round(correlation_similarity(real, real.assign(y=[3, 2, 1])), 6)
    0.0
    """
    pairs = column_pair_trends(_two(real, "real"), _two(synthetic, "synthetic"), real_correlation_threshold=0)
    if pairs["metric"].iloc[0] != "CorrelationSimilarity":
        raise DataError("correlation_similarity needs two numerical or datetime columns.")
    return float(pairs["score"].iloc[0])


def contingency_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """1 - the total variation distance between the two-way frequency tables of two columns.

    Both columns are treated as categories (use :func:`column_pair_trends` for the
    report's binning of continuous columns).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"a": list("xxyy"), "b": list("pqpq")})
    >>> contingency_similarity(real, real)
    1.0
    """
    real, synthetic = _two(real, "real"), _two(synthetic, "synthetic")
    types = dict.fromkeys(real.columns, "categorical")
    pairs = column_pair_trends(real, synthetic, column_types=types, real_association_threshold=0)
    return float(pairs["score"].iloc[0])


def _two(frame: Any, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] != 2:
        shape = getattr(frame, "shape", type(frame).__name__)
        raise DataError(f"The {name} data must be a DataFrame with exactly two columns. Got {shape} instead.")
    return frame
