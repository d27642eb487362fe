"""Name -> generator class. The registry drives spec loading, the CLI, widgets and tests.

A new generator family is one module in :mod:`synthbench.generators` (or a package
there) whose class is decorated with :func:`register`. Nothing else lists it: the
registry imports every module of :mod:`synthbench.generators` the first time it is
asked, ``synthbench.<Name>`` finds the class here, and the widgets, the workbench and
streaming read the class's own attributes (``panel``, ``workbench``,
``block_size``/``independent_rows``, ``why_not_streamable``).

Loading a spec never runs code: the JSON is parsed with strict rules (no NaN or
Infinity, no duplicate keys, bounded size and depth, integers within 64 bits, valid
Unicode text) and each value is rebuilt through the generator's declared parameters.
"""

from __future__ import annotations

import importlib
import json
import math
import numbers
import os
import pkgutil
import stat
from typing import Any

import numpy as np

from .base import SPEC_FORMAT, Generator
from .exceptions import InvalidParameterError, SpecError
from .params import short_repr

__all__ = [
    "MAX_SPEC_BYTES",
    "MAX_SPEC_DEPTH",
    "from_dict",
    "from_file",
    "from_json",
    "get_generator",
    "list_generators",
    "register",
    "unregister",
]

#: Largest spec text :func:`from_json` (and ``synthbench generate``) reads.
MAX_SPEC_BYTES = 10 * 2**20
#: Deepest nesting of lists and objects a spec may have (real specs stay under 10).
MAX_SPEC_DEPTH = 64
_INT_RANGE = (-(2**63), 2**64 - 1)

_REGISTRY: dict[str, type[Generator]] = {}
_LOADED = False
_LOADING = False


def register(cls: type[Generator]) -> type[Generator]:
    """Class decorator: make ``cls`` known to :func:`from_dict` and the rest.

    The class name is the generator's name in specs, so two classes may not share it.
    """
    if not (isinstance(cls, type) and issubclass(cls, Generator)):
        raise InvalidParameterError(f"register takes a Generator subclass. Got {short_repr(cls)} instead.")
    name = cls.__name__
    if not cls.family:
        raise InvalidParameterError(f"{name} must set a 'family' to be registered.")
    if not isinstance(cls.panel, str) or not cls.panel:
        raise InvalidParameterError(f"{name}.panel must name a panel class. Got {short_repr(cls.panel)} instead.")
    known = _REGISTRY.get(name)
    if known is not None and known is not cls and _where(known) != _where(cls):
        raise InvalidParameterError(
            f"A generator named {name!r} is already registered ({_where(known)}), so {_where(cls)} "
            f"cannot be: specs name generators by class name. Rename the class, or unregister({name!r}) first."
        )
    _REGISTRY[name] = cls  # a module reloaded in place replaces its own class
    return cls


def unregister(name: str) -> type[Generator]:
    """Forget the generator registered as ``name`` (for tests and plug-ins); returns its class."""
    try:
        return _REGISTRY.pop(name)
    except (KeyError, TypeError):
        raise InvalidParameterError(f"No generator is registered as {short_repr(name)}.") from None


def _where(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _load() -> None:
    """Import every module of :mod:`synthbench.generators` once: importing registers."""
    global _LOADED, _LOADING
    if _LOADED or _LOADING:  # a family module being imported may look a name up
        return
    _LOADING = True
    try:
        from . import generators

        for module in pkgutil.walk_packages(generators.__path__, prefix=f"{generators.__name__}."):
            importlib.import_module(module.name)
        _LOADED = True
    finally:
        _LOADING = False


def registered() -> dict[str, type[Generator]]:
    """Every registered generator class by name, in name order."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def generator_attribute(module: str, name: str) -> type[Generator]:
    """A registered generator class for a package's ``__getattr__`` (``sb.<Name>``), loaded on first use."""
    if not name.startswith("_"):
        _load()
        if name in _REGISTRY:
            return _REGISTRY[name]
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


def list_generators(family: str | None = None) -> list[str]:
    """Names of the registered generators, optionally of one ``family``, sorted.

    >>> import synthbench as sb
    >>> "Schema" in sb.list_generators()
    True
    >>> sb.list_generators(family="classification")
    ['Blobs', 'Circles', 'Classification', 'Moons', 'Regression']
    """
    return [n for n, c in registered().items() if family is None or c.family == family]


def get_generator(name: str) -> type[Generator]:
    """The generator class registered as ``name``."""
    _load()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise SpecError(f"Unknown generator {short_repr(name)}. Known generators are {sorted(_REGISTRY)}.") from None


def check_json(value: Any, where: str = "spec") -> None:
    """Refuse what no JSON spec holds, before anything walks ``value`` recursively.

    Nesting deeper than :data:`MAX_SPEC_DEPTH`, NaN or infinite numbers, integers beyond
    64 bits, text with lone surrogates (it cannot be written to a file or a terminal),
    non-str object keys and non-JSON types are :class:`SpecError`. The walk is iterative,
    so no value can exhaust the stack.
    """
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            if depth >= MAX_SPEC_DEPTH:
                raise SpecError(
                    f"The spec nests lists and objects more than {MAX_SPEC_DEPTH} levels deep (at {_cut(path)}); "
                    "specs made by synthbench nest a few levels."
                )
            if isinstance(item, dict):
                for key, sub in item.items():
                    if not isinstance(key, str):
                        raise SpecError(f"Invalid key {short_repr(key)} at {_cut(path)}: JSON object keys are str.")
                    _check_text(key, path)
                    stack.append((sub, f"{path}[{short_repr(key, 40)}]", depth + 1))
            else:
                stack.extend((sub, f"{path}[{i}]", depth + 1) for i, sub in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, (bool, np.bool_)) or item is None:
            continue
        elif isinstance(item, numbers.Integral):
            if not _INT_RANGE[0] <= item <= _INT_RANGE[1]:
                raise SpecError(
                    f"Invalid value at {_cut(path)}: integers in a spec must fit in 64 bits. Got {short_repr(item)}."
                )
        elif isinstance(item, numbers.Real):
            if not math.isfinite(item):
                raise SpecError(f"Invalid value at {_cut(path)}: numbers in a spec must be finite. Got {item!r}.")
        else:
            raise SpecError(
                f"Invalid value at {_cut(path)}: a spec holds only JSON values (dict, list, str, int, float, "
                f"bool, None). Got {type(item).__name__}."
            )


def _cut(path: str) -> str:
    return path if len(path) <= 200 else path[:97] + "..." + path[-100:]


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SpecError(
            f"Invalid text at {_cut(path)}: {short_repr(text)} is not valid Unicode (it holds a lone surrogate, "
            "which no file or terminal can store)."
        ) from None


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
            f"Unknown key(s) {short_repr(unknown)} in the spec. "
            "Valid keys are ['generator', 'params', 'state', 'synthbench_spec']."
        )
    return get_generator(spec.get("generator")).from_dict(spec)


