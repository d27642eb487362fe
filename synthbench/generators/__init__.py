"""The generator families, one module (or package) each.

Nothing here lists them: :mod:`synthbench.registry` imports every module of this
package the first time it is asked for a generator, and each family's classes
register themselves with :func:`~synthbench.registry.register`. Adding a family is
adding its module. ``from synthbench.generators import Schema`` still works (it asks
the registry).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from ..registry import generator_attribute

    return generator_attribute(__name__, name)
