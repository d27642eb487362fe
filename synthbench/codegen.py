"""Helpers that write the standalone code cells returned by ``to_code``.

The code we write is meant to be read: imports first, then one commented block per
column or step, literals written the way a person would type them.
"""

from __future__ import annotations

import builtins
import inspect
import math
import re
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CodeCell", "Plan", "Ref", "call", "comment_text", "literal"]

_IMPORT_ORDER = (
    "import numpy",
    "import pandas",
    "import scipy",
    "from scipy",
    "from sklearn",
    "from imblearn",
    "from faker",
)
_WIDTH = 88


@dataclass(frozen=True)
class Ref:
    """A variable of the generated code (a name synthbench chose, never user text)."""

    name: str

    def __post_init__(self) -> None:
        if not (self.name.isidentifier() and self.name.isascii()):
            raise ValueError(f"Ref names are ASCII identifiers chosen by synthbench, not {self.name!r}")


def literal(value: Any) -> str:
    """Python source for a JSON-like value; floats round-trip exactly (``repr``).

    Strings are written with :func:`repr`, which escapes quotes, backslashes, newlines,
    NUL and lone surrogates, so any text becomes one valid literal and nothing else.
    A :class:`Ref` is written as its name and a kernel function as its name.
    """
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, types.FunctionType):
        return value.__name__
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(float(value))  # np.float64 is a float whose repr names numpy
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "item"):  # numpy scalar
        return literal(value.item())
    raise TypeError(f"No literal for {type(value).__name__}")


