"""Column types for :class:`synthbench.Schema` (``from synthbench import columns as c``)."""

from .generators.columns import (
    Boolean,
    Categorical,
    Column,
    Datetime,
    Derived,
    Float,
    Id,
    Integer,
    Pattern,
    Text,
)
from .generators.distributions import DISTRIBUTIONS

__all__ = [
    "DISTRIBUTIONS",
    "Boolean",
    "Categorical",
    "Column",
    "Datetime",
    "Derived",
    "Float",
    "Id",
    "Integer",
    "Pattern",
    "Text",
]
