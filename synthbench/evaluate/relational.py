"""Evaluation of related tables: referential integrity, children per parent, parent-child
trends and each table's quality, in one report.

:func:`relational_report` follows SDMetrics' multi-table ``QualityReport`` (0.32): its
four properties are *Column Shapes* and *Column Pair Trends* (the single-table scores of
:func:`~synthbench.evaluate.quality_report`, averaged over every column and every relevant
pair of every table), *Cardinality* (per relation, the KSComplement of the number of
children of each parent, real against synthetic) and *Intertable Trends* (per relation,
the scores of the relevant pairs of a parent column and a child column, on the child rows
joined with their parent; relevance as in the single-table report);
the overall score is the mean of the four. Key columns are skipped (sdtype ``id``).
Referential integrity is reported beside the score: the share of child rows whose
foreign key names an existing parent row (missing keys of a self-reference excepted).

>>> from synthbench.generators.relational import Tables
>>> gen = Tables.example()
>>> real, synthetic = gen.sample(200, seed=0), gen.sample(200, seed=1)
>>> report = relational_report(real, synthetic, gen.relations)
>>> float(report.integrity["integrity"].min())
1.0
>>> round(report.score, 2) > 0.8
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, InvalidParameterError
from ..params import short_repr
from .fidelity import ASSOCIATION_THRESHOLD, CORRELATION_THRESHOLD, _ks_statistic, column_pair_trends
from .report import Report, quality_report

__all__ = ["RelationalReport", "children_counts", "referential_integrity", "relational_report"]


def _relations(relations: Any) -> list[tuple[str, str, str, str]]:
    out = []
    if not isinstance(relations, (list, tuple)):
        raise InvalidParameterError(
            f"The 'relations' parameter must be a list of ForeignKey or (child, column, parent, key) tuples. "
            f"Got {short_repr(relations)} instead."
        )
    for r in relations:
        if hasattr(r, "child") and hasattr(r, "key"):
            out.append((r.child, r.column, r.parent, r.key))
        elif isinstance(r, (list, tuple)) and len(r) == 4 and all(isinstance(x, str) for x in r):
            out.append(tuple(r))
        else:
            raise InvalidParameterError(
                f"The 'relations' parameter must hold ForeignKey objects or (child, column, parent, key) tuples. "
                f"Got {short_repr(r)} instead."
            )
    return out


def _check(dfs: Any, relations: list[tuple[str, str, str, str]], side: str) -> dict[str, pd.DataFrame]:
    if not (isinstance(dfs, dict) and dfs and all(isinstance(v, pd.DataFrame) for v in dfs.values())):
        raise DataError(f"The {side} tables must be a non-empty dict of DataFrames by name. Got {short_repr(dfs)}.")
    for child, column, parent, key in relations:
        for table, col in ((child, column), (parent, key)):
            if table not in dfs or col not in dfs[table].columns:
                raise DataError(f"The {side} tables lack {table!r}.{col!r}, which the relations name.")
    return dfs


def referential_integrity(dfs: dict[str, pd.DataFrame], relations: Sequence[Any]) -> pd.DataFrame:
    """One row per relation: child rows, orphans (a key naming no parent row), missing keys,
    duplicated parent keys and ``integrity`` (share of child rows that are not orphans)."""
    rels = _relations(relations)
    _check(dfs, rels, "given")
    rows = []
    for child, column, parent, key in rels:
        keys = dfs[parent][key]
        values = dfs[child][column]
        missing = int(values.isna().sum())
        orphans = int((~values.dropna().isin(keys.dropna())).sum())
        if child != parent:
            orphans += missing  # a missing foreign key points at nobody (self-references: the roots)
        n = len(values)
        rows.append(
            {
                "child": child,
                "column": column,
                "parent": parent,
                "key": key,
                "rows": n,
                "orphans": orphans,
                "missing": missing,
                "duplicate_keys": int(keys.duplicated().sum()),
                "integrity": 1.0 if n == 0 else 1 - orphans / n,
            }
        )
    return pd.DataFrame(rows)


def children_counts(dfs: dict[str, pd.DataFrame], relation: Any) -> np.ndarray:
    """The number of child rows of each parent row (zeros included), in parent order."""
    ((child, column, parent, key),) = _relations([relation])
    counts = dfs[child][column].value_counts()
    return counts.reindex(dfs[parent][key], fill_value=0).to_numpy(dtype=np.int64)


@dataclass
class RelationalReport:
    """What :func:`relational_report` found.

    Attributes
    ----------
    score : float
        Mean of the four property scores (SDMetrics' multi-table QualityReport).
    column_shapes_score, column_pair_trends_score, cardinality_score, intertable_trends_score : float
    integrity : DataFrame
        :func:`referential_integrity` of the synthetic tables (and ``real_integrity``).
    cardinality : DataFrame
        Per relation: mean, max and share of zero children per parent, real and synthetic,
        and ``score`` (KSComplement of the counts).
    intertable_trends : DataFrame
        Per relation and (parent column, child column) pair: the pair score.
    tables : dict of str to Report
        Each table's :func:`~synthbench.evaluate.quality_report`.
    """

    score: float
    column_shapes_score: float
    column_pair_trends_score: float
    cardinality_score: float
    intertable_trends_score: float
    integrity: pd.DataFrame
    cardinality: pd.DataFrame
    intertable_trends: pd.DataFrame
    tables: dict[str, Report]

    def summary(self) -> pd.DataFrame:
        """The scores as a small table (property, score)."""
        return pd.DataFrame(
            {
                "property": ["Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends", "Overall"],
                "score": [
                    self.column_shapes_score,
                    self.column_pair_trends_score,
                    self.cardinality_score,
                    self.intertable_trends_score,
                    self.score,
                ],
            }
        )

    def _repr_html_(self) -> str:
        worst = float(self.integrity["integrity"].min()) if len(self.integrity) else 1.0
        return (
            f"<b>Related tables: quality {self.score:.3f}</b>, referential integrity {worst:.1%} (worst relation)"
            + self.summary().to_html(index=False, float_format=lambda x: f"{x:.3f}")
        )


def _mean(values: Any) -> float:
    arr = np.asarray(list(values), dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if len(arr) else float("nan")


def relational_report(
    real: dict[str, pd.DataFrame],
    synthetic: dict[str, pd.DataFrame],
    relations: Sequence[Any],
    *,
    real_correlation_threshold: float = CORRELATION_THRESHOLD,
    real_association_threshold: float = ASSOCIATION_THRESHOLD,
) -> RelationalReport:
    """Compare synthetic related tables with real ones (see the module docstring).

    Parameters
    ----------
    real, synthetic : dict of str to DataFrame
        The tables by name, with the same tables and columns.
    relations : list
        :class:`~synthbench.generators.relational.ForeignKey` objects (a generator's
        ``relations``) or ``(child, column, parent, key)`` tuples.
    real_correlation_threshold, real_association_threshold : float
        Relevance thresholds of the pair scores, within tables and across them (SDMetrics'
        0.5 and 0.3; 0 counts every pair).
    """
    rels = _relations(relations)
    _check(real, rels, "real")
    _check(synthetic, rels, "synthetic")
    missing = [t for t in real if t not in synthetic]
    if missing:
        raise DataError(f"The synthetic tables lack {missing}.")
    ids: dict[str, set[str]] = {t: set() for t in real}
    for child, column, parent, key in rels:
        ids[child].add(column)
        ids[parent].add(key)
    thresholds = {
        "real_correlation_threshold": real_correlation_threshold,
        "real_association_threshold": real_association_threshold,
    }
    tables = {}
    for name, frame in real.items():
        kept = [c for c in frame.columns if c not in ids[name]]
        if kept:
            tables[name] = quality_report(frame[kept], synthetic[name][kept], **thresholds)
    cardinality = []
    trends = []
    for child, column, parent, key in rels:
        rel = (child, column, parent, key)
        a, b = children_counts(real, rel), children_counts(synthetic, rel)
        score = 1 - _ks_statistic(a.astype(float), b.astype(float)) if len(a) and len(b) else float("nan")
        cardinality.append(
            {
                "child": child,
                "column": column,
                "parent": parent,
                "real_mean": float(a.mean()) if len(a) else float("nan"),
                "synthetic_mean": float(b.mean()) if len(b) else float("nan"),
                "real_max": int(a.max()) if len(a) else 0,
                "synthetic_max": int(b.max()) if len(b) else 0,
                "real_zero_share": float((a == 0).mean()) if len(a) else float("nan"),
                "synthetic_zero_share": float((b == 0).mean()) if len(b) else float("nan"),
                "score": score,
            }
        )
        if child == parent:
            continue
        p_cols = [c for c in real[parent].columns if c not in ids[parent]]
        c_cols = [c for c in real[child].columns if c not in ids[child]]
        if not p_cols or not c_cols:
            continue
        joined = []
        for dfs in (real, synthetic):
            left = dfs[child][[column, *c_cols]].rename(columns=lambda c: f"child.{c}")
            right = dfs[parent][[key, *p_cols]].rename(columns=lambda c: f"parent.{c}")
            both = left.merge(right, left_on=f"child.{column}", right_on=f"parent.{key}", how="inner")
            joined.append(both.drop(columns=[f"child.{column}", f"parent.{key}"]))
        if len(joined[0]) == 0 or len(joined[1]) == 0:
            continue
        pairs = column_pair_trends(joined[0], joined[1], **thresholds)
        cross = pairs[pairs["column_1"].str.startswith("parent.") != pairs["column_2"].str.startswith("parent.")]
        for row in cross.itertuples():
            trends.append(
                {
                    "child": child,
                    "column": column,
                    "parent": parent,
                    "pair": f"{row.column_1} / {row.column_2}",
                    "metric": row.metric,
                    "score": row.score,
                    "contributes": bool(row.contributes),
                }
            )
    cardinality = pd.DataFrame(cardinality)
    trends = pd.DataFrame(trends, columns=["child", "column", "parent", "pair", "metric", "score", "contributes"])
    # As SDMetrics: every column of every table counts once, every relevant pair once.
    shapes = _mean(s for r in tables.values() for s in r.column_details["score"])
    pairs_score = _mean(s for r in tables.values() for s in r.pair_details.loc[r.pair_details["contributes"], "score"])
    card = _mean(cardinality["score"]) if len(cardinality) else float("nan")
    inter = _mean(trends.loc[trends["contributes"].astype(bool), "score"]) if len(trends) else float("nan")
    integrity = referential_integrity(synthetic, rels)
    integrity["real_integrity"] = referential_integrity(real, rels)["integrity"]
    return RelationalReport(
        score=_mean([shapes, pairs_score, card, inter]),
        column_shapes_score=shapes,
        column_pair_trends_score=pairs_score,
        cardinality_score=card,
        intertable_trends_score=inter,
        integrity=integrity,
        cardinality=cardinality,
        intertable_trends=trends,
        tables=tables,
    )
