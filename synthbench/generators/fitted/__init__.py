"""Generators fitted to a real table: Gaussian copula, Gaussian mixture, sequential CART.

All three learn numeric, integer, boolean, categorical and datetime columns with
missing values, and offer conditional sampling, partially synthetic and hybrid output
(see :class:`~._base.FittedGenerator`).
"""

from .cart import CART
from .copula import GaussianCopula
from .mixture import GaussianMixture

__all__ = ["CART", "GaussianCopula", "GaussianMixture"]
