"""Name -> generator class. The registry drives spec loading, the CLI, widgets and tests.

A new generator is one module in :mod:`synthbench.generators` whose class is decorated
with :func:`register`, plus its import in ``synthbench/generators/__init__.py``.
"""

from __future__ import annotations

import json
from typing import Any

from .base import SPEC_FORMAT, Generator
from .exceptions import SpecError
from .params import short_repr

__all__ = ["from_dict", "from_json", "get_generator", "list_generators", "register"]

_REGISTRY: dict[str, type[Generator]] = {}


def register(cls: type[Generator]) -> type[Generator]:
    """Class decorator: make ``cls`` known to :func:`from_dict` and the rest."""
    if not cls.family:
        raise TypeError(f"{cls.__name__} must set a 'family' to be registered.")
    _REGISTRY[cls.__name__] = cls
    return cls


def _load() -> None:
    from . import generators  # noqa: F401  (importing registers the built-in generators)


def list_generators(family: str | None = None) -> list[str]:
    """Names of the registered generators, optionally of one ``family``, sorted.

    >>> import synthbench as sb
    >>> "Schema" in sb.list_generators()
    True
    >>> sb.list_generators(family="classification")
    ['Blobs', 'Circles', 'Classification', 'Moons', 'Regression']
    """
    _load()
    return sorted(n for n, c in _REGISTRY.items() if family is None or c.family == family)


def get_generator(name: str) -> type[Generator]:
    """The generator class registered as ``name``."""
    _load()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise SpecError(f"Unknown generator {short_repr(name)}. Known generators are {sorted(_REGISTRY)}.") from None


def from_dict(spec: Any) -> Generator:
    """Rebuild a generator from a spec made by ``to_dict()``. Never executes code.

    >>> import synthbench as sb
    >>> spec = {"synthbench_spec": 1, "generator": "Moons", "params": {"noise": 0.2}}
    >>> sb.from_dict(spec)
    Moons(noise=0.2)
    """
    if not isinstance(spec, dict):
        raise SpecError(f"A spec must be a dict (JSON object). Got {short_repr(spec)} instead.")
    version = spec.get("synthbench_spec")
    if version != SPEC_FORMAT or isinstance(version, bool):
        raise SpecError(
            f"The spec's 'synthbench_spec' format version must be {SPEC_FORMAT}. Got {short_repr(version)} instead."
        )
    unknown = sorted(set(spec) - {"synthbench_spec", "generator", "params", "state"})
    if unknown:
        raise SpecError(
            f"Unknown key(s) {unknown} in the spec. Valid keys are ['generator', 'params', 'state', 'synthbench_spec']."
        )
    return get_generator(spec.get("generator")).from_dict(spec)


def from_json(text: str) -> Generator:
    """:func:`from_dict` over JSON text."""
    try:
        spec = json.loads(text)
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise SpecError(f"The spec is not valid JSON: {exc}") from None
    return from_dict(spec)
