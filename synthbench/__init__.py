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

Every registered generator is an attribute (``sb.Schema``, ``sb.GaussianCopula``, ...):
the names come from :mod:`synthbench.registry`, which imports the family modules of
:mod:`synthbench.generators` when a generator is first asked for. Importing synthbench
stays light: scikit-learn, imbalanced-learn, Altair and ipywidgets are imported only
when a feature needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import columns, evaluate, exceptions, timeseries
from .base import Generator, config_context, get_config, set_config
from .evaluate import quality_report
from .exceptions import NotFittedError
from .registry import from_dict, from_json, get_generator, list_generators, register

if TYPE_CHECKING:  # for type checkers and IDEs only; at run time the registry answers
    from .generators.balance import Balance, Imbalance  # noqa: F401
    from .generators.datasets import Blobs, Circles, Classification, Moons, Regression  # noqa: F401
    from .generators.fitted.cart import CART  # noqa: F401
    from .generators.fitted.copula import GaussianCopula  # noqa: F401
    from .generators.fitted.mixture import GaussianMixture  # noqa: F401
    from .generators.schema import Schema  # noqa: F401
    from .generators.timeseries.core import TimeSeries  # noqa: F401
    from .generators.timeseries.fitted import FittedTimeSeries  # noqa: F401

__version__ = "0.1.0"

#: The names besides the generators (``list_generators()`` gives those).
__all__ = [
    "Generator",
    "NotFittedError",
    "columns",
    "config_context",
    "evaluate",
    "exceptions",
    "from_dict",
    "from_json",
    "get_config",
    "get_generator",
    "list_generators",
    "quality_report",
    "register",
    "set_config",
    "timeseries",
]


def __getattr__(name: str) -> Any:
    """``sb.<Name>`` for every registered generator, imported on first use."""
    from .registry import generator_attribute

    return generator_attribute(__name__, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *list_generators()})


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab extension lives (``jupyter labextension develop``).

    A wheel installs it into ``share/jupyter/labextensions/synthbench``; this names the
    built folder inside a source checkout (``labextension/`` is its TypeScript source).
    """
    return [{"src": "labextension", "dest": "synthbench"}]


def load_ipython_extension(ipython):  # pragma: no cover - exercised in notebooks
    """``%load_ext synthbench``: register the ``%synthbench`` magic."""
    from .magics import load_ipython_extension as load

    load(ipython)
