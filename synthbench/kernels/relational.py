"""Kernels of the related-tables family: children per parent, links, self-references.

:class:`~synthbench.generators.relational.Tables` makes its tables in dependency
order into a dict ``dfs``. A root table is an ordinary rule-based table. A child
table starts from a *link*, a frame with one row per child row holding its foreign
keys (and the parent columns it reads), made by :func:`parent_links`; the child's
own columns are then made by the rule-based ``make_table`` with the link's columns
among them, so its expressions and constraints can read them. Referential integrity
holds by construction: every foreign key is copied from an existing parent row.

Count distributions are literal tuples: ``("fixed", k)``, ``("poisson", mean)``,
``("negative_binomial", mean, dispersion)`` or ``("empirical", [p0, p1, ...])``
(the chance of 0, 1, ... children).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def count_quantiles(u, counts):
    """Children counts at the uniforms ``u`` under the distribution ``counts`` (inverse CDF)."""
    kind = counts[0]
    if kind == "fixed":
        return np.full(len(u), counts[1], dtype=np.int64)
    if kind == "empirical":
        cdf = np.cumsum(counts[1]) / np.sum(counts[1])
        return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1).astype(np.int64)
    from scipy import stats

    if kind == "poisson":
        values = stats.poisson.ppf(u, counts[1])
    else:  # negative binomial with this mean and dispersion (variance mean + mean**2 / dispersion)
        mean, dispersion = counts[1], counts[2]
        values = stats.nbinom.ppf(u, dispersion, dispersion / (dispersion + mean))
    values = np.maximum(np.nan_to_num(values, nan=0.0), 0)
    if (values > 2**31).any():
        raise OverflowError("drew more than 2**31 children for one parent; lower the mean or raise the dispersion")
    return values.astype(np.int64)


def children_counts(parent, seed, counts, by=None, counts_by=()):
    """How many children each row of the frame ``parent`` has: one uniform per parent row.

    ``counts_by`` holds ``(value, counts)`` pairs: parents whose column ``by`` (as text)
    equals the value draw from those counts instead of ``counts``.
    """
    u = np.random.default_rng(seed).random(len(parent))
    out = count_quantiles(u, counts)
    if by is not None:
        key = parent[by].astype(str).to_numpy()
        for value, group in counts_by:
            hit = key == value
            out[hit] = count_quantiles(u[hit], group)
    return out


def parent_links(dfs, parent, key, column, counts, seed, by=None, counts_by=(), copy=(), others=()):
    """One row per child row: the parent's key in ``column`` and the parent columns ``copy``.

    Parent row i gets ``children_counts(...)[i]`` children, in parent order. Each of
    ``others``, ``(parent, key, column, copy, seed)``, adds a foreign key to a row of
    another parent picked uniformly (with the columns it copies).
    """
    frame = dfs[parent]
    rows = np.repeat(np.arange(len(frame)), children_counts(frame, seed, counts, by, counts_by))
    link = {column: frame[key].iloc[rows].reset_index(drop=True)}
    for name in copy:
        link[name] = frame[name].iloc[rows].reset_index(drop=True)
    link = pd.DataFrame(link, index=pd.RangeIndex(len(rows)))
    return pd.concat([link, uniform_links(dfs, len(rows), others)], axis=1)


def uniform_links(dfs, n_rows, others):
    """The foreign keys of a root table: each of ``others`` picks parent rows uniformly."""
    link = {}
    for other, other_key, other_column, other_copy, other_seed in others:
        frame = dfs[other]
        if len(frame) == 0 and n_rows:
            raise ValueError(f"table {other!r} has no rows for the {other_column!r} keys to point at")
        picks = np.random.default_rng(other_seed).integers(0, max(len(frame), 1), size=n_rows)
        link[other_column] = frame[other_key].iloc[picks].reset_index(drop=True)
        for name in other_copy:
            link[name] = frame[name].iloc[picks].reset_index(drop=True)
    return pd.DataFrame(link, index=pd.RangeIndex(n_rows))


def from_link(rng, positions, df, link, column):
    """A column kernel: the link's ``column`` at these row numbers (values and dtype kept)."""
    return link[column].iloc[positions].reset_index(drop=True)


def child_table(make_table, link, **options):
    """``make_table`` with one row per row of ``link``."""
    return make_table(len(link), **options)


def self_reference(dfs, table, key, column, seed, position):
    """Table ``table`` with ``column`` inserted at ``position``: the ``key`` of an earlier row,
    picked uniformly, so the references form a tree; the first row (the root) has none."""
    df = dfs[table]
    n = len(df)
    earlier = (np.random.default_rng(seed).random(n) * np.arange(n)).astype(np.int64)
    values = df[key].iloc[earlier].reset_index(drop=True)
    if pd.api.types.is_integer_dtype(values.dtype):
        values = values.astype("Int64")
    values = values.where(np.arange(n) > 0)
    out = df.copy()
    out.insert(position, column, values.set_axis(out.index))
    return out
