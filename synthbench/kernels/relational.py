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


# -- fitted related tables ------------------------------------------------------------------------
def segment_codes(frame, column, values, edges):
    """Each row's segment: the index of its ``column`` value (as text) in ``values`` (-1 if
    unseen), or, with ``edges``, its bin (``len(edges) + 1`` when missing); 0 without a column."""
    if column is None:
        return np.zeros(len(frame), dtype=np.int64)
    x = frame[column]
    if edges is not None:
        v = pd.to_numeric(pd.Series(x, copy=False), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        codes = np.searchsorted(np.asarray(edges, dtype=float), v, side="right")
        codes[np.isnan(v)] = len(edges) + 1
        return codes.astype(np.int64)
    return pd.Index(values, dtype=object).get_indexer(x.astype(str).to_numpy(dtype=object)).astype(np.int64)


def learned_counts(parent, seed, segment, pooled, by_code):
    """Children per row of ``parent``: one uniform per row through the empirical counts of
    its segment (``by_code``: ``(code, probabilities)`` pairs), else the ``pooled`` counts."""
    u = np.random.default_rng(seed).random(len(parent))
    codes = segment_codes(parent, *segment)
    out = count_quantiles(u, ("empirical", pooled))
    for code, probs in by_code:
        hit = codes == code
        out[hit] = count_quantiles(u[hit], ("empirical", probs))
    return out, codes


def fitted_links(dfs, parent, key, column, seed, segment, pooled, by_code, model_of):
    """The child rows of a fitted relation, in parent order: their foreign key (``link``) and
    which learned model makes each row's columns (``model``; ``model_of`` maps a parent
    segment to a model, other segments use model 0, learned on all child rows)."""
    frame = dfs[parent]
    counts, codes = learned_counts(frame, seed, segment, pooled, by_code)
    rows = np.repeat(np.arange(len(frame)), counts)
    lookup = dict(model_of)
    model = np.array([lookup.get(int(c), 0) for c in codes], dtype=np.int64)[rows]
    link = pd.DataFrame({column: frame[key].iloc[rows].reset_index(drop=True)}, index=pd.RangeIndex(len(rows)))
    return {"link": link, "model": model}


def model_rows(links, m):
    """How many child rows model ``m`` makes."""
    return int(np.count_nonzero(links["model"] == m))


def no_columns(n):
    """A frame of ``n`` rows and no columns (a table with keys only)."""
    return pd.DataFrame(index=pd.RangeIndex(n))


def weighted_links(dfs, n_rows, parent, key, column, seed, segment, pooled, by_code, wanted=None):
    """A foreign key for ``n_rows`` rows: each picks a parent row with a chance in proportion
    to a number of children drawn for that row (so popular parents stay popular). With
    ``wanted`` (per row, ``"s<code>"``: the parent segment its own columns were drawn with),
    a row picks among the parent rows of that segment (any parent if none has a chance)."""
    frame = dfs[parent]
    if len(frame) == 0 and n_rows:
        raise ValueError(f"table {parent!r} has no rows for the {column!r} keys to point at")
    rng = np.random.default_rng(seed)
    counts, codes = learned_counts(frame, int(rng.integers(2**63)), segment, pooled, by_code)
    weights = counts.astype(float)
    if weights.sum() == 0:
        weights = np.ones(len(frame))
    picks = np.zeros(n_rows, dtype=np.int64)
    if len(frame) == 0 or n_rows == 0:
        return frame[key].iloc[picks].reset_index(drop=True).rename(column)
    groups = [(np.arange(n_rows), np.arange(len(frame)))]
    if wanted is not None:
        text = np.asarray(pd.Series(wanted).astype(str), dtype=object)
        labels = np.array([f"s{c}" for c in codes], dtype=object)
        groups = [(np.flatnonzero(text == v), np.flatnonzero(labels == v)) for v in np.unique(text)]
    for rows, candidates in groups:
        w = weights[candidates]
        if len(candidates) == 0 or w.sum() == 0:
            candidates, w = np.arange(len(frame)), weights
        picks[rows] = candidates[rng.choice(len(candidates), size=len(rows), p=w / w.sum())]
    return frame[key].iloc[picks].reset_index(drop=True).rename(column)


def key_column(n, kind, offset=0):
    """Sequential keys ``offset + 1``, ..., ``offset + n``: int64, or their text."""
    keys = np.arange(offset + 1, offset + n + 1, dtype=np.int64)
    return pd.Series(keys) if kind == "integer" else pd.Series(keys.astype(str), dtype="str")


def fitted_table(frames, columns, links=None, key=None, picks=(), dfs=None):
    """The rows of each model put back in place (child rows stay in parent order), the
    foreign keys (``links``' and those ``picks`` makes: ``(parent, key, column, seed, segment,
    pooled, by_code, given)`` for :func:`weighted_links`, ``given`` naming the drawn column of
    wanted parent segments), the key column ``key = (name, kind)``, in the order ``columns``."""
    if links is None:
        made = frames[0]
    else:
        positions = [np.flatnonzero(links["model"] == m) for m in range(len(frames))]
        order = np.argsort(np.concatenate(positions), kind="stable")
        parts = list(frames)
        for name in frames[0].columns:
            kinds = [f[name].dtype for f in frames]
            if any(isinstance(d, pd.CategoricalDtype) for d in kinds):
                cats = pd.Index(
                    [
                        c
                        for f in frames
                        if isinstance(f[name].dtype, pd.CategoricalDtype)
                        for c in f[name].cat.categories
                    ]
                ).unique()
                parts = [p.assign(**{name: p[name].astype(pd.CategoricalDtype(cats))}) for p in parts]
        made = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        made = made.iloc[order].reset_index(drop=True)
        for name in links["link"].columns:
            made[name] = links["link"][name].array
    n = len(made)
    for parent, parent_key, column, seed, segment, pooled, by_code, given in picks:
        wanted = made[given] if given is not None else None
        made[column] = weighted_links(dfs, n, parent, parent_key, column, seed, segment, pooled, by_code, wanted).array
    if key is not None and key[0] not in made.columns:
        made[key[0]] = key_column(n, key[1]).array
    return made[list(columns)]
