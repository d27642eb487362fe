"""The generator families. Importing this package registers every built-in generator."""

from .balance import Balance, Imbalance
from .datasets import Blobs, Circles, Classification, Moons, Regression
from .fitted import CART, GaussianCopula, GaussianMixture
from .schema import Schema
from .timeseries import FittedTimeSeries, TimeSeries

__all__ = [
    "CART",
    "Balance",
    "Blobs",
    "Circles",
    "Classification",
    "FittedTimeSeries",
    "GaussianCopula",
    "GaussianMixture",
    "Imbalance",
    "Moons",
    "Regression",
    "Schema",
    "TimeSeries",
]
