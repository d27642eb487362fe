"""Kernels of the differentially private family (MST on a graphical model).

What the private generator learned is a graphical model over *bins*: every column is
cut into bins (numbers within declared bounds, labels, a bin for missing values), and
the model is written as a sampling order, each column with the table of its bin
given the bins of a few columns drawn before it. Drawing from that model is
post-processing of the private measurements, so it costs no privacy: these numpy
functions are all the exported cell needs (see :mod:`synthbench.kernels`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["private_bins", "private_column", "private_frame"]


def private_bins(n, seed, sizes, steps):
    """Bin codes (columns x n) drawn from the learned model, one column at a time.

    Each step draws one column's bin given the bins of its ``given`` columns, drawn
    before it: ``table`` holds the model's probabilities over (given..., column) in C
    order, one row per combination of the given bins. A row with no mass is uniform.
    """
    rng = np.random.default_rng([seed, 0])
    codes = np.zeros((len(sizes), n), dtype=np.int64)
    for step in steps:
        j = step["column"]
        size = sizes[j]
        table = np.clip(np.asarray(step["table"], dtype=float), 0.0, None).reshape(-1, size)
        mass = table.sum(axis=1, keepdims=True)
        table = np.where(mass > 0, table / np.where(mass > 0, mass, 1.0), 1.0 / size)
        row = np.zeros(n, dtype=np.int64)
        for k in step["given"]:
            row = row * sizes[k] + codes[k]
        # Row r's cumulative probabilities sit in (r, r + 1], so one sorted search draws
        # every row's bin at once (a draw u in row r lands at r + u).
        cum = np.cumsum(table, axis=1)
        cum[:, -1] = 1.0
        flat = (cum + np.arange(len(table))[:, None]).reshape(-1)
        pick = np.searchsorted(flat, row + rng.random(n), side="right") - row * size
        codes[j] = np.clip(pick, 0, size - 1)
    return codes


def private_column(codes, j, seed, col):
    """Column j from its bin codes, as a named Series of its dtype.

    Numbers are drawn uniformly inside their bin (integers and datetimes as whole
    counts), labels are the bin's label, and the last bin is missing when the column
    has one.
    """
    code = codes[j]
    u = np.random.default_rng([seed, 1, j]).random(len(code))
    kind = col["kind"]
    if "edges" in col:
        count = len(col["edges"]) - 1
        missing = code >= count
        k = np.minimum(code, count - 1)
        if kind == "numeric":
            edges = np.asarray(col["edges"], dtype=float)
            x = edges[k] + u * (edges[k + 1] - edges[k])
            x = np.minimum(x, edges[-1])
        else:
            edges = np.asarray(col["edges"], dtype=np.int64)
            width = edges[k + 1] - edges[k]
            x = edges[k] + np.minimum((u * width).astype(np.int64), np.maximum(width - 1, 0))
    else:
        values = col["values"]
        missing = code >= len(values)
        x = np.array(values, dtype=object)[np.minimum(code, len(values) - 1)]
    if kind == "datetime":
        s = pd.Series(np.asarray(x, dtype=np.int64).astype(f"datetime64[{col['unit']}]"))
        if col.get("tz"):
            s = s.dt.tz_localize("UTC").dt.tz_convert(col["tz"])
    elif col["dtype"] == "category":
        s = pd.Series(pd.Categorical(x, categories=col["categories"], ordered=col["ordered"]))
    elif kind == "boolean" and col["dtype"] == "bool":
        s = pd.Series(x.astype(bool))
    else:
        s = pd.Series(x).astype(col["dtype"])
    if missing.any():
        s = s.where(~missing)
    return s.rename(col["name"])


def private_frame(columns):
    """The named columns side by side, in order."""
    return pd.DataFrame({s.name: s for s in columns}, index=pd.RangeIndex(len(columns[0])))
