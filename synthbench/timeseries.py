"""Time-series components for :class:`synthbench.TimeSeries` (``from synthbench import timeseries as ts``).

The public face of :mod:`synthbench.generators.timeseries`; its ``__all__`` is the one list.
"""

from .generators import timeseries as _family
from .generators.timeseries import *  # noqa: F403  (re-exports exactly _family.__all__)

__all__ = list(_family.__all__)
