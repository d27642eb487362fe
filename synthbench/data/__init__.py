"""Small real data sets shipped with synthbench, for tutorials, examples and tests.

>>> from synthbench.data import load_penguins
>>> df = load_penguins()
>>> df.shape
(344, 8)
>>> df.dtypes.astype(str).tolist()
['category', 'category', 'float64', 'float64', 'Int64', 'Int64', 'category', 'int64']
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["load_penguins"]

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _penguins() -> pd.DataFrame:
    df = pd.read_csv(_HERE / "penguins.csv", na_values=["NA"], keep_default_na=False)
    for col in ("species", "island", "sex"):
        df[col] = df[col].astype("category")
    # Whole grams and millimetres with gaps: nullable integers say what they are.
    for col in ("flipper_length_mm", "body_mass_g"):
        df[col] = df[col].astype("Int64")
    df["year"] = df["year"].astype("int64")
    return df


def load_penguins() -> pd.DataFrame:
    """The Palmer penguins: 344 penguins of 3 species on 3 islands (CC0).

    Columns: ``species``, ``island`` and ``sex`` (categorical; ``sex`` has gaps),
    ``bill_length_mm`` and ``bill_depth_mm`` (float, one decimal), ``flipper_length_mm``
    and ``body_mass_g`` (nullable ``Int64``), ``year`` (int, 2007-2009). A few values
    are missing, as in the original study. License and source: ``LICENSE-penguins.txt``
    beside the CSV.

    Returns
    -------
    pandas.DataFrame
        A fresh copy each call.
    """
    return _penguins().copy()
