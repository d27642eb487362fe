"""synthbench: make, inspect and teach synthetic data in notebooks.

>>> import synthbench as sb
>>> gen = sb.Schema(columns=[
...     sb.columns.Id("customer_id"),
...     sb.columns.Categorical("gender", categories=["female", "male"]),
...     sb.columns.Integer("age", params={"low": 18, "high": 80}),
... ])
>>> df = gen.sample(3, seed=42)
>>> df.columns.tolist()
['customer_id', 'gender', 'age']

Importing synthbench stays light: scikit-learn, imbalanced-learn, Altair and
ipywidgets are imported only when a feature needs them.
"""

from __future__ import annotations

from . import columns, evaluate, exceptions, timeseries
from .base import Generator
from .evaluate import quality_report
from .exceptions import NotFittedError
from .generators import Blobs, Circles, Classification, Moons, Regression, Schema
from .generators.balance import Balance, Imbalance
from .generators.fitted import CART, GaussianCopula, GaussianMixture
from .generators.timeseries import FittedTimeSeries, TimeSeries
from .registry import from_dict, from_json, get_generator, list_generators

__version__ = "0.1.0"

__all__ = [
    "CART",
    "Balance",
    "Blobs",
    "Circles",
    "Classification",
    "FittedTimeSeries",
    "GaussianCopula",
    "GaussianMixture",
    "Generator",
    "Imbalance",
    "Moons",
    "NotFittedError",
    "Regression",
    "Schema",
    "TimeSeries",
    "columns",
    "evaluate",
    "exceptions",
    "from_dict",
    "from_json",
    "get_generator",
    "list_generators",
    "quality_report",
    "timeseries",
]


def load_ipython_extension(ipython):  # pragma: no cover - exercised in notebooks
    """``%load_ext synthbench``: register the ``%synthbench`` magic."""
    from .magics import load_ipython_extension as load

    load(ipython)
