"""Errors raised by synthbench.

Every error a user can trigger with bad parameters, a broken spec or unusable data is
one of these. They subclass :class:`ValueError` (and :class:`TypeError` where the
problem is a type), so ``except ValueError`` keeps working for callers who do not know
synthbench, and ``except SynthbenchError`` catches all of ours.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "ExpressionError",
    "InvalidParameterError",
    "NotFittedError",
    "ResourceLimitError",
    "SpecError",
    "SynthbenchError",
]


class SynthbenchError(Exception):
    """Base class of every error synthbench raises on purpose."""


class InvalidParameterError(SynthbenchError, ValueError, TypeError):
    """A parameter has the wrong type or value.

    Subclasses both ValueError and TypeError, as scikit-learn's error of the same name
    does, because a parameter can be wrong in either way.
    """


class ResourceLimitError(InvalidParameterError):
    """A request would need more memory than allowed, found by an estimate made before
    anything is allocated.

    The message names the estimate, the limit and the way past it: streaming to disk
    (``to_parquet``, ``synthbench generate -o out.parquet``) or a higher limit
    (``synthbench.set_config(max_bytes=...)`` or the ``SYNTHBENCH_MAX_BYTES``
    environment variable).
    """


class ExpressionError(InvalidParameterError):
    """An expression (derived column, constraint) is malformed or uses what is not allowed."""


class SpecError(SynthbenchError, ValueError):
    """A JSON spec given to :func:`synthbench.from_dict` is malformed."""


class DataError(SynthbenchError, ValueError):
    """A DataFrame cannot be used (empty, non-finite values, unsupported dtype, ...)."""


class NotFittedError(SynthbenchError, ValueError, AttributeError):
    """A generator that learns from data was used before :meth:`fit`."""