def pretty(value: Any, indent: str = "") -> str:
    """:func:`literal`, broken over lines when it would run past the width.

    Lists of numbers are packed several to a line; nested lists and dicts get a line
    per item, continuation lines indented from ``indent`` (where the value starts).
    """
    flat = literal(value)
    if len(indent) + len(flat) <= _WIDTH or not isinstance(value, (list, tuple, dict)) or not value:
        return flat
    inner = indent + "    "
    if isinstance(value, dict):
        items = [f"{literal(k)}: {pretty(v, inner)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [pretty(v, inner) for v in value]
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
    lines, line = [], inner
    for item in items:
        piece = item + ","
        if "\n" in item or isinstance(value, dict):
            if line.strip():
                lines.append(line.rstrip())
            lines.append(inner + piece)
            line = inner
        elif len(line) + len(piece) > _WIDTH and line.strip():
            lines.append(line.rstrip())
            line = inner + piece + " "
        else:
            line += piece + " "
    if line.strip():
        lines.append(line.rstrip())
    return opening + "\n" + "\n".join(lines) + "\n" + indent + closing


def wrap(prefix: str, items: Iterable[str], suffix: str, indent: str = "") -> list[str]:
    """``prefix item, item, ... suffix`` on one line, or one item per line if too long.

    An item that spans several lines (see :func:`pretty`) always gets lines of its own.
    """
    items = list(items)
    one = f"{indent}{prefix}{', '.join(items)}{suffix}"
    if len(one) <= _WIDTH and "\n" not in one:
        return [one]
    if any("\n" in item for item in items):
        return [f"{indent}{prefix}", *(f"{indent}    {item}," for item in items), f"{indent}{suffix.lstrip()}"]
    lines = [f"{indent}{prefix}"]
    line = indent + "    "
    for item in items:
        piece = item + ", "
        if len(line) + len(piece.rstrip()) > _WIDTH and line.strip():
            lines.append(line.rstrip())
            line = indent + "    "
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    lines.append(f"{indent}{suffix.lstrip()}")
    return lines


def call(target: str, func: str, args: dict[str, Any], indent: str = "") -> list[str]:
    """``target = func(k=v, ...)`` with literal arguments, wrapped when long."""
    items = [f"{k}={literal(v)}" for k, v in args.items()]
    return wrap(f"{target} = {func}(", items, ")", indent)


_UNSAFE_IN_COMMENT = re.compile(r"[^ -~]")


def comment_text(text: str) -> str:
    """``text`` made safe for a ``#`` comment: one line of printable ASCII.

    Comments are written by synthbench, but anything that slips in (a column name, a
    date) is escaped here, so no character can end the comment and start live code.
    """
    return _UNSAFE_IN_COMMENT.sub(lambda m: ascii(m.group())[1:-1], text)


# -- plans --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One call of a plan: ``target = func(*args, **kwargs)``."""

    target: Ref | tuple[Ref, Any] | None
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    comment: str | None = None


def _resolve(value: Any, env: dict[str, Any]) -> Any:
    if isinstance(value, Ref):
        return env[value.name]
    if isinstance(value, list):
        return [_resolve(v, env) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolve(v, env) for v in value)
    if isinstance(value, dict):
        return {k: _resolve(v, env) for k, v in value.items()}
    return value


def _functions_in(value: Any) -> Iterable[Callable[..., Any]]:
    if isinstance(value, types.FunctionType):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _functions_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _functions_in(v)


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def kernel_closure(funcs: Iterable[Callable[..., Any]]) -> list[Callable[..., Any]]:
    """``funcs`` and every kernel they call, each once, callees before callers.

    A kernel may call other functions of its own module; their source goes into the
    cell too. Anything else a kernel reads from its module is an error (see
    :mod:`synthbench.kernels`): the cell would not have it.
    """
    order: list[Callable[..., Any]] = []
    seen: set[Callable[..., Any]] = set()

    def visit(func: Callable[..., Any]) -> None:
        if func in seen:
            return
        seen.add(func)
        module_globals = func.__globals__
        for name in sorted(_code_names(func.__code__)):
            if name not in module_globals or name in ("np", "pd") or hasattr(builtins, name):
                continue
            dep = module_globals[name]
            if isinstance(dep, types.FunctionType) and dep.__module__ == func.__module__:
                visit(dep)
            elif not isinstance(dep, types.ModuleType):
                raise TypeError(f"kernel {func.__name__} reads the module-level name {name!r}; pass it as an argument")
        order.append(func)

    for func in funcs:
        visit(func)
    return order


@dataclass
class Plan:
    """Calls of kernel functions with literal arguments: run by ``sample``, written by ``to_code``.

    >>> import numpy as np
    >>> def double(x):
    ...     return np.asarray(x) * 2
    >>> plan = Plan()
    >>> y = plan.call("y", double, [1, 2], comment="twice the input")
    >>> plan.run()["y"].tolist()
    [2, 4]
    >>> print("\\n".join(plan.lines()))
    # twice the input
    y = double([1, 2])
    """

    steps: list[Step] = field(default_factory=list)

    def call(
        self,
        target: str | tuple[str | Ref, Any] | None,
        func: Callable[..., Any],
        *args: Any,
        comment: str | None = None,
        **kwargs: Any,
    ) -> Ref | None:
        """Add ``target = func(*args, **kwargs)``; returns a :class:`Ref` to ``target``.

        ``target`` is a variable name, ``(variable, key)`` for ``variable[key] = ...``
        (the key is written as a literal), or None to discard the result.
        """
        if isinstance(target, str):
            ref: Ref | tuple[Ref, Any] | None = Ref(target)
        elif isinstance(target, tuple):
            var, key = target
            ref = (var if isinstance(var, Ref) else Ref(var), key)
        else:
            ref = None
        self.steps.append(Step(ref, func, args, kwargs, comment))
        return ref if isinstance(ref, Ref) else None

    def run(self, **env: Any) -> dict[str, Any]:
        """Run the calls with ``env`` as the starting variables; returns the variables."""
        for step in self.steps:
            value = step.func(*_resolve(step.args, env), **_resolve(step.kwargs, env))
            if isinstance(step.target, Ref):
                env[step.target.name] = value
            elif step.target is not None:
                var, key = step.target
                env[var.name][key] = value
        return env

    def kernels(self) -> list[Callable[..., Any]]:
        """The kernel functions the plan calls or passes, with the kernels they call."""
        funcs: list[Callable[..., Any]] = []
        for step in self.steps:
            funcs.append(step.func)
            funcs.extend(_functions_in((step.args, step.kwargs)))
        return kernel_closure(dict.fromkeys(funcs))

    def lines(self, indent: str = "") -> list[str]:
        """The calls as source lines, each argument a literal."""
        out: list[str] = []
        for step in self.steps:
            if step.comment:
                out.extend(f"{indent}# {comment_text(line)}" for line in step.comment.splitlines())
            inner = indent + "    "
            items = [pretty(a, inner) for a in step.args]
            items += [f"{k}={pretty(v, inner + ' ' * (len(k) + 1))}" for k, v in step.kwargs.items()]
            if isinstance(step.target, Ref):
                head = f"{step.target.name} = "
            elif step.target is not None:
                head = f"{step.target[0].name}[{literal(step.target[1])}] = "
            else:
                head = ""
            out.extend(wrap(f"{head}{step.func.__name__}(", items, ")", indent))
        return out


#: Import line prefix -> the distribution whose version decides the values drawn.
_VERSIONED = {
    "import numpy": "numpy",
    "import pandas": "pandas",
    "import scipy": "scipy",
    "from scipy": "scipy",
    "from sklearn": "scikit-learn",
    "from imblearn": "imbalanced-learn",
    "from faker": "faker",
    "import pyarrow": "pyarrow",
}


def _versions(imports: Iterable[str]) -> str:
    """The header line naming the library versions the cell was made with.

    Same seed, same frame holds for the same versions: numpy may change a sampler's
    stream between major releases, scikit-learn and Faker between minor ones.
    """
    from importlib.metadata import PackageNotFoundError, version

    names = dict.fromkeys(["numpy", "pandas"])
    for line in sorted(imports):
        for prefix, dist in _VERSIONED.items():
            if line.startswith(prefix):
                names[dist] = None
    found = []
    for dist in names:
        try:
            found.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:  # pragma: no cover - every one of them is a dependency
            continue
    return f"Made with {', '.join(found)}; other versions may draw other values."


class CodeCell:
    """Collects imports and commented blocks, then renders a code cell."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.imports: set[str] = set()
        self.blocks: list[list[str]] = []
        self._kernel_names: list[str] = []

    def need(self, *imports: str) -> CodeCell:
        self.imports.update(imports)
        return self

    def kernels(self, funcs: Iterable[Callable[..., Any]]) -> CodeCell:
        """Add the source of each kernel function, word for word (see :mod:`synthbench.kernels`)."""
        for func in funcs:
            self.block(None, inspect.getsource(func).rstrip())
        return self

    def plan(self, plan: Plan, comment: str | None = None) -> CodeCell:
        """Add the kernels a plan needs (once per cell) and then its calls."""
        known = set(self._kernel_names)
        fresh = [f for f in plan.kernels() if f.__name__ not in known]
        self._kernel_names.extend(f.__name__ for f in fresh)
        self.kernels(fresh)
        return self.block(comment, *plan.lines())

    def block(self, comment: str | None, *lines: str | list[str]) -> CodeCell:
        out = [f"# {comment_text(line)}" for line in comment.splitlines()] if comment else []
        for line in lines:
            out.extend(line if isinstance(line, list) else [line])
        self.blocks.append(out)
        return self

    def render(self) -> str:
        def order(line: str) -> tuple[int, str]:
            rank = next((i for i, p in enumerate(_IMPORT_ORDER) if line.startswith(p)), 99)
            return rank, line

        head = [f"# {comment_text(line)}" for line in self.title.splitlines()]
        # Kernels import scipy, scikit-learn or imbalanced-learn inside their bodies.
        body_lines = (line.strip() for block in self.blocks for text in block for line in text.splitlines())
        inner = {line for line in body_lines if line.startswith(("import ", "from "))}
        head.append(f"# {_versions(self.imports | inner)}")
        imports = sorted(self.imports, key=order)
        body = ""
        for i, b in enumerate(self.blocks):
            if i:
                is_def = b[0].startswith("def ") or self.blocks[i - 1][0].startswith("def ")
                body += "\n\n\n" if is_def else "\n\n"
            body += "\n".join(b)
        gap = "\n\n\n" if self.blocks and self.blocks[0][0].startswith("def ") else "\n\n"
        return "\n".join(head + imports) + gap + body + "\n"