def _no_constants(token: str) -> Any:
    raise SpecError(f"The spec is not valid JSON: {token} is not a JSON number (write a finite number or null).")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SpecError(
                f"The spec is ambiguous: the key {short_repr(key)} appears twice in one object "
                "(JSON readers disagree on which one wins)."
            )
        out[key] = value
    return out


def parse_json(text: str | bytes) -> Any:
    """JSON text as Python values under the spec rules (see the module docstring)."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_SPEC_BYTES:
            raise SpecError(f"The spec is {len(text):,} bytes; specs may be at most {MAX_SPEC_BYTES:,} bytes.")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecError(f"The spec is not UTF-8 text: {exc}") from None
    if not isinstance(text, str):
        raise SpecError(f"A spec must be JSON text (str). Got {type(text).__name__} instead.")
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"The spec is {len(text):,} characters; specs may be at most {MAX_SPEC_BYTES:,}.")
    try:
        value = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise SpecError(
            f"The spec nests lists and objects too deeply to read (at most {MAX_SPEC_DEPTH} levels)."
        ) from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"The spec is not valid JSON: {exc}") from None
    except ValueError as exc:
        if isinstance(exc, SpecError):
            raise
        if "integer string conversion" in str(exc):
            raise SpecError(
                "The spec holds an integer of more than 4,300 digits; integers in a spec must fit in 64 bits."
            ) from None
        raise SpecError(f"The spec is not valid JSON: {short_repr(str(exc), 200)}") from None
    check_json(value)
    return value


def from_json(text: str | bytes) -> Generator:
    """:func:`from_dict` over JSON text (at most :data:`MAX_SPEC_BYTES`)."""
    return from_dict(parse_json(text))


def read_spec_file(path: str | os.PathLike) -> bytes:
    """The bytes of the spec file at ``path``: a regular file of at most :data:`MAX_SPEC_BYTES`.

    A device (``/dev/zero``), a FIFO or a folder is refused before it is opened, so no
    path can block or stream without end; the size is checked before reading, and the
    read stops one byte past the limit whatever the file claims.
    """
    shown = short_repr(os.fspath(path), 200) if isinstance(path, (str, os.PathLike)) else short_repr(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SpecError(f"The spec file {shown} does not exist.") from None
    except (OSError, TypeError, ValueError) as exc:
        raise SpecError(f"The spec file {shown} cannot be read: {getattr(exc, 'strerror', None) or exc}.") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise SpecError(f"The spec file {shown} is {kind}; give a JSON file.")
    if info.st_size > MAX_SPEC_BYTES:
        raise SpecError(
            f"The spec file {shown} is {info.st_size:,} bytes; specs may be at most {MAX_SPEC_BYTES:,} bytes."
        )
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the check, opening does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise SpecError(f"The spec file {shown} is not a regular file; give a JSON file.")
            data = fh.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"The spec file {shown} cannot be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(f"The spec file {shown} is larger than {MAX_SPEC_BYTES:,} bytes, the most a spec may be.")
    return data


def from_file(path: str | os.PathLike) -> Generator:
    """:func:`from_dict` over a JSON spec file, read safely (see :func:`read_spec_file`)."""
    return from_dict(parse_json(read_spec_file(path)))
